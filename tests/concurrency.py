"""Running work on a database connection of its own, for the tests of what happens when two
transactions meet (test_aggregation_faults.py, test_privacy.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections

WAIT = 120  # seconds: generous, for a slow shared machine


class Background:
    """A function running in a thread of its own (so on its own database connection)."""

    def __init__(self, name: str, function: Callable[[], object]) -> None:
        self.pid = 0
        self._outcome: dict[str, object] = {}
        self._started = threading.Event()

        def run() -> None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self._started.set()
                self._outcome["result"] = function()
            except BaseException as error:
                self._outcome["error"] = error
            finally:
                self._started.set()
                connections.close_all()

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        self.thread.start()
        assert self._started.wait(WAIT)

    def result(self) -> object:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), f"{self.thread.name} is stuck"
        if "error" in self._outcome:
            raise self._outcome["error"]  # type: ignore[misc]
        return self._outcome["result"]


def waits_for(pid: int, holder_pid: int) -> bool:
    """Whether the PostgreSQL backend `pid` is waiting for a lock `holder_pid` holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [holder_pid, pid])
        return cursor.fetchone()[0]
