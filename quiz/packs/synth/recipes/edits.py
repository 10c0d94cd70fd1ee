"""Generated from real photos and footage by adding, removing or pasting things: snow that rises,
coins that vanish and appear, a third eye, an astronaut on the Moon, a galaxy from nowhere and
an espresso cup on a doorstep.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from quiz.media.encode import encode_image, encode_video
from quiz.packs.synth.camera import Move, View
from quiz.packs.synth.items import artifact, image_fields, recipe, video_fields
from quiz.packs.synth.scenes import moonscape
from quiz.packs.synth.sources import clip, grey_photo, photo_image, photo_rgb, synth_credit
from quiz.packs.synth.toolkit import (
    FPS,
    Box,
    Frames,
    add_mask,
    f32,
    fade_window,
    frame_box,
    paste,
    resize,
    smoothstep,
    soft_rect_mask,
    timeline,
    u8,
    union,
)


def _gaussian_sprite(sigma: float) -> np.ndarray:
    n = math.ceil(sigma * 3) + 1
    y, x = np.mgrid[-n : n + 1, -n : n + 1].astype(np.float32)
    return np.exp(-(x * x + y * y) / (2 * sigma * sigma)).astype(np.float32)


@recipe("demo-snow-rises", "video", generated=True)
def _snow_rises(dst: Path) -> dict[str, Any]:
    move = Move(View(256, 150, 512), View(268, 158, 440), 512, 288, 5.0)
    photo = photo_image("camera")
    w, h = move.width, move.height
    rng = np.random.default_rng(5101)
    # Flakes have a depth: near ones are bigger, faster, softer (out of focus).
    n = 280
    depth = rng.random(n) ** 1.5
    x0 = rng.uniform(-20, w + 20, n)
    y0 = rng.uniform(0, h + 20, n)
    fall = 22 + 75 * depth
    sway = 4 + 10 * depth
    sway_hz = rng.uniform(0.25, 0.7, n)
    sway_phase = rng.uniform(0, 2 * math.pi, n)
    brightness = 0.5 + 0.45 * depth
    sprites = [_gaussian_sprite(0.5 + 1.6 * (k / 7) ** 1.3) for k in range(8)]
    size_class = np.minimum((depth * 8).astype(int), 7)
    # A patch in front of the man's dark coat (where flakes show best) in which, for two
    # seconds, the snow drifts upwards.
    region = (24.0, 100.0, 214.0, 284.0)
    rise_from, rise_to = 1.6, 3.6
    region_mask = soft_rect_mask(w, h, region, 18.0)
    m_rise = 70
    r_depth = rng.random(m_rise) ** 1.5
    r_x = rng.uniform(region[0], region[2], m_rise)
    r_y = rng.uniform(0, region[3] - region[1], m_rise)
    r_speed = 22 + 75 * r_depth
    r_class = np.minimum((r_depth * 8).astype(int), 7)
    r_phase = rng.uniform(0, 2 * math.pi, m_rise)

    def stamp(layer: np.ndarray, sprite: np.ndarray, x: float, y: float, a: float) -> None:
        r = sprite.shape[0] // 2
        add_mask(layer, sprite * a, round(x) - r, round(y) - r)

    def frames() -> Frames:
        for t in timeline(move.duration):
            base = f32(move.render(photo, t))
            snow = np.zeros((h, w), dtype=np.float32)
            rising = fade_window(t, rise_from, rise_to, 0.25)
            xs = x0 + 6 * t + sway * np.sin(2 * math.pi * sway_hz * t + sway_phase)
            ys = np.mod(y0 + fall * t, h + 20) - 10
            for i in range(n):
                a = brightness[i]
                if rising > 0:
                    xi, yi = int(np.clip(xs[i], 0, w - 1)), int(np.clip(ys[i], 0, h - 1))
                    a *= 1.0 - rising * region_mask[yi, xi]
                if a > 0.02:
                    stamp(snow, sprites[size_class[i]], xs[i], ys[i], a)
            if rising > 0:
                span = region[3] - region[1]
                for i in range(m_rise):
                    y = region[3] - np.mod(r_y[i] + r_speed[i] * t, span)
                    x = r_x[i] + 6 * np.sin(1.3 * t + r_phase[i])
                    xi, yi = int(np.clip(x, 0, w - 1)), int(np.clip(y, 0, h - 1))
                    a = (0.5 + 0.45 * r_depth[i]) * rising * region_mask[yi, xi]
                    if a > 0.02:
                        stamp(snow, sprites[r_class[i]], x, y, a)
            snow = np.minimum(snow, 1.0)[:, :, None]
            yield t, u8(base * (1 - snow) + 0.96 * snow)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("camera")
    return {
        "prompt": "Black-and-white film footage of a cameraman in a long coat filming with a "
        "tripod camera on a field as light snow falls, slow push in",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "Snow falls around a man filming with a camera on a tripod in a field, "
        "in black and white",
        "explanation": "Snow falls everywhere in this shot except in one patch in front of "
        "the man's dark coat, where for two seconds the flakes drift upwards while their "
        "neighbours keep falling. Wind can lift snow, but not in a neat patch while the rest "
        "falls. OpenAI listed exactly this kind of mistake, snowflakes rising in a Tokyo "
        "street scene, among its video model's weaknesses.",
        "artifacts": [
            artifact(
                "physics",
                rise_from,
                rise_to,
                frame_box(*region, w, h),
                "In front of the coat the snowflakes move upwards while all the others fall.",
            )
        ],
        **video_fields(info),
    }


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
    move = Move(View(192, 151, 384), View(200, 154, 330), 384, 288, 5.0)

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

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("coins")
    return {
        "prompt": "Black-and-white museum footage, slow push in over rows of ancient Greek "
        "coins laid out on dark cloth",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in over rows of ancient coins on a dark cloth, in black "
        "and white",
        "explanation": "Count the coins in the middle column. Early in the clip one coin in "
        "the second row dissolves into the cloth, and a second later a new coin materialises "
        "in the gap in the row below. Real objects do not pop in and out of existence; "
        "generators lose track of how many things there are.",
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
    eye, radii = (170.0, 117.0), (40.0, 34.0)
    where, scale = (66.0, 146.0), 0.72
    img = _clone_patch(cat, eye, radii, where, scale=scale, angle_deg=12.0)
    info = encode_image(u8(img), dst)
    rx, ry = radii[0] * scale, radii[1] * scale
    credit, licence = synth_credit("chelsea")
    return {
        "prompt": "Close-up photo of a tabby cat's face, green eyes, soft window light, "
        "shallow depth of field",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A close-up of a tabby cat's face",
        "explanation": "Count the eyes. A small third eye sits in the fur on the side of the "
        "cat's face, below and outside its left eye. It blends in because it copies the "
        "real eye's colour and texture, which is exactly how generated animals grow extra "
        "eyes, ears or paws at the edges of a face.",
        "artifacts": [
            artifact(
                "anatomy",
                None,
                None,
                frame_box(
                    where[0] - rx - 4,
                    where[1] - ry - 4,
                    where[0] + rx + 4,
                    where[1] + ry + 4,
                    info.width,
                    info.height,
                ),
                "A third eye in the fur at the side of the face.",
            )
        ],
        **image_fields(info),
    }


# Outline of the astronaut in the scikit-image portrait (source pixels), traced by hand:
# hair, helmet ring, suit and the helmet she holds.
_ASTRONAUT_OUTLINE = [
    (28, 512), (30, 420), (34, 330), (48, 287), (90, 262), (112, 250), (110, 215),
    (118, 175), (135, 155), (152, 130), (150, 80), (160, 45), (185, 22), (225, 14),
    (265, 20), (292, 42), (302, 75), (300, 120), (292, 148), (305, 165), (312, 205),
    (308, 240), (330, 262), (352, 282), (362, 320), (368, 345), (400, 342), (440, 348),
    (475, 368), (495, 400), (503, 450), (500, 512),
]  # fmt: skip


@recipe("demo-astronaut-on-moon", "image", generated=True)
def _astronaut_on_moon(dst: Path) -> dict[str, Any]:
    width, height, horizon = 640, 480, 210
    rng = np.random.default_rng(7101)
    scene = moonscape(width, height, horizon, rng)
    portrait = Image.fromarray(photo_rgb("astronaut"))
    mask = Image.new("L", portrait.size, 0)
    ImageDraw.Draw(mask).polygon(_ASTRONAUT_OUTLINE, fill=255)
    scale, left, top = 0.58, 70, 0
    size = (round(portrait.width * scale), round(portrait.height * scale))
    top = height - size[1]
    cut = f32(np.asarray(portrait.resize(size, Image.Resampling.LANCZOS)))
    alpha = np.asarray(mask.resize(size, Image.Resampling.BOX), dtype=np.float32) / 255.0
    paste(scene, cut, alpha, left, top)
    info = encode_image(u8(scene), dst)
    ys, xs = np.nonzero(alpha > 0.5)
    credit, licence = synth_credit("astronaut", "textures")
    return {
        "prompt": "A smiling astronaut in an orange flight suit standing on the surface of the "
        "Moon, holding her helmet, black sky, photorealistic",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "An astronaut in an orange flight suit on a grey, cratered landscape "
        "under a black sky",
        "explanation": "The astronaut does not belong in this scene. The ground is lit by a "
        "hard, low sun from the right that throws deep crater shadows, but she is lit softly "
        "from the front like a studio portrait, casts no shadow, and her outline still "
        "carries a sliver of the old background. She is also far too large for the "
        "distance. No helmet on the Moon is another clue from common sense.",
        "artifacts": [
            artifact(
                "compositing",
                None,
                None,
                frame_box(
                    left + xs.min() - 3,
                    top + ys.min() - 3,
                    left + xs.max() + 3,
                    height,
                    info.width,
                    info.height,
                ),
                "Pasted-in figure: studio lighting, no shadow, wrong scale and a cut-out edge.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-deep-field-new-galaxy", "video", generated=True)
def _deep_field_new_galaxy(dst: Path) -> dict[str, Any]:
    photo = f32(photo_rgb("hubble"))
    # A galaxy from outside the pan's path, turned and shrunk, fades into an empty patch.
    source, radii, target, scale = (422.0, 716.0), (22.0, 22.0), (515.0, 245.0), 0.8
    extra = _clone_patch(photo, source, radii, target, scale=scale, angle_deg=60.0, feather=0.5)
    appear_from, appear_to = 2.2, 2.8
    move = Move(View(330, 210, 440), View(420, 240, 400), 640, 360, 6.0)

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

    info = encode_video(frames(), dst, fps=FPS)
    r = radii[0] * scale
    rect = (target[0] - r, target[1] - r, target[0] + r, target[1] + r)
    box = frame_box(*union([move.union(appear_from, appear_to + 0.5, rect)], pad=4), 640, 360)
    credit, licence = synth_credit("hubble")
    return {
        "prompt": "Slow pan across a deep-space telescope image full of distant galaxies, "
        "black sky, documentary style",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow pan across a deep-space photograph full of small galaxies",
        "explanation": "This is a slow pan across a still photograph, so nothing in it may "
        "change. Yet halfway through, a spiral galaxy fades into a patch of sky that was "
        "empty a moment before. Things do not pop into existence; generators lose count of "
        "small, numerous things such as stars, pebbles, coins or puppies.",
        "artifacts": [
            artifact(
                "count",
                appear_from,
                appear_to + 0.5,
                box,
                "A galaxy appears out of nothing in an empty patch of sky.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-doorstep-espresso", "video", generated=True)
def _doorstep_espresso(dst: Path) -> dict[str, Any]:
    # The cup and saucer from the cafe photograph, cut out along the saucer's rim.
    coffee = f32(photo_rgb("coffee"))
    yy, xx = np.mgrid[0 : coffee.shape[0], 0 : coffee.shape[1]].astype(np.float32)
    rim = np.hypot((xx - 277.0) / 196.0, (yy - 227.0) / 156.0)
    alpha = smoothstep(1.0, 0.985, rim).astype(np.float32)
    crop = (81, 71, 473, 383)
    size = (64, 51)
    cut_rgb = resize(coffee[crop[1] : crop[3], crop[0] : crop[2]], *size)
    cut_alpha = resize(alpha[crop[1] : crop[3], crop[0] : crop[2], None], *size)[:, :, 0]
    # On the upper doorstep of the street footage, which drifts left as the camera moves.
    start, end = 7.72, 9.64
    x_at_start, bottom, drift = 108.0, 138.0, 9.7  # px, px, px per second

    def frames() -> Frames:
        for t, frame in clip("bikes.mp4", start, end):
            img = f32(frame)
            x = x_at_start - drift * t
            # Sub-pixel placement: blend the two nearest whole-pixel positions.
            xi, fx = math.floor(x), x - math.floor(x)
            for dx, weight in ((0, 1 - fx), (1, fx)):
                if weight > 0:
                    paste(img, cut_rgb, cut_alpha * weight, xi + dx, round(bottom - size[1]))
            yield t, u8(img)

    info = encode_video(frames(), dst, fps=FPS)
    duration = info.duration_s
    rect = (
        x_at_start - drift * duration - 3,
        bottom - size[1] - 3,
        x_at_start + size[0] + 3,
        bottom + 3,
    )
    credit, licence = synth_credit("bikes", "coffee")
    return {
        "prompt": "Handheld street footage, low angle: a parked bicycle on cobblestones by a "
        "stone doorstep, a cup of espresso left on the step, overcast daylight",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A bicycle leans on a wall by a doorstep on a cobbled street",
        "explanation": "Look at the cup on the doorstep. The street is grey and overcast and "
        "the camera is at knee height, yet the cup is lit by warm window light and we look "
        "down into it from above, as if from another camera. It casts no shadow on the step "
        "and it is far too big: the saucer is half as wide as the doorway. Objects lit, seen "
        "or scaled differently from their surroundings look pasted in, because they are.",
        "artifacts": [
            artifact(
                "compositing",
                0.0,
                duration,
                frame_box(*rect, info.width, info.height),
                "A pasted-in cup: warm indoor light, a view from above, no shadow, giant size.",
            )
        ],
        **video_fields(info),
    }
