"""The clip-pack forms: the pack to import, and the library filters an export takes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from quiz.forms.library import LibraryFilterForm
from quiz.services.packs import PackRefused, pack_upload_check


class PackImportForm(forms.Form):
    # Empty files are refused by pack_upload_check, with the same words as the rest.
    file = forms.FileField(
        label=gettext_lazy("Clip pack (.zip)"),
        allow_empty_file=True,
        error_messages={
            "required": gettext_lazy(
                "No file arrived. Choose a clip pack (a .zip file) and import it again."
            ),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            pack_upload_check(upload)
        except PackRefused as refusal:
            raise ValidationError(str(refusal)) from None
        return upload


class PackExportForm(LibraryFilterForm):
    """The clips to export: the library's own filters, carried in the export button's query
    string, so an export holds exactly the clips the library page showed."""
