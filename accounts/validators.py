"""Validators every form of the site shares (accounts and quiz alike; accounts never imports
quiz, so they live here): plain text without control or direction-override characters, and
dates within a sane range of years."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters and the invisible marks that reorder text (a name shown backwards, a
# file name whose extension lies): C0 controls, DEL, LRM/RLM, the embeddings and overrides
# U+202A–U+202E and the isolates U+2066–U+2069.
_REFUSED = frozenset(
    [*map(chr, range(0x00, 0x20)), "\x7f", "\u200e", "\u200f"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)
_MULTI_LINE_ALLOWED = frozenset("\t\n\r")

FIRST_YEAR = 2000
LAST_YEAR = 2100


def refused_characters(text: str, *, multi_line: bool = False) -> list[str]:
    """The refused characters of `text`, each once, as U+XXXX."""
    allowed = _MULTI_LINE_ALLOWED if multi_line else frozenset()
    found = sorted({ch for ch in text if ch in _REFUSED and ch not in allowed})
    return [f"U+{ord(ch):04X}" for ch in found]


class PlainTextValidator:
    """Refuses control and direction-override characters; a multi-line field keeps tab and
    line breaks."""

    def __init__(self, *, multi_line: bool = False) -> None:
        self.multi_line = multi_line

    def __call__(self, value: object) -> None:
        found = refused_characters(str(value), multi_line=self.multi_line)
        if found:
            raise ValidationError(
                _(
                    "Remove the invisible control characters (%(characters)s); they can "
                    "make text show differently from what it says."
                ),
                code="control_characters",
                params={"characters": ", ".join(found)},
            )


plain_text = PlainTextValidator()
plain_multi_line_text = PlainTextValidator(multi_line=True)


def sane_year(value: date | datetime | None) -> None:
    """Refuses a date outside FIRST_YEAR..LAST_YEAR: the ends of the calendar overflow when
    moved into another time zone, and no lesson happens there."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(first)d and %(last)d."),
            code="year_out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )
