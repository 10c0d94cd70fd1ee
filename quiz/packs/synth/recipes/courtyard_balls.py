"""Rendered courtyard scenes with balls: two that pass through each other, a bounce with a
watermark, a reversed spin (with a trusted credential), a push that moves nothing and a shadow
on the wrong side.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from quiz.media.encode import encode_video
from quiz.packs.synth.camera import (
    SUN,
    Ball,
    Block,
    ball_rect,
    draw_balls,
    draw_blocks,
    shadow_mask,
    sphere_points,
)
from quiz.packs.synth.credentials import credentials_for, normalised_from, signed_original_video
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.scenes import courtyard
from quiz.packs.synth.sources import synth_credit
from quiz.packs.synth.toolkit import (
    FPS,
    Frames,
    finish,
    frame_box,
    paste,
    timeline,
    union,
    vignette_mask,
    watermark,
)


@recipe("demo-balls-pass-through", "video", generated=True)
def _balls_pass_through(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="gravel", seed=11)
    cam = yard.cam
    duration = 5.0
    # Same depth, same ground line: they are on a collision course, and nothing hides
    # the moment they meet.
    red = Ball(0.17, 3.35, (0.80, 0.13, 0.10), "seams")
    beach = Ball(0.16, 3.35, (0.85, 0.18, 0.15), "beach")
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
        rects.append(ball_rect(cam, red, x_red(t)))
        rects.append(ball_rect(cam, beach, x_beach(t)))
    box = frame_box(*union(rects, pad=4), cam.width, cam.height)
    rng = np.random.default_rng(1101)
    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            img = yard.image.copy()
            xr, xb = x_red(t), x_beach(t)
            draw_balls(
                img,
                cam,
                [
                    (red, xr, 0.0, (xr - start_red) / red.radius),
                    (beach, xb, 0.0, (xb - start_beach) / beach.radius),
                ],
            )
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    credit, licence = synth_credit("textures")
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
            artifact(
                "physics",
                t_in,
                t_out,
                box,
                "The balls pass straight through each other instead of colliding.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-ball-bounce-watermark", "video", generated=True)
def _ball_bounce_watermark(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="grass", seed=67)
    cam = yard.cam
    rng = np.random.default_rng(6701)
    ball = Ball(0.16, 3.6, (0.85, 0.18, 0.15), "beach")
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
    mark = watermark(110, 26)
    # Like Sora's, the watermark jumps around the frame so it cannot be cropped off.
    spots = [(0.0, 2.0, (24, 22)), (2.0, 4.0, (470, 140)), (4.0, 6.0, (60, 300))]
    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for i, t in enumerate(timeline(duration)):
            img = yard.image.copy()
            bx, blift = track[i]
            draw_balls(img, cam, [(ball, bx, blift, (bx + 2.2) / ball.radius)])
            for start, end, (mx, my) in spots:
                if start <= t < end:
                    paste(img, np.ones((*mark.shape, 3), np.float32), mark * 0.55, mx, my)
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    mh, mw = mark.shape
    credit, licence = synth_credit("textures")
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
            artifact(
                "provenance",
                start,
                end,
                frame_box(mx - 4, my - 4, mx + mw + 4, my + mh + 4, info.width, info.height),
                "A generator's watermark, moving to a new corner every two seconds.",
            )
            for start, end, (mx, my) in spots
        ],
        **video_fields(info),
    }


@recipe("demo-beach-ball-spin-reversed", "video", generated=True)
def _ball_spin_reversed(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="grass", seed=71)
    cam = yard.cam
    rng = np.random.default_rng(7101)
    ball = Ball(0.2, 3.5, (0.85, 0.18, 0.15), "beach")
    duration, start, speed, decel = 5.0, -2.0, 1.15, 0.16

    def x_at(t: float) -> float:
        return start + speed * t - 0.5 * decel * t * t

    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            img = yard.image.copy()
            x = x_at(t)
            # Rolling right turns a ball with positive spin (see _balls_pass_through); this
            # one turns the other way while it travels right.
            draw_balls(img, cam, [(ball, x, 0.0, -(x - start) / ball.radius)])
            yield t, finish(img, rng, vignette)

    creds = credentials_for(dst)
    original = signed_original_video(dst, frames(), creds)
    provenance = creds.read(original, expect="trusted")
    info = normalised_from(original, dst)
    rects = [ball_rect(cam, ball, x_at(t)) for t in np.linspace(0.0, duration, 24)]
    box = frame_box(*union(rects, pad=4), cam.width, cam.height)
    credit, licence = synth_credit("textures")
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
            artifact(
                "motion",
                0.0,
                info.duration_s,
                box,
                "The ball moves to the right but spins as if it were rolling to the left.",
            ),
            artifact(
                "provenance",
                0.0,
                info.duration_s,
                WHOLE,
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
        **video_fields(info),
    }


@recipe("demo-ball-strike-no-push", "video", generated=True)
def _ball_strike_no_push(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="gravel", seed=73)
    cam = yard.cam
    rng = np.random.default_rng(7301)
    z = 3.3
    striker = Ball(0.15, z, (0.80, 0.13, 0.10), "seams")
    target = Ball(0.21, z, (0.85, 0.18, 0.15), "beach")
    target_x, start, speed, duration = 0.55, -2.2, 1.4, 5.0
    contact = target_x - target.radius - striker.radius
    t_hit = (contact - start) / speed

    def x_at(t: float) -> float:
        # The striker stops dead on contact, as if it had passed all its push on.
        return start + speed * min(t, t_hit)

    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            img = yard.image.copy()
            x = x_at(t)
            draw_balls(
                img,
                cam,
                [(striker, x, 0.0, (x - start) / striker.radius), (target, target_x, 0.0, 0.4)],
            )
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    rect = union([ball_rect(cam, striker, contact), ball_rect(cam, target, target_x)], pad=8)
    credit, licence = synth_credit("textures")
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
            artifact(
                "causality",
                max(0.0, t_hit - 0.1),
                t_hit + 1.5,
                frame_box(*rect, cam.width, cam.height),
                "The small ball stops dead on impact, and the beach ball it hit does not move.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-ball-shadow-flipped", "video", generated=True)
def _ball_shadow_flipped(dst: Path) -> dict[str, Any]:
    yard = courtyard(ground="gravel", seed=79)
    cam = yard.cam
    rng = np.random.default_rng(7901)
    scene = yard.image.copy()
    post = Block(1.25, 1.39, 0.0, 1.05, 3.2, 3.34, (0.62, 0.61, 0.58))
    post_cover = draw_blocks(scene, cam, [post])
    ground = np.zeros(scene.shape[:2], dtype=np.float32)
    ground[yard.wall_base :] = 1.0
    ground *= 1.0 - post_cover
    ball = Ball(0.22, 3.6, (0.80, 0.13, 0.10), "seams")
    # Mirrored left to right: the ball's shadow falls towards the sun that lights it.
    flipped = SUN * np.array([-1.0, 1.0, 1.0], dtype=np.float32)
    start, speed, duration = -2.2, 1.2, 5.0
    decel = speed * speed / (2 * 2.9)  # comes to rest 2.9 m on, well clear of the post
    t_stop = speed / decel

    def x_at(t: float) -> float:
        t = min(t, t_stop)
        return start + speed * t - 0.5 * decel * t * t

    vignette = vignette_mask(cam.width, cam.height, 0.3)

    def frames() -> Frames:
        for t in timeline(duration):
            img = scene.copy()
            x = x_at(t)
            draw_balls(img, cam, [(ball, x, 0.0, (x - start) / ball.radius)], ground, sun=flipped)
            yield t, finish(img, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    rects = []
    for t in np.linspace(0.0, duration, 16):
        x = x_at(t)
        mask, mx, my = shadow_mask(
            cam, sphere_points(x, ball.radius, ball.z, ball.radius), sun=flipped, softness=1.5
        )
        rects += [ball_rect(cam, ball, x), (mx, my, mx + mask.shape[1], my + mask.shape[0])]
    credit, licence = synth_credit("textures")
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
            artifact(
                "lighting",
                0.0,
                info.duration_s,
                frame_box(*union(rects, pad=4), cam.width, cam.height),
                "The ball's shadow points towards the sun, the opposite way to the post's.",
            )
        ],
        **video_fields(info),
    }
