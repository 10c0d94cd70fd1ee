"""Rendered sunset scenes: silhouettes of a walker whose feet slide and of a dog with a fifth leg."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ImageDraw

from quiz.media.encode import encode_video
from quiz.packs.synth.items import artifact, recipe, video_fields
from quiz.packs.synth.scenes import sunset
from quiz.packs.synth.sources import synth_credit
from quiz.packs.synth.toolkit import (
    FPS,
    Frames,
    blur,
    fade_window,
    finish,
    frame_box,
    mask_from_drawing,
    paste,
    smoothstep,
    timeline,
    union,
    vignette_mask,
)

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

    mask = mask_from_drawing(w, h, draw)
    # Round off the corners where limbs meet the body: blur, then restore a crisp edge.
    mask = smoothstep(0.25, 0.75, blur(mask, 1.3)).astype(np.float32)
    paste(frame, np.broadcast_to(_SILHOUETTE, (h, w, 3)), mask * opacity, x0, y0)


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


@recipe("demo-sunset-walker-slides", "video", generated=True)
def _sunset_walker(dst: Path) -> dict[str, Any]:
    width, height, ground = 640, 360, 300
    sky = sunset(width, height, ground, sun_x=420, seed=31)
    walker = _Walker(140.0)
    duration = 5.0
    start_x = 0.0
    # Legs run backwards between these times while the body keeps gliding forwards.
    back_from, back_to, ramp = 2.0, 3.5, 0.15

    def phase_rate(t: float) -> float:
        """Cycles per second: +1/T normally, -1/T in the window, smooth at the edges."""
        w = smoothstep(back_from - ramp, back_from + ramp, t) - smoothstep(
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
    vignette = vignette_mask(width, height, 0.35)
    rects = []
    for i in range(int(back_from * FPS), int(back_to * FPS) + 1):
        # The tell is in the legs: box them from the hips down.
        pose = walker.pose(start_x + walker.speed * i / FPS, ground, phases[i])
        rects.append((pose.bbox[0], pose.hip[1] - 0.05 * walker.h, pose.bbox[2], ground + 2))
    box = frame_box(*union(rects, pad=4), width, height)

    def frames() -> Frames:
        for i, t in enumerate(timeline(duration)):
            img = sky.copy()
            pose = walker.pose(start_x + walker.speed * t, ground, phases[i])
            _stamp_silhouette(
                img, pose.bbox, lambda pen, pose=pose, i=i: walker.paint(pen, pose, phases[i])
            )
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("textures")
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
            artifact(
                "motion",
                back_from,
                back_to,
                box,
                "The legs cycle backwards while the walker moves forwards; the feet slide.",
            )
        ],
        **video_fields(info),
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


@recipe("demo-dog-five-legs", "video", generated=True)
def _dog_five_legs(dst: Path) -> dict[str, Any]:
    width, height, ground = 640, 360, 292
    sky = sunset(width, height, ground, sun_x=190, seed=47)
    dog = _Dog(170.0)
    duration, start_x = 5.0, 60.0
    extra_from, extra_to = 1.8, 3.4
    rng = np.random.default_rng(4701)
    vignette = vignette_mask(width, height, 0.35)

    def x_at(t: float) -> float:
        return start_x + dog.speed * t

    def phase_at(t: float) -> float:
        return 0.1 + t / dog.cycle_s

    rects = []
    for i in range(int(extra_from * FPS), int(extra_to * FPS) + 1):
        t = i / FPS
        hip, shoulder, _ = dog.pose(x_at(t), ground, phase_at(t))
        rects.append((hip[0] - 0.05 * dog.s, hip[1], shoulder[0] + 0.12 * dog.s, ground + 2))
    box = frame_box(*union(rects, pad=4), width, height)

    def frames() -> Frames:
        for t in timeline(duration):
            img = sky.copy()
            x, phase = x_at(t), phase_at(t)
            _, _, bbox = dog.pose(x, ground, phase)
            _stamp_silhouette(img, bbox, lambda pen, x=x, p=phase: dog.paint(pen, x, ground, p))
            grow = fade_window(t, extra_from, extra_to, fade=0.25)
            if grow > 0:
                _stamp_silhouette(
                    img,
                    bbox,
                    lambda pen, x=x, p=phase: dog.paint_extra_leg(pen, x, ground, p),
                    opacity=grow,
                )
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("textures")
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
            artifact(
                "anatomy",
                extra_from,
                extra_to,
                box,
                "A fifth leg appears under the dog's belly and walks with the other four.",
            )
        ],
        **video_fields(info),
    }
