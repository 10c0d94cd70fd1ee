"""Reads for the uploader's pages: their uploads, where each processing one has got to, and
a ready clip's thumbnail strip.

The ingest task (quiz.services.uploads) writes a clip's `stage` as it goes, in the words
defined here; the pages read them back as a label and a share of the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from quiz.media.files import media_path, thumbnail_names
from quiz.models import Clip

# Stages, in the order the pipeline reaches them, with the share of the work done when each
# starts (for the progress bar).
STAGE_QUEUED = "queued"
STAGE_PROBING = "probing"
STAGE_TRANSCODING = "transcoding"
STAGE_POSTER = "poster"
STAGE_THUMBNAILS = "thumbnails"
STAGE_FINISHING = "finishing"
_TRANSCODING_SHARE = (5, 90)
_STAGE_PERCENT = {
    STAGE_QUEUED: 0,
    STAGE_PROBING: 2,
    STAGE_TRANSCODING: _TRANSCODING_SHARE[0],
    STAGE_POSTER: 92,
    STAGE_THUMBNAILS: 95,
    STAGE_FINISHING: 99,
}
_TRANSCODING_PATTERN = re.compile(r"^transcoding (\d{1,3}) %$")


def transcoding_stage(percent: int) -> str:
    """The stage stored while transcoding, with how far it has got."""
    return f"{STAGE_TRANSCODING} {percent} %"


def uploads_for(user: User) -> QuerySet[Clip]:
    """The clips this user uploaded, newest first."""
    return Clip.objects.filter(uploaded_by=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class IngestProgress:
    label: str
    percent: int


def ingest_progress(clip: Clip) -> IngestProgress:
    """Where a processing clip has got to, in words and as a share of the work."""
    stage = clip.stage or STAGE_QUEUED
    match = _TRANSCODING_PATTERN.match(stage)
    if match:
        done = min(100, int(match.group(1)))
        low, high = _TRANSCODING_SHARE
        return IngestProgress(
            _("Converting: %(percent)d %%") % {"percent": done},
            low + (high - low) * done // 100,
        )
    labels = {
        STAGE_QUEUED: _("Waiting for a worker"),
        STAGE_PROBING: _("Checking the file"),
        STAGE_TRANSCODING: _("Converting"),
        STAGE_POSTER: _("Making the poster"),
        STAGE_THUMBNAILS: _("Making thumbnails"),
        STAGE_FINISHING: _("Finishing"),
    }
    return IngestProgress(labels.get(stage, _("Processing")), _STAGE_PERCENT.get(stage, 0))


def clip_thumbnails(clip: Clip) -> list[str]:
    """The names (under MEDIA_ROOT) of the clip's thumbnail strip that exist, in time order."""
    if not clip.poster:
        return []
    return [name for name in thumbnail_names(clip.poster.name) if media_path(name).is_file()]


@dataclass(frozen=True)
class UploadRow:
    clip: Clip
    progress: IngestProgress | None
    # The media name to show for a ready clip: the poster of a video, the image itself.
    picture: str


def upload_row(clip: Clip) -> UploadRow:
    processing = clip.status == Clip.Status.PROCESSING
    picture = ""
    if clip.status == Clip.Status.READY:
        picture = clip.poster.name if clip.poster else clip.media.name
    return UploadRow(clip, ingest_progress(clip) if processing else None, picture)


@dataclass(frozen=True)
class UploadList:
    """The uploader's newest uploads, with how many are in each status."""

    rows: list[UploadRow]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def any_processing(self) -> bool:
        return self.counts.get(Clip.Status.PROCESSING, 0) > 0


def upload_list(user: User, *, limit: int) -> UploadList:
    rows = [upload_row(clip) for clip in uploads_for(user)[:limit]]
    counts = dict.fromkeys(Clip.Status.values, 0)
    for row in rows:
        counts[row.clip.status] += 1
    return UploadList(rows=rows, counts=counts)


__all__ = [
    "STAGE_FINISHING",
    "STAGE_POSTER",
    "STAGE_PROBING",
    "STAGE_QUEUED",
    "STAGE_THUMBNAILS",
    "STAGE_TRANSCODING",
    "IngestProgress",
    "UploadList",
    "UploadRow",
    "clip_thumbnails",
    "ingest_progress",
    "transcoding_stage",
    "upload_list",
    "upload_row",
    "uploads_for",
]
