"""The educator's pages: a school's overview with filters and exports, and its drill-downs.

Educators (and staff) only: teachers and students get 403, strangers the sign-in page, a
school the educator does not oversee is a 404. Every page reads the stat tables with a
fixed number of queries and shows no group of fewer than STATS_MIN_GROUP students, and no
individual student at all (quiz.stats.insights, quiz.stats.drilldowns).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.decorators import insights_required
from accounts.models import School
from quiz.forms.insights import OverviewFilterForm
from quiz.responses import csv_response, csv_style, page_or_partial
from quiz.selectors import practice as practice_selectors
from quiz.stats import charts, drilldowns, insights
from quiz.stats.formatting import percent

OVERVIEW_TEMPLATE = "quiz/insights/overview.html"


def _school_for(request: HttpRequest, school_id: int) -> School:
    """A school whose statistics the user may read; any other is a 404."""
    return get_object_or_404(insights.educator_schools(request.user), pk=school_id)


def _context(school: School, **context: Any) -> dict[str, Any]:
    return {"school": school, "min_group": insights.min_group(), **context}


def _page(request: HttpRequest, template: str, school: School, **context: Any) -> HttpResponse:
    return render(request, template, _context(school, **context))


# --- Filters -----------------------------------------------------------------------------------


def _filtered(
    request: HttpRequest, school: School
) -> tuple[OverviewFilterForm, insights.Overview | None]:
    form = OverviewFilterForm(request.GET or None, school=school)
    if form.is_bound and not form.is_valid():
        return form, None
    return form, insights.school_overview(
        school,
        form.filters(),
        viewer_schools=insights.educator_schools(request.user),
        everyone_name=_("Everyone (all schools)"),
    )


# --- Pages -------------------------------------------------------------------------------------


@insights_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    schools = list(insights.educator_schools(request.user).order_by("name"))
    if len(schools) == 1:
        return redirect("insights:school_overview", school_id=schools[0].pk)
    return render(request, "quiz/insights/index.html", {"schools": schools})


def _overview_chart(overview: insights.Overview) -> str:
    bars = []
    for row in overview.rows:
        summary = row.figures.summary
        interval = summary.accuracy_interval if summary else None
        bars.append(
            charts.Bar(
                label=row.name,
                value=summary.accuracy if summary else None,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
                note=_("no answers") if not row.figures.counts.n else _("hidden"),
                emphasis=row.scope != "class",
            )
        )
    return charts.bar_chart(
        "overview-chart",
        _("Accuracy by class"),
        _(
            "Horizontal bars: the share of right answers of each class, the school and "
            "everyone, with the 95 % interval as a whisker. The table below lists the same "
            "figures."
        ),
        bars,
        axis_label=_("Accuracy (share of right answers)"),
    )


@insights_required
@require_safe
def school_overview(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    form, overview = _filtered(request, school)
    # As applied: dates in whole weeks.
    filters = form.filters().weeks() if overview else None
    context = {
        "form": form,
        "overview": overview,
        "chart": _overview_chart(overview) if overview else None,
        "query": form.query_string() if overview else "",
        "filters": filters,
    }
    # An htmx swap gets the "body" partial; a history restore (Back) the whole page.
    return page_or_partial(
        request,
        OVERVIEW_TEMPLATE,
        "body",
        _context(school, **context),
        status=400 if overview is None else 200,
    )


def _export_name(school: School, extension: str) -> str:
    return f"{slugify(school.name)[:60] or 'school'}-overview.{extension}"


def _plain_decimal(value: object) -> object:
    """A figure for the CSV: a plain decimal (never 1e-05), empty when there is none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6f}"
        return Decimal("0.000000" if text == "-0.000000" else text)
    return value


@insights_required
@require_safe
def school_overview_csv(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    form, overview = _filtered(request, school)
    if overview is None:
        message = "\n".join(
            f"{name}: {error}" for name, errors in form.error_lists().items() for error in errors
        )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    rows = (
        [_plain_decimal(v) for v in insights.overview_export_row(row).values()]
        for row in overview.rows
    )
    return csv_response(
        _export_name(school, "csv"), insights.OVERVIEW_COLUMNS, rows, style=csv_style(request)
    )


@insights_required
@require_safe
def spot_rates_csv(request: HttpRequest, school_id: int) -> HttpResponse:
    """The categories page's spot rates (METRICS.md) as CSV, suppressed as on the page."""
    school = _school_for(request, school_id)
    rows = (
        [_plain_decimal(v) for v in drilldowns.spot_export_row(row).values()]
        for row in drilldowns.spot_rows(school)
    )
    name = f"{slugify(school.name)[:60] or 'school'}-spot-rates.csv"
    return csv_response(name, drilldowns.SPOT_COLUMNS, rows, style=csv_style(request))


def _json_number(value: object) -> object:
    if isinstance(value, float):
        return round(value, 6)
    return value


@insights_required
@require_safe
def school_overview_json(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    form, overview = _filtered(request, school)
    if overview is None:
        return JsonResponse({"errors": form.error_lists()}, status=400)
    filters = form.filters().weeks()  # as applied: dates in whole weeks
    body = {
        "school": {"id": school.pk, "name": school.name},
        "filters": {
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
            "grade": filters.grade or None,
            "quiz": filters.quiz_id,
            "assignment": filters.assignment_id,
        },
        "min_group": insights.min_group(),
        "columns": list(insights.OVERVIEW_COLUMNS),
        "rows": [
            {name: _json_number(value) for name, value in insights.overview_export_row(row).items()}
            for row in overview.rows
        ],
    }
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(school, "json")}"'
    return response


# --- Drill-downs -------------------------------------------------------------------------------


# A hidden cell's mark in a chart: hatched and starred. The word ("ausgeblendet") is wider
# than a cell and ran into its neighbours; the caption and the table below say it.
CHART_HIDDEN = "*"


def _heat(cells: list[drilldowns.CategoryCell]) -> list[charts.HeatCell]:
    found = []
    for cell in cells:
        if cell.empty:
            found.append(charts.HeatCell(None, "–"))
        elif cell.suppressed:
            found.append(charts.HeatCell(None, CHART_HIDDEN, suppressed=True))
        elif cell.rate is None:
            found.append(charts.HeatCell(None, "–"))
        else:
            found.append(charts.HeatCell(cell.rate, percent(cell.rate)))
    return found


@insights_required
@require_safe
def categories(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    heatmap = drilldowns.category_heatmap(school)
    tells_chart = charts.heatmap(
        "tells-chart",
        _("Giveaways caught, by class and category"),
        _(
            "A grid with one row per class and one for all classes together, one column per "
            "giveaway category; each cell prints the share of generated clips carrying that "
            "giveaway that were called generated. Darker means caught more often. "
            "Hatched cells marked “%(mark)s” are hidden: fewer than %(min)s students, or they "
            "would let someone work out a small group; – means no such answers."
        )
        % {"mark": CHART_HIDDEN, "min": insights.min_group()},
        [row.label for row in heatmap.tell_rows],
        [str(c.name) for c in heatmap.tells],
        [_heat(row.cells) for row in heatmap.tell_rows],
    )
    decoys_chart = charts.heatmap(
        "decoys-chart",
        _("Fooled by decoys, by class and category"),
        _(
            "A grid with one row per class and one for all classes together, one column per decoy "
            "(ordinary camera effects); each cell prints the share of real clips showing that "
            "effect that were called generated. Darker means fooled more often. "
            "Hatched cells marked “%(mark)s” are hidden: fewer than %(min)s students, or they "
            "would let someone work out a small group; – means no such answers."
        )
        % {"mark": CHART_HIDDEN, "min": insights.min_group()},
        [row.label for row in heatmap.decoy_rows],
        [str(c.name) for c in heatmap.decoys],
        [_heat(row.cells) for row in heatmap.decoy_rows],
    )
    return _page(
        request,
        "quiz/insights/categories.html",
        school,
        heatmap=heatmap,
        tells_chart=tells_chart,
        decoys_chart=decoys_chart,
        spot_rows=drilldowns.spot_rows(school),
        section="categories",
    )


@insights_required
@require_safe
def generators(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    rows = drilldowns.generator_rows(school)
    chart = charts.bar_chart(
        "generators-chart",
        _("Fool rate per generator"),
        _(
            "Horizontal bars: for each generator, the share of its generated clips that were "
            "taken for real, with the 95 % interval as a whisker. The table lists the same "
            "figures."
        ),
        [
            charts.Bar(
                label=row.generator,
                value=row.fool_rate,
                low=row.interval[0] if row.interval else None,
                high=row.interval[1] if row.interval else None,
                note=_("hidden"),
            )
            for row in rows
        ],
        axis_label=_("Fool rate (generated clips taken for real)"),
    )
    return _page(
        request,
        "quiz/insights/generators.html",
        school,
        rows=rows,
        chart=chart,
        section="generators",
    )


@insights_required
@require_safe
def calibration(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    points = drilldowns.calibration_points(school)
    chart = charts.calibration_chart(
        "calibration-chart",
        _("Calibration curve"),
        _(
            "Accuracy against mean stated confidence for each confidence band; the diagonal "
            "is perfect calibration, points below it mean overconfidence. Hidden bands "
            "are left out. The table lists the same figures."
        ),
        [
            charts.CalibrationMark(
                f"{p.low}–{p.high} %",
                p.mean_confidence,
                p.accuracy,
                p.interval[0] if p.interval else None,
                p.interval[1] if p.interval else None,
            )
            for p in points
            if p.mean_confidence is not None and p.accuracy is not None
        ],
        x_title=_("Mean confidence"),
        y_title=_("Accuracy"),
        diagonal_label=_("perfect calibration"),
    )
    return _page(
        request,
        "quiz/insights/calibration.html",
        school,
        points=points,
        chart=chart,
        section="calibration",
    )


@insights_required
@require_safe
def learning_curve(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    points = drilldowns.learning_curve(school)
    chart = charts.interval_line_chart(
        "curve-chart",
        _("Learning curve: accuracy by round"),
        _(
            "Accuracy at each round of an attempt (first, second, ...), with the 95 % "
            "interval as a vertical whisker; gaps are hidden rounds. "
            "The table lists the same figures."
        ),
        [
            charts.IntervalPoint(
                str(p.position),
                p.accuracy,
                p.interval[0] if p.interval else None,
                p.interval[1] if p.interval else None,
            )
            for p in points
        ],
        x_title=_("Round of the attempt"),
        y_title=_("Accuracy"),
    )
    return _page(
        request,
        "quiz/insights/learning_curve.html",
        school,
        points=points,
        chart=chart,
        section="learning_curve",
    )


@insights_required
@require_safe
def gains(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    rows = drilldowns.learning_gains(school)
    chart = charts.dumbbell_chart(
        "gains-chart",
        _("Pre-test and post-test accuracy"),
        _(
            "For each class and unit, and the school as a whole, the mean accuracy of the "
            "students who took both tests: a hollow dot before, a filled dot after. The "
            "table lists the gain with its 95 % interval."
        ),
        [
            charts.Dumbbell(
                label=f"{row.label}: {row.unit}",
                start=row.gain.pre if row.gain else None,
                end=row.gain.post if row.gain else None,
                note=_("hidden"),
            )
            for row in rows
        ],
        start_label=_("pre-test"),
        end_label=_("post-test"),
        axis_label=_("Mean accuracy"),
    )
    return _page(
        request,
        "quiz/insights/gains.html",
        school,
        rows=rows,
        chart=chart,
        section="gains",
    )


@insights_required
@require_safe
def items(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school_for(request, school_id)
    rows = drilldowns.item_rows(school)
    numbered = list(enumerate(rows, start=1))
    chart = charts.scatter_chart(
        "items-chart",
        _("Item difficulty and discrimination"),
        _(
            "One numbered point per clip: across, the share of right answers; up, the "
            "correlation between getting the clip right and the score on the rest of the "
            "attempt. Points near or below the zero line do not tell strong from weak "
            "students apart. The numbers match the table's rows."
        ),
        [
            charts.ScatterPoint(str(n), row.difficulty, row.discrimination)
            for n, row in numbered
            if row.difficulty is not None and row.discrimination is not None
        ],
        x_title=_("Difficulty (share right)"),
        y_title=_("Discrimination (point-biserial)"),
    )
    return _page(
        request,
        "quiz/insights/items.html",
        school,
        rows=numbered,
        chart=chart,
        section="items",
    )


@insights_required
@require_safe
def boosters(request: HttpRequest, school_id: int) -> HttpResponse:
    """Per class: the share of due boosters done on time, with the counts, small groups
    hidden (quiz.selectors.practice.school_boosters)."""
    school = _school_for(request, school_id)
    return _page(
        request,
        "quiz/insights/boosters.html",
        school,
        rows=practice_selectors.school_boosters(
            school, timezone.now(), minimum=insights.min_group()
        ),
        section="boosters",
    )
