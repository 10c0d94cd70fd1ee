"""The teacher's "Assign practice" form: which classes, how many rounds, what focus, and when
(the assignment form's classes and times; adaptive practice takes no other setting)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quiz import categories
from quiz.forms.teach import AssignmentForm
from quiz.services.practice import MAX_ASSIGNED_ROUNDS

DEFAULT_ROUNDS = 10


class PracticeAssignForm(AssignmentForm):
    """Practise N rounds by the due time. One attempt, feedback after each answer, each
    student's own rounds: the assignment form's other settings do not apply, so they are
    left out (a field set to None is removed from the subclass)."""

    attempts_allowed = None
    feedback = None
    unit_role = None
    unit = None
    keep_order = None

    rounds = forms.IntegerField(
        label=_("Rounds per student"),
        min_value=1,
        max_value=MAX_ASSIGNED_ROUNDS,
        initial=DEFAULT_ROUNDS,
        help_text=_("From 1 to 30. Each student's rounds are chosen for them as they play."),
        error_messages={
            "min_value": _("Choose at least %(limit_value)s round."),
            "max_value": _("Choose at most %(limit_value)s rounds."),
            "invalid": _("Enter a whole number of rounds."),
        },
    )
    focus = forms.ChoiceField(
        label=_("Focus"),
        required=False,
        initial="",
        help_text=_(
            "Weakest first: each student practises mostly the giveaways they miss most. "
            "Or choose one giveaway for everyone."
        ),
    )

    field_order = ["classrooms", "rounds", "focus", "opens_at", "due_at"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus"].choices = [("", _("Weakest first (for each student)"))] + [
            (c.code, c.name) for c in categories.TELLS
        ]
