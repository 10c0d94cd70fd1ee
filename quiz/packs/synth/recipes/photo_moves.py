"""Camera originals as slow pans and push-ins over real photographs, one for each generated item
built on the same photograph with the same move: the pair differs only by the giveaway.

MOVES holds the shared camera moves (output at the pack's video size), so a generated item and
its real partner cannot be told apart by framing, duration or motion. These items carry decoys
only: lens and editing effects that look odd but are not tells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quiz.packs.synth.camera import Move, View
from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.sources import photo_image, real
from quiz.packs.synth.toolkit import FPS, frame_box, timeline

_W, _H = VIDEO_SIZE

# One move per photograph, shared by the real item and the generated item(s) built on it.
MOVES: dict[str, Move] = {
    "coffee": Move(View(300, 215, 560), View(290, 235, 460), _W, _H, 5.0),
    "coins": Move(View(192, 151, 384), View(200, 154, 330), _W, _H, 5.0),
    "hubble": Move(View(330, 210, 440), View(420, 240, 400), _W, _H, 6.0),
    "chelsea": Move(View(225, 150, 440), View(235, 135, 360), _W, _H, 5.0),
}

PUSH_IN = "The slow zoom and pan is an edit applied to a still photograph, as in any documentary."


def visible_span(move: Move, rect: tuple, min_share: float = 0.5) -> tuple[float, float] | None:
    """First and last time at which at least min_share of a source rect is in frame."""
    times = []
    for t in timeline(move.duration):
        x0, y0, x1, y1 = move.rect(t, *rect)
        inside = max(0.0, min(x1, move.width) - max(x0, 0)) * max(
            0.0, min(y1, move.height) - max(y0, 0)
        )
        if inside >= min_share * (x1 - x0) * (y1 - y0):
            times.append(t)
    return (times[0], times[-1] + 1 / FPS) if times else None


def _photo_move_item(
    dst: Path, source: str, decoys: list[tuple[str, tuple, str]], *, note_move: bool = True
) -> tuple[Any, list[dict[str, Any]]]:
    move = MOVES[source]
    info = deliver_video(move.frames(photo_image(source)), dst)
    artifacts = [artifact("editing", 0.0, info.duration_s, WHOLE, PUSH_IN)] if note_move else []
    for category, rect, text in decoys:
        span = visible_span(move, rect)
        if span is None:
            raise ValueError(f"{source}: a decoy at {rect} is never in frame")
        box = frame_box(*move.union(span[0], span[1], rect), move.width, move.height)
        artifacts.append(artifact(category, span[0], span[1], box, text))
    return info, artifacts


@recipe("demo-espresso-push-in", "video", generated=False)
def _espresso_push_in(dst: Path) -> dict[str, Any]:
    info, artifacts = _photo_move_item(
        dst,
        "coffee",
        [
            (
                "lens",
                (20, 60, 190, 140),
                "The blurred, darker corner is shallow depth of field and vignetting from "
                "the lens.",
            )
        ],
    )
    return {
        **real("coffee"),
        "description": "A slow push in on an espresso cup and spoon on a wooden table",
        "explanation": "A real photograph with a gentle push-in added in editing. The cup, "
        "its handle and the spoon keep their shapes as the view moves, the reflections match "
        "the light from the window, and the soft background is just the lens focusing on "
        "the cup.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-coins-push-in", "video", generated=False)
def _coins_push_in(dst: Path) -> dict[str, Any]:
    # Left without annotations (its explanation says it all), as a library's fresh clips are.
    info, artifacts = _photo_move_item(dst, "coins", [], note_move=False)
    return {
        **real("coins"),
        "description": "A slow push in over rows of ancient coins on a dark cloth, in black "
        "and white",
        "explanation": "A real museum photograph with a slow push-in added in editing. Every "
        "coin has its own wear and design, each stays where it is and the rows keep their "
        "count from the first frame to the last. Tidy rows on a plain cloth are simply how "
        "collections are photographed.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-deep-field-pan", "video", generated=False)
def _deep_field_pan(dst: Path) -> dict[str, Any]:
    info, artifacts = _photo_move_item(
        dst,
        "hubble",
        [
            (
                "noise",
                (330, 300, 560, 380),
                "The fine, coloured speckle in the black sky is noise: the telescope gathered "
                "very little light there, and what is left after stacking the exposures shows "
                "as grain when magnified.",
            )
        ],
    )
    return {
        **real("hubble"),
        "description": "A slow pan across a deep-space photograph full of small galaxies",
        "explanation": "A real photograph with a slow pan added in editing. The Hubble image "
        "is stacked from many exposures and coloured from several filters; that processing, "
        "the grain in the black sky and the soft, smudgy shapes of faint galaxies look "
        "unusual but are standard astronomy. Every galaxy keeps its shape and place as the "
        "view moves, and none appears or disappears.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-cat-push-in", "video", generated=False)
def _cat_push_in(dst: Path) -> dict[str, Any]:
    info, artifacts = _photo_move_item(
        dst,
        "chelsea",
        [
            (
                "lens",
                (350, 40, 451, 300),
                "The smooth blur behind the cat is the lens's shallow depth of field, not a "
                "pasted background.",
            )
        ],
    )
    return {
        **real("chelsea"),
        "description": "A slow push in on the face of a tabby cat",
        "explanation": "A real photograph with a slow push-in added in editing. The stripes "
        "on the forehead and the whiskers move together with the rest of the face as the "
        "view changes; nothing crawls or re-forms from frame to frame.",
        "artifacts": artifacts,
        **video_fields(info),
    }
