"""The synthesizer's physics item (recipes.street_physics): the black car drives through a white
car that is a time-shifted copy of the real one. The edit stays in the lane inside the
annotated box, ends before the shot does with the copy back on the real car's track (no car
vanishes mid-shot), and the two cars really overlap during the annotated time range.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from quiz.packs.synth.delivery import VIDEO_SIZE, fit_frame
from quiz.packs.synth.items import RECIPES
from quiz.packs.synth.recipes import street_physics as sp
from quiz.packs.synth.recipes.footage_edits import FOCUS
from quiz.packs.synth.recipes.street import RAILING_SHOT
from quiz.packs.synth.sources import clip
from tests.boxes import box_mask
from tests.frames import frames_digest, item_and_twin, item_and_twin_frames

KEY = "demo-street-cars-pass-through"
TWIN = "demo-railing-cars"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return item_and_twin(tmp_path_factory.mktemp("physics"), KEY, TWIN)


def test_the_twin_is_the_same_shot_untouched():
    shot = list(sp.railing_shot_frames())
    twin = list(clip("bikes.mp4", *RAILING_SHOT))
    assert len(shot) == len(twin) == 50
    for (t, a), (u, b) in zip(shot, twin, strict=True):
        assert t == u and np.array_equal(a, b)


def test_the_copy_moves_on_and_rejoins_the_real_car():
    moments = [sp._copy_frame(j) for j in range(50)]
    steps = np.diff(moments)
    # Never still, never backwards, never faster than the real car, and no jumps.
    assert steps.min() >= sp._CRAWL - 1e-9 and steps.max() <= 1 + 1e-9
    # There from the first frame (the shot's cut, not the edit, starts it) ...
    assert min(sp._WHITE_TRACK) <= moments[0] <= max(sp._WHITE_TRACK)
    # ... and the real white car again before the shot ends (the edit never ends it).
    assert all(moments[j] == j for j in range(sp._BACK_AT, 50))


def test_edit_stays_in_the_lane_and_ends_before_the_shot(built):
    _, item, _ = built
    (art,) = item["artifacts"]
    assert art["category"] == "physics"
    outside = ~box_mask(art["box"], pad=2)
    last_changed = -1
    for j, ((_, edited), (_, source)) in enumerate(
        zip(sp.cars_pass_through_frames(), sp.railing_shot_frames(), strict=True)
    ):
        a = fit_frame(edited, VIDEO_SIZE, FOCUS).astype(np.int16)
        b = fit_frame(source, VIDEO_SIZE, FOCUS).astype(np.int16)
        diff = np.abs(a - b).max(axis=2)
        assert diff[outside].max() <= 1, j
        if diff.max() > 0:
            last_changed = j
    assert 0 <= last_changed < sp._BACK_AT


def test_the_cars_overlap_during_the_annotated_range(built):
    _, item, _ = built
    (art,) = item["artifacts"]
    first, last = round(art["start_s"] * 25), round(art["end_s"] * 25)
    front = sp._in_front()
    for j in range(first, last):
        _, others = sp._edited_still(j)
        _, soft = sp._sprite(round(sp._copy_frame(j)))
        overlap = (soft > 0.3) & (others > 0.5) & ~front
        assert overlap.sum() > 800, (j, int(overlap.sum()))
    # Once the range is over the black car has driven out of the white one.
    _, others = sp._edited_still(last + 6)
    _, soft = sp._sprite(round(sp._copy_frame(last + 6)))
    assert ((soft > 0.3) & (others > 0.5) & ~front).sum() < 400


def test_the_delivered_clip_differs_from_its_twin_in_the_box(built):
    out, item, twin = built
    (art,) = item["artifacts"]
    inside = box_mask(art["box"])
    edited, real = item_and_twin_frames(out, item, twin)
    assert len(edited) == len(real) == 50
    signal = []
    for j, (a, b) in enumerate(zip(edited, real, strict=True)):
        diff = ndimage.uniform_filter(np.abs(a.astype(np.float32) - b).mean(axis=2), 9)
        if j < round(art["end_s"] * 25):
            signal.append(float(diff[inside].max()))
    assert np.median(signal) > 30, signal


def test_the_edit_is_deterministic(built, tmp_path):
    _, item, _ = built
    assert frames_digest(sp.cars_pass_through_frames()) == frames_digest(
        sp.cars_pass_through_frames()
    )
    assert RECIPES[KEY].build(tmp_path / "again.mp4") == item
