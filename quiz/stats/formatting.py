"""How the statistics write a proportion for people, in one place: the charts
(quiz.stats.charts) and the templates' `pct` filter (quiz.templatetags.secondlook) both
call it, so a chart's labels and the table beside it always agree."""

from __future__ import annotations

from django.utils.formats import number_format


def percent(value: float | None, digits: int = 0) -> str:
    """0.734 -> "73 %" (locale-aware); an empty figure shows as an en dash."""
    if value is None:
        return "–"
    return f"{number_format(value * 100, digits)} %"
