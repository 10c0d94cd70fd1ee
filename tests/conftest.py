"""Shared fixtures: a small cast of users, the demo pack, media in a temporary folder, and a
real Celery worker for the integration tests that need one."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Synthesizing the demo media takes a while; it is deterministic and versioned, so the tests
# share one build (kept between local runs, fresh in CI's clean clone).
DEMO_BUILD_DIR = ROOT / "var" / "test-demo-build"


@pytest.fixture(scope="session")
def demo_build_dir() -> Path:
    from quiz.packs import synth

    synth.build_demo_media(DEMO_BUILD_DIR)
    return DEMO_BUILD_DIR


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory) -> None:
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.ORIGINALS_ROOT = tmp_path_factory.mktemp("originals")


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> Iterator[None]:
    """Unit and page tests run queued tasks in-process; `celery_worker` switches to a worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_cache_namespace() -> Iterator[None]:
    """Each test sees an empty cache (throttle counts) without flushing a Redis database
    that other runs, or this run's broker, may be using."""
    from django.core.cache import cache

    previous = cache.key_prefix
    cache.key_prefix = f"test-{uuid.uuid4().hex}"
    yield
    cache.key_prefix = previous


@pytest.fixture
def demo_pack(db, demo_build_dir):
    from quiz.packs.demo import demo_pack_install

    demo_pack_install(demo_build_dir)
    from quiz.models import Quiz

    return Quiz.objects.get(slug="demo")


def _make_user(username: str, role: str, **extra):
    from accounts.models import User

    return User.objects.create_user(
        username=username, password="pw-" + username, role=role, **extra
    )


@pytest.fixture
def student(db):
    return _make_user("stu", "student", first_name="Stu")


@pytest.fixture
def other_student(db):
    return _make_user("other", "student")


@pytest.fixture
def teacher(db):
    return _make_user("teach", "teacher")


@pytest.fixture
def educator(db):
    return _make_user("edu", "educator")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[object]:
    """A real Celery worker consuming from the real Redis broker, in a thread of this process
    so that it shares the test database."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20
    ) as worker:
        yield worker


def pytest_collection_modifyitems(config, items) -> None:
    """Browser tests run only where Chromium is installed, and never silently skip in CI."""
    chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    if chromium.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true needs Chromium at {chromium} for the browser tests")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {chromium}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
