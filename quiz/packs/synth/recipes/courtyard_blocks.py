"""Rendered courtyard scenes with blocks: a tower that ignores a ball, a garden still life with a
shadow on the wrong side, a post that drifts with the wall and an impossible climbing frame
(with a credential that was tampered with).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from quiz.media.encode import encode_image, encode_video
from quiz.packs.synth.camera import (
    SUN,
    Ball,
    Block,
    ball_rect,
    box_points,
    draw_balls,
    draw_blocks,
    shadow_mask,
)
from quiz.packs.synth.credentials import credentials_for, jpeg_bytes, transplant_credential
from quiz.packs.synth.items import artifact, image_fields, recipe, video_fields
from quiz.packs.synth.scenes import courtyard
from quiz.packs.synth.sources import synth_credit
from quiz.packs.synth.toolkit import (
    FPS,
    Frames,
    add_grain,
    darken,
    f32,
    finish,
    frame_box,
    paste,
    smoothstep,
    soft_rect_mask,
    timeline,
    u8,
    union,
    vignette_mask,
    watermark,
)


@recipe("demo-blocks-ignore-ball", "video", generated=True)
def _blocks_ignore_ball(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="gravel", seed=23)
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
        blocks.append(Block(x0, x0 + width, y, y + height, z - 0.1, z + 0.1, colour))
        y += height
    scene = yard.image.copy()
    tower = draw_blocks(scene, cam, blocks)
    ground = np.zeros(scene.shape[:2], dtype=np.float32)
    ground[yard.wall_base :] = 1.0
    ground *= 1.0 - tower

    ball = Ball(0.12, z, (0.86, 0.42, 0.10), "seams")
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

    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            img = scene.copy()
            x = x_at(t)
            draw_balls(img, cam, [(ball, x, 0.0, (x - start) / ball.radius)], ground)
            yield t, finish(img, rng, vignette)

    rects = [ball_rect(cam, ball, contact)]
    for b in blocks:
        rects.append((*cam.project(b.x0, b.y1, b.z0), *cam.project(b.x1, b.y0, b.z0)))
    box = frame_box(*union(rects, pad=6), cam.width, cam.height)
    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("textures")
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
            artifact(
                "causality",
                t_hit - 0.1,
                t_hit + 1.2,
                box,
                "The ball strikes the bottom block, but the tower does not move or wobble.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-garden-shadows", "image", generated=True)
def _garden_shadows(dst: Path) -> dict[str, Any]:
    yard = courtyard(width=640, height=400, ground="grass", wall_z=6.5, seed=57)
    cam, img = yard.cam, yard.image.copy()
    rng = np.random.default_rng(5701)
    # A concrete post and a ball cast their shadows away from the sun (to the right)...
    post = Block(1.05, 1.17, 0.0, 0.95, 3.3, 3.42, (0.62, 0.61, 0.58))
    draw_blocks(img, cam, [post])
    # ...but the crate's shadow falls to the left, towards the sun that lights its left side.
    crate = Block(-0.15, 0.42, 0.0, 0.42, 4.2, 4.6, (0.62, 0.45, 0.27))
    wrong_sun = SUN * np.array([-1.0, 1.0, 1.0], dtype=np.float32)
    draw_blocks(img, cam, [crate], shadow_sun=wrong_sun)
    ball = Ball(0.2, 3.6, (0.85, 0.18, 0.15), "beach")
    draw_balls(img, cam, [(ball, -1.15, 0.0, 0.7)])
    img = add_grain(img * vignette_mask(cam.width, cam.height, 0.3), rng, 0.01)
    info = encode_image(u8(img), dst)
    # The wrong shadow: project the crate's corners with the wrong sun, plus the crate.
    pts = box_points(crate.x0, crate.x1, crate.y0, crate.y1, crate.z0, crate.z1)
    t = pts[:, 1] / wrong_sun[1]
    ground = [
        cam.project(x - k * wrong_sun[0], 0.0, z - k * wrong_sun[2])
        for (x, _, z), k in zip(pts, t, strict=True)
    ]
    corners = [cam.project(x, y, z) for x, y, z in pts]
    rect = union([(*p, *p) for p in ground + corners], pad=6)
    credit, licence = synth_credit("textures")
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
            artifact(
                "lighting",
                None,
                None,
                frame_box(*rect, info.width, info.height),
                "The crate's shadow points the opposite way to every other shadow.",
            )
        ],
        **image_fields(info),
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


@recipe("demo-courtyard-post-parallax", "video", generated=True)
def _courtyard_parallax(dst: Path) -> dict[str, Any]:
    width, height, margin = 640, 360, 110
    # The scene is rendered wider than the frame and moved in layers: a sideways camera move
    # shifts everything at depth z by focal * move / z pixels (the parallax).
    yard = courtyard(width=width + 2 * margin, height=height, ground="gravel", seed=83)
    cam = yard.cam
    rng = np.random.default_rng(8301)
    rows = np.arange(height, dtype=np.float32) + 0.5
    coping = round(cam.project(0, 1.85, yard.wall_z)[1])
    depth = np.full(height, 14.0, dtype=np.float32)  # trees beyond the wall, and the sky
    depth[coping:] = yard.wall_z
    below = rows > yard.wall_base
    depth[below] = cam.focal * cam.eye / (rows[below] - cam.horizon)
    crate = Block(-1.25, -0.75, 0.0, 0.45, 3.2, 3.6, (0.62, 0.45, 0.27))
    post = Block(0.85, 0.99, 0.0, 1.0, 3.0, 3.14, (0.62, 0.61, 0.58))

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
        cover = draw_blocks(paint, cam, [block], cast_shadow=False)
        sprites.append((*cut_out(np.dstack([paint, cover]), cover), block))
    post_points = box_points(post.x0, post.x1, post.y0, post.y1, post.z0, post.z1)
    mask, mx, my = shadow_mask(cam, post_points, softness=2.0)
    post_shadow = (mask, mx, my)
    ys, xs = np.nonzero(sprites[1][0][:, :, 3] > 0.5)
    xs, ys = xs + sprites[1][1], ys + sprites[1][2]
    duration, travel = 5.0, 1.0

    def camera_x(t: float) -> float:
        return travel * (float(smoothstep(0.0, duration, t)) - 0.5)

    vignette = vignette_mask(width, height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            c = camera_x(t)
            img = _shift_columns(yard.image, cam.focal * c / depth, margin, width)
            points = box_points(crate.x0 - c, crate.x1 - c, 0.0, crate.y1, crate.z0, crate.z1)
            mask, mx, my = shadow_mask(cam, points, softness=2.0)
            darken(img, mask, 0.45, mx - margin, my)
            # The post (the mistake) moves, shadow and all, as if it stood at the wall.
            wall_dx = -cam.focal * c / yard.wall_z - margin
            mask, mx, my = post_shadow
            mask, left = moved(mask, mx, wall_dx)
            darken(img, mask, 0.45, left, my)
            for cut, x, y, block in sprites:
                dx = wall_dx if block is post else -cam.focal * c / block.z0 - margin
                cut, left = moved(cut, x, dx)
                alpha = cut[:, :, 3]
                colour = cut[:, :, :3] / np.maximum(alpha, 1e-6)[:, :, None]
                paste(img, colour, alpha, left, y)
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    shifts = [cam.focal * camera_x(t) / yard.wall_z for t in (0.0, duration)]
    box = frame_box(
        xs.min() - margin - max(shifts) - 4,
        ys.min() - 4,
        xs.max() - margin - min(shifts) + 4,
        ys.max() + 8,
        width,
        height,
    )
    credit, licence = synth_credit("textures")
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
            artifact(
                "geometry",
                0.0,
                info.duration_s,
                box,
                "The post moves like the distant wall and slides over the gravel it stands on.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-climbing-frame-crossing", "image", generated=True)
def _climbing_frame(dst: Path) -> dict[str, Any]:
    width, height = 640, 400
    yard = courtyard(width=width, height=height, ground="grass", wall_z=6.5, seed=91)
    cam, img = yard.cam, yard.image.copy()
    rng = np.random.default_rng(9101)
    x0, x1, z0, z1, top, b = 0.3, 1.5, 3.0, 4.2, 0.7, 0.1
    green, wood = (0.22, 0.42, 0.26), (0.76, 0.58, 0.32)

    def post(x: float, z: float) -> Block:
        return Block(x, x + b, 0.0, top, z, z + b, green)

    def rail(y: float, *, front: bool | None = None, side: float | None = None) -> Block:
        if side is not None:
            return Block(side, side + b, y, y + b, z0, z1, wood)
        z = z0 if front else z1 - b
        return Block(x0, x1, y, y + b, z, z + b, wood)

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
        points = box_points(beam.x0, beam.x1, beam.y0, beam.y1, beam.z0, beam.z1)
        mask, mx, my = shadow_mask(cam, points, softness=1.5)
        darken(img, mask, 0.45, mx, my)
    draw_blocks(img, cam, beams, cast_shadow=False)
    # The impossible crossing: where the back post and the front top rail overlap on screen,
    # draw the back post on top.
    post_on_top = img.copy()
    draw_blocks(post_on_top, cam, [back_right], cast_shadow=False)
    px0, _ = cam.project(back_right.x0, 0.0, back_right.z1)
    px1, _ = cam.project(back_right.x1, 0.0, back_right.z0)
    _, ry0 = cam.project(0.0, front_top.y1, front_top.z1)
    _, ry1 = cam.project(0.0, front_top.y0, front_top.z0)
    crossing = (px0 - 1, ry0 - 1, px1 + 1, ry1 + 1)
    m = soft_rect_mask(width, height, crossing, 0.8)[:, :, None]
    img = img * (1 - m) + post_on_top * m
    clean = u8(add_grain(img * vignette_mask(width, height, 0.3), rng, 0.01))
    # The generator's output carried its watermark in a corner and a signed credential.
    mark = watermark(110, 26)
    mx_, my_ = width - 124, height - 36
    marked = f32(clean)
    paste(marked, np.ones((*mark.shape, 3), np.float32), mark * 0.55, mx_, my_)
    creds = credentials_for(dst)
    unsigned = creds.originals / f".{dst.stem}.unsigned.jpg"
    signed = creds.originals / f"{dst.stem}.jpg"
    try:
        unsigned.write_bytes(jpeg_bytes(u8(marked)))
        creds.sign(unsigned, signed)
    finally:
        unsigned.unlink(missing_ok=True)
    # Then someone painted the watermark out and kept the old credential.
    edited = creds.originals / f"{dst.stem}-edited.jpg"
    edited.write_bytes(transplant_credential(signed.read_bytes(), jpeg_bytes(clean)))
    provenance = creds.read(edited, expect="invalid")
    info = encode_image(clean, dst)
    credit, licence = synth_credit("textures")
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
            artifact(
                "geometry",
                None,
                None,
                frame_box(*union([crossing], pad=6), width, height),
                "The back corner post passes in front of the front top rail.",
            ),
            artifact(
                "provenance",
                None,
                None,
                frame_box(
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
        **image_fields(info),
    }
