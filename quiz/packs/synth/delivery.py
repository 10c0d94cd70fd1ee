"""How every demo item leaves the synthesizer: one of a few output sizes and one rate control,
real and generated alike, so neither the frame size nor the file size says which side an item is.

Recipes hand their frames (any size) to deliver_video() or their picture to deliver_image();
the frame is cropped to the delivery size's aspect around the centre (or around `focus`, a
point in 0..1 of the source frame) and scaled. Boxes of artifacts must be computed in the
delivered frame: use delivered_box() to map a box given in 0..1 of the source frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from quiz.media.encode import ImageInfo, VideoInfo, encode_image, encode_video
from quiz.packs.synth.toolkit import FPS, Box

# Every video item of the pack is delivered at this size (16:9 would crop the street footage,
# which is 2.35:1, too much; 512x272 keeps its middle at full resolution). A width that is a
# multiple of 64 px and at least 512: at 448 or 480 px the same frames gave different bytes
# from one encode to the next (FFmpeg's RGB to YUV conversion), which a reproducible pack
# cannot have.
VIDEO_SIZE = (512, 272)
# Every image item is delivered at this size (3:2).
IMAGE_SIZE = (600, 400)
# One rate control for every video item, real and generated: a target bitrate with a cap
# (quiz.media.encode.encode_video's bit_rate / max_rate). At constant quality a calm pan over
# a photograph needs a fraction of the bits of busy street footage, so file size and bitrate
# would tell the kind of source, and through it the side; at one target rate they do not.
VIDEO_BIT_RATE = 420_000
VIDEO_MAX_RATE = 420_000


def crop_window(
    width: int, height: int, size: tuple[int, int], focus: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest window of the target aspect inside width x height, centred on focus."""
    target_w, target_h = size
    if width * target_h > height * target_w:  # source wider than target: crop the sides
        crop_h = height
        crop_w = round(height * target_w / target_h)
    else:
        crop_w = width
        crop_h = round(width * target_h / target_w)
    x0 = round(focus[0] * width - crop_w / 2)
    y0 = round(focus[1] * height - crop_h / 2)
    x0 = min(max(0, x0), width - crop_w)
    y0 = min(max(0, y0), height - crop_h)
    return x0, y0, crop_w, crop_h


def fit_frame(
    frame: np.ndarray, size: tuple[int, int], focus: tuple[float, float] = (0.5, 0.5)
) -> np.ndarray:
    """Crop `frame` (HxWx3 uint8) to the aspect of `size` around `focus`, then scale to it."""
    h, w = frame.shape[:2]
    x0, y0, cw, ch = crop_window(w, h, size, focus)
    window = frame[y0 : y0 + ch, x0 : x0 + cw]
    if (cw, ch) == size:
        return np.ascontiguousarray(window)
    resample = Image.Resampling.LANCZOS
    return np.asarray(Image.fromarray(window).resize(size, resample))


def delivered_box(
    box: Box,
    source_size: tuple[int, int],
    size: tuple[int, int],
    focus: tuple[float, float] = (0.5, 0.5),
) -> Box:
    """A box in 0..1 of the source frame, as a box in 0..1 of the delivered frame (clipped)."""
    w, h = source_size
    x0, y0, cw, ch = crop_window(w, h, size, focus)
    bx0 = (box[0] * w - x0) / cw
    by0 = (box[1] * h - y0) / ch
    bx1 = (box[0] + box[2]) * w / cw - x0 / cw
    by1 = (box[1] + box[3]) * h / ch - y0 / ch
    bx0, by0 = max(0.0, bx0), max(0.0, by0)
    bx1, by1 = min(1.0, bx1), min(1.0, by1)
    return (round(bx0, 4), round(by0, 4), round(bx1 - bx0, 4), round(by1 - by0, 4))


def deliver_video(
    frames: Iterable[tuple[float, np.ndarray]],
    dst: Path,
    *,
    focus: tuple[float, float] = (0.5, 0.5),
) -> VideoInfo:
    """Encode frames at VIDEO_SIZE with the pack's one rate control.

    The frames are made (decoded, edited, fitted) before encoding starts: decoding a source
    while x264 encodes made the bytes differ from build to build, and the pack's clips are
    short enough to hold in memory.
    """
    fitted = [(t, fit_frame(frame, VIDEO_SIZE, focus)) for t, frame in frames]
    return encode_video(
        iter(fitted), dst, fps=FPS, bit_rate=VIDEO_BIT_RATE, max_rate=VIDEO_MAX_RATE
    )


def deliver_image(
    image: np.ndarray | Image.Image, dst: Path, *, focus: tuple[float, float] = (0.5, 0.5)
) -> ImageInfo:
    """Save a picture at IMAGE_SIZE as the pack's normalised JPEG."""
    array = np.asarray(image.convert("RGB")) if isinstance(image, Image.Image) else image
    return encode_image(fit_frame(array, IMAGE_SIZE, focus), dst)
