"""What the quiz builder reads: the clips a quiz may use (ready, not retired; the views
narrow them to what the teacher may see with Clip.objects.visible_to), filtered, with their
difficulty from the aggregate table and their categories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce

from quiz import categories, spot
from quiz.models import Answer, Artifact, Clip, Quiz, StatCell
from quiz.packs.format import source_family
from quiz.selectors.library import kept_filter

# Primary keys are 64-bit; anything outside cannot name a clip and must not reach the database
# (PostgreSQL refuses such numbers with an error instead of finding nothing).
MAX_ID = 2**63 - 1


def quiz_has_answers(quiz: Quiz) -> bool:
    return Answer.objects.filter(item__quiz=quiz).exists()


def _with_difficulty(clips: QuerySet[Clip]) -> QuerySet[Clip]:
    """Annotate `answer_count` and `difficulty` (the share of answers that were wrong, 0..1,
    None while nobody has answered) from the everyone/clip cells of the aggregate table, so the
    library costs the same however many answers there are."""
    cells = StatCell.objects.filter(
        scope=StatCell.Scope.EVERYONE,
        scope_id=0,
        dimension=StatCell.Dimension.CLIP,
        key=Cast(OuterRef("pk"), output_field=CharField()),
        n__gt=0,
    )
    missed_share = ExpressionWrapper(
        Value(1.0) - Cast("correct", FloatField()) / Cast("n", FloatField()),
        output_field=FloatField(),
    )
    return clips.annotate(
        answer_count=Coalesce(Subquery(cells.values("n")[:1]), 0),
        difficulty=Subquery(
            cells.annotate(missed=missed_share).values("missed")[:1], output_field=FloatField()
        ),
    )


def pickable_clips() -> QuerySet[Clip]:
    """Clips a quiz may use: ready and not retired. Callers narrow this to what a teacher may
    see and pass it on as `available`."""
    return Clip.objects.in_use()


def spot_ready_clips(clips: QuerySet[Clip] | None = None) -> QuerySet[Clip]:
    """The clips of `clips` (default: pickable_clips()) a spot round ("Where is the
    giveaway?") may show: generated, with at least one annotated artifact to find and none
    as large as the frame (quiz.spot.has_a_place: any mark would hit that one). One query
    when evaluated; use `.filter(pk=clip.pk).exists()` to ask about one clip."""
    pool = pickable_clips() if clips is None else clips
    whole = (
        Artifact.objects.filter(clip=OuterRef("pk"))
        .alias(area=F("box_w") * F("box_h"))
        .filter(area__gte=spot.WHOLE_FRAME_SHARE)
    )
    return (
        pool.filter(is_generated=True)
        .filter(Exists(Artifact.objects.filter(clip=OuterRef("pk"))))
        .exclude(Exists(whole))
    )


def library_clips(
    *,
    available: QuerySet[Clip] | None = None,
    label: str | None = None,
    generator: str | None = None,
    media_kind: str | None = None,
    category: str | None = None,
    max_difficulty: float | None = None,
    min_difficulty: float | None = None,
    kept: str | None = None,
) -> QuerySet[Clip]:
    """Clips of `available` (default: pickable_clips()) matching every filter given, with
    `answer_count` and `difficulty` annotated.

    `label` is "real" or "generated"; difficulties are shares (0..1) of wrong answers. Clips
    nobody has answered have no known difficulty: a difficulty filter leaves them out.
    """
    clips = _with_difficulty(pickable_clips() if available is None else available)
    if label:
        if label not in ("real", "generated"):
            raise ValueError(f"unknown label {label!r}")
        clips = clips.filter(is_generated=label == "generated")
    if generator:
        clips = clips.filter(generator=generator)
    if media_kind:
        clips = clips.filter(media_kind=media_kind)
    if category:
        clips = clips.filter(
            Exists(Artifact.objects.filter(clip=OuterRef("pk"), category=category))
        )
    if min_difficulty is not None:
        clips = clips.filter(difficulty__gte=min_difficulty)
    if max_difficulty is not None:
        clips = clips.filter(difficulty__lte=max_difficulty)
    return kept_filter(clips, kept).order_by("id")


def library_clips_by_id(
    clip_ids: Iterable[int], *, available: QuerySet[Clip] | None = None
) -> dict[int, Clip]:
    """Clips of `available` (default: pickable_clips()) by id, with difficulty and
    categories; unknown ids are left out."""
    wanted = {i for i in clip_ids if 0 < i <= MAX_ID}
    clips = (pickable_clips() if available is None else available).filter(pk__in=wanted)
    found = {c.pk: c for c in _with_difficulty(clips)}
    attach_categories(found.values())
    return found


def attach_categories(clips: Iterable[Clip]) -> None:
    """Set `category_codes` and `category_list` (the Category entries) on each clip, sorted,
    and `whole_frame_giveaway` (ClipInfo), in one query."""
    clips = list(clips)
    codes, whole = clip_categories(c.pk for c in clips)
    for clip in clips:
        clip.category_codes = sorted(codes.get(clip.pk, ()))
        clip.category_list = [categories.BY_CODE[c] for c in clip.category_codes]
        clip.whole_frame_giveaway = clip.pk in whole


def clip_categories(clip_ids: Iterable[int]) -> tuple[dict[int, frozenset[str]], set[int]]:
    """The categories of each clip's artifacts, and the clips with a giveaway as large as
    the frame (quiz.spot.has_a_place), in one query."""
    found: dict[int, set[str]] = {}
    whole: set[int] = set()
    rows = Artifact.objects.filter(clip_id__in=set(clip_ids)).values_list(
        "clip_id", "category", "box_w", "box_h"
    )
    for clip_id, code, w, h in rows:
        found.setdefault(clip_id, set()).add(code)
        if not spot.has_a_place(w, h):
            whole.add(clip_id)
    return {clip_id: frozenset(codes) for clip_id, codes in found.items()}, whole


def library_generators(*, available: QuerySet[Clip] | None = None) -> list[str]:
    """The distinct generators of the clips, for the library's filter."""
    clips = pickable_clips() if available is None else available
    return sorted(set(clips.exclude(generator="").values_list("generator", flat=True)))


@dataclass(frozen=True)
class ClipInfo:
    """What the balancing needs to know about a clip; no database."""

    id: int
    is_generated: bool
    media_kind: str
    categories: frozenset[str] = frozenset()
    # Carried for display and future weighting; the library filter already bounds it.
    difficulty: float | None = None
    # The footage or photograph the clip comes from (quiz.packs.format.source_family), ""
    # when its credit does not say; and its frame size, when known.
    family: str = ""
    size: tuple[int, int] | None = None
    # A giveaway as large as the frame: any mark would hit it, so no spot round shows the clip
    # (spot_ready_clips).
    whole_frame_giveaway: bool = False

    @property
    def spot_ready(self) -> bool:
        """A spot round can show the clip: generated, with at least one annotated artifact
        and none as large as the frame (as spot_ready_clips)."""
        return self.is_generated and bool(self.categories) and not self.whole_frame_giveaway


def clip_info(clip: Clip, codes: Iterable[str] = ()) -> ClipInfo:
    """The ClipInfo of one clip object (its categories given, or none)."""
    size = (clip.width, clip.height) if clip.width and clip.height else None
    return ClipInfo(
        clip.pk,
        clip.is_generated,
        clip.media_kind,
        frozenset(codes),
        getattr(clip, "difficulty", None),
        source_family(clip.credit),
        size,
        whole_frame_giveaway=getattr(clip, "whole_frame_giveaway", False),
    )


def clip_infos(clips: QuerySet[Clip]) -> list[ClipInfo]:
    """Rows for `balanced_rounds` from a (library) queryset, in two queries."""
    rows = list(
        clips.values_list(
            "id", "is_generated", "media_kind", "difficulty", "credit", "width", "height"
        )
    )
    codes, whole = clip_categories(row[0] for row in rows)
    return [
        ClipInfo(
            clip_id,
            is_generated,
            media_kind,
            codes.get(clip_id, frozenset()),
            difficulty,
            source_family(credit),
            (width, height) if width and height else None,
            whole_frame_giveaway=clip_id in whole,
        )
        for clip_id, is_generated, media_kind, difficulty, credit, width, height in rows
    ]
