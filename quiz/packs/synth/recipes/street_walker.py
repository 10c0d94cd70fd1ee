"""Impossible motion on real street footage: a passer-by whose legs stop mid-stride while they
keep going, gliding out of the picture as if on a rail.

The pavement pan of the bikes footage (footage_edits.SEGMENT) has a passer-by walking left to
right, close to the camera, behind the near bollard: only their legs are in the picture. From
_FREEZE on, the legs as they are in that frame (one forward, one back) glide on at the
passer-by's own pace, and the passer-by as shot is taken out of each frame: where they were,
the street without them shows (the median of the frames after they have gone, each moved by
the pan to the frame it fills in). The near bollard stays in front of everything.

Only the legs and the street behind them change, inside the box and while the legs glide; the
matching real item is the same stretch untouched (demo-railing-pavement).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from quiz.packs.synth.delivery import VIDEO_SIZE, crop_window, deliver_video
from quiz.packs.synth.items import artifact, recipe
from quiz.packs.synth.recipes.footage_edits import (
    FOCUS,
    SEGMENT,
    SOURCE_SIZE,
    WALL,
    bollard_mask,
    bollard_track,
    ground_speed,
    pan_frames,
    pan_track,
    passer_by_body,
    passer_by_difference,
    segment_decoded,
    shifted,
    source_box,
    street_result,
)
from quiz.packs.synth.recipes.street import RAILING_PAVEMENT
from quiz.packs.synth.toolkit import FPS, Box, Frames

# The frame (segment seconds) whose legs glide on: both legs fully in the picture, wide apart.
_FREEZE = 2.4
# How far the frozen legs move per frame (source px): about the passer-by's pace as they push
# off past the bollard (16 to 25 px per frame as shot, 18 on average), so the legs leave the
# picture when the passer-by as shot does.
_GLIDE_PX = 22.0
# The passer-by has left the picture by then (segment seconds): the frames after show the
# street without them.
_GONE = 3.3
# By then (segment seconds) they are past the near bollard: left of it, the frames show the
# street without them.
_PAST_BOLLARD = 2.58
# The legs in the frozen frame (source px), drawn round them with some room: only what differs
# from the street without the passer-by, and is dark like the trousers and shoes, inside it.
_LEGS = (
    (200, 0), (385, 0), (400, 90), (440, 160), (482, 200), (482, 250), (420, 252),
    (380, 215), (340, 150), (300, 110), (262, 215), (250, 252), (198, 252), (200, 150),
)  # fmt: skip
_DARK = 110.0  # trousers and shoes are darker than this (mean of RGB, 0..255)
# The back leg runs behind the bollard in the frozen frame: its right edge goes from row 95
# (x 275, just above the bollard's ball) to its foot at row 205 (x 245), measured on the frame.
_BACK_LEG_EDGE = ((95, 275.0), (205, 245.0))
_PIECE = 1500  # px: smaller differences are noise of the median, not legs
# The delivered picture's columns in the source frame (the delivery crops around FOCUS).
_CROP_X, _, _CROP_W, _ = crop_window(*SOURCE_SIZE, VIDEO_SIZE, FOCUS)
_VISIBLE = (_CROP_X, _CROP_X + _CROP_W)


def _index(t: float) -> int:
    return next(i for i, (ti, _) in enumerate(segment_decoded()) if ti >= t - 1e-6)


@cache
def _row_speeds() -> np.ndarray:
    """How many times as fast as the wall each row crosses the frame: the wall, the bicycle and
    the pavement by the wall at 1, the pavement further down faster (footage_edits.ground_speed)."""
    rows = np.arange(SOURCE_SIZE[1], dtype=np.float64)
    return np.maximum(1.0, np.array([ground_speed(r) for r in rows]))


def _moved(img: np.ndarray, dx_wall: float) -> np.ndarray:
    """img moved sideways by dx_wall px at the wall's distance, each row by its own speed."""
    h, w = img.shape[:2]
    xx = np.arange(w, dtype=np.float64)[None, :] - (dx_wall * _row_speeds())[:, None]
    yy = np.broadcast_to(np.arange(h, dtype=np.float64)[:, None], (h, w))
    return np.stack(
        [
            ndimage.map_coordinates(img[:, :, c], [yy, xx], order=1, mode="nearest")
            for c in range(3)
        ],
        axis=2,
    )


@cache
def _street(i: int) -> np.ndarray:
    """Frame i of the pan without the passer-by (float): per pixel, the median of the frames
    that show the street there, each moved by the pan to frame i. Those are the frames after
    the passer-by has gone, and, left of the bollard, the frames after they have passed it
    (the bollard is nearer than the wall and moves faster, so the frames long after frame i
    all hide a strip just left of where it stands in frame i). The near bollard is left out
    of each: moved with the wall, it would stand in the wrong place."""
    frames = segment_decoded()
    wall = pan_track(WALL)
    moved = []
    # Every other frame is enough for a median and halves the work.
    for j in pan_frames()[::2]:
        if frames[j][0] < _PAST_BOLLARD:
            continue
        img = frames[j][1].astype(np.float32)
        hidden = ndimage.binary_dilation(_bollard(j) > 0.05, iterations=3)
        if frames[j][0] < _GONE:
            hidden[:, np.flatnonzero(hidden.any(axis=0)).min() :] = True
        img[hidden] = np.nan
        moved.append(_moved(img, wall[i][1] - wall[j][1]))
    stack = np.stack(moved)
    seen = np.isfinite(stack).all(axis=3).any(axis=0)
    with np.errstate(all="ignore"):
        median = np.nanmedian(np.where(seen[None, :, :, None], stack, 0.0), axis=0)
    # A narrow strip just left of the bollard is hidden in every frame used: continue the
    # nearest street that is shown into it.
    nearest = ndimage.distance_transform_edt(~seen, return_distances=False, return_indices=True)
    return median[nearest[0], nearest[1]]


def _bollard(i: int) -> np.ndarray:
    """Soft silhouette (0..1) of the near bollard in frame i of the pan."""
    dy, dx = bollard_track()[i]
    return ndimage.shift(bollard_mask(), (dy, dx), order=1)


@cache
def _passer_by(i: int) -> np.ndarray:
    """Where the passer-by is in frame i (bool): frame i against the street without them,
    outside the near bollard, in pieces big enough to be legs that reach past the bollard or,
    until the passer-by has passed it, up to it (left of it, the house corner and a recessed
    doorway lie at other distances than the wall and do not line up with it)."""
    diff = passer_by_difference(segment_decoded()[i][1], _street(i))
    bollard = _bollard(i) > 0.1
    diff[ndimage.binary_dilation(bollard, iterations=4)] = 0.0
    pieces, _ = ndimage.label(passer_by_body(diff))
    columns = np.flatnonzero(bollard.any(axis=0))
    reach = columns.max() + 10 if segment_decoded()[i][0] >= _PAST_BOLLARD else columns.min() - 6
    keep = [
        k
        for k, (rows, cols) in enumerate(ndimage.find_objects(pieces), 1)
        if cols.stop >= reach and (pieces[rows, cols] == k).sum() >= _PIECE
    ]
    return np.isin(pieces, keep)


@cache
def _legs() -> tuple[np.ndarray, np.ndarray]:
    """The frozen legs: their colours (float, frame-sized) and soft coverage (0..1). Where the
    bollard hides the back leg in that frame, the leg is continued behind it to its measured
    edge, in the colour of its visible part on the same row."""
    i = _index(_FREEZE)
    frame = segment_decoded()[i][1].astype(np.float32)
    w, h = SOURCE_SIZE
    outline = Image.new("L", (w, h), 0)
    ImageDraw.Draw(outline).polygon(_LEGS, fill=255)
    bollard = _bollard(i) > 0.3
    legs = (np.asarray(outline) > 0) & _passer_by(i) & (frame.mean(axis=2) < _DARK) & ~bollard
    legs = ndimage.binary_fill_holes(ndimage.binary_closing(legs, iterations=2)) & ~bollard
    rgb = frame.copy()
    dark = legs & (frame.mean(axis=2) < 80.0)
    fallback = frame[dark].mean(axis=0)
    (top, x_top), (bottom, x_bottom) = _BACK_LEG_EDGE
    for y in range(top + 1, h):
        cols = np.flatnonzero(bollard[y])
        if not len(cols):
            continue
        edge = x_top + (x_bottom - x_top) * min(1.0, (y - top) / (bottom - top))
        hidden = np.arange(cols[0], int(edge) + 1)
        hidden = hidden[bollard[y, hidden]]
        if not len(hidden) or not legs[y, max(cols[0] - 3, 0) : cols[0]].any():
            continue
        seen = dark[y, max(cols[0] - 12, 0) : cols[0]]
        row = frame[y, max(cols[0] - 12, 0) : cols[0]][seen]
        rgb[y, hidden] = row.mean(axis=0) if len(row) else fallback
        legs[y, hidden] = True
    cover = ndimage.gaussian_filter(ndimage.binary_erosion(legs).astype(np.float32), 0.8)
    return rgb, cover


def _glide(i: int) -> float:
    return _GLIDE_PX * (i - _index(_FREEZE))


def _legs_at(i: int) -> tuple[np.ndarray, np.ndarray]:
    """The frozen legs moved to where they have glided by frame i."""
    rgb, cover = _legs()
    dx = _glide(i)
    moved = shifted(rgb, 0.0, dx)
    return moved, ndimage.shift(cover, (0.0, dx), order=1)


def _visible(mask: np.ndarray) -> bool:
    return bool(mask[:, _VISIBLE[0] : _VISIBLE[1]].any())


@cache
def _gliding() -> tuple[int, ...]:
    """The frames the edit changes: after the freeze, until neither the gliding legs nor the
    passer-by as shot are in the delivered picture."""
    frames = []
    for i in range(_index(_FREEZE) + 1, len(segment_decoded())):
        if not (_visible(_legs_at(i)[1] > 0.004) or _visible(_passer_by(i))):
            break
        frames.append(i)
    return tuple(frames)


def _edited(i: int) -> tuple[np.ndarray, np.ndarray]:
    """Frame i with the passer-by taken out and the frozen legs glided in (float), and how much
    each pixel changed (0..1)."""
    frame = segment_decoded()[i][1].astype(np.float32)
    taken_out = ndimage.gaussian_filter(
        ndimage.binary_dilation(_passer_by(i), iterations=6).astype(np.float32), 2.0
    )
    rgb, cover = _legs_at(i)
    front = _bollard(i)
    changed = np.maximum(taken_out, cover) * (1.0 - front)
    out = frame * (1 - taken_out[:, :, None]) + _street(i) * taken_out[:, :, None]
    out = out * (1 - cover[:, :, None]) + rgb * cover[:, :, None]
    out = out * (1 - front[:, :, None]) + frame * front[:, :, None]
    return out, changed


def legs_glide_frames() -> Frames:
    gliding = set(_gliding())
    for i, (t, frame) in enumerate(segment_decoded()):
        if i not in gliding:
            yield t, frame
            continue
        out, _ = _edited(i)
        yield t, np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _times() -> tuple[float, float]:
    frames = segment_decoded()
    gliding = _gliding()
    return frames[gliding[0]][0], frames[gliding[-1]][0] + 1 / FPS


def _legs_box() -> Box:
    """Everything the edit changes, over all the frames it changes."""
    changed = np.zeros(SOURCE_SIZE[::-1], bool)
    for i in _gliding():
        changed |= _edited(i)[1] > 0.004
    ys, xs = np.nonzero(changed)
    return source_box(xs.min() - 2, ys.min() - 2, xs.max() + 3, ys.max() + 3)


@recipe("demo-street-legs-glide", "video", generated=True)
def _legs_glide(dst: Path) -> dict[str, Any]:
    info = deliver_video(legs_glide_frames(), dst, focus=FOCUS)
    start, end = _times()
    return street_result(
        info,
        RAILING_PAVEMENT,
        "Watch the legs of the person walking past during the pan. They walk along behind the "
        "bollard, and just after passing it their legs stop moving in the middle of a step, one "
        "forward and one back, while the person keeps going and glides out of the picture "
        "to the right as if on rails. Video generators often get walking wrong: legs that "
        "slide instead of stepping, feet that swap places or skate over the ground, people "
        "who walk the wrong way. When a real person walks, one foot stays put on the ground "
        "while the other leg swings forward. Fast legs can be blurred, but they keep "
        "stepping.",
        [
            artifact(
                "motion",
                start,
                min(end, SEGMENT[1] - SEGMENT[0]),
                _legs_box(),
                "The legs stop in the middle of a step, but the person keeps gliding to the "
                "right: the feet slide over the ground instead of stepping.",
            )
        ],
    )
