"""The clip library: who sees and curates which clips, filtering, annotating artifacts,
magnified replays and retiring clips.

Who sees what (one rule, `clips_visible_to`):

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

import logging
import math
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from quiz import categories
from quiz.media.replay import render_replay
from quiz.models import Artifact, Clip

log = logging.getLogger(__name__)

EXPLANATION_MAX = 2000
REPLAY_DIR = "clips"
LABELS = ("real", "generated")
# Status filter values: the clip's processing status, except that "ready" means ready and in
# use, and "retired" collects retired clips whatever their status.
STATUS_FILTERS = ("ready", "retired", "processing", "failed")
SHARED = "shared"
# Floating point slack for fractions typed as percentages (0.7 + 0.3 is 0.9999999999999999);
# the database's own check allows the same.
_EPS = 1e-9
# Seconds: a time read from the player at the very end may exceed the stored duration by a
# rounding error.
_TIME_EPS = 1e-6


class ArtifactRefused(Exception):
    """The artifact cannot be saved as given; the message is safe to show the teacher.

    `field` names the form field the problem belongs to (None for the whole form)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Reads --------------------------------------------------------------------------------


def _shared_library() -> Q:
    return Q(uploaded_by__isnull=True) | Q(uploaded_by__is_staff=True)


def may_use_library(user: User) -> bool:
    """Library pages are for staff, teachers and educators (students get 403)."""
    return user.is_authenticated and (user.is_staff or user.is_teacher or user.is_educator)


def clips_visible_to(user: User) -> QuerySet[Clip]:
    """Every clip the user may see in the library (see the module docstring)."""
    return Clip.objects.visible_to(user)


def clip_editable_by(user: User, clip: Clip) -> bool:
    """May the user annotate or retire the clip? (See the module docstring for why.)"""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.is_teacher:
        return False
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
        if uploader == SHARED:
            clips = clips.filter(_shared_library())
        else:
            clips = clips.filter(uploaded_by_id=int(uploader))
    if unannotated_only:
        clips = clips.exclude(Exists(Artifact.objects.filter(clip=OuterRef("pk"))))
    return clips


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


# --- Artifacts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactValues:
    """An artifact's checked values: box as fractions of the frame, times in seconds."""

    category: str
    box: tuple[float, float, float, float]
    start_s: float | None
    end_s: float | None
    explanation: str


def _finite(value: object, field: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ArtifactRefused(_("Enter a number."), field=field) from None
    if not math.isfinite(number):
        raise ArtifactRefused(_("Enter a number."), field=field)
    return number


def artifact_check(
    *,
    clip: Clip,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
) -> ArtifactValues:
    """Validate an artifact for `clip`; raise ArtifactRefused with the first problem."""
    if clip.status != Clip.Status.READY:
        raise ArtifactRefused(_("Only clips that are ready can be annotated."))
    info = categories.BY_CODE.get(category)
    if info is None:
        raise ArtifactRefused(_("Choose a category from the list."), field="category")
    if clip.is_generated and info.is_decoy:
        raise ArtifactRefused(
            _("This clip is generated: choose a tell, not a decoy of camera footage."),
            field="category",
        )
    if not clip.is_generated and not info.is_decoy:
        raise ArtifactRefused(
            _("This clip is real camera footage: choose a decoy, not a tell."), field="category"
        )

    if len(box) != 4:
        raise ArtifactRefused(_("The region needs a position and a size."))
    x, y, w, h = (_finite(v, f) for v, f in zip(box, ("x", "y", "w", "h"), strict=True))
    if w <= 0:
        raise ArtifactRefused(_("The region needs a width above zero."), field="w")
    if h <= 0:
        raise ArtifactRefused(_("The region needs a height above zero."), field="h")
    for value, field in ((x, "x"), (y, "y"), (w, "w"), (h, "h")):
        if not 0 <= value <= 1:
            raise ArtifactRefused(_("The region must lie within the frame."), field=field)
    if x + w > 1 + _EPS:
        raise ArtifactRefused(
            _(
                "The region runs past the right edge of the frame: move it left or make it narrower."
            ),
            field="w",
        )
    if y + h > 1 + _EPS:
        raise ArtifactRefused(
            _("The region runs past the bottom of the frame: move it up or make it shorter."),
            field="h",
        )

    if clip.is_video:
        if start_s is None:
            raise ArtifactRefused(_("Mark where the artifact starts."), field="start_s")
        if end_s is None:
            raise ArtifactRefused(_("Mark where the artifact ends."), field="end_s")
        start, end = _finite(start_s, "start_s"), _finite(end_s, "end_s")
        if start < 0:
            raise ArtifactRefused(_("The start cannot be before the clip begins."), field="start_s")
        if end <= start:
            raise ArtifactRefused(_("The end must come after the start."), field="end_s")
        if clip.duration_s is not None and end > clip.duration_s + _TIME_EPS:
            raise ArtifactRefused(
                _("The end is after the clip ends (%(duration)s s).")
                % {"duration": f"{clip.duration_s:.1f}"},
                field="end_s",
            )
        times: tuple[float | None, float | None] = (start, end)
    else:
        if start_s is not None or end_s is not None:
            raise ArtifactRefused(_("An image has no time range: leave start and end empty."))
        times = (None, None)

    # Paragraphs are kept (the feedback shows them as typed); only the ends are trimmed.
    explanation = str(explanation).replace("\r\n", "\n").strip()
    if not explanation:
        raise ArtifactRefused(
            _("Explain what to look for, so learners can see it too."), field="explanation"
        )
    if len(explanation) > EXPLANATION_MAX:
        raise ArtifactRefused(
            _("The explanation can be at most %(max)d characters long (it has %(n)d).")
            % {"max": EXPLANATION_MAX, "n": len(explanation)},
            field="explanation",
        )
    # Stored with a precision far below a pixel, so a value typed as a percentage reads back
    # the same and the database's box check sees what was validated here.
    box = (round(x, 6), round(y, 6), round(w, 6), round(h, 6))
    return ArtifactValues(category, box, *times, explanation)


def _queue_replay(artifact_id: int) -> None:
    """Ask a worker for the replay; the artifact is saved either way, so a broker outage is
    logged rather than raised (re-saving the artifact, or the task by hand, catches up)."""
    from quiz.tasks import artifact_replay_render

    try:
        artifact_replay_render.delay(artifact_id)
    except Exception:
        log.warning("could not queue the replay of artifact %s", artifact_id, exc_info=True)


def _delete_media(name: str) -> None:
    if name:
        (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


def _assign(artifact: Artifact, values: ArtifactValues) -> None:
    artifact.category = values.category
    artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h = values.box
    artifact.start_s, artifact.end_s = values.start_s, values.end_s
    artifact.explanation = values.explanation


def _region(artifact: Artifact) -> tuple[object, ...]:
    """What the replay is made from: if this is unchanged, so is the replay."""
    return (
        artifact.box_x,
        artifact.box_y,
        artifact.box_w,
        artifact.box_h,
        artifact.start_s,
        artifact.end_s,
    )


def artifact_create(
    *,
    clip: Clip,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
) -> Artifact:
    """Add a checked artifact to the clip and queue its magnified replay after commit."""
    values = artifact_check(
        clip=clip,
        category=category,
        box=box,
        start_s=start_s,
        end_s=end_s,
        explanation=explanation,
    )
    artifact = Artifact(clip=clip)
    _assign(artifact, values)
    with transaction.atomic():
        artifact.save()
        transaction.on_commit(lambda: _queue_replay(artifact.pk))
    return artifact


def artifact_update(
    *,
    clip: Clip,
    artifact: Artifact,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
) -> Artifact:
    """Change an artifact of `clip`.

    A new region or time range makes the old replay wrong: it is dropped at once (learners
    never see a replay of the wrong spot) and a new one is queued after commit. A change of
    category or wording keeps the replay.
    """
    if artifact.clip_id != clip.pk:
        raise ValueError("the artifact belongs to another clip")
    values = artifact_check(
        clip=clip,
        category=category,
        box=box,
        start_s=start_s,
        end_s=end_s,
        explanation=explanation,
    )
    with transaction.atomic():
        # Locked so a replay task finishing now cannot store a render of the old region.
        current = Artifact.objects.select_for_update().get(pk=artifact.pk, clip=clip)
        before = _region(current)
        _assign(current, values)
        stale = ""
        if _region(current) != before or not current.replay:
            stale, current.replay = current.replay.name or "", ""
            transaction.on_commit(lambda: _queue_replay(current.pk))
        current.save()
        if stale:
            transaction.on_commit(lambda: _delete_media(stale))
    return current


def artifact_delete(*, clip: Clip, artifact: Artifact) -> None:
    """Delete an artifact of `clip` and, after commit, its replay file."""
    if artifact.clip_id != clip.pk:
        raise ValueError("the artifact belongs to another clip")
    with transaction.atomic():
        current = Artifact.objects.select_for_update().filter(pk=artifact.pk, clip=clip).first()
        if current is None:
            return  # already gone (a double click): nothing left to do
        replay = current.replay.name or ""
        current.delete()
        transaction.on_commit(lambda: _delete_media(replay))


def _replay_name(suffix: str) -> str:
    # Opaque, like every served name: nothing in it says which clip or artifact it shows.
    return f"{REPLAY_DIR}/{secrets.token_urlsafe(18)}{suffix}"


def artifact_replay_render(*, artifact_id: int) -> str | None:
    """Render the artifact's magnified replay and store it; return its name (None if the
    artifact, or its clip's media, is gone, or an edit overtook this render).

    Steps: read the artifact and its clip; render to a fresh random name under MEDIA_ROOT
    outside any transaction (slow); then, in a short transaction with the row locked, check the
    artifact still exists with the same region and time range, point it at the new file, and
    after commit delete the previous replay. Safe to repeat or run twice at once: each run
    replaces the last one's file, so exactly one replay file per artifact remains; a run that
    lost a race to an edit or a delete throws its own file away (the edit queued a new run).
    """
    artifact = Artifact.objects.select_related("clip").filter(pk=artifact_id).first()
    if artifact is None or not artifact.clip.media:
        return None
    clip = artifact.clip
    source = Path(settings.MEDIA_ROOT) / clip.media.name
    if not source.exists():
        log.warning("artifact %s: clip media %s is missing", artifact_id, clip.media.name)
        return None
    region = _region(artifact)
    name = _replay_name(".mp4" if clip.is_video else ".jpg")
    target = Path(settings.MEDIA_ROOT) / name
    try:
        render_replay(
            source,
            target,
            box=(artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h),
            start_s=artifact.start_s if clip.is_video else None,
            end_s=artifact.end_s if clip.is_video else None,
        )
        with transaction.atomic():
            current = (
                Artifact.objects.select_for_update()
                .filter(pk=artifact_id, clip__media=clip.media.name)
                .first()
            )
            if current is None or _region(current) != region:
                target.unlink(missing_ok=True)
                return None
            previous = current.replay.name or ""
            current.replay = name
            current.save(update_fields=["replay"])
            transaction.on_commit(lambda: _delete_media(previous))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return name


def artifact_replays_queue_missing() -> int:
    """Queue a replay for every artifact of a ready clip that has none (artifacts imported
    from packs, or renders lost to a broker outage); returns how many were queued. Safe to
    repeat: a render that finds a replay already stored just replaces it."""
    ids = list(
        Artifact.objects.filter(replay="", clip__status=Clip.Status.READY)
        .exclude(clip__media="")
        .values_list("pk", flat=True)
    )
    for artifact_id in ids:
        _queue_replay(artifact_id)
    return len(ids)


# --- Clips --------------------------------------------------------------------------------


def clip_retire(*, clip: Clip, retired: bool) -> Clip:
    """Retire a clip (it leaves new quizzes: `Clip.objects.in_use()` skips it, while quizzes
    that hold it and past answers keep it) or bring it back. Repeating either changes nothing."""
    if retired:
        Clip.objects.filter(pk=clip.pk, retired_at__isnull=True).update(retired_at=timezone.now())
    else:
        Clip.objects.filter(pk=clip.pk).update(retired_at=None)
    clip.refresh_from_db(fields=["retired_at"])
    return clip
