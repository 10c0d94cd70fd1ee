"""Small editing toolkit (float32 RGB images in 0..1): masks, compositing, text, and the frame
rate and timeline every clip shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

# The pack's frame rate: rendered clips and re-encoded footage alike.
FPS = 25

# A clip as (time in seconds, HxWx3 uint8 RGB frame) pairs.
Frames = Iterator[tuple[float, np.ndarray]]
# An artifact's box: [x, y, w, h] in 0..1 of the frame.
Box = tuple[float, float, float, float]


def u8(img: np.ndarray) -> np.ndarray:
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def f32(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) / 255.0


def smoothstep(e0: float, e1: float, x: np.ndarray | float) -> np.ndarray | float:
    t = np.clip((np.asarray(x, dtype=np.float32) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def fade_window(t: float, start: float, end: float, fade: float = 0.2) -> float:
    """1 inside [start, end], 0 outside, with smooth fades of `fade` seconds inside the range."""
    if t <= start or t >= end:
        return 0.0
    return float(min(smoothstep(0, fade, t - start), smoothstep(0, fade, end - t)))


def frame_box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Box:
    """A pixel rectangle as [x, y, w, h] in 0..1 of the frame, clipped to the frame."""
    x0, x1 = max(0.0, min(x0, x1)), min(float(width), max(x0, x1))
    y0, y1 = max(0.0, min(y0, y1)), min(float(height), max(y0, y1))
    return (
        round(x0 / width, 4),
        round(y0 / height, 4),
        round((x1 - x0) / width, 4),
        round((y1 - y0) / height, 4),
    )


def union(rects: Iterable[tuple[float, float, float, float]], pad: float = 0.0) -> tuple:
    rects = list(rects)
    return (
        min(r[0] for r in rects) - pad,
        min(r[1] for r in rects) - pad,
        max(r[2] for r in rects) + pad,
        max(r[3] for r in rects) + pad,
    )


def vignette_mask(width: int, height: int, strength: float = 0.25) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = np.hypot((x - width / 2) / (width / 2), (y - height / 2) / (height / 2))
    return (1.0 - strength * np.clip(r - 0.35, 0, None) ** 2)[:, :, None]


def sample_at(frame: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """The frame (HxWx3 uint8) read at the points (ys, xs), bicubic, as float32: a picture
    moved by a displacement field (rolling shutter, heat shimmer)."""
    channels = [
        ndimage.map_coordinates(
            frame[:, :, c].astype(np.float32), (ys, xs), order=3, mode="nearest"
        )
        for c in range(3)
    ]
    return np.stack(channels, axis=2)


def paste(dst: np.ndarray, src: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend src (h x w x 3) into dst at (x, y), clipping at the edges."""
    h, w = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    s = src[y0 - y : y1 - y, x0 - x : x1 - x]
    dst[y0:y1, x0:x1] = dst[y0:y1, x0:x1] * (1 - a) + s * a


def timeline(duration_s: float) -> Iterator[float]:
    """Frame times of a rendered clip at the pack's frame rate."""
    for i in range(round(duration_s * FPS)):
        yield i / FPS


def soft_rect_mask(width: int, height: int, rect: tuple, feather: float) -> np.ndarray:
    """1 inside rect (x0, y0, x1, y1), fading to 0 over `feather` px inside its edges."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x0, y0, x1, y1 = rect
    inside = np.minimum(np.minimum(x - x0, x1 - x), np.minimum(y - y0, y1 - y))
    return smoothstep(0.0, feather, inside).astype(np.float32)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font, so the result does not depend on the fonts a machine has.
    return ImageFont.load_default(size=size)


def text_mask(
    width: int,
    height: int,
    x: float,
    y: float,
    text: str,
    size: int,
    *,
    flipped: frozenset[int] = frozenset(),
    squeeze: dict[int, float] | None = None,
    anchor_centre: bool = False,
) -> np.ndarray:
    """Coverage mask of a line of text, letter by letter, so single letters can be mirrored
    or squeezed into their neighbours the way generators garble lettering."""
    font = _font(size)
    squeeze = squeeze or {}
    advances = [font.getlength(ch) for ch in text]
    for i, k in squeeze.items():
        advances[i] *= k
    if anchor_centre:
        x -= sum(advances) / 2
    canvas = Image.new("L", (width, height), 0)
    pen = x
    for i, ch in enumerate(text):
        if ch != " ":
            glyph = Image.new("L", (int(size * 1.4), int(size * 1.5)), 0)
            ImageDraw.Draw(glyph).text((size * 0.2, size * 0.1), ch, font=font, fill=255)
            if i in flipped:
                glyph = glyph.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                shift = glyph.width - size * 0.2 - font.getlength(ch)
            else:
                shift = size * 0.2
            box = (round(pen - shift), round(y - size * 0.1))
            canvas.paste(255, box, glyph)
        pen += advances[i]
    return np.asarray(canvas, dtype=np.float32) / 255.0


def watermark(width: int, height: int) -> np.ndarray:
    """A generator's visible mark: a small logo and name, as a coverage mask."""
    mask = text_mask(width, height, 26, 2, "SL synth", 17)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    ring = np.abs(np.hypot(xx - 11, yy - 12) - 8) < 1.6
    star = (np.abs(xx - 11) < 1.2) & (np.abs(yy - 12) < 5) | (np.abs(yy - 12) < 1.2) & (
        np.abs(xx - 11) < 5
    )
    return np.maximum(mask, (ring | star).astype(np.float32))
