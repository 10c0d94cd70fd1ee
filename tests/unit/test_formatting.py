"""Numbers are rounded, not cut (issue 13 §4): half away from zero on the exact value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from quiz.stats.formatting import number, percent, rounded, signed
from quiz.templatetags.secondlook import made_by, pct, points, seconds, signed_points


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.7665, "77 %"),  # truncation showed 76 %
        (5 / 12, "42 %"),  # 41.67: truncation showed 41 %
        (Fraction(5, 12), "42 %"),
        (0.58, "58 %"),  # 0.58 * 100 is 57.99999999999999 in floating point
        (0.29, "29 %"),
        (0.005, "1 %"),  # half away from zero
        (Fraction(1, 200), "1 %"),
        (Fraction(1, 3), "33 %"),
        (1.0, "100 %"),
        (0, "0 %"),
        (None, "–"),
    ],
)
def test_percentages_are_rounded_half_away_from_zero(value, shown):
    with translation.override("en"):
        assert percent(value) == shown
        assert pct(value) == shown


def test_percent_points_and_signs_round_too():
    with translation.override("en"):
        # A gain of 0.6625 -> 0.75 is 8.75 points: +9 pp, not +8 pp.
        assert signed_points(0.75 - 0.6625) == "+9 pp"
        assert signed_points(-0.0875) == "−9 pp"
        assert signed_points(0.0) == "0 pp"
        assert points(0.134) == "13" and points(-0.135) == "14"
        assert signed(0.125, 2) == "+0.13" and signed(-0.125, 2) == "−0.13"
        # Rounded to zero is zero, without a sign.
        assert signed(-0.004, 2) == "0.00" and number(-0.4) == "0"
        assert seconds(2.25) == "2.3"
        assert percent(0.12345, 1) == "12.3 %"


def test_german_writes_a_decimal_comma():
    with translation.override("de"):
        assert percent(0.12345, 1) == "12,3 %"
        assert seconds(2.25) == "2,3"
        assert signed(-1.5, 1) == "−1,5"


def test_fractions_round_exactly():
    assert rounded(Fraction(5, 2)) == Decimal(3)
    assert rounded(Fraction(-5, 2)) == Decimal(-3)
    assert rounded(Fraction(2, 3), 2) == Decimal("0.67")
    assert rounded(2.675, 2) == Decimal("2.68")  # the float 2.675 is just below; its repr is not


def test_a_figure_the_template_did_not_find_shows_as_missing():
    # A lookup that finds nothing gives "" in a template.
    assert pct("") == "–" and signed_points("") == "–" and points("") == "–"
    assert seconds("") == ""


def test_numpy_numbers_and_non_finite_values():
    import numpy as np

    with translation.override("en"):
        assert percent(np.float64(0.58)) == "58 %"
        assert signed_points(np.float64(-0.0875)) == "−9 pp"
        assert number(np.int64(3)) == "3"
        assert percent(float("nan")) == "–" and signed(float("inf")) == "–"


def test_dates_read_the_same_way_everywhere_in_each_language():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.template import Context, Template

    moment = datetime(2026, 12, 4, 6, 5, tzinfo=ZoneInfo("UTC"))
    template = Template(
        '{% load l10n %}{{ when }}|{{ when|date:"SHORT_DATETIME_FORMAT" }}|{{ when|date }}'
    )
    with translation.override("de"):
        assert template.render(Context({"when": moment})) == (
            "4. Dezember 2026, 06:05|04.12.2026, 06:05|4. Dezember 2026"
        )
    with translation.override("en"):
        shown = template.render(Context({"when": moment}))
        assert shown == "4 December 2026, 06:05|4 Dec 2026, 06:05|4 December 2026"
        assert "a.m." not in shown


def test_a_real_clips_maker_is_named_in_the_readers_language():
    with translation.override("de"):
        assert made_by("camera") == "Kamera"
        assert made_by("Sora") == "Sora" and made_by("") == "–" and made_by(None) == "–"
        # The demo pack's own generator is named in German too (a UI review found it English).
        assert made_by("Second Look synthesizer") == "Synthesizer von Second Look"
    with translation.override("en"):
        assert made_by("camera") == "camera"
        assert made_by("Second Look synthesizer") == "Second Look synthesizer"


def test_running_text_keeps_each_number_with_its_unit():
    from django.template import Context, Template

    from quiz.templatetags.secondlook import keep_units

    text = "You marked 31 % from the left, at 1.7 s. 2 sets; 5 seconds"
    assert keep_units(text) == (
        "You marked 31\u00a0% from the left, at 1.7\u00a0s. 2 sets; 5 seconds"
    )
    # In a template: what the block escaped stays escaped.
    block = Template("{% load secondlook %}{% filter keep_units %}<b>{{ x }} %</b>{% endfilter %}")
    assert block.render(Context({"x": "<i>9"})) == "<b>&lt;i&gt;9\u00a0%</b>"


def test_a_negative_figure_has_a_true_minus_like_the_signed_ones_beside_it():
    """d′ and c printed "-0,16" beside "−4 Pp." (a UI review): one minus sign on a page."""
    from quiz.templatetags.secondlook import figure

    with translation.override("de"):
        assert figure(-0.163) == "−0,16"
        assert figure(1.255, 2) == "1,26" and figure(0.0004) == "0,00"
        assert figure(-0.0004) == "0,00"  # never "−0,00"
        assert figure(None) == "–" and figure(float("nan")) == "–"
        assert figure(-0.1234, 3) == "−0,123"
    with translation.override("en"):
        assert figure(-2.5, 1) == "−2.5"
