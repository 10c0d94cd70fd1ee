"""The synthesizer's geometry item (footage_edits, demo-street-bollard-slides): in the pavement
pan a smaller copy of the bollard stands further back, by the wall, and crosses the frame as
fast as the near bollard, so its foot slides over the paving stones under it. The copy is there
from the cut to the end of the pan (a passer-by walks in front of it), the railing shot before
the cut is untouched, nothing outside the annotated box changes, and the slide is large enough
to see.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from quiz.packs.synth.delivery import VIDEO_SIZE, fit_frame
from quiz.packs.synth.items import RECIPES
from quiz.packs.synth.recipes import footage_edits as fe
from quiz.packs.synth.toolkit import FPS
from tests.boxes import box_mask
from tests.frames import frames_digest, item_and_twin, item_and_twin_frames

KEY = "demo-street-bollard-slides"
TWIN = "demo-railing-pavement"
# Clearly visible at normal speed (the delivery keeps source pixels at full size).
MIN_SLIDE_PX = 30.0


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return item_and_twin(tmp_path_factory.mktemp("geometry"), KEY, TWIN)


@pytest.fixture(scope="module")
def frames():
    return list(fe.bollard_slides_frames()), list(fe.segment_frames())


def _copy_axis(edited: np.ndarray, source: np.ndarray, foot_y: float) -> float:
    """Where the copy's column is, just above its foot: the middle of the columns the edit
    changed there."""
    rows = slice(int(foot_y) - 30, int(foot_y) - 8)
    diff = np.abs(edited.astype(np.int16) - source).max(axis=2)[rows].mean(axis=0)
    cols = np.nonzero(diff > 12)[0]
    return (cols.min() + cols.max() + 1) / 2


def _passes_in_front(i: int) -> bool:
    """Whether the passer-by hides any of the copy in frame i."""
    return not np.array_equal(fe._slider_layer(i)[1], fe._slider_shape(i)[1])


def _real_axis(frame: np.ndarray, near: float) -> float:
    """Where the real bollard's column is (its two edges, rows 180-260), searched 12 px
    either side of `near`."""
    grey = ndimage.gaussian_filter(frame.astype(np.float32).mean(axis=2), 1.0)
    profile = ndimage.sobel(grey, axis=1)[180:260].mean(axis=0)
    half = (fe._BOLLARD_COLUMN[2] - fe._BOLLARD_COLUMN[0]) / 2
    left = int(near - half)
    right = int(near + half)
    lo = left - 12 + int(np.argmin(profile[left - 12 : left + 13]))
    hi = right - 12 + int(np.argmax(profile[right - 12 : right + 13]))
    return (lo + hi) / 2


def test_the_bollard_track_follows_the_real_bollard(frames):
    """The near bollard's measured speed (times the wall's) puts its column where the footage
    shows it, in every frame after the passer-by has left it."""
    _, source = frames
    track = fe.bollard_track()
    ref = fe._reference()
    axis = (fe._BOLLARD_COLUMN[0] + fe._BOLLARD_COLUMN[2]) / 2
    at_ref = _real_axis(source[ref][1], axis)
    # The outline is drawn where the column is in the reference frame (its edges' middle).
    assert abs(at_ref - axis) <= 3.0
    for i in fe.pan_frames():
        if i < 68:
            continue  # the passer-by walks in front of it or close beside it until then
        moved = _real_axis(source[i][1], at_ref + track[i][1]) - at_ref
        assert abs(moved - track[i][1]) <= 1.0, (i, moved, track[i][1])
    # Much nearer than the wall, and nearer than any paving stone in the frame.
    speed = fe._bollard_speed()
    assert 2.0 > speed > 1.7
    assert speed > fe.ground_speed(fe.SOURCE_SIZE[1]) + 0.4


def test_the_copy_moves_with_the_near_bollard_and_slides_over_the_ground(frames):
    edited, source = frames
    pan = fe.pan_frames()
    bollard = fe.bollard_track()
    ground = fe.pan_track(fe._PAVEMENT_FAR)
    # The foot stands on the band of pavement whose track is the ground under it.
    assert fe._PAVEMENT_FAR[1] <= fe._SLIDER_FOOT <= fe._PAVEMENT_FAR[3]
    seen = {}
    for i in pan:
        x, y = fe.slider_foot(i)
        if _passes_in_front(i):
            continue
        seen[i] = _copy_axis(edited[i][1], source[i][1], y)
        assert abs(seen[i] - x) <= 1.0, (i, seen[i], x)
        # It moves exactly as the near bollard does (the same shift from the reference frame).
        assert abs((seen[i] - fe._SLIDER_X) - bollard[i][1]) <= 1.0, i
    assert len(seen) >= 40
    first, last = pan[0], pan[-1]
    copy_moved = seen[first] - seen[last]
    ground_moved = ground[first][1] - ground[last][1]
    slide = copy_moved - ground_moved
    assert slide >= MIN_SLIDE_PX, (copy_moved, ground_moved)
    assert abs(slide - fe.slide_px()) <= 2.0, (slide, fe.slide_px())
    # The ground under the foot moves with the wall (it is right in front of it).
    wall = fe.pan_track(fe.WALL)
    assert abs(ground_moved - (wall[first][1] - wall[last][1])) <= 3.0
    # The slide is steady: the foot gains on the ground in every stretch of half a second.
    steps = sorted(seen)
    for a, b in zip(steps, steps[12:], strict=False):
        assert (seen[a] - seen[b]) - (ground[a][1] - ground[b][1]) > 5.0, (a, b)


def test_the_copy_has_the_size_of_its_distance_and_stays_clear(built):
    _, item, _ = built
    # A thing twice as far is half as big: the copy's size is its ground's speed over the
    # bollard's (about half), and its foot is on the pavement in front of the wall's foot.
    assert 0.45 < fe._slider_scale() < 0.62
    assert fe._slider_scale() == pytest.approx(
        fe.ground_speed(fe._SLIDER_FOOT) / fe._bollard_speed()
    )
    assert fe._SLIDER_FOOT > 214
    # It never overlaps the real bollard and never leaves the delivered frame.
    track = fe.bollard_track()
    for i in fe.pan_frames():
        _, cover, _ = fe._slider_layer(i)
        real = ndimage.shift(fe.bollard_mask(), track[i], order=1)
        assert float((np.minimum(cover, real) > 0.05).sum()) == 0, i
    (art,) = item["artifacts"]
    x, y, w, h = art["box"]
    assert x > 0.02 and x + w < 0.98 and y > 0.02 and y + h < 1.0001
    assert w * h < 0.2


def test_the_passer_by_walks_in_front_of_the_copy(frames):
    """The passer-by is much nearer than the copy: where they walk through it, the footage
    shows them, not the copy; before and after, the copy is whole."""
    edited, source = frames
    hidden = {}
    for i in fe.pan_frames():
        _, cover, _ = fe._slider_layer(i)
        _, whole, _ = fe._slider_shape(i)
        if fe.segment_decoded()[i][0] < fe._PASSER_BY_GONE:
            front = fe._passer_by(i)
            diff = np.abs(edited[i][1].astype(np.int16) - source[i][1]).max(axis=2)
            assert diff[front > 0.999].max(initial=0) <= 1, i
        hidden[i] = 1 - float(cover.sum()) / float(whole.sum())
    # Whole while the passer-by is far to the left and after they have gone ...
    assert all(hidden[i] < 1e-3 for i in hidden if i <= 60 or i >= 76), hidden
    # ... and mostly behind their legs as they pass it.
    assert all(hidden[i] > 0.3 for i in range(67, 75)), hidden


def test_the_edit_lies_in_its_box_and_time_range(built, frames):
    _, item, _ = built
    (art,) = item["artifacts"]
    assert art["category"] == "geometry"
    assert art["start_s"] == fe.PAN_FROM and art["end_s"] == item["duration_s"]
    outside = ~box_mask(art["box"], pad=2)
    edited, source = frames
    pan = set(fe.pan_frames())
    for i, ((t, a), (u, b)) in enumerate(zip(edited, source, strict=True)):
        assert t == u
        if i not in pan:
            # The railing shot before the cut is the footage as shot.
            assert t < art["start_s"] and np.array_equal(a, b), i
            continue
        assert art["start_s"] - 1e-6 <= t <= art["end_s"] + 1e-6
        fa = fit_frame(a, VIDEO_SIZE, fe.FOCUS).astype(np.int16)
        fb = fit_frame(b, VIDEO_SIZE, fe.FOCUS).astype(np.int16)
        diff = np.abs(fa - fb).max(axis=2)
        assert diff[outside].max() <= 1, i
        assert diff.max() > 40, i
    # There at full strength from the cut on: it does not fade in.
    _, cover, _ = fe._slider_layer(min(pan))
    assert cover.max() > 0.99


def test_the_delivered_clip_differs_from_its_twin_only_in_the_box(built):
    out, item, twin = built
    (art,) = item["artifacts"]
    inside = box_mask(art["box"])
    edited, real = item_and_twin_frames(out, item, twin)
    assert len(edited) == len(real) == round(item["duration_s"] * FPS)
    start = round(art["start_s"] * FPS)
    signal, noise = [], []
    for j, (a, b) in enumerate(zip(edited, real, strict=True)):
        diff = np.abs(a.astype(np.float32) - b).mean(axis=2)
        local = ndimage.uniform_filter(diff, 9)
        assert float(diff[~inside].mean()) < 3.0, j
        noise.append(float(local[~inside].max()) if j >= start else float(local.max()))
        if j >= start:
            signal.append(float(local[inside].max()))
    assert np.percentile(noise, 90) < 16, sorted(noise)[-5:]
    assert min(signal) > 30, signal


def test_the_edit_is_deterministic(built, tmp_path):
    _, item, _ = built
    assert frames_digest(fe.bollard_slides_frames()) == frames_digest(fe.bollard_slides_frames())
    assert RECIPES[KEY].build(tmp_path / "again.mp4") == item
