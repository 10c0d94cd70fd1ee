"""The synthesizer's edits of real footage and photographs (recipes.footage_edits and
recipes.footage_edits_photos): each puts its giveaway inside its annotated box and time range
and leaves the rest of the footage alone.

Two checks per recipe: the frames before encoding, fitted to the delivered size, equal the
untouched footage fitted the same way everywhere outside the box and time range (exactly, up to
a pixel of resampling at the box's edge); and the delivered file, decoded, differs from the
untouched segment delivered the same way inside the box and range far more than the encoder's
own differences elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from quiz.categories import TELL_CODES
from quiz.media.encode import iter_video_frames
from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video, fit_frame
from quiz.packs.synth.items import RECIPES
from quiz.packs.synth.recipes import footage_edits as fe
from quiz.packs.synth.recipes import footage_edits_photos as fp
from quiz.packs.synth.recipes import street_walker as sw
from quiz.packs.synth.sources import GENERATOR_SYNTH
from tests.boxes import box_mask
from tests.frames import frames_digest
from tests.unit.test_synth import GIVEAWAY_WORDS

# Each recipe: its frames before delivery, the untouched footage they edit (the matching real
# item), and the point the delivery crops around.
EDITS = {
    "demo-street-bollard-appears": (fe.bollard_twin_frames, fe.segment_frames, fe.FOCUS),
    "demo-street-cobbles-reroll": (fe.cobbles_boil_frames, fe.segment_frames, fe.FOCUS),
    "demo-street-wiped-watermark": (fe.smudge_frames, fe.segment_frames, fe.FOCUS),
    "demo-street-bollard-slides": (fe.bollard_slides_frames, fe.segment_frames, fe.FOCUS),
    "demo-street-legs-glide": (sw.legs_glide_frames, fe.segment_frames, fe.FOCUS),
    "demo-formulas-symbols-change": (
        fp.text_move_frames,
        lambda: fp.text_move_frames(garble=False),
        (0.5, 0.5),
    ),
    "demo-coins-head-changes": (
        fp.coin_morph_frames,
        lambda: fp.coin_morph_frames(morph=False),
        (0.5, 0.5),
    ),
}
# A tell that travels: its box is the path it covers, at most this much of the picture. Every
# other box takes less than half of it.
TRAVELLING = {"demo-street-legs-glide": 0.85}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    out = tmp_path_factory.mktemp("edits")
    return {key: (out / f"{key}.mp4", RECIPES[key].build(out / f"{key}.mp4")) for key in EDITS}


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> dict[str, list[np.ndarray]]:
    """The untouched footage of each edit, delivered the same way (decoded frames)."""
    out = tmp_path_factory.mktemp("reference")
    decoded = {}
    for key, (_, untouched, focus) in EDITS.items():
        path = out / f"{key}.mp4"
        deliver_video(untouched(), path, focus=focus)
        decoded[key] = [frame for _, frame in iter_video_frames(path)]
    return decoded


def _in_range(t: float, art: dict) -> bool:
    return art["start_s"] - 1e-6 <= t <= art["end_s"] + 1e-6


@pytest.mark.parametrize("key", EDITS)
def test_registered_as_generated_video(key):
    entry = RECIPES[key]
    assert entry.is_generated and entry.media_kind == "video"


@pytest.mark.parametrize("key", EDITS)
def test_texts_and_fields(built, key):
    meta = built[key][1]
    assert meta["prompt"] == ""
    assert meta["credit"].startswith(f"{GENERATOR_SYNTH} (built on: ")
    assert not GIVEAWAY_WORDS.search(meta["description"]), meta["description"]
    assert meta["explanation"].endswith(fe.CHECK_SOURCE)
    assert (meta["width"], meta["height"]) == VIDEO_SIZE
    assert 4.0 <= meta["duration_s"] <= 6.0
    (art,) = meta["artifacts"]
    assert art["category"] in TELL_CODES
    x, y, w, h = art["box"]
    assert x >= 0 and y >= 0 and x + w <= 1.0001 and y + h <= 1.0001
    assert w * h < TRAVELLING.get(key, 0.5), (key, w * h)
    assert 0 <= art["start_s"] < art["end_s"] <= meta["duration_s"] + 1e-6


@pytest.mark.parametrize("key", EDITS)
def test_edit_stays_inside_its_box_and_time_range(built, key):
    (art,) = built[key][1]["artifacts"]
    # A pixel of slack around the box: the scaling to the delivered size spreads an edge.
    outside = ~box_mask(art["box"], pad=2)
    inside = box_mask(art["box"])
    changed_in_box = []
    edits, untouched, focus = EDITS[key]
    for (t, edited), (_, source) in zip(edits(), untouched(), strict=True):
        a = fit_frame(edited, VIDEO_SIZE, focus).astype(np.int16)
        b = fit_frame(source, VIDEO_SIZE, focus).astype(np.int16)
        diff = np.abs(a - b).max(axis=2)
        if _in_range(t, art):
            assert diff[outside].max() <= 1, (key, t)
            local = ndimage.uniform_filter(diff.astype(np.float32), 9)
            changed_in_box.append(float(local[inside].max()))
        else:
            assert diff.max() == 0, (key, t)
    # A clearly changed spot (9x9 px on average) for most of the range; the ends fade.
    assert np.median(changed_in_box) > 15.0, (key, changed_in_box)


@pytest.mark.parametrize("key", EDITS)
def test_delivered_clip_shows_the_edit_in_its_box(built, references, key):
    reference = references[key]
    path, meta = built[key]
    (art,) = meta["artifacts"]
    inside = box_mask(art["box"])
    signal, noise = [], []
    frames = [frame for _, frame in iter_video_frames(path)]
    times = [t for t, _ in iter_video_frames(path)]
    assert len(frames) == len(reference)
    for t, edited, source in zip(times, frames, reference, strict=True):
        # Local mean difference over 9x9 px: one changed object, not scattered encoder noise.
        diff = ndimage.uniform_filter(np.abs(edited.astype(np.float32) - source).mean(axis=2), 9)
        if _in_range(t, art):
            signal.append(float(diff[inside].max()))
            noise.append(float(diff[~inside].max()))
        else:
            noise.append(float(diff.max()))
    # The encoder differs a little everywhere (its rate control sees different content);
    # the edit stands out well above that.
    assert np.percentile(noise, 90) < 16, (key, sorted(noise)[-5:])
    assert np.median(signal) > 2 * np.median(noise) + 8, (key, np.median(signal))


@pytest.mark.parametrize("key", EDITS)
def test_edit_is_deterministic(built, tmp_path, key):
    # The frames handed to the encoder are the same on every run (fixed seeds, no clock), and
    # so is everything the manifest says. (Byte-identical files also need a deterministic
    # encoder: see quiz.media.encode.)
    edits = EDITS[key][0]
    assert frames_digest(edits()) == frames_digest(edits())
    assert RECIPES[key].build(tmp_path / "again.mp4") == built[key][1]
