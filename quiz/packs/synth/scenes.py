"""Backgrounds built from real textures: a garden courtyard, a sunset over hills, the Moon and a
bakery front.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from quiz.packs.synth.camera import Camera
from quiz.packs.synth.sources import grey_texture
from quiz.packs.synth.toolkit import blur, resize, sample_mirrored, smoothstep, soft_rect_mask

# --------------------------------------------------------------------------------------------
# Backgrounds built from real textures
# --------------------------------------------------------------------------------------------


def value_noise(width: int, height: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in 0..1 with features about `scale` pixels across."""
    small = rng.random((int(height / scale) + 3, int(width / scale) + 3)).astype(np.float32)
    big = ndimage.zoom(small, scale, order=3)[:height, :width]
    big = ndimage.gaussian_filter(big, scale / 4)
    return (big - big.min()) / max(float(big.max() - big.min()), 1e-6)


def brick_wall(width: int, height: int, course_px: float, rng: np.random.Generator) -> np.ndarray:
    """A running-bond brick wall, front on; surface detail comes from the gravel photo."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    brick_len = course_px * 3.1
    row = np.floor(y / course_px).astype(int)
    row_shift = (row % 2) * brick_len / 2 + (row * 7 % 5) * 0.6
    col = np.floor((x + row_shift) / brick_len).astype(int)
    fy = y / course_px - row
    fx = (x + row_shift) / brick_len - col
    palette = rng.normal(0.0, 1.0, (row.max() + 2, col.max() + 3, 3)).astype(np.float32)
    base = np.array([0.56, 0.29, 0.20], dtype=np.float32)
    brick = base + palette[row, col + 1] * np.array([0.05, 0.025, 0.02], dtype=np.float32)
    # Some bricks burnt darker, as in any real wall.
    burnt = (palette[row, col + 1, 0] > 1.3)[:, :, None]
    brick = np.where(burnt, brick * 0.72, brick)
    mortar_y = course_px * 0.14
    mortar_x = mortar_y / brick_len
    edge = np.minimum(
        np.minimum(fy * course_px, (1 - fy) * course_px) / mortar_y,
        np.minimum(fx, 1 - fx) / mortar_x,
    )
    is_brick = smoothstep(0.9, 1.4, edge)[:, :, None]
    detail = sample_mirrored(grey_texture("gravel"), x * 0.9, y * 0.9)[:, :, None]
    brick = brick * (0.78 + 0.45 * detail)
    # Bricks are slightly rounded: darken towards their edges.
    brick *= 0.88 + 0.12 * smoothstep(1.0, 3.0, edge)[:, :, None]
    mortar = np.array([0.60, 0.57, 0.52], dtype=np.float32) * (0.8 + 0.35 * detail)
    wall = mortar * (1 - is_brick) + brick * is_brick
    stains = value_noise(width, height, 60, rng)[:, :, None]
    return wall * (0.86 + 0.22 * stains)


def _ground(
    cam: Camera,
    top: int,
    texture: str,
    tint: tuple[float, float, float],
    tile_m: float,
    *,
    haze: tuple[float, float, float] = (0.7, 0.72, 0.75),
    ss: int = 2,
) -> np.ndarray:
    """The ground plane from row `top` down, textured in perspective with a real photo."""
    h = cam.height - top
    ys, xs = np.mgrid[0 : h * ss, 0 : cam.width * ss].astype(np.float32)
    px, py = (xs + 0.5) / ss, top + (ys + 0.5) / ss
    gx, gz = cam.ground_xz(px, py)
    tex = grey_texture(texture)
    size = tex.shape[0]
    value = sample_mirrored(tex, gx / tile_m * size + 97.0, gz / tile_m * size + 211.0)
    rgb = value[:, :, None] * np.array(tint, dtype=np.float32) * 1.6
    fog = (1.0 - np.exp(-gz / 40.0))[:, :, None]
    rgb = rgb * (1 - fog) + np.array(haze, dtype=np.float32) * fog
    return resize(rgb, cam.width, h)


def _sky(width: int, height: int, top: tuple, bottom: tuple) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = np.array(top, dtype=np.float32) * (1 - t) + np.array(bottom, dtype=np.float32) * t
    return np.repeat(column, width, axis=1)


def _foliage(width: int, height: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tree crowns behind a wall: the grass photo, tinted dark green, cut to overlapping
    round crowns so the skyline reads as trees rather than a hill."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    leaves = sample_mirrored(grey_texture("grass"), xx * 1.3 + 40, yy * 1.3 + 90)
    shade = np.zeros((height, width), dtype=np.float32)
    crowns = np.zeros((height, width), dtype=np.float32)
    x = -20.0
    while x < width + 20:
        r = float(rng.uniform(0.35, 0.75)) * height
        cy = height - float(rng.uniform(0.2, 0.75)) * r
        # Leafy, ragged outline rather than a perfect circle.
        d = np.hypot((xx - x) / 1.15, yy - cy) / r + (leaves - 0.5) * 0.14
        # Each crown is lit from the upper left and darker at its lower right.
        inside = smoothstep(1.02, 0.95, d)
        light = 0.65 + 0.5 * np.clip(-(xx - x) / r * 0.5 - (yy - cy) / r * 0.6, -0.6, 0.6)
        shade = np.where(inside > crowns, light, shade)
        crowns = np.maximum(crowns, inside)
        x += r * float(rng.uniform(0.9, 1.5))
    # Sky shows through gaps between leaves at the crowns' edges.
    crowns *= np.where(leaves > 0.78, 0.5, 1.0)
    rgb = leaves[:, :, None] * np.array([0.20, 0.33, 0.13], dtype=np.float32) + 0.03
    rgb *= shade[:, :, None]
    return rgb, crowns


@dataclass
class Courtyard:
    cam: Camera
    image: np.ndarray  # float RGB
    wall_base: int  # screen row where the wall meets the ground
    wall_z: float


def courtyard(
    *,
    width: int = 640,
    height: int = 360,
    ground: str = "gravel",
    wall_z: float = 6.0,
    seed: int,
) -> Courtyard:
    """A garden courtyard: sky, trees, a brick wall with coping, a textured ground."""
    rng = np.random.default_rng(seed)
    cam = Camera(width, height, focal=520.0, horizon=height * 0.30, eye=1.35)
    base = round(cam.project(0, 0, wall_z)[1])
    top = round(cam.project(0, 1.75, wall_z)[1])
    coping = round(cam.project(0, 1.85, wall_z)[1])
    img = _sky(width, height, (0.50, 0.66, 0.86), (0.80, 0.86, 0.92))
    leaves, alpha = _foliage(width, top, rng)
    img[:top] = img[:top] * (1 - alpha[:, :, None]) + leaves * alpha[:, :, None]
    course = cam.scale(wall_z) * 0.077
    wall = brick_wall(width, base - top, course, rng)
    # Sunlight from the left: a gentle gradient, and the wall base sits in ambient shadow.
    lit = np.linspace(1.08, 0.9, width, dtype=np.float32)[None, :, None]
    occl = 1.0 - 0.25 * np.exp(-(base - top - 1 - np.arange(base - top)) / 5.0)
    img[top:base] = wall * lit * occl[:, None, None].astype(np.float32)
    cap = np.array([0.72, 0.70, 0.66], dtype=np.float32)
    cap_detail = sample_mirrored(
        grey_texture("gravel"), *np.mgrid[0 : top - coping, 0:width][::-1] * 2.0
    )
    img[coping:top] = cap * (0.85 + 0.25 * cap_detail[:, :, None]) * lit
    img[top : top + 2] *= 0.7  # the coping's shadow line
    if ground == "gravel":
        floor = _ground(cam, base, "gravel", (0.55, 0.52, 0.47), 1.2)
    else:
        floor = _ground(cam, base, "grass", (0.34, 0.48, 0.18), 0.9)
        # Lawns are never one colour: drier, yellower patches.
        patches = value_noise(width, height - base, 50, rng)[:, :, None]
        floor *= 0.9 + 0.25 * patches * np.array([1.1, 1.0, 0.7], dtype=np.float32)
    # Ambient occlusion where the ground meets the wall.
    rows = np.arange(height - base, dtype=np.float32)
    floor *= (1.0 - 0.35 * np.exp(-rows / 6.0))[:, None, None]
    img[base:] = floor
    return Courtyard(cam, img, base, wall_z)


# --------------------------------------------------------------------------------------------
# A sunset, the Moon and a bakery front
# --------------------------------------------------------------------------------------------


def sunset(width: int, height: int, ground_row: int, sun_x: float, seed: int) -> np.ndarray:
    """Evening sky, hazy hills and a dark grassy foreground, as in a backlit phone video.

    Figures against a bright sky are silhouettes, which is how a camera sees them too, so
    learners judge shapes and motion rather than the renderer's shading.
    """
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    top = np.array([0.16, 0.20, 0.40], dtype=np.float32)
    mid = np.array([0.72, 0.46, 0.45], dtype=np.float32)
    low = np.array([1.00, 0.74, 0.44], dtype=np.float32)
    k = np.clip(t / 0.75, 0, 1)
    sky = np.where(k < 0.6, top + (mid - top) * (k / 0.6), mid + (low - mid) * ((k - 0.6) / 0.4))
    sky = sky + np.zeros((height, width, 3), dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    sun_y = ground_row - height * 0.16
    d = np.hypot(xx - sun_x, (yy - sun_y) * 1.2)
    glow = 0.55 * np.exp(-d / 110.0) + 0.35 * np.exp(-d / 30.0)
    sky += glow[:, :, None] * np.array([1.0, 0.78, 0.45], dtype=np.float32)
    sky = np.where((d < 13)[:, :, None], np.array([1.0, 0.97, 0.85], dtype=np.float32), sky)
    # Thin clouds lit from below.
    streaks = value_noise(width, height, 40, rng)
    streaks = ndimage.zoom(streaks[::4], (4, 1), order=1)[:height]
    band = np.exp(-((((yy / height) - 0.35) / 0.12) ** 2))
    cloud = np.clip(streaks * 2.2 - 1.3, 0, 1) * band
    sky = (
        sky * (1 - 0.5 * cloud[:, :, None])
        + cloud[:, :, None] * np.array([0.95, 0.62, 0.55], dtype=np.float32) * 0.5
    )
    # Two ranges of hills, paler with distance.
    for depth, (amp, base, colour) in enumerate(
        [
            (0.10, 0.16, (0.55, 0.40, 0.48)),
            (0.06, 0.07, (0.30, 0.22, 0.30)),
        ]
    ):
        ridge = value_noise(width, 8, 120 - depth * 40, rng)[4] * amp * height
        line = ground_row - base * height - ridge
        hill = smoothstep(-0.8, 0.8, yy - line[None, :])[:, :, None]
        sky = sky * (1 - hill) + np.array(colour, dtype=np.float32) * hill
    # Dark foreground with blades of grass (from the grass photo) against the light.
    blades = sample_mirrored(grey_texture("grass"), xx * 1.4, (yy - ground_row) * 0.6 + 300)
    edge = ground_row - 10 * blades - 3 * value_noise(width, 8, 30, rng)[4][None, :]
    ground = smoothstep(-0.7, 0.7, yy - edge)
    ground = np.maximum(ground, (yy > ground_row).astype(np.float32))
    dark = np.array([0.07, 0.05, 0.06], dtype=np.float32) * (0.8 + 0.4 * blades[:, :, None])
    return sky * (1 - ground[:, :, None]) + dark * ground[:, :, None]


def moonscape(width: int, height: int, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """Grey regolith under a black sky, lit by a low sun from the right."""
    cam = Camera(width, height, focal=600.0, horizon=float(horizon), eye=1.7)
    ground = _ground(cam, horizon, "gravel", (0.5, 0.5, 0.5), 4.0, haze=(0.5, 0.5, 0.5))
    # Fine dust between the stones: mostly smooth, gently undulating, lit hard.
    dunes = value_noise(width, height - horizon, 60, rng)[:, :, None]
    ground = 0.36 + (ground - 0.5) * 0.55 + (dunes - 0.5) * 0.22
    img = np.zeros((height, width, 3), dtype=np.float32) + 0.015
    img[horizon:] = ground
    # Distant hills along the horizon, brighter on their sunward (right) slopes.
    ridge = horizon - 4 - 26 * value_noise(width, 8, 90, rng)[4]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    hill = (yy > ridge[None, :]) & (yy <= horizon)
    # A slope falling to the right faces the sun: brighter.
    shade = 0.44 + np.clip(-np.gradient(ridge) * 0.3, -0.2, 0.2)
    img = np.where(hill[:, :, None], np.broadcast_to(shade[None, :, None], img.shape), img)
    # Craters: a shadowed rim on the sun side, a lit rim opposite.
    for _ in range(5):
        cx, cy = rng.uniform(0, width), rng.uniform(horizon + 30, height)
        rx = rng.uniform(15, 50) * (cy - horizon) / (height - horizon) * 2.2
        ry = rx * (cy - horizon) / (height - horizon) * 0.45
        d = np.hypot((xx - cx) / rx, (yy - cy) / ry)
        side = np.clip((xx - cx) / rx, -1, 1)
        inner = smoothstep(1.0, 0.8, d) * (0.35 + 0.3 * side)
        rim = np.exp(-(((d - 1.05) / 0.12) ** 2)) * (0.25 * -side)
        img *= (1 - inner * 0.6)[:, :, None]
        img += rim[:, :, None] * 0.5
    return img.astype(np.float32)


SIGN = (150, 40, 650, 140)  # the bakery's sign board in storefront pixels
GOLD = np.array([0.86, 0.70, 0.34], dtype=np.float32)


def storefront(width: int, height: int) -> np.ndarray:
    """A bakery front: brick wall, painted sign board (unlettered), shop window and door."""
    img = brick_wall(width, height, 13.0, np.random.default_rng(1201))
    img *= np.linspace(1.05, 0.92, width, dtype=np.float32)[None, :, None]
    sign = SIGN
    # The board casts a soft shadow on the wall below and to the right.
    shadow = soft_rect_mask(width, height, (sign[0] + 6, sign[1] + 8, sign[2] + 6, sign[3] + 8), 1)
    img *= 1 - 0.45 * blur(shadow, 4.0)[:, :, None]
    board = soft_rect_mask(width, height, sign, 1.0)[:, :, None]
    grain = sample_mirrored(
        grey_texture("grass"), *np.mgrid[0:height, 0:width][::-1] * np.array([[[0.25]], [[2.0]]])
    )
    paint = np.array([0.10, 0.25, 0.18], dtype=np.float32) * (0.9 + 0.2 * grain[:, :, None])
    paint *= np.linspace(1.1, 0.85, height, dtype=np.float32)[:, None, None]
    img = img * (1 - board) + paint * board
    gold = GOLD
    inner = soft_rect_mask(width, height, (sign[0] + 7, sign[1] + 7, sign[2] - 7, sign[3] - 7), 1)
    inner2 = soft_rect_mask(
        width, height, (sign[0] + 10, sign[1] + 10, sign[2] - 10, sign[3] - 10), 1
    )
    border = np.clip(inner - inner2, 0, 1)[:, :, None]
    img = img * (1 - border) + gold * border
    # Window: dark glass reflecting the sky, in a white frame.
    window = (170, 190, 470, height - 34)
    frame_mask = soft_rect_mask(width, height, window, 1.0)[:, :, None]
    img = img * (1 - frame_mask) + np.array([0.88, 0.87, 0.83], dtype=np.float32) * frame_mask
    glass_rect = (window[0] + 9, window[1] + 9, window[2] - 9, window[3] - 9)
    glass = soft_rect_mask(width, height, glass_rect, 1.0)[:, :, None]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    reflection = 0.10 + 0.22 * np.clip(1 - (yy - window[1]) / (window[3] - window[1]), 0, 1)
    streak = 0.10 * np.exp(-(((xx - yy * 0.6 - 180) / 25) ** 2)) + 0.06 * np.exp(
        -(((xx - yy * 0.6 - 300) / 12) ** 2)
    )
    glass_rgb = (reflection + streak)[:, :, None] * np.array([0.75, 0.85, 1.0], dtype=np.float32)
    img = img * (1 - glass) + glass_rgb * glass
    mullion = soft_rect_mask(width, height, (318, window[1], 322, window[3]), 0.5)[:, :, None]
    img = img * (1 - mullion) + np.array([0.88, 0.87, 0.83], dtype=np.float32) * mullion
    # Door with a glass panel and a brass handle.
    door = (520, 190, 620, height - 20)
    door_mask = soft_rect_mask(width, height, door, 1.0)[:, :, None]
    img = img * (1 - door_mask) + paint * 0.9 * door_mask
    pane = soft_rect_mask(width, height, (door[0] + 14, door[1] + 14, door[2] - 14, 300), 1.0)
    img = img * (1 - pane[:, :, None]) + glass_rgb * pane[:, :, None]
    knob = np.exp(-(((xx - 606) / 4) ** 2 + ((yy - 330) / 4) ** 2))[:, :, None]
    img = img * (1 - knob) + gold * knob
    # Pavement.
    kerb = height - 20
    floor = sample_mirrored(grey_texture("gravel"), xx[kerb:] * 1.5, yy[kerb:] * 4.0)
    img[kerb:] = (0.35 + 0.3 * floor)[:, :, None] * np.array([0.8, 0.78, 0.75], dtype=np.float32)
    img[kerb - 2 : kerb] *= 0.6
    return img.astype(np.float32)
