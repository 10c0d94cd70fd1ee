"""The site's shared text and date validators (accounts.validators), without a database."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import plain_multi_line_text, plain_text, refused_characters, sane_year

REFUSED = [
    *map(chr, range(0x00, 0x20)),
    "\x7f",
    "\u200e",
    "\u200f",
    *map(chr, range(0x202A, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]


@pytest.mark.parametrize("ch", REFUSED, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_control_and_direction_character_is_refused_in_a_name(ch):
    with pytest.raises(ValidationError) as raised:
        plain_text(f"Ann{ch}a")
    assert f"U+{ord(ch):04X}" in raised.value.messages[0]


def test_multi_line_text_keeps_tabs_and_line_breaks_only():
    plain_multi_line_text("one\r\n\ttwo\nthree")
    assert refused_characters("a\u202eb\tc\n", multi_line=True) == ["U+202E"]
    assert refused_characters("a\tb") == ["U+0009"]


@pytest.mark.parametrize(
    "text", ["Zoë Ødegaard", "محمد", "שָׁלוֹם", "👩‍🏫 Ms Lee", "8A – Year 8", "O’Brien"]
)
def test_ordinary_text_in_any_script_passes(text):
    plain_text(text)  # the zero-width joiner of emoji sequences is not a direction mark


@pytest.mark.parametrize("day", [date(1999, 12, 31), date(2101, 1, 1), date.min, date.max])
def test_dates_outside_2000_to_2100_are_refused(day):
    with pytest.raises(ValidationError):
        sane_year(day)


def test_dates_inside_the_range_pass():
    sane_year(date(2000, 1, 1))
    sane_year(date(2100, 12, 31))
    sane_year(None)
