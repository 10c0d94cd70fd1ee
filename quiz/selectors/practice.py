"""What adaptive practice reads: the student's pool of clips with their difficulties, the
student's skills and recent rounds (everything quiz.adaptive.choose_round needs, in a fixed
number of queries whatever the library's size), the student's open sets, booster plans and
the class's booster table for its teacher."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Classroom, Enrollment, School, User
from quiz import adaptive, categories, spot
from quiz.models import (
    Answer,
    Artifact,
    Assignment,
    Attempt,
    BoosterPlan,
    Clip,
    ClipRating,
    PracticeSet,
    Quiz,
    QuizItem,
    SkillRating,
    StatCell,
)
from quiz.selectors.learn import Mastery, category_mastery
from quiz.selectors.play import results_withheld_until
from quiz.stats import suppression
from quiz.stats.insights import class_label
from quiz.stats.metrics import wilson_interval

# The queries of practice_state (tests/unit/test_practice_selection.py holds it to them).
STATE_QUERIES = 8


@dataclass(frozen=True)
class PracticeState:
    """Everything the next round of a student is chosen from."""

    pool: adaptive.Pool
    skills: dict[str, adaptive.Rating]
    recent: frozenset[int]


def clip_priors(clip_ids: list[int] | None = None) -> dict[int, float]:
    """Starting difficulties from the everyone-scope clip cells (one query)."""
    cells = StatCell.objects.filter(
        scope=StatCell.Scope.EVERYONE, scope_id=0, dimension=StatCell.Dimension.CLIP
    )
    if clip_ids is not None:
        cells = cells.filter(key__in=[str(pk) for pk in clip_ids])
    return {
        int(key): adaptive.prior_difficulty(n, correct)
        for key, n, correct in cells.values_list("key", "n", "correct")
        if key.isdigit()
    }


def practice_state(user: User, *, attempt: Attempt | None = None) -> PracticeState:
    """The student's pool (Clip.objects.for_learning: never a clip kept for tests), each
    clip's difficulty (its rating, else its prior, else 0), the student's skills, and the
    clips of their last RECENT_ROUNDS rounds (answered anywhere, or waiting in `attempt`).
    STATE_QUERIES queries."""
    clips = list(Clip.objects.for_learning(user).values_list("pk", "is_generated").order_by("pk"))
    ids = [pk for pk, _generated in clips]
    tells: dict[int, set[str]] = {}
    unplaced: set[int] = set()  # clips with a giveaway as large as the frame
    for clip_id, code, w, h in Artifact.objects.filter(clip_id__in=ids).values_list(
        "clip_id", "category", "box_w", "box_h"
    ):
        tells.setdefault(clip_id, set()).add(code)
        if not spot.has_a_place(w, h):
            unplaced.add(clip_id)
    ratings = dict(ClipRating.objects.filter(clip_id__in=ids).values_list("clip_id", "rating"))
    priors = clip_priors(ids)
    candidates = []
    for pk, generated in clips:
        codes = tells.get(pk, set())
        candidates.append(
            adaptive.Candidate(
                clip_id=pk,
                is_generated=generated,
                tells=frozenset(c for c in codes if c in categories.TELL_CODES)
                if generated
                else frozenset(),
                difficulty=ratings.get(pk, priors.get(pk, 0.0)),
                # As quiz.selectors.builder.spot_ready_clips.
                spot_ready=generated and bool(codes) and pk not in unplaced,
            )
        )
    # While a test the student answered in withholds its results, practice is chosen as for
    # a newcomer: rounds made easier or harder by the test's answers would tell how they went.
    withheld = results_withheld_until(user, timezone.now()) is not None
    skills = {
        category: adaptive.Rating(rating, answers)
        for category, rating, answers in SkillRating.objects.filter(user=user).values_list(
            "category", "rating", "answers"
        )
        if not withheld
    }
    recent: set[int] = set()
    answered = (
        Answer.objects.filter(attempt__user=user)
        .order_by("-id")
        .values_list("clip_id", "other_clip_id")[: adaptive.RECENT_ROUNDS]
    )
    for clip_id, other_id in answered:
        recent.update(pk for pk in (clip_id, other_id) if pk is not None)
    waiting = QuizItem.objects.filter(quiz_id=attempt.quiz_id if attempt else None)
    for clip_id, other_id in waiting.values_list("clip_id", "other_clip_id"):
        recent.update(pk for pk in (clip_id, other_id) if pk is not None)
    return PracticeState(adaptive.Pool.of(candidates), skills, frozenset(recent))


def open_set(user: User, *, kind: str, focus: str, booster_id: int | None) -> Attempt | None:
    """The student's unfinished attempt of a practice set like this one, to resume (never
    one of assigned practice: that one counts for its assignment and is resumed there)."""
    return (
        Attempt.objects.filter(
            user=user,
            finished_at__isnull=True,
            assignment__isnull=True,
            quiz__practice_set__user=user,
            quiz__practice_set__kind=kind,
            quiz__practice_set__focus=focus,
            quiz__practice_set__booster_id=booster_id,
        )
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class HomeBooster:
    plan: BoosterPlan
    name: str  # the category's name
    is_due: bool


def student_boosters(user: User, now: datetime) -> list[HomeBooster]:
    """The student's booster plans still running, the due ones first (one query). A test's
    plans start when its results come out (services.practice._plan_start): none is shown
    before, since its name would say what the test's fakes looked like."""
    plans = BoosterPlan.objects.filter(
        user=user, due_at__isnull=False, started_at__lte=now
    ).order_by("due_at", "category")
    return [
        HomeBooster(plan, str(categories.BY_CODE[plan.category].name), plan.due_at <= now)
        for plan in plans
    ]


def plan_of(user: User, plan_id: int, now: datetime) -> BoosterPlan | None:
    """The user's own plan, once it has started (student_boosters)."""
    return BoosterPlan.objects.filter(user=user, pk=plan_id, started_at__lte=now).first()


@dataclass(frozen=True)
class StudentBoosters:
    """One student of a class: their boosters done on time and late, those overdue now, and
    whether they kept up (no booster overdue beyond the grace time, none done late)."""

    student: User
    on_time: int
    late: int
    overdue: int
    next_due: datetime | None

    @property
    def plans(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def kept_up(self) -> bool:
        return self.late == 0 and self.overdue == 0


def class_boosters(classroom: Classroom, now: datetime) -> list[StudentBoosters]:
    """Who kept up with their boosters, per student of the class (two queries). Overdue: due
    more than BOOSTER_GRACE ago and not done."""
    students = list(classroom.students.order_by("first_name", "username"))
    late_after = now - adaptive.BOOSTER_GRACE
    plans: dict[int, list[BoosterPlan]] = {}
    for plan in BoosterPlan.objects.filter(user__in=students):
        plans.setdefault(plan.user_id, []).append(plan)
    table = []
    for student in students:
        own = plans.get(student.pk, [])
        due = [p.due_at for p in own if p.due_at is not None]
        table.append(
            StudentBoosters(
                student=student,
                on_time=sum(p.on_time for p in own),
                late=sum(p.late for p in own),
                overdue=sum(1 for d in due if d <= late_after),
                next_due=min(due) if due else None,
            )
        )
    return table


@dataclass(frozen=True)
class MasteryBar:
    """One category's mastery as the home page draws it: the share right and its 95 %
    interval in whole percent (None before any answer)."""

    mastery: Mastery
    percent: int | None
    low: int | None
    high: int | None

    @property
    def spread(self) -> int:
        return 0 if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class OpenSet:
    """A practice set the student started and has not finished (its button says "Resume"):
    its focus (blank for a mix) and, for a booster, its plan."""

    focus: str
    booster_id: int | None

    @property
    def name(self) -> str:
        category = categories.BY_CODE.get(self.focus)
        return str(category.name) if category is not None else ""


@dataclass(frozen=True)
class PracticeHome:
    bars: list[MasteryBar]
    weakest: MasteryBar | None
    boosters: list[HomeBooster]
    # The student's open practice sets of their own (not assigned ones, not boosters).
    open_sets: tuple[OpenSet, ...] = ()
    # Plans whose booster set the student started and has not finished.
    open_boosters: frozenset[int] = frozenset()
    # Mastery is hidden until then, while a test the student answered in is open.
    hidden_until: datetime | None = None

    @property
    def due(self) -> list[HomeBooster]:
        return [b for b in self.boosters if b.is_due]

    @property
    def open_focuses(self) -> frozenset[str]:
        return frozenset(s.focus for s in self.open_sets)

    @property
    def mix_open(self) -> bool:
        return "" in self.open_focuses

    @property
    def weakest_open(self) -> bool:
        return self.weakest is not None and self.weakest.mastery.code in self.open_focuses

    @property
    def other_open(self) -> list[OpenSet]:
        """Open focused sets the two usual buttons do not resume (the weakest category
        changed since the set was started): each gets a "Resume" button of its own."""
        weakest = self.weakest.mastery.code if self.weakest is not None else None
        return [s for s in self.open_sets if s.focus and s.focus != weakest]


def open_sets(user: User) -> tuple[tuple[OpenSet, ...], frozenset[int]]:
    """The student's unfinished practice sets of their own and the plans of their unfinished
    booster sets (one query; assigned practice is resumed from its assignment)."""
    found: dict[str, OpenSet] = {}
    boosters: set[int] = set()
    for kind, focus, booster_id in (
        Attempt.objects.filter(
            user=user,
            finished_at__isnull=True,
            assignment__isnull=True,
            quiz__practice_set__user=user,
        )
        .order_by("-id")
        .values_list(
            "quiz__practice_set__kind",
            "quiz__practice_set__focus",
            "quiz__practice_set__booster_id",
        )
    ):
        if kind == PracticeSet.Kind.BOOSTER:
            if booster_id is not None:
                boosters.add(booster_id)
        else:
            found.setdefault(focus, OpenSet(focus, None))
    return tuple(sorted(found.values(), key=lambda s: s.focus)), frozenset(boosters)


def _bar(mastery: Mastery) -> MasteryBar:
    if mastery.estimate is None or mastery.interval is None:
        return MasteryBar(mastery, None, None, None)
    low, high = mastery.interval
    return MasteryBar(
        mastery, round(mastery.estimate * 100), math.floor(low * 100), math.ceil(high * 100)
    )


def practice_home(user: User, now: datetime) -> PracticeHome:
    """The student's "Practise" section: mastery per tell (quiz.selectors.learn's
    category_mastery, from their own aggregate cells) as bars with their intervals, the
    weakest category they have answered (the lowest bottom of the interval: the least shown
    to be mastered, so 1 right of 1 counts as weaker than 9 of 10),
    their running boosters, and the sets they left open (their buttons resume). Four
    queries."""
    masteries = list(category_mastery(user).values())
    bars = [_bar(m) for m in masteries]
    answered = [b for b in bars if b.percent is not None]
    weakest = min(answered, key=lambda b: (b.low, b.percent), default=None)
    sets, boosters = open_sets(user)
    hidden_until = masteries[0].hidden_until if masteries else None
    return PracticeHome(bars, weakest, student_boosters(user, now), sets, boosters, hidden_until)


@dataclass(frozen=True)
class PracticeProgress:
    """One student of assigned practice: rounds answered of the goal's, and how many right
    (a spot round's spot hit counts as right, as in the live view)."""

    student: User
    rounds: int
    done: int
    right: int
    finished: bool
    started: bool
    enrolled: bool = True

    @property
    def accuracy(self) -> float | None:
        return self.right / self.done if self.done else None

    @property
    def percent_done(self) -> int:
        return min(100, round(100 * self.done / self.rounds)) if self.rounds else 0


def assignment_practice(assignment: Assignment) -> list[PracticeProgress] | None:
    """Per student of the class (and anyone who answered and has left it): how many of the
    goal's rounds they answered and how many right, from the assignment's answers; None for
    an assignment that is no adaptive practice. Four queries at most, whatever the class."""
    if assignment.quiz.mode != Quiz.Mode.PRACTICE:
        return None
    goal = getattr(assignment.quiz, "practice_goal", None)
    if goal is None:
        return None
    counts = {
        user_id: (n, right)
        for user_id, n, right in Answer.objects.filter(assignment=assignment)
        .values("user_id")
        .annotate(n=Count("pk"), right=Count("pk", filter=Q(is_correct=True)))
        .order_by()
        .values_list("user_id", "n", "right")
    }
    attempts: dict[int, list[bool]] = {}
    for user_id, finished_at in Attempt.objects.filter(assignment=assignment).values_list(
        "user_id", "finished_at"
    ):
        attempts.setdefault(user_id, []).append(finished_at is not None)
    enrolled = set(assignment.classroom.students.values_list("pk", flat=True))
    people = User.objects.filter(pk__in=enrolled | counts.keys() | attempts.keys()).order_by(
        "first_name", "last_name", "username"
    )
    rows = []
    for person in people:
        done, right = counts.get(person.pk, (0, 0))
        mine = attempts.get(person.pk, [])
        rows.append(
            PracticeProgress(
                student=person,
                rounds=goal.rounds,
                done=done,
                right=right,
                finished=any(mine),
                started=bool(mine),
                enrolled=person.pk in enrolled,
            )
        )
    return rows


# --- Boosters in the teacher's export and the educators' insights ---------------------------


@dataclass(frozen=True)
class BoosterTally:
    """One booster plan's (or a group's) boosters so far. `due`: boosters that have fallen
    due, done or not; `on_time` / `late`: done within BOOSTER_GRACE of falling due, or later;
    `missed`: due more than BOOSTER_GRACE ago and not done; `open`: due, not done, still
    within the grace time (not decided yet). due = on_time + late + missed + open."""

    on_time: int = 0
    late: int = 0
    missed: int = 0
    open: int = 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missed + self.open

    @property
    def decided(self) -> int:
        """Due boosters whose outcome is known: done, or missed."""
        return self.on_time + self.late + self.missed

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def on_time_interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.on_time, self.decided)

    def __add__(self, other: BoosterTally) -> BoosterTally:
        return BoosterTally(
            self.on_time + other.on_time,
            self.late + other.late,
            self.missed + other.missed,
            self.open + other.open,
        )


def booster_tally(plan: BoosterPlan, now: datetime) -> BoosterTally:
    """What one plan has come to by `now` (no query)."""
    missed = opened = 0
    if plan.due_at is not None and plan.due_at <= now:
        if plan.due_at <= now - adaptive.BOOSTER_GRACE:
            missed = 1
        else:
            opened = 1
    return BoosterTally(plan.on_time, plan.late, missed, opened)


# The teacher's booster export (docs/exports.md); new columns only ever at the end.
BOOSTER_COLUMNS = (
    "class",
    "student_username",
    "student_name",
    "category",
    "category_name",
    "boosters_due",
    "done_on_time",
    "done_late",
    "missed",
    "open",
    "next_due",
)


def class_booster_rows(classroom: Classroom, now: datetime) -> list[list[object]]:
    """One row per student of the class and booster category (a student without a booster
    plan gets one row with an empty category and zeros), in two queries."""
    students = list(classroom.students.order_by("first_name", "last_name", "username"))
    plans: dict[int, list[BoosterPlan]] = {}
    for plan in BoosterPlan.objects.filter(user__in=students).order_by("category"):
        plans.setdefault(plan.user_id, []).append(plan)
    rows: list[list[object]] = []
    for student in students:
        own = plans.get(student.pk) or [None]
        for plan in own:
            tally = booster_tally(plan, now) if plan is not None else BoosterTally()
            category = categories.BY_CODE.get(plan.category) if plan is not None else None
            rows.append(
                [
                    classroom.name,
                    student.username,
                    student.display_name,
                    plan.category if plan is not None else "",
                    str(category.name) if category is not None else "",
                    tally.due,
                    tally.on_time,
                    tally.late,
                    tally.missed,
                    tally.open,
                    plan.due_at.isoformat() if plan is not None and plan.due_at else "",
                ]
            )
    return rows


@dataclass(frozen=True)
class ClassBoosters:
    """One class (or the school's classes together) for educators: its students with a
    booster that has come due and their boosters together; `suppressed` hides every figure
    (fewer than STATS_MIN_GROUP such students, or it would let a small group be worked out
    by subtraction)."""

    name: str
    students: int
    tally: BoosterTally
    suppressed: bool
    is_school: bool = False


def school_boosters(school: School, now: datetime, *, minimum: int) -> list[ClassBoosters]:
    """Per class of the school, and all its classes together (last): the share of due
    boosters done on time, with the counts, among the class's students. Three queries.

    Suppression (quiz.stats.suppression.hidden_parts): a class with fewer than `minimum`
    students whose boosters have come due is hidden, and with it the smallest other class,
    so that the school row minus the classes shown is never a small group; the school row
    is hidden when it holds fewer than `minimum` such students itself."""
    classes = list(Classroom.objects.filter(school=school).order_by("name", "school_year", "pk"))
    members: dict[int, set[int]] = {c.pk: set() for c in classes}
    for class_id, student_id in Enrollment.objects.filter(classroom__in=classes).values_list(
        "classroom_id", "student_id"
    ):
        members[class_id].add(student_id)
    everyone = set().union(*members.values()) if members else set()
    tallies: dict[int, BoosterTally] = {}
    for plan in BoosterPlan.objects.filter(user_id__in=everyone):
        tally = booster_tally(plan, now)
        if tally.due:
            tallies[plan.user_id] = tallies.get(plan.user_id, BoosterTally()) + tally

    def group(ids: set[int]) -> tuple[int, BoosterTally]:
        counted = [tallies[pk] for pk in ids if pk in tallies]
        return len(counted), sum(counted, BoosterTally())

    parts = {c.pk: group(members[c.pk]) for c in classes}
    hidden = suppression.hidden_parts(
        {pk: (tally.due, students) for pk, (students, tally) in parts.items()}, minimum
    )
    rows = [
        ClassBoosters(
            class_label(c),
            parts[c.pk][0],
            parts[c.pk][1],
            c.pk in hidden or (0 < parts[c.pk][0] < minimum),
        )
        for c in classes
    ]
    students, tally = group(everyone)
    rows.append(ClassBoosters(school.name, students, tally, students < minimum, is_school=True))
    return rows
