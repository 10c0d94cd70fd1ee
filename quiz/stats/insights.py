"""Reading the stat tables for the educator's pages: sums of cells, distinct students and
small-group suppression (METRICS.md "Small groups").

Every function reads StatCell / StatStudent only, never the answers, so a page costs the
same with ten thousand answers or ten million. Callers sum the cells they want first and
compute figures last (quiz.stats.metrics).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from accounts.models import Classroom, School, User
from quiz.models import Assignment, StatCell, StatStudent
from quiz.stats import suppression
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
    is therefore suppressed, never shown by mistake.

    Cells that hold spot rounds' answers only (a position, clip or day where nothing but
    spot rounds were answered) are left out: they hold none of the counts these figures
    read (METRICS.md: spot answers count towards the spot rate only), and would show as
    hidden groups. The `cat_spot` cells are read for their spot counts, so they stay."""
    return {
        (cell.scope_id, cell.key): figures(
            Counts.from_mapping(cell.counts()), cell.students, suppress_small=suppress_small
        )
        for cell in _cells(scope, scope_ids, dimension, keys)
        if dimension == "cat_spot" or not _spot_only(cell)
    }


def _spot_only(cell: StatCell) -> bool:
    c = cell
    others = c.n + c.hits + c.misses + c.false_alarms + c.correct_rejections + c.pair_n
    return c.spot_n > 0 and others == 0


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


def hidden(shown: Figures) -> Figures:
    """The same group, suppressed: it would let someone work out a small group."""
    return Figures(shown.counts, shown.students, suppressed=True)


def figures(counts: Counts, students: int, *, suppress_small: bool = True) -> Figures:
    """Figures for a group, suppressed when it holds fewer than STATS_MIN_GROUP students
    (pass suppress_small=False for a class's own teacher, who sees their class in full)."""
    suppressed = suppress_small and students < min_group()
    return Figures(counts=counts, students=students, suppressed=suppressed)


# --- The school overview ---------------------------------------------------------------------
#
# A fixed number of queries, whatever the number of classes or answers: the classes, the
# assignments a quiz or assignment filter chooses, the school's atoms (each class's
# `day_asg` cells and the school's `practice` cells, with their students), the school's own
# cells as a check, and everyone's. Every class row and total is summed from the atoms, and
# shown only when the school's blocks allow it (quiz.stats.suppression): the same rule for
# every filter, page and export, so no subtraction singles out a small group.


@dataclass(frozen=True)
class OverviewFilters:
    """What the overview is narrowed to; every field optional. Dates are school-local and
    applied in whole weeks (`weeks`)."""

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

    def weeks(self) -> OverviewFilters:
        """The same filters with the dates widened to whole weeks (Monday to Sunday): what
        educators get, so that no filter singles out one day."""
        start, end = suppression.whole_weeks(self.date_from, self.date_to)
        return replace(self, date_from=start, date_to=end)


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
    everyone: OverviewRow | None  # only without filters

    @property
    def rows(self) -> list[OverviewRow]:
        """In export order: the classes, the school, everyone."""
        return [*self.classes, self.school, *([self.everyone] if self.everyone else [])]


@dataclass
class _Atoms:
    """A school's atoms (suppression.AtomKey): counts, in the order of metrics.FIELDS, and
    students. An atom's students are its real distinct students when all its days have
    fewer than STATS_MIN_GROUP (small groups are pooled by who is in them); an atom with a
    day of at least that many has stand-ins instead, as many made-up (negative) ids as that
    day has students: all the blocks need to know is that it is that large, and reading the
    students of every large cell would cost more than the rest of the page."""

    counts: dict[suppression.AtomKey, list[int]]
    students: dict[suppression.AtomKey, set[int]]

    def figures(
        self, keys: list[suppression.AtomKey], blocks: suppression.Blocks, students: int
    ) -> Figures:
        """The figures of these atoms together (`students`: their distinct students,
        counted by the database), hidden when they cut a block."""
        rows = [self.counts[k] for k in keys]
        total = Counts(*(sum(column) for column in zip(*rows, strict=True)))
        shown = figures(total, students)
        if not shown.suppressed and not blocks.covers(keys):
            return hidden(shown)
        return shown


def _atom(kind: str, scope_id: int, key: str) -> suppression.AtomKey:
    """An atom's key from a `day_asg` cell ("YYYY-MM-DD:<assignment>") or a `practice`
    cell ("YYYY-MM-DD")."""
    day, _colon, assignment = key.partition(":")
    week = suppression.week_of(date.fromisoformat(day))
    if kind == "practice":
        return ("practice", 0, 0, week)
    return ("class", scope_id, int(assignment), week)


def _school_atoms(school: School, class_ids: list[int], minimum: int) -> _Atoms:
    """Every atom of the school, from its classes' `day_asg` cells and its `practice` cells,
    with the students of the small cells only."""
    atoms = _Atoms({}, defaultdict(set))
    largest: dict[suppression.AtomKey, int] = defaultdict(int)
    sources = [
        ("class", Q(scope="class", scope_id__in=class_ids, dimension="day_asg")),
        ("practice", Q(scope="school", scope_id=school.pk, dimension="practice")),
    ]
    small = StatCell.objects.filter(
        scope=OuterRef("scope"),
        scope_id=OuterRef("scope_id"),
        dimension=OuterRef("dimension"),
        key=OuterRef("key"),
        students__lt=minimum,
    )
    for kind, where in sources:
        cells: dict[tuple[int, str], suppression.AtomKey] = {}
        for scope_id, key, students, *values in StatCell.objects.filter(where).values_list(
            "scope_id", "key", "students", *FIELDS
        ):
            atom = cells[(scope_id, key)] = _atom(kind, scope_id, key)
            largest[atom] = max(largest[atom], students)
            found = atoms.counts.get(atom)
            if found is None:
                atoms.counts[atom] = values
            else:
                found[:] = [a + b for a, b in zip(found, values, strict=True)]
        for scope_id, key, student in (
            StatStudent.objects.filter(where)
            .filter(Exists(small))
            .values_list("scope_id", "key", "student_id")
        ):
            if (scope_id, key) in cells:  # a student row without its cell is no atom's
                atoms.students[cells[(scope_id, key)]].add(student)
    stand_in = 0
    for atom, most in largest.items():
        if most >= minimum:
            atoms.students[atom] = set(range(stand_in - most, stand_in))
            stand_in -= most
    return atoms


def _in_weeks(key: suppression.AtomKey, filters: OverviewFilters) -> bool:
    week = key[3]
    if filters.date_from is not None and week < filters.date_from:
        return False
    return filters.date_to is None or week <= filters.date_to


def _in_date_range(rows: QuerySet, filters: OverviewFilters) -> QuerySet:
    """Cell rows whose key starts with a school-local day of the range ("YYYY-MM-DD" or
    "YYYY-MM-DD:<id>"); the upper bound is the day after the last, so that keys with a
    suffix of the last day are inside whatever the column's collation."""
    if filters.date_from is not None:
        rows = rows.filter(key__gte=filters.date_from.isoformat())
    if filters.date_to is not None:
        rows = rows.filter(key__lt=(filters.date_to + timedelta(days=1)).isoformat())
    return rows


def _class_students(
    class_ids: list[int], assignment_ids: set[int] | None, filters: OverviewFilters
) -> QuerySet[StatStudent]:
    """The chosen classes' student rows of the `day_asg` cells the filters choose."""
    rows = _in_date_range(
        StatStudent.objects.filter(scope="class", scope_id__in=class_ids, dimension="day_asg"),
        filters,
    )
    if assignment_ids is not None:
        suffixes = Q(pk__in=[])
        for assignment_id in assignment_ids:
            suffixes |= Q(key__endswith=f":{assignment_id}")
        rows = rows.filter(suffixes)
    return rows


def _school_totals(school: School, filters: OverviewFilters) -> tuple[int, int]:
    """The answers and distinct students of the school's own cells under the date filter.
    The atoms must hold as many answers, or some are outside every block (a class moved to
    another school) and the school's row is not shown."""
    if not filters.by_date:
        cell = StatCell.objects.filter(
            scope="school", scope_id=school.pk, dimension="overall", key=""
        ).first()
        return (cell.n, cell.students) if cell else (0, 0)
    where = {"scope": "school", "scope_id": school.pk, "dimension": "day"}
    n = _in_date_range(StatCell.objects.filter(**where), filters).aggregate(n=Sum("n"))["n"]
    rows = _in_date_range(StatStudent.objects.filter(**where), filters)
    return n or 0, rows.values("student_id").distinct().count()


def _everyone(viewer_schools: QuerySet[School], name: str) -> OverviewRow:
    """Everyone, shown only when at least STATS_MIN_GROUP students answered outside the
    schools the viewer oversees: otherwise everyone minus those schools would be a small
    group (or a hidden school's)."""
    whole = Counts()
    students = 0
    inside = 0
    for cell in StatCell.objects.filter(
        Q(scope="all", scope_id=0) | Q(scope="school", scope_id__in=viewer_schools.values("pk")),
        dimension="overall",
        key="",
    ):
        if cell.scope == "all":
            whole, students = Counts.from_mapping(cell.counts()), cell.students
        else:
            inside += cell.students
    shown = figures(whole, students)
    if students - inside < min_group():
        shown = hidden(shown)
    return OverviewRow("all", 0, name, shown)


def class_label(classroom: Classroom) -> str:
    """A class's name, with its school year when it has one (names repeat across years)."""
    if classroom.school_year:
        return f"{classroom.name} ({classroom.school_year})"
    return classroom.name


def school_overview(
    school: School,
    filters: OverviewFilters,
    *,
    viewer_schools: QuerySet[School],
    everyone_name: str = "everyone",
) -> Overview:
    """Each chosen class, the school (or the chosen classes together) and everyone (without
    filters), for an educator who oversees `viewer_schools`: dates in whole weeks, small
    groups and whatever would single one out suppressed."""
    filters = filters.weeks()
    all_classes = list(
        Classroom.objects.filter(school=school).order_by("name", "school_year", "pk")
    )
    chosen_classes = {c.pk for c in all_classes if not filters.grade or c.grade == filters.grade}
    assignment_ids: set[int] | None = None
    if filters.by_assignment:
        assignments = Assignment.objects.filter(classroom__school=school)
        if filters.quiz_id is not None:
            assignments = assignments.filter(quiz_id=filters.quiz_id)
        if filters.assignment_id is not None:
            assignments = assignments.filter(pk=filters.assignment_id)
        chosen = list(assignments.values_list("pk", "classroom_id"))
        assignment_ids = {pk for pk, _class in chosen}
        chosen_classes &= {class_id for _pk, class_id in chosen}
    class_list = [c for c in all_classes if c.pk in chosen_classes]

    # The blocks are the whole school's, whatever the filters.
    atoms = _school_atoms(school, [c.pk for c in all_classes], min_group())
    blocks = suppression.build_blocks(atoms.students, min_group())
    per_class: dict[int, list[suppression.AtomKey]] = defaultdict(list)
    in_weeks: list[suppression.AtomKey] = []
    for key in atoms.counts:
        if not _in_weeks(key, filters):
            continue
        in_weeks.append(key)
        if key[0] == "class" and (assignment_ids is None or key[2] in assignment_ids):
            per_class[key[1]].append(key)
    chosen_ids = [c.pk for c in class_list]
    students = dict(
        _class_students(chosen_ids, assignment_ids, filters)
        .values("scope_id")
        .annotate(n=Count("student_id", distinct=True))
        .order_by()
        .values_list("scope_id", "n")
    )

    class_rows = [
        OverviewRow(
            scope="class",
            scope_id=c.pk,
            name=class_label(c),
            figures=atoms.figures(per_class.get(c.pk, []), blocks, students.get(c.pk, 0)),
            grade=c.grade,
            archived=c.is_archived,
        )
        for c in class_list
    ]

    if filters.by_class:
        # The chosen classes together: counts add up, students are counted over the union
        # (a student in two of the classes counts once).
        keys = [k for c in class_list for k in per_class.get(c.pk, [])]
        together = (
            _class_students(chosen_ids, assignment_ids, filters)
            .values("student_id")
            .distinct()
            .count()
        )
        school_row = OverviewRow(
            "school", school.pk, school.name, atoms.figures(keys, blocks, together)
        )
        everyone = None
    else:
        answers, people = _school_totals(school, filters)
        shown = atoms.figures(in_weeks, blocks, people)
        if shown.counts.n != answers:
            shown = hidden(shown)
        school_row = OverviewRow("school", school.pk, school.name, shown)
        everyone = None if filters.by_date else _everyone(viewer_schools, everyone_name)
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
