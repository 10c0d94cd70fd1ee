"""The teacher's "New feed" form: how long, how many generated clips, how many seconds."""

from __future__ import annotations

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.validators import plain_text
from quiz.models import Quiz
from quiz.selectors.feed import (
    DEFAULT_PERCENT,
    DEFAULT_SECONDS,
    MAX_LENGTH,
    MAX_PERCENT,
    MIN_LENGTH,
    MIN_PERCENT,
    SECONDS_CHOICES,
)


def _n_seconds(n: int) -> str:
    return ngettext("%(n)d second", "%(n)d seconds", n) % {"n": n}


# Translated when shown: a lazy ngettext formatted with % is translated at once, at import.
_seconds = lazy(_n_seconds, str)


class FeedForm(forms.Form):
    """The limits are the service's (quiz.selectors.feed), written out in the help texts."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Quiz._meta.get_field("title").max_length,
        initial=_("Spot the fakes in the feed"),
        validators=[plain_text],
    )
    length = forms.IntegerField(
        label=_("Number of clips"),
        min_value=MIN_LENGTH,
        max_value=MAX_LENGTH,
        initial=20,
        help_text=_("From 10 to 40. Each clip is seen once."),
        error_messages={
            "min_value": _("A feed needs at least %(limit_value)s clips."),
            "max_value": _("A feed has at most %(limit_value)s clips."),
            "invalid": _("Enter a whole number of clips."),
        },
    )
    percent = forms.IntegerField(
        label=_("Share of generated clips (%)"),
        min_value=MIN_PERCENT,
        max_value=MAX_PERCENT,
        initial=DEFAULT_PERCENT,
        help_text=_(
            "From 10 to 30 %: in everyday feeds fakes are rare. Students are not told the "
            "share before the end."
        ),
        error_messages={
            "min_value": _("Choose a share of at least %(limit_value)s %%."),
            "max_value": _("Choose a share of at most %(limit_value)s %%."),
            "invalid": _("Enter a whole number of percent."),
        },
    )
    seconds = forms.TypedChoiceField(
        label=_("Seconds per clip"),
        coerce=int,
        choices=[(s, _seconds(s)) for s in SECONDS_CHOICES],
        initial=DEFAULT_SECONDS,
        widget=forms.RadioSelect,
    )
