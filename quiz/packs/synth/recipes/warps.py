"""Generated from real photos and footage by bending pixels: a van that melts, fur that crawls
(with a credential that was stripped on the way) and a cup handle that drifts (with an intact
credential). Each uses the same footage or camera move as its real twin (street.VAN_SHOT,
photo_moves.MOVES), so only the giveaway differs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from quiz.packs.synth.credentials import credentials_for, normalised_from, signed_original_video
from quiz.packs.synth.delivery import deliver_video
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.recipes.photo_moves import MOVES
from quiz.packs.synth.recipes.street import VAN_CROP, van_box, van_frames
from quiz.packs.synth.sources import photo_rgb, synth_credit
from quiz.packs.synth.toolkit import (
    Frames,
    fade_window,
    frame_box,
    smoothstep,
    soft_rect_mask,
    timeline,
)


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


@recipe("demo-van-melts", "video", generated=True)
def _van_melts(dst: Path) -> dict[str, Any]:
    # The van shot; the back of the van melts and wobbles for a second or so while the
    # camera pans.
    rng = np.random.default_rng(8101)
    rect = (0, 30, 300, VAN_CROP[3])
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = soft_rect_mask(w_, h_, (0, 0, w_, h_ + 40), 40.0)
    fields = [_smooth_field(h_, w_, 16.0, rng) for _ in range(4)]
    sag = _smooth_field(1, w_, 25.0, rng)[0][None, :] * 0.5 + 0.5
    melt_from, melt_to = 0.9, 2.1

    def frames() -> Frames:
        for t, frame in van_frames():
            k = fade_window(t, melt_from, melt_to, 0.35)
            if k > 0:
                phase = 2 * math.pi * 0.7 * t
                dx = (math.cos(phase) * fields[0] + math.sin(phase) * fields[1]) * 8.0
                dy = (math.cos(phase) * fields[2] + math.sin(phase) * fields[3]) * 6.0
                dy -= sag * 11.0 * smoothstep(melt_from, melt_to, t)  # drooping, like wax
                frame = _warp_region(frame, rect, dx * mask * k, dy * mask * k)
            yield t, frame

    info = deliver_video(frames(), dst)
    credit, licence = synth_credit("bikes")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A grey van waits at a crossing as traffic passes behind it",
        "explanation": "Keep your eyes on the back of the van. Its window frame, lights and "
        "panels bend and droop like soft wax for about a second, then settle back. A camera "
        "move shifts everything together; it never bends a rigid object. Video generators "
        "have no solid objects, only pixels predicted frame after frame, so shapes can drift "
        "and melt, most visibly on straight edges. Real footage can wobble too (rolling "
        "shutter, heat shimmer, a cheap lens), but then the whole frame or a whole band of it "
        "bends, not one object.",
        "artifacts": [
            artifact(
                "morphing",
                melt_from,
                melt_to,
                van_box(*rect),
                "The rear of the van warps and droops, then snaps back.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-espresso-handle-drifts", "video", generated=True)
def _espresso_handle(dst: Path) -> dict[str, Any]:
    photo = photo_rgb("coffee")
    rng = np.random.default_rng(1401)
    rect = (140, 190, 310, 345)  # around the cup's handle, in photo pixels
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = soft_rect_mask(w_, h_, (0, 0, w_, h_), 30.0)
    wobble = _smooth_field(h_, w_, 14.0, rng)
    drift_from, drift_to = 1.4, 3.8
    move = MOVES["coffee"]

    def frames() -> Frames:
        for t in timeline(move.duration):
            k = fade_window(t, drift_from, drift_to, 0.8)
            frame = photo
            if k > 0:
                # Sampling from the left moves the handle to the right along the cup; the
                # wobble bends it as it goes, then it slides back and settles.
                dx = (-22.0 - 6.0 * wobble) * mask * k
                dy = (9.0 * wobble - 6.0) * mask * k
                frame = _warp_region(photo, rect, dx, dy)
            yield t, move.render(Image.fromarray(frame), t)

    # The generator signed its file and the credential stayed intact.
    creds = credentials_for(dst)
    original = signed_original_video(dst, frames(), creds)
    provenance = creds.read(original, expect="trusted")
    info = normalised_from(original, dst)
    box = frame_box(*move.union(drift_from, drift_to, rect), move.width, move.height)
    credit, licence = synth_credit("coffee")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in on an espresso cup and spoon on a wooden table",
        "explanation": "Keep an eye on the cup's handle. For a couple of seconds it slides "
        "along the side of the cup and bends, dragging the cup's lower edge out of shape with "
        "it, then creeps back into place. Solid objects keep their shape when the camera "
        "moves; video generators redraw every frame and let parts of objects drift and "
        "reshape. A lens can bend straight lines too, but it bends the whole picture in the "
        "same way, and that bend moves smoothly with the camera. This clip's original also "
        "carried a Content Credential; the provenance note says what it shows.",
        "artifacts": [
            artifact(
                "morphing",
                drift_from,
                drift_to,
                box,
                "The handle slides along the cup and bends the cup's edge, then settles back.",
            ),
            artifact(
                "provenance",
                0.0,
                info.duration_s,
                WHOLE,
                "The original file carried an intact Content Credential, signed with a "
                "certificate this pack trusts (the Second Look demo certificate authority). It "
                "shows who signed the file and what they declared: made by Second Look "
                "synthesizer, as algorithmic media (made by a program, not by a trained AI "
                "model). A credential tells you who vouches for a file; it is only as "
                "trustworthy as the signer. The site strips all metadata before showing a "
                "clip, so it was not there for you to see while answering.",
            ),
        ],
        "provenance": provenance,
        **video_fields(info),
    }


@recipe("demo-cat-fur-boils", "video", generated=True)
def _cat_fur_boils(dst: Path) -> dict[str, Any]:
    photo = photo_rgb("chelsea")
    rng = np.random.default_rng(1501)
    rect = (165, 0, 315, 92)  # the striped fur on the forehead
    w_, h_ = rect[2] - rect[0], rect[3] - rect[1]
    mask = soft_rect_mask(w_, h_, (0, -30, w_, h_), 16.0)
    boil_from, boil_to = 1.2, 3.6
    move = MOVES["chelsea"]

    def frames() -> Frames:
        for t in timeline(move.duration):
            k = fade_window(t, boil_from, boil_to, 0.15)
            frame = photo
            if k > 0:
                # A fresh field every frame: the stripes re-roll instead of moving.
                dx = _smooth_field(h_, w_, 1.8, rng) * 3.6
                dy = _smooth_field(h_, w_, 1.8, rng) * 3.0
                frame = _warp_region(photo, rect, dx * mask * k, dy * mask * k)
            yield t, move.render(Image.fromarray(frame), t)

    # The generator signed its file; the copy that reached us had been re-encoded on the
    # way, as platforms do, and the credential went with the metadata.
    creds = credentials_for(dst)
    original = signed_original_video(dst, frames(), creds)
    info = normalised_from(original, dst)
    provenance = creds.read(dst, expect="none")
    box = frame_box(*move.union(boil_from, boil_to, rect), move.width, move.height)
    credit, licence = synth_credit("chelsea")
    return {
        "prompt": "",
        "credit": credit,
        "license": licence,
        "source_url": "",
        "description": "A slow push in on the face of a tabby cat",
        "explanation": "Watch the striped fur on the forehead. For a couple of seconds it "
        "shimmers and crawls while the rest of the face stays still, as if each hair were "
        "redrawn in every frame. Real fur moves together with the head; generators redraw "
        "fine texture in every frame and do not always keep it the same, so it seems to boil. "
        "Real footage can shimmer too (heat haze, compression noise that jumps at keyframes, "
        "moiré on fine patterns), but that moves across the picture, it does not re-form one "
        "patch of fur. The clip's original was signed with a Content Credential naming the "
        "synthesizer, but the copy that reached this site had been re-encoded and carried "
        "none. A missing credential proves nothing either way: most real videos have none.",
        "artifacts": [
            artifact(
                "temporal",
                boil_from,
                boil_to,
                box,
                "The stripes on the forehead flicker and crawl while the cat holds still.",
            )
        ],
        "provenance": provenance,
        **video_fields(info),
    }
