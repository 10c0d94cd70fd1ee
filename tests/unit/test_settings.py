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


def _readme_production_env() -> dict[str, str]:
    """The `# production.env` block of the README, as the environment it documents."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("# production.env\n", 1)[1].split("```", 1)[0]
    env = {}
    for line in block.splitlines():
        name, _, value = line.strip().partition("=")
        if name:
            env[name] = value
    return env


def test_check_deploy_is_clean_with_the_readmes_production_settings(tmp_path):
    documented = _readme_production_env()
    assert documented["DEBUG"] == "false" and "SECURE_SSL_REDIRECT" in documented
    # The browser tests allow async-unsafe ORM calls in this process; a production server
    # does not, and check --deploy says so (it must not inherit that).
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_DEFAULT and name != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(documented)
    # The README names how to make the key; a real one is needed (a weak key refuses to start).
    env["SECRET_KEY"] = "k7Qw-3vX9pL2mZ8rT5yB1nC6dF4hJ0sG-aE7uI9oP3qW5xY2zV8bN1mK4jH6gR0t"
    env.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "no issues" in done.stdout, done.stdout


def _key_of(var: Path) -> str:
    env = {name: value for name, value in os.environ.items() if name not in NOT_DEFAULT}
    env.pop("SECRET_KEY", None)
    env.update(VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true")
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_without_a_secret_key_each_install_makes_its_own(tmp_path):
    """Round and media names, a lesson check's coins and the files' padding are keyed with
    SECRET_KEY: a key printed in the source (as `make run` once used) would let a student
    compute them. Each install makes its own, kept for its next start and other processes."""
    from config.settings import DEV_SECRET_KEY, secret_key_weakness

    first, second = _key_of(tmp_path / "one"), _key_of(tmp_path / "two")
    assert first != second and DEV_SECRET_KEY not in (first, second)
    assert not secret_key_weakness(first) and first not in (ROOT / "config/settings.py").read_text()
    assert _key_of(tmp_path / "one") == first
    kept = tmp_path / "one" / "secret-key"
    assert kept.stat().st_mode & 0o777 == 0o600
    kept.write_text("")  # a file left empty (a full disk) is replaced
    assert _key_of(tmp_path / "one") not in ("", first)
