"""Reads for teachers: an assignment's live view, its report and its CSV exports.

The live view reads the aggregate tables (a fixed number of queries, however many answers);
the report and the exports read one assignment's answers, which a class keeps small.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import Classroom, Enrollment, User
from quiz import categories
from quiz.models import Answer, Artifact, Assignment, Attempt, Clip, Quiz, QuizItem, StatCell
from quiz.selectors.held import quizzes_playable_by
from quiz.selectors.play import answer_counts_of, spot_feedback
from quiz.stats.metrics import Counts, Summary, summarize


def assignments_for_teacher(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(classroom__teachers=user).select_related(
        "quiz", "classroom", "quiz__practice_goal"
    )


@dataclass(frozen=True)
class AssignableQuiz:
    quiz: Quiz
    # Set only where another listed quiz has the same title, so the teacher can tell them
    # apart: when it was made, and the teacher's classes it was set for.
    created_at: datetime | None = None
    classes: tuple[str, ...] = ()


def assignable_quizzes(user: User) -> list[AssignableQuiz]:
    """The "Assign a quiz" list, in two queries: quizzes that share a title name their date
    and the classes they were set for."""
    # Lessons are assigned from the Lessons page; adaptive practice belongs to one student.
    quizzes = list(
        Quiz.objects.assignable_by(user)
        .filter(mode__in=[Quiz.Mode.QUIZ, Quiz.Mode.FEED])
        .order_by("title", "-created_at")
    )
    titles = Counter(q.title.casefold() for q in quizzes)
    twins = [q.pk for q in quizzes if titles[q.title.casefold()] > 1]
    classes: dict[int, list[str]] = defaultdict(list)
    if twins:
        for quiz_id, name in (
            assignments_for_teacher(user)
            .filter(quiz_id__in=twins)
            .order_by("classroom__name")
            .values_list("quiz_id", "classroom__name")
            .distinct()
        ):
            classes[quiz_id].append(name)
    return [
        AssignableQuiz(q, q.created_at, tuple(classes[q.pk]))
        if titles[q.title.casefold()] > 1
        else AssignableQuiz(q)
        for q in quizzes
    ]


def quiz_clip_ids(quiz: Quiz) -> set[int]:
    """The ids of every clip the quiz's rounds show (one query)."""
    ids: set[int] = set()
    for clip_id, other_id in QuizItem.objects.filter(quiz=quiz).values_list(
        "clip_id", "other_clip_id"
    ):
        ids.update(i for i in (clip_id, other_id) if i is not None)
    return ids


@dataclass(frozen=True)
class SharedTest:
    """A test not yet due, set to one of the teacher's classes, that shows `clips` of the
    clips of the quiz the teacher is about to show with its answers."""

    assignment: Assignment
    clips: int


def open_tests_sharing_clips(
    quiz: Quiz, teacher: User, now: datetime, *, besides: Assignment | None = None
) -> list[SharedTest]:
    """Tests (feedback after the due date) of the teacher's classes and of the other classes
    of their school, not yet due, that share clips with `quiz` (other than `besides`, the
    assignment being run itself): a live lesson of the quiz reveals those clips' answers
    before the test is due, and homework of the school that shows them waits for it (quiz.
    selectors.held.attempt_closed_for_now). Three queries."""
    ids = quiz_clip_ids(quiz)
    classes = Q(classroom__in=Classroom.objects.taught_by(teacher))
    if teacher.school_id is not None:
        classes |= Q(classroom__school_id=teacher.school_id)
    tests = Assignment.objects.filter(
        classes,
        feedback=Assignment.Feedback.AFTER_DUE,
        due_at__gt=now,
    ).filter(Q(quiz__items__clip_id__in=ids) | Q(quiz__items__other_clip_id__in=ids))
    if besides is not None:
        tests = tests.exclude(pk=besides.pk)
    tests = (
        tests.select_related("quiz", "classroom")
        .prefetch_related("quiz__items")
        .distinct()
        .order_by("due_at", "pk")
    )
    shared = []
    for test in tests:
        theirs = {i for item in test.quiz.items.all() for i in (item.clip_id, item.other_clip_id)}
        shared.append(SharedTest(test, len(ids & theirs)))
    return shared


@dataclass(frozen=True)
class SeenClips:
    """Of one class: how many of a quiz's clips its students have already answered a round
    on (anywhere: quizzes, lessons, practice, feeds), and how many students that is."""

    classroom: Classroom
    clips: int
    students: int


def clips_already_seen(quiz: Quiz, classrooms: Iterable[Classroom]) -> list[SeenClips]:
    """For a test: classes whose students have met some of the quiz's clips before (those
    rounds test memory, not looking), in three queries whatever the size of the classes."""
    classrooms = list(classrooms)
    ids = quiz_clip_ids(quiz)
    members = list(
        Enrollment.objects.filter(classroom__in=classrooms).values_list(
            "classroom_id", "student_id"
        )
    )
    seen: dict[int, set[int]] = defaultdict(set)  # student -> clips of the quiz they met
    for user_id, clip_id, other_id in (
        Answer.objects.filter(attempt__user_id__in={s for _c, s in members})
        .filter(Q(clip_id__in=ids) | Q(other_clip_id__in=ids))
        .values_list("attempt__user_id", "clip_id", "other_clip_id")
        .distinct()
    ):
        seen[user_id].update(i for i in (clip_id, other_id) if i in ids)
    rows = []
    for classroom in classrooms:
        students = [s for c, s in members if c == classroom.pk and seen.get(s)]
        if students:
            clips = set().union(*(seen[s] for s in students))
            rows.append(SeenClips(classroom, len(clips), len(students)))
    return rows


def clips_open_to_practice(quiz: Quiz, teacher: User) -> int:
    """How many of the quiz's clips students can see the truth of outside a test: those in
    the learning pool of the teacher's school (lessons, practice, feeds: not kept for tests)
    or in a quiz anyone may play freely. A test of them may test memory, not looking. Two
    queries."""
    ids = quiz_clip_ids(quiz)
    public = QuizItem.objects.filter(quiz__in=quizzes_playable_by(teacher))
    return (
        Clip.objects.filter(pk__in=ids)
        .filter(
            Q(pk__in=Clip.objects.for_learning(teacher).values("pk"))
            | Q(pk__in=public.values("clip_id"))
            | Q(pk__in=public.exclude(other_clip=None).values("other_clip_id"))
        )
        .count()
    )


@dataclass(frozen=True)
class LiveStudent:
    label: str
    status: str  # not_started, in_progress, finished
    answered: int
    correct: int
    points: int


@dataclass(frozen=True)
class LiveItem:
    position: int
    kind: str
    answered: int
    correct: int

    @property
    def share_correct(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True)
class LiveView:
    students: list[LiveStudent]
    items: list[LiveItem]
    total_items: int
    started: int
    finished: int
    overall: Summary


def _anonymous_order(assignment: Assignment, student: User) -> str:
    # Projector mode must not reveal who is who, not even through alphabetical order.
    return hashlib.sha256(f"{assignment.pk}:{student.pk}".encode()).hexdigest()


def _answered(counts: Counts, *, feed: bool) -> tuple[int, int]:
    """(answers, right ones) of a cell: a feed's clips count in the signal-detection counts
    only (quiz.services.feed)."""
    if feed:
        return (
            counts.hits + counts.misses + counts.false_alarms + counts.correct_rejections,
            counts.hits + counts.correct_rejections,
        )
    # A spot round's answer counts in the spot counts only (METRICS.md): answered all the same.
    return counts.n + counts.spot_n, counts.correct + counts.spot_hits


def assignment_live(assignment: Assignment, *, projector: bool) -> LiveView:
    """What the live view shows, in four small queries however many answers there are
    (polled every second while a class plays: only the columns it shows)."""
    students = list(
        assignment.classroom.students.only("pk", "first_name", "last_name", "username").order_by(
            "first_name", "username"
        )
    )
    items = list(assignment.quiz.items.only("pk", "position", "kind").order_by("position"))
    cells = {
        (cell.dimension, cell.key): Counts.from_mapping(cell.counts())
        for cell in StatCell.objects.filter(scope="assignment", scope_id=assignment.pk)
    }
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(assignment=assignment).only("user", "finished_at"):
        attempts[attempt.user_id].append(attempt)
    if projector:
        students.sort(key=lambda s: _anonymous_order(assignment, s))
    feed = assignment.quiz.mode == Quiz.Mode.FEED
    rows = []
    for number, student in enumerate(students, start=1):
        mine = attempts.get(student.pk, [])
        if any(a.finished_at is None for a in mine):
            status = "in_progress"
        elif mine:
            status = "finished"
        else:
            status = "not_started"
        counts = cells.get(("student", str(student.pk)), Counts())
        label = f"#{number}" if projector else student.display_name
        answered, right = _answered(counts, feed=feed)
        rows.append(LiveStudent(label, status, answered, right, counts.points_sum))
    live_items = [
        LiveItem(
            item.position,
            item.kind,
            *_answered(cells.get(("item", str(item.pk)), Counts()), feed=feed),
        )
        for item in items
    ]
    # Assigned practice has no rounds of its own: each student plays the goal's number.
    practice = assignment.quiz.mode == Quiz.Mode.PRACTICE
    goal = getattr(assignment.quiz, "practice_goal", None) if practice else None
    return LiveView(
        students=rows,
        items=live_items,
        total_items=goal.rounds if goal is not None else len(items),
        started=sum(1 for r in rows if r.status != "not_started"),
        finished=sum(1 for r in rows if r.status == "finished"),
        overall=summarize(cells.get(("overall", ""), Counts())),
    )


# --- Report ----------------------------------------------------------------------------


@dataclass
class StudentReport:
    student: User
    answers: list[Answer] = field(default_factory=list)
    missed: Counter[str] = field(default_factory=Counter)
    counts: Counts = field(default_factory=Counts)

    @property
    def summary(self) -> Summary:
        return summarize(self.counts)

    @property
    def missed_categories(self) -> list[tuple[categories.Category, int]]:
        return [(categories.BY_CODE[code], n) for code, n in self.missed.most_common()]


@dataclass
class ItemReport:
    item: QuizItem
    choices: Counter[str] = field(default_factory=Counter)
    confidences: list[int] = field(default_factory=list)
    correct: int = 0

    @property
    def n(self) -> int:
        return len(self.confidences)

    @property
    def difficulty(self) -> float | None:
        """Proportion correct (METRICS.md: item difficulty)."""
        return self.correct / self.n if self.n else None

    @property
    def confidence_range(self) -> tuple[int, int] | None:
        return (min(self.confidences), max(self.confidences)) if self.confidences else None

    @property
    def mean_confidence(self) -> float | None:
        return sum(self.confidences) / self.n / 100 if self.confidences else None

    def option_rows(self) -> list[tuple[str, int, bool]]:
        labels = dict(Answer.Guess.choices)
        right = self.item.correct_option()
        return [(str(labels[o]), self.choices[o], o == right) for o in self.item.options()]


@dataclass
class CategoryReport:
    category: categories.Category
    n: int = 0
    correct: int = 0
    # Spot rounds on clips with this giveaway: answers and spot hits.
    spot_n: int = 0
    spot_hits: int = 0

    @property
    def rate(self) -> float | None:
        return self.correct / self.n if self.n else None

    @property
    def spot_rate(self) -> float | None:
        return self.spot_hits / self.spot_n if self.spot_n else None


@dataclass(frozen=True)
class AssignmentReport:
    students: list[StudentReport]
    items: list[ItemReport]
    categories: list[CategoryReport]
    overall: Summary


def assignment_answers(assignment: Assignment) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(attempt__assignment=assignment)
        .select_related("attempt__user", "item__clip", "item__other_clip")
        .order_by(
            "attempt__user__first_name", "attempt__user__username", "attempt_id", "item__position"
        )
    )


def _clip_categories(answers: list[Answer]) -> dict[int, set[str]]:
    clip_ids = {a.item.clip_id for a in answers} | {
        a.item.other_clip_id for a in answers if a.item.other_clip_id
    }
    found: dict[int, set[str]] = defaultdict(set)
    for clip_id, code in Artifact.objects.filter(clip_id__in=clip_ids).values_list(
        "clip_id", "category"
    ):
        found[clip_id].add(code)
    return found


def _spot_artifacts(answers: list[Answer]) -> dict[int, list[Artifact]]:
    """The artifacts of the spot rounds' clips by clip id (one query, none without spot
    rounds)."""
    clip_ids = {a.item.clip_id for a in answers if a.item.is_spot}
    found: dict[int, list[Artifact]] = defaultdict(list)
    if clip_ids:
        for artifact in Artifact.objects.filter(clip_id__in=clip_ids):
            found[artifact.clip_id].append(artifact)
    return found


def assignment_report(assignment: Assignment) -> AssignmentReport:
    return answers_report(
        list(assignment_answers(assignment)),
        roster=assignment.classroom.students.order_by("first_name", "username"),
        quiz=assignment.quiz,
    )


def answers_report(
    answers: list[Answer], *, roster: Iterable[User], quiz: Quiz
) -> AssignmentReport:
    """The report of `answers` to `quiz`'s rounds: by student (each of `roster`, and anyone
    else who answered), by round and by giveaway. An assignment's, or a live game's
    (quiz.selectors.live.game_report)."""
    by_clip = _clip_categories(answers)
    students = {s.pk: StudentReport(s) for s in roster}
    items = {
        i.pk: ItemReport(i)
        for i in quiz.items.select_related("clip", "other_clip").order_by("position")
    }
    per_category = {c.code: CategoryReport(c) for c in categories.TELLS}
    spot_artifacts = _spot_artifacts(answers)
    total = Counts()
    for answer in answers:
        report = students.setdefault(answer.attempt.user_id, StudentReport(answer.attempt.user))
        report.answers.append(answer)
        counts = answer_counts_of(answer)
        report.counts = report.counts + counts
        total = total + counts
        # Assigned practice has no rounds of its own (each student's set is theirs): its
        # report has no "by round" table.
        item_report = items.get(answer.item_id)
        if item_report is not None:
            item_report.choices[answer.guess] += 1
            item_report.confidences.append(answer.confidence)
            item_report.correct += int(answer.is_correct)
        generated = answer.item.generated_clip()
        if answer.item.is_spot:
            # Mark against truth, for the report (a spot round is no real-or-generated call).
            answer.spot_result = spot_feedback(answer, spot_artifacts.get(answer.item.clip_id, []))
            for code in by_clip.get(generated.pk, ()):
                if code in per_category:
                    per_category[code].spot_n += 1
                    per_category[code].spot_hits += int(answer.is_correct)
        elif generated.is_generated:
            for code in by_clip.get(generated.pk, ()):
                if code in per_category:
                    per_category[code].n += 1
                    per_category[code].correct += int(answer.is_correct)
                    if not answer.is_correct:
                        report.missed[code] += 1
    return AssignmentReport(
        students=list(students.values()),
        items=list(items.values()),
        categories=[c for c in per_category.values() if c.n or c.spot_n],
        overall=summarize(total),
    )


# --- CSV -------------------------------------------------------------------------------
# Rounds and pair sides are named as in the quiz (`round` = position, "a" = the item's clip),
# the same for every student; how each student saw them follows at the end of a row
# (docs/exports.md).

ANSWER_COLUMNS = (
    "assignment_id",
    "class",
    "quiz",
    "student_username",
    "student_name",
    "attempt_id",
    "round",
    "item_kind",
    "clip_a_id",
    "clip_b_id",
    "truth",
    "answer",
    "confidence",
    "correct",
    "points",
    "answered_at",
    "played_round",
    "sides_swapped",
    "spot_x",
    "spot_y",
    "spot_s",
)
STUDENT_COLUMNS = (
    "assignment_id",
    "class",
    "quiz",
    "student_username",
    "student_name",
    "attempts",
    "finished_attempts",
    "answers",
    "correct",
    "accuracy",
    "points",
    "mean_confidence",
    "brier",
    "hits",
    "misses",
    "false_alarms",
    "correct_rejections",
    "pairs",
    "pairs_correct",
    "categories_missed",
    "spot_answers",
    "spot_hits",
)


def answer_rows(assignment: Assignment) -> list[list[object]]:
    rows = []
    for a in assignment_answers(assignment):
        rows.append(
            [
                assignment.pk,
                assignment.classroom.name,
                assignment.quiz.title,
                a.attempt.user.username,
                a.attempt.user.display_name,
                a.attempt_id,
                a.item.position,
                a.item.kind,
                a.item.clip_id,
                a.item.other_clip_id or "",
                a.item.correct_option(),
                a.guess,
                # A feed asks no confidence (stored as 50): left empty, never shown as 50.
                "" if a.item.kind == QuizItem.Kind.FEED else a.confidence,
                int(a.is_correct),
                a.points,
                a.created_at.isoformat(),
                a.position,
                int(a.swapped) if a.item.is_pair else "",
                # A spot round's mark: where (0..1 of the frame) and when (s); `correct` is
                # whether it was a spot hit.
                "" if a.spot_x is None else a.spot_x / 1000,
                "" if a.spot_y is None else a.spot_y / 1000,
                "" if a.spot_ms is None else a.spot_ms / 1000,
            ]
        )
    return rows


def _figure(value: float | None, digits: int = 4) -> object:
    return "" if value is None else round(value, digits)


def student_rows(assignment: Assignment) -> list[list[object]]:
    report = assignment_report(assignment)
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in Attempt.objects.filter(assignment=assignment):
        attempts[attempt.user_id].append(attempt)
    rows = []
    for s in report.students:
        summary = s.summary
        mine = attempts.get(s.student.pk, [])
        rows.append(
            [
                assignment.pk,
                assignment.classroom.name,
                assignment.quiz.title,
                s.student.username,
                s.student.display_name,
                len(mine),
                sum(1 for a in mine if a.finished_at),
                summary.n,
                summary.correct,
                _figure(summary.accuracy),
                summary.points,
                _figure(summary.mean_confidence),
                _figure(summary.brier),
                summary.hits,
                summary.misses,
                summary.false_alarms,
                summary.correct_rejections,
                summary.pair_n,
                summary.pair_correct,
                " ".join(code for code, _n in s.missed.most_common()),
                summary.spot_n,
                summary.spot_hits,
            ]
        )
    return rows
