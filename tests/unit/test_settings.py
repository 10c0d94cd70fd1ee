"""The embedded default works in a fresh clone: settings create the folders it writes to."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Settings that would point the run at something other than the embedded default.
NOT_DEFAULT = (
    "DATABASE_URL",
    "TEST_DATABASE_NAME",
    "MEDIA_ROOT",
    "ORIGINALS_ROOT",
    "STATIC_ROOT",
    "DEMO_BUILD_DIR",
)


def test_migrate_creates_var_for_the_embedded_default(tmp_path):
    var = tmp_path / "clone" / "var"  # neither it nor its parent exists yet
    work = tmp_path / "cwd"
    work.mkdir()
    env = {name: value for name, value in os.environ.items() if name not in NOT_DEFAULT}
    env.update(VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert (var / "secondlook.sqlite3").stat().st_size > 0
    assert (var / "media").is_dir() and (var / "originals").is_dir()
    assert not list(work.iterdir())  # nothing written where the command ran
