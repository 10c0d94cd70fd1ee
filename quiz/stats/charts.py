"""Server-rendered SVG charts for the educator's pages: pure functions of the figures.

Every chart is an <svg role="img"> named by its own <title> and <desc> (aria-labelledby),
drawn with presentation attributes and CSS classes (static/css/insights.css) only, so the
strict Content Security Policy needs no inline style. Pages show the same data in an HTML
table beside each chart; colour never carries meaning alone (heatmap cells print their
number, suppressed cells a mark, intervals are drawn as whiskers).

Callers pass every word already translated; values are proportions (0..1) unless a chart
says otherwise. Text is escaped here, so the markup returned is safe to render.

Each chart is drawn twice: as designed (class "chart-wide"), and laid out again for a phone
(class "chart-narrow", id "<chart_id>-narrow": labels above the bars, narrower plots, a
heatmap's long side down the page), so its text keeps its size on a 390-px screen instead
of shrinking with the picture. insights.css shows one or the other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from quiz.stats.formatting import percent

Formatter = Callable[[float], str]

# Drawing units of the viewBox; the CSS scales the chart to its column.
ROW_HEIGHT = 28
LABEL_WIDTH = 190
PLOT_WIDTH = 420
MARGIN = 12
# The phone layout: a row holds its label above its bar; the whole chart is about 360 wide,
# so its text keeps its drawn size in a 390-px screen's column.
NARROW_ROW_HEIGHT = 48
NARROW_PLOT_WIDTH = 288


def _num(value: float) -> str:
    """A coordinate: short, and never in exponent notation."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(value: object) -> str:
    return str(escape(str(value)))


def _shorten(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _wrap(label: str, limit: int, lines: int = 3) -> list[str]:
    """The label in at most `lines` lines of about `limit` characters, broken between words;
    only what still does not fit is shortened (…) at the end of the last line."""
    words = label.split()
    out: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= limit or not current:
            current = candidate
            continue
        out.append(current)
        if len(out) == lines - 1:
            current = " ".join(words[i:])
            break
        current = word
    out.append(current)
    return [*out[:-1], _shorten(out[-1], limit)]


def _svg(
    chart_id: str,
    title: str,
    desc: str,
    width: float,
    height: float,
    body: str,
    narrow: bool = False,
) -> SafeString:
    ident = _text(chart_id)
    layout = "chart-narrow" if narrow else "chart-wide"
    return mark_safe(  # noqa: S308 (every value above is escaped or a number)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {layout}" id="{ident}" '
        f'width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" focusable="false">'
        f'<title id="{ident}-title">{_text(title)}</title>'
        f'<desc id="{ident}-desc">{_text(desc)}</desc>'
        f"{body}</svg>"
    )


def _both_layouts[**P](draw: Callable[P, SafeString]) -> Callable[P, SafeString]:
    """The chart as designed, then laid out for a phone (`narrow=True`) under its own id."""

    @functools.wraps(draw)
    def both(*args: P.args, **kwargs: P.kwargs) -> SafeString:
        chart_id, *rest = args
        wide = draw(*args, **kwargs)
        narrow = draw(f"{chart_id}-narrow", *rest, **{**kwargs, "narrow": True})  # type: ignore[arg-type]
        return mark_safe(wide + narrow)  # noqa: S308 (both escaped by _svg)

    return both


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line class="{css}" x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}"/>'


def _label(x: float, y: float, text: str, css: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text class="{css}" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>'
        f"{_text(text)}</text>"
    )


# --- Horizontal bars with intervals ------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to draw (suppressed or undefined)
    low: float | None = None
    high: float | None = None
    note: str = ""  # printed instead of the value when there is none (e.g. "suppressed")
    emphasis: bool = False  # a total row (the school)


@_both_layouts
def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    *,
    axis_label: str,
    fmt: Formatter = percent,
    narrow: bool = False,
) -> SafeString:
    """One horizontal bar per row on a 0..1 axis, with its 95 % interval as a whisker and
    its value printed at the end (narrow: each row's label above its bar)."""
    top = 30
    row = NARROW_ROW_HEIGHT if narrow else ROW_HEIGHT
    # Narrow: the label sits above the bar, which starts at the left margin.
    x0, plot, label_y, bar_y = (
        (MARGIN, NARROW_PLOT_WIDTH, 14, 18) if narrow else (LABEL_WIDTH, PLOT_WIDTH, 18, 0)
    )
    height = top + row * max(1, len(bars)) + 44
    width = x0 + plot + (60 if narrow else 90)

    def x(value: float) -> float:
        return x0 + max(0.0, min(1.0, value)) * plot

    parts = [_label(x0, 16, axis_label, "chart-axis-title")]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_line(x(tick), top - 6, x(tick), height - 40, "chart-grid"))
        parts.append(_label(x(tick), height - 24, fmt(tick), "chart-tick", "middle"))
    for n, bar in enumerate(bars):
        css = "chart-label chart-strong" if bar.emphasis else "chart-label"
        y = top + n * row
        if narrow:
            parts.append(_label(x0, y + label_y, _shorten(bar.label, 48), css))
        else:
            parts.append(_label(x0 - 8, y + label_y, _shorten(bar.label), css, "end"))
        y += bar_y
        if bar.value is None:
            parts.append(_label(x0 + 4, y + 18, bar.note, "chart-note"))
            continue
        bar_css = "chart-bar chart-bar-total" if bar.emphasis else "chart-bar"
        parts.append(
            f'<rect class="{bar_css}" x="{_num(x0)}" y="{_num(y + 6)}" '
            f'width="{_num(x(bar.value) - x0)}" height="16"/>'
        )
        end = bar.value
        if bar.low is not None and bar.high is not None:
            parts.append(_line(x(bar.low), y + 14, x(bar.high), y + 14, "chart-whisker"))
            parts.append(_line(x(bar.low), y + 8, x(bar.low), y + 20, "chart-whisker"))
            parts.append(_line(x(bar.high), y + 8, x(bar.high), y + 20, "chart-whisker"))
            end = max(end, bar.high)
        parts.append(_label(x(end) + 6, y + 18, fmt(bar.value), "chart-value"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)


# --- Heatmap -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    value: float | None  # 0..1; None for no data or suppressed
    text: str  # what the cell prints: the number, or a mark for no data / suppressed
    suppressed: bool = False


HEAT_LEVELS = 5


def heat_level(value: float) -> int:
    """The shade (0..4) of a 0..1 value; the printed number carries the meaning."""
    return min(HEAT_LEVELS - 1, max(0, int(value * HEAT_LEVELS)))


@_both_layouts
def heatmap(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[HeatCell]],
    narrow: bool = False,
) -> SafeString:
    """Rows x columns of shaded cells, each printing its value; suppressed cells hatched.
    Narrow: the longer side runs down the page (rows and columns swapped if need be)."""
    cell_w, cell_h = 58, 30
    head = 190  # room for the slanted column names
    label_width, slant = LABEL_WIDTH, 130  # the last name slants right
    if narrow:
        if len(columns) > len(rows):
            rows, columns = columns, rows
            cells = [[line[r] for line in cells] for r in range(len(rows))]
        cell_w, label_width, slant = 48, 156, 70
    # Row names break into up to three lines (German names run long); the rows grow to fit.
    names = [_wrap(name, 22 if narrow else 28) for name in rows]
    line_h = 13
    row_h = max(cell_h, line_h * max((len(lines) for lines in names), default=1) + 6)
    width = label_width + cell_w * max(1, len(columns)) + slant
    height = head + row_h * max(1, len(rows)) + MARGIN
    pattern = f"{_text(chart_id)}-hatch"
    parts = [
        f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect class="heat-hatch-bg" width="6" height="6"/>'
        f'<line class="heat-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>'
    ]
    for c, name in enumerate(columns):
        cx = label_width + c * cell_w + cell_w / 2
        # Slanted, in up to two lines: the last one starts at the column, the first above it.
        lines = _wrap(name, 34, 2)
        for n, line in enumerate(lines):
            parts.append(
                _label(
                    cx,
                    head - 8 - line_h * (len(lines) - 1 - n),
                    line,
                    "chart-label",
                    "start",
                    f' transform="rotate(-50 {_num(cx)} {_num(head - 8)})"',
                )
            )
    for r, lines in enumerate(names):
        y = head + r * row_h
        first = y + row_h / 2 + 4 - line_h * (len(lines) - 1) / 2
        for n, line in enumerate(lines):
            parts.append(_label(label_width - 8, first + n * line_h, line, "chart-label", "end"))
        for c, cell in enumerate(cells[r]):
            x = label_width + c * cell_w
            if cell.suppressed:
                css, fill = "heat-cell heat-suppressed", f' fill="url(#{pattern})"'
                text_css = "heat-text"
            elif cell.value is None:
                css, fill, text_css = "heat-cell heat-empty", "", "heat-text"
            else:
                level = heat_level(cell.value)
                css, fill = f"heat-cell heat-{level}", ""
                text_css = "heat-text heat-text-light" if level >= 3 else "heat-text"
            parts.append(
                f'<rect class="{css}"{fill} x="{_num(x + 1)}" y="{_num(y + 1)}" '
                f'width="{cell_w - 2}" height="{row_h - 2}"/>'
            )
            parts.append(_label(x + cell_w / 2, y + row_h / 2 + 5, cell.text, text_css, "middle"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)


# --- Points with intervals on a line (learning curve) ------------------------------------------


@dataclass(frozen=True)
class IntervalPoint:
    label: str  # the x axis label (e.g. the round's position)
    value: float | None  # None: a gap (suppressed)
    low: float | None = None
    high: float | None = None


def _frame(x0: float, y0: float, w: float, h: float) -> str:
    return f'<rect class="chart-frame" x="{_num(x0)}" y="{_num(y0)}" width="{_num(w)}" height="{_num(h)}"/>'


@_both_layouts
def interval_line_chart(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[IntervalPoint],
    *,
    x_title: str,
    y_title: str,
    fmt: Formatter = percent,
    narrow: bool = False,
) -> SafeString:
    """Values 0..1 at evenly spaced x positions, joined by a line (broken where a point is
    missing), each with its interval as a vertical whisker."""
    x0, y0, w, h = (48, 30, 296, 220) if narrow else (60, 30, 520, 240)
    width, height = x0 + w + 20, y0 + h + 60
    step = w / max(1, len(points))

    def px(i: int) -> float:
        return x0 + step * (i + 0.5)

    def py(value: float) -> float:
        return y0 + h - max(0.0, min(1.0, value)) * h

    parts = [_frame(x0, y0, w, h), _label(x0, 18, y_title, "chart-axis-title")]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_line(x0, py(tick), x0 + w, py(tick), "chart-grid"))
        parts.append(_label(x0 - 6, py(tick) + 4, fmt(tick), "chart-tick", "end"))
    every = max(1, len(points) // (8 if narrow else 15))  # x labels legible on long quizzes
    path: list[str] = []
    segments: list[str] = []
    for i, point in enumerate(points):
        if i % every == 0:
            parts.append(_label(px(i), y0 + h + 18, point.label, "chart-tick", "middle"))
        if point.value is None:
            if path:
                segments.append(" ".join(path))
            path = []
            continue
        path.append(f"{'M' if not path else 'L'}{_num(px(i))},{_num(py(point.value))}")
        if point.low is not None and point.high is not None:
            parts.append(_line(px(i), py(point.low), px(i), py(point.high), "chart-whisker"))
    if path:
        segments.append(" ".join(path))
    for segment in segments:
        parts.append(f'<path class="chart-line" d="{segment}"/>')
    for i, point in enumerate(points):
        if point.value is not None:
            parts.append(
                f'<circle class="chart-point" cx="{_num(px(i))}" cy="{_num(py(point.value))}" r="4"/>'
            )
    parts.append(_label(x0 + w / 2, y0 + h + 44, x_title, "chart-axis-title", "middle"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)


# --- Calibration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationMark:
    label: str  # the bin, e.g. "50–59 %"
    confidence: float  # mean confidence, 0.5..1
    accuracy: float  # 0..1
    low: float | None = None  # the accuracy's 95 % interval
    high: float | None = None


@_both_layouts
def calibration_chart(
    chart_id: str,
    title: str,
    desc: str,
    marks: Sequence[CalibrationMark],
    *,
    x_title: str,
    y_title: str,
    diagonal_label: str,
    narrow: bool = False,
) -> SafeString:
    """Accuracy against mean confidence per bin, with its interval as a whisker and the
    diagonal of perfect calibration (points below it: overconfident)."""
    x0, y0, w, h = (48, 30, 290, 260) if narrow else (60, 30, 400, 320)
    width, height = x0 + w + 30, y0 + h + 60

    def px(confidence: float) -> float:  # confidence runs from 50 % to 100 %
        return x0 + (max(0.5, min(1.0, confidence)) - 0.5) * 2 * w

    def py(accuracy: float) -> float:
        return y0 + h - max(0.0, min(1.0, accuracy)) * h

    parts = [_frame(x0, y0, w, h), _label(x0, 18, y_title, "chart-axis-title")]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_line(x0, py(tick), x0 + w, py(tick), "chart-grid"))
        parts.append(_label(x0 - 6, py(tick) + 4, percent(tick), "chart-tick", "end"))
    for tick in (0.5, 0.6, 0.7, 0.8, 0.9, 1):
        parts.append(_label(px(tick), y0 + h + 18, percent(tick), "chart-tick", "middle"))
    parts.append(_line(px(0.5), py(0.5), px(1), py(1), "chart-diagonal"))
    parts.append(_label(px(0.93), py(0.97) - 6, diagonal_label, "chart-note", "end"))
    ordered = sorted(marks, key=lambda m: m.confidence)
    if len(ordered) > 1:
        d = " ".join(
            f"{'M' if i == 0 else 'L'}{_num(px(m.confidence))},{_num(py(m.accuracy))}"
            for i, m in enumerate(ordered)
        )
        parts.append(f'<path class="chart-line" d="{d}"/>')
    for mark in ordered:
        if mark.low is not None and mark.high is not None:
            cx = px(mark.confidence)
            parts.append(_line(cx, py(mark.low), cx, py(mark.high), "chart-whisker"))
        parts.append(
            f'<circle class="chart-point" cx="{_num(px(mark.confidence))}" '
            f'cy="{_num(py(mark.accuracy))}" r="5"/>'
        )
    parts.append(_label(x0 + w / 2, y0 + h + 44, x_title, "chart-axis-title", "middle"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)


# --- Pre and post (learning gain) -------------------------------------------------------------


@dataclass(frozen=True)
class Dumbbell:
    label: str
    start: float | None  # pre-test accuracy; None: suppressed
    end: float | None  # post-test accuracy
    note: str = ""  # printed when there is nothing to draw


@_both_layouts
def dumbbell_chart(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[Dumbbell],
    *,
    start_label: str,
    end_label: str,
    axis_label: str,
    narrow: bool = False,
) -> SafeString:
    """Per row, a hollow dot at the start value joined to a filled dot at the end value on
    a 0..1 axis; the legend names both, the values are printed beside them (narrow: each
    row's label above its dots, the values below them)."""
    top = 44
    line_h = 13
    # Labels break into lines between words (a class and its unit run long), the rows grow to
    # fit; only what still does not fit is shortened.
    names = [_wrap(row.label, 34 if narrow else 28, 2) for row in rows]
    most = max((len(lines) for lines in names), default=1)
    if narrow:
        row_height = NARROW_ROW_HEIGHT + line_h * (most - 1)
    else:
        row_height = max(ROW_HEIGHT, line_h * most + 10)
    height = top + row_height * max(1, len(rows)) + 44
    x0, plot = (MARGIN + 6, NARROW_PLOT_WIDTH + 36) if narrow else (LABEL_WIDTH, PLOT_WIDTH)
    width = x0 + plot + (22 if narrow else 110)

    def x(value: float) -> float:
        return x0 + max(0.0, min(1.0, value)) * plot

    parts = [
        _label(x0, 14, axis_label, "chart-axis-title"),
        f'<circle class="chart-point-hollow" cx="{x0 + 6}" cy="30" r="5"/>',
        _label(x0 + 16, 34, start_label, "chart-note"),
        f'<circle class="chart-point" cx="{x0 + 160}" cy="30" r="5"/>',
        _label(x0 + 170, 34, end_label, "chart-note"),
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_line(x(tick), top - 4, x(tick), height - 40, "chart-grid"))
        parts.append(_label(x(tick), height - 24, percent(tick), "chart-tick", "middle"))
    for n, (row, lines) in enumerate(zip(rows, names, strict=True)):
        y = top + n * row_height + 14
        if narrow:  # the label on lines of its own, the dots below it
            for k, line in enumerate(lines):
                parts.append(_label(MARGIN, y + 4 + k * line_h, line, "chart-label"))
            y += 22 + line_h * (len(lines) - 1)
        else:
            first = y + 4 - line_h * (len(lines) - 1) / 2
            for k, line in enumerate(lines):
                parts.append(_label(x0 - 8, first + k * line_h, line, "chart-label", "end"))
        if row.start is None or row.end is None:
            parts.append(_label(x0 + 4, y + 4, row.note, "chart-note"))
            continue
        parts.append(_line(x(row.start), y, x(row.end), y, "chart-link"))
        parts.append(
            f'<circle class="chart-point-hollow" cx="{_num(x(row.start))}" cy="{_num(y)}" r="5"/>'
        )
        parts.append(f'<circle class="chart-point" cx="{_num(x(row.end))}" cy="{_num(y)}" r="5"/>')
        values = f"{percent(row.start)} → {percent(row.end)}"
        if narrow:  # at the end of the label's line
            parts.append(_label(width - MARGIN, y - 18, values, "chart-value", "end"))
        else:
            parts.append(_label(x(max(row.start, row.end)) + 10, y + 4, values, "chart-value"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)


# --- Scatter (item analysis) ------------------------------------------------------------------


@dataclass(frozen=True)
class ScatterPoint:
    label: str  # printed beside the point, and the key to the table's row
    x: float
    y: float


# Where a point's label may go, tried in this order: (dx, dy of the text's baseline start,
# anchor). Labels are small bold numbers: about 7 px a character, 10 px tall.
_LABEL_SPOTS = (
    (6, -6, "start"),
    (6, 14, "start"),
    (-6, -6, "end"),
    (-6, 14, "end"),
    (0, -9, "middle"),
    (0, 19, "middle"),
)
_CHAR_W, _TEXT_H = 7.0, 10.0


def _label_places(
    centres: Sequence[tuple[float, float]], texts: Sequence[str]
) -> list[tuple[float, float, str]]:
    """A place for each point's label that covers no label placed before it and no point:
    the first free one of _LABEL_SPOTS (the first, when none is free), so that points close
    together keep legible numbers."""

    def box(x: float, y: float, anchor: str, text: str) -> tuple[float, float, float, float]:
        width = _CHAR_W * len(text)
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        return left, y - _TEXT_H, left + width, y

    def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    dots = [(cx - 4, cy - 4, cx + 4, cy + 4) for cx, cy in centres]
    taken: list[tuple[float, float, float, float]] = []
    places = []
    for (cx, cy), text in zip(centres, texts, strict=True):
        candidates = [(cx + dx, cy + dy, anchor) for dx, dy, anchor in _LABEL_SPOTS]
        chosen = next(
            (
                c
                for c in candidates
                if not any(overlaps(box(*c, text), other) for other in taken + dots)
            ),
            candidates[0],
        )
        taken.append(box(*chosen, text))
        places.append(chosen)
    return places


@_both_layouts
def scatter_chart(
    chart_id: str,
    title: str,
    desc: str,
    points: Sequence[ScatterPoint],
    *,
    x_title: str,
    y_title: str,
    x_range: tuple[float, float] = (0.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0),
    x_fmt: Formatter = percent,
    y_fmt: Formatter = _num,
    narrow: bool = False,
) -> SafeString:
    """Labelled points on two axes, with a zero line when the y range crosses zero."""
    x0, y0, w, h = (48, 30, 286, 260) if narrow else (60, 30, 460, 300)
    width, height = x0 + w + 40, y0 + h + 60
    (xa, xb), (ya, yb) = x_range, y_range

    def px(value: float) -> float:
        return x0 + (max(xa, min(xb, value)) - xa) / (xb - xa) * w

    def py(value: float) -> float:
        return y0 + h - (max(ya, min(yb, value)) - ya) / (yb - ya) * h

    parts = [_frame(x0, y0, w, h), _label(x0, 18, y_title, "chart-axis-title")]
    for i in range(5):
        tx = xa + (xb - xa) * i / 4
        ty = ya + (yb - ya) * i / 4
        parts.append(_line(x0, py(ty), x0 + w, py(ty), "chart-grid"))
        parts.append(_label(x0 - 6, py(ty) + 4, y_fmt(ty), "chart-tick", "end"))
        parts.append(_label(px(tx), y0 + h + 18, x_fmt(tx), "chart-tick", "middle"))
    if ya < 0 < yb:
        parts.append(_line(x0, py(0), x0 + w, py(0), "chart-zero"))
    centres = [(px(point.x), py(point.y)) for point in points]
    for (cx, cy), point, (lx, ly, anchor) in zip(
        centres, points, _label_places(centres, [p.label for p in points]), strict=True
    ):
        parts.append(f'<circle class="chart-point" cx="{_num(cx)}" cy="{_num(cy)}" r="4"/>')
        parts.append(_label(lx, ly, point.label, "chart-point-label", anchor))
    parts.append(_label(x0 + w / 2, y0 + h + 44, x_title, "chart-axis-title", "middle"))
    return _svg(chart_id, title, desc, width, height, "".join(parts), narrow)
