"""Uploads: a teacher's file becomes a clip, and the ingest task turns it into served media.

Two halves, with a Celery queue between them (DESIGN.md "How data flows", step 1):

- `clip_upload_create` runs in the web request. It checks who is uploading and the file's
  size, keeps the original privately under ORIGINALS_ROOT with a random name, and creates the
  Clip in state "processing". Nothing else: the slow work is queued after commit.
- `clip_ingest` runs in a worker: probe the original by its content (quiz.media.probe, the
  probe pack imports use too), check it against the upload limits, transcode it to the one
  normalised encoding (quiz.media.encode, which strips every tag and the encoder's
  signature), render the poster and a strip of thumbnails, and mark the clip ready, or
  failed with a message the uploader can act on.

The truth must never leak through media (DESIGN.md "Integrity rules"): served files get
random names (quiz.media.files), never the client's; the client's name, cleaned, is kept only
for the uploader's own list. Work happens in a private folder per run and reaches MEDIA_ROOT
only when the clip is about to become ready, so a failed or crashed run leaves no media
behind and no half-made clip is ever visible.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import secrets
import shutil
import struct
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
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
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import User
from quiz.background import enqueue
from quiz.media.audio import SoundUnreadable, encode_video_with_audio
from quiz.media.encode import (
    VideoInfo,
    encode_image,
    encode_video,
    iter_video_frames,
    render_poster,
)
from quiz.media.files import (
    THUMBNAIL_COUNT,
    clean_original_name,
    duration_words,
    file_size_words,
    original_path,
    original_remove,
    original_store,
    place_media,
    remove_media,
    served_name,
    thumbnail_names,
)
from quiz.media.probe import (
    IMAGE,
    IMAGE_FORMATS,
    MediaFacts,
    MediaLimits,
    MediaProblem,
    avif_formats,
    limited_frames,
    probe_media,
    unreadable_reason,
)
from quiz.media.provenance import read_provenance
from quiz.models import Clip
from quiz.selectors.uploads import (
    STAGE_FINISHING,
    STAGE_POSTER,
    STAGE_PROBING,
    STAGE_QUEUED,
    STAGE_THUMBNAILS,
    STAGE_TRANSCODING,
    transcoding_stage,
)
from quiz.services.upload_messages import (
    already_in_library_message,
    empty_file_message,
    sound_only_message,
    too_big_message,
    too_heavy_message,
    too_long_message,
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

THUMBNAIL_SIDE = 160
# Originals under ORIGINALS_ROOT (private).
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


class UploadRefused(Exception):
    """The upload was refused at once (nothing stored); the message is for the uploader."""


class IngestFailed(Exception):
    """The file cannot become a clip; the message says why and what to do, for a person."""


# --------------------------------------------------------------------------------------------
# The limits, and what the uploader is told
# --------------------------------------------------------------------------------------------


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

    def for_probing(self) -> MediaLimits:
        """The limits on the file, in the shape quiz.media.probe takes them."""
        return MediaLimits(
            max_image_pixels=self.max_image_pixels,
            max_video_side=self.max_side,
            max_video_seconds=self.max_seconds,
        )


# --------------------------------------------------------------------------------------------
# The upload (web request)
# --------------------------------------------------------------------------------------------


def _same_file_in_library(uploader: User, digest: str) -> Clip | None:
    """A clip the uploader can already see that was made from a file with these bytes
    (failed ones aside: uploading again is what their message asks for)."""
    return (
        Clip.objects.visible_to(uploader)
        .filter(original_sha256=digest)
        .exclude(status=Clip.Status.FAILED)
        .order_by("id")
        .first()
    )


def _sniffed_kind(head: bytes) -> str:
    """A first guess at the kind from magic numbers, shown while the clip is processing; the
    ingest task decides for real by decoding."""
    image_magic = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")
    if head.startswith(image_magic) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return Clip.MediaKind.IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"heic", b"mif1"):
        return Clip.MediaKind.IMAGE
    return Clip.MediaKind.VIDEO


def _queue_ingest(clip_id: int) -> None:
    # A clip whose message is lost stays "queued"; clip_ingest_requeue sends it again, and
    # the task is safe to run twice.
    enqueue("quiz.tasks.clip_ingest", clip_id)


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
    if not uploader.may_upload:
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
    original = original_store(upload, folder=ORIGINALS_DIR)
    try:
        with original_path(original, folder=ORIGINALS_DIR).open("rb") as stored:
            kind = _sniffed_kind(stored.read(16))
            stored.seek(0)
            digest = hashlib.file_digest(stored, "sha256").hexdigest()
        already = _same_file_in_library(uploader, digest)
        if already is not None:
            raise UploadRefused(already_in_library_message(already))
        with transaction.atomic():
            clip = Clip.objects.create(
                # Every clip has a key of its own, so an exported pack names each one (two
                # uploads of one file would otherwise get the same content-made key).
                key=f"upload-{secrets.token_hex(8)}",
                original_sha256=digest,
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
            transaction.on_commit(partial(_queue_ingest, clip.pk))
    except BaseException:
        original_remove(original, folder=ORIGINALS_DIR)
        raise
    return clip


# --------------------------------------------------------------------------------------------
# Probing by content, in the uploader's words
# --------------------------------------------------------------------------------------------


def upload_image_formats() -> tuple[str, ...]:
    """Pillow plugins an upload may use: those packs may use, plus AVIF where Pillow has it."""
    return (*IMAGE_FORMATS, *avif_formats())


def thumbnail_times(duration_s: float, count: int = THUMBNAIL_COUNT) -> list[float]:
    """The moments the thumbnails show: the middles of `count` equal parts of the clip."""
    return [(index + 0.5) * duration_s / count for index in range(count)]


def _unreadable(path: Path) -> IngestFailed:
    """The most helpful thing to say about a file no decoder accepts."""
    reason = unreadable_reason(path)
    if reason == "sound_only":
        return IngestFailed(sound_only_message())
    if reason == "web_page":
        return IngestFailed(
            _(
                "This file is not a video or image we can read (it looks like a web page: the "
                "download may have saved the page instead of the video). Download the video "
                "itself, or export it as MP4 or JPEG, and upload it again."
            )
        )
    if reason == "text":
        return IngestFailed(
            _(
                "This file is not a video or image we can read (it looks like text). Export it "
                "as MP4 or JPEG and upload it again."
            )
        )
    if reason == "damaged_index":
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


def _image_problem(problem: object) -> IngestFailed:
    return IngestFailed(
        _(
            "This image cannot be used: %(problem)s. Save it again as a JPEG or PNG, smaller if "
            "need be, and upload it again."
        )
        % {"problem": str(problem).rstrip(".")}
    )


def _refusal(problem: MediaProblem, path: Path) -> IngestFailed:
    """The probe's problem as the uploader is told it: what is wrong and what to do."""
    code = problem.code
    if code == "empty":
        return IngestFailed(empty_file_message())
    if code.startswith("image_"):
        return _image_problem(problem)
    if code == "sound_only":
        return IngestFailed(sound_only_message())
    if code == "no_picture":
        return IngestFailed(
            _("This file has no picture in it. Upload a video (MP4, MOV, WebM or MKV) or an image.")
        )
    if code == "cover_art_first":
        return IngestFailed(
            _("This video has a cover picture before its footage. Export it again as MP4.")
        )
    if code == "too_large":
        return IngestFailed(
            _(
                "This video is %(width)d × %(height)d pixels; at most %(limit)d pixels per side. "
                "Export it at a smaller size (1080p is plenty) and upload it again."
            )
            % problem.params
        )
    if code == "too_long" and problem.params.get("duration_s") is not None:
        return IngestFailed(
            too_long_message(problem.params["duration_s"], problem.params["limit_s"])
        )
    if code in ("unreadable", "no_picture_size"):
        return _unreadable(path)
    return _wrapped(problem)


def probe_upload(path: Path, limits: UploadLimits | None = None) -> MediaFacts:
    """Decide by content (never the name or declared type) whether `path` is an image or a
    video Second Look can take, within the upload limits; IngestFailed says why not, in
    words the uploader can act on. Reads headers only: decoding happens while transcoding,
    which checks the frames again."""
    limits = limits or UploadLimits.from_settings()
    try:
        facts = probe_media(path, limits.for_probing(), image_formats=upload_image_formats())
    except MediaProblem as problem:
        raise _refusal(problem, path) from None
    if facts.kind != IMAGE:
        return facts
    if max(facts.width, facts.height) > limits.max_side:
        raise IngestFailed(
            _(
                "This image is %(width)d × %(height)d pixels; at most %(limit)d pixels per side. "
                "Save it at a smaller size and upload it again."
            )
            % {"width": facts.width, "height": facts.height, "limit": limits.max_side}
        )
    if facts.icc_profile_bytes > MAX_ICC_PROFILE_BYTES:
        raise IngestFailed(
            _(
                "This image carries a colour profile of %(size)s, far larger than a real one "
                "(at most %(limit)s). Save it again without the embedded colour profile (or "
                "converted to sRGB) and upload it again."
            )
            % {
                "size": file_size_words(facts.icc_profile_bytes),
                "limit": file_size_words(MAX_ICC_PROFILE_BYTES),
            }
        )
    return facts


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


def _wrapped(problem: MediaProblem) -> IngestFailed:
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
        on_progress=lambda percent: _set_stage(clip_id, transcoding_stage(percent)),
    )
    output = run_dir / "clip.mp4"
    limited = limited_frames(source, limits.for_probing())
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
    except MediaProblem as problem:
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
    try:
        path = original_path(clip.original, folder=ORIGINALS_DIR)
    except ValueError:
        return None
    return path if path.is_file() else None


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
            files=[(output, served_name(".jpg"))],
        )

    _set_stage(clip.pk, transcoding_stage(0))
    info, output, thumbnails = _transcode_video(clip, source, facts, run_dir, limits)
    _set_stage(clip.pk, STAGE_POSTER)
    poster = run_dir / "poster.jpg"
    # From the normalised output, like pack imports: the poster is what the video shows.
    render_poster(output, poster)
    _set_stage(clip.pk, STAGE_THUMBNAILS)
    if not thumbnails:
        thumbnails = _thumbnails_from(output, info.duration_s)
    poster_name = served_name(".jpg")
    files = [(output, served_name(".mp4")), (poster, poster_name)]
    for index, (image, name) in enumerate(
        zip(thumbnails, thumbnail_names(poster_name), strict=False)
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
    """Mark the clip failed and drop its original at once: a file that could not become a
    clip (possibly a hostile one) is not kept. The row stays, so the uploader sees the
    message, until failed_uploads_remove() clears it a day later."""
    original = (
        Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING)
        .values_list("original", flat=True)
        .first()
    )
    updated = Clip.objects.filter(pk=clip_id, status=Clip.Status.PROCESSING).update(
        status=Clip.Status.FAILED, status_message=message, stage="", original=""
    )
    if updated and original:
        original_remove(original, folder=ORIGINALS_DIR)


def failed_uploads_remove(*, older_than: timedelta | None = None) -> int:
    """Delete failed uploads (row and any file left) once their uploader has had time to
    read the message: FAILED_UPLOAD_KEEP_HOURS after the upload. Returns how many went."""
    if older_than is None:
        older_than = timedelta(hours=settings.FAILED_UPLOAD_KEEP_HOURS)
    cutoff = timezone.now() - older_than
    removed = 0
    for clip in Clip.objects.filter(status=Clip.Status.FAILED, created_at__lt=cutoff):
        # A failed clip never became playable, so nothing (a quiz round, an answer) can
        # point at it; delete() would refuse if something did, and the clip then stays.
        original = clip.original
        try:
            with transaction.atomic():
                clip.delete()
        except ProtectedError:
            log.warning("failed upload %s is referenced; kept", clip.pk)
            continue
        original_remove(original, folder=ORIGINALS_DIR)
        removed += 1
    return removed


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
        placed = place_media(outputs.files)
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
            remove_media(placed)
    except IngestFailed as failure:
        remove_media(placed)
        _fail(clip_id, str(failure))
    except (MemoryError, SoftTimeLimitExceeded):
        # A file within every limit can still be too much work (8K at 240 fps, say).
        remove_media(placed)
        _fail(clip_id, too_heavy_message())
    except Exception:
        # Hostile files break decoders in every way there is; whatever happened, the clip
        # must not stay "processing" for ever, and the uploader gets a way forward.
        remove_media(placed)
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


__all__ = [
    "IngestFailed",
    "UploadLimits",
    "UploadRefused",
    "clip_ingest",
    "clip_upload_create",
    "probe_upload",
    "thumbnail_times",
    "too_big_message",
    "upload_image_formats",
]
