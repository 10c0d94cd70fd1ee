"""The spot-hit geometry of METRICS.md (quiz.spot): the box enlarged by 5 % of the frame's
shorter side on each edge, the time range widened by 0.5 s on each side, edges inside."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz import spot
from quiz.spot import Mark, Region

# A box from 40 % to 60 % across and 20 % to 50 % down, from 2.0 s to 3.0 s.
BOX = Region(0.4, 0.2, 0.2, 0.3, 2.0, 3.0)


def hit(mark: Mark, *, width: int | None = 1000, height: int | None = 1000) -> bool:
    return spot.is_hit(mark, [BOX], width=width, height=height)


def test_a_mark_inside_the_box_at_the_right_moment_is_a_hit():
    assert hit(Mark(500, 300, 2500))


@pytest.mark.parametrize(
    ("x", "y"),
    [(350, 300), (650, 300), (500, 150), (500, 550), (350, 150), (650, 550)],
)
def test_the_enlarged_edges_are_inside_on_a_square_frame(x, y):
    # 5 % of a 1000 px side: 0.05 of the frame on each edge.
    assert hit(Mark(x, y, 2500))


@pytest.mark.parametrize(("x", "y"), [(349, 300), (651, 300), (500, 149), (500, 551)])
def test_just_beyond_the_enlarged_edges_is_a_miss(x, y):
    assert not hit(Mark(x, y, 2500))


def test_the_margin_is_five_percent_of_the_shorter_side_on_a_wide_frame():
    # 1920 x 1080: 54 px on each edge = 0.028125 of the width, 0.05 of the height.
    mx, my = spot.margins(1920, 1080)
    assert mx == pytest.approx(54 / 1920)
    assert my == pytest.approx(0.05)
    assert hit(Mark(372, 300, 2500), width=1920, height=1080)  # 0.4 - 0.028125 = 0.371875
    assert not hit(Mark(371, 300, 2500), width=1920, height=1080)
    assert hit(Mark(500, 150, 2500), width=1920, height=1080)
    assert not hit(Mark(500, 149, 2500), width=1920, height=1080)


def test_a_tall_frame_widens_the_box_less_across_than_down():
    mx, my = spot.margins(1080, 1920)
    assert mx == pytest.approx(0.05)
    assert my == pytest.approx(54 / 1920)


def test_an_unknown_frame_size_counts_as_square():
    assert spot.margins(None, None) == (0.05, 0.05)


@pytest.mark.parametrize(
    ("ms", "inside"), [(1500, True), (1499, False), (3500, True), (3501, False)]
)
def test_the_time_range_is_widened_by_half_a_second_each_side(ms, inside):
    assert hit(Mark(500, 300, ms)) is inside


def test_an_image_mark_has_no_moment_and_needs_none():
    image_box = Region(0.4, 0.2, 0.2, 0.3)
    assert spot.is_hit(Mark(500, 300, None), [image_box], width=800, height=600)


def test_open_ended_times_run_from_the_start_or_to_the_end():
    from_start = Region(0.4, 0.2, 0.2, 0.3, None, 1.0)
    to_end = Region(0.4, 0.2, 0.2, 0.3, 5.0, None)
    assert spot.is_hit(Mark(500, 300, 0), [from_start], width=None, height=None)
    assert not spot.is_hit(Mark(500, 300, 1600), [from_start], width=None, height=None)
    assert spot.is_hit(Mark(500, 300, 60_000), [to_end], width=None, height=None)
    assert not spot.is_hit(Mark(500, 300, 4400), [to_end], width=None, height=None)


def test_any_of_several_artifacts_makes_a_hit():
    other = Region(0.0, 0.8, 0.1, 0.1, 0.0, 0.5)
    assert spot.is_hit(Mark(50, 850, 200), [BOX, other], width=1000, height=1000)
    # The right place of one and the right moment of the other is no hit.
    assert not spot.is_hit(Mark(50, 850, 2500), [BOX, other], width=1000, height=1000)


def test_no_artifact_means_no_hit():
    assert not spot.is_hit(Mark(500, 500, 0), [], width=100, height=100)


def test_a_miss_says_how_far_in_time_and_which_way():
    found = spot.nearest(Mark(300, 300, 1200), [BOX])
    assert found is not None
    assert found.seconds == pytest.approx(-0.8)  # too early
    assert found.dx == pytest.approx(0.1)  # the giveaway is to the right
    assert found.dy == 0
    assert spot.direction(found) == ("little", "right")


def test_a_mark_far_below_and_left_and_late():
    found = spot.nearest(Mark(0, 1000, 4000), [BOX])
    assert found is not None
    assert found.seconds == pytest.approx(1.0)
    assert spot.direction(found) == ("far", "up_right")


def test_a_mark_on_the_box_has_no_direction():
    found = spot.nearest(Mark(450, 250, 2500), [BOX])
    assert found is not None and found.on_box
    assert spot.direction(found) == ("", "")


def test_the_nearest_of_two_giveaways_is_chosen():
    near = Region(0.05, 0.05, 0.1, 0.1, 0.0, 1.0)
    found = spot.nearest(Mark(100, 100, 500), [BOX, near])
    assert found is not None and found.index == 1 and found.on_box


@pytest.mark.parametrize(
    ("column", "row", "x", "y"), [(0, 0, 62, 62), (7, 7, 937, 937), (3, 4, 437, 562)]
)
def test_grid_cells_mark_their_centres(column, row, x, y):
    assert spot.grid_centre(column, row) == (x, y)


def test_grid_cells_outside_the_grid_are_refused():
    with pytest.raises(ValueError):
        spot.grid_centre(8, 0)


# Generation is cheap but the machine is shared: no health check on its speed.
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    x=st.floats(0, 0.9),
    y=st.floats(0, 0.9),
    w=st.floats(0.01, 0.1),
    h=st.floats(0.01, 0.1),
    width=st.integers(16, 4000),
    height=st.integers(16, 4000),
    mx=st.integers(0, 1000),
    my=st.integers(0, 1000),
)
def test_a_hit_is_exactly_the_enlarged_box(x, y, w, h, width, height, mx, my):
    region = Region(x, y, w, h)
    margin = 0.05 * min(width, height)
    px, py = mx / 1000 * width, my / 1000 * height
    inside = (
        x * width - margin - 1e-6 <= px <= (x + w) * width + margin + 1e-6
        and y * height - margin - 1e-6 <= py <= (y + h) * height + margin + 1e-6
    )
    clearly_inside = (
        x * width - margin + 1e-3 <= px <= (x + w) * width + margin - 1e-3
        and y * height - margin + 1e-3 <= py <= (y + h) * height + margin - 1e-3
    )
    result = spot.is_hit(Mark(mx, my), [region], width=width, height=height)
    if clearly_inside:
        assert result
    if not inside:
        assert not result
