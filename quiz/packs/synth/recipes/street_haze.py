"""A real decoy about heat shimmer: the railing shot of the street footage as it looks on a hot
day, when warm air rising from the sun-warmed road bends the light from the far end of the
street.

The footage was filmed without any haze; the haze is simulated here as physics makes it:

1. rising warm air refracts light a little and unevenly, so every point of the distant scene
   appears displaced by a small amount (at most MAX_SHIFT px in each direction) that varies
   smoothly across the picture (the ripples are 25 to 70 px across, so neighbouring points
   move together), drifts upward with the rising air and changes a little from frame to
   frame: a smooth random displacement field (displacement());
2. how much a point is displaced depends on how much warm air lies between it and the camera
   (strength()): most just above the road at the far end of the street, where the line of
   sight runs a long way close to the hot ground; less on the house fronts higher up, and on
   the nearer parts of the road at the bottom and on the left;
3. nothing close to the camera is displaced: the railing, the lamp post and the parked bicycle
   stand a metre or two from the lens, with hardly any warm air in between, so they stay
   exactly as filmed (foreground()). The camera drifts slowly by a few pixels over the shot
   (drift(), measured from the footage), and the map of near and far drifts with it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from skimage.registration import phase_cross_correlation

from quiz.packs.synth.delivery import deliver_video
from quiz.packs.synth.items import artifact, recipe, video_fields
from quiz.packs.synth.recipes.street import BIKES_SIZE, RAILING_CARS, RAILING_SHOT, bikes_box
from quiz.packs.synth.sources import clip, real
from quiz.packs.synth.toolkit import Frames, sample_at, smoothstep

HAZE_SEED = 20261205
# The largest displacement of a point along each axis (px): a real haze over a street moves
# distant edges by a pixel or two, now and then three.
MAX_SHIFT = 2.2
# How fast the haze pattern rises (px per second, upward) and how quickly it changes while it
# rises (a range of rates in Hz, drawn per ripple).
RISE_PX_S = 36.0
CHANGE_HZ = (0.5, 1.8)
# The ripples: how many, and their wavelengths (px).
RIPPLES = 28
WAVELENGTHS = (25.0, 70.0)
# Around everything close to the camera, a band this wide (px) stays still, then the haze
# fades in over FEATHER px: the displaced background never pulls pixels of the railing along.
CLEAR = MAX_SHIFT + 1.5
FEATHER = 3.0

# Where the haze is, in the first frame's pixels (the camera drifts from there): the distant
# street from the far cars and the crossing up to the houses (strongest at STRONG_ROWS),
# rising on the left towards the far end of the street (HAZE_COLUMNS).
STRONG_ROWS = (100.0, 165.0)
HAZE_COLUMNS = (110.0, 380.0)

# What stands close to the camera, in the first frame's pixels. The railing's top rail, as
# its top and bottom edges at a few columns (it slopes down to the right and thins with
# distance) ...
_TOP_RAIL_X = (0.0, 60.0, 110.0, 200.0, 320.0, 400.0, 440.0, 500.0, 540.0, 580.0, 640.0)
_TOP_RAIL_TOP = (87.0, 90.0, 94.0, 100.0, 110.0, 114.0, 116.0, 121.0, 125.0, 128.0, 133.0)
_TOP_RAIL_BOTTOM = (105.0, 104.0, 107.0, 111.0, 119.0, 122.0, 124.0, 128.0, 131.0, 135.0, 139.0)
# ... its posts and its bottom rail (x0, y0, x1, y1) ...
_RECTANGLES = (
    (447.0, 105.0, 488.0, 272.0),  # two posts side by side where two sections meet
    (620.0, 120.0, 640.0, 272.0),  # the post at the right edge
    (440.0, 250.0, 640.0, 272.0),  # the bottom rail of the right section
    (300.0, 258.0, 450.0, 272.0),  # the bottom rail of the middle section
    (136.0, 25.0, 334.0, 272.0),  # the lamp post, the parked bicycle and the posts beside it
)
# ... and its diagonal bars, as centre lines with a half width ((x0, y0), (x1, y1), half).
_BARS = (
    ((300.0, 280.0), (458.0, 124.0), 6.0),  # the middle section's X
    ((292.0, 126.0), (458.0, 260.0), 6.5),
    ((478.0, 262.0), (630.0, 144.0), 6.0),  # the right section's X
    ((482.0, 128.0), (630.0, 252.0), 6.0),
    ((-10.0, 130.0), (170.0, 248.0), 9.0),  # the left section's X
    ((130.0, 262.0), (260.0, 122.0), 8.0),
)


def _near(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Distance (px) from each point (xs, ys), in the first frame's pixels, to the nearest
    thing close to the camera (0 inside one)."""
    top = np.interp(xs, _TOP_RAIL_X, _TOP_RAIL_TOP)
    bottom = np.interp(xs, _TOP_RAIL_X, _TOP_RAIL_BOTTOM)
    distance = np.maximum(np.maximum(top - ys, ys - bottom), 0.0)
    for x0, y0, x1, y1 in _RECTANGLES:
        dx = np.maximum(np.maximum(x0 - xs, xs - x1), 0.0)
        dy = np.maximum(np.maximum(y0 - ys, ys - y1), 0.0)
        distance = np.minimum(distance, np.hypot(dx, dy))
    for (x0, y0), (x1, y1), half in _BARS:
        vx, vy = x1 - x0, y1 - y0
        along = np.clip(((xs - x0) * vx + (ys - y0) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
        across = np.hypot(xs - (x0 + along * vx), ys - (y0 + along * vy))
        distance = np.minimum(distance, np.maximum(across - half, 0.0))
    return distance


def foreground(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """1 on and near what stands close to the camera (the railing, the lamp post, the
    bicycle), fading to 0 over FEATHER px beyond a still band CLEAR px wide."""
    return 1.0 - smoothstep(CLEAR, CLEAR + FEATHER, _near(xs, ys))


def strength(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """How strongly the haze displaces each point (0..1), in the first frame's pixels: by how
    much warm air lies between it and the camera."""
    low, high = STRONG_ROWS
    above = 0.25 + 0.75 * smoothstep(low - 80.0, low, ys)
    below = 1.0 - smoothstep(high, high + 70.0, ys)
    rows = np.where(ys < low, above, below)
    columns = smoothstep(*HAZE_COLUMNS, xs)
    return (rows * columns * (1.0 - foreground(xs, ys))).astype(np.float32)


@cache
def _ripples() -> tuple[tuple[float, float, float, float, float, int], ...]:
    """The haze's ripples as (kx, ky, rate, phase, amplitude, axis), drawn once from
    HAZE_SEED: plane waves in random directions, each displacing along one axis."""
    rng = np.random.default_rng(HAZE_SEED)
    ripples = []
    for i in range(RIPPLES):
        wavelength = float(rng.uniform(*WAVELENGTHS))
        angle = float(rng.uniform(0.0, 2.0 * np.pi))
        k = 2.0 * np.pi / wavelength
        rate = 2.0 * np.pi * float(rng.uniform(*CHANGE_HZ))
        phase = float(rng.uniform(0.0, 2.0 * np.pi))
        amplitude = float(rng.uniform(0.6, 1.0))
        ripples.append((k * np.cos(angle), k * np.sin(angle), rate, phase, amplitude, i % 2))
    return tuple(ripples)


def ripple_field(xs: np.ndarray, ys: np.ndarray, t: float) -> np.ndarray:
    """The haze pattern at time t (s) as (..., 2) values in -1..1 (x, y): smooth, random,
    rising at RISE_PX_S and changing a little as it rises."""
    out = np.zeros((*np.shape(xs), 2), dtype=np.float64)
    risen = ys + RISE_PX_S * t  # the pattern at height y now was RISE_PX_S * t px lower at 0
    for kx, ky, rate, phase, amplitude, axis in _ripples():
        out[..., axis] += amplitude * np.sin(kx * xs + ky * risen + rate * t + phase)
    # About one in each axis's typical size; tanh keeps every value inside -1..1.
    return np.tanh(out / np.sqrt(RIPPLES / 4.0))


def displacement(xs: np.ndarray, ys: np.ndarray, t: float) -> np.ndarray:
    """Where the haze makes each point (xs, ys), in the first frame's pixels, appear to come
    from at time t: (..., 2) offsets in px (x right, y down), at most MAX_SHIFT each."""
    field = ripple_field(xs, ys, t)
    return (MAX_SHIFT * strength(xs, ys)[..., None] * field).astype(np.float32)


def drift(frames: list[np.ndarray]) -> np.ndarray:
    """The camera's drift over the shot, (n, 2) as (x, y) in px: where each frame's pixel
    lies in the first frame (measured on the railing and the street behind it)."""
    grey = [frame[100:, 300:].astype(np.float32).mean(axis=2) for frame in frames]
    shifts = [phase_cross_correlation(grey[0], g, upsample_factor=10)[0] for g in grey]
    return np.array([(float(dx), float(dy)) for dy, dx in shifts])


def hazy(frame: np.ndarray, t: float, offset: tuple[float, float]) -> np.ndarray:
    """One frame seen through the haze at time t; offset is the camera's drift (drift())."""
    height, width = frame.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    shift = displacement(xs + offset[0], ys + offset[1], t)
    picture = sample_at(frame, xs + shift[..., 0], ys + shift[..., 1])
    out = (np.clip(picture, 0.0, 255.0) + 0.5).astype(np.uint8)
    # Where the haze does nothing, the footage stays exactly as filmed.
    still = (shift == 0.0).all(axis=2)
    out[still] = frame[still]
    return out


def haze_frames() -> Frames:
    """The railing shot with heat shimmer over the far street."""
    shot = list(clip("bikes.mp4", *RAILING_SHOT))
    offsets = drift([frame for _, frame in shot])
    for (t, frame), offset in zip(shot, offsets, strict=True):
        yield t, hazy(frame, t, (float(offset[0]), float(offset[1])))


def haze_box() -> tuple[float, float, float, float]:
    """The delivered frame's box around the haze (where it displaces by a third or more of
    its strongest)."""
    width, height = BIKES_SIZE
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    rows, cols = np.nonzero(strength(xs, ys) >= 1.0 / 3.0)
    return bikes_box(cols.min(), rows.min(), cols.max() + 1, rows.max() + 1)


@recipe("demo-street-heat-haze", "video", generated=False)
def _street_heat_haze(dst: Path) -> dict[str, Any]:
    info = deliver_video(haze_frames(), dst)
    return {
        **real("bikes", "heat shimmer simulated by Second Look"),
        "description": RAILING_CARS,
        "explanation": "Real street footage, shown as it would look on a hot day. Warm air "
        "rises from the sun-warmed road and from car engines, and warm air bends light a little differently "
        "than cool air. Because the warm air keeps rising and mixing, the bending changes all "
        "the time, so the far end of the street ripples and wobbles as if seen through water "
        "over a fire: the distant cars, the road markings and the edges of the houses sway by "
        "a pixel or two. The shimmer is strongest just above the road and far away, where you "
        "look through a lot of warm air, and the railing, the lamp post and the bicycle close "
        "to the camera stay sharp and still. (The heat shimmer is simulated here on footage "
        "that was filmed without it.) This is not the boiling or morphing of a generated clip: "
        "heat shimmer moves everything in one part of the picture together, like a wavy "
        "window drifting upward, and it never changes what a thing is. No detail re-forms, no "
        "shape turns into another, and a car stays the same car. A shimmering picture is a "
        "reason to look closer, not proof either way.",
        "artifacts": [
            artifact(
                "lens",
                0.0,
                info.duration_s,
                haze_box(),
                "The far street ripples like a picture seen through water, drifting upward, "
                "while the railing in front stays sharp: heat shimmer. Warm air over the road "
                "works like a weak, wobbling lens between the camera and distant things.",
            )
        ],
        **video_fields(info),
    }
