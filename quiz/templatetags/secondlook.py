from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from quiz.stats.formatting import percent

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """0.734 -> "73 %" (locale-aware); an empty figure shows as an en dash."""
    return percent(value, digits)


@register.filter
def signed(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = number_format(abs(value), digits)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.filter
def seconds(value: float | None) -> str:
    if value is None:
        return ""
    return number_format(value, 1)


@register.filter
def points(value: float | None) -> str:
    """A difference of proportions as whole percentage points, without sign: 0.134 -> "13"."""
    if value is None:
        return "–"
    return number_format(abs(value) * 100, 0)


@register.filter
def signed_points(value: float | None) -> str:
    """A difference of proportions as signed percentage points: 0.134 -> "+13 pp"."""
    if value is None:
        return "–"
    return _("%(points)s pp") % {"points": signed(value * 100, 0)}
