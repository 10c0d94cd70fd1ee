"""The school, teachers and class that many integration tests start from (a school in Berlin's
time zone, a teacher of it, a class with its students), made by the site's own services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts import services as account_services
from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Assignment, Quiz
from quiz.services.teach import assignment_create


def lakeside() -> School:
    return School.objects.create(name="Lakeside", time_zone="Europe/Berlin")


def school_teacher(school: School, username: str = "t1") -> User:
    """A teacher of `school`, approved (as accounts made by staff or scripts are)."""
    return User.objects.create_user(
        username, password="x", role="teacher", school=school, verified_at=timezone.now()
    )


def class_of(teacher: User, *students: User, name: str = "8A") -> Classroom:
    """A class of `teacher`'s with these students in it."""
    classroom = account_services.classroom_create(teacher=teacher, name=name)
    Enrollment.objects.bulk_create(Enrollment(classroom=classroom, student=s) for s in students)
    return classroom


def open_assignment(teacher: User, quiz: Quiz, classroom: Classroom, **values) -> Assignment:
    """`quiz` assigned to `classroom`: open since an hour, due tomorrow, one attempt,
    feedback after each round; `values` override or add the assignment's fields."""
    now = timezone.now()
    fields = {
        "opens_at": now - timedelta(hours=1),
        "due_at": now + timedelta(days=1),
        "attempts_allowed": 1,
        "feedback": "each",
    }
    (assignment,) = assignment_create(
        teacher=teacher, quiz=quiz, classrooms=[classroom], **(fields | values)
    )
    return assignment
