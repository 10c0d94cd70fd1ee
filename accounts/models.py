from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TEACHER = "teacher", _("Teacher")
        EDUCATOR = "educator", _("Educator")

    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.STUDENT)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL
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


class Classroom(models.Model):
    """A cohort of students taught together (the 'class' of a school)."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=120)
    teachers = models.ManyToManyField(
        User, verbose_name=_("teachers"), related_name="taught_classrooms"
    )
    students = models.ManyToManyField(
        User, verbose_name=_("students"), through="Enrollment", related_name="classrooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school__name", "name"]

    def __str__(self) -> str:
        return self.name


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
