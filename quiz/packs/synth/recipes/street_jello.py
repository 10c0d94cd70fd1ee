"""A real decoy about camera wobble: the railing shot of the street footage as a phone held in
the hand would record it, with its electronic stabilisation on ("jello").

The footage was filmed smoothly (the camera drifts slowly by a few pixels over the shot, with no
shake); the camera process is simulated here, step by step:

1. a small handheld shake: a smooth, seeded random path of the camera (a slow sway of a few
   pixels at about one hertz and a quicker tremor of a few pixels at 8 to 22 hertz), mostly
   sideways, less up and down;
2. a rolling-shutter readout: the sensor reads a frame row by row from top to bottom over
   READOUT_S, so each row sees the scene (interpolated between two consecutive frames of the
   footage) at its own moment, shifted by the shake at that moment;
3. a stabiliser that removes each frame's overall shake (the mean shift of its rows), which
   cannot remove the differences between the rows of one frame: those stay, as bands of the
   picture that sway and skew against each other, and straight verticals bend into gentle S
   shapes that wobble from frame to frame;
4. the stabiliser's crop of MARGIN pixels on every side, so no border ever shows (the
   delivery scales the crop to the pack's size, as a stabilising phone zooms in slightly).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from quiz.packs.synth.delivery import deliver_video
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.recipes.street import RAILING_CARS, RAILING_SHOT
from quiz.packs.synth.sources import clip, real
from quiz.packs.synth.toolkit import FPS, Frames, sample_at

# Time the sensor takes to read a frame from its top row to its bottom row (phone sensors take
# roughly 10 to 35 ms).
READOUT_S = 0.033
# Pixels cropped from every side after stabilising: more than the largest shift a row keeps.
MARGIN = 10
SHAKE_SEED = 20261204
# The shake as sine waves: (frequency band in Hz, waves per axis, amplitude in px for x and y);
# each wave's frequency, amplitude (60 to 100 % of that) and phase are seeded. The slow sway is
# what a stabiliser is for; the tremor is quick enough to change within one readout, which is
# what leaves the jello.
_SWAY = ((0.8, 1.8), 2, (6.0, 3.0))
_TREMOR = ((8.0, 22.0), 3, (2.6, 1.0))


@cache
def _waves() -> tuple[tuple[float, float, float, int], ...]:
    """The shake's sine waves as (frequency, amplitude, phase, axis), drawn once from
    SHAKE_SEED."""
    rng = np.random.default_rng(SHAKE_SEED)
    waves = []
    for (low, high), count, amplitudes in (_SWAY, _TREMOR):
        for axis, amplitude in enumerate(amplitudes):
            for _ in range(count):
                frequency = float(rng.uniform(low, high))
                phase = float(rng.uniform(0.0, 2.0 * np.pi))
                weight = amplitude * float(rng.uniform(0.6, 1.0))
                waves.append((frequency, weight, phase, axis))
    return tuple(waves)


def shake(t: np.ndarray) -> np.ndarray:
    """The camera's shake at times t (s) as (..., 2) offsets in px (x right, y down)."""
    t = np.asarray(t, dtype=np.float64)
    out = np.zeros((*t.shape, 2))
    for frequency, amplitude, phase, axis in _waves():
        out[..., axis] += amplitude * np.sin(2.0 * np.pi * frequency * t + phase)
    return out


def row_times(frame: int, height: int) -> np.ndarray:
    """When each row of a frame is read: the top row at the frame's time, the rows below it
    later, the bottom one READOUT_S later."""
    return frame / FPS + READOUT_S * np.arange(height) / height


def row_offsets(n_frames: int, height: int) -> np.ndarray:
    """Each row's shift after stabilisation, (n_frames, height, 2) in px: the shake when the
    row is read, less the frame's mean shake (the stabiliser's correction)."""
    raw = np.stack([shake(row_times(k, height)) for k in range(n_frames)])
    return raw - raw.mean(axis=1, keepdims=True)


def rolled(frames: list[np.ndarray], k: int, offsets: np.ndarray) -> np.ndarray:
    """Frame k as the shaken rolling-shutter camera records it and the stabiliser corrects it,
    at the footage's full size: row y shows the scene at its read time (between frames k and
    k + 1, the last frame held), moved by offsets[y]."""
    height, width = frames[k].shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    xs += offsets[:, 0, None].astype(np.float32)
    ys += offsets[:, 1, None].astype(np.float32)
    now = sample_at(frames[k], xs, ys)
    later = sample_at(frames[min(k + 1, len(frames) - 1)], xs, ys)
    # How far each row's moment lies between the two frames.
    weight = (READOUT_S * FPS * np.arange(height) / height).astype(np.float32)[:, None, None]
    picture = now * (1.0 - weight) + later * weight
    return (np.clip(picture, 0.0, 255.0) + 0.5).astype(np.uint8)


def jello_frames() -> Frames:
    """The railing shot with a stabilised phone's jello, cropped by MARGIN on every side."""
    shot = list(clip("bikes.mp4", *RAILING_SHOT))
    frames = [frame for _, frame in shot]
    height = frames[0].shape[0]
    offsets = row_offsets(len(frames), height)
    if np.abs(offsets).max() >= MARGIN - 1:
        raise ValueError("the jello would move a row past the stabiliser's crop")
    m = MARGIN
    for k, (t, _) in enumerate(shot):
        yield t, rolled(frames, k, offsets[k])[m:-m, m:-m]


@recipe("demo-street-jello", "video", generated=False)
def _street_jello(dst: Path) -> dict[str, Any]:
    info = deliver_video(jello_frames(), dst)
    return {
        **real(
            "bikes",
            "handheld shake, rolling shutter and stabilisation simulated by Second Look",
        ),
        "description": RAILING_CARS,
        "explanation": "Real street footage as a phone held in the hand records it, with its "
        "stabiliser on. The phone's sensor reads each picture line by line from top to bottom, "
        "and the hand shakes a little while it does, so each band of the picture is taken from "
        "a slightly different place. The stabiliser removes the shake of the picture as a "
        "whole but not these differences between its bands, so the picture wobbles like jelly "
        "(filmmakers call it 'jello'): the railing posts and the lamp post bend into gentle S "
        "shapes and back, and the houses behind them sway too. (The shake, the line-by-line "
        "reading and the stabiliser are simulated here on footage that was filmed "
        "smoothly.) This is not the melting of a generated clip: jello bends the whole picture, "
        "band by band, background included, in time with the camera's shake, while a "
        "generator's melting usually bends one thing and leaves the straight lines around it "
        "straight. A wobbling picture is a reason to look closer, not proof either way.",
        "artifacts": [
            artifact(
                "rolling_shutter",
                0.0,
                info.duration_s,
                WHOLE,
                "The whole picture sways and bends in horizontal bands, background included, "
                "in time with the shake: rolling shutter that the stabiliser could not remove.",
            )
        ],
        **video_fields(info),
    }
