"""The real decoy "heat shimmer" (recipes.street_haze): the railing shot as it looks when warm
air rising from the road bends the light from the far end of the street.

Its frames are the untouched footage with each point of the distant scene displaced by a smooth
random field: a few pixels at most, strongest over the far street, nothing at all on the
railing, the lamp post and the bicycle close to the camera, and rising from frame to frame.
The displacements are measured from the pixels (dense optical flow between the footage and
the hazy frame), not only read from the model that made them.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage.registration import optical_flow_tvl1

from quiz.categories import DECOY_CODES
from quiz.packs.synth.delivery import VIDEO_SIZE
from quiz.packs.synth.german import GERMAN
from quiz.packs.synth.items import RECIPES
from quiz.packs.synth.recipes import street_haze as sh
from quiz.packs.synth.recipes.street import BIKES_SIZE, RAILING_SHOT
from quiz.packs.synth.sources import clip
from tests.frames import (
    assert_delivered,
    assert_rebuilt_alike,
    assert_simulated_decoy,
    frames_digest,
)
from tests.unit.test_synth import GIVEAWAY_WORDS

KEY = "demo-street-heat-haze"
FPS = 25
# No point moves further than this (px): a haze shifts distant edges by a pixel or two.
MAX_MAGNITUDE = 3.2
# Screen rectangles (x0, y0, x1, y1) that show something close to the camera in every frame of
# the shot (the camera drifts by up to 10 px): the two posts in the middle, the lamp post and
# the bicycle, and the top rail in the middle of the picture.
NEAR = {
    "posts": (446, 130, 481, 245),
    "lamp post and bicycle": (150, 60, 310, 260),
    "top rail": (340, 112, 430, 115),
}
# Where the haze is strong (model strength at least this much), for the measurements.
STRONG = 0.7


@pytest.fixture(scope="module")
def source() -> list[np.ndarray]:
    return [frame for _, frame in clip("bikes.mp4", *RAILING_SHOT)]


@pytest.fixture(scope="module")
def drift(source) -> np.ndarray:
    return sh.drift(source)


@pytest.fixture(scope="module")
def haze() -> list[tuple[float, np.ndarray]]:
    return list(sh.haze_frames())


@pytest.fixture(scope="module")
def grid() -> tuple[np.ndarray, np.ndarray]:
    width, height = BIKES_SIZE
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs, ys


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("haze") / "item.mp4"
    return path, RECIPES[KEY].build(path)


def _grey(frame: np.ndarray) -> np.ndarray:
    return frame.astype(np.float32).mean(axis=2) / 255.0


def _measured(hazy_frame: np.ndarray, source_frame: np.ndarray) -> np.ndarray:
    """Where each pixel of the hazy frame comes from in the footage, (H, W, 2) as (x, y) px,
    measured by TV-L1 optical flow."""
    dy, dx = optical_flow_tvl1(_grey(hazy_frame), _grey(source_frame))
    return np.stack([dx, dy], axis=-1)


def test_registered_as_a_real_video_among_the_decoys():
    from quiz.packs.synth.build import RECIPE_ORDER

    entry = RECIPES[KEY]
    assert not entry.is_generated and entry.media_kind == "video"
    assert KEY in RECIPE_ORDER


def test_the_camera_drift_is_measured_and_smooth(drift):
    # The shot drifts up and to the left by about ten pixels in two seconds, steadily.
    assert drift.shape == (50, 2)
    assert np.abs(drift[0]).max() == 0.0
    assert 6.0 < drift[-1, 0] < 12.0 and 6.0 < drift[-1, 1] < 12.0, drift[-1]
    assert np.abs(np.diff(drift, axis=0)).max() < 1.0


def test_the_displacement_is_small_smooth_and_zero_close_to_the_camera(grid):
    xs, ys = grid
    strength = sh.strength(xs, ys)
    near = sh.foreground(xs, ys) >= 1.0
    strong = strength >= STRONG
    assert strength.min() >= 0.0 and strength.max() <= 1.0
    assert strong.sum() > 5000
    for k in range(0, 50, 7):
        shift = sh.displacement(xs, ys, k / FPS)
        magnitude = np.hypot(shift[..., 0], shift[..., 1])
        # A few pixels at most ...
        assert np.abs(shift).max() <= sh.MAX_SHIFT <= 2.5
        assert magnitude.max() <= MAX_MAGNITUDE
        # ... exactly nothing on what stands close to the camera ...
        assert np.abs(shift[near]).max() == 0.0
        # ... and a pixel or more over most of the far street.
        assert np.sqrt((magnitude[strong] ** 2).mean()) > 1.0
        assert (magnitude[strong] > 0.5).mean() > 0.6
        # Smooth: neighbouring points move almost alike (ripples tens of pixels across), except
        # where the haze fades out over a few pixels beside the railing.
        clear = sh.foreground(xs, ys) == 0.0
        down = np.abs(np.diff(shift, axis=0)).max(axis=2)[clear[1:] & clear[:-1]]
        across = np.abs(np.diff(shift, axis=1)).max(axis=2)[clear[:, 1:] & clear[:, :-1]]
        assert down.max() < 0.75 and across.max() < 0.75


def test_the_haze_is_weak_far_above_and_below_the_road(grid):
    xs, ys = grid
    strength = sh.strength(xs, ys)
    right = xs > 380
    # Strongest just above the far road; the near road at the bottom gets none.
    assert strength[(ys >= 100) & (ys <= 165) & right].max() == pytest.approx(1.0, abs=0.01)
    assert strength[ys >= 240].max() == 0.0
    assert strength[ys < 20].max() <= 0.4
    # The left of the picture shows the nearer side of the street: hardly any haze.
    assert strength[xs < 110].max() == 0.0


@pytest.mark.parametrize("region", sorted(NEAR))
def test_things_close_to_the_camera_stay_exactly_as_filmed(source, haze, region):
    """Measured from the pixels: the railing, the lamp post and the bicycle are the footage's
    own pixels in every frame."""
    x0, y0, x1, y1 = NEAR[region]
    for k, (t, frame) in enumerate(haze):
        assert abs(t - k / FPS) < 1e-6
        assert np.array_equal(frame[y0:y1, x0:x1], source[k][y0:y1, x0:x1]), (region, k)


def test_only_the_haze_changes_the_footage(source, haze, drift, grid):
    """Every pixel that differs from the footage lies where the model displaces it."""
    xs, ys = grid
    for k in (0, 24, 49):
        shift = sh.displacement(xs + drift[k, 0], ys + drift[k, 1], k / FPS)
        moved = np.abs(shift).max(axis=2) > 0.0
        changed = (haze[k][1] != source[k]).any(axis=2)
        assert not (changed & ~moved).any(), k
        # And the haze covers a good part of the picture.
        assert 0.2 < moved.mean() < 0.6, moved.mean()


@pytest.mark.parametrize("k", [6, 25, 44])
def test_the_far_street_is_the_footage_displaced_as_the_model_says(source, haze, drift, grid, k):
    xs, ys = grid
    model = sh.displacement(xs + drift[k, 0], ys + drift[k, 1], k / FPS)
    strong = sh.strength(xs + drift[k, 0], ys + drift[k, 1]) >= STRONG
    gy, gx = np.gradient(_grey(source[k]))
    textured = strong & (np.hypot(gx, gy) > 0.02)
    assert textured.sum() > 3000
    measured = _measured(haze[k][1], source[k])
    error = np.hypot(*(measured - model)[textured].T)
    assert np.median(error) < 0.6, np.median(error)
    for axis in (0, 1):
        agreement = np.corrcoef(measured[..., axis][textured], model[..., axis][textured])[0, 1]
        assert agreement > 0.8, (axis, agreement)
    rms = np.sqrt((measured[textured] ** 2).sum(axis=1).mean())
    assert 0.8 < rms < MAX_MAGNITUDE, rms
    # Close to the camera the flow finds no displacement.
    near = sh.foreground(xs + drift[k, 0], ys + drift[k, 1]) >= 1.0
    sharp = near & (np.hypot(gx, gy) > 0.02)
    assert np.median(np.hypot(*measured[sharp].T)) < 0.1


def test_the_untouched_footage_would_fail_the_measurement(source):
    """The flow sees the haze: the footage against itself measures no displacement."""
    measured = _measured(source[25], source[25])
    assert np.abs(measured).max() < 0.05


def _rows_lag(earlier: np.ndarray, later: np.ndarray, mask: np.ndarray) -> dict[int, float]:
    """How well the later displacement field at row y matches the earlier one at row y + lag,
    for each lag (a positive lag: the pattern moved up)."""
    y0, y1 = 20, 250
    scores = {}
    for lag in range(-8, 9):
        a, b, m = earlier[y0 + lag : y1 + lag], later[y0:y1], mask[y0:y1]
        scores[lag] = float(
            np.mean([np.corrcoef(a[..., i][m], b[..., i][m])[0, 1] for i in (0, 1)])
        )
    return scores


@pytest.mark.parametrize("k", [10, 30])
def test_the_haze_rises_from_frame_to_frame(source, haze, drift, grid, k):
    """Measured from the pixels: two frames later the pattern of displacements lies a few
    pixels higher (the rising air, plus the camera's drift), and it has changed a little."""
    xs, ys = grid
    later = k + 2
    before = _measured(haze[k][1], source[k])
    after = _measured(haze[later][1], source[later])
    mask = sh.strength(xs + drift[k, 0], ys + drift[k, 1]) >= STRONG
    scores = _rows_lag(before, after, mask)
    best = max(scores, key=scores.get)
    expected = sh.RISE_PX_S * (later - k) / FPS + drift[later, 1] - drift[k, 1]
    assert 6 >= best >= 1 and abs(best - expected) <= 2.5, (best, expected, scores)
    # The match falls off more slowly upward than downward (a broad peak: the ripples are
    # tens of pixels across, and the haze is strongest at the same rows in every frame).
    upward = np.mean([scores[lag] - scores[-lag] for lag in range(3, 9)])
    assert upward > 0.1, scores
    # The pattern changes as it rises (it is not a picture sliding up) ...
    assert scores[best] < 0.97


def test_the_haze_moves_visibly_at_normal_speed(source, haze):
    """From one frame to the next the houses at the far end of the street, which stand still in
    the footage (but for the camera's slow drift), change clearly more than in the footage."""
    houses = (slice(30, 100), slice(340, 600))
    steps = [
        (
            np.abs(_grey(haze[k + 1][1]) - _grey(haze[k][1]))[houses].mean(),
            np.abs(_grey(source[k + 1]) - _grey(source[k]))[houses].mean(),
        )
        for k in range(len(haze) - 1)
    ]
    hazy, still = np.array(steps).mean(axis=0)
    assert hazy > 1.3 * still, (hazy, still)
    assert all(h > s for h, s in steps)


def test_texts_and_fields(built):
    path, meta = built
    assert_simulated_decoy(meta, GIVEAWAY_WORDS)
    # The lesson: warm air bends light, far things ripple, near ones stay sharp, and a haze
    # moves a region together and never changes what a thing is.
    for phrase in ("warm air", "far", "sharp", "together", "upward", "never changes", "morphing"):
        assert phrase in meta["explanation"], phrase
    assert "simulated here on footage that was filmed without it" in meta["explanation"]
    assert meta["explanation"].endswith("not proof either way.")
    assert (meta["width"], meta["height"]) == VIDEO_SIZE
    assert meta["duration_s"] == 2.0
    (art,) = meta["artifacts"]
    assert art["category"] == "lens" and art["category"] in DECOY_CODES
    x, y, w, h = art["box"]
    assert x >= 0.0 and y >= 0.0 and x + w <= 1.0 + 1e-9 and y + h <= 1.0 + 1e-9
    assert w > 0.3 and 0.3 < h < 1.0
    assert (art["start_s"], art["end_s"]) == (0.0, meta["duration_s"])
    assert "simuliert" in GERMAN[KEY]["explanation"]
    assert_delivered(KEY, path, meta, frames=50)


def test_two_builds_are_the_same(built, haze, tmp_path):
    path, meta = built
    assert frames_digest(sh.haze_frames()) == frames_digest(haze)
    assert_rebuilt_alike(KEY, path, meta, tmp_path)
