"""The real decoy "stabilisation jello" (recipes.street_jello): the railing shot as a shaking,
rolling-shutter phone with its stabiliser on records it.

Its frames are the untouched footage with each row shifted by its own amount: the shifts vary
down every frame (bands of the picture sway against each other), average out over each frame
(the stabiliser removed the frame's overall shake), stay within a few pixels and the
stabiliser's crop, move the whole width of a row together (background included), and change
from frame to frame (the wobble). The shifts are measured from the pixels, not only read from
the model that made them.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage.registration import phase_cross_correlation

from quiz.categories import DECOY_CODES
from quiz.packs.synth.delivery import VIDEO_SIZE
from quiz.packs.synth.items import RECIPES
from quiz.packs.synth.recipes import street_jello as sj
from quiz.packs.synth.recipes.street import BIKES_SIZE, RAILING_SHOT
from quiz.packs.synth.sources import clip
from tests.frames import (
    assert_delivered,
    assert_rebuilt_alike,
    assert_simulated_decoy,
    frames_digest,
)
from tests.unit.test_synth import GIVEAWAY_WORDS

KEY = "demo-street-jello"
# No row moves further than this (px): a few pixels, well inside the stabiliser's crop.
MAX_SHIFT = 8.0
# Rows per band when the shifts are measured from the pixels.
BAND = 16


@pytest.fixture(scope="module")
def source() -> list[np.ndarray]:
    return [frame for _, frame in clip("bikes.mp4", *RAILING_SHOT)]


@pytest.fixture(scope="module")
def jello() -> list[tuple[float, np.ndarray]]:
    return list(sj.jello_frames())


@pytest.fixture(scope="module")
def offsets(source) -> np.ndarray:
    return sj.row_offsets(len(source), source[0].shape[0])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("jello") / "item.mp4"
    return path, RECIPES[KEY].build(path)


def test_registered_as_a_real_video_among_the_decoys():
    from quiz.packs.synth.build import RECIPE_ORDER

    entry = RECIPES[KEY]
    assert not entry.is_generated and entry.media_kind == "video"
    assert KEY in RECIPE_ORDER


def test_rows_shift_by_different_amounts_and_frames_do_not(offsets):
    assert offsets.shape == (50, BIKES_SIZE[1], 2)
    # The stabiliser took out each frame's overall shake ...
    assert np.abs(offsets.mean(axis=1)).max() < 1e-9
    # ... but not the differences between its rows: in most frames the top and bottom of a
    # straight vertical are pixels apart, and every frame has some.
    spread = offsets[:, :, 0].max(axis=1) - offsets[:, :, 0].min(axis=1)
    assert np.median(spread) > 3.0, spread
    assert spread.min() > 0.5, spread
    # A few pixels at most, and never past the stabiliser's crop (no border shows).
    assert np.abs(offsets).max() <= MAX_SHIFT < sj.MARGIN
    # Mostly sideways: the vertical shifts are smaller.
    assert np.abs(offsets[:, :, 1]).max() < np.abs(offsets[:, :, 0]).max() / 2


def test_verticals_bend_and_the_bend_wobbles(offsets):
    x = offsets[:, :, 0]
    # Not only a lean: in some frames a vertical bends one way and back (its shift along the
    # rows turns), as in an S or a C.
    slopes = np.sign(np.diff(x[:, ::8], axis=1))
    bent = (np.diff(slopes, axis=1) != 0).any(axis=1)
    assert bent.mean() > 0.25, bent.mean()
    # From one frame to the next the shape changes by pixels: the picture wobbles.
    change = np.abs(np.diff(x, axis=0)).max(axis=1)
    assert np.median(change) > 2.0, change


def _measured_shifts(jello_frame: np.ndarray, source_frame: np.ndarray, cols: slice) -> list:
    """(row shift, column shift) of each band of a jello frame against the source frame,
    measured by phase correlation over the columns `cols` of the cropped frame."""
    m = sj.MARGIN
    moved = jello_frame.astype(np.float32).mean(axis=2)
    still = source_frame.astype(np.float32).mean(axis=2)[m:-m, m:-m]
    shifts = []
    for y0 in range(0, moved.shape[0] - BAND + 1, BAND):
        found, _, _ = phase_cross_correlation(
            still[y0 : y0 + BAND, cols], moved[y0 : y0 + BAND, cols], upsample_factor=20
        )
        shifts.append((float(found[0]), float(found[1])))
    return shifts


@pytest.mark.parametrize("k", [5, 19, 30, 45])
def test_each_band_of_the_picture_is_the_footage_shifted(source, jello, offsets, k):
    """Measured from the pixels: each band of rows is the source moved sideways by the
    model's shift for those rows, on the left half and on the right half of the picture
    alike (the whole width of a band moves together, background included)."""
    t, frame = jello[k]
    assert abs(t - k / 25) < 1e-6
    width, height = BIKES_SIZE
    m = sj.MARGIN
    assert frame.shape == (height - 2 * m, width - 2 * m, 3)
    model = [
        offsets[k, y0 + m : y0 + m + BAND, 0].mean()
        for y0 in range(0, frame.shape[0] - BAND + 1, BAND)
    ]
    for cols in (slice(0, 300), slice(320, None)):
        measured = np.array([dx for _, dx in _measured_shifts(frame, source[k], cols)])
        errors = np.abs(measured - model)
        # Passing cars and plain sky make a band or two hard to measure; the rest agree.
        assert np.median(errors) < 0.3, (k, measured.round(1), np.round(model, 1))
        assert np.mean(errors < 1.0) >= 0.8, (k, measured.round(1), np.round(model, 1))
        # The shifts vary down the frame, and average out over it (the stabiliser).
        assert measured.max() - measured.min() > 2.5, measured.round(1)
        assert abs(measured.mean()) < 1.0, measured.round(1)
        assert np.abs(measured).max() <= MAX_SHIFT + 0.5


def test_the_untouched_footage_would_fail_the_measurement(source):
    """The check above sees the jello: the footage itself, cropped the same way, measures no
    row shifts at all."""
    m = sj.MARGIN
    cropped = source[19][m:-m, m:-m]
    measured = np.array([dx for _, dx in _measured_shifts(cropped, source[19], slice(0, None))])
    assert np.abs(measured).max() < 0.1


def test_texts_and_fields(built):
    path, meta = built
    assert_simulated_decoy(meta, GIVEAWAY_WORDS)
    # The lesson: the whole picture bends, band by band, background included, with the shake;
    # a generator's melting bends one thing.
    for phrase in ("whole picture", "band by band", "background included", "shake", "melting"):
        assert phrase in meta["explanation"], phrase
    assert "simulated" in meta["explanation"]
    assert (meta["width"], meta["height"]) == VIDEO_SIZE
    assert meta["duration_s"] == 2.0
    (art,) = meta["artifacts"]
    assert art["category"] == "rolling_shutter" and art["category"] in DECOY_CODES
    assert art["box"] == [0.0, 0.0, 1.0, 1.0]
    assert (art["start_s"], art["end_s"]) == (0.0, meta["duration_s"])
    assert_delivered(KEY, path, meta, frames=50)


def test_two_builds_are_the_same(built, jello, tmp_path):
    path, meta = built
    assert frames_digest(sj.jello_frames()) == frames_digest(jello)
    assert_rebuilt_alike(KEY, path, meta, tmp_path)
