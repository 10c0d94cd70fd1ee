"""What the clip library reads: who sees and curates which clips, and the filtered list.

Who sees what (one rule, `Clip.objects.visible_to`):

- staff see every clip;
- teachers and educators see the shared library (clips nobody uploaded, i.e. packs, and clips
  uploaded by staff) plus every clip uploaded by someone of their own school, and their own
  uploads;
- students see no library at all (the pages answer 403); a clip outside the rule is a 404.

Who may annotate or retire a clip (`clip_editable_by`): staff always; otherwise a teacher who
uploaded it or who teaches at the school it was uploaded for. Shared-library clips are curated
by staff only, because every school's quizzes and statistics rely on them. Educators read the
library but do not change it: they compare results across classes, and changing the clips
under those results is a teacher's or curator's decision.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from quiz import categories
from quiz.models import Artifact, Clip

LABELS = ("real", "generated")
# Status filter values: the clip's processing status, except that "ready" means ready and in
# use, and "retired" collects retired clips whatever their status.
STATUS_FILTERS = ("ready", "retired", "processing", "failed")
SHARED = "shared"


def clip_editable_by(user: User, clip: Clip) -> bool:
    """May the user annotate or retire the clip? (See the module docstring for why.)"""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.is_teacher:
        return False
    if user.is_pending_teacher:
        return clip.uploaded_by_id == user.pk  # waiting for approval: their own uploads only
    if clip.uploaded_by_id is None or clip.uploaded_by.is_staff:
        return False  # the shared library is curated by staff
    if clip.uploaded_by_id == user.pk:
        return True
    return user.school_id is not None and clip.school_id == user.school_id


def filter_library(
    clips: QuerySet[Clip],
    *,
    label: str | None = None,
    generator: str | None = None,
    media_kind: str | None = None,
    category: str | None = None,
    status: str | None = None,
    uploader: str | int | None = None,
    unannotated_only: bool = False,
    kept: str | None = None,
) -> QuerySet[Clip]:
    """Narrow `clips` by every filter given (None or "" means any).

    label: "real" or "generated"; status: one of STATUS_FILTERS; uploader: "shared" for the
    shared library or a user id; unannotated_only: clips without any artifact. Unknown values
    raise ValueError: the view's form is the place to turn bad input into a message.
    """
    if label:
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        clips = clips.filter(is_generated=label == "generated")
    if generator:
        clips = clips.filter(generator=generator)
    if media_kind:
        if media_kind not in Clip.MediaKind.values:
            raise ValueError(f"unknown media kind {media_kind!r}")
        clips = clips.filter(media_kind=media_kind)
    if category:
        if category not in categories.BY_CODE:
            raise ValueError(f"unknown category {category!r}")
        clips = clips.filter(
            Exists(Artifact.objects.filter(clip=OuterRef("pk"), category=category))
        )
    if status:
        if status == "ready":
            clips = clips.in_use()
        elif status == "retired":
            clips = clips.filter(retired_at__isnull=False)
        elif status in Clip.Status.values:
            clips = clips.filter(status=status, retired_at__isnull=True)
        else:
            raise ValueError(f"unknown status {status!r}")
    if uploader:
        clips = clips.shared() if uploader == SHARED else clips.filter(uploaded_by_id=int(uploader))
    if unannotated_only:
        clips = clips.exclude(Exists(Artifact.objects.filter(clip=OuterRef("pk"))))
    return kept_filter(clips, kept)


def kept_filter(clips: QuerySet[Clip], kept: str | None) -> QuerySet[Clip]:
    """kept: "kept" for clips kept for tests, "free" for the others, None or "" for both."""
    if not kept:
        return clips
    if kept not in ("kept", "free"):
        raise ValueError(f"unknown kept filter {kept!r}")
    return clips.filter(kept_for_tests=kept == "kept")


def for_library_list(clips: QuerySet[Clip]) -> QuerySet[Clip]:
    """What a row of the library list needs, in one query: the uploader and the number of
    artifacts (`artifact_count`); newest first, so fresh uploads are on the first page."""
    return (
        clips.select_related("uploaded_by")
        .annotate(artifact_count=Count("artifacts"))
        .order_by("-created_at", "-id")
    )


def attach_category_list(clips: list[Clip]) -> None:
    """Set `category_list` (the Category entries of its artifacts, tells first) on each clip,
    in one query for the whole page."""
    found: dict[int, set[str]] = {}
    rows = Artifact.objects.filter(clip__in=[c.pk for c in clips]).values_list(
        "clip_id", "category"
    )
    for clip_id, code in rows:
        found.setdefault(clip_id, set()).add(code)
    order = {c.code: i for i, c in enumerate(categories.TELLS + categories.DECOYS)}
    for clip in clips:
        codes = sorted(found.get(clip.pk, ()), key=order.__getitem__)
        clip.category_list = [categories.BY_CODE[code] for code in codes]


def library_generators(clips: QuerySet[Clip]) -> list[str]:
    return sorted(set(clips.exclude(generator="").values_list("generator", flat=True)))


def library_uploaders(clips: QuerySet[Clip]) -> list[User]:
    """The people who uploaded any of `clips`, by name."""
    return list(
        User.objects.filter(
            pk__in=clips.filter(uploaded_by__isnull=False).values("uploaded_by")
        ).order_by("first_name", "last_name", "username")
    )
