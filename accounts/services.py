"""Writes for accounts."""

from __future__ import annotations

import json
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    Classroom,
    Enrollment,
    School,
    User,
)

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
        school, _created = School.objects.get_or_create(name=DEMO_SCHOOL)
        classroom = Classroom.objects.filter(school=school, name=DEMO_CLASS).first()
        if classroom is None:
            classroom = Classroom.objects.create(
                school=school, name=DEMO_CLASS, join_code=_new_join_code()
            )
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
                # The demo school's administrator, verified (see accounts.verification).
                User.objects.filter(pk=user.pk).update(
                    school_admin=True, verified_at=user.verified_at or timezone.now()
                )
                classroom.teachers.add(user)
            elif role == User.Role.STUDENT:
                Enrollment.objects.get_or_create(classroom=classroom, student=user)
            logins.append(DemoLogin(username, password, role))
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    secrets_file.write_text(json.dumps(known, indent=2))
    secrets_file.chmod(0o600)
    return logins


# --- Classes -------------------------------------------------------------------------------

# Short, common, easy-to-type words for first passwords that children can read off a card.
PASSWORD_WORDS = [
    "apple",
    "bird",
    "boat",
    "cake",
    "cloud",
    "corn",
    "desk",
    "drum",
    "duck",
    "farm",
    "fish",
    "flag",
    "frog",
    "game",
    "goat",
    "gold",
    "hill",
    "kite",
    "lamp",
    "leaf",
    "lime",
    "lion",
    "map",
    "milk",
    "moon",
    "nest",
    "owl",
    "park",
    "pear",
    "pen",
    "pig",
    "plum",
    "pond",
    "rain",
    "ring",
    "road",
    "rock",
    "rose",
    "ruby",
    "sail",
    "salt",
    "sand",
    "seal",
    "ship",
    "shoe",
    "snow",
    "sock",
    "star",
    "sun",
    "swan",
    "tent",
    "tiger",
    "tree",
    "van",
    "wave",
    "whale",
    "wind",
    "wolf",
    "yak",
    "zebra",
]
MAX_BULK_STUDENTS = 60
MAX_NAME_LENGTH = 150


class ClassroomError(Exception):
    """A request about a class that cannot be carried out; the message is safe to show."""


def _new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def classroom_create(
    *, teacher: User, name: str, grade: str = "", school_year: str = ""
) -> Classroom:
    if teacher.school_id is None:
        raise ClassroomError(_("Your account belongs to no school yet, so it cannot hold classes."))
    for _attempt in range(10):
        try:
            with transaction.atomic():
                classroom = Classroom.objects.create(
                    school_id=teacher.school_id,
                    name=name,
                    grade=grade,
                    school_year=school_year,
                    join_code=_new_join_code(),
                )
                classroom.teachers.add(teacher)
                return classroom
        except IntegrityError:
            continue  # the random code was taken (about one in 27 billion): draw again
    raise ClassroomError(_("Could not make a unique join code; try again."))


def classroom_rotate_code(*, classroom: Classroom) -> str:
    """Give the class a new join code (the old one stops working) and enable joining."""
    for _attempt in range(10):
        try:
            with transaction.atomic():
                classroom.join_code = _new_join_code()
                classroom.join_enabled = True
                classroom.save(update_fields=["join_code", "join_enabled"])
                return classroom.join_code
        except IntegrityError:
            continue
    raise ClassroomError(_("Could not make a unique join code; try again."))


def classroom_set_joining(*, classroom: Classroom, enabled: bool) -> None:
    classroom.join_enabled = enabled
    classroom.save(update_fields=["join_enabled"])


def normalise_join_code(raw: str) -> str:
    """What a student typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def classroom_join(*, student: User, code: str) -> tuple[Classroom, bool]:
    """Enroll a student by join code. Returns (classroom, newly_joined).

    Raises ClassroomError for a code that matches no open class (the same message whatever
    the reason, so codes cannot be probed).
    """
    if not student.is_student:
        raise ClassroomError(_("Only student accounts join classes with a code."))
    classroom = Classroom.objects.filter(join_code=normalise_join_code(code)).first()
    if classroom is None or not classroom.can_join:
        raise ClassroomError(_("That code does not open any class. Check it with your teacher."))
    _enrollment, created = Enrollment.objects.get_or_create(classroom=classroom, student=student)
    return classroom, created


@dataclass(frozen=True)
class LoginCard:
    name: str
    username: str
    password: str


# Letters that Unicode does not decompose into an ASCII base letter.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "đ": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
    }
)


def _ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    folded = folded.encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


def _username_base(name: str) -> str:
    parts = name.split()
    first = _ascii_letters(parts[0]) if parts else ""
    last = _ascii_letters(parts[-1])[:1] if len(parts) > 1 else ""
    return (first[:14] + last) or "student"


def _unique_username(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def first_password() -> str:
    return "-".join(secrets.choice(PASSWORD_WORDS) for _ in range(2)) + str(
        secrets.randbelow(90) + 10
    )


def parse_student_names(text: str) -> tuple[list[str], list[str]]:
    """Names from a pasted list (one per line) and the problems found, by line number."""
    names: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        name = " ".join(raw.split())  # tabs from spreadsheets, double spaces
        if not name:
            continue
        if len(name) > MAX_NAME_LENGTH:
            problems.append(
                _("Line %(line)d is %(length)d characters long; names may have at most %(max)d.")
                % {"line": number, "length": len(name), "max": MAX_NAME_LENGTH}
            )
            continue
        if any(unicodedata.category(ch).startswith("C") for ch in name):
            problems.append(_("Line %(line)d contains control characters.") % {"line": number})
            continue
        names.append(name)
    if not names and not problems:
        problems.append(_("Paste at least one name, one per line."))
    if len(names) > MAX_BULK_STUDENTS:
        problems.append(
            _("That is %(count)d names; add at most %(max)d at a time.")
            % {"count": len(names), "max": MAX_BULK_STUDENTS}
        )
    return names, problems


def students_bulk_create(*, classroom: Classroom, names: list[str]) -> list[LoginCard]:
    """Create a student account per name, enrolled in the class, all or nothing.

    Usernames come from the names (ASCII, unique across the site); first passwords are
    returned once, for the login cards, and only their hashes are stored.
    """
    cards: list[LoginCard] = []
    with transaction.atomic():
        bases = {_username_base(name) for name in names}
        taken = set(
            User.objects.filter(
                username__regex=r"^(" + "|".join(sorted(bases)) + r")[0-9]*$"
            ).values_list("username", flat=True)
        )
        for name in names:
            username = _unique_username(_username_base(name), taken)
            password = first_password()
            user = User(
                username=username, first_name=name, role=User.Role.STUDENT,
                school_id=classroom.school_id,
            )  # fmt: skip
            user.set_password(password)
            user.save()
            Enrollment.objects.create(classroom=classroom, student=user)
            cards.append(LoginCard(name, username, password))
    return cards


def student_password_reset(*, student: User) -> str:
    password = first_password()
    student.set_password(password)
    student.save(update_fields=["password"])
    return password


def student_remove(*, classroom: Classroom, student: User) -> None:
    """Take a student out of the class; their account and past answers stay."""
    Enrollment.objects.filter(classroom=classroom, student=student).delete()


def classroom_add_teacher(*, classroom: Classroom, username: str) -> User:
    """Make an approved colleague of the same school a co-teacher of the class."""
    colleague = User.objects.filter(
        username=username.strip(),
        role=User.Role.TEACHER,
        school_id=classroom.school_id,
        verified_at__isnull=False,  # a co-teacher sees the class's answers and their labels
        is_active=True,
    ).first()
    if colleague is None:
        raise ClassroomError(
            _("No teacher of your school has the username “%(username)s”.")
            % {"username": username.strip()[:150]}
        )
    classroom.teachers.add(colleague)
    return colleague


def classroom_set_archived(*, classroom: Classroom, archived: bool) -> None:
    """Archived classes keep their results but take no new students or joins."""
    classroom.archived_at = timezone.now() if archived else None
    classroom.save(update_fields=["archived_at"])
