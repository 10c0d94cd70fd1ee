"""What a recipe is and what it returns: the registry, artifact entries and size fields.

Each module in quiz.packs.synth.recipes registers its recipes with @recipe as it is imported.
The registry says which recipes exist, never their order: build.RECIPE_ORDER fixes the items
and their order, so the pack's bytes do not depend on the order modules are imported in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz.packs.synth.toolkit import Box


@dataclass(frozen=True)
class Recipe:
    key: str
    media_kind: str  # "video" or "image"
    is_generated: bool
    build: Callable[[Path], dict[str, Any]]


# Every registered recipe by key.
RECIPES: dict[str, Recipe] = {}


def recipe(key: str, media_kind: str, *, generated: bool) -> Callable:
    def register(build: Callable[[Path], dict[str, Any]]) -> Callable[[Path], dict[str, Any]]:
        if key in RECIPES:
            raise ValueError(f"two recipes are called {key!r}")
        RECIPES[key] = Recipe(key, media_kind, generated, build)
        return build

    return register


def artifact(
    category: str, start_s: float | None, end_s: float | None, box: Box, explanation: str
) -> dict[str, Any]:
    return {
        "category": category,
        "start_s": None if start_s is None else round(start_s, 2),
        "end_s": None if end_s is None else round(end_s, 2),
        "box": [float(v) for v in box],
        "explanation": explanation,
    }


def video_fields(info: Any) -> dict[str, Any]:
    return {"width": info.width, "height": info.height, "duration_s": info.duration_s}


def image_fields(info: Any) -> dict[str, Any]:
    return {"width": info.width, "height": info.height, "duration_s": None}


# The whole frame, as an artifact box (edits, filters and credentials concern all of it).
WHOLE = (0.0, 0.0, 1.0, 1.0)
