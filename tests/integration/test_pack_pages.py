"""Clip packs from the library pages: import (staff), export (library users), the job page
with its progress, the download, and every hostile upload.

Packs are built from tiny generated media with the helpers of test_packs.py. Queued tasks run
eagerly when the request's transaction commits (django_capture_on_commit_callbacks), so a
test reads the finished job straight after its POST; one test runs a real Celery worker.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from accounts.models import School, User
from quiz.media.encode import encode_video
from quiz.models import Clip, PackJob
from quiz.packs.archive import read_pack
from quiz.packs.exporter import export_pack
from quiz.packs.format import PackError
from quiz.packs.importer import import_pack
from quiz.selectors.packs import PACK_DIR, export_file
from quiz.services import packs as pack_services
from tests.integration.test_packs import (
    HOSTILE,
    Media,
    _foreign_video,
    _frames,
    _good_files,
    _good_manifest,
    _jpeg,
    _manifest,
    _photo_item,
    library_state,
    media_files,
    write_zip,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "/library/packs/import/"
EXPORT_URL = "/library/packs/export/"
JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}


# --------------------------------------------------------------------------------------------
# The cast, media and packs
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack_media(tmp_path_factory) -> Media:
    folder = tmp_path_factory.mktemp("pack-page-media")
    _foreign_video(folder / "foreign.mp4")
    encode_video(_frames(), folder / "ours.mp4")
    return Media(
        video=(folder / "foreign.mp4").read_bytes(),
        h264=(folder / "ours.mp4").read_bytes(),
        photo=_jpeg((200, 120, 40)),
        other_photo=_jpeg((20, 90, 160)),
    )


@pytest.fixture(autouse=True)
def work_dir(settings, tmp_path_factory) -> Path:
    settings.PACK_WORK_DIR = tmp_path_factory.mktemp("pack-work")
    return settings.PACK_WORK_DIR


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def staff():
    return User.objects.create_user("curator", password="x", role="teacher", is_staff=True)


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="x", role="teacher", school=school)


@pytest.fixture
def stranger():
    other = School.objects.create(name="Lakeside School")
    return User.objects.create_user("stranger", password="x", role="teacher", school=other)


def _client(user: User | None = None, **options: Any) -> Client:
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def staff_client(staff) -> Client:
    return _client(staff)


@pytest.fixture
def good_pack(pack_media, tmp_path) -> bytes:
    return write_zip(tmp_path / "good.zip", _good_files(pack_media), _good_manifest()).read_bytes()


def _post_pack(
    client: Client,
    capture: Callable[..., Any],
    data: bytes,
    name: str = "wildlife.zip",
    *,
    headers: dict[str, str] | None = None,
):
    """POST a pack like pack_upload.js does; the queued job runs (eagerly) after commit."""
    with capture(execute=True):
        return client.post(
            IMPORT_URL,
            {"file": SimpleUploadedFile(name, data, content_type="application/zip")},
            headers=JSON if headers is None else headers,
        )


def _job_of(response) -> PackJob:
    assert response.status_code == 201, response.content
    return PackJob.objects.get(pk=response.json()["job"])


def _stored_packs() -> list[Path]:
    folder = Path(django_settings.ORIGINALS_ROOT) / PACK_DIR
    return sorted(folder.iterdir()) if folder.exists() else []


# --------------------------------------------------------------------------------------------
# Importing through the page
# --------------------------------------------------------------------------------------------


def test_staff_import_a_good_pack_and_the_job_page_links_every_clip(
    staff_client, django_capture_on_commit_callbacks, good_pack, work_dir
):
    response = _post_pack(staff_client, django_capture_on_commit_callbacks, good_pack)

    job = _job_of(response)
    assert response.json()["job_url"] == f"/library/packs/jobs/{job.pk}/"
    assert (job.kind, job.status, job.problems) == ("import", "done", [])
    assert job.title == "wildlife.zip"
    assert len(job.report["created"]) == 3 and job.report["skipped"] == []
    assert job.progress_done == job.progress_total
    clips = Clip.objects.order_by("id")
    assert clips.count() == 3
    # Imported clips are the shared library's: nobody uploaded them.
    assert all(c.uploaded_by_id is None and c.school_id is None for c in clips)
    # The uploaded pack and the work folder are gone.
    assert _stored_packs() == [] and job.pack_file == ""
    assert list(work_dir.iterdir()) == []

    html = staff_client.get(response.json()["job_url"]).content.decode()
    assert "3 clips created" in html
    for clip in clips:
        assert f'href="/library/clips/{clip.pk}/"' in html
    assert "hx-trigger" not in html  # finished: nothing polls


def test_importing_the_same_pack_again_skips_every_clip(
    staff_client, django_capture_on_commit_callbacks, good_pack
):
    _post_pack(staff_client, django_capture_on_commit_callbacks, good_pack)
    before = library_state()
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))
    assert job.status == "done"
    assert job.report["created"] == [] and len(job.report["skipped"]) == 3
    assert library_state() == before
    html = staff_client.get(f"/library/packs/jobs/{job.pk}/").content.decode()
    assert "0 clips created" in html and "3 already in the library (skipped)" in html


def test_without_javascript_the_form_posts_and_lands_on_the_job_page(
    staff_client, django_capture_on_commit_callbacks, good_pack
):
    response = _post_pack(staff_client, django_capture_on_commit_callbacks, good_pack, headers={})
    job = PackJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"/library/packs/jobs/{job.pk}/"
    assert job.status == "done" and Clip.objects.count() == 3


def test_the_import_page_has_a_labelled_file_input_progress_and_no_inline_code(staff_client):
    html = staff_client.get(IMPORT_URL).content.decode()
    assert '<label for="id_file">Clip pack (.zip)</label>' in html
    assert 'type="file" id="id_file" name="file" required accept=".zip' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'data-max-bytes="{django_settings.PACK_MAX_BYTES}"' in html
    assert '<progress id="pack-upload-progress"' in html
    assert "js/pack_upload.js" in html
    assert "style=" not in html
    assert "<script>" not in html and "onclick" not in html


# --------------------------------------------------------------------------------------------
# Hostile and broken uploads: a clear message, no clip, no file left
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("notes.zip", b"these are my notes, not a zip\n" * 20, "This file is not a zip file"),
        ("empty.zip", b"", "This file is empty (0 bytes)"),
        ("photo.zip", _jpeg((1, 2, 3)), "This file is not a zip file"),
    ],
    ids=["text", "empty", "a photo named .zip"],
)
def test_what_cannot_be_a_pack_is_refused_at_once(
    staff_client, django_capture_on_commit_callbacks, name, data, expected
):
    response = _post_pack(staff_client, django_capture_on_commit_callbacks, data, name)
    assert response.status_code == 400
    assert any(expected in e for e in response.json()["errors"]), response.json()
    # Without JavaScript: the page again, with the message by the file input.
    response = _post_pack(staff_client, django_capture_on_commit_callbacks, data, name, headers={})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PackJob.objects.exists() and not Clip.objects.exists()
    assert _stored_packs() == []


def test_an_upload_over_the_size_limit_is_refused_with_the_limit(
    staff_client, django_capture_on_commit_callbacks, good_pack, settings
):
    settings.PACK_MAX_BYTES = 2048
    assert len(good_pack) > 2048
    response = _post_pack(staff_client, django_capture_on_commit_callbacks, good_pack)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "This file is larger than 2 kB, the most a clip pack may be (the PACK_MAX_BYTES "
        "limit). Split the pack into smaller packs and import each."
    ]
    assert not PackJob.objects.exists() and not Clip.objects.exists()
    assert _stored_packs() == []


def test_a_post_without_a_file_says_so(staff_client):
    response = staff_client.post(IMPORT_URL, {}, headers=JSON)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "No file arrived. Choose a clip pack (a .zip file) and import it again."
    ]


PAGE_HOSTILE = [
    "path traversal member",
    "absolute member",
    "symlink member",
    "zip bomb",
    "duplicate names",
    "missing file",
    "unlisted file",
    "no manifest",
    "unknown category",
    "end before start",
    "version 2",
    "header lies about the size",
    "PNG decompression bomb",
    "a bad item after good ones",
]


@pytest.fixture
def existing_clip(pack_media, tmp_path) -> None:
    """A library that already holds a clip, so a refused import has something to lose."""
    pack = write_zip(
        tmp_path / "existing.zip",
        {"a.jpg": pack_media.photo},
        _manifest(_photo_item("a.jpg", key="existing-photo")),
    )
    import_pack(pack)


@pytest.mark.parametrize("case", PAGE_HOSTILE)
def test_a_hostile_pack_fails_its_job_lists_the_problem_and_changes_nothing(
    case,
    existing_clip,
    staff_client,
    django_capture_on_commit_callbacks,
    pack_media,
    tmp_path,
    settings,
    work_dir,
):
    build, expected = HOSTILE[case]
    data = build(tmp_path, pack_media, settings).read_bytes()
    before = library_state()

    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, data, "bad.zip"))

    assert job.status == "failed"
    assert any(expected in problem for problem in job.problems), job.problems
    assert library_state() == before
    assert Clip.objects.count() == 1
    assert _stored_packs() == [] and list(work_dir.iterdir()) == []
    html = staff_client.get(f"/library/packs/jobs/{job.pk}/").content.decode()
    assert "The pack was not imported" in html and "Nothing changed in the library" in html
    for problem in job.problems:
        assert f"<li>{escape(problem)}</li>" in html


def test_messages_never_show_where_the_pack_is_stored(
    staff_client, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(path: Path, *, progress=None):
        raise PackError([f"{path}: Permission denied"])

    monkeypatch.setattr(pack_services, "import_pack", refuse)
    data = zipfile_bytes({"manifest.json": b"{}"})
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, data, "mine.zip"))
    assert job.problems == ["mine.zip: Permission denied"]


def zipfile_bytes(members: dict[str, bytes]) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_a_crash_inside_the_import_fails_the_job_with_a_plain_message(
    staff_client, django_capture_on_commit_callbacks, good_pack, monkeypatch
):
    def crash(path: Path, *, progress=None):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pack_services, "import_pack", crash)
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))
    assert job.status == "failed"
    assert job.problems[0].startswith("Something went wrong on the server while importing")
    assert "disk on fire" not in job.problems[0]
    assert not Clip.objects.exists() and _stored_packs() == []


def test_when_the_broker_is_down_the_job_fails_at_once_and_says_so(
    staff_client, django_capture_on_commit_callbacks, good_pack, monkeypatch
):
    from quiz import tasks

    def unreachable(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.pack_import_run, "apply_async", unreachable)
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))
    assert job.status == "failed"
    assert "background workers could not be reached" in job.problems[0]
    assert _stored_packs() == []


# --------------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------------


def _some_job(owner: User, **fields: Any) -> PackJob:
    return PackJob.objects.create(kind="export", owner=owner, title="Some clips", **fields)


def test_strangers_are_sent_to_sign_in():
    client = Client()
    for url in (IMPORT_URL, "/library/packs/jobs/1/", "/library/packs/jobs/1/download/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url, url
    response = client.post(EXPORT_URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_students_may_not_use_packs(student, staff, django_capture_on_commit_callbacks, good_pack):
    client = _client(student)
    assert client.get(IMPORT_URL).status_code == 403
    assert _post_pack(client, django_capture_on_commit_callbacks, good_pack).status_code == 403
    assert client.post(EXPORT_URL).status_code == 403
    job = _some_job(staff)
    assert client.get(f"/library/packs/jobs/{job.pk}/").status_code == 403
    assert PackJob.objects.count() == 1 and not Clip.objects.exists()


def test_teachers_and_educators_see_the_page_but_may_not_import(
    teacher, educator, django_capture_on_commit_callbacks, good_pack
):
    for user in (teacher, educator):
        client = _client(user)
        html = client.get(IMPORT_URL).content.decode()
        assert 'type="file"' not in html
        assert "only the site’s curators (staff) import them" in html
        response = _post_pack(client, django_capture_on_commit_callbacks, good_pack)
        assert response.status_code == 403
    assert not PackJob.objects.exists() and not Clip.objects.exists()
    assert _stored_packs() == []


def test_another_persons_job_and_download_are_not_found(staff, teacher, stranger):
    job = _some_job(teacher, status="done", report={"clips": 1}, pack_file="packs/x.zip")
    for user in (stranger, staff):  # not even staff: a job is its owner's
        client = _client(user)
        assert client.get(f"/library/packs/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/library/packs/jobs/{job.pk}/download/").status_code == 404
        assert "Some clips" not in client.get(IMPORT_URL).content.decode()
    assert _client(teacher).get("/library/packs/jobs/999999/").status_code == 404


def test_each_url_answers_only_its_methods(staff_client, staff):
    job = _some_job(staff)
    assert staff_client.get(EXPORT_URL).status_code == 405
    assert staff_client.put(IMPORT_URL).status_code == 405
    assert staff_client.delete(IMPORT_URL).status_code == 405
    assert staff_client.post(f"/library/packs/jobs/{job.pk}/").status_code == 405
    assert staff_client.post(f"/library/packs/jobs/{job.pk}/download/").status_code == 405


def test_import_and_export_need_the_csrf_token(
    staff, django_capture_on_commit_callbacks, good_pack, pack_media
):
    import_pack_from_bytes(good_pack)
    client = _client(staff, enforce_csrf_checks=True)
    assert _post_pack(client, django_capture_on_commit_callbacks, good_pack).status_code == 403
    assert client.post(EXPORT_URL).status_code == 403
    assert not PackJob.objects.exists()
    # With the token in the header, as pack_upload.js sends it, the same request goes through.
    client.get(IMPORT_URL)
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = _post_pack(
        client,
        django_capture_on_commit_callbacks,
        good_pack,
        headers={**JSON, "X-CSRFToken": token},
    )
    assert response.status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT_URL, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert PackJob.objects.filter(kind="export").count() == 1


def import_pack_from_bytes(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.zip"
        path.write_bytes(data)
        import_pack(path)


# --------------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------------


def _stages(calls: list[tuple[str, int, int]]) -> list[str]:
    order: list[str] = []
    for stage, _done, _total in calls:
        if not order or order[-1] != stage:
            order.append(stage)
    return order


def test_import_pack_reports_its_stages_in_order(pack_media, tmp_path):
    calls: list[tuple[str, int, int]] = []
    pack = write_zip(tmp_path / "pack.zip", _good_files(pack_media), _good_manifest())
    import_pack(pack, progress=lambda *call: calls.append(call))

    assert _stages(calls) == ["manifest", "checking", "encoding", "saving"]
    checking = [c for c in calls if c[0] == "checking"]
    assert checking == [("checking", n, 3) for n in range(4)]
    encoding = [c for c in calls if c[0] == "encoding"]
    assert encoding == [("encoding", n, 3) for n in range(4)]
    assert calls[-1] == ("saving", 3, 3)


def test_only_new_clips_are_encoded_and_counted(pack_media, tmp_path):
    pack = write_zip(tmp_path / "pack.zip", _good_files(pack_media), _good_manifest())
    import_pack(pack)
    calls: list[tuple[str, int, int]] = []
    import_pack(pack, progress=lambda *call: calls.append(call))
    assert [c for c in calls if c[0] == "encoding"] == [("encoding", 0, 0)]
    assert calls[-1] == ("saving", 0, 0)


def test_the_job_records_each_stage_in_order(
    staff_client, django_capture_on_commit_callbacks, good_pack, monkeypatch
):
    recorded: list[tuple[str, int, int]] = []
    real = pack_services.job_progress_record

    def spy(*, job_id: int, stage: str, done: int, total: int) -> None:
        real(job_id=job_id, stage=stage, done=done, total=total)
        job = PackJob.objects.get(pk=job_id)
        assert job.status == "running"
        recorded.append((job.stage, job.progress_done, job.progress_total))

    monkeypatch.setattr(pack_services, "job_progress_record", spy)
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))

    assert _stages(recorded) == ["manifest", "checking", "encoding", "saving"]
    # Every stage's end is stored, whatever the throttling drops in between.
    assert ("checking", 3, 3) in recorded and ("encoding", 3, 3) in recorded
    assert recorded[-1] == ("saving", 3, 3)
    assert (job.status, job.stage, job.progress_done, job.progress_total) == ("done", "", 3, 3)


def test_an_export_reports_each_clip_written(pack_media, tmp_path):
    import_pack(write_zip(tmp_path / "in.zip", _good_files(pack_media), _good_manifest()))
    calls: list[tuple[str, int, int]] = []
    export_pack(tmp_path / "out.zip", title="Out", progress=lambda *c: calls.append(c))
    assert calls == [("writing", n, 3) for n in range(4)]


def _running_job(owner: User, **fields: Any) -> PackJob:
    values = {"stage": "encoding", "progress_done": 3, "progress_total": 12, **fields}
    return PackJob.objects.create(
        kind="import", owner=owner, title="big.zip", status="running", **values
    )


def test_a_poll_answers_the_progress_alone_and_keeps_polling_while_running(staff_client, staff):
    job = _running_job(staff)
    url = f"/library/packs/jobs/{job.pk}/"

    page = staff_client.get(url).content.decode()
    assert "<h1>Import of big.zip</h1>" in page
    assert f'hx-get="{url}?seen=running-encoding" hx-trigger="every 1s"' in page

    response = staff_client.get(url, {"seen": "running-encoding"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" not in html  # the status region alone
    assert html.lstrip().startswith('<section id="pack-job"')
    assert re.search(r'<progress id="pack-job-progress"[^>]* max="12" value="3"', html)
    assert "Encoding media: 3 of 12" in html
    assert 'hx-trigger="every 1s"' in html
    assert "hx-swap-oob" not in html  # same stage as last time: nothing to announce
    assert response["Cache-Control"] == "no-store"


def test_a_new_stage_is_announced_once_to_screen_readers(staff_client, staff):
    job = _running_job(staff, stage="saving", progress_done=0, progress_total=12)
    url = f"/library/packs/jobs/{job.pk}/"
    html = staff_client.get(url, {"seen": "running-encoding"}, headers=HTMX).content.decode()
    assert '<div hx-swap-oob="innerHTML:#announce">Saving clips</div>' in html
    assert "?seen=running-saving" in html


def test_a_queued_job_shows_an_indeterminate_bar(staff_client, staff):
    job = PackJob.objects.create(kind="import", owner=staff, title="big.zip")
    html = staff_client.get(f"/library/packs/jobs/{job.pk}/", headers=HTMX).content.decode()
    assert re.search(r'<progress id="pack-job-progress"[^>]*></progress>', html)
    assert "value=" not in re.search(r"<progress[^>]*>", html).group(0)
    assert "Waiting for a worker" in html


def test_a_poll_stops_once_the_job_is_done(
    staff_client, django_capture_on_commit_callbacks, good_pack
):
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))
    url = f"/library/packs/jobs/{job.pk}/"
    html = staff_client.get(url, {"seen": "running-saving"}, headers=HTMX).content.decode()
    assert html.lstrip().startswith('<section id="pack-job"')
    assert "hx-get" not in html and "hx-trigger" not in html
    assert "<progress" not in html
    assert "3 clips created" in html
    assert "Import finished: 3 clips created, 0 already present." in html


def test_the_import_page_lists_the_recent_jobs_and_polls_while_one_runs(staff_client, staff):
    done = _some_job(staff, status="done", report={"clips": 2})
    running = _running_job(staff)
    html = staff_client.get(IMPORT_URL).content.decode()
    assert f'href="/library/packs/jobs/{done.pk}/"' in html
    assert f'href="/library/packs/jobs/{running.pk}/"' in html
    assert "Encoding media: 3 of 12" in html
    assert 'id="pack-jobs" hx-get="/library/packs/import/" hx-trigger="every 2s"' in html
    partial = staff_client.get(IMPORT_URL, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="pack-jobs"')
    PackJob.objects.filter(pk=running.pk).update(status="done")
    partial = staff_client.get(IMPORT_URL, headers=HTMX).content.decode()
    assert "hx-trigger" not in partial


# --------------------------------------------------------------------------------------------
# Running a job twice
# --------------------------------------------------------------------------------------------


def test_a_second_run_of_a_finished_job_changes_nothing(
    staff_client, django_capture_on_commit_callbacks, good_pack
):
    job = _job_of(_post_pack(staff_client, django_capture_on_commit_callbacks, good_pack))
    before = (library_state(), PackJob.objects.values().get(pk=job.pk))
    pack_services.pack_import_run(job_id=job.pk, run_id="another")
    assert (library_state(), PackJob.objects.values().get(pk=job.pk)) == before


def test_a_running_job_is_left_to_its_own_run_unless_that_run_is_dead(staff):
    job = _running_job(staff, run_id="first", pack_file="packs/gone.zip")
    job.started_at = job.created_at
    job.save()
    pack_services.pack_import_run(job_id=job.pk, run_id="second")
    job.refresh_from_db()
    assert (job.status, job.run_id) == ("running", "first")
    # The same task message, redelivered after its worker died, takes the job up again.
    pack_services.pack_import_run(job_id=job.pk, run_id="first")
    job.refresh_from_db()
    assert job.status == "failed" and "gone.zip" not in " ".join(job.problems)


def test_a_job_runs_on_a_real_worker(celery_worker, staff, pack_media, tmp_path, settings):
    data = write_zip(tmp_path / "good.zip", _good_files(pack_media), _good_manifest()).read_bytes()
    client = _client(staff)
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("good.zip", data)}, headers=JSON)
    job = _job_of(response)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.2)
    assert job.status == "done", job.problems
    assert Clip.objects.count() == 3


# --------------------------------------------------------------------------------------------
# Exporting
# --------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_library(pack_media, tmp_path, teacher, stranger) -> dict[str, Clip]:
    """Shared clips from a pack, the teacher's own ready and processing uploads, and a
    clip of another school the teacher may not see."""
    import_pack(write_zip(tmp_path / "shared.zip", _good_files(pack_media), _good_manifest()))
    shared_video = Clip.objects.get(key="test-clip")

    def upload(by: User, **fields: Any) -> Clip:
        values = {
            "media_kind": "video",
            "status": "ready",
            "is_generated": True,
            "generator": "Veo 3",
            "media": shared_video.media.name,
            "poster": shared_video.poster.name,
            "width": 64,
            "height": 48,
            "duration_s": 0.4,
            "uploaded_by": by,
            "school": by.school,
            **fields,
        }
        return Clip.objects.create(**values)

    return {
        "own": upload(teacher, key="own-ready"),
        "processing": upload(teacher, key="own-processing", status="processing"),
        "foreign": upload(stranger, key="foreign-ready"),
    }


def _export(client: Client, capture, query: str = "") -> PackJob:
    with capture(execute=True):
        response = client.post(EXPORT_URL + (f"?{query}" if query else ""))
    assert response.status_code == 302, response.content
    job = PackJob.objects.filter(kind="export").latest("id")
    assert response.url == f"/library/packs/jobs/{job.pk}/"
    return job


def _exported_keys(path: Path, tmp_path: Path) -> list[str]:
    workdir = tmp_path / f"check-{time.monotonic_ns()}"
    workdir.mkdir()
    manifest = read_pack(path, workdir)
    return sorted(item["key"] for item in manifest.items)


def test_an_export_holds_the_ready_clips_the_user_may_see_and_downloads_as_an_attachment(
    mixed_library, teacher, django_capture_on_commit_callbacks, tmp_path
):
    client = _client(teacher)
    job = _export(client, django_capture_on_commit_callbacks)

    assert (job.status, job.problems, job.report) == ("done", [], {"clips": 4})
    assert re.fullmatch(r"second-look-clips-[a-z0-9-]+\.zip", job.result_name)
    response = client.get(f"/library/packs/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{job.result_name}"'
    saved = tmp_path / "download.zip"
    saved.write_bytes(b"".join(response.streaming_content))
    assert zipfile.is_zipfile(saved)
    # The import's own reader accepts it; the processing and the other school's clips are out.
    assert _exported_keys(saved, tmp_path) == sorted(
        ["test-clip", "test-photo", Clip.objects.get(key__startswith="test-pack-").key, "own-ready"]
    )
    html = client.get(f"/library/packs/jobs/{job.pk}/").content.decode()
    assert f'href="/library/packs/jobs/{job.pk}/download/"' in html
    assert "The pack holds 4 clips." in html


def test_an_export_honours_the_library_filters(
    mixed_library, teacher, django_capture_on_commit_callbacks, tmp_path
):
    client = _client(teacher)
    job = _export(client, django_capture_on_commit_callbacks, "label=generated&media_kind=video")
    assert job.report == {"clips": 2}
    path = export_file(job)
    assert _exported_keys(path, tmp_path) == ["own-ready", "test-clip"]
    job = _export(client, django_capture_on_commit_callbacks, f"uploader={teacher.pk}")
    assert _exported_keys(export_file(job), tmp_path) == ["own-ready"]


def test_an_export_matching_no_ready_clip_goes_back_to_the_library_with_a_message(
    mixed_library, teacher
):
    client = _client(teacher)
    response = client.post(EXPORT_URL + "?status=processing", follow=True)
    assert response.redirect_chain == [("/library/?status=processing", 302)]
    assert "No ready clip matches these filters" in response.content.decode()
    assert not PackJob.objects.exists()


def test_a_clip_that_becomes_invisible_before_the_run_is_left_out(mixed_library, teacher, tmp_path):
    job = pack_services.pack_export_create(owner=teacher, clips=Clip.objects.all())
    mixed_library["own"].status = "failed"
    mixed_library["own"].save()
    pack_services.pack_export_run(job_id=job.pk, run_id="r")
    job.refresh_from_db()
    assert job.report == {"clips": 3}
    assert "own-ready" not in _exported_keys(export_file(job), tmp_path)


def test_the_download_is_not_found_before_the_export_is_done_or_after_its_file_is_gone(
    mixed_library, teacher, django_capture_on_commit_callbacks, monkeypatch
):
    client = _client(teacher)
    queued = pack_services.pack_export_create(owner=teacher, clips=Clip.objects.all())
    assert client.get(f"/library/packs/jobs/{queued.pk}/download/").status_code == 404
    monkeypatch.setattr(pack_services, "KEEP_EXPORTS", 1)
    first = _export(client, django_capture_on_commit_callbacks)
    second = _export(client, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    # Only the newest export keeps its file.
    assert first.pack_file == "" and export_file(first) is None
    assert client.get(f"/library/packs/jobs/{first.pk}/download/").status_code == 404
    assert (
        "has been removed to save space"
        in client.get(f"/library/packs/jobs/{first.pk}/").content.decode()
    )
    assert client.get(f"/library/packs/jobs/{second.pk}/download/").status_code == 200
    assert media_files()  # exports never touch the served media


def test_the_library_page_links_to_packs_and_exports_with_its_filters(mixed_library, teacher):
    client = _client(teacher)
    html = client.get("/library/", {"label": "generated"}).content.decode()
    assert 'href="/library/packs/import/"' in html
    assert 'action="/library/packs/export/?label=generated"' in html
    assert "Export these clips as a pack" in html
    # The results region htmx swaps carries the button too, with the new filters.
    partial = client.get("/library/", {"label": "real"}, headers=HTMX).content.decode()
    assert 'action="/library/packs/export/?label=real"' in partial
    assert 'name="csrfmiddlewaretoken"' in partial


def test_a_failed_export_lists_its_problems(
    mixed_library, teacher, django_capture_on_commit_callbacks
):
    (Path(django_settings.MEDIA_ROOT) / mixed_library["own"].media.name).unlink()
    client = _client(teacher)
    job = _export(client, django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert any("its media file is missing" in p for p in job.problems), job.problems
    html = client.get(f"/library/packs/jobs/{job.pk}/").content.decode()
    assert "The export failed" in html
    assert client.get(f"/library/packs/jobs/{job.pk}/download/").status_code == 404
