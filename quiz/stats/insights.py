"""Reading the stat tables for the educator's pages: sums of cells, distinct students and
small-group suppression (METRICS.md "Small groups").

Every function reads StatCell / StatStudent only, never the answers, so a page costs the
same with ten thousand answers or ten million. Callers sum the cells they want first and
compute figures last (quiz.stats.metrics).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts.models import Classroom, School, User
from quiz.models import Assignment, StatCell, StatStudent
from quiz.stats.metrics import FIELDS, Counts, Summary, summarize

CellIndex = tuple[int, str]  # (scope_id, key)


def educator_schools(user: User) -> QuerySet[School]:
    """The schools whose statistics this educator may read: their own and those they
    oversee. Staff read every school."""
    if user.is_staff:
        return School.objects.all()
    if not user.may_read_insights:
        return School.objects.none()
    return School.objects.filter(Q(educators=user) | Q(pk=user.school_id)).distinct()


def _cells(
    scope: str, scope_ids: Iterable[int], dimension: str, keys: Iterable[str] | None
) -> QuerySet[StatCell]:
    cells = StatCell.objects.filter(scope=scope, scope_id__in=list(scope_ids), dimension=dimension)
    if keys is not None:
        cells = cells.filter(key__in=list(keys))
    return cells


def cell_figures(
    scope: str,
    scope_ids: Iterable[int],
    dimension: str,
    keys: Iterable[str] | None = None,
    *,
    suppress_small: bool = True,
) -> dict[CellIndex, Figures]:
    """The figures of each cell, by (scope_id, key), in one query: the fold keeps each
    cell's distinct students (StatCell.students) for the cells educators' pages show, so a
    single cell needs no StatStudent rows. A cell without that count reads 0 students and
    is therefore suppressed, never shown by mistake."""
    return {
        (cell.scope_id, cell.key): figures(
            Counts.from_mapping(cell.counts()), cell.students, suppress_small=suppress_small
        )
        for cell in _cells(scope, scope_ids, dimension, keys)
    }


def summed_counts(cells: QuerySet[StatCell]) -> Counts:
    """One Counts summed over a set of cells by the database."""
    totals = cells.aggregate(**{name: Sum(name) for name in FIELDS})
    return Counts.from_mapping(totals)


def distinct_students(rows: QuerySet[StatStudent]) -> int:
    """Distinct students over a union of cells (a student in two cells counts once)."""
    return rows.values("student_id").distinct().count()


def min_group() -> int:
    return settings.STATS_MIN_GROUP


@dataclass(frozen=True)
class Figures:
    """What a page or an export shows for one group of answers."""

    counts: Counts
    students: int
    suppressed: bool

    @property
    def summary(self) -> Summary | None:
        """None when suppressed: a suppressed group never shows a number."""
        return None if self.suppressed else summarize(self.counts)


def figures(counts: Counts, students: int, *, suppress_small: bool = True) -> Figures:
    """Figures for a group, suppressed when it holds fewer than STATS_MIN_GROUP students
    (pass suppress_small=False for a class's own teacher, who sees their class in full)."""
    suppressed = suppress_small and students < min_group()
    return Figures(counts=counts, students=students, suppressed=suppressed)


# --- The school overview ---------------------------------------------------------------------
#
# A fixed number of queries, whatever the number of classes or answers: the classes, one
# grouped sum of their cells, one grouped count of their students, and the school's and
# everyone's cells. Class-level filters (grade, quiz, assignment) choose the classes and,
# for quiz and assignment, the `assignment` cells of each class; a date range reads the
# `day` cells, or `day_asg` cells when a quiz or an assignment is chosen as well.


@dataclass(frozen=True)
class OverviewFilters:
    """What the overview is narrowed to; every field optional. Dates are school-local."""

    date_from: date | None = None
    date_to: date | None = None
    grade: str = ""
    quiz_id: int | None = None
    assignment_id: int | None = None

    @property
    def by_class(self) -> bool:
        """A class-level filter is set: the school row is then the chosen classes summed."""
        return bool(self.grade) or self.by_assignment

    @property
    def by_assignment(self) -> bool:
        return self.quiz_id is not None or self.assignment_id is not None

    @property
    def by_date(self) -> bool:
        return self.date_from is not None or self.date_to is not None


@dataclass(frozen=True)
class OverviewRow:
    scope: str  # "class", "school" or "all"
    scope_id: int
    name: str
    figures: Figures
    grade: str = ""
    archived: bool = False


@dataclass(frozen=True)
class Overview:
    classes: list[OverviewRow]
    school: OverviewRow
    everyone: OverviewRow | None  # only without class-level filters

    @property
    def rows(self) -> list[OverviewRow]:
        """In export order: the classes, the school, everyone."""
        return [*self.classes, self.school, *([self.everyone] if self.everyone else [])]


def _in_date_range(queryset: QuerySet, filters: OverviewFilters) -> QuerySet:
    """Keys that start with a school-local date ("YYYY-MM-DD" or "YYYY-MM-DD:<id>") within
    the range. The upper bound is the day after the last (not "<= last"), so that
    "YYYY-MM-DD:<id>" keys of the last day are inside whatever the column's collation."""
    if filters.date_from is not None:
        queryset = queryset.filter(key__gte=filters.date_from.isoformat())
    if filters.date_to is not None and filters.date_to < date.max:
        queryset = queryset.filter(key__lt=(filters.date_to + timedelta(days=1)).isoformat())
    return queryset


def _whole_scope(model: type, scope: str, scope_id: int, filters: OverviewFilters) -> QuerySet:
    """A school's or everyone's rows: the overall cell, or the day cells of the range."""
    if filters.by_date:
        return _in_date_range(
            model.objects.filter(scope=scope, scope_id=scope_id, dimension="day"), filters
        )
    return model.objects.filter(scope=scope, scope_id=scope_id, dimension="overall", key="")


def _whole_scope_figures(scope: str, scope_id: int, filters: OverviewFilters) -> Figures:
    """A school or everyone: the overall cell (one query, its students kept on it), or the
    day cells of a date range summed, with their students counted over StatStudent."""
    if not filters.by_date:
        cell = _whole_scope(StatCell, scope, scope_id, filters).first()
        if cell is None:
            return figures(Counts(), 0)
        return figures(Counts.from_mapping(cell.counts()), cell.students)
    return figures(
        summed_counts(_whole_scope(StatCell, scope, scope_id, filters)),
        distinct_students(_whole_scope(StatStudent, scope, scope_id, filters)),
    )


def _class_cells(
    model: type, class_ids: list[int], assignment_ids: list[int] | None, filters: OverviewFilters
) -> QuerySet:
    """The chosen classes' rows of the cells that match the filters (StatCell or
    StatStudent: both have the same cell columns)."""
    rows = model.objects.filter(scope="class", scope_id__in=class_ids)
    if assignment_ids is None:
        if filters.by_date:
            return _in_date_range(rows.filter(dimension="day"), filters)
        return rows.filter(dimension="overall", key="")
    if not filters.by_date:
        return rows.filter(dimension="assignment", key__in=[str(a) for a in assignment_ids])
    # "YYYY-MM-DD:<id>": the date range bounds the key, the suffix names the assignment.
    suffixes = Q()
    for assignment_id in assignment_ids:
        suffixes |= Q(key__endswith=f":{assignment_id}")
    return _in_date_range(rows.filter(dimension="day_asg"), filters).filter(suffixes)


def class_label(classroom: Classroom) -> str:
    """A class's name, with its school year when it has one (names repeat across years)."""
    if classroom.school_year:
        return f"{classroom.name} ({classroom.school_year})"
    return classroom.name


def school_overview(
    school: School, filters: OverviewFilters, *, everyone_name: str = "everyone"
) -> Overview:
    """Each chosen class, the school (or the chosen classes together) and everyone, with
    small groups suppressed."""
    classes = Classroom.objects.filter(school=school)
    if filters.grade:
        classes = classes.filter(grade=filters.grade)
    assignment_ids: list[int] | None = None
    if filters.by_assignment:
        assignments = Assignment.objects.filter(classroom__school=school)
        if filters.quiz_id is not None:
            assignments = assignments.filter(quiz_id=filters.quiz_id)
        if filters.assignment_id is not None:
            assignments = assignments.filter(pk=filters.assignment_id)
        chosen = list(assignments.values_list("pk", "classroom_id"))
        assignment_ids = [pk for pk, _class in chosen]
        classes = classes.filter(pk__in={class_id for _pk, class_id in chosen})
    class_list = list(classes.order_by("name", "school_year", "pk"))
    class_ids = [c.pk for c in class_list]

    # One cell per class (no date range, no quiz or assignment) carries its own distinct
    # students; a union of cells (days, assignments) counts its StatStudent rows.
    single_cell = assignment_ids is None and not filters.by_date
    sums: dict[int, Counts] = {}
    per_class_students: dict[int, int] = {}
    if class_ids:
        for row in (
            _class_cells(StatCell, class_ids, assignment_ids, filters)
            .values("scope_id")
            .annotate(**{name: Sum(name) for name in FIELDS}, students=Max("students"))
            .order_by()
        ):
            sums[row["scope_id"]] = Counts.from_mapping(row)
            if single_cell:
                per_class_students[row["scope_id"]] = row["students"]
    if class_ids and not single_cell:
        for row in (
            _class_cells(StatStudent, class_ids, assignment_ids, filters)
            .values("scope_id")
            .annotate(students=Count("student_id", distinct=True))
            .order_by()
        ):
            per_class_students[row["scope_id"]] = row["students"]
    class_rows = [
        OverviewRow(
            scope="class",
            scope_id=c.pk,
            name=class_label(c),
            figures=figures(sums.get(c.pk, Counts()), per_class_students.get(c.pk, 0)),
            grade=c.grade,
            archived=c.is_archived,
        )
        for c in class_list
    ]

    if filters.by_class:
        # The chosen classes together: counts add up, students are counted over the union
        # (a student in two of the classes counts once).
        total = sum((sums.get(pk, Counts()) for pk in class_ids), Counts())
        students = (
            distinct_students(_class_cells(StatStudent, class_ids, assignment_ids, filters))
            if class_ids
            else 0
        )
        school_row = OverviewRow("school", school.pk, school.name, figures(total, students))
        everyone = None
    else:
        school_row = OverviewRow(
            "school", school.pk, school.name, _whole_scope_figures("school", school.pk, filters)
        )
        everyone = OverviewRow("all", 0, everyone_name, _whole_scope_figures("all", 0, filters))
    return Overview(classes=class_rows, school=school_row, everyone=everyone)


# The overview export's columns, in this order (docs/exports.md); add new ones at the end.
OVERVIEW_COLUMNS = (
    "scope",
    "scope_name",
    "students",
    "answers",
    "accuracy",
    "accuracy_low",
    "accuracy_high",
    "hit_rate",
    "false_alarm_rate",
    "d_prime",
    "criterion",
    "brier",
    "mean_confidence",
    "overconfidence",
    "suppressed",
)


def overview_export_row(row: OverviewRow) -> dict[str, object]:
    """One export row: numbers as floats or ints, None where suppressed or undefined."""
    summary = row.figures.summary
    values: dict[str, object] = {
        "scope": row.scope,
        "scope_name": row.name,
        **dict.fromkeys(OVERVIEW_COLUMNS[2:-1]),
        "suppressed": row.figures.suppressed,
    }
    if summary is not None:
        interval = summary.accuracy_interval
        values.update(
            students=row.figures.students,
            answers=summary.n,
            accuracy=summary.accuracy,
            accuracy_low=interval[0] if interval else None,
            accuracy_high=interval[1] if interval else None,
            hit_rate=summary.hit_rate,
            false_alarm_rate=summary.false_alarm_rate,
            d_prime=summary.d_prime,
            criterion=summary.criterion,
            brier=summary.brier,
            mean_confidence=summary.mean_confidence,
            overconfidence=summary.overconfidence,
        )
    return values


# --- A teacher's own class ---------------------------------------------------------------------


@dataclass(frozen=True)
class StudentFigures:
    student: User
    figures: Figures
    enrolled: bool  # False for a student who answered for the class and has left it


@dataclass(frozen=True)
class ClassStatistics:
    overall: Figures
    students: list[StudentFigures]


def class_statistics(classroom: Classroom) -> ClassStatistics:
    """The class and each of its students, in full (for the class's own teachers only):
    answers made for the class's assignments, from the class's `student` cells."""
    overall = Counts()
    students = 0
    per_student: dict[int, Counts] = {}
    for cell in StatCell.objects.filter(
        scope="class", scope_id=classroom.pk, dimension__in=["overall", "student"]
    ):
        counts = Counts.from_mapping(cell.counts())
        if cell.dimension == "overall":
            overall, students = counts, cell.students
        else:
            per_student[int(cell.key)] = counts
    enrolled = set(classroom.students.values_list("pk", flat=True))
    people = User.objects.filter(pk__in=enrolled | per_student.keys()).order_by(
        "first_name", "last_name", "username"
    )
    return ClassStatistics(
        overall=figures(overall, students, suppress_small=False),
        students=[
            StudentFigures(
                person,
                figures(
                    per_student.get(person.pk, Counts()),
                    int(person.pk in per_student),
                    suppress_small=False,
                ),
                person.pk in enrolled,
            )
            for person in people
        ],
    )
