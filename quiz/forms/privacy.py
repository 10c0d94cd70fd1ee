"""Confirming that a student's or a class's data is to be deleted for good."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StudentEraseForm(forms.Form):
    """Typing the student's username: a click alone never deletes anyone."""

    username = forms.CharField(label=_("Type the student's username to confirm"), max_length=150)

    def __init__(self, *args: object, student_username: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.student_username = student_username

    def clean_username(self) -> str:
        typed = self.cleaned_data["username"].strip()
        if typed != self.student_username:
            raise forms.ValidationError(
                _("That is not this student's username: type %(username)s exactly."),
                code="mismatch",
                params={"username": self.student_username},
            )
        return typed


class ClassEraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this deletes the class and these students' data for good."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
