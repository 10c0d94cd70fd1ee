"""Camera originals as still images: the real photograph behind the generated image item, at the
pack's image size. They carry decoys only: lens effects that look odd but are not tells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quiz.packs.synth.delivery import IMAGE_SIZE, deliver_image, delivered_box
from quiz.packs.synth.items import artifact, image_fields, recipe
from quiz.packs.synth.sources import photo_rgb, real
from quiz.packs.synth.toolkit import frame_box


@recipe("demo-cat-closeup", "image", generated=False)
def _cat_closeup(dst: Path) -> dict[str, Any]:
    photo = photo_rgb("chelsea")
    size = (photo.shape[1], photo.shape[0])
    info = deliver_image(photo, dst)
    return {
        **real("chelsea"),
        "description": "A close-up of a tabby cat's face",
        "explanation": "A real photograph. The cat has two eyes, whose reflections agree with "
        "each other; the whiskers are continuous and end naturally, and the fur pattern is "
        "consistent on both sides of the face.",
        "artifacts": [
            artifact(
                "lens",
                None,
                None,
                delivered_box(frame_box(350, 40, *size, *size), size, IMAGE_SIZE),
                "The smooth blur behind the cat is the lens's shallow depth of field, not a "
                "pasted background.",
            )
        ],
        **image_fields(info),
    }
