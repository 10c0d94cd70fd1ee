"""Models from the rows of hand-written SQL, made as a queryset makes them.

A few hot paths write their SQL out, because building the query with the ORM took the web
worker longer than the database took to run it (a submit's locked read and its clips:
quiz.services.play, bench/submit.py). Their rows still become models whose fields hold what
a queryset's would: every field's database converters run (JSON, and dates and booleans on
SQLite), and a LEFT JOIN that found nothing gives None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


def columns(alias: str, model: type[Model]) -> list[str]:
    """The model's columns under the table alias, in the order `models_from` reads them."""
    return list(_columns(alias, model, connection.vendor))


@cache
def _columns(alias: str, model: type[Model], vendor: str) -> tuple[str, ...]:
    quote = connection.ops.quote_name
    return tuple(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


@cache
def _reading(
    model: type[Model], vendor: str
) -> tuple[list[str], int, list[tuple[Col, list[Callable[..., Any]]]]]:
    """The model's attribute names, its primary key's place and each column's converters
    (the backend's, then the field's, as the SQL compiler applies them)."""
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    converters = []
    for field in fields:
        col = field.get_col(table)
        converters.append(
            (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        )
    return [f.attname for f in fields], fields.index(model._meta.pk), converters


def models_from(row: Sequence[Any], *models: type[Model]) -> list[Model | None]:
    """One instance per model from consecutive runs of the row's values (each model's
    `columns`), None for a model whose primary key is NULL."""
    found: list[Model | None] = []
    start = 0
    for model in models:
        names, pk_at, converters = _reading(model, connection.vendor)
        values = list(row[start : start + len(names)])
        start += len(names)
        if values[pk_at] is None:
            found.append(None)
            continue
        for i, (col, funcs) in enumerate(converters):
            for convert in funcs:
                values[i] = convert(values[i], col, connection)
        found.append(model.from_db(connection.alias, names, values))
    return found
