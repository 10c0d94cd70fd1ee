"""The quiz builder's forms: a quiz's details, the builder's library filters and the
balanced-quiz numbers."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.validators import plain_multi_line_text, plain_text
from quiz.forms.library import ClipFilterForm
from quiz.services import builder

DESCRIPTION_MAX = 2000


CLIP_ID = re.compile(r"^[1-9][0-9]{0,17}$")


class QuizForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=builder.TITLE_MAX,
        validators=[plain_text],
        error_messages={
            "required": gettext_lazy("Give the quiz a title."),
            "max_length": gettext_lazy("The title can be at most %(limit_value)d characters long."),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        validators=[plain_multi_line_text],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Shown to students before they start. Optional."),
    )


class BuilderFilterForm(ClipFilterForm):
    """The library's filters: GET parameters on a first visit, then part of the page's form."""

    min_difficulty = forms.IntegerField(
        label=gettext_lazy("Missed by at least (%)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    max_difficulty = forms.IntegerField(
        label=gettext_lazy("Missed by at most (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "Difficulty is the share of everyone's answers that got the clip wrong. Clips "
            "nobody has answered yet are left out when you set a difficulty."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        low, high = cleaned.get("min_difficulty"), cleaned.get("max_difficulty")
        if low is not None and high is not None and low > high:
            # Contradictory bounds would show an empty library; apply neither and say why.
            self.add_error("max_difficulty", _("The upper bound must not be below the lower."))
            cleaned.pop("min_difficulty", None)
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for builder.library_clips from the fields that are valid (an
        invalid field is shown with its error and does not filter)."""
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        else:
            data = {}
        found: dict[str, Any] = {
            name: data[name]
            for name in ("label", "generator", "media_kind", "category", "kept")
            if data.get(name)
        }
        for name in ("min_difficulty", "max_difficulty"):
            if data.get(name) is not None:
                found[name] = data[name] / 100
        return found

    def query_string(self) -> str:
        """The valid filters as a query string, for links back to this view of the library."""
        if not self.is_bound or not self.is_valid():
            return ""
        pairs = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return "?" + urlencode(pairs) if pairs else ""


class BalancedForm(forms.Form):
    n = forms.IntegerField(
        label=gettext_lazy("Rounds"),
        min_value=1,
        max_value=builder.MAX_ROUNDS,
        initial=10,
    )
    generated = forms.IntegerField(
        label=gettext_lazy("Generated clips among single rounds (%)"),
        min_value=0,
        max_value=100,
        initial=50,
    )
    pairs = forms.IntegerField(
        label=gettext_lazy("Pair rounds (%)"),
        min_value=0,
        max_value=100,
        initial=20,
        help_text=gettext_lazy(
            "A pair shows a generated and a real clip of the same kind side by side."
        ),
    )
    spots = forms.IntegerField(
        label=gettext_lazy("Spot rounds (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        help_text=gettext_lazy(
            "A spot round says the clip is generated and asks where the giveaway is; it "
            "needs a generated clip with a marked giveaway. The other shares apply to the "
            "remaining rounds."
        ),
    )
