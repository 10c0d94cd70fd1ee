"""Writes for accounts."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.models import Classroom, Enrollment, School, User

DEMO_SCHOOL = "Demo School"
DEMO_CLASS = "Demo class"
DEMO_ACCOUNTS = (
    ("teacher", "Tess", "Teacher", User.Role.TEACHER),
    ("student1", "Sam", "Student", User.Role.STUDENT),
    ("student2", "Alex", "Student", User.Role.STUDENT),
    ("educator", "Eddie", "Educator", User.Role.EDUCATOR),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def demo_accounts_ensure(*, secrets_file: Path) -> list[DemoLogin]:
    """Create the demo school, class and accounts once; later runs reuse them.

    Passwords are random per installation and kept in `secrets_file` (under var/, never
    committed) so that they can be printed again on every start.
    """
    known: dict[str, str] = {}
    if secrets_file.exists():
        known = json.loads(secrets_file.read_text())
    logins = []
    with transaction.atomic():
        school, _ = School.objects.get_or_create(name=DEMO_SCHOOL)
        classroom, _ = Classroom.objects.get_or_create(school=school, name=DEMO_CLASS)
        for username, first, last, role in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            password = known.get(username)
            if user is None or password is None or not user.check_password(password):
                password = f"{username}-{secrets.token_hex(3)}"
                user = user or User(username=username)
                user.first_name, user.last_name, user.role, user.school = first, last, role, school
                user.set_password(password)
                user.save()
            known[username] = password
            if role == User.Role.TEACHER:
                classroom.teachers.add(user)
            elif role == User.Role.STUDENT:
                Enrollment.objects.get_or_create(classroom=classroom, student=user)
            logins.append(DemoLogin(username, password, role))
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    secrets_file.write_text(json.dumps(known, indent=2))
    secrets_file.chmod(0o600)
    return logins
