"""Generated from real photos by adding or removing things: coins that vanish and appear, a third
eye, a galaxy from nowhere. Each video uses the same camera move as its real twin
(photo_moves.MOVES), so only the giveaway differs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from quiz.packs.synth.credentials import (
    credentials_for,
    jpeg_bytes,
    transplant_credential,
)
from quiz.packs.synth.delivery import (
    IMAGE_SIZE,
    deliver_image,
    deliver_video,
    delivered_box,
    fit_frame,
)
from quiz.packs.synth.items import artifact, image_fields, recipe, video_fields
from quiz.packs.synth.recipes.photo_moves import MOVES
from quiz.packs.synth.sources import grey_photo, photo_rgb, synth_credit
from quiz.packs.synth.toolkit import (
    Box,
    Frames,
    f32,
    frame_box,
    paste,
    smoothstep,
    timeline,
    u8,
    union,
    watermark,
)


def _disc_mask(shape: tuple[int, int], cx: float, cy: float, r: float) -> np.ndarray:
    """A disc slightly larger than a coin, with a soft edge so edits leave no seam."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    return smoothstep(r + 7, r + 3, np.hypot(x - cx, y - cy)).astype(np.float32)


def _erase_disc(
    img: np.ndarray, cx: float, cy: float, r: float, rng: np.random.Generator
) -> np.ndarray:
    """Paint over a round object with cloth matching its surroundings (grey float image)."""
    h, w = img.shape
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.hypot(x - cx, y - cy)
    ring = (d > r + 4) & (d < r + 12)

    def cloth_level(sel: np.ndarray) -> float:
        # The ring also catches the rims of neighbouring coins; the darker pixels are cloth.
        vals = img[sel]
        return float(np.median(vals[vals <= np.percentile(vals, 50)]))

    vals = img[ring]
    dark = vals[vals <= np.percentile(vals, 50)]
    std = 1.4826 * float(np.median(np.abs(dark - np.median(dark))))
    noise = ndimage.gaussian_filter(rng.standard_normal((h, w)).astype(np.float32), 1.0)
    # The ring's spread includes shading as well as grain; half of it matches the weave.
    noise *= 0.5 * std / max(float(noise.std()), 1e-6)
    # Follow the photo's gentle top-to-bottom lighting gradient across the patch.
    top, bottom = cloth_level(ring & (y < cy)), cloth_level(ring & (y >= cy))
    cloth = top + (bottom - top) * np.clip((y - (cy - r)) / (2 * r), 0, 1) + noise
    mask = _disc_mask((h, w), cx, cy, r)
    return img * (1 - mask) + cloth * mask


@recipe("demo-coins-count-changes", "video", generated=True)
def _coins_count(dst: Path) -> dict[str, Any]:
    rng = np.random.default_rng(6101)
    coins = grey_photo("coins")
    # Coin positions measured on the photo: (centre x, centre y, radius).
    vanish = (154.0, 127.5, 21.0)
    appear = (154.5, 198.0, 20.5)
    cloth = _erase_disc(_erase_disc(coins, *appear, rng), *vanish, rng)
    mask_vanish = _disc_mask(coins.shape, *vanish)
    mask_appear = _disc_mask(coins.shape, *appear)
    vanish_from, vanish_to = 1.5, 1.9
    appear_from, appear_to = 3.1, 3.5
    move = MOVES["coins"]

    def scene(t: float) -> Image.Image:
        # One coin is there at the start and dissolves; the other is absent and materialises.
        show = mask_vanish * (1 - float(smoothstep(vanish_from, vanish_to, t)))
        show += mask_appear * float(smoothstep(appear_from, appear_to, t))
        img = cloth * (1 - show) + coins * show
        return Image.fromarray(u8(np.repeat(img[:, :, None], 3, axis=2)))

    def frames() -> Frames:
        for t in timeline(move.duration):
            yield t, move.render(scene(t), t)

    def coin_box(coin: tuple, start: float, end: float) -> Box:
        cx, cy, r = coin
        rect = move.union(start, end, (cx - r, cy - r, cx + r, cy + r))
        return frame_box(*union([rect], pad=4), move.width, move.height)

    info = deliver_video(frames(), dst)
    credit, licence = synth_credit("coins")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in over rows of ancient coins on a dark cloth, in black "
        "and white",
        "explanation": "Count the coins in the middle column. Early in the clip one coin in "
        "the second row dissolves into the cloth, and a second later a new coin materialises "
        "in the gap in the row below. Real objects do not pop in and out of existence; "
        "video generators keep no count of the things in a scene, so small, numerous things "
        "(coins, pebbles, stars, puppies) appear, vanish or multiply. In real footage things "
        "only seem to appear when they come out from behind something or into the light.",
        "artifacts": [
            artifact(
                "count",
                vanish_from,
                vanish_to,
                coin_box(vanish, vanish_from, vanish_to),
                "A coin dissolves into the cloth and is gone.",
            ),
            artifact(
                "count",
                appear_from,
                appear_to,
                coin_box(appear, appear_from, appear_to),
                "A new coin appears out of nothing in an empty spot.",
            ),
        ],
        **video_fields(info),
    }


def _clone_patch(
    img: np.ndarray,
    src_centre: tuple[float, float],
    radii: tuple[float, float],
    dst_centre: tuple[float, float],
    *,
    scale: float = 1.0,
    angle_deg: float = 0.0,
    feather: float = 0.35,
) -> np.ndarray:
    """Copy an elliptical patch (say, an eye) to another place, scaled and turned, with a
    feathered edge and its brightness matched to the new surroundings."""
    h, w = img.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    a = math.radians(angle_deg)
    # For each destination pixel, where in the source does it come from?
    dx, dy = (x - dst_centre[0]) / scale, (y - dst_centre[1]) / scale
    sx = src_centre[0] + math.cos(a) * dx - math.sin(a) * dy
    sy = src_centre[1] + math.sin(a) * dx + math.cos(a) * dy
    moved = np.stack(
        [
            ndimage.map_coordinates(img[:, :, c], [sy, sx], order=1, mode="reflect")
            for c in range(3)
        ],
        axis=2,
    )
    r = np.hypot((sx - src_centre[0]) / radii[0], (sy - src_centre[1]) / radii[1])
    mask = smoothstep(1.0, 1.0 - feather, r)[:, :, None]
    ring = (r > 1.0) & (r < 1.4)
    moved_ring = ndimage.map_coordinates(img.mean(axis=2), [sy[ring], sx[ring]], order=1)
    gain = float(img.mean(axis=2)[ring].mean() / max(float(moved_ring.mean()), 1e-6))
    return img * (1 - mask) + np.clip(moved * gain, 0, 1) * mask


@recipe("demo-cat-third-eye", "image", generated=True)
def _cat_third_eye(dst: Path) -> dict[str, Any]:
    cat = f32(photo_rgb("chelsea"))
    source_size = (cat.shape[1], cat.shape[0])
    # The cat's left eye (on the right of the picture), copied smaller into the fur beside
    # its right eye (on the left of the picture).
    eye, radii = (170.0, 117.0), (40.0, 34.0)
    where, scale = (66.0, 146.0), 0.72
    clean = fit_frame(
        u8(_clone_patch(cat, eye, radii, where, scale=scale, angle_deg=12.0)), IMAGE_SIZE
    )
    # The generator's own file carried its visible mark in a corner and a signed credential;
    # someone painted the mark out and kept the old credential.
    mark = watermark(110, 26)
    mx, my = IMAGE_SIZE[0] - 124, IMAGE_SIZE[1] - 36
    marked = f32(clean)
    paste(marked, np.ones((*mark.shape, 3), np.float32), mark * 0.55, mx, my)
    creds = credentials_for(dst)
    unsigned = creds.originals / f".{dst.stem}.unsigned.jpg"
    signed = creds.originals / f"{dst.stem}.jpg"
    try:
        unsigned.write_bytes(jpeg_bytes(u8(marked)))
        creds.sign(unsigned, signed)
    finally:
        unsigned.unlink(missing_ok=True)
    edited = creds.originals / f"{dst.stem}-edited.jpg"
    edited.write_bytes(transplant_credential(signed.read_bytes(), jpeg_bytes(clean)))
    provenance = creds.read(edited, expect="invalid")
    info = deliver_image(clean, dst)
    rx, ry = radii[0] * scale, radii[1] * scale
    eye_box = delivered_box(
        frame_box(
            where[0] - rx - 4, where[1] - ry - 4, where[0] + rx + 4, where[1] + ry + 4, *source_size
        ),
        source_size,
        IMAGE_SIZE,
    )
    credit, licence = synth_credit("chelsea")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A close-up of a tabby cat's face",
        "explanation": "Count the eyes. A small third eye sits in the fur on the side of the "
        "cat's face, below and outside its right eye (on the left of the picture). It has the "
        "same colour and texture as the real eyes, so it is easy to miss. Image generators "
        "build animals from patterns of fur, eyes and paws without counting them, so extra "
        "eyes, ears or paws grow where those patterns meet; a real cat's markings can look "
        "like an eye at a glance, but they have no lid, pupil or shine. The provenance note adds a second lesson: "
        "this picture's credential does not match it.",
        "artifacts": [
            artifact(
                "anatomy",
                None,
                None,
                eye_box,
                "A third eye in the fur, beside the cat's right eye.",
            ),
            artifact(
                "provenance",
                None,
                None,
                frame_box(
                    mx - 4, my - 4, mx + mark.shape[1] + 4, my + mark.shape[0] + 4, *IMAGE_SIZE
                ),
                "The original carried a Content Credential naming Second Look synthesizer, "
                "but it fails validation: it no longer matches this picture. Here the reason "
                "is known: after signing, someone painted out the generator's mark in this "
                "corner and kept the old credential. In general a failed validation means "
                "only that the credential's claims do not apply to this file: it may have "
                "been edited, the credential copied from another file, or the certificate may "
                "have a problem. It is not proof of tampering, and what it claims describes "
                "some other file, not the picture you saw.",
            ),
        ],
        "provenance": provenance,
        **image_fields(info),
    }


@recipe("demo-deep-field-new-galaxy", "video", generated=True)
def _deep_field_new_galaxy(dst: Path) -> dict[str, Any]:
    photo = f32(photo_rgb("hubble"))
    # A galaxy from outside the pan's path, turned and shrunk, fades into an empty patch.
    source, radii, target, scale = (422.0, 716.0), (22.0, 22.0), (515.0, 245.0), 0.8
    extra = _clone_patch(photo, source, radii, target, scale=scale, angle_deg=60.0, feather=0.5)
    appear_from, appear_to = 2.2, 2.8
    move = MOVES["hubble"]

    def frames() -> Frames:
        before, after = Image.fromarray(u8(photo)), Image.fromarray(u8(extra))
        for t in timeline(move.duration):
            k = float(smoothstep(appear_from, appear_to, t))
            if k <= 0.0:
                scene = before
            elif k >= 1.0:
                scene = after
            else:
                scene = Image.fromarray(u8(photo * (1 - k) + extra * k))
            yield t, move.render(scene, t)

    info = deliver_video(frames(), dst)
    r = radii[0] * scale
    rect = (target[0] - r, target[1] - r, target[0] + r, target[1] + r)
    box = frame_box(
        *union([move.union(appear_from, appear_to + 0.5, rect)], pad=4), move.width, move.height
    )
    credit, licence = synth_credit("hubble")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow pan across a deep-space photograph full of small galaxies",
        "explanation": "This is a slow pan across a still photograph, so nothing in it may "
        "change. Yet halfway through, a small, soft smudge of a galaxy fades into a patch of "
        "sky that was empty a moment before. Things do not pop into existence; video "
        "generators lose count of small, numerous things such as stars, pebbles, coins or "
        "puppies. In a real telescope video a new point of light can appear (a satellite, a "
        "supernova), but not in a pan across one still photograph.",
        "artifacts": [
            artifact(
                "count",
                appear_from,
                appear_to + 0.5,
                box,
                "A soft smudge of a galaxy appears out of nothing in an empty patch of sky.",
            )
        ],
        **video_fields(info),
    }
