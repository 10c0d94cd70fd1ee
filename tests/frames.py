"""Frames of the synthesizer's videos, for its tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from quiz.media.encode import iter_video_frames
from quiz.packs.synth.delivery import VIDEO_SIZE
from quiz.packs.synth.german import GERMAN
from quiz.packs.synth.items import RECIPES


def frames_digest(frames: Iterable[tuple[float, np.ndarray]]) -> str:
    """One hash of the frames and their times: two builds that hash alike made the same
    pictures at the same moments."""
    digest = hashlib.sha256()
    for t, frame in frames:
        digest.update(f"{t:.4f}".encode())
        digest.update(np.ascontiguousarray(frame).tobytes())
    return digest.hexdigest()


def assert_rebuilt_alike(key: str, path: Path, meta: dict, tmp_path: Path) -> None:
    """Building the recipe again gives the same metadata and the same bytes."""
    again = tmp_path / "again.mp4"
    assert RECIPES[key].build(again) == meta
    assert again.read_bytes() == path.read_bytes()


def assert_delivered(key: str, path: Path, meta: dict, *, frames: int) -> None:
    """The item speaks German too (a text per artifact) and its video holds `frames` frames
    at the pack's size."""
    german = GERMAN[key]
    assert german["description"] and german["explanation"]
    assert len(german["artifacts"]) == len(meta["artifacts"])
    decoded = list(iter_video_frames(path))
    assert len(decoded) == frames
    assert decoded[0][1].shape == (VIDEO_SIZE[1], VIDEO_SIZE[0], 3)


def item_and_twin_frames(
    out: Path, item: dict, twin: dict
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The delivered frames of a generated item (out/item.mp4) and of its real twin
    (out/twin.mp4), which have the same size, length and number of frames."""
    assert (item["width"], item["height"], item["duration_s"]) == (
        twin["width"],
        twin["height"],
        twin["duration_s"],
    )
    edited = [f for _, f in iter_video_frames(out / "item.mp4")]
    real = [f for _, f in iter_video_frames(out / "twin.mp4")]
    assert len(edited) == len(real)
    return edited, real


def item_and_twin(out: Path, key: str, twin_key: str) -> tuple[Path, dict, dict]:
    """A generated item built into out/item.mp4 and its real twin into out/twin.mp4."""
    return out, RECIPES[key].build(out / "item.mp4"), RECIPES[twin_key].build(out / "twin.mp4")


def assert_simulated_decoy(meta: dict, giveaway_words: re.Pattern[str]) -> None:
    """A real street item whose camera effect Second Look simulated: no prompt, the footage's
    credit naming the simulation, and a description that names no giveaway."""
    assert meta["prompt"] == ""
    assert meta["credit"].startswith("Street footage 'bikes'")
    assert "simulated by Second Look" in meta["credit"]
    assert not giveaway_words.search(meta["description"]), meta["description"]
