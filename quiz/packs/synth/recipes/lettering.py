"""Text: a shop sign whose letters change and a chalkboard menu with garbled lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from quiz.media.encode import encode_image, encode_video
from quiz.packs.synth.camera import Move, View
from quiz.packs.synth.items import artifact, image_fields, recipe, video_fields
from quiz.packs.synth.scenes import GOLD, SIGN, brick_wall, storefront, value_noise
from quiz.packs.synth.sources import grey_texture, synth_credit
from quiz.packs.synth.toolkit import (
    FPS,
    Frames,
    add_grain,
    blur,
    f32,
    finish,
    frame_box,
    sample_mirrored,
    soft_rect_mask,
    text_mask,
    timeline,
    u8,
    vignette_mask,
)


def _gild(front: np.ndarray, word: str) -> np.ndarray:
    """Letter the sign: a dark drop shadow, then gold lit from above."""
    height, width = front.shape[:2]
    sign = SIGN
    letters = text_mask(
        width, height, (sign[0] + sign[2]) / 2, sign[1] + 18, word, 66, anchor_centre=True
    )
    drop = np.roll(np.roll(letters, 2, axis=0), 2, axis=1)[:, :, None]
    img = front * (1 - 0.6 * drop)
    light = np.linspace(1.15, 0.8, height, dtype=np.float32)[:, None, None]
    return img * (1 - letters[:, :, None]) + GOLD * light * letters[:, :, None]


@recipe("demo-bakery-sign-garbles", "video", generated=True)
def _bakery_sign(dst: Path) -> dict[str, Any]:
    rng = np.random.default_rng(1202)
    width, height = 800, 450
    # The sign's word, changing every few frames in the middle of the clip.
    states = ["BAKERY", "BAKFRY", "BAKERY", "BAKEPY", "8AKERY", "BAXERY", "BAKFRY", "BAKERY"]
    garble_from, garble_to = 1.8, 3.4
    front = storefront(width, height)
    photos = {word: Image.fromarray(u8(_gild(front, word))) for word in sorted(set(states))}
    move = Move(View(400, 225, 800), View(395, 190, 660), 640, 360, 5.0)
    vignette = vignette_mask(640, 360, 0.25)

    def word_at(t: float) -> str:
        if not garble_from <= t < garble_to:
            return "BAKERY"
        step = int((t - garble_from) / 0.2)
        return states[min(step, len(states) - 1)]

    def frames() -> Frames:
        for t in timeline(move.duration):
            frame = f32(move.render(photos[word_at(t)], t))
            yield t, finish(frame, rng, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    sign_box = frame_box(*move.union(garble_from, garble_to, SIGN), 640, 360)
    credit, licence = synth_credit("textures")
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
            artifact(
                "text",
                garble_from,
                garble_to,
                sign_box,
                "The letters on the sign change from frame to frame.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-chalkboard-menu", "image", generated=True)
def _chalkboard_menu(dst: Path) -> dict[str, Any]:
    width, height = 640, 480
    rng = np.random.default_rng(1301)
    img = brick_wall(width, height, 12.0, rng)
    img *= np.linspace(1.05, 0.85, height, dtype=np.float32)[:, None, None]
    board = (170, 36, 470, 452)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    shade = blur(
        soft_rect_mask(
            width, height, (board[0] + 10, board[1] + 6, board[2] + 10, board[3] + 4), 1
        ),
        6,
    )
    img *= 1 - 0.5 * shade[:, :, None]
    outer = soft_rect_mask(width, height, board, 1.0)[:, :, None]
    wood = sample_mirrored(grey_texture("grass"), xx * 0.3 + 50, yy * 3.0)[:, :, None]
    wood_rgb = np.array([0.45, 0.29, 0.16], dtype=np.float32) * (0.75 + 0.45 * wood)
    img = img * (1 - outer) + wood_rgb * outer
    slate_rect = (board[0] + 14, board[1] + 14, board[2] - 14, board[3] - 14)
    slate = soft_rect_mask(width, height, slate_rect, 1.0)[:, :, None]
    # Old chalk wiped off leaves a faint haze on the slate.
    haze = value_noise(width, height, 40, rng)[:, :, None]
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
        mask = text_mask(
            width, height, 320, y, text, size, flipped=flipped, squeeze=squeeze, anchor_centre=True
        )
        chalk = np.maximum(chalk, mask)
        if garbled:
            ys, xs = np.nonzero(mask > 0.3)
            boxes.append((xs.min() - 6, ys.min() - 6, xs.max() + 6, ys.max() + 6))
    # Chalk is grainy: break up the strokes with fine noise, soften slightly.
    texture = rng.random((height, width)).astype(np.float32)
    chalk = blur(chalk * (0.55 + 0.45 * (texture > 0.3)), 0.6)[:, :, None]
    img = img * (1 - 0.9 * chalk) + np.array([0.93, 0.93, 0.89], dtype=np.float32) * 0.9 * chalk
    img = add_grain(img * vignette_mask(width, height, 0.3), rng, 0.01)
    info = encode_image(u8(img), dst)
    credit, licence = synth_credit("textures")
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
            artifact(
                "text",
                None,
                None,
                frame_box(*boxes[0], width, height),
                "'Hot chocolate' has mirrored letters that run into each other.",
            ),
            artifact(
                "text",
                None,
                None,
                frame_box(*boxes[1], width, height),
                "'Scone & jam' is garbled and the price ends in the letter O.",
            ),
        ],
        **image_fields(info),
    }
