"""The German catalogue is complete (issue 13 §1): every string the site shows has a German
translation, none is fuzzy, and the compiled catalogue that ships is the one the source says.

Needs GNU gettext (msgfmt, xgettext): `make test` installs it; without it these tests fail
with a message that says so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages reads: the site's own code and templates (not the tests, benchmarks or
# the virtual environment).
SOURCES = ("accounts", "quiz", "config", "templates", "static", "manage.py")


@pytest.fixture(autouse=True)
def _gettext() -> None:
    # `make test` installs it (gettext-deps); a missing tool is a failure, never a skip.
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) is missing: apt-get install -y gettext")


def _msgids(po: Path) -> set[str]:
    """Every msgid (with its context and plural) of a catalogue, obsolete entries left out."""
    text = po.read_text(encoding="utf-8")
    entries = set()
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        key = []
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural) "(.*)"$', line)
            if match:
                current = match.group(1)
                key.append([current, match.group(2)])
            elif line.startswith('"') and current in ("msgctxt", "msgid", "msgid_plural"):
                key[-1][1] += line[1:-1]
            else:
                current = None
        ids = tuple((k, v) for k, v in key)
        if ids and ids != (("msgid", ""),):
            entries.add(ids)
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    done = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    report = done.stderr.strip()
    assert "untranslated" not in report and "fuzzy" not in report, report


def test_makemessages_finds_no_string_the_catalogue_lacks(tmp_path):
    copy = tmp_path / "site"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    shutil.copytree(ROOT / "locale", copy / "locale")
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "de",
            "--add-location=file",
            "--no-obsolete",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "VAR_DIR": str(tmp_path / "var")},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    fresh = _msgids(copy / "locale" / "de" / "LC_MESSAGES" / "django.po")
    committed = _msgids(PO)
    missing = sorted(fresh - committed)
    assert not missing, f"{len(missing)} strings are not in locale/de: {missing[:10]}"


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), (
        "locale/de/LC_MESSAGES/django.mo is stale: run "
        "`msgfmt -o locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/django.po`"
    )
