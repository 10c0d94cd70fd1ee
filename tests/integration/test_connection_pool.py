"""DATABASE_POOL: a pool of PostgreSQL connections per process (README, Production), for
the ASGI server, where every request runs in a thread of its own and would otherwise open a
connection of its own. Checked in a process of its own with the production settings' code
path; its speed is measured by bench/live.py, never here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Requests in threads, as under uvicorn: each borrows a connection and gives it back when
# its request ends (request_finished closes it, which returns it to the pool).
PROGRAM = """
import threading
import django
from django.conf import settings
django.setup()
from django.core.signals import request_finished, request_started
from django.db import connection

default = settings.DATABASES["default"]
print("conn_max_age", default["CONN_MAX_AGE"])
print("max_size", default["OPTIONS"]["pool"]["max_size"])
backends = []

def request():
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends.append(cursor.fetchone()[0])
    request_finished.send(sender=None)

for wave in range(5):
    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
print("requests", len(backends))
print("backends", len(set(backends)))
print("lent", connection.pool.get_stats().get("requests_num", 0))
"""


def _run(pool: str) -> dict[str, int]:
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "DATABASE_POOL": pool,
        "DATABASE_CONN_MAX_AGE": "60",  # a pool and persistent connections exclude each other
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DATABASE_NAME", None)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {line.split()[0]: int(line.split()[1]) for line in done.stdout.splitlines()}


@pytest.mark.django_db(transaction=True)
def test_requests_in_threads_share_a_few_pooled_connections():
    found = _run("3")
    assert found["conn_max_age"] == 0 and found["max_size"] == 3
    assert found["requests"] == 15
    # Fifteen requests, never more than three at once: at most three backends, each lent
    # again and again, where fifteen connections would have been opened without the pool.
    assert found["backends"] <= 3
    assert found["lent"] >= 15
