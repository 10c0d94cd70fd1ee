from __future__ import annotations

import functools
import logging
import zoneinfo
from datetime import tzinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)


def _default_time_zone() -> str:
    return settings.TIME_ZONE


@functools.cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name the system knows, sorted (School.time_zone's choices)."""
    return [(zone, zone) for zone in sorted(_known_time_zones())]


TIME_ZONE_UNKNOWN = _(
    "“%(value)s” is not a known time zone: choose an IANA name such as Europe/Berlin."
)


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(TIME_ZONE_UNKNOWN, code="invalid_time_zone", params={"value": value})


class School(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    # Opening and due times are typed and shown in the school's time zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=_default_time_zone,
        choices=time_zone_choices,
        validators=[validate_time_zone],
        error_messages={"invalid_choice": TIME_ZONE_UNKNOWN},
    )
    # The language new pages are shown in to the school's people who chose none themselves
    # (blank: as each browser asks).
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES, default=""
    )
    # Educators who read this school's statistics (besides any whose own school it is).
    educators = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("educators"),
        blank=True,
        related_name="overseen_schools",
        limit_choices_to={"role": "educator"},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> tzinfo:
        """The school's time zone; the site's TIME_ZONE (and a warning in the log) if the
        stored name is not one this system knows, so that a bad row never fails a page."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            log.warning(
                "school %s has an unknown time zone %r; using %s",
                self.pk,
                self.time_zone,
                settings.TIME_ZONE,
            )
            return timezone.get_default_timezone()


class User(AbstractUser):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        EDUCATOR = "educator", _("Educator")

    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.STUDENT)
    # The language this person chose with the switcher (blank: the school's, else the
    # browser's).
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=settings.LANGUAGES, default=""
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # A teacher sees labels, explanations and the library only once verified. Accounts made
    # by staff, the admin or scripts are verified when created; the public teacher sign-up
    # (TEACHER_SIGNUP=approval or invite) leaves it empty until a school administrator or
    # staff approve the account (accounts.verification).
    verified_at = models.DateTimeField(
        _("verified"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("Empty: a teacher account waiting for approval."),
    )
    verified_by = models.ForeignKey(
        "self",
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The school's administrator approves its teachers, manages its educators and invites
    # colleagues; the teacher who founds a school is its first one, staff change it.
    school_admin = models.BooleanField(_("administrator of their school"), default=False)
    # A class whose invitation (from a teacher who is not the school's administrator) made
    # this account: it becomes a co-teacher there once approved.
    pending_classroom = models.ForeignKey(
        "accounts.Classroom",
        verbose_name=_("class to co-teach once approved"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=["student", "teacher", "educator"]),
                name="user_role_known",
            )
        ]

    @property
    def is_student(self) -> bool:
        return self.role == self.Role.STUDENT

    @property
    def is_teacher(self) -> bool:
        return self.role == self.Role.TEACHER

    @property
    def is_educator(self) -> bool:
        return self.role == self.Role.EDUCATOR

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_verified_teacher(self) -> bool:
        return self.is_teacher and self.verified_at is not None

    @property
    def is_pending_teacher(self) -> bool:
        """A teacher account waiting for approval (see accounts.verification)."""
        return self.is_teacher and self.verified_at is None

    @property
    def may_use_library(self) -> bool:
        """Staff, verified teachers and educators browse the clip library, its labels and
        explanations; students only ever play clips (and see a clip's truth after
        answering), and a teacher waiting for approval sees only their own uploads."""
        return self.is_staff or self.is_verified_teacher or self.is_educator

    @property
    def may_upload(self) -> bool:
        """Library users, and teachers waiting for approval (for quizzes of their own clips)."""
        return self.may_use_library or self.is_teacher

    @property
    def administers_school(self) -> bool:
        """A verified administrator of their school (approves its teachers)."""
        return self.is_verified_teacher and self.school_admin and self.school_id is not None

    @property
    def may_manage_teachers(self) -> bool:
        """School administrators (their school) and staff (every school)."""
        return self.is_staff or self.administers_school

    @property
    def may_read_insights(self) -> bool:
        """Educators (and staff) read the statistics across classes and schools."""
        return self.is_staff or self.is_educator


# Join codes avoid characters that look alike on a projector: no 0/O, 1/I/L.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 7


class ClassroomQuerySet(models.QuerySet["Classroom"]):
    def taught_by(self, user: User) -> ClassroomQuerySet:
        return self.filter(teachers=user)

    def active(self) -> ClassroomQuerySet:
        return self.filter(archived_at__isnull=True)


class Classroom(models.Model):
    """A cohort of students taught together (the 'class' of a school)."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=120)
    grade = models.CharField(_("grade"), max_length=40, blank=True)
    school_year = models.CharField(_("school year"), max_length=20, blank=True)
    teachers = models.ManyToManyField(
        User, verbose_name=_("teachers"), related_name="taught_classrooms"
    )
    students = models.ManyToManyField(
        User, verbose_name=_("students"), through="Enrollment", related_name="classrooms"
    )
    # NULL, not "", for a class without a code: NULLs never collide in the unique index.
    join_code = models.CharField(_("join code"), max_length=8, unique=True, null=True)  # noqa: DJ001
    join_enabled = models.BooleanField(_("students may join with the code"), default=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def can_join(self) -> bool:
        return self.join_enabled and self.join_code is not None and not self.is_archived


class Enrollment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE)
    student = models.ForeignKey(User, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "student"], name="enrollment_once_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"
