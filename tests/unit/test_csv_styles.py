"""CSV downloads in two shapes (issue 13 §1): comma and decimal point, or what German Excel
expects (semicolon, decimal comma), both with the byte-order mark and formula guard."""

from __future__ import annotations

from decimal import Decimal

from django.test import RequestFactory
from django.utils import translation

from quiz.responses import csv_response, csv_style


def _text(response) -> str:
    return response.content.decode("utf-8")


def test_standard_csv_keeps_points_and_commas():
    out = _text(csv_response("a.csv", ["name", "rate"], [["8A, Lakeside", 0.7665], ["=1+1", 3]]))
    assert out.startswith("\ufeff")
    assert out.splitlines()[1:] == ['"8A, Lakeside",0.7665', "'=1+1,3"]


def test_german_excel_csv_uses_semicolons_and_decimal_commas_at_full_precision():
    rows = [["8A; Lakeside", 0.7665, Decimal("1.25"), 12, True, "1.5 text"]]
    out = _text(csv_response("a.csv", ["name", "rate", "d", "n", "b", "t"], rows, style="excel-de"))
    assert out.splitlines()[0] == "\ufeffname;rate;d;n;b;t"
    assert out.splitlines()[1] == '"8A; Lakeside";0,7665;1,25;12;True;1.5 text'


def test_the_style_follows_the_language_unless_asked():
    factory = RequestFactory()
    with translation.override("de"):
        assert csv_style(factory.get("/x.csv")) == "excel-de"
        assert csv_style(factory.get("/x.csv?csv=standard")) == "standard"
    with translation.override("en"):
        assert csv_style(factory.get("/x.csv")) == "standard"
        assert csv_style(factory.get("/x.csv?csv=excel-de")) == "excel-de"
        assert csv_style(factory.get("/x.csv?csv=<script>")) == "standard"
