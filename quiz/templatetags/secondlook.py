from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from quiz.generator_names import GENERATOR_CAMERA, GENERATOR_SYNTH
from quiz.stats.formatting import exact, number, percent
from quiz.stats.formatting import figure as figure_number
from quiz.stats.formatting import signed as signed_number

register = template.Library()

# What a filter shows for a figure that is missing: None, or "" from a template lookup that
# found nothing.
MISSING = "–"


def _is_missing(value: object) -> bool:
    return value is None or value == ""


# A number and its unit ("31 %", "1.7 s") in running text, to be kept on one line.
_NUMBER_AND_UNIT = re.compile(r"(\d) (%|s\b)")


@register.filter(is_safe=True)
def keep_units(text: str) -> str:
    """Running text with each number tied to its unit by a no-break space, so a narrow screen
    never leaves "31" at the end of one line and "%" at the start of the next."""
    return _NUMBER_AND_UNIT.sub("\\1\u00a0\\2", text)


@register.filter
def made_by(generator: str | None) -> str:
    """A clip's generator as a page names it: a real clip's "camera" and the demo pack's own
    synthesizer (quiz.generator_names) in the reader's language, any other name as it was
    given, "–" for none."""
    if _is_missing(generator):
        return MISSING
    if generator == GENERATOR_CAMERA:
        return _("camera")
    if generator == GENERATOR_SYNTH:
        return _("Second Look synthesizer")
    return str(generator)


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """0.734 -> "73 %" (locale-aware); an empty figure shows as an en dash."""
    return MISSING if _is_missing(value) else percent(value, digits)


@register.filter
def signed(value: float | int | None, digits: int = 2) -> str:
    """+1.25, −0.50, 0.00: rounded, with a true minus sign."""
    return MISSING if _is_missing(value) else signed_number(value, digits)


@register.filter
def figure(value: float | None, digits: int = 2) -> str:
    """−0.16, 1.25: rounded, with a true minus sign (quiz.stats.formatting.figure)."""
    return figure_number(value, digits)


@register.filter
def seconds(value: float | None) -> str:
    if _is_missing(value):
        return ""
    return number(value, 1)


@register.filter
def points(value: float | None) -> str:
    """A difference of proportions as whole percentage points, without sign: 0.134 -> "13"."""
    if _is_missing(value):
        return MISSING
    return number(abs(exact(value)) * 100, 0)


@register.filter
def signed_points(value: float | None) -> str:
    """A difference of proportions as signed percentage points: 0.134 -> "+13 pp"."""
    if _is_missing(value):
        return MISSING
    return _("%(points)s pp") % {"points": signed_number(exact(value) * 100, 0)}


@register.simple_tag
def very_sure(calibration: list | None, at_least: int = 90) -> dict[str, int]:
    """Answers given at `at_least` % confidence or more, and how many of them were right,
    from a learner's calibration bins (each with low, n and accuracy)."""
    n = right = 0
    for bin in calibration or []:
        if bin.low >= at_least and bin.n:
            n += bin.n
            right += round((bin.accuracy or 0) * bin.n)
    return {"n": n, "right": right}


@register.filter
def generated_first(shown_clips: list) -> list:
    """A round's clips for the feedback with the generated one first: the giveaway is the
    point of a pair, the real clip's look-alikes come after it."""
    return sorted(shown_clips or [], key=lambda row: not row[1].clip.is_generated)


@register.simple_tag(takes_context=True)
def csv_link(context: template.Context, url: str, label: str, query: str = "") -> str:
    """A CSV download in the shape the page's language expects (quiz.responses.csv_style:
    semicolons and decimal commas for German Excel, commas otherwise), with the other shape
    offered beside it."""
    from django.utils.html import format_html

    from quiz.responses import csv_style

    style = csv_style(context["request"])
    other = "standard" if style == "excel-de" else "excel-de"
    other_label = (
        _("commas, for other programs") if other == "standard" else _("semicolons, for Excel")
    )
    join = "&" if query else "?"
    return format_html(
        '<a href="{}{}{}csv={}" download>{}</a> <span class="help">(<a href="{}{}{}csv={}" '
        "download>{}</a>)</span>",
        url,
        query,
        join,
        style,
        label,
        url,
        query,
        join,
        other,
        other_label,
    )
