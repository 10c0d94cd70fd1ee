"""The Insights overview's filters: a school's own grades, quizzes and assignments."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Classroom, School
from accounts.validators import sane_year
from quiz.models import Assignment
from quiz.stats.insights import OverviewFilters


class _SchoolDateField(forms.DateField):
    # A date is ten characters; anything much longer is not worth parsing.
    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str) and len(value) > 32:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _local_day(moment: datetime) -> str:
    """The school-local day of a stored time; one at an end of the calendar (stored before
    forms bounded the years) cannot move into another zone and shows as its UTC day."""
    try:
        return timezone.localtime(moment).date().isoformat()
    except OverflowError:
        return moment.date().isoformat()


_DATE_ERRORS = {"invalid": gettext_lazy("Enter a date, for example 2026-09-30.")}


class _PlainSelect(forms.Select):
    """A select written out in Python. Django renders each option through a template, which
    for a school's hundreds of assignments costs more than every query of the page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), mark_safe(" selected") if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class OverviewFilterForm(forms.Form):
    """The overview's filters, all optional; choices are the school's own grades, quizzes
    and assignments, so a foreign or made-up id is an error, never a query."""

    date_from = _SchoolDateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
        validators=[sane_year],
    )
    date_to = _SchoolDateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages=_DATE_ERRORS,
        validators=[sane_year],
        help_text=gettext_lazy(
            "Dates in the school's time zone, applied in whole weeks (Monday to Sunday): "
            "both ends' weeks are included."
        ),
    )
    grade = forms.ChoiceField(label=gettext_lazy("Grade"), required=False, widget=_PlainSelect)
    quiz = forms.TypedChoiceField(
        label=gettext_lazy("Quiz"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=_PlainSelect,
    )
    assignment = forms.TypedChoiceField(
        label=gettext_lazy("Assignment"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=_PlainSelect,
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = (
            Classroom.objects.filter(school=school)
            .exclude(grade="")
            .values_list("grade", flat=True)
            .distinct()
            .order_by("grade")
        )
        # Plain rows, not model instances: a school can hold hundreds of assignments.
        assignments = list(
            Assignment.objects.filter(classroom__school=school)
            .order_by("-opens_at", "pk")
            .values_list(
                "pk",
                "quiz_id",
                "quiz__title",
                "classroom__name",
                "classroom__school_year",
                "opens_at",
            )
        )
        self.assignment_quiz = {pk: quiz_id for pk, quiz_id, *_rest in assignments}
        quizzes = {quiz_id: title for _pk, quiz_id, title, *_rest in assignments}
        first_set: dict[int, Any] = {}
        for _pk, quiz_id, _title, _name, _year, opens_at in assignments:  # newest first
            first_set[quiz_id] = opens_at
        titles = Counter(quizzes.values())

        def quiz_label(quiz_id: int, title: str) -> str:
            # Quizzes of the same title (every assigned practice is "Adaptive practice") are
            # told apart by the day each was first set.
            if titles[title] == 1:
                return _(title)
            return _("%(quiz)s, first set %(date)s") % {
                "quiz": _(title),
                "date": _local_day(first_set[quiz_id]),
            }

        self.fields["grade"].choices = [("", _("All grades")), *((g, g) for g in grades)]
        self.fields["quiz"].choices = [
            ("", _("All quizzes")),
            *(
                (str(pk), quiz_label(pk, title))
                for pk, title in sorted(quizzes.items(), key=lambda q: (q[1], first_set[q[0]]))
            ),
        ]
        self.fields["assignment"].choices = [
            ("", _("All assignments")),
            *(
                (
                    str(pk),
                    _("%(quiz)s for %(class)s, opened %(date)s")
                    % {
                        "quiz": _(title),
                        "class": f"{name} ({year})" if year else name,
                        "date": _local_day(opens_at),
                    },
                )
                for pk, _quiz, title, name, year, opens_at in assignments
            ),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start date."))
        quiz_id, assignment_id = data.get("quiz"), data.get("assignment")
        if quiz_id and assignment_id and self.assignment_quiz.get(assignment_id) != quiz_id:
            self.add_error("assignment", _("This assignment is not of the chosen quiz."))
        return data

    def filters(self) -> OverviewFilters:
        """The filters of a valid form (none for an unbound one)."""
        if not self.is_bound:
            return OverviewFilters()
        data = self.cleaned_data
        return OverviewFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            grade=data.get("grade") or "",
            quiz_id=data.get("quiz"),
            assignment_id=data.get("assignment"),
        )

    def query_string(self) -> str:
        """The valid filters as URL parameters (for the export links)."""
        if not self.is_bound:
            return ""
        data = self.cleaned_data
        params = {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in data.items()
            if value not in (None, "")
        }
        return "?" + urlencode(params) if params else ""

    def error_lists(self) -> dict[str, list[str]]:
        """The errors as plain text, by field (for the exports' 400 answers)."""
        return {name: [str(e) for e in errors] for name, errors in self.errors.items()}
