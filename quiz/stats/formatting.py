"""How the statistics write a number for people, in one place: the charts
(quiz.stats.charts) and the templates' filters (quiz.templatetags.secondlook) all call it, so
a chart's labels and the table beside it always agree.

Numbers are rounded half away from zero on their exact value, never cut: Django's
number_format truncates (0.7665 would show as 76 %), and a float times 100 lands just below
a whole value (0.58 * 100 == 57.99999999999999). A float is taken at its shortest decimal
form (0.58 is 0.58), a Fraction (from integer counts) exactly.
"""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.formats import number_format

Number = int | float | Decimal | Fraction


def exact(value: Number) -> Decimal | Fraction:
    """The value as an exact number: floats (numpy's too) by their shortest decimal form."""
    if isinstance(value, Fraction | Decimal):
        return value
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, numbers.Real):
        return Decimal(repr(float(value)))
    raise TypeError(f"not a number: {value!r}")


def rounded(value: Number, digits: int = 0) -> Decimal:
    """`value` rounded half away from zero to `digits` decimal places."""
    value = exact(value)
    if isinstance(value, Fraction):
        scaled = value * 10**digits
        whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
        if 2 * rest >= scaled.denominator:
            whole += 1
        return Decimal(whole if scaled >= 0 else -whole).scaleb(-digits)
    # ROUND_HALF_UP is "half away from zero" in the decimal module's terms.
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _finite(value: Number) -> bool:
    value = exact(value)
    return isinstance(value, Fraction) or value.is_finite()


def number(value: Number, digits: int = 0) -> str:
    """A rounded number in the current language's format ("1,5" in German); a value that is
    not finite (NaN from an empty mean) shows as an en dash."""
    if not _finite(value):
        return "–"
    result = rounded(value, digits)
    if result == 0:
        result = abs(result)  # never "-0"
    return number_format(result, digits)


def figure(value: Number | None, digits: int = 2) -> str:
    """A figure that may be negative (d′, c, a gain, a correlation) as the pages print it:
    rounded, in the language's format, with a true minus sign like every signed figure
    beside it ("−0,16", never "-0,16"); an empty figure is an en dash."""
    if value is None or not _finite(value):
        return "–"
    text = number(value, digits)
    return f"−{text[1:]}" if text.startswith("-") else text


def percent(value: Number | None, digits: int = 0) -> str:
    """0.734 -> "73 %", 5/12 -> "42 %" (rounded, locale-aware); an empty figure is an en dash."""
    if value is None or not _finite(value):
        return "–"
    return f"{number(exact(value) * 100, digits)} %"


def signed(value: Number | None, digits: int = 2) -> str:
    """+1.25, −0.5 (a true minus sign), 0: rounded first, so −0.004 shows as 0.00."""
    if value is None or not _finite(value):
        return "–"
    result = rounded(value, digits)
    text = number_format(abs(result), digits)
    return f"+{text}" if result > 0 else (f"−{text}" if result < 0 else text)
