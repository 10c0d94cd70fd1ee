"""Cameras: a pinhole camera over a ground plane, lit by one sun, with soft shadows, shaded
balls and wooden blocks; and pans and zooms (camera moves) over photographs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from quiz.packs.synth.sources import grey_texture
from quiz.packs.synth.toolkit import (
    Frames,
    add_mask,
    blur,
    darken,
    mask_from_drawing,
    paste,
    sample_mirrored,
    smoothstep,
    timeline,
    union,
)

# --------------------------------------------------------------------------------------------
# A pinhole camera over a ground plane
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
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
SUN = np.array([-0.62, 0.68, -0.39], dtype=np.float32)
SUN /= np.linalg.norm(SUN)
# Screen-space light for shading spheres (x right, y down, z towards the viewer).
_SUN_SCREEN = np.array([SUN[0], -SUN[1], -SUN[2]], dtype=np.float32)


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


def shadow_mask(
    cam: Camera,
    points: np.ndarray,
    *,
    sun: np.ndarray = SUN,
    softness: float = 2.5,
) -> tuple[np.ndarray, int, int]:
    """Soft shadow on the ground of a solid given by sample points (N x 3, world).

    Each point is projected along the sun direction onto Y=0; the hull of the projections,
    drawn on screen and blurred, is the shadow. Returns (mask, x, y) for `darken`.
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

    mask = mask_from_drawing(int(x1 - x0), int(y1 - y0), draw)
    return blur(mask, softness), int(x0), int(y0)


def sphere_points(x: float, y: float, z: float, r: float, n: int = 160) -> np.ndarray:
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


def box_points(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float) -> np.ndarray:
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
            line = 1.0 - smoothstep(0.025, 0.06, seam)
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
        paste(frame, rgb, alpha, x, y)
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


@dataclass(frozen=True)
class Ball:
    radius: float  # metres
    z: float  # depth of the centre
    colour: tuple[float, float, float]
    pattern: str


def _contact_shadow(cam: Camera, x: float, z: float, radius: float, height: float = 0.0):
    """The dark spot right under a ball (ambient occlusion), fading as the ball rises."""
    cx, cy = cam.project(x, 0.0, z)
    s = cam.scale(z)
    rx, ry = radius * s * (0.75 + height), radius * s * 0.16 * (1 + height)
    n_x, n_y = int(rx * 3) + 2, int(ry * 4) + 4
    yy, xx = np.mgrid[-n_y:n_y, -n_x:n_x].astype(np.float32)
    mask = np.exp(-((xx / rx) ** 2 + (yy / ry) ** 2) * 1.6) / (1 + 6 * height)
    return mask.astype(np.float32), int(cx) - n_x, int(cy) - n_y


def draw_balls(
    frame: np.ndarray,
    cam: Camera,
    balls: list[tuple[Ball, float, float, float]],
    ground: np.ndarray | None = None,
    *,
    sun: np.ndarray = SUN,
) -> None:
    """Draw balls given as (ball, x, height of the bottom above ground, spin): shadows first,
    then the balls with a depth test so intersecting balls show their true intersection.
    `ground` (0..1 per pixel) limits shadows to the ground, off objects baked into `frame`.
    `sun` moves the cast shadows only; the balls stay lit by the scene's sun."""
    shade = np.zeros(frame.shape[:2], dtype=np.float32)
    for ball, x, lift, _ in balls:
        y = ball.radius + lift
        mask, mx, my = shadow_mask(
            cam, sphere_points(x, y, ball.z, ball.radius), sun=sun, softness=1.5 + 6 * lift
        )
        add_mask(shade, mask * 0.42, mx, my)
        cmask, cx, cy = _contact_shadow(cam, x, ball.z, ball.radius, lift)
        add_mask(shade, cmask * 0.55, cx, cy)
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


def ball_rect(cam: Camera, ball: Ball, x: float, lift: float = 0.0) -> tuple:
    r = ball.radius * cam.scale(ball.z)
    cx, cy = cam.project(x, ball.radius + lift, ball.z)
    return (cx - r, cy - r, cx + r, cy + r)


@dataclass(frozen=True)
class Block:
    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float
    colour: tuple[float, float, float]


def draw_blocks(
    img: np.ndarray,
    cam: Camera,
    blocks: list[Block],
    *,
    shadow_sun: np.ndarray = SUN,
    cast_shadow: bool = True,
) -> np.ndarray:
    """Paint shaded wooden blocks (in list order, so list them bottom to top) into img and
    cast their shadows (away from `shadow_sun`) as one hull around them all; a hollow
    structure casts its own, beam by beam, and passes cast_shadow=False (see
    the climbing frame in recipes/courtyard_blocks.py). Returns their coverage mask."""
    h, w = img.shape[:2]
    if cast_shadow:
        shadow_points = np.concatenate(
            [box_points(b.x0, b.x1, b.y0, b.y1, b.z0, b.z1) for b in blocks]
        )
        mask, mx, my = shadow_mask(cam, shadow_points, sun=shadow_sun, softness=2.0)
        darken(img, mask, 0.45, mx, my)
    # Wood grain: stretched gravel photo, so every block face has a little real texture.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = sample_mirrored(grey_texture("grass"), xx * 0.35 + 13, yy * 2.5 + 7)[:, :, None]
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
                    ambient + 0.7 * max(0.0, -float(SUN[0])),
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
                    ambient + 0.7 * max(0.0, float(SUN[0])),
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
                    ambient + 0.7 * float(SUN[1]),
                )
            )
        faces.append(
            (
                quad(
                    (b.x0, b.y0, b.z0), (b.x1, b.y0, b.z0), (b.x1, b.y1, b.z0), (b.x0, b.y1, b.z0)
                ),
                ambient + 0.7 * max(0.0, -float(SUN[2])),
            )
        )
        for corners, light in faces:

            def draw(d: ImageDraw.ImageDraw, ss: float, corners: list = corners) -> None:
                d.polygon([(x * ss, y * ss) for x, y in corners], fill=255)

            face = mask_from_drawing(w, h, draw)[:, :, None]
            colour = np.array(b.colour, dtype=np.float32) * light * (0.82 + 0.3 * grain)
            img[:] = img * (1 - face) + colour * face
            coverage = np.maximum(coverage, face[:, :, 0])
    return coverage


# --------------------------------------------------------------------------------------------
# Pans and zooms over photographs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A crop of a source photo: centre and width in source pixels (height from aspect)."""

    cx: float
    cy: float
    w: float


@dataclass(frozen=True)
class Move:
    start: View
    end: View
    width: int  # output size
    height: int
    duration: float

    def view(self, t: float) -> View:
        k = float(smoothstep(0.0, self.duration, t))  # ease in and out, like a real edit
        a, b = self.start, self.end
        # Interpolate the zoom geometrically so the apparent speed stays even.
        w = a.w * (b.w / a.w) ** k
        return View(a.cx + (b.cx - a.cx) * k, a.cy + (b.cy - a.cy) * k, w)

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
        return union(self.rect(t, *rect) for t in np.linspace(start, end, 16))

    def frames(self, photo: Image.Image) -> Frames:
        for t in timeline(self.duration):
            yield t, self.render(photo, t)
