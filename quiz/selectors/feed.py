"""Reads for feeds: the pools they draw from, the clip on screen, the end-of-feed results and
the home page's offer.

During play a page holds the one clip on screen, under the attempt's own media names
(quiz.selectors.play.round_clip), with nothing about its truth: not the count of generated
clips, not their order, not a name that repeats across attempts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from quiz.models import Answer, Artifact, Attempt, Clip, FeedSettings, Quiz
from quiz.selectors.held import attempt_closed_for_now
from quiz.selectors.play import ShownRound, attempt_layout, attempt_next_round, round_clip
from quiz.stats.metrics import Counts, Summary, answer_counts, summarize

# What a teacher may choose (quiz.forms.feed) and the practice feed's defaults.
MIN_LENGTH = 10
MAX_LENGTH = 40
MIN_PERCENT = 10
MAX_PERCENT = 30
DEFAULT_PERCENT = 20
SECONDS_CHOICES = (3, 5, 8)
DEFAULT_SECONDS = 5
PRACTICE_LENGTH = 20


def generated_count(length: int, percent: int) -> int:
    """round(share x length), half rounded up, in exact integer arithmetic (20 clips at
    10 % are 2, 25 clips at 10 % are 3 (2.5), 15 clips at 30 % are 5 (4.5))."""
    return (length * percent + 50) // 100


@dataclass(frozen=True)
class PoolSize:
    generated: int
    real: int

    def longest_feed(self, percent: int, *, at_most: int = MAX_LENGTH) -> int:
        """The longest feed this pool holds at `percent` (0 if not even MIN_LENGTH)."""
        for length in range(at_most, MIN_LENGTH - 1, -1):
            wanted = generated_count(length, percent)
            if wanted <= self.generated and length - wanted <= self.real:
                return length
        return 0


def teacher_pool(teacher: User) -> QuerySet[Clip]:
    """The clips a teacher's feed draws from: their library's clips in use, none kept for
    tests (a feed is for learning; those clips stay fresh for tests)."""
    return Clip.objects.visible_to(teacher).in_use().filter(kept_for_tests=False)


def pool_size(pool: QuerySet[Clip]) -> PoolSize:
    """How many generated and real clips a pool holds (one query)."""
    found = pool.aggregate(
        generated=Count("pk", filter=Q(is_generated=True)),
        real=Count("pk", filter=Q(is_generated=False)),
    )
    return PoolSize(found["generated"] or 0, found["real"] or 0)


def practice_feed_open(student: User) -> Attempt | None:
    """The student's practice feed still being played, if any, and not closed to them for
    now (attempt_closed_for_now: begun before a test that shares its clips was set, it
    waits for that test's due time, and practice starts a new feed meanwhile)."""
    open_feeds = (
        Attempt.objects.for_user(student)
        .unfinished()
        .filter(quiz__mode=Quiz.Mode.FEED, quiz__created_by=student, assignment__isnull=True)
        .select_related("quiz")
        .order_by("-pk")
    )
    for attempt in open_feeds[:3]:
        if not attempt_closed_for_now(attempt, student):
            return attempt
    return None


def feed_settings(quiz: Quiz) -> FeedSettings:
    """The feed's settings; a feed made without them plays at the defaults."""
    found = FeedSettings.objects.filter(quiz=quiz).first()
    if found is None:
        return FeedSettings(
            quiz=quiz,
            seconds=DEFAULT_SECONDS,
            generated_percent=DEFAULT_PERCENT,
        )
    return found


@dataclass(frozen=True)
class FeedPosition:
    """The clip on screen: its round (with the clip loaded), its place and the total."""

    shown: ShownRound
    number: int
    total: int


def feed_current(attempt: Attempt) -> FeedPosition | None:
    """The first clip of the attempt's order not answered yet; None when all are."""
    shown = attempt_next_round(attempt)
    if shown is None:
        return None
    total = attempt.quiz.items.count()
    return FeedPosition(shown=shown, number=shown.number, total=total)


@dataclass(frozen=True)
class FeedClipResult:
    """One clip of a finished feed, in the attempt's order, with its truth."""

    number: int
    answer: Answer
    clip: Clip
    poster: str  # the attempt's name of its poster ("" if none)
    media: str  # the attempt's name of its media
    artifacts: list[Artifact]

    @property
    def flagged(self) -> bool:
        return self.answer.guess == Answer.Guess.GENERATED

    @property
    def generated(self) -> bool:
        """The truth as graded when the answer was stored (as the statistics read it)."""
        return self.flagged == self.answer.is_correct

    @property
    def media_id(self) -> str:
        return f"feed-result-{self.number}"


@dataclass(frozen=True)
class FeedResults:
    counts: Counts
    summary: Summary
    # What they flagged and what they missed, then the rest (in the attempt's order).
    missed: list[FeedClipResult]  # generated, not flagged
    false_alarms: list[FeedClipResult]  # real, flagged
    caught: list[FeedClipResult]  # generated, flagged
    passed: list[FeedClipResult]  # real, not flagged

    @property
    def generated(self) -> int:
        return self.counts.hits + self.counts.misses

    @property
    def real(self) -> int:
        return self.counts.false_alarms + self.counts.correct_rejections

    @property
    def total(self) -> int:
        return self.generated + self.real

    @property
    def flagged(self) -> int:
        return self.counts.hits + self.counts.false_alarms

    @property
    def base_rate(self) -> float | None:
        return self.generated / self.total if self.total else None

    @property
    def lean(self) -> str | None:
        """Which way the answers lean, in the plain words of the summary: "real" when a
        bigger share of the fakes got through than of the real clips was flagged, "fake" the
        other way round, each only where the bias c (the figure researchers read, with its
        correction for few clips) says the same beyond 0.1; else None."""
        c = self.summary.criterion
        if c is None or self.missed_share is None or self.flagged_share is None:
            return None
        if c > 0.1 and self.missed_share > self.flagged_share:
            return "real"
        if c < -0.1 and self.flagged_share > self.missed_share:
            return "fake"
        return None

    @property
    def missed_share(self) -> float | None:
        """The share of the generated clips that got through unflagged."""
        return self.counts.misses / self.generated if self.generated else None

    @property
    def flagged_share(self) -> float | None:
        """The share of the real clips flagged (false alarms)."""
        return self.counts.false_alarms / self.real if self.real else None


def feed_results(attempt: Attempt) -> FeedResults:
    """A finished feed's answers with their clips and giveaways, and its counts (four
    queries: the layout, the answers with their clips, the artifacts)."""
    layout = attempt_layout(attempt)
    answers = list(attempt.answers.select_related("item__clip"))
    artifacts: dict[int, list[Artifact]] = {a.item.clip_id: [] for a in answers}
    for artifact in Artifact.objects.filter(clip_id__in=list(artifacts)):
        artifacts[artifact.clip_id].append(artifact)
    counts = Counts()
    rows: list[FeedClipResult] = []
    for answer in answers:
        clip = answer.item.clip
        counts = counts + answer_counts(
            is_pair=False,
            clip_is_generated=(answer.guess == Answer.Guess.GENERATED) == answer.is_correct,
            guess=answer.guess,
            confidence_pct=answer.confidence,
            is_correct=answer.is_correct,
            points=answer.points,
            is_feed=True,
        )
        served = round_clip(attempt.pk, answer.item, "clip")
        rows.append(
            FeedClipResult(
                number=layout.number_of(answer.item_id),
                answer=answer,
                clip=clip,
                poster=served.poster,
                media=served.media,
                artifacts=artifacts[clip.pk],
            )
        )
    rows.sort(key=lambda r: r.number)
    return FeedResults(
        counts=counts,
        summary=summarize(counts),
        missed=[r for r in rows if r.generated and not r.flagged],
        false_alarms=[r for r in rows if not r.generated and r.flagged],
        caught=[r for r in rows if r.generated and r.flagged],
        passed=[r for r in rows if not r.generated and not r.flagged],
    )


@dataclass(frozen=True)
class FeedHome:
    """What the student's home offers: a practice feed to resume, or whether one can start."""

    open_attempt: Attempt | None
    can_start: bool


def feed_home(student: User) -> FeedHome:
    """Two queries: the open practice feed, and the pool's size when there is none."""
    open_attempt = practice_feed_open(student)
    if open_attempt is not None:
        return FeedHome(open_attempt, True)
    size = pool_size(Clip.objects.for_learning(student))
    return FeedHome(None, bool(size.longest_feed(DEFAULT_PERCENT)))
