"""The SVG charts: accessible (role, title, description), free of inline style, escaped, and
drawing every value they are given; and the item discrimination computed from sums."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.stats import charts
from quiz.stats.drilldowns import ItemSums
from quiz.stats.formatting import percent
from quiz.stats.metrics import point_biserial
from quiz.templatetags.secondlook import pct

SVG = "{http://www.w3.org/2000/svg}"


def _layouts(markup: str) -> list[ET.Element]:
    """A chart's two <svg> layouts: as designed, and for a phone."""
    return list(ET.fromstring(f"<div>{markup}</div>"))  # noqa: S314 (our own markup)


def _parse(markup: str) -> ET.Element:
    """The chart as designed."""
    return _layouts(markup)[0]


def _all_charts() -> dict[str, str]:
    return {
        "bars": charts.bar_chart(
            "bars",
            "Accuracy by class",
            "One bar per class.",
            [
                charts.Bar("7A", 0.62, 0.55, 0.69),
                charts.Bar("Tiny", None, note="suppressed"),
                charts.Bar("School", 0.7, 0.66, 0.74, emphasis=True),
            ],
            axis_label="Accuracy",
        ),
        "heatmap": charts.heatmap(
            "heat",
            "Caught by category",
            "Rows are classes.",
            ["7A", "8B"],
            ["Anatomy", "Physics"],
            [
                [charts.HeatCell(0.81, "81 %"), charts.HeatCell(None, "n<5", suppressed=True)],
                [charts.HeatCell(0.05, "5 %"), charts.HeatCell(None, "–")],
            ],
        ),
        "line": charts.interval_line_chart(
            "curve",
            "Learning curve",
            "Accuracy by round.",
            [
                charts.IntervalPoint("1", 0.5, 0.4, 0.6),
                charts.IntervalPoint("2", None),
                charts.IntervalPoint("3", 0.7, 0.6, 0.8),
                charts.IntervalPoint("4", 0.75, 0.65, 0.83),
            ],
            x_title="Round",
            y_title="Accuracy",
        ),
        "calibration": charts.calibration_chart(
            "cal",
            "Calibration",
            "Accuracy against confidence.",
            [
                charts.CalibrationMark("50–59 %", 0.55, 0.52, 0.4, 0.64),
                charts.CalibrationMark("90–100 %", 0.95, 0.8),
            ],
            x_title="Confidence",
            y_title="Accuracy",
            diagonal_label="perfect calibration",
        ),
        "dumbbell": charts.dumbbell_chart(
            "gain",
            "Pre and post",
            "Before and after.",
            [
                charts.Dumbbell("7A: Unit 1", 0.5, 0.7),
                charts.Dumbbell("8B: Unit 1", None, None, "x"),
            ],
            start_label="pre",
            end_label="post",
            axis_label="Accuracy",
        ),
        "scatter": charts.scatter_chart(
            "items",
            "Items",
            "Difficulty and discrimination.",
            [charts.ScatterPoint("1", 0.3, 0.45), charts.ScatterPoint("2", 0.9, -0.2)],
            x_title="Difficulty",
            y_title="Discrimination",
        ),
    }


@pytest.mark.parametrize("name", list(_all_charts()))
def test_every_chart_is_an_image_named_by_its_title_and_description(name):
    markup = _all_charts()[name]
    svg = _parse(markup)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert list(svg)[:2] == [title, desc]  # first, where assistive technology looks
    # The strict Content Security Policy blocks inline style; nothing relies on it.
    assert "style=" not in markup and "<style" not in markup and "<script" not in markup
    # Coordinates are plain numbers.
    assert not re.search(r'="[^"]*\de[-+]?\d', markup)
    width, height = float(svg.get("width")), float(svg.get("height"))
    assert svg.get("viewBox") == f"0 0 {svg.get('width')} {svg.get('height')}"
    assert width > 100 and height > 100


@pytest.mark.parametrize("name", list(_all_charts()))
def test_every_chart_has_a_phone_layout_whose_text_keeps_its_size(name):
    wide, narrow = _layouts(_all_charts()[name])
    assert wide.get("class") == "chart chart-wide"
    assert narrow.get("class") == "chart chart-narrow"  # insights.css shows it on phones
    assert narrow.get("id") == f"{wide.get('id')}-narrow"
    title, desc = narrow.find(f"{SVG}title"), narrow.find(f"{SVG}desc")
    assert narrow.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == wide.find(f"{SVG}title").text and desc.text
    # A 390-px phone's column is about 350 px: drawn at most ~380 wide, 12-px text stays
    # above 11 px, where the wide layout (500-900) would shrink it to 5-8 px.
    assert float(narrow.get("width")) <= 380 < float(wide.get("width"))
    texts = sorted(t.text or "" for t in wide.iter(f"{SVG}text"))
    assert texts == sorted(t.text or "" for t in narrow.iter(f"{SVG}text")) or name == "heatmap"


def test_a_heatmap_on_a_phone_runs_its_long_side_down_the_page():
    columns = [f"Category {n}" for n in range(8)]
    cells = [[charts.HeatCell(n / 10, f"{n}0 %") for n in range(8)] for _ in range(2)]
    _, narrow = _layouts(charts.heatmap("h", "T", "D", ["7A", "8B"], columns, cells))
    labels = [t.text for t in narrow.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == columns  # the categories are the rows now
    assert float(narrow.get("width")) <= 380


def test_text_is_escaped():
    markup = charts.bar_chart(
        "x<y",
        'Title with <b>"quotes"</b> & tags',
        "<script>alert(1)</script>",
        [charts.Bar("<img src=x onerror=alert(1)>", 0.5)],
        axis_label="a & b",
    )
    assert "<script>" not in markup and "<img" not in markup and "<b>" not in markup
    svg = _parse(markup)
    assert svg.find(f"{SVG}title").text == 'Title with <b>"quotes"</b> & tags'
    assert svg.find(f"{SVG}desc").text == "<script>alert(1)</script>"


def test_bars_print_their_values_and_mark_the_missing():
    svg = _parse(_all_charts()["bars"])
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "62 %" in texts and "70 %" in texts and "suppressed" in texts
    assert len(list(svg.iter(f"{SVG}rect"))) == 2  # no bar for the suppressed row
    whiskers = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-whisker"]
    assert len(whiskers) == 6  # an interval and its two caps, for each drawn bar
    bar = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar")
    assert float(bar.get("width")) == pytest.approx(0.62 * charts.PLOT_WIDTH)


@pytest.mark.parametrize(
    ("value", "digits", "text"), [(0.734, 0, "73 %"), (0.7351, 1, "73.5 %"), (None, 0, "–")]
)
def test_the_charts_and_the_pct_filter_write_a_proportion_alike(value, digits, text):
    assert percent(value, digits) == text
    assert pct(value, digits) == text


def test_heatmap_cells_print_their_number_and_suppressed_cells_are_hatched():
    svg = _parse(_all_charts()["heatmap"])
    cells = [r for r in svg.iter(f"{SVG}rect") if "heat-cell" in (r.get("class") or "")]
    assert [c.get("class") for c in cells] == [
        "heat-cell heat-4",
        "heat-cell heat-suppressed",
        "heat-cell heat-0",
        "heat-cell heat-empty",
    ]
    assert cells[1].get("fill") == "url(#heat-hatch)"
    assert svg.find(f"{SVG}defs/{SVG}pattern").get("id") == "heat-hatch"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    for shown in ("81 %", "n<5", "5 %", "–", "7A", "8B", "Anatomy", "Physics"):
        assert shown in texts


@given(st.floats(min_value=0, max_value=1))
def test_heat_levels_cover_zero_to_one_in_order(value):
    level = charts.heat_level(value)
    assert 0 <= level < charts.HEAT_LEVELS
    assert level >= charts.heat_level(max(0.0, value - 0.2))


def test_the_learning_curve_breaks_at_a_missing_point():
    svg = _parse(_all_charts()["line"])
    paths = [p.get("d") for p in svg.iter(f"{SVG}path")]
    assert len(paths) == 2 and paths[0].count("L") == 0 and paths[1].count("L") == 1
    assert len(list(svg.iter(f"{SVG}circle"))) == 3


def test_the_calibration_chart_has_its_diagonal_and_a_point_per_bin():
    svg = _parse(_all_charts()["calibration"])
    classes = [e.get("class") for e in svg.iter()]
    assert classes.count("chart-diagonal") == 1
    assert classes.count("chart-point") == 2
    assert classes.count("chart-whisker") == 1  # only the bin with an interval


def test_the_dumbbell_and_scatter_draw_each_value():
    svg = _parse(_all_charts()["dumbbell"])
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "50 % → 70 %" in texts and "x" in texts
    svg = _parse(_all_charts()["scatter"])
    assert [c.get("class") for c in svg.iter(f"{SVG}circle")] == ["chart-point"] * 2
    assert any(e.get("class") == "chart-zero" for e in svg.iter())


@pytest.mark.parametrize("narrow", [False, True])
def test_a_dumbbells_long_label_breaks_into_lines_instead_of_being_cut(narrow):
    label = "Simulated class 7A: Spotting generated clips"
    svg = _parse(
        charts.dumbbell_chart(
            "gain",
            "Pre and post",
            "Before and after.",
            [charts.Dumbbell(label, 0.5, 0.7), charts.Dumbbell("8B: Unit 1", 0.4, 0.6)],
            start_label="pre",
            end_label="post",
            axis_label="Accuracy",
            narrow=narrow,
        )
    )
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert not any("…" in (t or "") for t in texts)
    assert " ".join(t for t in texts if t and t in label) == label
    # The rows do not overlap: each label's lines lie above the next row's first line.
    ys = {t.text: float(t.get("y")) for t in svg.iter(f"{SVG}text")}
    assert max(y for text, y in ys.items() if text and text in label) < ys["8B: Unit 1"] - 10


def test_labels_of_points_close_together_do_not_cover_each_other():
    """Clips with about the same difficulty and discrimination (the items page): each
    number gets a place of its own next to its point."""
    points = [
        charts.ScatterPoint(str(n), x, y)
        for n, (x, y) in enumerate(
            [(0.62, 0.32), (0.62, 0.33), (0.63, 0.31), (0.70, 0.30), (0.71, 0.30), (0.9, -0.2)],
            start=1,
        )
    ]
    svg = _parse(charts.scatter_chart("items", "Items", "d", points, x_title="x", y_title="y"))
    labels = [t for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-point-label"]
    assert [t.text for t in labels] == [p.label for p in points]
    boxes = []
    for t in labels:
        x, y, width = float(t.get("x")), float(t.get("y")), 7.0 * len(t.text)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[
            t.get("text-anchor", "start")
        ]
        boxes.append((left, y - 10, left + width, y))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


# --- Item discrimination from sums (what the database returns) ----------------------------------


def _sums(xs: list[bool], ys: list[float]) -> ItemSums:
    return ItemSums(
        n=len(xs),
        sum_x=float(sum(xs)),
        sum_y=sum(ys),
        sum_xy=sum(y for x, y in zip(xs, ys, strict=True) if x),
        sum_yy=sum(y * y for y in ys),
    )


@given(
    st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=11)),
        min_size=0,
        max_size=60,
    )
)
def test_discrimination_from_sums_equals_the_point_biserial(observations):
    # Rest scores are shares of the other 11 rounds of a 12-round quiz.
    xs = [x for x, _ in observations]
    ys = [rest / 11 for _, rest in observations]
    if len(set(ys)) <= 1:
        # No spread: undefined (metrics' float sd may come out a hair above zero here).
        assert _sums(xs, ys).point_biserial() is None
        return
    expected = point_biserial(xs, ys)
    found = _sums(xs, ys).point_biserial()
    if expected is None:
        assert found is None
    else:
        assert found == pytest.approx(expected, abs=1e-9)
        assert -1 - 1e-9 <= found <= 1 + 1e-9


def test_discrimination_of_a_known_case():
    xs = [True, True, False, False, True]
    ys = [0.9, 0.7, 0.3, 0.5, 0.6]
    mean = sum(ys) / 5
    sd = math.sqrt(sum((y - mean) ** 2 for y in ys) / 5)
    expected = (sum([0.9, 0.7, 0.6]) / 3 - 0.4) / sd * math.sqrt(0.6 * 0.4)
    assert _sums(xs, ys).point_biserial() == pytest.approx(expected)
    assert _sums([True, True], [0.1, 0.9]).point_biserial() is None  # nobody wrong
    assert _sums([True, False], [0.5, 0.5]).point_biserial() is None  # no spread
    assert _sums([True], [0.5]).point_biserial() is None


def test_a_heatmaps_long_row_names_wrap_instead_of_being_cut():
    """German category names run long: they break between words into up to three lines, and
    the rows grow to hold them, in both layouts."""
    long = "Dinge tauchen auf, verschwinden oder vervielfachen sich"
    cells = [[charts.HeatCell(0.5, "50 %")], [charts.HeatCell(0.2, "20 %")]]
    for svg in _layouts(charts.heatmap("h", "T", "D", [long, "Kurz"], ["7A"], cells)):
        labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
        assert " ".join(labels[:-1]) == long and labels[-1] == "Kurz"
        assert not any("…" in label for label in labels)
        rects = [r for r in svg.iter(f"{SVG}rect") if "heat-cell" in (r.get("class") or "")]
        assert float(rects[0].get("height")) >= 13 * (len(labels) - 1)


@pytest.mark.parametrize(
    ("label", "limit", "lines"),
    [
        ("Körper und Anatomie", 22, ["Körper und Anatomie"]),
        (
            "one two three four five six seven",
            9,
            ["one two", "three", "four five six seven"[:8] + "…"],
        ),
        ("Unbreakablewordthatgoesonandon", 10, ["Unbreakab…"]),
    ],
)
def test_labels_wrap_between_words_and_only_the_rest_is_shortened(label, limit, lines):
    assert charts._wrap(label, limit) == lines
