"""What the views answer with, shared by every feature: a page or its htmx partial, CSV
downloads, JSON for scripts, htmx redirects, and the upload size limit.

No view module imports another; what the views of two features share lives here.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django_htmx.http import HttpResponseClientRedirect

# Binding forms is the accounts app's helper; the quiz views take it from here with the rest.
from accounts.forms import bound_data

__all__ = [
    "UploadSizeLimit",
    "assigned",
    "bound_data",
    "csv_response",
    "page_or_partial",
    "redirect_or_client_redirect",
    "safe_csv_cell",
    "wants_json",
    "wants_partial",
]


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap asks for the page's partial; a history restore (Back after the cache of
    htmx ran out) asks for the whole page even though htmx sends it."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def page_or_partial(
    request: HttpRequest,
    template: str,
    partial: str | None,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """The whole page, or only its `{% partialdef partial %}` for an htmx swap (None: the
    whole page this time). The same URL answers both ways, so caches are told to keep them
    apart (Vary: HX-Request)."""
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def assigned(request: HttpRequest, created: Sequence[Any], said: str) -> HttpResponse:
    """After assigning (a quiz, practice): `said` (with %(classes)s) names the classes the
    assignments `created` went to; next the one assignment's live view, or the list of
    assignments when there are several."""
    messages.success(request, said % {"classes": ", ".join(a.classroom.name for a in created)})
    if len(created) == 1:
        return redirect("teach:assignment_live", assignment_id=created[0].pk)
    return redirect("teach:assignment_list")


def redirect_or_client_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """After a write: a plain redirect, or for htmx a client-side one (HX-Redirect), so the
    browser loads the new page whole instead of swapping it into the old one."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def wants_json(request: HttpRequest) -> bool:
    """Scripts (and the upload page's progress bars) ask for JSON with an Accept header."""
    return "application/json" in request.headers.get("Accept", "")


def safe_csv_cell(value: object) -> object:
    """A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets: a
    student named "=HYPERLINK(...)" must stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# The two shapes of a CSV download (docs/exports.md): "standard" (comma, decimal point, what
# scripts and English spreadsheets read) and "excel-de" (semicolon, decimal comma, what German
# Excel opens by double-click). `?csv=` chooses; without it, the page's language decides.
CSV_STYLES = ("standard", "excel-de")


def csv_style(request: HttpRequest) -> str:
    asked = request.GET.get("csv", "")
    if asked in CSV_STYLES:
        return asked
    return "excel-de" if (get_language() or "").startswith("de") else "standard"


def _decimal_comma(value: object) -> object:
    """A float or Decimal with a decimal comma, at full precision; anything else as it is."""
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return value


def csv_response(
    filename: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    style: str = "standard",
) -> HttpResponse:
    """A CSV download (docs/exports.md): UTF-8 with a byte-order mark, one header row, and
    text cells guarded against spreadsheet formulas; `style` is one of CSV_STYLES."""
    german = style == "excel-de"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark, so spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";" if german else ",")
    writer.writerow(columns)
    for row in rows:
        cells = [safe_csv_cell(v) for v in row]
        writer.writerow([_decimal_comma(v) for v in cells] if german else cells)
    return response


class UploadSizeLimit(FileUploadHandler):
    """Stops reading a file as soon as it passes the upload limit, so a 5 GB mistake is
    neither kept in memory nor written to a temporary file; the view reports it by name.

    `clean_name` turns the browser's file name into the one shown back to the person."""

    def __init__(self, request: HttpRequest, limit: int, clean_name: Callable[[str], str]) -> None:
        super().__init__(request)
        self.limit = limit
        self.clean_name = clean_name
        self.refused: list[str] = []

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.refused.append(self.clean_name(self.file_name or ""))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file
