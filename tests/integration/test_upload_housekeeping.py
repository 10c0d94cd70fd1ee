"""Uploads that failed are cleaned up, a file the library already holds is named rather than
stored twice, and an exported pack imports back whatever the library holds (issue 11 §5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import School, User
from quiz.models import Clip
from quiz.packs.exporter import export_pack
from quiz.packs.importer import import_pack
from quiz.services import uploads as ingest
from quiz.services.uploads import UploadRefused, clip_upload_create
from quiz.tasks import failed_uploads_remove
from tests.unit.test_ingest import h264_mp4

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/library/upload/"
JSON = {"Accept": "application/json"}


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="pw", role="teacher", school=school)


@pytest.fixture
def video(tmp_path) -> bytes:
    return h264_mp4(tmp_path / "walk.mp4").read_bytes()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, name: str, data: bytes, capture):
    with capture(execute=True):
        return client.post(
            UPLOAD_URL,
            {"is_generated": "real", "file": SimpleUploadedFile(name, data)},
            headers=JSON,
        )


def _originals() -> list[Path]:
    root = Path(settings.ORIGINALS_ROOT) / ingest.ORIGINALS_DIR
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Failed uploads go -----------------------------------------------------------------------


def test_a_failed_upload_keeps_no_file_and_its_row_goes_after_a_day(
    teacher, video, django_capture_on_commit_callbacks
):
    client = _client(teacher)
    page = b"<!DOCTYPE html><html><body>not a video</body></html>"
    failed = Clip.objects.get(
        pk=_post(client, "a.mp4", page, django_capture_on_commit_callbacks).json()["clips"][0]["id"]
    )
    ready = Clip.objects.get(
        pk=_post(client, "b.mp4", video, django_capture_on_commit_callbacks).json()["clips"][0][
            "id"
        ]
    )
    failed.refresh_from_db()
    ready.refresh_from_db()
    assert failed.status == Clip.Status.FAILED and failed.original == ""
    assert ready.status == Clip.Status.READY and ready.original
    # Only the ready clip's original is kept.
    assert len(_originals()) == 1
    # The uploader is told the message disappears.
    status = client.get("/library/upload/status/")
    assert "disappears after a day" in status.content.decode()

    # Within the day, the row (and its message) stays.
    assert failed_uploads_remove.apply().get() == 0
    assert Clip.objects.filter(pk=failed.pk).exists()

    Clip.objects.filter(pk__in=[failed.pk, ready.pk]).update(
        created_at=timezone.now() - timedelta(hours=settings.FAILED_UPLOAD_KEEP_HOURS, minutes=1)
    )
    assert failed_uploads_remove.apply().get() == 1
    assert not Clip.objects.filter(pk=failed.pk).exists()
    # A ready clip of the same age is never touched, nor its original.
    assert Clip.objects.filter(pk=ready.pk, status=Clip.Status.READY).exists()
    assert len(_originals()) == 1
    # Running it again changes nothing.
    assert failed_uploads_remove.apply().get() == 0


def test_the_beat_removes_failed_uploads_every_hour():
    from config.celery import app

    schedule = app.conf.beat_schedule["failed-uploads-remove"]
    assert schedule["task"] == "quiz.tasks.failed_uploads_remove"
    assert schedule["schedule"] == 3600.0


# --- The same file twice ---------------------------------------------------------------------


def test_a_second_upload_of_the_same_file_names_the_clip_that_holds_it(
    teacher, video, django_capture_on_commit_callbacks
):
    client = _client(teacher)
    first = _post(client, "walk.mp4", video, django_capture_on_commit_callbacks)
    assert first.status_code == 201
    clip = Clip.objects.get()
    originals = _originals()

    again = _post(client, "renamed.mp4", video, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    (error,) = again.json()["errors"]
    assert "already in the library" in error and "walk.mp4" in error and str(clip.pk) in error
    # Nothing was stored for the refused copy.
    assert Clip.objects.count() == 1
    assert _originals() == originals

    # A colleague of the same school sees the clip too, and is told the same.
    colleague = User.objects.create_user(
        "colleague", password="pw", role="teacher", school=teacher.school
    )
    with pytest.raises(UploadRefused, match="already in the library"):
        clip_upload_create(
            uploader=colleague, upload=SimpleUploadedFile("x.mp4", video), is_generated=False
        )


def test_another_schools_copy_is_neither_named_nor_refused(
    teacher, video, django_capture_on_commit_callbacks
):
    _post(_client(teacher), "walk.mp4", video, django_capture_on_commit_callbacks)
    other_school = School.objects.create(name="Riverside School")
    stranger = User.objects.create_user(
        "stranger", password="pw", role="teacher", school=other_school
    )
    response = _post(_client(stranger), "mine.mp4", video, django_capture_on_commit_callbacks)
    # A private upload of another school is not revealed by refusing this one.
    assert response.status_code == 201
    assert Clip.objects.filter(status=Clip.Status.READY).count() == 2


def test_after_a_failed_upload_the_same_file_may_be_uploaded_again(
    teacher, django_capture_on_commit_callbacks
):
    page = b"<!DOCTYPE html><html><body>not a video</body></html>"
    client = _client(teacher)
    _post(client, "a.mp4", page, django_capture_on_commit_callbacks)
    response = _post(client, "a.mp4", page, django_capture_on_commit_callbacks)
    assert response.status_code == 201
    assert Clip.objects.filter(status=Clip.Status.FAILED).count() == 2


def test_every_uploaded_clip_has_a_key_of_its_own(
    teacher, video, tmp_path, django_capture_on_commit_callbacks
):
    _post(_client(teacher), "walk.mp4", video, django_capture_on_commit_callbacks)
    clip = Clip.objects.get()
    assert clip.key.startswith("upload-") and len(clip.key) > len("upload-") + 8


# --- Export and import round trip whatever the library holds ---------------------------------


def test_two_clips_of_one_file_export_and_import_back_as_two(
    teacher, video, tmp_path, django_capture_on_commit_callbacks
):
    _post(_client(teacher), "walk.mp4", video, django_capture_on_commit_callbacks)
    other = User.objects.create_user(
        "other", password="pw", role="teacher", school=School.objects.create(name="Riverside")
    )
    _post(_client(other), "walk-too.mp4", video, django_capture_on_commit_callbacks)
    # A clip made without a key (by hand, or before keys were given) exports too.
    Clip.objects.filter(uploaded_by=other).update(key=None)
    assert Clip.objects.filter(status=Clip.Status.READY).count() == 2

    out = tmp_path / "library.zip"
    assert export_pack(out, title="Everything") == 2
    keys = sorted(Clip.objects.values_list("key", flat=True))
    assert all(keys) and len(set(keys)) == 2

    # Into this library again: both present, nothing created.
    again = import_pack(out)
    assert again.created == [] and sorted(again.skipped) == keys

    # Into an empty library: both come back.
    Clip.objects.all().delete()
    report = import_pack(out)
    assert sorted(report.created) == keys
    assert Clip.objects.count() == 2
