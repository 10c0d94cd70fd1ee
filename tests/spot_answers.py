"""Answering spot rounds ("Where is the giveaway?") in tests: a mark that hits, one that
misses, and the arguments or form data of an answer to any kind of round.

Tests that play every round of a quiz (the demo quiz has spot rounds) answer through these,
so a spot round gets a mark where the others get "real", "generated", "a" or "b".
"""

from __future__ import annotations

import random
from typing import Any

from quiz import spot
from quiz.models import QuizItem
from quiz.services.play import spot_example_mark


def hit_mark(item: QuizItem) -> spot.Mark:
    """A mark in the middle of the clip's first giveaway, at the middle of its time."""
    return spot_example_mark(item, hit=True)


def miss_mark(item: QuizItem) -> spot.Mark:
    """A mark no giveaway of the clip is near, at the first giveaway's moment."""
    return spot_example_mark(item, hit=False)


def random_mark(item: QuizItem, rng: random.Random) -> spot.Mark:
    """Any mark a learner could make: anywhere, at any moment of the clip."""
    clip = item.clip
    ms = None
    if clip.is_video:
        ms = rng.randrange(0, int((clip.duration_s or 1.0) * 1000) + 1)
    return spot.Mark(rng.randrange(0, spot.SCALE + 1), rng.randrange(0, spot.SCALE + 1), ms)


def submit_kwargs(
    item: QuizItem, guess: str | None = None, *, right: bool = True
) -> dict[str, Any]:
    """answer_submit's `guess` (and `mark`) for the item: `guess` as given for the other
    kinds, for a spot round a mark that hits (right) or misses."""
    if item.is_spot:
        return {"guess": "spot", "mark": hit_mark(item) if right else miss_mark(item)}
    assert guess is not None
    return {"guess": guess}


def random_kwargs(item: QuizItem, rng: random.Random) -> dict[str, Any]:
    """A random answer's `guess` (and `mark`) for any round."""
    if item.is_spot:
        return {"guess": "spot", "mark": random_mark(item, rng)}
    return {"guess": rng.choice(item.options())}


def form_data(mark: spot.Mark) -> dict[str, str]:
    """A spot round's form fields for a mark (as static/js/spot.js sends them)."""
    data = {"spot_x": str(mark.x), "spot_y": str(mark.y)}
    if mark.ms is not None:
        data["spot_s"] = f"{mark.ms / 1000:.3f}"
    return data


def post_data(item: QuizItem, guess: str | None = None, *, right: bool = True) -> dict[str, str]:
    """The answer form's fields (without confidence) for any round: `guess` for the other
    kinds, a hitting (right) or missing mark for a spot round."""
    if item.is_spot:
        return form_data(hit_mark(item) if right else miss_mark(item))
    assert guess is not None
    return {"guess": guess}


def mark_in_browser(page: Any, item: QuizItem, *, right: bool = True) -> None:
    """Mark a spot round on the page (Playwright) as a student would: the slider to the
    moment for a video, then a click on the picture; a mark on the giveaway (right) or far
    from it."""
    mark = hit_mark(item) if right else miss_mark(item)
    if mark.ms is not None:
        page.locator("[data-spot-slider]").fill(f"{mark.ms / 1000:.2f}")
    layer = page.locator("[data-spot-layer]")
    box = layer.bounding_box()
    layer.click(
        position={
            "x": min(mark.x / spot.SCALE * box["width"], box["width"] - 1),
            "y": min(mark.y / spot.SCALE * box["height"], box["height"] - 1),
        }
    )
    page.locator("[data-spot-mark]").wait_for(state="visible")
