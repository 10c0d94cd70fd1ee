from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import plain_text, sane_year
from quiz.models import Assignment


class AssignmentForm(forms.Form):
    """Assign a quiz to one or more of the teacher's classes.

    Times are typed in the school's time zone (activated by SchoolTimeZoneMiddleware) and
    stored in UTC.
    """

    classrooms = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one class.")},
    )
    opens_at = forms.DateTimeField(
        label=_("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time, for example 2026-11-23 08:30.")},
        validators=[sane_year],
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time, for example 2026-11-30 23:59.")},
        validators=[sane_year],
    )
    attempts_allowed = forms.IntegerField(
        label=_("Attempts allowed"), min_value=1, max_value=20, initial=1
    )
    feedback = forms.ChoiceField(
        label=_("Show feedback"),
        choices=Assignment.Feedback.choices,
        initial=Assignment.Feedback.EACH_ANSWER,
        widget=forms.RadioSelect,
    )
    unit_role = forms.ChoiceField(
        label=_("Pre- or post-test"),
        choices=Assignment.UnitRole.choices,
        required=False,
        help_text=_("Statistics compare a unit's pre-test with its post-test (learning gain)."),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=Assignment._meta.get_field("unit").max_length,
        required=False,
        validators=[plain_text],
    )
    keep_order = forms.BooleanField(
        label=_("Keep the quiz's order for everyone"),
        required=False,
        help_text=_(
            "Every student then plays the rounds in the quiz's order, with each pair's clips on "
            "the same sides. Leave it off to give each student their own order and sides, so "
            "that neither a pattern in the quiz nor a neighbour's answer gives anything away."
        ),
    )

    def __init__(self, *args: object, classrooms: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["classrooms"].queryset = classrooms
        # What a teacher usually wants: open now, due in a week at the end of the day, in the
        # school's time zone (the active one here).
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["opens_at"].initial = now
        self.fields["due_at"].initial = (now + timedelta(days=7)).replace(hour=23, minute=59)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        opens, due = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens and due:
            if due <= opens:
                self.add_error("due_at", _("The due time must come after the opening time."))
            elif due <= timezone.now():
                self.add_error("due_at", _("The due time has already passed."))
        if cleaned.get("unit_role") and not cleaned.get("unit"):
            self.add_error("unit", _("Name the unit, so its pre- and post-tests can be paired."))
        return cleaned
