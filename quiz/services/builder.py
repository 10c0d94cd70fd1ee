"""The teacher's quiz builder (writes): creating, filling and copying quizzes, and the pure
logic behind balanced quizzes and draft editing. What the builder reads (its clip library,
difficulty, categories) is in quiz.selectors.builder.

A round is `(kind, clip_id, other_clip_id)`: ("single", clip, None), ("pair", a, b) or
("spot", clip, None) (a generated clip with an annotated artifact: "Where is the
giveaway?"). The builder page keeps its draft as such rounds; `quiz_set_items` is the one
place that checks them and writes them (`spot_item_create` adds one spot round to a quiz, for
the other modes that build their own quizzes).
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import (
    Max,
    ProtectedError,
    Q,
    QuerySet,
)
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from quiz.models import Clip, Quiz, QuizItem
from quiz.selectors.builder import (
    MAX_ID,
    ClipInfo,
    pickable_clips,
    quiz_has_answers,
    spot_ready_clips,
)

Round = tuple[str, int, int | None]

MAX_ROUNDS = 100
TITLE_MAX = 200
SINGLE = QuizItem.Kind.SINGLE.value
PAIR = QuizItem.Kind.PAIR.value
SPOT = QuizItem.Kind.SPOT.value


class QuizEditRefused(Exception):
    """The quiz cannot be changed this way; the message says why and is safe to show."""


class QuizAnswered(QuizEditRefused):
    """Someone has answered the quiz, so its rounds are frozen: edit a copy instead."""


# --- Writes -------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join(str(title).split())
    if not title:
        raise QuizEditRefused(_("Give the quiz a title."))
    if len(title) > TITLE_MAX:
        raise QuizEditRefused(
            _("The title can be at most %(max)d characters long.") % {"max": TITLE_MAX}
        )
    return title


def quiz_create(*, teacher: User, title: str, description: str = "") -> Quiz:
    """A new, empty, private quiz owned by the teacher, with a unique slug from its title."""
    title = _clean_title(title)
    base = slugify(title)[:80].strip("-") or "quiz"
    for _attempt in range(5):
        # The random suffix keeps two quizzes of the same title apart and makes slugs of
        # private quizzes hard to guess; a clash (unlikely) just draws again.
        slug = f"{base}-{secrets.token_hex(3)}"
        try:
            with transaction.atomic():
                return Quiz.objects.create(
                    title=title, slug=slug, description=description.strip(), created_by=teacher
                )
        except IntegrityError:
            if not Quiz.objects.filter(slug=slug).exists():
                raise
    raise RuntimeError("could not find a free slug for the quiz")


def quiz_update(*, quiz: Quiz, title: str, description: str = "") -> None:
    """Rename the quiz. Titles never change what an answer meant, so this is always allowed."""
    quiz.title = _clean_title(title)
    quiz.description = description.strip()
    quiz.save(update_fields=["title", "description"])


def rounds_check(
    rounds: Sequence[Round], *, available: QuerySet[Clip] | None = None
) -> dict[int, Clip]:
    """The rounds' clips by id if the rounds make a valid quiz of clips from `available`
    (default: pickable_clips()); else QuizEditRefused saying what to fix first."""
    if not rounds:
        raise QuizEditRefused(_("A quiz needs at least one round: add a clip from the library."))
    if len(rounds) > MAX_ROUNDS:
        raise QuizEditRefused(
            _("A quiz can have at most %(max)d rounds; this one has %(n)d.")
            % {"max": MAX_ROUNDS, "n": len(rounds)}
        )
    ids = [i for _kind, clip_id, other_id in rounds for i in (clip_id, other_id) if i is not None]
    pool = pickable_clips() if available is None else available
    clips = {c.pk: c for c in pool.filter(pk__in={i for i in ids if 0 < i <= MAX_ID})}
    spot_ids = {clip_id for kind, clip_id, _other in rounds if kind == SPOT}
    spot_ready = (
        set(
            spot_ready_clips(pool).filter(pk__in=spot_ids & set(clips)).values_list("pk", flat=True)
        )
        if spot_ids
        else set()
    )
    first_use: dict[int, int] = {}
    for number, (kind, clip_id, other_id) in enumerate(rounds, start=1):
        if kind not in (SINGLE, PAIR, SPOT):
            raise QuizEditRefused(
                _("Round %(n)d: a round is a single clip, a pair or a spot round, not “%(kind)s”.")
                % {"n": number, "kind": kind}
            )
        if kind in (SINGLE, SPOT) and other_id is not None:
            raise QuizEditRefused(_("Round %(n)d: a single round shows one clip.") % {"n": number})
        if kind == PAIR and (other_id is None or other_id == clip_id):
            raise QuizEditRefused(
                _("Round %(n)d: a pair needs two different clips.") % {"n": number}
            )
        for used in (clip_id, other_id):
            if used is None:
                continue
            if used not in clips:
                raise QuizEditRefused(
                    _(
                        "Round %(n)d: clip %(clip)s is not available (not in the library, not "
                        "ready or retired)."
                    )
                    % {"n": number, "clip": used}
                )
            if used in first_use:
                raise QuizEditRefused(
                    _(
                        "Round %(n)d: clip %(clip)s is already in round %(first)d; a quiz "
                        "shows each clip once."
                    )
                    % {"n": number, "clip": used, "first": first_use[used]}
                )
            first_use[used] = number
        if kind == SPOT and clip_id not in spot_ready:
            raise QuizEditRefused(
                _(
                    "Round %(n)d: a spot round needs a generated clip with at least one "
                    "marked giveaway; clip %(clip)s has none."
                )
                % {"n": number, "clip": clip_id}
            )
        if kind == PAIR:
            assert other_id is not None
            a, b = clips[clip_id], clips[other_id]
            if a.media_kind != b.media_kind:
                raise QuizEditRefused(
                    _("Round %(n)d: a pair compares two videos or two images, not one of each.")
                    % {"n": number}
                )
            if a.is_generated == b.is_generated:
                raise QuizEditRefused(
                    _("Round %(n)d: a pair needs exactly one generated and one real clip.")
                    % {"n": number}
                )
    return clips


def quiz_set_items(
    *, quiz: Quiz, rounds: Sequence[Round], available: QuerySet[Clip] | None = None
) -> None:
    """Replace the quiz's rounds with `rounds` (positions 1..n), all or nothing. Every clip
    must be in `available` (default: pickable_clips()).

    Copy-on-edit: once anyone has answered the quiz its rounds are frozen, because an answer
    means "this guess on this clip"; changing the item under it would corrupt the answer and
    every statistic folded from it. The teacher edits a copy instead.
    """
    rounds_check(rounds, available=available)
    refused = QuizAnswered(_("This quiz already has answers; edit a copy"))
    try:
        with transaction.atomic():
            # One save of a quiz at a time, so two tabs cannot interleave their replacements.
            Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
            if quiz_has_answers(quiz):
                raise refused
            QuizItem.objects.filter(quiz=quiz).delete()
            QuizItem.objects.bulk_create(
                QuizItem(
                    quiz=quiz, position=position, kind=kind, clip_id=clip_id, other_clip_id=other
                )
                for position, (kind, clip_id, other) in enumerate(rounds, start=1)
            )
    except (ProtectedError, IntegrityError) as error:
        # An answer arrived after the check: Answer.item protects the old items, and the
        # database refuses the delete (at once, or at commit for the deferred key check).
        raise refused from error


def spot_item_create(*, quiz: Quiz, clip: Clip, position: int | None = None) -> QuizItem:
    """Add a spot round ("Where is the giveaway?") on `clip` to `quiz`, at `position` (default:
    after its last round), and return it.

    For the modes that assemble their own quizzes (lessons, practice, live games, feeds):
    `clip` must be generated, ready, not retired and carry at least one annotated artifact
    (quiz.selectors.builder.spot_ready_clips), and the quiz must not show it already (a spot
    round says the clip is generated, so it would give away another round's answer). Who may
    see the clip is the caller's check. Raises QuizEditRefused otherwise and for a
    `position` already taken, and QuizAnswered once anyone has answered the quiz (its rounds
    are frozen, as in quiz_set_items: an attempt's drawn order must not change under it).
    """
    with transaction.atomic():
        # One change of a quiz's rounds at a time (as quiz_set_items).
        Quiz.objects.select_for_update().filter(pk=quiz.pk).first()
        if quiz_has_answers(quiz):
            raise QuizAnswered(_("This quiz already has answers; edit a copy"))
        if not spot_ready_clips().filter(pk=clip.pk).exists():
            raise QuizEditRefused(
                _(
                    "A spot round needs a generated clip with at least one marked giveaway; "
                    "clip %(clip)s has none."
                )
                % {"clip": clip.pk}
            )
        items = QuizItem.objects.filter(quiz=quiz)
        if items.filter(Q(clip=clip) | Q(other_clip=clip)).exists():
            raise QuizEditRefused(
                _("Clip %(clip)s is already in this quiz; a quiz shows each clip once.")
                % {"clip": clip.pk}
            )
        if position is None:
            position = (items.aggregate(last=Max("position"))["last"] or 0) + 1
        elif items.filter(position=position).exists():
            raise QuizEditRefused(_("Round %(n)d is taken already.") % {"n": position})
        return QuizItem.objects.create(
            quiz=quiz, position=position, kind=SPOT, clip=clip, other_clip=None
        )


def quiz_copy(*, teacher: User, quiz: Quiz) -> Quiz:
    """A private copy owned by `teacher` with the same rounds in the same order."""
    # Demo titles are stored as message ids and shown translated; the copy keeps the text the
    # teacher saw. (gettext("") would return the catalogue header, hence the guard.)
    title = _("Copy of %(title)s") % {"title": _(quiz.title) if quiz.title else ""}
    description = _(quiz.description) if quiz.description else ""
    items = list(quiz.items.order_by("position"))
    with transaction.atomic():
        copy = quiz_create(teacher=teacher, title=title[:TITLE_MAX], description=description)
        QuizItem.objects.bulk_create(
            QuizItem(
                quiz=copy,
                position=position,
                kind=item.kind,
                clip_id=item.clip_id,
                other_clip_id=item.other_clip_id,
            )
            for position, item in enumerate(items, start=1)
        )
    return copy


# --- Draft editing (pure) -----------------------------------------------------------------


def rounds_clip_ids(rounds: Iterable[Round]) -> list[int]:
    return [i for _kind, a, b in rounds for i in (a, b) if i is not None]


def rounds_add(rounds: Sequence[Round], clip: ClipInfo) -> list[Round]:
    """Append the clip as a single round."""
    if len(rounds) >= MAX_ROUNDS:
        raise QuizEditRefused(
            _("A quiz can have at most %(max)d rounds; remove one first.") % {"max": MAX_ROUNDS}
        )
    for number, (_kind, a, b) in enumerate(rounds, start=1):
        if clip.id in (a, b):
            raise QuizEditRefused(
                _("Clip %(clip)s is already in round %(n)d.") % {"clip": clip.id, "n": number}
            )
    return [*rounds, (SINGLE, clip.id, None)]


def _checked_index(rounds: Sequence[Round], number: int) -> int:
    if not 1 <= number <= len(rounds):
        raise QuizEditRefused(_("There is no round %(n)d.") % {"n": number})
    return number - 1


def rounds_move(rounds: Sequence[Round], number: int, step: int) -> list[Round]:
    """Move round `number` (1-based) by `step` places (-1 up, +1 down), stopping at the ends."""
    index = _checked_index(rounds, number)
    target = min(max(index + step, 0), len(rounds) - 1)
    moved = list(rounds)
    moved.insert(target, moved.pop(index))
    return moved


def rounds_remove(rounds: Sequence[Round], number: int) -> list[Round]:
    index = _checked_index(rounds, number)
    return [r for i, r in enumerate(rounds) if i != index]


def rounds_swap(rounds: Sequence[Round], number: int) -> list[Round]:
    """Show a pair's clips the other way round (A becomes B)."""
    index = _checked_index(rounds, number)
    kind, a, b = rounds[index]
    if kind != PAIR or b is None:
        raise QuizEditRefused(_("Round %(n)d is not a pair.") % {"n": number})
    swapped = list(rounds)
    swapped[index] = (PAIR, b, a)
    return swapped


def spot_fits(clip: ClipInfo) -> bool:
    """A spot round can show the clip (ClipInfo.spot_ready)."""
    return clip.spot_ready


def rounds_spot(rounds: Sequence[Round], number: int, clip: ClipInfo) -> list[Round]:
    """Make round `number` a spot round ("Where is the giveaway?") on its clip; a pair's
    other clip becomes a single round right after it, so no chosen clip is dropped."""
    index = _checked_index(rounds, number)
    _kind, clip_id, other = rounds[index]
    if clip.id != clip_id or not spot_fits(clip):
        raise QuizEditRefused(
            _(
                "Round %(n)d: a spot round needs a generated clip with at least one marked "
                "giveaway; clip %(clip)s has none."
            )
            % {"n": number, "clip": clip_id}
        )
    changed = list(rounds)
    released: list[Round] = [(SINGLE, other, None)] if other is not None else []
    changed[index : index + 1] = [(SPOT, clip_id, None), *released]
    return changed


def partner_fits(clip: ClipInfo, partner: ClipInfo) -> bool:
    """Two clips make a pair: same media kind, one generated and one real."""
    return (
        clip.id != partner.id
        and clip.media_kind == partner.media_kind
        and clip.is_generated != partner.is_generated
    )


def partner_similarity(clip: ClipInfo, partner: ClipInfo) -> tuple[int, int, int]:
    """How alike two clips are, the larger the better: same source (footage or photograph,
    quiz.packs.format.source_family), then shared artifact categories, then the same frame
    size. A pair of alike clips can only be told apart by the giveaway, not by their look."""
    same_family = bool(clip.family) and clip.family == partner.family
    shared = len(clip.categories & partner.categories)
    same_size = clip.size is not None and clip.size == partner.size
    return (int(same_family), shared, int(same_size))


def rank_partners[T](clip: ClipInfo, candidates: Iterable[tuple[ClipInfo, T]]) -> list[T]:
    """The candidates that can pair with `clip` (partner_fits), most similar first; equally
    similar ones keep their order."""
    fitting = [(info, item) for info, item in candidates if partner_fits(clip, info)]
    fitting.sort(key=lambda pair: partner_similarity(clip, pair[0]), reverse=True)
    return [item for _info, item in fitting]


def rounds_pair(
    rounds: Sequence[Round],
    number: int,
    partner_id: int | None,
    clips: Mapping[int, ClipInfo],
) -> list[Round]:
    """Make round `number` a pair with `partner_id` as clip B, or a single round (None).

    A partner taken from another single round leaves that round; a clip a pair gives up
    becomes a single round right after it, so no chosen clip is silently dropped.
    """
    index = _checked_index(rounds, number)
    kind, clip_id, old_other = rounds[index]
    # (A spot round asked to show one clip becomes a single round.)
    if partner_id == old_other and kind != SPOT:
        return list(rounds)
    released: list[Round] = [(SINGLE, old_other, None)] if old_other is not None else []
    if partner_id is None:
        changed = list(rounds)
        changed[index : index + 1] = [(SINGLE, clip_id, None), *released]
        return changed
    clip, partner = clips.get(clip_id), clips.get(partner_id)
    if partner is None or clip is None:
        raise QuizEditRefused(
            _("Clip %(clip)s is not available (not in the library, not ready or retired).")
            % {"clip": partner_id}
        )
    if not partner_fits(clip, partner):
        raise QuizEditRefused(
            _(
                "Clip %(clip)s cannot be paired with clip %(partner)s: a pair is two videos or "
                "two images, one generated and one real."
            )
            % {"clip": clip_id, "partner": partner_id}
        )
    paired: list[Round] = []
    for other_index, (other_kind, a, b) in enumerate(rounds):
        if other_index == index:
            paired += [(PAIR, clip_id, partner_id), *released]
        elif partner_id in (a, b):
            if other_kind != SINGLE:
                raise QuizEditRefused(
                    _("Clip %(clip)s is already in the pair of round %(n)d.")
                    % {"clip": partner_id, "n": other_index + 1}
                )
            # The partner's own single round merges into this pair.
        else:
            paired.append((other_kind, a, b))
    return paired


# --- Balanced quizzes (pure) --------------------------------------------------------------


@dataclass
class _Picker:
    """Chooses clips so that artifact categories are spread out: each pick prefers the clip
    whose categories have been used least so far, then one that brings new categories."""

    used: Counter[str]

    def pick(self, candidates: Iterable[ClipInfo]) -> ClipInfo | None:
        best: ClipInfo | None = None
        best_key: tuple[int, int] | None = None
        for clip in candidates:
            counts = [self.used[c] for c in clip.categories]
            key = (max(counts, default=0), -sum(1 for n in counts if n == 0))
            # Strictly better only: candidates arrive shuffled, so ties fall at random.
            if best_key is None or key < best_key:
                best, best_key = clip, key
        if best is not None:
            self.used.update(best.categories)
        return best


def _merge_evenly[T](first: list[T], second: list[T]) -> list[T]:
    """Both lists in order, the shorter one's items spread among the longer one's so that
    they split it into runs differing by at most one (so real and generated alternate, and
    pair rounds are spaced out). With equal lengths the two alternate, `first` leading."""
    major, minor = (first, second) if len(first) >= len(second) else (second, first)
    runs, longer_runs = divmod(len(major), len(minor) + 1)
    merged: list[T] = []
    taken = 0
    for k in range(len(minor) + 1):
        size = runs + (1 if k < longer_runs else 0)
        merged += major[taken : taken + size]
        taken += size
        if k < len(minor):
            merged.append(minor[k])
    return merged


def _with_spot_rounds(
    clips: list[ClipInfo],
    *,
    n: int,
    n_spots: int,
    generated_share: float,
    pair_share: float,
    rng: random.Random,
) -> list[Round]:
    """balanced_rounds with `n_spots` spot rounds: those first, from the clips that fit
    (spot_fits), then the other rounds from the clips left, the spot rounds spread among
    them."""
    fitting = [c for c in clips if spot_fits(c)]
    if len(fitting) < n_spots:
        raise ValueError(
            _(
                "This needs %(want)d generated clips with a marked giveaway for spot rounds; "
                "the library (as filtered) has %(have)d."
            )
            % {"want": n_spots, "have": len(fitting)}
        )
    pool = rng.sample(fitting, len(fitting))
    picker = _Picker(Counter())
    spots: list[Round] = []
    for _i in range(n_spots):
        clip = picker.pick(pool)
        assert clip is not None
        pool.remove(clip)
        spots.append((SPOT, clip.id, None))
    if n_spots == n:
        return spots
    used = {clip_id for _kind, clip_id, _other in spots}
    rest = balanced_rounds(
        [c for c in clips if c.id not in used],
        n=n - n_spots,
        generated_share=generated_share,
        pair_share=pair_share,
        rng=rng,
    )
    return _merge_evenly(rest, spots)


def pair_group(clip: ClipInfo) -> tuple[str, str]:
    """Balanced quizzes pair a generated and a real clip only within one group: the same
    media kind and the same source family (clips whose credit names no source form one group
    of their own)."""
    return (clip.media_kind, clip.family)


def balanced_counts(n: int, generated_share: float, pair_share: float) -> tuple[int, int, int]:
    """(pair rounds, generated singles, real singles) for a quiz of n rounds."""
    pairs = round(n * pair_share)
    singles = n - pairs
    generated = round(singles * generated_share)
    return pairs, generated, singles - generated


def balanced_rounds(
    clips: list[ClipInfo],
    *,
    n: int,
    generated_share: float,
    pair_share: float,
    rng: random.Random,
    spot_share: float = 0.0,
) -> list[Round]:
    """n rounds from `clips`: round(n * pair_share) pairs (each one generated and one real clip
    of one media kind and one source family (pair_group), the most alike the library has,
    shown in random order), and among the single rounds a share
    `generated_share` of generated clips. Categories are spread out, no clip is used twice,
    and real and generated singles (and the pairs among them) are interleaved.

    `spot_share` of the n rounds (rounded) are spot rounds ("Where is the giveaway?") on
    generated clips with an annotated artifact, categories spread out; the shares above then
    apply to the other rounds, and the spot rounds are spread evenly among them.

    Raises ValueError, with a message for the teacher, when the clips cannot make such a quiz.
    """
    if not 1 <= n <= MAX_ROUNDS:
        raise ValueError(_("Choose between 1 and %(max)d rounds.") % {"max": MAX_ROUNDS})
    if not (0 <= generated_share <= 1 and 0 <= pair_share <= 1 and 0 <= spot_share <= 1):
        raise ValueError(_("Shares must be between 0 and 100 percent."))
    n_spots = round(n * spot_share)
    if n_spots:
        return _with_spot_rounds(
            clips,
            n=n,
            n_spots=n_spots,
            generated_share=generated_share,
            pair_share=pair_share,
            rng=rng,
        )
    n_pairs, n_generated, n_real = balanced_counts(n, generated_share, pair_share)
    generated = [c for c in clips if c.is_generated]
    real = [c for c in clips if not c.is_generated]
    pairable = sum(
        min(
            sum(1 for c in generated if pair_group(c) == group),
            sum(1 for c in real if pair_group(c) == group),
        )
        for group in {pair_group(c) for c in clips}
    )
    if pairable < n_pairs:
        raise ValueError(
            _(
                "The library (as filtered) can make only %(can)d pair rounds of a generated "
                "and a real clip of the same kind from the same source; %(want)d were asked "
                "for."
            )
            % {"can": pairable, "want": n_pairs}
        )
    if len(generated) < n_pairs + n_generated:
        raise ValueError(
            _("This needs %(want)d generated clips; the library (as filtered) has %(have)d.")
            % {"want": n_pairs + n_generated, "have": len(generated)}
        )
    if len(real) < n_pairs + n_real:
        raise ValueError(
            _("This needs %(want)d real clips; the library (as filtered) has %(have)d.")
            % {"want": n_pairs + n_real, "have": len(real)}
        )
    # Shuffled copies: ties in the category spread, and so the quiz, differ from draw to draw.
    generated = rng.sample(generated, len(generated))
    real = rng.sample(real, len(real))
    # Generated and real clips spread their own categories (tells and decoys) separately.
    pick_generated, pick_real = _Picker(Counter()), _Picker(Counter())

    pairs: list[Round] = []
    for _i in range(n_pairs):
        # Any group that still has a clip of each truth keeps the remaining pairs possible:
        # a pair lowers the sum of min(generated, real) over groups by exactly one.
        open_groups = {pair_group(c) for c in generated} & {pair_group(c) for c in real}
        g = pick_generated.pick(c for c in generated if pair_group(c) in open_groups)
        assert g is not None
        # The partner comes from the same source (a pair that the look of two unrelated
        # scenes could decide teaches nothing), of the same frame size if there is one.
        same = [c for c in real if pair_group(c) == pair_group(g)]
        r = pick_real.pick([c for c in same if c.size == g.size] or same)
        assert r is not None
        generated.remove(g)
        real.remove(r)
        a, b = (g, r) if rng.random() < 0.5 else (r, g)
        pairs.append((PAIR, a.id, b.id))

    def singles_from(pool: list[ClipInfo], picker: _Picker, count: int) -> list[Round]:
        chosen: list[Round] = []
        for _i in range(count):
            clip = picker.pick(pool)
            assert clip is not None
            pool.remove(clip)
            chosen.append((SINGLE, clip.id, None))
        return chosen

    singles = singles_from(generated, pick_generated, n_generated) + singles_from(
        real, pick_real, n_real
    )
    # In chance order, runs and all: real and generated taking turns would give every answer
    # away to a student who saw the quiz's own order (an assignment that keeps it, or the
    # rounds' places in their data download). The pairs stay spread out.
    rng.shuffle(singles)
    return _merge_evenly(singles, pairs)
