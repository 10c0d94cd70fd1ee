"""The one probe: what a media file is, judged by its content, and what it says about itself.

Uploads (quiz.services.uploads) and clip packs (quiz.packs.importer) both run every file
through `probe_media` before anything decodes it. It reads headers only, through an allow list
of demuxers and Pillow plugins, refuses decompression bombs and files over the limits, and
returns `MediaFacts`: the kind, size and duration the pipeline needs, and the tags, EXIF, ICC
profile and JPEG segments the file carries (the tests use those to prove that normalisation
threw them away).

A refusal is a `MediaProblem` with a stable `code` and a default message, a clause in the
words of the pack importer ("the video is longer than 180 seconds"); each caller words the
codes it cares about its own way. `limited_frames` decodes within the same limits, for the
moment headers turn out to have lied.

Plain media code: PyAV, Pillow and gettext, no models, no database.
"""

from __future__ import annotations

import contextlib
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from quiz.media.encode import iter_video_frames
from quiz.media.files import shown

IMAGE = "image"
VIDEO = "video"

# Demuxers a video may use. FFmpeg can also open playlists and concatenation lists that pull
# in other files or URLs; those must never run on a file from outside.
VIDEO_FORMATS = "mov,mp4,matroska,webm,avi,mpegts"
# Pillow plugins an image may use; some others (EPS) hand the file to external programs.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
# Demuxers tried only to tell "sound without picture" apart from "unreadable"; the file is
# never decoded with them. Raw MP3 and ADTS are left out: their probes find "frames" in
# random bytes, so a damaged file would be called music. (An MP3 with an ID3 tag is
# recognised by the tag.)
AUDIO_FORMATS = "wav,w64,flac,ogg,aiff,mov,mp4,matroska,webm"
# A source faster than this is not footage a learner can watch; it bounds decoding work when
# a file lies about its duration.
MAX_SOURCE_FPS = 240
# Re-encoding to constant 25 fps can move a clip's end by a frame or two, and container
# headers round: a video this much over the length limit is still within it.
DURATION_SLACK_S = 0.25
# Pillow's JFIF housekeeping (version, density) is the same for every file and says nothing
# about the picture, so it is not reported as a tag.
_JFIF_HOUSEKEEPING = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi"}


@dataclass(frozen=True)
class MediaLimits:
    """What one file may cost: pixels of an image, and the side and length of a video."""

    max_image_pixels: int
    max_video_side: int
    max_video_seconds: float


class MediaProblem(Exception):
    """Why a file cannot be used. `code` is stable (callers word it their own way), `params`
    hold the numbers, and str() is the default message, a clause for the person."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class StreamFacts:
    type: str  # "video", "audio", "data", ...
    codec: str | None
    tags: dict[str, str]


@dataclass(frozen=True)
class MediaFacts:
    """What a file's headers say, once it is known to be a picture Second Look can read."""

    kind: str  # IMAGE or VIDEO (the values of Clip.MediaKind)
    width: int
    height: int
    # Pillow's format name for an image ("JPEG"), the demuxer's for a video.
    format: str = ""
    codec: str | None = None
    duration_s: float | None = None
    has_audio: bool = False
    # Where the first video frame sits on the file's timeline (sound is aligned to it).
    video_start_s: float = 0.0
    pix_fmt: str | None = None
    # An image's Pillow mode ("RGB", "L", "RGBA", ...).
    mode: str | None = None
    fps: float | None = None
    frame_count: int | None = None
    # What the file says about itself: container tags (an image's info), every stream with
    # its tags, EXIF, the size of an embedded colour profile, and a JPEG's segments.
    tags: dict[str, str] = field(default_factory=dict)
    streams: tuple[StreamFacts, ...] = ()
    exif: dict[str, str] = field(default_factory=dict)
    icc_profile_bytes: int = 0
    jpeg_markers: tuple[str, ...] = ()


def _number(value: float) -> str:
    return f"{round(value, 6):g}"


def avif_formats() -> tuple[str, ...]:
    """("AVIF",) where this Pillow reads AVIF, else ()."""
    Image.init()
    return ("AVIF",) if "AVIF" in Image.OPEN else ()


def open_container(path: Path, formats: str) -> av.container.InputContainer:
    """Open a local file with only the demuxers named: FFmpeg could otherwise follow
    playlists and concatenation lists to other files or URLs."""
    return av.open(
        str(path),
        container_options={"format_whitelist": formats, "protocol_whitelist": "file"},
    )


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def jpeg_markers(data: bytes) -> tuple[str, ...]:
    """Names of the JPEG segments before the image data, e.g. ("SOI", "APP0", "DQT", ...)."""
    names = {0xC0: "SOF0", 0xC2: "SOF2", 0xC4: "DHT", 0xDB: "DQT", 0xDD: "DRI", 0xFE: "COM"}
    markers = ["SOI"] if data[:2] == b"\xff\xd8" else []
    offset = 2
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        code = data[offset + 1]
        name = f"APP{code - 224}" if 224 <= code <= 239 else names.get(code, f"0x{code:02X}")
        markers.append(name)
        if code == 0xDA:  # start of scan: entropy-coded data follows
            markers[-1] = "SOS"
            break
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        offset += 2 + length
    return tuple(markers)


def _probe_image(
    path: Path, limits: MediaLimits | None, formats: tuple[str, ...]
) -> MediaFacts | None:
    """Facts about an image (header only), None if Pillow does not see one."""
    most = limits.max_image_pixels if limits else Image.MAX_IMAGE_PIXELS or 0
    try:
        # Pillow warns above its own limit and fails at twice it; either means "bomb" here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=formats) as image:
                width, height = image.size
                info = dict(image.info)
                kind_name = image.format or ""
                mode = image.mode
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaProblem(
            "image_bomb",
            _(
                "the image claims a size too large to decode safely (a decompression bomb?); "
                "the limit is %(limit)s megapixels"
            )
            % {"limit": _number(most / 1e6)},
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise MediaProblem(
            "image_unreadable",
            _("the image cannot be read (%(error)s)") % {"error": shown(str(error), 100)},
        ) from None
    if width < 1 or height < 1:
        raise MediaProblem("image_no_pixels", _("the image has no pixels"))
    if limits and width * height > limits.max_image_pixels:
        raise MediaProblem(
            "image_too_many_pixels",
            _(
                "the image is %(width)d × %(height)d pixels (%(mp)s megapixels), more than "
                "the limit of %(limit)s"
            )
            % {
                "width": width,
                "height": height,
                "mp": _number(round(width * height / 1e6, 1)),
                "limit": _number(limits.max_image_pixels / 1e6),
            },
            width=width,
            height=height,
        )
    icc = info.get("icc_profile") or b""
    # EXIF from the header only: Image.getexif() may decode the whole picture to look for it.
    exif = Image.Exif()
    if isinstance(info.get("exif"), bytes):
        with contextlib.suppress(Exception):  # a damaged EXIF block is only not reported
            exif.load(info["exif"])
    markers: tuple[str, ...] = ()
    if kind_name == "JPEG":
        with path.open("rb") as file:
            markers = jpeg_markers(file.read(65536))
    return MediaFacts(
        kind=IMAGE,
        width=width,
        height=height,
        format=kind_name,
        codec=kind_name.lower(),
        mode=mode,
        tags={k: repr(v) for k, v in info.items() if k not in _JFIF_HOUSEKEEPING},
        exif={str(k): repr(v) for k, v in exif.items()},
        icc_profile_bytes=len(icc) if isinstance(icc, bytes) else 0,
        jpeg_markers=markers,
    )


# --------------------------------------------------------------------------------------------
# Videos
# --------------------------------------------------------------------------------------------


def _is_cover_art(stream: av.stream.Stream) -> bool:
    # Music files carry album art as a one-picture "video" stream.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def too_long_problem(limits: MediaLimits, duration_s: float | None = None) -> MediaProblem:
    return MediaProblem(
        "too_long",
        _("the video is longer than %(limit)s seconds")
        % {"limit": _number(limits.max_video_seconds)},
        duration_s=duration_s,
        limit_s=limits.max_video_seconds,
    )


def _stream_facts(stream: av.stream.Stream) -> StreamFacts:
    context = stream.codec_context
    return StreamFacts(
        type=stream.type,
        codec=context.name if context is not None else None,
        tags=dict(stream.metadata),
    )


def _video_facts(container: av.container.InputContainer) -> MediaFacts:
    pictures = [s for s in container.streams.video if not _is_cover_art(s)]
    has_audio = bool(container.streams.audio)
    if not pictures:
        code = "sound_only" if has_audio else "no_picture"
        raise MediaProblem(code, _("the file has no video in it"))
    stream = pictures[0]
    if stream is not container.streams.video[0]:
        # Decoding takes the first video stream; a file that puts cover art before its
        # picture is rare enough to refuse with a clear way out.
        raise MediaProblem("cover_art_first", _("the video has a cover picture before its footage"))
    context = stream.codec_context
    if context is None:
        # A stream whose codec the first bytes do not name (a file cut off after its first
        # few hundred bytes): there is nothing to decode.
        raise MediaProblem("unreadable", _("the video's codec cannot be read"))
    duration_s: float | None = None
    if stream.duration and stream.time_base:
        duration_s = float(stream.duration * stream.time_base)
    elif container.duration:
        duration_s = container.duration / 1_000_000
    return MediaFacts(
        kind=VIDEO,
        width=context.width,
        height=context.height,
        format=container.format.name,
        codec=context.name,
        duration_s=duration_s,
        has_audio=has_audio,
        video_start_s=float(stream.start_time * stream.time_base) if stream.start_time else 0.0,
        pix_fmt=context.pix_fmt,
        fps=float(stream.average_rate) if stream.average_rate else None,
        frame_count=stream.frames,
        tags=dict(container.metadata),
        streams=tuple(_stream_facts(s) for s in container.streams),
    )


def _probe_video(path: Path, limits: MediaLimits | None) -> MediaFacts:
    try:
        with open_container(path, VIDEO_FORMATS) as container:
            facts = _video_facts(container)
    except (av.error.FFmpegError, OSError, ValueError):
        raise MediaProblem(
            "unreadable", _("the file is not a video or an image that Second Look can read")
        ) from None
    width, height, duration_s = facts.width, facts.height, facts.duration_s
    if not width or not height:
        raise MediaProblem("no_picture_size", _("the video has no picture size"))
    if limits is None:
        return facts
    if max(width, height) > limits.max_video_side:
        raise MediaProblem(
            "too_large",
            _("the video is %(width)d × %(height)d pixels; at most %(limit)d per side")
            % {"width": width, "height": height, "limit": limits.max_video_side},
            width=width,
            height=height,
            limit=limits.max_video_side,
        )
    if duration_s is not None and duration_s > limits.max_video_seconds + DURATION_SLACK_S:
        raise too_long_problem(limits, duration_s)
    return facts


# --------------------------------------------------------------------------------------------
# The probe
# --------------------------------------------------------------------------------------------


def probe_media(
    path: Path,
    limits: MediaLimits | None = None,
    *,
    image_formats: tuple[str, ...] = IMAGE_FORMATS,
) -> MediaFacts:
    """Decide by content (never the name or declared type) whether `path` is an image or a
    video Second Look can read, within `limits`; MediaProblem says why not.

    Reads headers only: decoding happens later, within the same limits (`limited_frames`).
    Without limits only Pillow's own decompression-bomb guard applies (what the tests use
    to read what a file says about itself).
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise MediaProblem("empty", _("the file is empty (0 bytes)"))
    image = _probe_image(path, limits, image_formats)
    if image is not None:
        return image
    return _probe_video(path, limits)


def limited_frames(path: Path, limits: MediaLimits) -> Iterator[tuple[float, np.ndarray]]:
    """Decoded frames, stopped as soon as a file turns out longer or bigger than its header
    claimed; headers can lie, decoded frames cannot."""
    most_frames = int(limits.max_video_seconds * MAX_SOURCE_FPS)
    frames = iter_video_frames(path)
    try:
        for count, (t, rgb) in enumerate(frames, start=1):
            if t > limits.max_video_seconds + DURATION_SLACK_S or count > most_frames:
                raise too_long_problem(limits)
            if max(rgb.shape[:2]) > limits.max_video_side:
                raise MediaProblem(
                    "frames_too_large",
                    _("the video has frames larger than %(limit)d pixels per side")
                    % {"limit": limits.max_video_side},
                )
            yield t, rgb
    finally:
        frames.close()  # closes the container now, not whenever the generator is collected


# --------------------------------------------------------------------------------------------
# What an unreadable file probably is
# --------------------------------------------------------------------------------------------


def text_kind(head: bytes) -> str | None:
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


def _has_sound_only(path: Path) -> bool:
    try:
        with open_container(path, AUDIO_FORMATS) as container:
            pictures = [s for s in container.streams.video if not _is_cover_art(s)]
            return bool(container.streams.audio) and not pictures
    except (av.error.FFmpegError, OSError, ValueError):
        return False


def unreadable_reason(path: Path) -> str:
    """What a file no decoder accepts most likely is, to say something helpful about it:
    "sound_only", "web_page", "text", "damaged_index" (a video whose index is lost) or
    "unknown"."""
    with Path(path).open("rb") as file:
        head = file.read(4096)
    kind = text_kind(head)
    if kind is None and (head.startswith(b"ID3") or _has_sound_only(path)):
        return "sound_only"
    if kind == "html":
        return "web_page"
    if kind == "text":
        return "text"
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3":
        return "damaged_index"
    return "unknown"


__all__ = [
    "AUDIO_FORMATS",
    "DURATION_SLACK_S",
    "IMAGE",
    "IMAGE_FORMATS",
    "MAX_SOURCE_FPS",
    "VIDEO",
    "VIDEO_FORMATS",
    "MediaFacts",
    "MediaLimits",
    "MediaProblem",
    "StreamFacts",
    "avif_formats",
    "jpeg_markers",
    "limited_frames",
    "open_container",
    "probe_media",
    "text_kind",
    "too_long_problem",
    "unreadable_reason",
]
