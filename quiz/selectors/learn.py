"""What the lessons read (issue 14 §2): which lessons a learner's pool of clips can teach, the
worked examples and real decoy of a lesson, its immediate check, and the learner's mastery of
each giveaway category (from their own aggregate cells).

Everything is drawn from one pool, Clip.objects.for_learning(user): the clips the learning
modes may show, never a clip kept for tests. A lesson's examples and its check never share a
clip: the check is planned from what the examples leave (plan_lesson), and once a check
exists the examples are whatever its clips leave.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from hmac import compare_digest
from pathlib import PurePosixPath

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quiz import categories, lessons
from quiz.keys import keyed_hmac
from quiz.media.files import replay_poster_name
from quiz.models import Artifact, Clip, LessonCheck, Quiz, QuizItem, StatCell
from quiz.packs.format import source_family
from quiz.selectors.builder import ClipInfo, clip_categories
from quiz.selectors.play import results_withheld_until
from quiz.services.builder import rank_partners
from quiz.stats.metrics import proportion, wilson_interval

# A lesson shows 2–3 worked examples; it needs one more annotated generated clip of its
# category for the check's spot round, so that the check tests the category itself.
MIN_EXAMPLES = 2
MAX_EXAMPLES = 3
MIN_TOPIC_CLIPS = MIN_EXAMPLES + 1
# Three examples only when that still leaves two clips of the category for the check.
THREE_EXAMPLES_FROM = MAX_EXAMPLES + 2
CHECK_ROUNDS = 4
# Of them: one spot round, one pair, and two single rounds.
SINGLE_ROUNDS = 2

Round = tuple[str, int, int | None]


# --- Mastery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mastery:
    """A learner's record on one category: single and pair rounds whose clips carried it
    (answers, right, the share right and its Wilson 95 % interval), and spot rounds apart,
    as METRICS.md counts them."""

    code: str
    name: str
    answers: int
    right: int
    estimate: float | None
    interval: tuple[float, float] | None
    spot_answers: int = 0
    spot_hits: int = 0
    # While a test the learner has answered in holds back its results (feedback after the
    # due date), until then: their figures would move with each of its answers.
    hidden_until: datetime | None = None


def category_mastery(user: User, codes: Iterable[str] | None = None) -> dict[str, Mastery]:
    """The learner's mastery of each category in `codes` (default: every tell, in the table's
    order), from their own user-scope category cells: two queries, however many categories;
    none for a visitor. A category without answers has estimate and interval None.

    While a test the learner answered in withholds its results (results_withheld_until),
    every category is hidden, without figures: a bar that moved after each answer of the
    test would tell right from wrong before the due date."""
    wanted = [c.code for c in categories.TELLS] if codes is None else list(codes)
    cells: dict[str, tuple[int, int, int, int]] = {}
    hidden_until = (
        results_withheld_until(user, timezone.now()) if user.is_authenticated and wanted else None
    )
    if hidden_until is not None:
        return {
            code: Mastery(
                code, categories.BY_CODE[code].name, 0, 0, None, None, hidden_until=hidden_until
            )
            for code in wanted
        }
    if user.is_authenticated and wanted:
        cells = {
            key: (n, correct, spot_n, spot_hits)
            for key, n, correct, spot_n, spot_hits in StatCell.objects.filter(
                scope=StatCell.Scope.USER,
                scope_id=user.pk,
                dimension=StatCell.Dimension.CATEGORY,
                key__in=wanted,
            ).values_list("key", "n", "correct", "spot_n", "spot_hits")
        }
    found = {}
    for code in wanted:
        n, correct, spot_n, spot_hits = cells.get(code, (0, 0, 0, 0))
        found[code] = Mastery(
            code=code,
            name=categories.BY_CODE[code].name,
            answers=n,
            right=correct,
            estimate=proportion(correct, n),
            interval=wilson_interval(correct, n),
            spot_answers=spot_n,
            spot_hits=spot_hits,
        )
    return found


# --- Planning (pure) ------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonPlan:
    """What a lesson shows from one pool: its worked examples and real decoy (clip ids), and
    either the check that exists (`check_quiz_id`) or the rounds of the check to create."""

    code: str
    topic_count: int  # annotated generated clips of the category in the pool
    examples: tuple[int, ...] = ()
    decoy: int | None = None
    rounds: tuple[Round, ...] = ()
    check_quiz_id: int | None = None

    @property
    def needed(self) -> int:
        """The fewest annotated generated clips of the category a lesson needs."""
        return MIN_TOPIC_CLIPS

    @property
    def available(self) -> bool:
        """Enough clips for the lesson: 2+ examples and a check (existing or plannable)."""
        has_check = self.check_quiz_id is not None or len(self.rounds) == CHECK_ROUNDS
        return len(self.examples) >= MIN_EXAMPLES and has_check


def _topic(code: str, infos: list[ClipInfo]) -> list[ClipInfo]:
    return [i for i in infos if i.is_generated and code in i.categories]


def _reals_ranked(code: str, infos: list[ClipInfo]) -> list[ClipInfo]:
    """Real clips, those with a decoy that looks like this giveaway first, then other
    annotated ones (they teach false alarms), then the rest; oldest first within each."""
    related = set(lessons.LESSONS[code].decoys)
    reals = [i for i in infos if not i.is_generated]
    return sorted(reals, key=lambda i: (not (i.categories & related), not i.categories, i.id))


def plan_lesson(
    code: str, infos: list[ClipInfo], *, taken: frozenset[int] | None = None
) -> LessonPlan:
    """The lesson on `code` from the pool `infos` (ordered by id).

    With `taken` (the clips of a check that exists) the examples and the decoy come from the
    other clips, and no rounds are planned. Otherwise the oldest annotated generated clips of
    the category are the examples and the check is planned from the rest, so adding clips to
    the library does not change a lesson: a spot round on a further clip of the category, a
    pair, and two single rounds, each generated (clips of the category first, then other
    generated ones) or real (decoy-annotated real clips first) by a coin (_single_coin),
    never reusing a clip.
    """
    topic = _topic(code, infos)
    reals = _reals_ranked(code, infos)
    related = set(lessons.LESSONS[code].decoys)
    if taken is not None:
        examples = tuple(i.id for i in topic if i.id not in taken)[:MAX_EXAMPLES]
        decoy = next((i.id for i in reals if i.id not in taken and i.categories & related), None)
        return LessonPlan(code, len(topic), examples, decoy)
    if len(topic) < MIN_TOPIC_CLIPS:
        return LessonPlan(code, len(topic))
    count = MAX_EXAMPLES if len(topic) >= THREE_EXAMPLES_FROM else MIN_EXAMPLES
    decoy_info = next((i for i in reals if i.categories & related), None)
    decoy = decoy_info.id if decoy_info else None
    # The check's spot round: the first clip after the examples that a spot round can show,
    # else the first that can (a clip with a giveaway as large as the frame cannot be
    # missed), and the examples are the oldest of the others.
    spot = next((i for i in topic[count:] if i.spot_ready), None) or next(
        (i for i in topic if i.spot_ready), None
    )
    examples = tuple(i.id for i in topic if spot is None or i.id != spot.id)[:count]
    if spot is None:
        return LessonPlan(code, len(topic), examples, decoy)
    used = set(examples) | ({decoy} if decoy else set()) | {spot.id}
    rest = [i for i in topic if i.id not in used]
    rounds: list[Round] = [("spot", spot.id, None)]
    generated = rest + [i for i in infos if i.is_generated and code not in i.categories]
    free_reals = [r for r in reals if r.id not in used]
    pair = _pair(generated, free_reals, used)
    if pair is not None:
        rounds.append(pair)
        used.update((pair[1], pair[2]))
    # The two single rounds: each generated or real by a coin of its own (drawn from the
    # site's secret, so the same pool plans the same check). Always one of each would let a
    # learner who has seen one single's truth answer the other without looking.
    for index in range(SINGLE_ROUNDS):
        wants_generated = _single_coin(code, spot.id, index)
        sources = (generated, free_reals) if wants_generated else (free_reals, generated)
        single = next((c for source in sources for c in source if c.id not in used), None)
        if single is not None:
            rounds.append(("single", single.id, None))
            used.add(single.id)
    if len(rounds) != CHECK_ROUNDS:
        return LessonPlan(code, len(topic), examples, decoy)
    return LessonPlan(code, len(topic), examples, decoy, tuple(rounds))


def _single_coin(code: str, spot_id: int, index: int) -> bool:
    """Whether the check's single round number `index` wants a generated clip: a fair coin,
    the same for the same lesson and pool, that nobody without the site's secret can call."""
    digest = keyed_hmac("quiz.learn.check", f"{code}:{spot_id}:{index}").digest()
    return bool(digest[0] & 1)


def _pair(
    generated: list[ClipInfo], reals: list[ClipInfo], used: set[int]
) -> tuple[str, int, int] | None:
    """The first generated clip with a real partner of its media kind, most alike first (same
    source, shared categories, same size: told apart by the giveaway, not by the look)."""
    for clip in generated:
        if clip.id in used:
            continue
        partners = rank_partners(clip, ((r, r) for r in reals if r.id not in used))
        if partners:
            return ("pair", clip.id, partners[0].id)
    return None


# --- Reading a pool -------------------------------------------------------------------------


def pool_infos(pool: QuerySet[Clip]) -> list[ClipInfo]:
    """The pool's clips with their artifact categories, ordered by id (two queries)."""
    rows = list(
        pool.order_by("id").values_list(
            "id", "is_generated", "media_kind", "credit", "width", "height"
        )
    )
    codes, whole = clip_categories(row[0] for row in rows)
    return [
        ClipInfo(
            clip_id,
            is_generated,
            media_kind,
            codes.get(clip_id, frozenset()),
            None,
            source_family(credit),
            (width, height) if width and height else None,
            whole_frame_giveaway=clip_id in whole,
        )
        for clip_id, is_generated, media_kind, credit, width, height in rows
    ]


@dataclass(frozen=True)
class CheckInfo:
    quiz_id: int
    clip_ids: frozenset[int]


def _checks_of(user: User, owner: User | None) -> QuerySet[LessonCheck]:
    """The checks of the user's pool: their school's shared ones, or the owner's own."""
    if owner is not None:
        return LessonCheck.objects.filter(quiz__created_by=owner)
    return LessonCheck.objects.filter(quiz__created_by__isnull=True, school_id=user.school_id)


def current_checks(
    user: User, owner: User | None = None, codes: Iterable[str] | None = None
) -> dict[str, CheckInfo]:
    """The newest check of each category for the user's pool (one query)."""
    checks = _checks_of(user, owner)
    if codes is not None:
        checks = checks.filter(category__in=list(codes))
    rows = checks.order_by("category", "-created_at", "-quiz_id").values_list(
        "category", "quiz_id", "quiz__items__clip_id", "quiz__items__other_clip_id"
    )
    found: dict[str, tuple[int, set[int]]] = {}
    for code, quiz_id, clip_id, other_id in rows:
        newest = found.setdefault(code, (quiz_id, set()))
        if newest[0] != quiz_id:
            continue  # an older check of the category
        newest[1].update(i for i in (clip_id, other_id) if i is not None)
    return {code: CheckInfo(q, frozenset(ids)) for code, (q, ids) in found.items()}


def resolve_plan(code: str, infos: list[ClipInfo], check: CheckInfo | None) -> LessonPlan:
    """The lesson as it stands: around its current check while every clip of that check is
    still in the pool and leaves enough examples; otherwise a fresh plan (whose check the
    service creates when someone starts it)."""
    if check is not None and check.clip_ids and check.clip_ids <= {i.id for i in infos}:
        plan = plan_lesson(code, infos, taken=check.clip_ids)
        if len(plan.examples) >= MIN_EXAMPLES:
            return LessonPlan(code, plan.topic_count, plan.examples, plan.decoy, (), check.quiz_id)
    return plan_lesson(code, infos)


def lesson_plan(user: User, code: str, *, owner: User | None = None) -> LessonPlan:
    """The plan of one lesson for the user's pool (four queries)."""
    infos = pool_infos(Clip.objects.for_learning(user))
    return resolve_plan(code, infos, current_checks(user, owner, [code]).get(code))


# --- Pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonRow:
    """One lesson in a list: its text, how many annotated clips the pool has for it, whether
    it can be taught, and the learner's mastery."""

    lesson: lessons.Lesson
    plan: LessonPlan
    mastery: Mastery | None = None

    @property
    def category(self) -> categories.Category:
        return self.lesson.category


def lesson_rows(user: User, *, owner: User | None = None, mastery: bool = False) -> list[LessonRow]:
    """Every lesson for the user's pool, in the table's order: three queries (five with
    mastery), however many lessons and clips."""
    infos = pool_infos(Clip.objects.for_learning(user))
    checks = current_checks(user, owner)
    masteries = category_mastery(user) if mastery else {}
    return [
        LessonRow(lesson, resolve_plan(code, infos, checks.get(code)), masteries.get(code))
        for code, lesson in lessons.LESSONS.items()
    ]


def student_lessons(user: User) -> list[LessonRow]:
    """The lessons a learner may open (those with enough clips), with their mastery."""
    return [row for row in lesson_rows(user, mastery=True) if row.plan.available]


@dataclass(frozen=True)
class Example:
    """A clip shown as a teaching example (a lesson shows its truth on purpose): its media
    under the learner's own names (LessonClip), its artifacts with the lesson's category
    first."""

    clip: Clip
    served: LessonClip
    artifacts: list[Artifact] = field(default_factory=list)
    other_giveaways: bool = False


def _examples(user_id: int, ids: list[int], code: str) -> dict[int, Example]:
    clips = Clip.objects.filter(pk__in=ids).prefetch_related("artifacts")
    found = {}
    for clip in clips:
        artifacts = sorted(clip.artifacts.all(), key=lambda a: (a.category != code, a.start_s or 0))
        for artifact in artifacts:
            # quiz/_replay.html plays these instead of the replay's stored name.
            replay = artifact.replay.name or ""
            artifact.served_replay_url = _lesson_url(
                user_id, clip.pk, f"replay-{artifact.pk}", replay
            )
            artifact.served_replay_poster_url = _lesson_url(
                user_id, clip.pk, f"replay-poster-{artifact.pk}", artifact.replay_poster
            )
        found[clip.pk] = Example(
            clip=clip,
            served=LessonClip(
                clip=clip,
                media=_served_name(user_id, clip.pk, "media", clip.media.name or ""),
                poster=_served_name(user_id, clip.pk, "poster", clip.poster.name or ""),
            ),
            artifacts=artifacts,
            other_giveaways=any(a.category != code for a in artifacts) and clip.is_generated,
        )
    return found


@dataclass(frozen=True)
class LessonPage:
    lesson: lessons.Lesson
    plan: LessonPlan
    examples: list[Example]
    decoy: Example | None
    mastery: Mastery | None

    @property
    def available(self) -> bool:
        return self.plan.available


def lesson_page(user: User, code: str, *, check: Quiz | None = None) -> LessonPage:
    """One lesson for the user: with `check` (an assigned lesson's quiz) the examples avoid
    that check's clips; otherwise the lesson's current check (or the one it would create).
    Seven queries (eight with `check`). `code` must be a lesson (KeyError otherwise)."""
    lesson = lessons.LESSONS[code]
    infos = pool_infos(Clip.objects.for_learning(user))
    if check is not None:
        taken = frozenset(
            i
            for pair in QuizItem.objects.filter(quiz=check).values_list("clip_id", "other_clip_id")
            for i in pair
            if i is not None
        )
        found = plan_lesson(code, infos, taken=taken)
        plan = LessonPlan(code, found.topic_count, found.examples, found.decoy, (), check.pk)
    else:
        plan = resolve_plan(code, infos, current_checks(user, None, [code]).get(code))
    ids = list(plan.examples) + ([plan.decoy] if plan.decoy else [])
    shown = _examples(user.pk, ids, code) if ids else {}
    return LessonPage(
        lesson=lesson,
        plan=plan,
        examples=[shown[i] for i in plan.examples if i in shown],
        decoy=shown.get(plan.decoy) if plan.decoy else None,
        mastery=category_mastery(user, [code])[code] if user.is_authenticated else None,
    )


# --- Lesson media ---------------------------------------------------------------------------

# A name in a learner's lesson URLs: lesson_media_key's hex digits and the stored suffix.
LESSON_MEDIA_NAME = re.compile(r"^[0-9a-f]{32}\.(mp4|jpg)$")


def lesson_media_key(user_id: int, clip_id: int, file: str) -> str:
    """The name a lesson's file (`file`: "media", "poster", "replay-<artifact id>" or
    "replay-poster-<artifact id>") goes by for one learner, before its suffix.

    Students never get a file under its stored name (quiz.selectors.media): a stored name
    is the same everywhere, so a table of name -> label kept from lessons could answer a
    quiz. So a lesson serves its examples under names of the learner's own, keyed with the
    site's secret like the attempts' names (quiz.selectors.play.media_key)."""
    return keyed_hmac("quiz.learn.media", f"{user_id}:{clip_id}:{file}").hexdigest()[:32]


def _served_name(user_id: int, clip_id: int, file: str, stored: str) -> str:
    return lesson_media_key(user_id, clip_id, file) + PurePosixPath(stored).suffix if stored else ""


def _lesson_url(user_id: int, clip_id: int, file: str, stored: str) -> str:
    name = _served_name(user_id, clip_id, file, stored)
    return reverse("quiz:lesson_media", args=[name]) if name else ""


@dataclass(frozen=True)
class LessonClip:
    """A lesson example's clip under the learner's own names (quiz/_media.html shows it)."""

    clip: Clip
    media: str
    poster: str

    @property
    def media_url(self) -> str:
        return reverse("quiz:lesson_media", args=[self.media])

    @property
    def poster_url(self) -> str:
        return reverse("quiz:lesson_media", args=[self.poster]) if self.poster else ""


def _lesson_files(user_id: int, clip: Clip, artifacts: Iterable[Artifact]) -> dict[str, str]:
    """Every file a lesson may show of the clip: learner's name -> stored name."""
    files = {"media": clip.media.name or "", "poster": clip.poster.name or ""}
    for artifact in artifacts:
        replay = artifact.replay.name or ""
        files[f"replay-{artifact.pk}"] = replay
        files[f"replay-poster-{artifact.pk}"] = replay_poster_name(replay)
    return {
        _served_name(user_id, clip.pk, file, stored): stored
        for file, stored in files.items()
        if stored
    }


def lesson_media_file(user: User, name: str) -> str | None:
    """The stored name of the file `name` stands for in the user's lessons, if it is a file
    of an annotated clip of their learning pool (what lessons show); else None. Two
    queries."""
    if not user.is_authenticated or not LESSON_MEDIA_NAME.match(name):
        return None
    clips = (
        Clip.objects.for_learning(user)
        .filter(Exists(Artifact.objects.filter(clip=OuterRef("pk"))))
        .only("id", "media", "poster")
        .prefetch_related(Prefetch("artifacts", Artifact.objects.only("id", "clip_id", "replay")))
    )
    for clip in clips:
        for served, stored in _lesson_files(user.pk, clip, clip.artifacts.all()).items():
            if compare_digest(served, name):
                return stored
    return None
