"""A generated item about solidity: in the railing shot of the street footage (the first two
seconds of footage_edits.SEGMENT), the black car drives straight through a white car instead
of around or into it.

Both cars are real and filmed in this shot, a second apart: the black car first, the white one
following it. The edit takes the white car out of the frames where it really is (the shot's
background plate, its per-pixel median, shows the road there) and puts it back at the same
place in the frame at another moment of the same shot, as a copy that starts the shot further
down the road, crawls while the black car reaches it, then speeds up into its own track behind
the lamp post and is the real white car again from then on. The railing, the lamp post and the
parked bicycle stand still in front of the road, so the copy passes behind them exactly as the
real car did. Where the two cars overlap, both show through each other, as in generated clips.

Everything else is the railing shot as filmed, delivered the same way as its real twin,
street.demo-railing-cars (the same shot, untouched).
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage
from skimage.registration import phase_cross_correlation

from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video, delivered_box
from quiz.packs.synth.items import artifact, recipe
from quiz.packs.synth.recipes.footage_edits import (
    FOCUS,
    PAN_FROM,
    SOURCE_SIZE,
    segment_frames,
    street_result,
)
from quiz.packs.synth.recipes.street import RAILING_CARS
from quiz.packs.synth.toolkit import Box, Frames, f32, frame_box, u8

# The white car, in the stabilised frames of the railing shot (source pixels): a box around it
# at some frames of the shot (x0, y0, x1, y1), interpolated between them. It enters at the left
# edge at frame 13 and is behind the lamp post and the bicycle by frame 38.
_WHITE_TRACK = {
    13: (0, 150, 8, 200),
    14: (0, 148, 28, 200),
    16: (0, 108, 82, 200),
    18: (0, 104, 128, 200),
    20: (0, 98, 144, 200),
    22: (0, 98, 172, 198),
    24: (0, 98, 190, 195),
    26: (22, 100, 215, 192),
    28: (48, 102, 236, 188),
    30: (88, 104, 240, 185),
    32: (116, 106, 244, 182),
    34: (138, 107, 248, 180),
    36: (160, 108, 252, 178),
    38: (175, 108, 256, 176),
}
# The copy's timing, in frames of the shot: until _CRAWL_UNTIL it moves at _CRAWL of the real
# car's speed, then speeds up evenly until it is back on its own track at _BACK_AT (while it
# passes behind the lamp post). Where it starts follows: _LEAD frames ahead of the real car.
_CRAWL = 0.1
_CRAWL_UNTIL = 28
_BACK_AT = 38
_LEAD = (1 - _CRAWL) * (_CRAWL_UNTIL + (_BACK_AT - _CRAWL_UNTIL) / 2)
# What differs from the plate (max over the colour channels, 0..1, after a light blur).
_MOVING = 0.12
# How much of the white car shows where it overlaps the black car (both show through).
_SHOW_THROUGH = 0.5
# Where and when the cars overlap (measured on the edit: the copy's outline meets the black
# car's over x 87-231, y 108-181 in frames 0-12 of the shot), in source pixels and seconds.
# The box takes in the whole lane the edit touches (x up to 238, y 94-194): the copy goes on
# crawling there, and the real white car is taken out there, until frame 37.
_OVERLAP_BOX = (64, 92, 248, 198)
_OVERLAP_FROM, _OVERLAP_TO = 0.0, 0.52


def _copy_frame(j: int) -> float:
    """Which moment of the shot (in frames, fractional) the white car is shown from at frame j."""
    if j >= _BACK_AT:
        return float(j)
    if j <= _CRAWL_UNTIL:
        return _LEAD + _CRAWL * j
    u = (j - _CRAWL_UNTIL) / (_BACK_AT - _CRAWL_UNTIL)
    return _LEAD + _CRAWL * _CRAWL_UNTIL + (j - _CRAWL_UNTIL) * (_CRAWL + (1 - _CRAWL) * u / 2)


def _shift(img: np.ndarray, dy: float, dx: float, order: int = 1) -> np.ndarray:
    if img.ndim == 2:
        return ndimage.shift(img, (dy, dx), order=order, mode="nearest")
    return np.stack([_shift(img[:, :, c], dy, dx, order) for c in range(img.shape[2])], axis=2)


def railing_shot_frames() -> Frames:
    """The railing shot as filmed: the segment up to the cut to the pavement pan."""
    for t, frame in segment_frames():
        if t >= PAN_FROM - 1e-6:
            return
        yield t, frame


@cache
def _railing_shot() -> tuple[np.ndarray, np.ndarray]:
    """The railing shot's frames (float, 0..1) and, per frame, the (dy, dx) that holds them
    still on the first: the handheld camera drifts by a few pixels."""
    frames = np.stack([f32(f) for _, f in railing_shot_frames()])
    first = frames[0].mean(axis=2)
    shifts = np.array(
        [phase_cross_correlation(first, f.mean(axis=2), upsample_factor=20)[0] for f in frames]
    )
    return frames, shifts


@cache
def _stabilised() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shot held still, its background plate (the per-pixel median: every car moves on)
    and, per frame, what differs from the plate."""
    frames, shifts = _railing_shot()
    still = np.stack([_shift(f, *s) for f, s in zip(frames, shifts, strict=True)])
    plate = np.median(still, axis=0)
    moving = np.stack([ndimage.gaussian_filter(np.abs(f - plate).max(axis=2), 1.0) for f in still])
    return still, plate, moving


@cache
def _in_front() -> np.ndarray:
    """The railing, lamp post and bicycle: dark or coloured, still in every frame, and one
    connected structure (the houses behind are not)."""
    _, plate, moving = _stabilised()
    h, w = plate.shape[:2]
    yy = np.mgrid[0:h, 0:w][0]
    colourful = plate.max(axis=2) - plate.min(axis=2) > 0.25
    still = ((plate.mean(axis=2) < 0.40) | colourful) & (moving.max(axis=0) < 0.10) & (yy >= 80)
    labels, n = ndimage.label(still)
    sizes = ndimage.sum(still, labels, range(1, n + 1))
    return labels == 1 + int(np.argmax(sizes))


def _track_box(i: int) -> tuple[float, float, float, float]:
    keys = sorted(_WHITE_TRACK)
    if i <= keys[0]:
        return _WHITE_TRACK[keys[0]]
    for a, b in itertools.pairwise(keys):
        if a <= i <= b:
            u = (i - a) / (b - a)
            return tuple(_WHITE_TRACK[a][k] * (1 - u) + _WHITE_TRACK[b][k] * u for k in range(4))
    return _WHITE_TRACK[keys[-1]]


@cache
def _white_car(i: int) -> np.ndarray:
    """The white car's outline at frame i of the shot, holes behind the railing filled."""
    _, plate, moving = _stabilised()
    h, w = plate.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    x0, y0, x1, y1 = _track_box(i)
    inside = (xx >= x0) & (xx < x1) & (yy >= y0) & (yy < y1)
    seen = ndimage.binary_opening(moving[i] > _MOVING, iterations=1) & inside
    return ndimage.binary_fill_holes(ndimage.binary_closing(seen, iterations=4)) & inside


@cache
def _sprite(i: int) -> tuple[np.ndarray, np.ndarray]:
    """The white car at frame i (colours, with what the railing hides filled in from its
    neighbours) and its soft outline."""
    still, _, _ = _stabilised()
    outline = _white_car(i)
    img = still[i].copy()
    weight = (outline & ~_in_front()).astype(np.float32)
    reach = ndimage.binary_dilation(outline, iterations=3)
    for sigma in (1.5, 3.0, 6.0, 12.0):
        num = np.stack([ndimage.gaussian_filter(img[:, :, c] * weight, sigma) for c in range(3)], 2)
        den = ndimage.gaussian_filter(weight, sigma)
        hole = reach & (weight < 0.5) & (den > 1e-3)
        img[hole] = (num / np.maximum(den, 1e-6)[:, :, None])[hole]
        weight = np.where(hole, 1.0, weight).astype(np.float32)
    soft = ndimage.gaussian_filter(
        ndimage.binary_dilation(outline, iterations=1).astype(np.float32), 1.0
    )
    return img, soft


@cache
def _step(i: int) -> tuple[float, float]:
    """How far the white car moves from frame i to i + 1 (dy, dx): the shift that best matches
    its visible pixels, or the last good one while the lamp post and bicycle hide it."""
    still, _, _ = _stabilised()
    front = _in_front()
    h, w = front.shape
    ys, xs = np.nonzero(_white_car(i) & ~front)
    best: tuple[float, int, int] | None = None
    if len(ys) >= 400:
        for dy in range(-4, 3):
            for dx in range(-2, 26):
                y2, x2 = ys + dy, xs + dx
                ok = (x2 >= 0) & (x2 < w) & (y2 < h) & (y2 >= 0)
                ok &= ~front[np.clip(y2, 0, h - 1), np.clip(x2, 0, w - 1)]
                if ok.sum() < 200:
                    continue
                err = float(np.abs(still[i + 1][y2[ok], x2[ok]] - still[i][ys[ok], xs[ok]]).mean())
                if best is None or err < best[0]:
                    best = (err, dy, dx)
    if best is None:
        return _step(i - 1) if i > min(_WHITE_TRACK) else (0.0, 0.0)
    return float(best[1]), float(best[2])


def _edited_still(j: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame j of the held-still shot with the white car moved in time; and the black car's
    (everything else moving) soft outline, where the copy shows through."""
    still, plate, moving = _stabilised()
    frame = still[j].copy()
    when = _copy_frame(j)
    # The real white car goes; the plate shows the road (and the railing) behind it.
    if j in range(min(_WHITE_TRACK), _BACK_AT + 1):
        real = _white_car(j)
        gone = ndimage.gaussian_filter(
            ndimage.binary_dilation(real, iterations=2).astype(np.float32), 1.0
        )[:, :, None]
        frame = frame * (1 - gone) + plate * gone
    else:
        real = np.zeros(frame.shape[:2], bool)
    others = ndimage.gaussian_filter(((moving[j] > _MOVING) & ~real).astype(np.float32), 1.5)
    # The copy from the nearest frame, moved on by the fraction of a frame's step.
    i = round(when)
    if i < min(_WHITE_TRACK) or i > _BACK_AT:
        return frame, others
    img, soft = _sprite(i)
    frac = when - i
    dy, dx = _step(i) if frac >= 0 else _step(i - 1)
    img, soft = _shift(img, frac * dy, frac * dx), _shift(soft, frac * dy, frac * dx)
    front = ndimage.gaussian_filter(_in_front().astype(np.float32), 0.6)
    alpha = (soft * (1 - front) * (1 - _SHOW_THROUGH * others))[:, :, None]
    return frame * (1 - alpha) + img * alpha, others


def cars_pass_through_frames() -> Frames:
    """The railing shot with the white car moved in time."""
    shifts = _railing_shot()[1]
    still, _, _ = _stabilised()
    for j, (t, frame) in enumerate(railing_shot_frames()):
        if _copy_frame(j) - j < 0.05:
            yield t, frame
            continue
        edited, _ = _edited_still(j)
        # Only the change goes back through the camera's drift, so the rest stays as shot.
        change = _shift(edited - still[j], -shifts[j][0], -shifts[j][1])
        yield t, u8(f32(frame) + change)


def overlap_box() -> Box:
    """The artifact's box, in 0..1 of the delivered frame."""
    w, h = SOURCE_SIZE
    return delivered_box(frame_box(*_OVERLAP_BOX, w, h), SOURCE_SIZE, VIDEO_SIZE, FOCUS)


@recipe("demo-street-cars-pass-through", "video", generated=True)
def _cars_pass_through(dst: Path) -> dict[str, Any]:
    info = deliver_video(cars_pass_through_frames(), dst, focus=FOCUS)
    return street_result(
        info,
        RAILING_CARS,
        "Watch the cars behind the railing in the first half second. A white "
        "car creeps along the lane, and a black car comes up behind it in the same lane and "
        "does not brake, swerve or hit it: it drives straight through, and for a moment both "
        "cars show through each other. Video generators do not know that solid things take up "
        "space, so cars, people and objects melt into and pass through each other. In real "
        "footage cars overlap in the picture too, but then one is nearer to the camera and "
        "hides the part of the other behind it; and a reflection in a window can lay one thing "
        "faintly over another, but only on the glass.",
        [
            artifact(
                "physics",
                _OVERLAP_FROM,
                _OVERLAP_TO,
                overlap_box(),
                "The black car drives through the white car in the same lane: for a moment "
                "both show through each other, with no crash and no swerve.",
            )
        ],
    )
