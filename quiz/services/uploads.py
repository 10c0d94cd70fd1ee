"""Uploads: a teacher's file becomes a clip, and the ingest task turns it into served media.

Two halves, with a Celery queue between them (DESIGN.md "How data flows", step 1):

- `clip_upload_create` runs in the web request. It checks who is uploading and the file's
  size, keeps the original privately under ORIGINALS_ROOT with a random name, and creates the
  Clip in state "processing". Nothing else: the slow work is queued after commit.
- `clip_ingest` runs in a worker: probe the original by its content, check it against the
  upload limits, transcode it to the one normalised encoding (quiz.media.encode, which strips
  every tag and the encoder's signature), render the poster and a strip of thumbnails, and
  mark the clip ready, or failed with a message the uploader can act on.

The truth must never leak through media (DESIGN.md "Integrity rules"): served files get
random names, never the client's; the client's name, cleaned, is kept only for the
uploader's own list. Work happens in a private folder per run and reaches MEDIA_ROOT only
when the clip is about to become ready, so a failed or crashed run leaves no media behind and
no half-made clip is ever visible.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import secrets
import shutil
import struct
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import av
import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from quiz.media.encode import (
    VideoInfo,
    encode_image,
    encode_video,
    iter_video_frames,
    render_poster,
)
from quiz.media.provenance import read_provenance
from quiz.models import Clip
from quiz.packs.pack_io import (
    IMAGE_FORMATS,
    VIDEO_FORMATS,
    Limits,
    _limited_frames,
    _MediaProblem,
    _probe_image,
)

log = logging.getLogger(__name__)

# Defaults for the limits in settings (config/settings.py reads them from the environment).
DEFAULT_MAX_BYTES = 300 * 1024**2
DEFAULT_MAX_SECONDS = 180
DEFAULT_MAX_SIDE = 7680  # 8K
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000

# The normalised output: at most 1080p (a 1920 x 1080 box, turned for portrait footage) at a
# constant 25 fps, like every other clip the site serves.
OUTPUT_FPS = 25
OUTPUT_LONG_SIDE = 1920
OUTPUT_SHORT_SIDE = 1080
# Kept sound is re-encoded the same way for every clip: AAC-LC, 48 kHz stereo, 128 kbit/s.
AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
AUDIO_BIT_RATE = 128_000

# Served names: the same shape as pack imports (quiz.packs.importer), which the media view
# accepts. Thumbnails are named after the poster ("clips/<poster token>-t<N>.jpg"), so they
# need no field of their own.
CLIP_DIR = "clips"
THUMBNAIL_COUNT = 8
THUMBNAIL_SIDE = 160
ORIGINALS_DIR = "uploads"
# Per-run work folders under ORIGINALS_ROOT (private, same disk as the originals).
WORK_DIR = ".ingest-work"
# A work folder this old belongs to a run that is certainly dead: Celery's hard time limit
# (config/celery.py) is 30 minutes.
STALE_RUN_SECONDS = 2 * 60 * 60

# No real colour profile comes near this (sRGB is 3 kB, big printer profiles a few hundred
# kB); a bigger one is padding meant to make every later reader of the file do extra work.
MAX_ICC_PROFILE_BYTES = 1024 * 1024
# A video whose frames stop this much before its header says it ends was cut off (an
# interrupted copy or export), whatever the demuxer makes of the missing part.
CUT_OFF_SLACK_S = 0.25
CUT_OFF_SLACK_SHARE = 0.05
# Stage updates while transcoding: often enough for a progress bar, rarely enough not to
# load the database (one small UPDATE a second at most).
PROGRESS_INTERVAL_S = 1.0
# Demuxers tried only to tell "sound without picture" apart from "unreadable"; the file is
# never decoded with them. Raw MP3 and ADTS are left out: their probes find "frames" in
# random bytes, so a damaged file would be called music. (An MP3 with an ID3 tag is
# recognised by the tag.)
AUDIO_FORMATS = "wav,w64,flac,ogg,aiff,mov,mp4,matroska,webm"

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


class UploadRefused(Exception):
    """The upload was refused at once (nothing stored); the message is for the uploader."""


class IngestFailed(Exception):
    """The file cannot become a clip; the message says why and what to do, for a person."""


# --------------------------------------------------------------------------------------------
# Who may upload, and the limits
# --------------------------------------------------------------------------------------------


def user_may_upload(user: User) -> bool:
    """Teachers, educators and staff bring clips; students only ever play them."""
    return bool(user.is_authenticated and (user.is_staff or user.is_teacher or user.is_educator))


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int
    max_seconds: float
    max_side: int
    max_image_pixels: int

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_bytes=getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES),
            max_seconds=getattr(settings, "UPLOAD_MAX_SECONDS", DEFAULT_MAX_SECONDS),
            max_side=getattr(settings, "UPLOAD_MAX_SIDE", DEFAULT_MAX_SIDE),
            max_image_pixels=getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS),
        )

    def for_probing(self) -> Limits:
        """The same limits in the shape the pack importer's safe probes take."""
        return Limits(
            max_bytes=self.max_bytes,
            max_files=1,
            max_image_pixels=self.max_image_pixels,
            max_video_seconds=self.max_seconds,
            max_video_side=self.max_side,
        )


def file_size_words(n: int) -> str:
    """A size as people read it: "300 MB", "4.8 MB", "900 kB". Counted in 1024s, like the
    limits in settings (300 * 1024**2 reads "300 MB", as it was meant)."""
    if n >= 1024**3:
        return _("%(size)s GB") % {"size": f"{n / 1024**3:.1f}".removesuffix(".0")}
    if n >= 10 * 1024**2:
        return _("%(size)s MB") % {"size": f"{n / 1024**2:.0f}"}
    if n >= 1024**2:
        return _("%(size)s MB") % {"size": f"{n / 1024**2:.1f}".removesuffix(".0")}
    if n >= 1024:
        return _("%(size)s kB") % {"size": f"{n / 1024:.0f}"}
    return _("%(size)s bytes") % {"size": n}


def duration_words(seconds: float) -> str:
    """ "3 min", "3 min 20 s", "2.5 s"."""
    if seconds >= 60:
        whole = round(seconds)
        minutes, rest = divmod(whole, 60)
        if rest:
            return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": f"{seconds:.1f}".removesuffix(".0")}


def too_big_message(limit: int, size: int | None = None) -> str:
    if size is None:
        return _(
            "This file is larger than %(limit)s, the most an upload may be. Trim the video or "
            "export it at a lower quality, then upload it again."
        ) % {"limit": file_size_words(limit)}
    return _(
        "This file is %(size)s; an upload may be at most %(limit)s. Trim the video or export it "
        "at a lower quality, then upload it again."
    ) % {"size": file_size_words(size), "limit": file_size_words(limit)}


def empty_file_message() -> str:
    return _(
        "This file is empty (0 bytes). Check that it finished downloading or copying, then "
        "upload it again."
    )


# --------------------------------------------------------------------------------------------
# The upload (web request)
# --------------------------------------------------------------------------------------------


def clean_original_name(name: str | bytes) -> str:
    """The client's file name, safe to store and show back to the uploader.

    Only the last path component is kept (no folders, no "..", either slash); bytes that are
    not UTF-8 become U+FFFD; control and invisible formatting characters (including
    right-to-left overrides that disguise an extension) are dropped; the result is cut to 255
    characters, keeping a short extension. Never used to name a file on disk.
    """
    if isinstance(name, bytes):
        raw = name
    else:
        try:
            # Names Python decoded with surrogateescape carry their undecodable bytes.
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = name.encode("utf-8", "replace")
    text = unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))
    parts = [p for p in re.split(r"[/\\]+", text) if p.strip() not in ("", ".", "..")]
    text = parts[-1] if parts else ""
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())
    if len(text) > 255:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and 0 < len(extension) <= 16:
            text = stem[: 254 - len(extension)].rstrip() + "." + extension
        else:
            text = text[:255]
    return text or "upload"


def _sniffed_kind(head: bytes) -> str:
    """A first guess at the kind from magic numbers, shown while the clip is processing; the
    ingest task decides for real by decoding."""
    image_magic = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")
    if head.startswith(image_magic) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return Clip.MediaKind.IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"heic", b"mif1"):
        return Clip.MediaKind.IMAGE
    return Clip.MediaKind.VIDEO


def _store_original(upload: UploadedFile) -> tuple[str, str]:
    """Keep the upload under ORIGINALS_ROOT with a random name; return (name, sniffed kind)."""
    root = Path(settings.ORIGINALS_ROOT)
    (root / ORIGINALS_DIR).mkdir(parents=True, exist_ok=True)
    name = f"{ORIGINALS_DIR}/{secrets.token_urlsafe(18)}"
    target = root / name
    temporary = getattr(upload, "temporary_file_path", None)
    moved = False
    if temporary is not None:
        # A big upload already sits in a temporary file: moving it saves copying 300 MB.
        # Django tolerates its temporary file being gone when the request ends.
        try:
            os.replace(temporary(), target)
            moved = True
        except OSError:
            moved = False  # another disk: copy instead
    if not moved:
        try:
            # "xb": never write through something already there.
            with target.open("xb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    with target.open("rb") as stored:
        head = stored.read(16)
    return name, _sniffed_kind(head)


def queue_clip_ingest(clip_id: int) -> None:
    """Hand the clip to a worker. If the broker is down the clip stays "queued" (the upload
    itself is safe); queuing it again later runs the same idempotent task."""
    from quiz.tasks import clip_ingest as clip_ingest_task

    try:
        clip_ingest_task.delay(clip_id)
    except Exception:
        log.warning("could not queue clip_ingest for clip %s", clip_id, exc_info=True)


def clip_upload_create(
    *,
    uploader: User,
    upload: UploadedFile,
    is_generated: bool,
    generator: str = "",
    prompt: str = "",
    credit: str = "",
    license: str = "",  # the field's name in the model and the pack format
    source_url: str = "",
    description: str = "",
    keep_audio: bool = False,
) -> Clip:
    """Store an upload and create its Clip (processing, stage "queued"); queue the ingest.

    Raises PermissionDenied unless the uploader may upload, and UploadRefused for an empty
    file or one over UPLOAD_MAX_BYTES (nothing is stored then). Everything else about the
    file is judged by the ingest task, which reads its content.
    """
    if not user_may_upload(uploader):
        raise PermissionDenied
    limits = UploadLimits.from_settings()
    size = upload.size or 0
    if size == 0:
        raise UploadRefused(empty_file_message())
    if size > limits.max_bytes:
        raise UploadRefused(too_big_message(limits.max_bytes, size))
    original_name = clean_original_name(upload.name or "")
    # Writing the file is slow I/O: it happens before the transaction, and is undone if the
    # clip cannot be created.
    original, kind = _store_original(upload)
    try:
        with transaction.atomic():
            clip = Clip.objects.create(
                media_kind=kind,
                status=Clip.Status.PROCESSING,
                stage=STAGE_QUEUED,
                is_generated=is_generated,
                generator=generator,
                prompt=prompt,
                credit=credit,
                license=license,
                source_url=source_url,
                description=description,
                uploaded_by=uploader,
                school=uploader.school,
                original=original,
                original_name=original_name,
                keep_audio=keep_audio,
                # Filled from the original's C2PA manifest by the ingest task.
                provenance={},
            )
            transaction.on_commit(partial(queue_clip_ingest, clip.pk))
    except BaseException:
        (Path(settings.ORIGINALS_ROOT) / original).unlink(missing_ok=True)
        raise
    return clip


# --------------------------------------------------------------------------------------------
# Reads for the uploader's list
# --------------------------------------------------------------------------------------------


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


def thumbnail_names(poster: str) -> list[str]:
    """Where a clip's thumbnails live, derived from its poster's name."""
    stem = poster.removesuffix(".jpg")
    return [f"{stem}-t{index}.jpg" for index in range(THUMBNAIL_COUNT)]


def thumbnail_times(duration_s: float, count: int = THUMBNAIL_COUNT) -> list[float]:
    """The moments the thumbnails show: the middles of `count` equal parts of the clip."""
    return [(index + 0.5) * duration_s / count for index in range(count)]


def clip_thumbnails(clip: Clip) -> list[str]:
    """The names (under MEDIA_ROOT) of the clip's thumbnail strip that exist, in time order."""
    if not clip.poster:
        return []
    media_root = Path(settings.MEDIA_ROOT)
    return [name for name in thumbnail_names(clip.poster.name) if (media_root / name).is_file()]


# --------------------------------------------------------------------------------------------
# Probing by content
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaFacts:
    """What a file's headers say, once it is known to be a picture Second Look can read."""

    kind: str  # Clip.MediaKind value
    width: int
    height: int
    duration_s: float | None = None
    has_audio: bool = False
    # Where the first video frame sits on the file's timeline (sound is aligned to it).
    video_start_s: float = 0.0


def _avif_formats() -> tuple[str, ...]:
    Image.init()
    return ("AVIF",) if "AVIF" in Image.OPEN else ()


def upload_image_formats() -> tuple[str, ...]:
    """Pillow plugins an upload may use: the pack importer's, plus AVIF where Pillow has it."""
    return (*IMAGE_FORMATS, *_avif_formats())


def _probe_avif(path: Path, limits: UploadLimits) -> bool:
    """The pack importer's image probe knows no AVIF; the same checks, for AVIF."""
    formats = _avif_formats()
    if not formats:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=formats) as image:
                width, height = image.size
    except UnidentifiedImageError:
        return False
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _MediaProblem(
            _("it claims a size too large to decode safely (a decompression bomb?)")
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise _MediaProblem(
            _("it cannot be read (%(error)s)") % {"error": str(error)[:100]}
        ) from None
    if width * height > limits.max_image_pixels:
        raise _MediaProblem(
            _("it has %(mp)s megapixels, more than the limit of %(limit)s")
            % {
                "mp": f"{width * height / 1e6:.1f}",
                "limit": f"{limits.max_image_pixels / 1e6:g}",
            }
        )
    return True


def _image_problem(problem: object) -> IngestFailed:
    return IngestFailed(
        _(
            "This image cannot be used: %(problem)s. Save it again as a JPEG or PNG, smaller if "
            "need be, and upload it again."
        )
        % {"problem": str(problem).rstrip(".")}
    )


def _probe_upload_image(path: Path, limits: UploadLimits) -> MediaFacts | None:
    """Facts about an image, None if Pillow does not see one; IngestFailed if it is bad."""
    try:
        is_image = _probe_image(path, limits.for_probing()) or _probe_avif(path, limits)
    except _MediaProblem as problem:
        raise _image_problem(problem) from None
    if not is_image:
        return None
    # The header is known to be safe now (no bomb); read what the limits need.
    try:
        with Image.open(path, formats=upload_image_formats()) as image:
            width, height = image.size
            icc = image.info.get("icc_profile") or b""
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise _image_problem(error) from None
    if max(width, height) > limits.max_side:
        raise IngestFailed(
            _(
                "This image is %(width)d × %(height)d pixels; at most %(limit)d pixels per side. "
                "Save it at a smaller size and upload it again."
            )
            % {"width": width, "height": height, "limit": limits.max_side}
        )
    if len(icc) > MAX_ICC_PROFILE_BYTES:
        raise IngestFailed(
            _(
                "This image carries a colour profile of %(size)s, far larger than a real one "
                "(at most %(limit)s). Save it again without the embedded colour profile (or "
                "converted to sRGB) and upload it again."
            )
            % {"size": file_size_words(len(icc)), "limit": file_size_words(MAX_ICC_PROFILE_BYTES)}
        )
    return MediaFacts(kind=Clip.MediaKind.IMAGE, width=width, height=height)


def _open_limited(path: Path, formats: str) -> av.container.InputContainer:
    # Only the demuxers named, and only local files: FFmpeg can also follow playlists and
    # concatenation lists to other files or URLs, which an upload must never make it do.
    return av.open(
        str(path),
        container_options={"format_whitelist": formats, "protocol_whitelist": "file"},
    )


def _is_cover_art(stream: av.stream.Stream) -> bool:
    # Music files carry album art as a one-picture "video" stream.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _has_sound_only(path: Path) -> bool:
    try:
        with _open_limited(path, AUDIO_FORMATS) as container:
            pictures = [s for s in container.streams.video if not _is_cover_art(s)]
            return bool(container.streams.audio) and not pictures
    except (av.error.FFmpegError, OSError, ValueError):
        return False


def sound_only_message() -> str:
    return _(
        "This file has sound but no picture. Upload the video this sound belongs to, or an image."
    )


def _text_kind(head: bytes) -> str | None:
    """ "html" or "text" if the file's start reads as text; None for binary data."""
    if not head or b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the 4 kB window is still text.
        if error.start < len(head) - 3:
            return None
        text = head[: error.start].decode("utf-8")
    text = text.removeprefix("\ufeff")  # a byte-order mark is not content
    printable = sum(ch.isprintable() or ch in "\t\r\n\f" for ch in text)
    if printable < 0.95 * len(text):
        return None
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body", "<?xml", "<svg")) or (
        "<html" in lowered
    ):
        return "html"
    return "text"


def _unreadable(path: Path) -> IngestFailed:
    """The most helpful thing to say about a file no decoder accepts."""
    with path.open("rb") as file:
        head = file.read(4096)
    kind = _text_kind(head)
    if kind is None and (head.startswith(b"ID3") or _has_sound_only(path)):
        return IngestFailed(sound_only_message())
    if kind == "html":
        return IngestFailed(
            _(
                "This file is not a video or image we can read (it looks like a web page: the "
                "download may have saved the page instead of the video). Download the video "
                "itself, or export it as MP4 or JPEG, and upload it again."
            )
        )
    if kind == "text":
        return IngestFailed(
            _(
                "This file is not a video or image we can read (it looks like text). Export it "
                "as MP4 or JPEG and upload it again."
            )
        )
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3":
        return IngestFailed(
            _(
                "This video file is damaged or incomplete: its index cannot be read, which "
                "usually means copying or exporting stopped part-way. Export or copy it again "
                "and upload it again."
            )
        )
    return IngestFailed(
        _(
            "This file is not a video or image we can read. Export it as MP4 (video) or as "
            "JPEG or PNG (image) and upload it again."
        )
    )


def too_long_message(duration_s: float, limit_s: float) -> str:
    return _(
        "This video lasts %(duration)s; a clip may be at most %(limit)s. Trim it to the part "
        "students should see and upload it again."
    ) % {"duration": duration_words(duration_s), "limit": duration_words(limit_s)}


def _probe_upload_video(path: Path, limits: UploadLimits) -> MediaFacts:
    try:
        container = _open_limited(path, VIDEO_FORMATS)
    except (av.error.FFmpegError, OSError, ValueError):
        raise _unreadable(path) from None
    with container:
        pictures = [s for s in container.streams.video if not _is_cover_art(s)]
        has_audio = bool(container.streams.audio)
        if not pictures:
            if has_audio:
                raise IngestFailed(sound_only_message())
            raise IngestFailed(
                _(
                    "This file has no picture in it. Upload a video (MP4, MOV, WebM or MKV) or "
                    "an image."
                )
            )
        stream = pictures[0]
        if stream is not container.streams.video[0]:
            # iter_video_frames decodes the first video stream; a file that puts cover art
            # before its picture is rare enough to refuse with a clear way out.
            raise IngestFailed(
                _("This video has a cover picture before its footage. Export it again as MP4.")
            )
        width, height = stream.codec_context.width, stream.codec_context.height
        duration_s: float | None = None
        if stream.duration and stream.time_base:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration:
            duration_s = container.duration / 1_000_000
        start_s = float(stream.start_time * stream.time_base) if stream.start_time else 0.0
    if not width or not height:
        raise _unreadable(path)
    if max(width, height) > limits.max_side:
        raise IngestFailed(
            _(
                "This video is %(width)d × %(height)d pixels; at most %(limit)d pixels per side. "
                "Export it at a smaller size (1080p is plenty) and upload it again."
            )
            % {"width": width, "height": height, "limit": limits.max_side}
        )
    if duration_s is not None and duration_s > limits.max_seconds + 0.25:
        raise IngestFailed(too_long_message(duration_s, limits.max_seconds))
    return MediaFacts(
        kind=Clip.MediaKind.VIDEO,
        width=width,
        height=height,
        duration_s=duration_s,
        has_audio=has_audio,
        video_start_s=start_s,
    )


def probe_upload(path: Path, limits: UploadLimits | None = None) -> MediaFacts:
    """Decide by content (never the name or declared type) whether `path` is an image or a
    video Second Look can take, within the limits; IngestFailed says why not. Reads headers
    only: decoding happens while transcoding, which checks the frames again."""
    limits = limits or UploadLimits.from_settings()
    if path.stat().st_size == 0:
        raise IngestFailed(empty_file_message())
    image = _probe_upload_image(path, limits)
    if image is not None:
        return image
    return _probe_upload_video(path, limits)


# --------------------------------------------------------------------------------------------
# Video with sound: encode_video's output, plus AAC
# --------------------------------------------------------------------------------------------

# FFmpeg's AV_CODEC_FLAG_BITEXACT: without it the AAC encoder writes "Lavc<version>" into
# the first frame's fill element, an encoder signature like x264's SEI.
_BITEXACT_OPTIONS = {"flags": "+bitexact"}
_MP4_OPTIONS = {"movflags": "+faststart", "fflags": "+bitexact"}


class SoundUnreadable(Exception):
    """The picture is fine but the sound the uploader asked to keep cannot be decoded."""


def _encode_sound(source: Path, dst: Path, *, start_s: float, duration_s: float) -> int:
    """Write the first audio stream of `source` to `dst` as AAC in MP4, re-timed so that 0 is
    `start_s` on the source's timeline (where the first video frame is) and cut at
    `duration_s`; return how many samples were written (0: no sound at all)."""
    wanted = max(0, round(duration_s * AUDIO_RATE))
    written = 0
    skip: int | None = None  # at the start: samples to drop (> 0) or silence to add (< 0)
    resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
    with (
        _open_limited(source, VIDEO_FORMATS) as container,
        av.open(str(dst), mode="w", format="mp4", container_options=_MP4_OPTIONS) as output,
    ):
        output.metadata.clear()
        stream = output.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
        stream.bit_rate = AUDIO_BIT_RATE
        stream.options = dict(_BITEXACT_OPTIONS)
        stream.metadata.clear()

        def emit(samples: np.ndarray) -> None:
            nonlocal written
            samples = samples[:, : max(0, wanted - written)]
            if not samples.shape[1]:
                return
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples, dtype=np.float32),
                format="fltp",
                layout=AUDIO_LAYOUT,
            )
            frame.sample_rate = AUDIO_RATE
            frame.pts = written
            frame.time_base = Fraction(1, AUDIO_RATE)
            output.mux(stream.encode(frame))
            written += samples.shape[1]

        try:
            for decoded in container.decode(container.streams.audio[0]):
                if skip is None:
                    first = decoded.time if decoded.time is not None else start_s
                    skip = round((start_s - first) * AUDIO_RATE)
                    if skip < 0:
                        emit(np.zeros((2, -skip), dtype=np.float32))
                for chunk in resampler.resample(decoded):
                    samples = chunk.to_ndarray()
                    if skip > 0:
                        dropped = min(skip, samples.shape[1])
                        samples, skip = samples[:, dropped:], skip - dropped
                    emit(samples)
                if written >= wanted:
                    break
            for chunk in resampler.resample(None):
                emit(chunk.to_ndarray()[:, max(0, skip or 0) :])
        except (av.error.FFmpegError, ValueError) as error:
            raise SoundUnreadable(str(error)) from error
        output.mux(stream.encode(None))
    return written


def _packet_time(packet: av.Packet) -> float:
    stamp = packet.dts if packet.dts is not None else packet.pts
    return float(stamp * packet.time_base) if stamp is not None and packet.time_base else 0.0


def _interleave(
    picture: Iterator[tuple[av.Packet, Any]], sound: Iterator[tuple[av.Packet, Any]]
) -> Iterator[tuple[av.Packet, Any]]:
    """(packet, output stream) pairs of both inputs in time order, so the file plays (and
    streams over range requests) without jumping back and forth."""
    pending = next(sound, None)
    for pair in picture:
        while pending is not None and _packet_time(pending[0]) <= _packet_time(pair[0]):
            yield pending
            pending = next(sound, None)
        yield pair
    while pending is not None:
        yield pending
        pending = next(sound, None)


def encode_video_with_audio(
    frames: Iterable[tuple[float, np.ndarray]],
    dst: Path,
    *,
    audio_source: Path,
    audio_start_s: float = 0.0,
    fps: int = OUTPUT_FPS,
    max_height: int = 720,
) -> VideoInfo:
    """encode_video, with the first audio stream of `audio_source` kept as AAC.

    The picture is encoded by encode_video itself, so it is normalised and stripped exactly
    like every other clip; the sound is encoded once the same way for every clip (AAC-LC,
    48 kHz stereo, 128 kbit/s); then both are copied packet for packet into one MP4 with
    encode_video's container treatment: no container or stream tags, "+bitexact" (no
    "Lavf"/"Lavc" signatures), fast start. Raises SoundUnreadable if the sound cannot be
    decoded. Written beside `dst` and renamed, so `dst` is complete or untouched.
    """
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    picture = dst.with_name(f".{dst.stem}-{token}-picture.mp4")
    sound = dst.with_name(f".{dst.stem}-{token}-sound.mp4")
    joined = dst.with_name(f".{dst.stem}-{token}-joined.mp4")
    try:
        info = encode_video(frames, picture, fps=fps, max_height=max_height)
        samples = _encode_sound(
            audio_source, sound, start_s=audio_start_s, duration_s=info.duration_s
        )
        if not samples:
            # An audio stream with nothing in it: the clip is silent, like a dropped one.
            os.replace(picture, dst)
            return info
        with (
            av.open(str(picture)) as picture_in,
            av.open(str(sound)) as sound_in,
            av.open(str(joined), mode="w", format="mp4", container_options=_MP4_OPTIONS) as output,
        ):
            output.metadata.clear()
            picture_stream = picture_in.streams.video[0]
            sound_stream = sound_in.streams.audio[0]
            picture_out = output.add_stream_from_template(picture_stream)
            sound_out = output.add_stream_from_template(sound_stream)
            picture_out.metadata.clear()
            sound_out.metadata.clear()
            for packet, target in _interleave(
                ((p, picture_out) for p in picture_in.demux(picture_stream) if p.size),
                ((p, sound_out) for p in sound_in.demux(sound_stream) if p.size),
            ):
                packet.stream = target
                output.mux(packet)
        os.replace(joined, dst)
    finally:
        for leftover in (picture, sound, joined):
            leftover.unlink(missing_ok=True)
    return info


# --------------------------------------------------------------------------------------------
# The pipeline (Celery worker)
# --------------------------------------------------------------------------------------------


def _set_stage(clip_id: int, stage: str) -> None:
    # One small autocommitted UPDATE, and only while processing: a clip someone marked
    # failed (or a faster duplicate run marked ready) is not touched.
    Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING).update(stage=stage)


def _output_max_height(width: int, height: int) -> int:
    """The max_height that fits the picture in 1920 x 1080 (1080 x 1920 when portrait)."""
    long_side, short_side = max(width, height), min(width, height)
    scale = min(1.0, OUTPUT_LONG_SIDE / long_side, OUTPUT_SHORT_SIDE / short_side)
    return max(2, math.floor(height * scale))


class _FrameWatch:
    """Watches frames on their way to the encoder, so one decoding pass does everything:
    reports progress, keeps small copies of the frames the thumbnails show, and notes where
    decoding stopped (to catch files cut off part-way)."""

    def __init__(
        self,
        *,
        duration_s: float | None,
        on_progress: Callable[[int], None],
    ) -> None:
        self.duration_s = duration_s
        self.on_progress = on_progress
        self.targets = thumbnail_times(duration_s) if duration_s else []
        self.thumbnails: list[Image.Image] = []
        self.last_t: float | None = None
        self.gap = 1.0 / OUTPUT_FPS
        self._last_report = time.monotonic()
        self._last_percent = -1
        self._last_frame: np.ndarray | None = None

    @staticmethod
    def _small(rgb: np.ndarray) -> Image.Image:
        image = Image.fromarray(rgb)
        image.thumbnail((THUMBNAIL_SIDE * 2, THUMBNAIL_SIDE * 2), Image.Resampling.BILINEAR)
        return image

    def watch(
        self, frames: Iterable[tuple[float, np.ndarray]]
    ) -> Iterator[tuple[float, np.ndarray]]:
        for t, rgb in frames:
            if self.last_t is not None and t - self.last_t > 0:
                self.gap = t - self.last_t
            self.last_t = t
            self._last_frame = rgb
            while (
                len(self.thumbnails) < len(self.targets)
                and t >= self.targets[len(self.thumbnails)] - 1e-6
            ):
                self.thumbnails.append(self._small(rgb))
            if self.duration_s:
                percent = min(99, int(100 * t / self.duration_s))
                now = time.monotonic()
                if percent != self._last_percent and now - self._last_report >= PROGRESS_INTERVAL_S:
                    self._last_report, self._last_percent = now, percent
                    self.on_progress(percent)
            yield t, rgb
        # A video shorter than its header said: the last frame stands in for the rest.
        if self._last_frame is not None:
            while len(self.thumbnails) < len(self.targets):
                self.thumbnails.append(self._small(self._last_frame))
            self._last_frame = None

    @property
    def decoded_s(self) -> float:
        return 0.0 if self.last_t is None else self.last_t + self.gap


def _with_first(first: tuple[float, np.ndarray], rest: Iterator[tuple[float, np.ndarray]]):
    yield first
    yield from rest


def _wrapped(problem: _MediaProblem) -> IngestFailed:
    return IngestFailed(
        _(
            "This video cannot be used: %(problem)s. Trim it or export it at a smaller size, then "
            "upload it again."
        )
        % {"problem": str(problem).rstrip(".")}
    )


def _transcode_video(
    clip: Clip, source: Path, facts: MediaFacts, run_dir: Path, limits: UploadLimits
) -> tuple[VideoInfo, Path, list[Image.Image]]:
    """Decode once, encode once; return the output's facts, its path and the thumbnails."""
    clip_id = clip.pk
    watch = _FrameWatch(
        duration_s=facts.duration_s,
        on_progress=lambda percent: _set_stage(clip_id, f"{STAGE_TRANSCODING} {percent} %"),
    )
    output = run_dir / "clip.mp4"
    limited = _limited_frames(source, limits.for_probing())
    frames = watch.watch(limited)
    try:
        try:
            first = next(frames)
        except StopIteration:
            raise IngestFailed(
                _(
                    "No picture in this video could be decoded. Export it again as MP4 and "
                    "upload it again."
                )
            ) from None
        # The first decoded frame has the real size (after any rotation flag is applied).
        max_height = _output_max_height(first[1].shape[1], first[1].shape[0])
        stream = _with_first(first, frames)
        if clip.keep_audio and facts.has_audio:
            info = encode_video_with_audio(
                stream,
                output,
                audio_source=source,
                audio_start_s=facts.video_start_s,
                fps=OUTPUT_FPS,
                max_height=max_height,
            )
        else:
            info = encode_video(stream, output, fps=OUTPUT_FPS, max_height=max_height)
    except _MediaProblem as problem:
        raise _wrapped(problem) from None
    except SoundUnreadable:
        raise IngestFailed(
            _(
                "The sound of this video cannot be decoded. Upload it again without “Keep the "
                "sound”, or export it again with AAC sound."
            )
        ) from None
    except av.error.FFmpegError:
        # The picture decoder gave up part-way (the sound has its own error above).
        raise IngestFailed(
            _(
                "This video has damaged frames that cannot be decoded (after %(time)s). Export "
                "it again from the original and upload it again."
            )
            % {"time": duration_words(watch.decoded_s)}
        ) from None
    finally:
        # Close the decoder now (not when garbage collected): its file stays open otherwise.
        frames.close()
        limited.close()
    claimed = facts.duration_s
    if claimed and claimed - watch.decoded_s > max(CUT_OFF_SLACK_S, CUT_OFF_SLACK_SHARE * claimed):
        raise IngestFailed(
            _(
                "This video is cut off: it says it lasts %(claimed)s, but only the first "
                "%(read)s could be read. Copying or exporting probably stopped part-way; export "
                "or copy it again and upload it again."
            )
            % {"claimed": duration_words(claimed), "read": duration_words(watch.decoded_s)}
        )
    return info, output, watch.thumbnails


def _thumbnails_from(video: Path, duration_s: float) -> list[Image.Image]:
    """Thumbnails by decoding `video`: for the rare source whose header had no duration."""
    targets = thumbnail_times(duration_s)
    picked: list[Image.Image] = []
    last: np.ndarray | None = None
    for t, rgb in iter_video_frames(video):
        last = rgb
        while len(picked) < len(targets) and t >= targets[len(picked)] - 1e-6:
            picked.append(_FrameWatch._small(rgb))
        if len(picked) == len(targets):
            break
    while last is not None and len(picked) < len(targets):
        picked.append(_FrameWatch._small(last))
    return picked


def _random_token() -> str:
    # Opaque and unrelated to the label or the upload's name: nothing to learn from a URL.
    return secrets.token_urlsafe(18)


def _place(files: list[tuple[Path, str]]) -> list[str]:
    """Move finished files into MEDIA_ROOT under their served names; return the names placed
    (all of them, or none: a failure removes what was already moved)."""
    media_root = Path(settings.MEDIA_ROOT)
    (media_root / CLIP_DIR).mkdir(parents=True, exist_ok=True)
    placed: list[str] = []
    try:
        for source, name in files:
            # A rename when both folders share a disk; a copy otherwise. Either way the file
            # is not served until the clip's row names it.
            shutil.move(source, media_root / name)
            placed.append(name)
    except BaseException:
        _remove_media(placed)
        raise
    return placed


def _remove_media(names: Iterable[str]) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    for name in names:
        if name:
            (media_root / name).unlink(missing_ok=True)


def _sweep_stale_runs(work_root: Path) -> None:
    """Remove work folders of runs that died (a killed worker cannot clean up after itself)."""
    if not work_root.is_dir():
        return
    cutoff = time.time() - STALE_RUN_SECONDS
    for folder in work_root.iterdir():
        # Another run may sweep the same folder first: then it is simply gone.
        with contextlib.suppress(FileNotFoundError):
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def _original_path(clip: Clip) -> Path | None:
    if not clip.original:
        return None
    root = Path(settings.ORIGINALS_ROOT).resolve()
    path = (root / clip.original).resolve()
    # The name is ours, but a row edited by hand must not send the worker elsewhere.
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


@dataclass
class _Outputs:
    """What a run made: the ready clip's fields, and its files with their served names (the
    media first, then the poster and thumbnails of a video)."""

    fields: dict[str, Any]
    files: list[tuple[Path, str]]


def _make_outputs(clip: Clip, source: Path, run_dir: Path) -> _Outputs:
    """Probe, check, transcode, poster, thumbnails: everything slow, all inside run_dir."""
    limits = UploadLimits.from_settings()
    _set_stage(clip.pk, STAGE_PROBING)
    facts = probe_upload(source, limits)
    Clip.objects.filter(pk=clip.pk, status=Clip.Status.PROCESSING).update(media_kind=facts.kind)
    media_token = _random_token()
    if facts.kind == Clip.MediaKind.IMAGE:
        _set_stage(clip.pk, STAGE_TRANSCODING)
        output = run_dir / "image.jpg"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(source, formats=upload_image_formats()) as image:
                    image.load()
                    info = encode_image(image, output)
        except (OSError, SyntaxError, ValueError, struct.error, Image.DecompressionBombError):
            raise IngestFailed(
                _(
                    "This image is damaged or incomplete and cannot be decoded. Save or export "
                    "it again and upload it again."
                )
            ) from None
        return _Outputs(
            fields={
                "media_kind": facts.kind,
                "width": info.width,
                "height": info.height,
                "duration_s": None,
            },
            files=[(output, f"{CLIP_DIR}/{media_token}.jpg")],
        )

    _set_stage(clip.pk, f"{STAGE_TRANSCODING} 0 %")
    info, output, thumbnails = _transcode_video(clip, source, facts, run_dir, limits)
    _set_stage(clip.pk, STAGE_POSTER)
    poster_token = _random_token()
    poster = run_dir / "poster.jpg"
    # From the normalised output, like pack imports: the poster is what the video shows.
    render_poster(output, poster)
    _set_stage(clip.pk, STAGE_THUMBNAILS)
    if not thumbnails:
        thumbnails = _thumbnails_from(output, info.duration_s)
    files = [
        (output, f"{CLIP_DIR}/{media_token}.mp4"),
        (poster, f"{CLIP_DIR}/{poster_token}.jpg"),
    ]
    for index, (image, name) in enumerate(
        zip(thumbnails, thumbnail_names(f"{CLIP_DIR}/{poster_token}.jpg"), strict=False)
    ):
        path = run_dir / f"thumbnail-{index}.jpg"
        encode_image(image, path, max_side=THUMBNAIL_SIDE)
        files.append((path, name))
    return _Outputs(
        fields={
            "media_kind": facts.kind,
            "width": info.width,
            "height": info.height,
            "duration_s": info.duration_s,
        },
        files=files,
    )


def _fail(clip_id: int, message: str) -> None:
    Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING).update(
        status=Clip.Status.FAILED, status_message=message, stage=""
    )


def clip_ingest(*, clip_id: int) -> None:
    """Turn an uploaded original into a ready clip, or a failed one with a message.

    Steps: probe the original by content; check the limits; transcode (video: H.264 in MP4,
    at most 1080p, 25 fps, sound kept as AAC or dropped; image: JPEG); render the poster and
    the thumbnail strip; move the files into MEDIA_ROOT under random names; mark the clip
    ready in one conditional UPDATE. The stage is reported along the way.

    Safe to repeat: a clip that is ready or failed is left alone. Every run works in its own
    private folder, so a run after a crash starts from the original again, and two runs at
    once cannot mix their files: the first to finish wins the conditional UPDATE and the
    other removes its own files. No database transaction is held while media work runs.
    """
    clip = Clip.objects.filter(pk=clip_id).first()
    if clip is None or clip.status != Clip.Status.PROCESSING:
        return
    source = _original_path(clip)
    if source is None:
        _fail(clip_id, _("The uploaded file is missing on the server. Upload it again."))
        return
    work_root = Path(settings.ORIGINALS_ROOT) / WORK_DIR
    _sweep_stale_runs(work_root)
    run_dir = work_root / f"{clip_id}-{secrets.token_hex(8)}"
    run_dir.mkdir(parents=True)
    placed: list[str] = []
    try:
        outputs = _make_outputs(clip, source, run_dir)
        _set_stage(clip_id, STAGE_FINISHING)
        # The original's Content Credential, for the feedback only (the served files carry
        # none); read before anything is placed, never raising on hostile files.
        provenance = read_provenance(source)
        placed = _place(outputs.files)
        names = {"media": placed[0], "poster": placed[1] if len(placed) > 1 else ""}
        updated = Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING).update(
            status=Clip.Status.READY,
            status_message="",
            stage="",
            provenance=provenance,
            **names,
            **outputs.fields,
        )
        if not updated:
            # Someone else decided first (a duplicate run, or the clip was removed): the
            # files placed here belong to no clip.
            _remove_media(placed)
    except IngestFailed as failure:
        _remove_media(placed)
        _fail(clip_id, str(failure))
    except (MemoryError, SoftTimeLimitExceeded):
        # A file within every limit can still be too much work (8K at 240 fps, say).
        _remove_media(placed)
        _fail(clip_id, _too_heavy_message())
    except Exception:
        # Hostile files break decoders in every way there is; whatever happened, the clip
        # must not stay "processing" for ever, and the uploader gets a way forward.
        _remove_media(placed)
        log.exception("ingest of clip %s failed unexpectedly", clip_id)
        _fail(
            clip_id,
            _(
                "Something went wrong while processing this file. Upload it again; if that "
                "fails too, export it as MP4 or JPEG first."
            ),
        )
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _too_heavy_message() -> str:
    return _(
        "Processing this file took more time or memory than the server allows. Trim it or "
        "export it at a smaller size, then upload it again."
    )


__all__ = [
    "IngestFailed",
    "IngestProgress",
    "MediaFacts",
    "UploadLimits",
    "UploadRefused",
    "clean_original_name",
    "clip_ingest",
    "clip_thumbnails",
    "clip_upload_create",
    "encode_video_with_audio",
    "ingest_progress",
    "probe_upload",
    "queue_clip_ingest",
    "thumbnail_names",
    "thumbnail_times",
    "too_big_message",
    "uploads_for",
    "user_may_upload",
]
