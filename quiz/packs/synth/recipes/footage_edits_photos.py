"""Generated items that edit real photographs under a slow camera move: the frames are the
photograph as the matching real item shows it, except inside one region and time range, where
the edit imitates a mistake text-to-video generators make (handwritten symbols that keep
changing, a coin whose head turns into another head).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.registration import optical_flow_tvl1

from quiz.packs.synth.camera import Move, View
from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video
from quiz.packs.synth.items import artifact, recipe, video_fields
from quiz.packs.synth.recipes.footage_edits import CHECK_SOURCE
from quiz.packs.synth.recipes.photo_moves import MOVES
from quiz.packs.synth.sources import photo_rgb, synth_credit
from quiz.packs.synth.toolkit import Box, Frames, frame_box, smoothstep, timeline, union

# --------------------------------------------------------------------------------------------
# text: handwritten symbols that keep turning into other symbols
# --------------------------------------------------------------------------------------------

# A slow push over the photograph of handwritten formulas (448 x 172 px); the bottom line's
# symbols change every few frames, rebuilt from the photo's own handwriting.
TEXT_MOVE = Move(View(215.0, 86.0, 300.0), View(205.0, 101.0, 247.0), *VIDEO_SIZE, 5.0)
_GARBLE_RECT = (55, 118, 300, 172)  # the bottom line, in photo pixels
_GARBLE_FROM, _GARBLE_TO = 1.2, 4.2
_GARBLE_HOLD = 0.28  # seconds between changes


@cache
def _handwriting() -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """The photo (grey float), its ink as darkness (0 paper .. 1 black), the paper with the
    ink wiped off, and each single handwritten symbol as (x0, y0, x1, y1, its mask)."""
    grey = photo_rgb("text")[:, :, 0].astype(np.float32)
    paper = ndimage.median_filter(grey, 25)
    darkness = np.clip((paper - grey) / np.maximum(paper, 1.0), 0.0, 1.0)
    ink = (paper - grey) > 35
    labels, _ = ndimage.label(ndimage.binary_closing(ink, iterations=1))
    symbols = []
    for i, sl in enumerate(ndimage.find_objects(labels)):
        own = labels[sl] == i + 1
        h, w = own.shape
        if 40 <= int(own.sum()) <= 400 and 6 <= h <= 30 and 6 <= w <= 60:
            y0, x0 = sl[0].start - 2, sl[1].start - 2
            y1, x1 = sl[0].stop + 2, sl[1].stop + 2
            mask = ndimage.binary_dilation(labels[y0:y1, x0:x1] == i + 1, iterations=2)
            symbols.append((x0, y0, x1, y1, ndimage.gaussian_filter(mask * 1.0, 0.7)))
    # Under the ink, the paper: filled in from around it.
    hole = ndimage.binary_dilation(ink, iterations=2).astype(np.float32)
    known = 1.0 - hole
    fill = ndimage.gaussian_filter(grey * known, 4.0) / np.maximum(
        ndimage.gaussian_filter(known, 4.0), 1e-4
    )
    clean = grey * known + fill * hole
    return grey, darkness, clean, symbols


def _garbled(rng: np.random.Generator) -> np.ndarray:
    """The photo with most symbols of the bottom line replaced by other symbols of its own
    handwriting, stretched to the same place."""
    grey, darkness, clean, symbols = _handwriting()
    gx0, gy0, gx1, gy1 = _GARBLE_RECT
    out = grey.copy()
    for x0, y0, x1, y1, mask in symbols:
        if not (x0 >= gx0 and y0 >= gy0 and x1 <= gx1 and y1 <= gy1):
            continue
        if rng.random() < 0.25:
            continue  # this one stays as written, this time
        # Wipe the symbol off the paper...
        spot = (slice(y0, y1), slice(x0, x1))
        out[spot] = out[spot] * (1 - mask) + clean[spot] * mask
        # ...and draw another one (sometimes mirrored) in its place.
        dx0, dy0, dx1, dy1, dmask = symbols[int(rng.integers(len(symbols)))]
        ink = darkness[dy0:dy1, dx0:dx1] * dmask
        if rng.random() < 0.4:
            ink = ink[:, ::-1]
        ink = np.asarray(
            Image.fromarray(ink.astype(np.float32), mode="F").resize(
                (x1 - x0, y1 - y0), Image.Resampling.BICUBIC
            )
        ).clip(0.0, 1.0)
        out[spot] = out[spot] * (1 - ink)
    return out


def text_move_frames(garble: bool = True) -> Frames:
    """The push over the handwriting, with (or without) the changing symbols."""
    rng = np.random.default_rng(10_401)
    photo = Image.fromarray(photo_rgb("text"))
    current, current_slot = None, None
    for t in timeline(TEXT_MOVE.duration):
        if garble and _GARBLE_FROM <= t < _GARBLE_TO:
            slot = int((t - _GARBLE_FROM) / _GARBLE_HOLD)
            if slot != current_slot:
                current_slot = slot
                grey = np.clip(_garbled(rng) + 0.5, 0, 255).astype(np.uint8)
                current = Image.fromarray(np.repeat(grey[:, :, None], 3, axis=2))
            yield t, TEXT_MOVE.render(current, t)
        else:
            yield t, TEXT_MOVE.render(photo, t)


def _text_box() -> Box:
    gx0, gy0, gx1, gy1 = _GARBLE_RECT
    spots = [
        (x0, y0, x1, y1)
        for x0, y0, x1, y1, _ in _handwriting()[3]
        if x0 >= gx0 and y0 >= gy0 and x1 <= gx1 and y1 <= gy1
    ]
    rect = TEXT_MOVE.union(_GARBLE_FROM, _GARBLE_TO, union(spots, pad=2))
    return frame_box(*rect, *VIDEO_SIZE)


@recipe("demo-formulas-symbols-change", "video", generated=True)
def _formulas_change(dst: Path) -> dict[str, Any]:
    info = deliver_video(text_move_frames(), dst)
    credit, licence = synth_credit("text")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in over handwritten formulas on lined paper",
        "explanation": "Read the bottom line of symbols more than once. Every few frames its "
        "letters and signs turn into different ones, while the lines above stay as they "
        "were written. Ink on paper does not change. Video generators draw writing as "
        "shapes that look like letters, not as words they keep track of, so small or "
        "unfamiliar lettering often changes from frame to frame or is not real writing at "
        "all. Real writing can look garbled too (blur, a steep angle, messy handwriting), but "
        "it stays the same from one frame to the next." + CHECK_SOURCE,
        "artifacts": [
            artifact(
                "text",
                _GARBLE_FROM,
                _GARBLE_TO,
                _text_box(),
                "The handwritten symbols on the bottom line change into other symbols every "
                "few frames.",
            )
        ],
        **video_fields(info),
    }


# --------------------------------------------------------------------------------------------
# morphing: during a push in over museum coins, one coin's head turns into another's
# --------------------------------------------------------------------------------------------

_COIN = (204.0, 124.0, 19.0)  # the coin that changes: centre x, centre y, radius (photo px)
_COIN_DONOR = (102.0, 195.0, 22.0)  # the coin whose head it becomes
_MORPH_FROM, _MORPH_TO = 1.4, 3.4


def coins_move() -> Move:
    """The push in over the coins that the matching real item shows too."""
    return MOVES["coins"]


def _coin_crop(grey: np.ndarray, coin: tuple[float, float, float], r_out: float, n: int):
    """The coin resampled into an n x n square in which its radius is r_out px."""
    cx, cy, r = coin
    scale = r / r_out
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) - (n - 1) / 2
    return ndimage.map_coordinates(grey, [cy + yy * scale, cx + xx * scale], order=1)


@cache
def _coin_morph() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """The changing coin and the donor (same size, grey float), the flow between them, the
    soft disc inside the rim and where the square sits in the photo."""
    grey = photo_rgb("coins")[:, :, 0].astype(np.float32)
    cx, cy, r = _COIN
    n = int(2 * r + 12) | 1
    a = _coin_crop(grey, _COIN, r, n)
    b = _coin_crop(grey, _COIN_DONOR, r, n)
    # Same overall tone, so the coin changes its design, not its metal.
    b = (b - b.mean()) / max(float(b.std()), 1e-3) * float(a.std()) + float(a.mean())
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) - (n - 1) / 2
    disc = smoothstep(r - 1.0, r - 4.0, np.hypot(xx, yy)).astype(np.float32)
    # A smooth flow that stays on the coin: the design slides into the other design instead
    # of tearing, and nothing is fetched from the cloth around it.
    flow = optical_flow_tvl1(a, b, attachment=5.0, num_warp=6)
    flow = np.stack([ndimage.gaussian_filter(f, 2.0) for f in flow]) * disc
    flow = np.clip(flow, -0.35 * r, 0.35 * r)
    corner = (round(cx - (n - 1) / 2), round(cy - (n - 1) / 2))
    return a, b, flow, disc, corner


def _morphed_coins(k: float) -> np.ndarray:
    """The photo with the coin k of the way (0..1) to the donor's design."""
    a, b, flow, disc, (x0, y0) = _coin_morph()
    n = a.shape[0]
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    vy, vx = flow
    # a(x) ~ b(x + v): halfway pictures sample each end partway along the flow.
    from_a = ndimage.map_coordinates(a, [yy - k * vy, xx - k * vx], order=1, mode="nearest")
    from_b = ndimage.map_coordinates(
        b, [yy + (1 - k) * vy, xx + (1 - k) * vx], order=1, mode="nearest"
    )
    mid = (1 - k) * from_a + k * from_b
    photo = photo_rgb("coins")[:, :, 0].astype(np.float32)
    spot = (slice(y0, y0 + n), slice(x0, x0 + n))
    photo[spot] = photo[spot] * (1 - disc) + mid * disc
    grey = np.clip(photo + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def coin_morph_frames(morph: bool = True) -> Frames:
    move = coins_move()
    photo = Image.fromarray(photo_rgb("coins"))
    for t in timeline(move.duration):
        k = float(smoothstep(_MORPH_FROM, _MORPH_TO, t)) if morph else 0.0
        yield t, move.render(Image.fromarray(_morphed_coins(k)) if k > 0 else photo, t)


def _coin_box() -> Box:
    move = coins_move()
    cx, cy, r = _COIN
    rect = move.union(_MORPH_FROM, move.duration, (cx - r, cy - r, cx + r, cy + r))
    return frame_box(*union([rect], pad=3), move.width, move.height)


@recipe("demo-coins-head-changes", "video", generated=True)
def _coins_head_changes(dst: Path) -> dict[str, Any]:
    info = deliver_video(coin_morph_frames(), dst)
    credit, licence = synth_credit("coins")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in over rows of ancient coins on a dark cloth, in black "
        "and white",
        "explanation": "Pick one coin and keep watching it. One coin in the second row "
        "slowly changes its design: the head on it becomes a different head, "
        "with other hair and another profile, and it stays that way. Nothing touches it and "
        "the light does not change. Video generators do not keep track of what each object "
        "looks like, so faces, logos and designs drift into something else while the camera "
        "moves. A real coin keeps every scratch from the first frame to the last." + CHECK_SOURCE,
        "artifacts": [
            artifact(
                "morphing",
                _MORPH_FROM,
                coins_move().duration,
                _coin_box(),
                "The head on this coin gradually turns into a different head.",
            )
        ],
        **video_fields(info),
    }
