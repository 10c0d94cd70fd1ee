"""What adaptive practice reads: the student's pool of clips with their difficulties, the
student's skills and recent rounds (everything quiz.adaptive.choose_round needs, in a fixed
number of queries whatever the library's size), the student's open sets, booster plans and
the class's booster table for its teacher."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from accounts.models import Classroom, User
from quiz import adaptive, categories
from quiz.models import (
    Answer,
    Artifact,
    Attempt,
    BoosterPlan,
    Clip,
    ClipRating,
    QuizItem,
    SkillRating,
    StatCell,
)
from quiz.selectors.learn import Mastery, category_mastery

# The queries of practice_state (tests/unit/test_practice_selection.py holds it to them).
STATE_QUERIES = 7


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
    for clip_id, code in Artifact.objects.filter(clip_id__in=ids).values_list(
        "clip_id", "category"
    ):
        tells.setdefault(clip_id, set()).add(code)
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
                spot_ready=generated and bool(codes),
            )
        )
    skills = {
        category: adaptive.Rating(rating, answers)
        for category, rating, answers in SkillRating.objects.filter(user=user).values_list(
            "category", "rating", "answers"
        )
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
    """The student's unfinished attempt of a practice set like this one, to resume."""
    return (
        Attempt.objects.filter(
            user=user,
            finished_at__isnull=True,
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
    """The student's booster plans still running, the due ones first (one query)."""
    plans = BoosterPlan.objects.filter(user=user, due_at__isnull=False).order_by(
        "due_at", "category"
    )
    return [
        HomeBooster(plan, str(categories.BY_CODE[plan.category].name), plan.due_at <= now)
        for plan in plans
    ]


def plan_of(user: User, plan_id: int) -> BoosterPlan | None:
    return BoosterPlan.objects.filter(user=user, pk=plan_id).first()


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
class PracticeHome:
    bars: list[MasteryBar]
    weakest: MasteryBar | None
    boosters: list[HomeBooster]

    @property
    def due(self) -> list[HomeBooster]:
        return [b for b in self.boosters if b.is_due]


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
    and their running boosters. Two queries."""
    bars = [_bar(m) for m in category_mastery(user).values()]
    answered = [b for b in bars if b.percent is not None]
    weakest = min(answered, key=lambda b: (b.low, b.percent), default=None)
    return PracticeHome(bars, weakest, student_boosters(user, now))
