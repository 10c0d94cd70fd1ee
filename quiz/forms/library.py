"""The clip library's forms: the clip filters (shared with the quiz builder) and the
artifact editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.validators import plain_multi_line_text
from quiz import categories
from quiz.models import Artifact, Clip
from quiz.selectors.library import SHARED
from quiz.services.library import EXPLANATION_MAX
from quiz.templatetags.secondlook import made_by


class ClipFilterForm(forms.Form):
    """The clip filters the quiz builder and the library share: label, generator, media
    kind, artifact category. Subclasses add their own (difficulty; status, uploader)."""

    label = forms.ChoiceField(
        label=_("Real or generated"),
        required=False,
        choices=[
            ("", _("Both")),
            ("real", _("Real only")),
            ("generated", _("Generated only")),
        ],
    )
    generator = forms.ChoiceField(label=_("Generator"), required=False)
    media_kind = forms.ChoiceField(
        label=_("Media"),
        required=False,
        choices=[("", _("Videos and images")), *Clip.MediaKind.choices],
    )
    category = forms.ChoiceField(
        label=_("Artifact category"),
        required=False,
        choices=[
            ("", _("Any category")),
            (_("Giveaways"), [(c.code, c.name) for c in categories.TELLS]),
            (_("Decoys"), [(c.code, c.name) for c in categories.DECOYS]),
        ],
    )

    kept = forms.ChoiceField(
        label=_("Kept for tests"),
        required=False,
        choices=[
            ("", _("Kept or not")),
            ("kept", _("Only clips kept for tests")),
            ("free", _("Only clips lessons and practice may show")),
        ],
    )

    def __init__(self, *args: Any, generators: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["generator"].choices = [
            ("", _("Any generator")),
            # "Camera" (every real clip) in the reader's language, as the lists show it.
            *((name, capfirst(made_by(name))) for name in generators),
        ]


class LibraryFilterForm(ClipFilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any status")),
            ("ready", gettext_lazy("Ready (in use)")),
            ("retired", gettext_lazy("Retired")),
            ("processing", gettext_lazy("Processing")),
            ("failed", gettext_lazy("Failed")),
        ],
    )
    uploader = forms.ChoiceField(label=gettext_lazy("Uploaded by"), required=False)
    unannotated = forms.BooleanField(
        label=gettext_lazy("Only clips without annotated artifacts"), required=False
    )

    def __init__(
        self, *args: Any, generators: list[str], uploaders: list[User], user: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, generators=generators, **kwargs)
        self.fields["uploader"].choices = [
            ("", _("Anyone")),
            (SHARED, _("Shared library")),
            *((str(u.pk), _("You") if u.pk == user.pk else u.display_name) for u in uploaders),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for library.filter_library from the valid fields (an invalid
        field is shown with its error and does not filter)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        found: dict[str, Any] = {
            name: data[name]
            for name in (
                "label",
                "generator",
                "media_kind",
                "category",
                "status",
                "uploader",
                "kept",
            )
            if data.get(name)
        }
        if data.get("unannotated"):
            found["unannotated_only"] = True
        return found

    def query_string(self) -> str:
        """The valid filters as URL parameters, for the pagination links."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return urlencode({k: ("1" if v is True else v) for k, v in self.cleaned_data.items() if v})


def _category_choices() -> list[tuple[Any, Any]]:
    return [
        ("", gettext_lazy("Choose a category")),
        (gettext_lazy("Tells"), [(c.code, c.name) for c in categories.TELLS]),
        (gettext_lazy("Decoys"), [(c.code, c.name) for c in categories.DECOYS]),
    ]


def _percent(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
        error_messages={"required": gettext_lazy("Draw the region or type its value.")},
    )


class ArtifactForm(forms.Form):
    """An artifact as the editor sends it: the region in percent of the frame, times in
    seconds. Fractions and every rule are quiz.services.library's business."""

    x = _percent(gettext_lazy("Left (%)"))
    y = _percent(gettext_lazy("Top (%)"))
    w = _percent(gettext_lazy("Width (%)"))
    h = _percent(gettext_lazy("Height (%)"))
    start_s = forms.FloatField(label=gettext_lazy("Start (s)"), required=False)
    end_s = forms.FloatField(label=gettext_lazy("End (s)"), required=False)
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=_category_choices,
        error_messages={"required": gettext_lazy("Choose a category from the list.")},
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        strip=False,
        max_length=EXPLANATION_MAX,
        validators=[plain_multi_line_text],
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": EXPLANATION_MAX}),
        help_text=gettext_lazy("What the learner should see here, in a sentence or two."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The explanation in each language of the site, for learners who use it; empty
        # shows them the explanation as written above.
        for code, name in settings.LANGUAGES:
            self.fields[f"explanation_{code}"] = forms.CharField(
                label=gettext_lazy("Explanation in %(language)s (optional)") % {"language": name},
                required=False,
                strip=False,
                max_length=EXPLANATION_MAX,
                validators=[plain_multi_line_text],
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": EXPLANATION_MAX}),
            )

    def translation_fields(self) -> list[forms.BoundField]:
        return [self[f"explanation_{code}"] for code, _name in settings.LANGUAGES]

    @classmethod
    def for_artifact(cls, artifact: Artifact) -> ArtifactForm:
        box = artifact.box_percent
        return cls(
            initial={
                "x": box["x"],
                "y": box["y"],
                "w": box["w"],
                "h": box["h"],
                "start_s": artifact.start_s,
                "end_s": artifact.end_s,
                "category": artifact.category,
                "explanation": artifact.explanation,
                **{
                    f"explanation_{code}": (artifact.translations.get(code) or {}).get(
                        "explanation", ""
                    )
                    for code, _name in settings.LANGUAGES
                },
            }
        )

    def values(self) -> dict[str, Any]:
        """Keyword arguments for library.artifact_create / artifact_update."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "box": tuple(data[name] / 100 for name in ("x", "y", "w", "h")),
            "start_s": data["start_s"],
            "end_s": data["end_s"],
            "explanation": data["explanation"],
            "translations": {
                code: data.get(f"explanation_{code}") or "" for code, _name in settings.LANGUAGES
            },
        }
