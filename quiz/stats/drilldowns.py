"""The educator's drill-downs of one school: category mastery by class, fool rate per
generator, calibration, the learning curve, pre/post learning gain and item analysis.

Each reads the stat tables with a fixed number of queries (item discrimination, which needs
each attempt's other answers, reads the sums the fold keeps for it: StatItemSums). Every
figure comes from summed counts (quiz.stats.metrics); every group of fewer than
STATS_MIN_GROUP contributing students is suppressed (quiz.stats.insights.figures), and with
it another, so that no subtraction from a total shown elsewhere gives it back
(quiz.stats.suppression).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Count, Sum

from accounts.models import Classroom, School
from quiz import categories
from quiz.models import Assignment, Clip, StatCell, StatItemSums, StatStudent
from quiz.stats import suppression
from quiz.stats.insights import (
    CellIndex,
    Figures,
    cell_figures,
    class_label,
    figures,
    hidden,
    min_group,
)
from quiz.stats.metrics import (
    CONFIDENCE_BINS,
    FIELDS,
    Counts,
    LearningGain,
    learning_gain,
    proportion,
    wilson_interval,
)


def _school_classes(school: School) -> list[Classroom]:
    return list(Classroom.objects.filter(school=school).order_by("name", "school_year", "pk"))


def _protected(found: dict[CellIndex, Figures]) -> dict[CellIndex, Figures]:
    """Cells that add up to a total an educator reads elsewhere (the school's row of the
    overview): small ones suppressed and, with them, the smallest other one, so that the
    total minus the shown cells is never a small group (quiz.stats.suppression)."""
    hide = suppression.hidden_parts(
        {key: (shown.counts.n, shown.students) for key, shown in found.items()}, min_group()
    )
    return {key: hidden(shown) if key in hide else shown for key, shown in found.items()}


# --- Category mastery: classes x categories ---------------------------------------------------


@dataclass(frozen=True)
class CategoryCell:
    """One class's (or the school's) answers to rounds carrying one category.

    For a tell, `rate` is the detection rate (METRICS.md: the hit rate over answers to
    generated clips carrying it); for a decoy, the share of real footage carrying it that
    was called generated (the false-alarm rate), i.e. how often the decoy fooled.
    """

    figures: Figures
    rate: float | None
    trials: int  # the rate's denominator

    @property
    def empty(self) -> bool:
        """No answers at all: nothing to show, and nobody to protect."""
        return self.figures.counts.n == 0

    @property
    def suppressed(self) -> bool:
        return self.figures.suppressed and not self.empty


@dataclass(frozen=True)
class CategoryRow:
    label: str
    is_school: bool
    cells: list[CategoryCell]  # in the order of the heatmap's categories


@dataclass(frozen=True)
class CategoryHeatmap:
    tells: list[categories.Category]
    decoys: list[categories.Category]
    tell_rows: list[CategoryRow]
    decoy_rows: list[CategoryRow]


def _category_cell(shown: Figures, *, decoy: bool) -> CategoryCell:
    counts = shown.counts
    if decoy:
        trials = counts.false_alarms + counts.correct_rejections
        rate = proportion(counts.false_alarms, trials)
    else:
        trials = counts.hits + counts.misses
        rate = proportion(counts.hits, trials)
    if shown.suppressed:
        return CategoryCell(shown, None, 0)
    return CategoryCell(shown, rate, trials)


def _category_column(per_class: list[Figures], together: Figures) -> list[Figures]:
    """One category's cells of the classes, protected together: the classes' row sums
    them, so a class's hidden cell hides the smallest other class's with it."""
    parts = {index: (shown.counts.n, shown.students) for index, shown in enumerate(per_class)}
    hide = suppression.hidden_parts(parts, min_group())
    return [hidden(f) if i in hide else f for i, f in enumerate(per_class)] + [together]


def category_heatmap(school: School) -> CategoryHeatmap:
    """Classes (those with answers) and all of them together, by artifact category.

    Read from the classes' single-round cells by truth (`cat_single`, key "<code>:g" or
    "<code>:r"): a tell's detection rate is over generated clips, a decoy's over real ones,
    and the students counted are those whose answers entered the rate (METRICS.md). The last
    row is the classes together, not the school with its free practice: that row minus the
    classes would be the free practice, whose students no cell counts apart.
    """
    classes = _school_classes(school)
    ids = [c.pk for c in classes]
    per_class = cell_figures("class", ids, "cat_single")
    together: dict[str, Figures] = {}
    if ids:
        cells = StatCell.objects.filter(scope="class", scope_id__in=ids, dimension="cat_single")
        sums = cells.values("key").annotate(**{f: Sum(f) for f in FIELDS}).order_by()
        # A student in two of the classes counts once.
        people = dict(
            StatStudent.objects.filter(scope="class", scope_id__in=ids, dimension="cat_single")
            .values("key")
            .annotate(n=Count("student_id", distinct=True))
            .order_by()
            .values_list("key", "n")
        )
        for row in sums:
            together[row["key"]] = figures(Counts.from_mapping(row), people.get(row["key"], 0))
    answered = {class_id for class_id, _key in per_class}
    with_answers = [c for c in classes if c.pk in answered]
    nothing = figures(Counts(), 0)

    def rows(codes: list[categories.Category], *, decoy: bool) -> list[CategoryRow]:
        side = "r" if decoy else "g"
        columns = [
            _category_column(
                [per_class.get((c.pk, f"{cat.code}:{side}"), nothing) for c in with_answers],
                together.get(f"{cat.code}:{side}", nothing),
            )
            for cat in codes
        ]
        labels = [class_label(c) for c in with_answers] + [school.name]
        return [
            CategoryRow(
                label,
                n == len(with_answers),
                [_category_cell(cells[n], decoy=decoy) for cells in columns],
            )
            for n, label in enumerate(labels)
        ]

    return CategoryHeatmap(
        tells=list(categories.TELLS),
        decoys=list(categories.DECOYS),
        tell_rows=rows(categories.TELLS, decoy=False),
        decoy_rows=rows(categories.DECOYS, decoy=True),
    )


# --- Spot rate per category ------------------------------------------------------------------


@dataclass(frozen=True)
class SpotRow:
    """The school's spot rounds on clips carrying one giveaway category: the spot rate
    (METRICS.md: spot hits / spot answers) with its Wilson 95 % interval."""

    category: categories.Category
    figures: Figures
    rate: float | None
    interval: tuple[float, float] | None

    @property
    def answers(self) -> int:
        return self.figures.counts.spot_n


def spot_rows(school: School) -> list[SpotRow]:
    """Giveaway categories met in the school's spot rounds, in the taxonomy's order, in one
    query.

    Read from the school's `cat_spot` cells, which hold spot answers only and count the
    students who gave them (the students of the figure, METRICS.md). A row with fewer than
    STATS_MIN_GROUP students is suppressed. No complementary suppression is needed: spot
    answers enter no other figure an educator reads (they are left out of every count of
    the overview and the other drill-downs), and the categories do not add up to a total
    shown anywhere (one clip can carry several).
    """
    cells = cell_figures("school", [school.pk], "cat_spot")
    rows = []
    for category in categories.TELLS:
        shown = cells.get((school.pk, category.code))
        if shown is None or not shown.counts.spot_n:
            continue
        c = shown.counts
        if shown.suppressed:
            rows.append(SpotRow(category, shown, None, None))
        else:
            rows.append(
                SpotRow(
                    category,
                    shown,
                    proportion(c.spot_hits, c.spot_n),
                    wilson_interval(c.spot_hits, c.spot_n),
                )
            )
    return rows


SPOT_COLUMNS = (
    "category",
    "students",
    "spot_answers",
    "spot_hits",
    "spot_rate",
    "spot_rate_low",
    "spot_rate_high",
    "suppressed",
)


def spot_export_row(row: SpotRow) -> dict[str, object]:
    """One category's spot rate for the export, empty figures when suppressed."""
    shown = not row.figures.suppressed
    counts = row.figures.counts
    return {
        "category": row.category.code,
        "students": row.figures.students if shown else None,
        "spot_answers": counts.spot_n if shown else None,
        "spot_hits": counts.spot_hits if shown else None,
        "spot_rate": row.rate,
        "spot_rate_low": row.interval[0] if row.interval else None,
        "spot_rate_high": row.interval[1] if row.interval else None,
        "suppressed": row.figures.suppressed,
    }


# --- Fool rate per generator ------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratorRow:
    generator: str
    figures: Figures
    generated_answers: int  # single rounds on that generator's generated clips
    fool_rate: float | None  # 1 - hit rate
    interval: tuple[float, float] | None  # Wilson 95 % of the fool rate


def generator_rows(school: School) -> list[GeneratorRow]:
    """Generators whose generated clips were answered in single rounds in the school, most
    fooling first.

    Read from the single-round cells (`gen_single`): the fool rate is 1 - the hit rate over
    single rounds of the generator's clips, and the students counted are those who answered
    such rounds (METRICS.md), never those who met its clips in pair rounds only. The
    generators add up to the school's single rounds of generated clips, which its row of the
    overview gives: complementary suppression.
    """
    rows = []
    cells = _protected(cell_figures("school", [school.pk], "gen_single"))
    for (_school, generator), shown in cells.items():
        c = shown.counts
        trials = c.hits + c.misses
        if not trials:
            continue
        if shown.suppressed:
            rows.append(GeneratorRow(generator, shown, 0, None, None))
        else:
            rows.append(
                GeneratorRow(
                    generator,
                    shown,
                    trials,
                    c.misses / trials,
                    wilson_interval(c.misses, trials),
                )
            )
    rows.sort(key=lambda r: (r.fool_rate is None, -(r.fool_rate or 0), r.generator.casefold()))
    return rows


# --- Calibration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationPoint:
    low: int
    high: int
    figures: Figures
    mean_confidence: float | None
    accuracy: float | None
    interval: tuple[float, float] | None


def calibration_points(school: School) -> list[CalibrationPoint]:
    """Per confidence bin (50-59 ... 90-100): n, mean confidence and accuracy."""
    bins = _protected(cell_figures("school", [school.pk], "conf_bin"))
    points = []
    for low, high in CONFIDENCE_BINS:
        shown = bins.get((school.pk, str(low)), figures(Counts(), 0))
        summary = shown.summary
        points.append(
            CalibrationPoint(
                low,
                high,
                shown,
                summary.mean_confidence if summary else None,
                summary.accuracy if summary else None,
                summary.accuracy_interval if summary else None,
            )
        )
    return points


# --- Learning curve ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    position: int
    figures: Figures
    accuracy: float | None
    interval: tuple[float, float] | None


def learning_curve(school: School) -> list[CurvePoint]:
    """Accuracy by the round's place in the attempt (1, 2, ...), with Wilson intervals."""
    points = []
    for (_school, key), shown in _protected(
        cell_figures("school", [school.pk], "position")
    ).items():
        summary = shown.summary
        points.append(
            CurvePoint(
                int(key),
                shown,
                summary.accuracy if summary else None,
                summary.accuracy_interval if summary else None,
            )
        )
    points.sort(key=lambda p: p.position)
    return points


# --- Pre/post learning gain -------------------------------------------------------------------


@dataclass(frozen=True)
class GainRow:
    label: str  # the class, or the school for all its classes together
    unit: str
    is_school: bool
    paired: int  # students who took both the pre- and the post-test
    suppressed: bool
    gain: LearningGain | None  # None when suppressed or nobody took both


def _student_accuracy(per_student: dict[int, Counts]) -> dict[int, float]:
    return {s: c.correct / c.n for s, c in per_student.items() if c.n}


def _gain_row(
    label: str,
    unit: str,
    pre: dict[int, Counts],
    post: dict[int, Counts],
    *,
    is_school: bool,
) -> GainRow:
    pre_accuracy = _student_accuracy(pre)
    post_accuracy = _student_accuracy(post)
    both = sorted(pre_accuracy.keys() & post_accuracy.keys())
    # Pairing narrows the students who took a test (whose answers the overview shows,
    # filtered by that assignment) to those who took both: the students it leaves out
    # must be none or a group of STATS_MIN_GROUP, or subtracting would single them out.
    left_out = (len(pre_accuracy) - len(both), len(post_accuracy) - len(both))
    suppressed = len(both) < min_group() or any(0 < n < min_group() for n in left_out)
    gain = None
    if not suppressed:
        gain = learning_gain([(pre_accuracy[s], post_accuracy[s]) for s in both])
    return GainRow(label, unit, is_school, len(both), suppressed, gain)


def learning_gains(school: School) -> list[GainRow]:
    """Per class and unit, pre-tests against post-tests of the same unit, paired over the
    students who took both; per unit, the school's classes together.

    A student's accuracy on a test is read from the assignment's `student` cells (several
    pre-tests of one unit in a class are taken together). In the school row a student who
    took the unit in two classes counts once, with their answers summed.
    """
    assignments = list(
        Assignment.objects.filter(classroom__school=school, unit_role__in=["pre", "post"])
        .exclude(unit="")
        .select_related("classroom")
        .order_by("classroom__name", "classroom_id", "unit")
    )
    per_assignment: dict[int, dict[int, Counts]] = defaultdict(dict)
    for cell in StatCell.objects.filter(
        scope="assignment", scope_id__in=[a.pk for a in assignments], dimension="student"
    ):
        per_assignment[cell.scope_id][int(cell.key)] = Counts.from_mapping(cell.counts())

    def add(into: dict[int, Counts], cells: dict[int, Counts]) -> None:
        for student, c in cells.items():
            into[student] = into.get(student, Counts()) + c

    classes: dict[tuple[int, str], tuple[Classroom, dict[int, Counts], dict[int, Counts]]] = {}
    units: dict[str, tuple[dict[int, Counts], dict[int, Counts]]] = {}
    for assignment in assignments:
        unit = assignment.unit.strip()
        key = (assignment.classroom_id, unit.casefold())
        _classroom, class_pre, class_post = classes.setdefault(key, (assignment.classroom, {}, {}))
        school_pre, school_post = units.setdefault(unit.casefold(), ({}, {}))
        cells = per_assignment.get(assignment.pk, {})
        if assignment.unit_role == "pre":
            add(class_pre, cells)
            add(school_pre, cells)
        else:
            add(class_post, cells)
            add(school_post, cells)

    names: dict[str, str] = {}
    for assignment in assignments:
        names.setdefault(assignment.unit.strip().casefold(), assignment.unit.strip())
    rows = [
        _gain_row(class_label(classroom), names[unit], pre, post, is_school=False)
        for (_class, unit), (classroom, pre, post) in classes.items()
        if pre and post
    ]
    totals = [
        _gain_row(school.name, names[unit], pre, post, is_school=True)
        for unit, (pre, post) in sorted(units.items())
        if pre and post
    ]
    # The school's row of a unit is its classes' together: when a class's row is hidden,
    # the smallest other class's row of the unit is hidden with it, or, when it is the
    # only class hidden and there is none other to hide, the school's row (complementary
    # suppression). Several hidden classes alone make the school's row, which its own
    # count decides.
    for n, total in enumerate(totals):
        parts = [i for i, row in enumerate(rows) if row.unit == total.unit]
        hidden_parts = [i for i in parts if rows[i].suppressed]
        others = [i for i in parts if not rows[i].suppressed]
        if hidden_parts and others:
            i = min(others, key=lambda i: (rows[i].paired, i))
            rows[i] = replace(rows[i], suppressed=True, gain=None)
        elif len(hidden_parts) == 1:
            totals[n] = replace(total, suppressed=True, gain=None)
    return rows + totals


# --- Item analysis ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSums:
    """Sums over one clip's answers (in attempts with at least one other answer) of
    x = right on the clip (0/1) and y = share right on the rest of that attempt."""

    n: int
    sum_x: float
    sum_y: float
    sum_xy: float
    sum_yy: float

    def point_biserial(self) -> float | None:
        """The correlation of x and y (METRICS.md discrimination), from sums: for a 0/1 x
        Pearson's r is the point-biserial correlation. None when it is undefined (fewer than
        two answers, all right or all wrong, or all rest scores equal)."""
        n = self.n
        if n < 2:
            return None
        # x is 0/1, so the sum of x squared is the sum of x.
        var_x = n * self.sum_x - self.sum_x**2
        var_y = n * self.sum_yy - self.sum_y**2
        # Sums of floats: treat a spread lost in rounding as no spread at all.
        if var_x <= 0 or var_y <= 1e-9 * max(1.0, n * self.sum_yy):
            return None
        return (n * self.sum_xy - self.sum_x * self.sum_y) / math.sqrt(var_x * var_y)


def item_discrimination_sums(school: School) -> dict[int, ItemSums]:
    """Per clip, the sums behind its discrimination, from the rows the fold keeps
    (StatItemSums, quiz.stats.item_sums): each answer to a clip (both clips of a pair round)
    in an attempt with another answer is one observation, its rest score the share right
    among the other answers of its attempt. Spot rounds' answers are no right-or-wrong calls
    (METRICS.md): left out of both. One query over a school's (clip, rest length) rows."""
    found: dict[int, list[float]] = {}
    rows = StatItemSums.objects.filter(school_id=school.pk).values_list(
        "clip_id", "rest_n", *StatItemSums.SUM_FIELDS
    )
    for clip_id, rest_n, n, sum_x, sum_r, sum_xr, sum_rr in rows:
        # The rest score is r / rest_n: the integer sums of r, x·r and r² scale by it.
        sums = found.setdefault(clip_id, [0, 0, 0.0, 0.0, 0.0])
        sums[0] += n
        sums[1] += sum_x
        sums[2] += sum_r / rest_n
        sums[3] += sum_xr / rest_n
        sums[4] += sum_rr / (rest_n * rest_n)
    return {
        clip_id: ItemSums(int(n), float(sx), sy, sxy, syy)
        for clip_id, (n, sx, sy, sxy, syy) in found.items()
    }


@dataclass(frozen=True)
class ItemRow:
    clip: Clip
    figures: Figures
    difficulty: float | None  # proportion correct
    discrimination: float | None


def item_rows(school: School) -> list[ItemRow]:
    """Each clip answered in the school: difficulty from the school's clip cells,
    discrimination from its item sums; hardest first, suppressed clips last."""
    # Pair rounds count for both clips, so the clips add up to the school's answers plus its
    # pair rounds, both of which its row of the overview gives: complementary suppression.
    cells = _protected(cell_figures("school", [school.pk], "clip"))
    clips = Clip.objects.in_bulk([int(key) for _school, key in cells])
    sums = item_discrimination_sums(school)
    rows = []
    for (_school, key), shown in cells.items():
        c = shown.counts
        clip = clips.get(int(key))
        if clip is None:
            continue
        if shown.suppressed:
            rows.append(ItemRow(clip, shown, None, None))
            continue
        item_sums = sums.get(clip.pk)
        rows.append(
            ItemRow(
                clip,
                shown,
                proportion(c.correct, c.n),
                item_sums.point_biserial() if item_sums else None,
            )
        )
    rows.sort(
        key=lambda r: (
            r.difficulty is None,
            r.difficulty if r.difficulty is not None else 0,
            r.clip.pk,
        )
    )
    return rows
