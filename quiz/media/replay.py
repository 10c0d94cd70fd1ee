"""Magnified replays: an artifact's region cropped, enlarged and slowed over its time range.

A giveaway is often a few dozen pixels for a fraction of a second (a paw that appears, a letter
that changes). The feedback therefore shows it again, large and at half speed, next to its
explanation. Replays go through the same normalised encoding as every served file
(quiz.media.encode), so they carry no tags or encoder strings either.

Pure media code (PyAV via encode, Pillow, numpy), no Django: the library's task calls it outside
any database transaction, and tests run it without a database.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from quiz.media.encode import encode_image, encode_video, iter_video_frames

# Seconds shown before and after the artifact's range, so the eye sees the change happen
# rather than start mid-way.
CONTEXT_S = 0.3
# The crop is this share of the box's own size larger on each side: a giveaway is easier to
# read against a little of what surrounds it.
MARGIN = 0.15
# A box a few pixels wide would be magnified into mush; crop at least this much of the frame.
MIN_CROP_PX = 16
# Output frame rate: the site's one encoding.
FPS = 25
# Float frame times from PyAV: a microsecond of slack so 0.72 is not lost to rounding.
_TIME_EPS = 1e-6

Box = tuple[float, float, float, float]


def _check_box(box: Box) -> Box:
    x, y, w, h = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (x, y, w, h)):
        raise ValueError(f"box values must be finite, got {box!r}")
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > 1 + 1e-9 or y + h > 1 + 1e-9:
        raise ValueError(f"box must lie within 0..1 with a positive size, got {box!r}")
    return x, y, w, h


def _span(start: float, length: float, total: int, minimum: int) -> tuple[int, int]:
    """Pixel range [lo, hi) of one axis: the span plus margin, at least `minimum` and an even
    number of pixels wide where the frame allows, inside 0..total."""
    lo = math.floor((start - MARGIN * length) * total)
    hi = math.ceil((start + length + MARGIN * length) * total)
    lo, hi = max(0, lo), min(total, hi)
    want = min(total, max(hi - lo, minimum))
    # Grow symmetrically to the minimum, then shift back inside the frame.
    grow = want - (hi - lo)
    lo -= grow // 2
    hi += grow - grow // 2
    if lo < 0:
        hi, lo = hi - lo, 0
    if hi > total:
        lo, hi = lo - (hi - total), total
    if (hi - lo) % 2:
        # 4:2:0 video wants even sizes: take one more pixel, or give one back at the edge.
        if hi < total:
            hi += 1
        elif lo > 0:
            lo -= 1
        else:
            hi -= 1
    return lo, max(hi, lo + 1)


def crop_region(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """The pixel rectangle (left, top, right, bottom) a replay shows for `box` on a frame of
    width x height: the box with a margin, clamped to the frame, with even sizes."""
    if width < 1 or height < 1:
        raise ValueError("the frame has no pixels")
    x, y, w, h = _check_box(box)
    left, right = _span(x, w, width, MIN_CROP_PX)
    top, bottom = _span(y, h, height, MIN_CROP_PX)
    return left, top, right, bottom


def output_size(crop_width: int, crop_height: int, size: int) -> tuple[int, int]:
    """Scale so the long side is `size`, both sides even and at least 2."""
    size = max(2, size // 2 * 2)
    if crop_width >= crop_height:
        short = crop_height * size / crop_width
        return size, max(2, round(short / 2) * 2)
    short = crop_width * size / crop_height
    return max(2, round(short / 2) * 2), size


def _magnify(
    rgb: np.ndarray, region: tuple[int, int, int, int], out: tuple[int, int]
) -> Image.Image:
    left, top, right, bottom = region
    crop = Image.fromarray(np.ascontiguousarray(rgb[top:bottom, left:right]))
    # Lanczos keeps edges crisp when enlarging, so warped lines and smeared letters stay legible.
    return crop.resize(out, Image.Resampling.LANCZOS)


def _is_image(source: Path) -> bool:
    try:
        with Image.open(source) as picture:
            picture.verify()
    except (UnidentifiedImageError, OSError):
        return False
    return True


def render_replay(
    source: Path,
    dst: Path,
    *,
    box: Box,
    start_s: float | None,
    end_s: float | None,
    slow: float = 2.0,
    size: int = 360,
    poster: Path | None = None,
) -> None:
    """Write the magnified replay of `box` in `source` to `dst`.

    Video: the frames from start_s - 0.3 s to end_s + 0.3 s (clamped to the clip; the whole clip
    if no times are given), cropped to the box plus a margin, scaled so the long side is `size`,
    and encoded as the normalised MP4 with every timestamp stretched by `slow` (2: half speed).
    Image: the same crop as a still JPEG. `dst` is written whole or not at all (encode writes to
    a temporary file and renames it). For a video, `poster` (if given) receives the replay's
    first frame as the normalised JPEG, shown until the replay plays. Raises ValueError for a box outside the frame or a time
    range with no frames; a file PyAV cannot read raises PyAV's own error.
    """
    source, dst = Path(source), Path(dst)
    box = _check_box(box)
    if not slow > 0:
        raise ValueError("slow must be positive")
    if _is_image(source):
        with Image.open(source) as picture:
            rgb = np.asarray(picture.convert("RGB"))
        region = crop_region(box, rgb.shape[1], rgb.shape[0])
        out = output_size(region[2] - region[0], region[3] - region[1], size)
        encode_image(_magnify(rgb, region, out), dst, max_side=max(out))
        return
    first = -math.inf if start_s is None else max(0.0, float(start_s) - CONTEXT_S)
    last = math.inf if end_s is None else float(end_s) + CONTEXT_S
    if first > last:
        raise ValueError(f"the time range {start_s}..{end_s} is empty")

    def frames() -> Iterator[tuple[float, np.ndarray]]:
        region: tuple[int, int, int, int] | None = None
        out: tuple[int, int] = (2, 2)
        for t, rgb in iter_video_frames(source):
            if t < first - _TIME_EPS:
                continue
            if t > last + _TIME_EPS:
                break  # decoding the rest of the clip would be wasted work
            first_frame = region is None
            if region is None:
                region = crop_region(box, rgb.shape[1], rgb.shape[0])
                out = output_size(region[2] - region[0], region[3] - region[1], size)
            frame = _magnify(rgb, region, out)
            if first_frame and poster is not None:
                encode_image(frame, poster, max_side=max(out))
            yield t * slow, np.asarray(frame)

    try:
        # max_height well above the output: encode must not rescale what was just enlarged.
        encode_video(frames(), dst, fps=FPS, max_height=max(size, 2) * 4)
    except ValueError as error:
        if "no frames" in str(error):
            raise ValueError(f"no frames between {start_s} s and {end_s} s in {source}") from None
        raise
