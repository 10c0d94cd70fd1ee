"""Camera originals as still images: real photographs, one with a beauty filter. They carry
decoys only: lens, motion blur and filter effects that look odd but are not tells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from quiz.media.encode import encode_image
from quiz.packs.synth.items import WHOLE, artifact, image_fields, recipe
from quiz.packs.synth.sources import photo_rgb, real
from quiz.packs.synth.toolkit import f32, frame_box, smoothstep, u8


def _real_photo(dst: Path, source: str) -> Any:
    return encode_image(photo_rgb(source), dst)


@recipe("demo-astronaut-portrait", "image", generated=False)
def _astronaut_portrait(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "astronaut")
    w, h = info.width, info.height
    return {
        **real("astronaut"),
        "description": "An astronaut in an orange flight suit smiles in front of a flag and a "
        "model of the space shuttle",
        "explanation": "An official portrait taken in a studio. The even, flattering light and "
        "the neat backdrop can look artificial, but the shadows agree with one soft light, "
        "the patches carry real, legible text and the hair and fabric have natural detail.",
        "artifacts": [
            artifact(
                "lens",
                None,
                None,
                frame_box(355, 0, 480, 290, w, h),
                "The shuttle model and flag are slightly soft: shallow depth of field keeps "
                "the focus on the face.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-cat-closeup", "image", generated=False)
def _cat_closeup(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "chelsea")
    w, h = info.width, info.height
    return {
        **real("chelsea"),
        "description": "A close-up of a tabby cat's face",
        "explanation": "A real photograph. Whiskers are continuous and end naturally, the "
        "fur pattern is consistent on both sides of the face and the reflections in both "
        "eyes agree with each other.",
        "artifacts": [
            artifact(
                "lens",
                None,
                None,
                frame_box(350, 40, w, h, w, h),
                "The smooth blur behind the cat is the lens's shallow depth of field, not a "
                "pasted background.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-espresso-cup", "image", generated=False)
def _espresso_cup(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "coffee")
    w, h = info.width, info.height
    return {
        **real("coffee"),
        "description": "An espresso in a red cup on a saucer with a spoon, on a wooden table",
        "explanation": "A real photograph. The crema, the reflections in the spoon and the "
        "wood grain all behave consistently; the blur and dark corner are the lens.",
        "artifacts": [
            artifact(
                "lens",
                None,
                None,
                frame_box(0, 0, 190, 110, w, h),
                "The dark, soft corner is vignetting and depth of field from the lens.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-museum-coins", "image", generated=False)
def _museum_coins(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "coins")
    return {
        **real("coins"),
        "description": "Rows of ancient coins on a dark cloth, in black and white",
        "explanation": "A real museum photograph. Each coin has its own wear and design, and "
        "the light falls on all of them from the same direction. Tidy rows and a plain "
        "background are simply how collections are photographed.",
        "artifacts": [],
        **image_fields(info),
    }


@recipe("demo-cameraman-field", "image", generated=False)
def _cameraman(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "camera")
    return {
        **real("camera"),
        "description": "A man in a dark coat looks through a camera on a tripod in a field, "
        "in black and white",
        "explanation": "A real photograph. Black and white is a choice of the photographer "
        "or editor, not a tell. The tripod legs, the gloves and the buildings in the "
        "background are all consistent.",
        "artifacts": [
            artifact(
                "filter",
                None,
                None,
                WHOLE,
                "The black-and-white look is an ordinary photographic choice, like a filter.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-clock-camera-shake", "image", generated=False)
def _clock_shake(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "clock")
    w, h = info.width, info.height
    return {
        **real("clock"),
        "description": "A blurred, round white shape on a grey wall, in black and white",
        "explanation": "A real photograph of a wall clock, taken while the camera moved "
        "sideways. Everything is smeared in one direction, the same amount: camera shake "
        "during the exposure. Blur that follows one consistent direction is physics; "
        "generated blur tends to be patchy and inconsistent.",
        "artifacts": [
            artifact(
                "motion_blur",
                None,
                None,
                frame_box(130, 80, 295, 220, w, h),
                "The clock is smeared sideways because the camera moved during the exposure.",
            )
        ],
        **image_fields(info),
    }


@recipe("demo-handwritten-formulas", "image", generated=False)
def _handwritten_formulas(dst: Path) -> dict[str, Any]:
    info = _real_photo(dst, "text")
    w, h = info.width, info.height
    return {
        **real("text"),
        "description": "Handwritten formulas on lined paper, photographed at an angle",
        "explanation": "A real photograph. The writing is sharp across the middle and "
        "softens towards the top and the far right: the lens focuses on one distance and "
        "the paper tilts away from it. The letters are real mathematics, consistent from "
        "line to line.",
        "artifacts": [
            artifact(
                "lens",
                None,
                None,
                frame_box(0.55 * w, 0, w, 0.45 * h, w, h),
                "The far part of the page is out of focus: shallow depth of field.",
            )
        ],
        **image_fields(info),
    }


def _beauty_filter(photo: np.ndarray, face: tuple[float, float, float, float]) -> np.ndarray:
    """A typical app beauty filter: smoothed, brightened skin inside an oval around the face,
    with eyes, brows and mouth (the strong edges) kept."""
    img = f32(photo)
    smooth = np.stack([ndimage.gaussian_filter(img[:, :, c], 4.0) for c in range(3)], axis=2)
    detail = img - smooth
    strength = np.sqrt(ndimage.gaussian_filter((detail**2).mean(axis=2), 2.0))
    keep = smoothstep(0.035, 0.09, strength)[:, :, None]  # strong edges stay
    cx, cy, rx, ry = face
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32)
    oval = smoothstep(1.0, 0.8, np.hypot((xx - cx) / rx, (yy - cy) / ry))[:, :, None]
    airbrushed = smooth + detail * keep
    airbrushed = airbrushed * 1.06 + np.array([0.03, 0.015, 0.02], dtype=np.float32)
    return u8(img * (1 - oval) + airbrushed * oval)


@recipe("demo-astronaut-beauty-filter", "image", generated=False)
def _astronaut_beauty(dst: Path) -> dict[str, Any]:
    face = (222.0, 118.0, 66.0, 80.0)
    info = encode_image(_beauty_filter(photo_rgb("astronaut"), face), dst)
    w, h = info.width, info.height
    cx, cy, rx, ry = face
    return {
        **real("astronaut"),
        "description": "An astronaut in an orange flight suit smiles in front of a flag and a "
        "model of the space shuttle",
        "explanation": "The NASA portrait again, with a beauty filter applied here the way "
        "phone apps do: the skin is smoothed and brightened until it looks airbrushed, while "
        "the eyes and mouth stay sharp. A waxy, poreless face can come from a filter on a "
        "real photo; check the rest of the picture (text, hands, light) before deciding.",
        "artifacts": [
            artifact(
                "filter",
                None,
                None,
                frame_box(cx - rx, cy - ry, cx + rx, cy + ry, w, h),
                "Airbrushed skin from a beauty filter, on a real photograph.",
            )
        ],
        **image_fields(info),
    }
