"""What the privacy pages read: who may export and delete a student's data (one rule), what
is stored about a student (the exports), and what an erasure or the retention rule would
delete, before anything is deleted."""

from __future__ import annotations

import calendar
import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Classroom, Enrollment, User
from quiz.models import Answer, Attempt
from quiz.responses import safe_csv_cell

EXPORT_FORMAT = "second-look-student-data/1"
MAX_RETENTION_MONTHS = 1200


def classrooms_managed_by(user: User) -> QuerySet[Classroom]:
    """The one rule for who may download and delete students' data, class by class: staff
    for every class, a teacher for the classes they teach (co-teachers alike).

    School administrators get their school's classes with one line below, e.g.
    `if user.administers_school: rule |= Q(school_id=user.school_id)`, and every export,
    erasure and confirm page follows.
    """
    if not user.is_authenticated:
        return Classroom.objects.none()
    if user.is_staff:
        return Classroom.objects.all()
    rule = Q(teachers=user)
    return Classroom.objects.filter(pk__in=Classroom.objects.filter(rule).values("pk"))


def students_of(classroom: Classroom) -> QuerySet[User]:
    return classroom.students.filter(role=User.Role.STUDENT).order_by("username")


# --- Exports ---

ACCOUNT_COLUMNS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "school",
    "date_joined",
    "last_login",
)
CLASS_COLUMNS = (
    "student_username",
    "class_id",
    "class",
    "school",
    "grade",
    "school_year",
    "joined_at",
    "class_archived_at",
)
ATTEMPT_COLUMNS = (
    "student_username",
    "attempt_id",
    "quiz",
    "assignment_id",
    "class",
    "started_at",
    "finished_at",
)
ANSWER_COLUMNS = (
    "student_username",
    "answer_id",
    "attempt_id",
    "quiz",
    "class",
    "round",
    "played_round",
    "round_kind",
    "answer",
    "sides_swapped",
    "confidence",
    "correct",
    "points",
    "answered_at",
    "results_hidden_until",
    "spot_x",
    "spot_y",
    "spot_s",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass
class StudentData:
    """Everything stored about one student (or, for a teacher, about them in one class)."""

    account: dict[str, object]
    classes: list[dict[str, object]] = field(default_factory=list)
    attempts: list[dict[str, object]] = field(default_factory=list)
    answers: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account,
            "classes": self.classes,
            "attempts": self.attempts,
            "answers": self.answers,
        }


def _account(student: User) -> dict[str, object]:
    return {
        "username": student.username,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "email": student.email,
        "role": student.role,
        "school": student.school.name if student.school else None,
        "date_joined": _when(student.date_joined),
        "last_login": _when(student.last_login),
    }


def _answer(answer: Answer, *, hide_results_until: datetime | None) -> dict[str, object]:
    attempt = answer.attempt
    assignment = attempt.assignment
    return {
        "answer_id": answer.pk,
        "attempt_id": attempt.pk,
        "quiz": attempt.quiz.title,
        "class": assignment.classroom.name if assignment else None,
        # The round's place in the quiz's own order is withheld with the results: with the
        # place in the student's shuffled order beside it, it would undo the shuffle.
        "round": None if hide_results_until else answer.item.position,
        "played_round": answer.position,
        "round_kind": answer.item_kind,
        # What the student clicked, on the sides they saw.
        "answer": answer.shown_guess,
        "sides_swapped": answer.swapped if answer.item_kind == "pair" else None,
        # A feed asks no confidence (stored as 50): none is shown.
        "confidence": None if answer.item_kind == "feed" else answer.confidence,
        "correct": None if hide_results_until else answer.is_correct,
        "points": None if hide_results_until else answer.points,
        "answered_at": _when(answer.created_at),
        "results_hidden_until": _when(hide_results_until),
        # A spot round's mark: where (0..1 of the frame, from the left and the top) and when
        # (seconds into the video) the student marked the giveaway.
        "spot_x": None if answer.spot_x is None else answer.spot_x / 1000,
        "spot_y": None if answer.spot_y is None else answer.spot_y / 1000,
        "spot_s": None if answer.spot_ms is None else answer.spot_ms / 1000,
    }


def student_data(
    students: Iterable[User], *, classroom: Classroom | None = None, for_student: bool = False
) -> list[StudentData]:
    """What is stored about each student: the account, their classes, attempts and answers.

    With a classroom (a teacher's export), only that class's membership and the attempts and
    answers made for its assignments. For the student themselves (`for_student`), the result
    of an answer in a test whose feedback waits for the due time is left out until then,
    as on every other student page.
    """
    students = list(students)
    now = timezone.now()
    found = {s.pk: StudentData(account=_account(s)) for s in students}
    enrollments = Enrollment.objects.filter(student__in=students).select_related(
        "classroom__school", "student"
    )
    attempts = Attempt.objects.filter(user__in=students).select_related(
        "quiz", "assignment__classroom", "user"
    )
    answers = Answer.objects.filter(attempt__user__in=students).select_related(
        "attempt__quiz", "attempt__assignment__classroom", "attempt__user", "item"
    )
    if classroom is not None:
        enrollments = enrollments.filter(classroom=classroom)
        attempts = attempts.filter(assignment__classroom=classroom)
        answers = answers.filter(attempt__assignment__classroom=classroom)
    for enrollment in enrollments.order_by("joined_at", "pk"):
        c = enrollment.classroom
        found[enrollment.student_id].classes.append(
            {
                "student_username": enrollment.student.username,
                "class_id": c.pk,
                "class": c.name,
                "school": c.school.name,
                "grade": c.grade,
                "school_year": c.school_year,
                "joined_at": _when(enrollment.joined_at),
                "class_archived_at": _when(c.archived_at),
            }
        )
    for attempt in attempts.order_by("started_at", "pk"):
        found[attempt.user_id].attempts.append(
            {
                "student_username": attempt.user.username,
                "attempt_id": attempt.pk,
                "quiz": attempt.quiz.title,
                "assignment_id": attempt.assignment_id,
                "class": attempt.assignment.classroom.name if attempt.assignment else None,
                "started_at": _when(attempt.started_at),
                "finished_at": _when(attempt.finished_at),
            }
        )
    for answer in answers.order_by("attempt__started_at", "attempt_id", "position", "pk"):
        assignment = answer.attempt.assignment
        hidden = (
            assignment.due_at
            if for_student and assignment is not None and assignment.feedback_withheld(now)
            else None
        )
        row = {"student_username": answer.attempt.user.username}
        row.update(_answer(answer, hide_results_until=hidden))
        found[answer.attempt.user_id].answers.append(row)
    return [found[s.pk] for s in students]


def export_json(data: list[StudentData], *, classroom: Classroom | None = None) -> str:
    document: dict[str, object] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
    }
    if classroom is not None:
        document["class"] = {
            "id": classroom.pk,
            "name": classroom.name,
            "school": classroom.school.name,
            "archived_at": _when(classroom.archived_at),
        }
        document["students"] = [d.as_dict() for d in data]
    else:
        (only,) = data
        document.update(only.as_dict())
    return json.dumps(document, indent=2, ensure_ascii=False)


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, as every export of the site (docs/exports.md)
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_csv_cell(_cell(row.get(c))) for c in columns])
    return out.getvalue()


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    return value


def export_zip(data: list[StudentData]) -> bytes:
    """The same data as CSV files, one per table, in a zip (docs/exports.md)."""
    tables = {
        "account.csv": (ACCOUNT_COLUMNS, [d.account for d in data]),
        "classes.csv": (CLASS_COLUMNS, [r for d in data for r in d.classes]),
        "attempts.csv": (ATTEMPT_COLUMNS, [r for d in data for r in d.attempts]),
        "answers.csv": (ANSWER_COLUMNS, [r for d in data for r in d.answers]),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in tables.items():
            archive.writestr(name, _csv(columns, rows))
    return buffer.getvalue()


# --- What an erasure deletes ---


@dataclass(frozen=True)
class StudentErasure:
    """What deleting a student for good removes, and whether this person may do it."""

    student: User
    classes: list[Classroom]
    # Classes of the student whose data this person does not manage: while there are any,
    # only "remove from class" is open to them.
    other_classes: list[Classroom]
    attempts: int
    answers: int

    @property
    def allowed(self) -> bool:
        return self.student.is_student and not self.student.is_staff and not self.other_classes


def student_erasure(student: User, *, by: User) -> StudentErasure:
    classes = student.classrooms.select_related("school").order_by("name")
    return StudentErasure(
        student=student,
        classes=list(classes),
        other_classes=list(classes.exclude(pk__in=classrooms_managed_by(by))),
        attempts=Attempt.objects.filter(user=student).count(),
        answers=Answer.objects.filter(attempt__user=student).count(),
    )


@dataclass(frozen=True)
class ClassErasure:
    """What deleting an archived class for good removes."""

    classroom: Classroom
    # Deleted for good: every class of theirs is one this person manages.
    students: list[User]
    # Also in a class this person does not manage: they leave this class, and their
    # attempts and answers in it are deleted, but their account stays.
    kept: list[User]
    attempts: int
    answers: int

    @property
    def allowed(self) -> bool:
        return self.classroom.is_archived


def only_in(students: QuerySet[User], classes: QuerySet[Classroom]) -> tuple[list, list]:
    """Students whose every class is one of `classes`, and the others."""
    outside = Enrollment.objects.filter(student__in=students).exclude(classroom__in=classes)
    others = set(outside.values_list("student_id", flat=True))
    listed = list(students)
    return [s for s in listed if s.pk not in others], [s for s in listed if s.pk in others]


def class_erasure(classroom: Classroom, *, by: User) -> ClassErasure:
    students, kept = only_in(students_of(classroom), classrooms_managed_by(by))
    deleted = [s.pk for s in students]
    attempts = Attempt.objects.filter(Q(user__in=deleted) | Q(assignment__classroom=classroom))
    answers = Answer.objects.filter(
        Q(attempt__user__in=deleted) | Q(attempt__assignment__classroom=classroom)
    )
    return ClassErasure(
        classroom=classroom,
        students=students,
        kept=kept,
        attempts=attempts.count(),
        answers=answers.count(),
    )


# --- Retention ---


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when it
    is shorter: 31 May less 3 months is 28 or 29 February)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionPlan:
    cutoff: datetime
    classes: list[Classroom]  # archived before the cutoff
    students: list[User]  # every class of theirs is one of those: deleted
    kept: list[User]  # also in a class that is active or archived since the cutoff


def expired_classes(cutoff: datetime) -> QuerySet[Classroom]:
    return Classroom.objects.filter(archived_at__lt=cutoff)


def retention_plan(*, months: int, now: datetime | None = None) -> RetentionPlan:
    """Students of classes archived more than `months` months ago, who are in no other
    class: the retention rule deletes them (STUDENT_RETENTION_MONTHS)."""
    # A century is "never" here, and keeps the date arithmetic inside the calendar.
    cutoff = months_before(now or timezone.now(), min(months, MAX_RETENTION_MONTHS))
    expired = expired_classes(cutoff)
    students = (
        User.objects.filter(role=User.Role.STUDENT, is_staff=False, classrooms__in=expired)
        .distinct()
        .order_by("pk")
    )
    deleted, kept = only_in(students, expired)
    return RetentionPlan(
        cutoff=cutoff,
        classes=list(expired.select_related("school").order_by("archived_at", "pk")),
        students=deleted,
        kept=kept,
    )
