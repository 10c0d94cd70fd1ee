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
def _fast_password_hashing(settings) -> None:
    """A cheap hasher for the tests' many users (the real one costs ~0.5 s a user and tests
    nothing of ours); production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery(settings) -> Iterator[None]:
    """Unit and page tests run queued tasks in-process; `celery_worker` switches to a worker."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _default_time_zone() -> Iterator[None]:
    """Each test starts and ends in the default time zone. A request through the test client
    activates the signed-in user's school's zone for its thread (accounts.middleware; a
    server's next request sets it again), which would otherwise carry into the next test."""
    from django.utils import timezone

    timezone.deactivate()
    yield
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache_namespace() -> Iterator[None]:
    """Each test sees an empty cache (throttle counts) without flushing a Redis database
    that other runs, or this run's broker, may be using."""
    from django.core.cache import cache

    previous = cache.key_prefix
    cache.key_prefix = f"test-{uuid.uuid4().hex}"
    yield
    cache.key_prefix = previous


class DemoSnapshot:
    """The demo pack as `demo_pack_install` leaves it: its rows and its media files.

    Installing the pack renders a poster for every video and copies every file: about 0.5 s
    for each test that used it, against 0.03 s for `load`. The snapshot is taken once per
    session, by the real install inside a transaction that is rolled back; `load` then gives
    a test the same rows (new primary keys, the same media names) and a copy of the files in
    its own MEDIA_ROOT, which is what the install would have given it.
    """

    # What demo_pack_install creates, parents first. take() refuses to go on if the install
    # starts writing to any other table, so that a test can never miss part of the pack.
    MODELS = ("quiz.Clip", "quiz.Artifact", "quiz.Quiz", "quiz.QuizItem")

    def __init__(self, build_dir: Path, folder: Path) -> None:
        self.media = folder / "media"
        self.originals = folder / "originals"
        self.rows: list[tuple[str, list[dict]]] = []
        self._take(build_dir)

    @staticmethod
    def _counts() -> dict[str, int]:
        from django.apps import apps

        return {
            model._meta.label: model._default_manager.count()
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }

    def _take(self, build_dir: Path) -> None:
        from django.apps import apps
        from django.db import transaction
        from django.test import override_settings

        from quiz.packs.demo import demo_pack_install

        self.media.mkdir()
        self.originals.mkdir()
        with (
            override_settings(MEDIA_ROOT=self.media, ORIGINALS_ROOT=self.originals),
            transaction.atomic(),
        ):
            before = self._counts()
            demo_pack_install(build_dir)
            after = self._counts()
            for label in self.MODELS:
                model = apps.get_model(label)
                fields = [f.attname for f in model._meta.concrete_fields]
                self.rows.append(
                    (label, list(model._default_manager.order_by("pk").values(*fields)))
                )
            transaction.set_rollback(True)
        others = {label for label in after if after[label] != before[label]} - set(self.MODELS)
        if others:
            raise pytest.UsageError(
                f"demo_pack_install now also writes {sorted(others)}: add them to "
                "DemoSnapshot.MODELS in tests/conftest.py"
            )

    def load(self) -> None:
        """Create the pack's rows in the test database and its files in MEDIA_ROOT."""
        import shutil

        from django.apps import apps
        from django.conf import settings

        shutil.copytree(self.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        shutil.copytree(self.originals, settings.ORIGINALS_ROOT, dirs_exist_ok=True)
        new_pk: dict[str, dict[object, object]] = {}
        for label, rows in self.rows:
            model = apps.get_model(label)
            pk = model._meta.pk.attname
            links = {
                f.attname: f.related_model._meta.label
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not None
            }
            objects = []
            for row in rows:
                values = {name: value for name, value in row.items() if name != pk}
                for name, target in links.items():
                    if values[name] is not None:
                        # Every link of a demo row points at another demo row.
                        values[name] = new_pk[target][values[name]]
                objects.append(model(**values))
            created = model._default_manager.bulk_create(objects)
            new_pk[label] = {row[pk]: obj.pk for row, obj in zip(rows, created, strict=True)}


@pytest.fixture(scope="session")
def demo_snapshot(demo_build_dir, django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        return DemoSnapshot(demo_build_dir, tmp_path_factory.mktemp("demo-snapshot"))


@pytest.fixture
def demo_pack(db, _media_root, demo_snapshot):
    """The demo pack installed (rows and media), as `demo_pack_install` would leave it."""
    from quiz.models import Quiz

    demo_snapshot.load()
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


FOLDER_MARKERS = {"unit": "unit", "integration": "integration", "e2e": "e2e"}


def pytest_collection_modifyitems(config, items) -> None:
    """Every test gets the marker of its folder (tests/unit, tests/integration, tests/e2e).
    Browser tests run only where Chromium is installed, and never silently skip in CI."""
    tests = Path(__file__).resolve().parent
    for item in items:
        path = Path(str(item.path)).resolve()
        if path.is_relative_to(tests):
            marker = FOLDER_MARKERS.get(path.relative_to(tests).parts[0])
            if marker is not None:
                item.add_marker(marker)
    chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    if chromium.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"CI=true needs Chromium at {chromium} for the browser tests")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {chromium}")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
