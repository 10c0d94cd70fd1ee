"""Camera originals that are the untouched twins of generated items made in footage_edits: the
same camera move over the same photograph, without the edit. They carry decoys only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quiz.packs.synth.delivery import deliver_video
from quiz.packs.synth.items import artifact, recipe, video_fields
from quiz.packs.synth.recipes.footage_edits_photos import TEXT_MOVE, text_move_frames
from quiz.packs.synth.recipes.photo_moves import PUSH_IN, visible_span
from quiz.packs.synth.sources import real
from quiz.packs.synth.toolkit import frame_box

# The far right of the handwriting photograph (448 x 172 px), where the paper tilts away and
# the writing goes soft; and the tightly written middle line.
_SOFT = (330, 0, 448, 172)
_CRAMPED = (40, 60, 330, 118)


@recipe("demo-formulas-push-in", "video", generated=False)
def _formulas_push_in(dst: Path) -> dict[str, Any]:
    info = deliver_video(text_move_frames(garble=False), dst)
    artifacts = [artifact("editing", 0.0, info.duration_s, (0.0, 0.0, 1.0, 1.0), PUSH_IN)]
    for category, rect, text in (
        (
            "lens",
            _CRAMPED,
            "Hurried handwriting, photographed at an angle and slightly out of focus, can "
            "look like scribbles; but every symbol stays exactly the same from frame to frame.",
        ),
    ):
        span = visible_span(TEXT_MOVE, rect)
        if span is None:
            raise ValueError(f"formulas: a decoy at {rect} is never in frame")
        box = frame_box(*TEXT_MOVE.union(*span, rect), TEXT_MOVE.width, TEXT_MOVE.height)
        artifacts.append(artifact(category, span[0], span[1], box, text))
    return {
        **real("text"),
        "description": "A slow push in over handwritten formulas on lined paper",
        "explanation": "A real photograph of handwritten mathematics with a slow push-in "
        "added in editing. Quick handwriting, an angle and a soft focus make some symbols "
        "hard to read, which is how real writing often looks. What matters is that it stays "
        "put: read a line twice and every symbol is the one you read the first time.",
        "artifacts": artifacts,
        **video_fields(info),
    }
