"""Models from the rows of hand-written SQL, made as a queryset makes them.

A few hot paths write their SQL out, because building the query with the ORM took the web
worker longer than the database took to run it (a submit's locked read and its clips:
quiz.services.play, bench/submit.py). Their rows still become models whose fields hold what
a queryset's would: every field's database converters run (JSON, and dates and booleans on
SQLite), and a LEFT JOIN that found nothing gives None. They run on `cursor()`, which has
PostgreSQL plan each of them once per connection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model
from django.db.models.expressions import Col


def cursor() -> CursorWrapper:
    """A cursor for a hot path's written-out statements.

    Django's own cursors bind parameters on the client, so PostgreSQL parses and plans every
    statement again on every request; planning a submit's closure check took it longer than
    running it (0.43 ms against 0.25 ms). On PostgreSQL (unless settings.DATABASE_PREPARE is
    off) this cursor binds on the server and prepares each statement the first time its
    connection runs it, so a persistent connection (CONN_MAX_AGE, or a pool) plans it once.
    Its statements are logged and counted like any other, and its errors are Django's."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARE:
        return connection.cursor()
    # What connection.cursor() does before it makes its cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = _prepared_cursor_class()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


@cache
def _prepared_cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **{**options, "prepare": True})

    return PreparedCursor


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
