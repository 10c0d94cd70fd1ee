"""What a student's pages read: quizzes and assignments to play, the next round, feedback
artifacts, an attempt's summary and the student's progress (from the aggregate tables)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from accounts.models import User
from quiz import categories
from quiz.models import (
    Answer,
    Artifact,
    Assignment,
    Attempt,
    Quiz,
    QuizItem,
    StatCell,
)
from quiz.stats.metrics import (
    CONFIDENCE_BINS,
    Counts,
    Summary,
    answer_counts,
    confidence_bin,
    summarize,
)


def quizzes_playable_by(user: User) -> QuerySet[Quiz]:
    """Quizzes the user may play: for now the public ones (assignments come with classes)."""
    return Quiz.objects.filter(is_public=True).annotate(item_count=Count("items"))


def assignments_for_student(user: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(classroom__students=user)
        .select_related("quiz", "classroom")
        .annotate(
            attempts_used=Count("attempts", filter=Q(attempts__user=user), distinct=True),
            attempts_finished=Count(
                "attempts",
                filter=Q(attempts__user=user, attempts__finished_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("due_at")
    )


def results_withheld_until(user: User, now: datetime) -> datetime | None:
    """The latest due time of a running test the user has answered in, if any."""
    return (
        Assignment.objects.filter(
            attempts__user=user,
            attempts__answers__isnull=False,
            feedback=Assignment.Feedback.AFTER_DUE,
            due_at__gt=now,
        )
        .order_by("-due_at")
        .values_list("due_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    status: str  # upcoming, open, in_progress, done, closed
    can_start: bool
    attempts_left: int


def student_assignment_rows(user: User, now: datetime) -> list[AssignmentRow]:
    rows = []
    for a in assignments_for_student(user):
        in_progress = a.attempts_used > a.attempts_finished
        left = max(0, a.attempts_allowed - a.attempts_used)
        if now < a.opens_at:
            status = "upcoming"
        elif now >= a.due_at:
            status = "closed"
        elif in_progress:
            status = "in_progress"
        elif a.attempts_finished:
            status = "done"
        else:
            status = "open"
        can_start = a.is_open(now) and (in_progress or left > 0)
        rows.append(AssignmentRow(a, status, can_start, left))
    return rows


def attempt_items(attempt: Attempt) -> QuerySet[QuizItem]:
    return (
        attempt.quiz.items.select_related("clip", "other_clip")
        .annotate(answered=Exists(Answer.objects.filter(attempt=attempt, item=OuterRef("pk"))))
        .order_by("position")
    )


def attempt_next_item(attempt: Attempt) -> QuizItem | None:
    return attempt_items(attempt).filter(answered=False).first()


@dataclass(frozen=True)
class AttemptProgress:
    answered: int
    total: int
    points: int
    # The round on screen: the next one to answer, or the one whose feedback is shown.
    round_number: int


def attempt_progress(attempt: Attempt, *, showing: QuizItem | None = None) -> AttemptProgress:
    totals = attempt.answers.aggregate(answered=Count("id"), points=Sum("points"))
    total = attempt.quiz.items.count()
    if showing is not None:
        round_number = attempt.quiz.items.filter(position__lte=showing.position).count()
    else:
        round_number = min(totals["answered"] + 1, total)
    return AttemptProgress(
        answered=totals["answered"],
        total=total,
        points=totals["points"] or 0,
        round_number=round_number,
    )


def item_artifacts(item: QuizItem) -> dict[int, list[Artifact]]:
    """Artifacts of the item's clip(s), by clip id, in time order."""
    clip_ids = [item.clip_id] + ([item.other_clip_id] if item.other_clip_id else [])
    found: dict[int, list[Artifact]] = {clip_id: [] for clip_id in clip_ids}
    for artifact in Artifact.objects.filter(clip_id__in=clip_ids):
        found[artifact.clip_id].append(artifact)
    return found


@dataclass(frozen=True)
class CalibrationBin:
    low: int
    high: int
    n: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class MissedCategory:
    category: categories.Category
    missed: int
    seen: int


@dataclass(frozen=True)
class AttemptSummary:
    summary: Summary
    calibration: list[CalibrationBin]
    # Tells on generated clips that were not caught, and decoys on real clips that fooled.
    missed_categories: list[MissedCategory]
    fooled_by: list[MissedCategory]


def _calibration(bins: dict[int, Counts]) -> list[CalibrationBin]:
    result = []
    for low, high in CONFIDENCE_BINS:
        c = bins.get(low, Counts())
        result.append(
            CalibrationBin(
                low=low,
                high=high,
                n=c.n,
                mean_confidence=c.confidence_sum / 100 / c.n if c.n else None,
                accuracy=c.correct / c.n if c.n else None,
            )
        )
    return result


def attempt_summary(attempt: Attempt) -> AttemptSummary:
    """Figures for one attempt, computed from its own answers (a handful of rows)."""
    answers = list(attempt.answers.select_related("item__clip", "item__other_clip"))
    total = Counts()
    bins: dict[int, Counts] = {}
    for answer in answers:
        c = answer_counts_of(answer)
        total = total + c
        low = confidence_bin(answer.confidence)
        bins[low] = bins.get(low, Counts()) + c
    return AttemptSummary(
        summarize(total),
        _calibration(bins),
        missed_categories=_missed(answers, tells=True),
        fooled_by=_missed(answers, tells=False),
    )


def _missed(answers: list[Answer], *, tells: bool) -> list[MissedCategory]:
    """Categories on the clips answered wrongly: tells of generated clips that were not
    caught (tells=True), or decoys of real clips called fake in single rounds (False)."""
    clips = {
        a.item.generated_clip().pk if tells else a.item.clip_id: a
        for a in answers
        if tells or (not a.item.is_pair and not a.item.clip.is_generated)
    }
    codes = categories.TELL_CODES if tells else categories.DECOY_CODES
    by_clip: dict[int, set[str]] = {}
    for clip_id, code in Artifact.objects.filter(clip_id__in=clips, category__in=codes).values_list(
        "clip_id", "category"
    ):
        by_clip.setdefault(clip_id, set()).add(code)
    seen: dict[str, int] = {}
    missed: dict[str, int] = {}
    for clip_id, answer in clips.items():
        for code in by_clip.get(clip_id, ()):
            seen[code] = seen.get(code, 0) + 1
            if not answer.is_correct:
                missed[code] = missed.get(code, 0) + 1
    return sorted(
        (MissedCategory(categories.BY_CODE[code], n, seen[code]) for code, n in missed.items()),
        key=lambda m: (-m.missed, m.category.code),
    )


def answer_counts_of(answer: Answer) -> Counts:
    """The counts one stored answer adds (its item and clip loaded)."""
    return answer_counts(
        is_pair=answer.item.is_pair,
        clip_is_generated=answer.item.clip.is_generated,
        guess=answer.guess,
        confidence_pct=answer.confidence,
        is_correct=answer.is_correct,
        points=answer.points,
    )


@dataclass(frozen=True)
class CategoryProgress:
    category: categories.Category
    counts: Counts

    @property
    def rate(self) -> float | None:
        """Share right on clips carrying the category (tells: caught; decoys: not fooled)."""
        return self.counts.correct / self.counts.n if self.counts.n else None


@dataclass(frozen=True)
class UserProgress:
    summary: Summary
    calibration: list[CalibrationBin]
    tells: list[CategoryProgress]
    decoys: list[CategoryProgress]
    to_practise: list[CategoryProgress]


def user_progress(user: User) -> UserProgress:
    """The learner's own figures, read from the aggregate tables (one query)."""
    overall = Counts()
    bins: dict[int, Counts] = {}
    per_category: dict[str, Counts] = {}
    for cell in StatCell.objects.filter(
        scope=StatCell.Scope.USER,
        scope_id=user.pk,
        dimension__in=["overall", "conf_bin", "category"],
    ):
        counts = Counts.from_mapping(cell.counts())
        if cell.dimension == "overall":
            overall = counts
        elif cell.dimension == "conf_bin":
            bins[int(cell.key)] = counts
        elif cell.key in categories.BY_CODE:
            per_category[cell.key] = counts
    tells = [
        CategoryProgress(c, per_category[c.code])
        for c in categories.TELLS
        if c.code in per_category
    ]
    decoys = [
        CategoryProgress(c, per_category[c.code])
        for c in categories.DECOYS
        if c.code in per_category
    ]
    # The weakest tells and decoys, worst first: what a learner should look at next.
    to_practise = sorted(
        (p for p in tells + decoys if p.rate is not None and p.rate < 0.75),
        key=lambda p: (p.rate, p.category.code),
    )[:4]
    return UserProgress(summarize(overall), _calibration(bins), tells, decoys, to_practise)
