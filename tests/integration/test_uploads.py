"""Uploads: the page, the ingest pipeline, and every kind of bad file.

Each bad input gets its own test: the uploader sees a clear message, no media file is left
under MEDIA_ROOT, the failed clip is not playable or visible to students, and the client's
file name never names a file on disk. Samples are generated in the test (see
tests/unit/test_ingest.py), tiny, so the whole file runs in well under a minute.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import School, User
from quiz.media.encode import NEUTRAL_CONTAINER_TAGS, encode_video
from quiz.media.files import CLIP_DIR, THUMBNAIL_COUNT
from quiz.media.probe import probe_media
from quiz.models import Clip
from quiz.selectors.uploads import clip_thumbnails
from quiz.services import uploads as ingest
from quiz.services.uploads import (
    UploadRefused,
    clip_ingest,
    clip_upload_create,
)
from tests.unit.test_ingest import (
    FORBIDDEN,
    NEUTRAL_STREAM_TAGS,
    camera_mp4,
    h264_mp4,
    has_avif_writer,
    jpeg_with_icc,
    moving_frames,
    picture_bytes,
    png_bomb_bytes,
    sound_only_m4a,
    sound_only_wav,
)

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
HTMX = {"HX-Request": "true"}
ALLOWED_JPEG_MARKERS = {"SOI", "APP0", "DQT", "SOF0", "DHT", "DRI", "SOS"}


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="pw-teach", role="teacher", school=school)


@pytest.fixture
def teacher_client(teacher) -> Client:
    return _client_for(teacher)


@pytest.fixture
def student_client(student) -> Client:
    return _client_for(student)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


UPLOAD_URL = "/library/upload/"


def _fields(**extra) -> dict[str, object]:
    return {
        "is_generated": "generated",
        "generator": "Sora 2",
        "prompt": "a cat walks through a wall",
        "credit": "OpenAI",
        "license": "for education",
        "source_url": "https://example.org/clip",
        **extra,
    }


def _upload(
    client: Client,
    name: str,
    data: bytes,
    capture,
    *,
    keep_audio: bool = False,
    **fields,
):
    """POST one file like upload.js does, running the queued ingest (eagerly) after commit."""
    payload = _fields(**fields)
    if keep_audio:
        payload["keep_audio"] = "on"
    with capture(execute=True):
        return client.post(
            UPLOAD_URL, {**payload, "file": SimpleUploadedFile(name, data)}, headers=JSON
        )


def _uploaded_clip(response) -> Clip:
    assert response.status_code == 201, response.content
    return Clip.objects.get(pk=response.json()["clips"][0]["id"])


def _files_under(root) -> list[Path]:
    root = Path(root)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _media_files() -> list[Path]:
    return _files_under(settings.MEDIA_ROOT)


def _assert_failed_cleanly(clip: Clip, words: str, student_client: Client, name: str) -> None:
    """The clip failed with `words` in its message, left no media behind, cannot reach a
    student, and the client's name `name` named no file."""
    clip.refresh_from_db()
    assert clip.status == Clip.Status.FAILED
    assert words in clip.status_message, clip.status_message
    assert clip.stage == ""
    assert _media_files() == []
    assert not clip.media and not clip.poster
    # The file itself (possibly hostile) is not kept; the row stays a day for its message.
    assert clip.original == ""
    assert _files_under(Path(settings.ORIGINALS_ROOT) / ingest.ORIGINALS_DIR) == []
    assert not Clip.objects.in_use().filter(pk=clip.pk).exists()
    assert student_client.get(reverse("upload:upload_status")).status_code == 403
    assert student_client.get(reverse("upload:clip_status", args=[clip.pk])).status_code == 403
    _assert_name_not_on_disk(name)
    # Nothing of the run's work is left either.
    work = Path(settings.ORIGINALS_ROOT) / ingest.WORK_DIR
    assert _files_under(work) == []


def _assert_name_not_on_disk(name: str) -> None:
    stem = Path(name.replace("\\", "/")).stem
    for path in _media_files() + _files_under(settings.ORIGINALS_ROOT):
        if stem:
            assert stem not in path.name, path


# --------------------------------------------------------------------------------------------
# Who may upload, and the pages
# --------------------------------------------------------------------------------------------


def test_a_student_may_not_upload(student_client, django_capture_on_commit_callbacks, tmp_path):
    data = h264_mp4(tmp_path / "a.mp4").read_bytes()
    response = _upload(student_client, "a.mp4", data, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert student_client.get(UPLOAD_URL).status_code == 403
    assert not Clip.objects.exists()
    assert _files_under(settings.ORIGINALS_ROOT) == []


def test_the_service_refuses_a_student_too(student):
    with pytest.raises(PermissionDenied):
        clip_upload_create(
            uploader=student, upload=SimpleUploadedFile("a.mp4", b"x"), is_generated=False
        )


def test_strangers_are_sent_to_sign_in():
    response = Client().get(UPLOAD_URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_teachers_educators_and_staff_may_upload(teacher_client, educator):
    assert teacher_client.get(UPLOAD_URL).status_code == 200
    assert _client_for(educator).get(UPLOAD_URL).status_code == 200
    staff = User.objects.create_user("admin", password="x", role="student", is_staff=True)
    assert _client_for(staff).get(UPLOAD_URL).status_code == 200


def test_the_upload_page_has_a_labelled_file_input_and_no_inline_code(teacher_client):
    html = teacher_client.get(UPLOAD_URL).content.decode()
    assert '<label for="id_file">' in html
    assert 'type="file" id="id_file" name="file" multiple' in html
    assert 'enctype="multipart/form-data"' in html
    assert "style=" not in html
    assert "<script>" not in html and "onclick" not in html
    assert "js/upload.js" in html


def test_the_status_pages_need_get(teacher_client):
    assert teacher_client.post(reverse("upload:upload_status")).status_code == 405
    assert teacher_client.put(UPLOAD_URL).status_code == 405


def test_uploads_need_the_csrf_token(teacher, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    data = h264_mp4(tmp_path / "a.mp4").read_bytes()
    response = client.post(
        UPLOAD_URL, {**_fields(), "file": SimpleUploadedFile("a.mp4", data)}, headers=JSON
    )
    assert response.status_code == 403
    assert not Clip.objects.exists()
    # With the token in the header, as upload.js sends it, the same request goes through.
    client.get(UPLOAD_URL)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        UPLOAD_URL,
        {**_fields(), "file": SimpleUploadedFile("a.mp4", data)},
        headers={**JSON, "X-CSRFToken": token},
    )
    assert response.status_code == 201


def test_another_users_upload_is_not_found(teacher, school, django_capture_on_commit_callbacks):
    clip = _processing_clip(teacher)
    other = User.objects.create_user("other-t", password="x", role="teacher", school=school)
    client = _client_for(other)
    assert client.get(reverse("upload:clip_status", args=[clip.pk])).status_code == 404
    assert clip.original_name not in client.get(reverse("upload:upload_status")).content.decode()


def test_the_form_needs_a_label_and_a_file(teacher_client):
    response = teacher_client.post(UPLOAD_URL, {"generator": "x"}, headers=JSON)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("real or generated" in e for e in errors)
    assert any("No file arrived with this upload" in e for e in errors)
    # Without JavaScript: the page again, with the errors by the fields.
    response = teacher_client.post(UPLOAD_URL, {"source_url": "not a url"})
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Clip.objects.exists()


def test_without_javascript_several_files_go_in_one_form(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    video = h264_mp4(tmp_path / "a.mp4").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher_client.post(
            UPLOAD_URL,
            {
                **_fields(is_generated="real", generator="camera"),
                "file": [
                    SimpleUploadedFile("street.mp4", video),
                    SimpleUploadedFile("cat.png", picture_bytes("PNG")),
                    SimpleUploadedFile("empty.mp4", b""),
                ],
            },
        )
    assert response.status_code == 302 and response.url == reverse("upload:upload_status")
    clips = Clip.objects.order_by("id")
    assert [c.original_name for c in clips] == ["street.mp4", "cat.png"]
    assert all(c.status == Clip.Status.READY and not c.is_generated for c in clips)
    page = teacher_client.get(response.url).content.decode()
    assert "2 file(s) uploaded" in page
    assert "empty.mp4: This file is empty (0 bytes)" in page


# --------------------------------------------------------------------------------------------
# The status list
# --------------------------------------------------------------------------------------------


def _processing_clip(uploader: User, **extra) -> Clip:
    original = Path(settings.ORIGINALS_ROOT) / "uploads" / "AAAAAAAAAAAAAAAAAAAAAAAA"
    original.parent.mkdir(parents=True, exist_ok=True)
    h264_mp4(original.with_suffix(".tmp"))
    original.with_suffix(".tmp").rename(original)
    return Clip.objects.create(
        media_kind="video",
        is_generated=True,
        status=Clip.Status.PROCESSING,
        stage="transcoding 40 %",
        uploaded_by=uploader,
        original="uploads/AAAAAAAAAAAAAAAAAAAAAAAA",
        original_name="my-secret-name.mp4",
        **extra,
    )


def test_the_list_polls_while_a_clip_is_processing_and_stops_after(teacher, teacher_client):
    clip = _processing_clip(teacher)
    response = teacher_client.get(reverse("upload:upload_status"), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="upload-status"')  # the fragment alone
    assert 'hx-trigger="every 2s, uploaded from:body"' in html
    assert "Converting: 40 %" in html
    assert '<progress max="100" value="39"' in html
    assert "my-secret-name.mp4" in html
    clip_ingest(clip_id=clip.pk)
    html = teacher_client.get(reverse("upload:upload_status"), headers=HTMX).content.decode()
    assert 'hx-trigger="uploaded from:body"' in html
    assert "0 processing, 1 ready, 0 failed." in html
    clip.refresh_from_db()
    assert reverse("quiz:media", args=[clip.poster.name]) in html


def test_one_clips_status_is_its_own_page_and_fragment(teacher, teacher_client):
    clip = _processing_clip(teacher)
    url = reverse("upload:clip_status", args=[clip.pk])
    page = teacher_client.get(url).content.decode()
    assert "<h1>" in page and "Converting: 40 %" in page
    fragment = teacher_client.get(url, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith(f'<li class="card upload-card" id="upload-{clip.pk}"')
    assert 'hx-trigger="every 2s"' in fragment


def test_the_list_costs_the_same_for_many_uploads(
    teacher, teacher_client, django_assert_max_num_queries
):
    for _ in range(12):
        _processing_clip(teacher)
    # Session, user, the clips: a fixed number whatever the count.
    with django_assert_max_num_queries(4):
        teacher_client.get(reverse("upload:upload_status"), headers=HTMX)


# --------------------------------------------------------------------------------------------
# Happy paths and the normalised output
# --------------------------------------------------------------------------------------------


def _assert_normalised_video(clip: Clip, *, audio: bool) -> dict:
    path = Path(settings.MEDIA_ROOT) / clip.media.name
    report = probe_media(path)
    assert report.codec == "h264" and report.pix_fmt == "yuv420p"
    assert report.fps == 25
    assert report.height <= 1080 and report.width <= 1920
    assert set(report.tags) <= NEUTRAL_CONTAINER_TAGS
    for stream in report.streams:
        for key, value in stream.tags.items():
            assert value in NEUTRAL_STREAM_TAGS.get(key, set()), (key, value)
    assert [s.type for s in report.streams] == (["video", "audio"] if audio else ["video"])
    data = path.read_bytes()
    assert not [word for word in FORBIDDEN if word in data]
    assert b"SECRET" not in data
    # Fast start: the index (moov) comes before the media data (mdat).
    assert data.index(b"moov") < data.index(b"mdat")
    for name in [clip.poster.name, *clip_thumbnails(clip)]:
        _assert_clean_jpeg(Path(settings.MEDIA_ROOT) / name)
    return report


def _assert_clean_jpeg(path: Path) -> None:
    report = probe_media(path)
    assert report.format == "JPEG"
    assert not report.exif and not report.icc_profile_bytes
    assert set(report.jpeg_markers) <= ALLOWED_JPEG_MARKERS


def _assert_served_names(clip: Clip) -> None:
    assert CLIP_DIR + "/" in clip.media.name
    # The names the media view accepts, and nothing of the label or the client's name.
    from quiz.media.files import SERVED_NAME_PATTERN as NAME_PATTERN

    for name in [clip.media.name, clip.poster.name, *clip_thumbnails(clip)]:
        if name:
            assert NAME_PATTERN.match(name), name
    _assert_name_not_on_disk(clip.original_name)


def test_an_mp4_with_its_sound_dropped(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    data = camera_mp4(tmp_path / "x.mp4", seconds=1.0).read_bytes()
    clip = _uploaded_clip(
        _upload(teacher_client, "Sora2-cat.mp4", data, django_capture_on_commit_callbacks)
    )
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY, clip.status_message
    assert (clip.media_kind, clip.width, clip.height) == ("video", 160, 120)
    assert clip.duration_s == pytest.approx(1.0)
    assert (clip.is_generated, clip.generator, clip.credit) == (True, "Sora 2", "OpenAI")
    assert clip.provenance["state"] == "none"  # an unsigned file: no credential
    assert clip.stage == "" and clip.status_message == ""
    _assert_normalised_video(clip, audio=False)
    _assert_served_names(clip)
    assert len(clip_thumbnails(clip)) == THUMBNAIL_COUNT
    with Image.open(Path(settings.MEDIA_ROOT) / clip_thumbnails(clip)[0]) as thumb:
        assert max(thumb.size) <= ingest.THUMBNAIL_SIDE
    # The original is kept, privately, under a random name.
    original = Path(settings.ORIGINALS_ROOT) / clip.original
    assert original.read_bytes() == data
    assert not original.is_relative_to(Path(settings.MEDIA_ROOT))


def test_an_mp4_with_its_sound_kept(teacher_client, django_capture_on_commit_callbacks, tmp_path):
    data = camera_mp4(tmp_path / "x.mp4", seconds=1.0).read_bytes()
    clip = _uploaded_clip(
        _upload(teacher_client, "x.mp4", data, django_capture_on_commit_callbacks, keep_audio=True)
    )
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY, clip.status_message
    assert clip.keep_audio
    _assert_normalised_video(clip, audio=True)
    with av.open(str(Path(settings.MEDIA_ROOT) / clip.media.name)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"


def test_a_big_video_is_brought_down_to_1080p(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    source = tmp_path / "wide.mp4"
    encode_video(moving_frames(6, 2400, 1200), source, max_height=1200)
    clip = _uploaded_clip(
        _upload(teacher_client, "wide.mp4", source.read_bytes(), django_capture_on_commit_callbacks)
    )
    clip.refresh_from_db()
    assert (clip.width, clip.height) == (1920, 960)
    _assert_normalised_video(clip, audio=False)


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP", "AVIF"])
def test_images_become_clean_jpegs(teacher_client, django_capture_on_commit_callbacks, fmt):
    # The pinned Pillow writes and reads AVIF; if a build lacks it, this must fail loudly.
    assert fmt != "AVIF" or has_avif_writer()
    exif = Image.Exif()
    exif[0x010F] = "SECRET camera maker"
    options = {"exif": exif.tobytes()} if fmt in ("PNG", "WEBP", "AVIF") else {}
    data = picture_bytes(fmt, (300, 200), **options)
    clip = _uploaded_clip(
        _upload(teacher_client, f"photo.{fmt.lower()}", data, django_capture_on_commit_callbacks)
    )
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY, clip.status_message
    assert (clip.media_kind, clip.width, clip.height) == ("image", 300, 200)
    assert clip.media.name.endswith(".jpg") and not clip.poster
    path = Path(settings.MEDIA_ROOT) / clip.media.name
    _assert_clean_jpeg(path)
    assert b"SECRET" not in path.read_bytes()
    _assert_served_names(clip)


def test_the_task_run_twice_changes_nothing(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    data = h264_mp4(tmp_path / "a.mp4").read_bytes()
    clip = _uploaded_clip(
        _upload(teacher_client, "a.mp4", data, django_capture_on_commit_callbacks)
    )
    clip.refresh_from_db()
    before = {p: p.stat().st_mtime_ns for p in _media_files()}
    row = Clip.objects.filter(pk=clip.pk).values().get()
    clip_ingest(clip_id=clip.pk)
    assert {p: p.stat().st_mtime_ns for p in _media_files()} == before
    assert Clip.objects.filter(pk=clip.pk).values().get() == row


def test_a_run_after_a_crash_starts_again_cleanly(teacher, django_capture_on_commit_callbacks):
    clip = _processing_clip(teacher)
    # What a worker killed mid-transcode leaves: its work folder with a half-written file.
    dead = Path(settings.ORIGINALS_ROOT) / ingest.WORK_DIR / f"{clip.pk}-deadbeefdeadbeef"
    dead.mkdir(parents=True)
    (dead / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom half written")
    old = time.time() - ingest.STALE_RUN_SECONDS - 60
    os.utime(dead, (old, old))
    clip_ingest(clip_id=clip.pk)
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY and clip.stage == ""
    assert not dead.exists()
    served = {clip.media.name, clip.poster.name, *clip_thumbnails(clip)}
    assert {p.relative_to(settings.MEDIA_ROOT).as_posix() for p in _media_files()} == served


def test_two_runs_at_once_leave_one_set_of_files(teacher, monkeypatch):
    clip = _processing_clip(teacher)
    real_place = ingest.place_media
    # The second run finishes while the first is placing its files: the first run's
    # conditional UPDATE then finds the clip ready and removes what it placed.
    state = {"nested": False}

    def place_after_another_run(files):
        if not state["nested"]:
            state["nested"] = True
            clip_ingest(clip_id=clip.pk)
        return real_place(files)

    monkeypatch.setattr(ingest, "place_media", place_after_another_run)
    clip_ingest(clip_id=clip.pk)
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY
    served = {clip.media.name, clip.poster.name, *clip_thumbnails(clip)}
    assert {p.relative_to(settings.MEDIA_ROOT).as_posix() for p in _media_files()} == served


def test_the_stage_is_reported_as_the_work_goes(teacher, monkeypatch):
    clip = _processing_clip(teacher, keep_audio=False)
    seen: list[str] = []
    real_set_stage = ingest._set_stage

    def spy(clip_id: int, stage: str) -> None:
        real_set_stage(clip_id, stage)
        seen.append(Clip.objects.get(pk=clip_id).stage)

    monkeypatch.setattr(ingest, "_set_stage", spy)
    monkeypatch.setattr(ingest, "PROGRESS_INTERVAL_S", 0.0)
    clip_ingest(clip_id=clip.pk)
    assert seen[0] == "probing"
    transcoding = [s for s in seen if s.startswith("transcoding")]
    assert transcoding[0] == "transcoding 0 %" and len(transcoding) > 2
    assert seen[-3:] == ["poster", "thumbnails", "finishing"]


def test_a_failed_clip_is_left_alone_by_another_run(teacher):
    clip = _processing_clip(teacher)
    Clip.objects.filter(pk=clip.pk).update(status="failed", status_message="kept")
    clip_ingest(clip_id=clip.pk)
    clip.refresh_from_db()
    assert (clip.status, clip.status_message) == ("failed", "kept")
    assert _media_files() == []


def test_a_missing_original_fails_with_a_way_out(teacher):
    clip = _processing_clip(teacher)
    (Path(settings.ORIGINALS_ROOT) / clip.original).unlink()
    clip_ingest(clip_id=clip.pk)
    clip.refresh_from_db()
    assert clip.status == "failed" and "Upload it again" in clip.status_message


def test_an_unexpected_error_fails_the_clip_instead_of_leaving_it_processing(teacher, monkeypatch):
    clip = _processing_clip(teacher)

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "render_poster", broken)
    clip_ingest(clip_id=clip.pk)
    clip.refresh_from_db()
    assert clip.status == "failed" and "Something went wrong" in clip.status_message
    assert "disk on fire" not in clip.status_message
    assert _media_files() == []


# --------------------------------------------------------------------------------------------
# Bad input: one test each
# --------------------------------------------------------------------------------------------


def test_a_zero_byte_file_is_refused_at_once(
    teacher_client, student_client, django_capture_on_commit_callbacks
):
    response = _upload(teacher_client, "empty.mp4", b"", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "This file is empty (0 bytes)" in response.json()["errors"][0]
    assert not Clip.objects.exists()
    assert _media_files() == [] and _files_under(settings.ORIGINALS_ROOT) == []


def test_a_truncated_mp4_fails_as_cut_off(
    teacher_client, student_client, django_capture_on_commit_callbacks, tmp_path
):
    whole = h264_mp4(tmp_path / "w.mp4", frames=50).read_bytes()
    name = "halfway.mp4"
    clip = _uploaded_clip(
        _upload(teacher_client, name, whole[: len(whole) // 2], django_capture_on_commit_callbacks)
    )
    _assert_failed_cleanly(
        clip, "This video is cut off: it says it lasts 2 s", student_client, name
    )


@pytest.mark.parametrize("size", [400, 600])
def test_an_mp4_cut_after_a_few_hundred_bytes_fails_with_a_way_forward(
    teacher_client, student_client, django_capture_on_commit_callbacks, tmp_path, caplog, size
):
    # 400 bytes hold a video stream whose codec is not known yet: PyAV then has no codec
    # context, and the probe used to fail with an AttributeError ("went wrong" and a log).
    whole = h264_mp4(tmp_path / "w.mp4", frames=50).read_bytes()
    name = "first-bytes.mp4"
    clip = _uploaded_clip(
        _upload(teacher_client, name, whole[:size], django_capture_on_commit_callbacks)
    )
    _assert_failed_cleanly(clip, "upload it again", student_client, name)
    assert "Something went wrong" not in clip.status_message
    assert "failed unexpectedly" not in caplog.text


def test_a_web_page_named_mp4_fails_as_not_media(
    teacher_client, student_client, django_capture_on_commit_callbacks
):
    page = b"<!DOCTYPE html>\n<html><head><title>Video</title></head><body>Sign in</body></html>"
    name = "download.mp4"
    clip = _uploaded_clip(_upload(teacher_client, name, page, django_capture_on_commit_callbacks))
    _assert_failed_cleanly(
        clip, "not a video or image we can read (it looks like a web page", student_client, name
    )


def test_a_text_file_named_mp4_fails_as_text(
    teacher_client, student_client, django_capture_on_commit_callbacks
):
    name = "notes.mp4"
    clip = _uploaded_clip(
        _upload(teacher_client, name, b"shot list\n1. cat\n", django_capture_on_commit_callbacks)
    )
    _assert_failed_cleanly(
        clip,
        "This file is not a video or image we can read (it looks like text). Export it as MP4 "
        "or JPEG and upload it again.",
        student_client,
        name,
    )


def test_a_png_claiming_100000_by_100000_pixels_fails_as_a_bomb(
    teacher_client, student_client, django_capture_on_commit_callbacks
):
    data = png_bomb_bytes()
    assert len(data) < 200
    # The header is well-formed: Pillow's own CRC check passes, only the size is absurd.
    assert struct.unpack(">II", data[16:24]) == (100_000, 100_000)
    name = "bomb.png"
    clip = _uploaded_clip(_upload(teacher_client, name, data, django_capture_on_commit_callbacks))
    _assert_failed_cleanly(clip, "decompression bomb", student_client, name)
    assert "the limit is 50 megapixels" in Clip.objects.get(pk=clip.pk).status_message


def test_an_image_with_a_huge_colour_profile_fails(
    teacher_client, student_client, django_capture_on_commit_callbacks
):
    name = "profiled.jpg"
    clip = _uploaded_clip(
        _upload(teacher_client, name, jpeg_with_icc(5_000_000), django_capture_on_commit_callbacks)
    )
    _assert_failed_cleanly(
        clip, "carries a colour profile of 4.8 MB, far larger than a real one", student_client, name
    )


def test_a_video_longer_than_the_limit_fails(
    teacher_client, student_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.UPLOAD_MAX_SECONDS = 1
    data = h264_mp4(tmp_path / "long.mp4", frames=50).read_bytes()
    name = "long.mp4"
    clip = _uploaded_clip(_upload(teacher_client, name, data, django_capture_on_commit_callbacks))
    _assert_failed_cleanly(
        clip, "This video lasts 2 s; a clip may be at most 1 s. Trim it", student_client, name
    )


def test_a_video_wider_than_the_limit_fails(
    teacher_client, student_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.UPLOAD_MAX_SIDE = 100
    data = h264_mp4(tmp_path / "wide.mp4", frames=5).read_bytes()
    name = "wide.mp4"
    clip = _uploaded_clip(_upload(teacher_client, name, data, django_capture_on_commit_callbacks))
    _assert_failed_cleanly(
        clip, "160 × 120 pixels; at most 100 pixels per side", student_client, name
    )


def test_a_file_over_the_size_limit_is_refused_at_once(
    teacher, teacher_client, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.UPLOAD_MAX_BYTES = 2000
    data = h264_mp4(tmp_path / "big.mp4").read_bytes()
    assert len(data) > 2000
    response = _upload(teacher_client, "big.mp4", data, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "big.mp4: This file is larger than 2 kB" in response.json()["errors"][0]
    assert not Clip.objects.exists()
    assert _files_under(settings.ORIGINALS_ROOT) == []
    # The service says the same to any other caller, with the size.
    with pytest.raises(UploadRefused, match=r"^This file is \d+ kB; an upload may be at most 2 kB"):
        clip_upload_create(
            uploader=teacher, upload=SimpleUploadedFile("big.mp4", data), is_generated=False
        )


@pytest.mark.parametrize("maker", [sound_only_m4a, sound_only_wav], ids=["m4a", "wav"])
def test_a_sound_only_file_fails_as_having_no_picture(
    teacher_client, student_client, django_capture_on_commit_callbacks, tmp_path, maker
):
    data = maker(tmp_path / "sound").read_bytes()
    name = "interview.mp4"
    clip = _uploaded_clip(_upload(teacher_client, name, data, django_capture_on_commit_callbacks))
    _assert_failed_cleanly(clip, "This file has sound but no picture", student_client, name)


def test_a_file_with_corrupt_frames_is_ready_or_fails_clearly(
    teacher_client, student_client, django_capture_on_commit_callbacks, tmp_path
):
    data = bytearray(h264_mp4(tmp_path / "c.mp4", frames=100).read_bytes())
    middle = len(data) // 2
    for offset in range(middle, middle + 2000, 7):
        data[offset] ^= 0xFF
    name = "glitchy.mp4"
    response = _upload(teacher_client, name, bytes(data), django_capture_on_commit_callbacks)
    clip = _uploaded_clip(response)
    clip.refresh_from_db()
    if clip.status == Clip.Status.READY:
        _assert_normalised_video(clip, audio=False)
    else:
        _assert_failed_cleanly(clip, "damaged frames that cannot be decoded", student_client, name)
        assert "Export it again" in clip.status_message


def _multipart(disposition: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body as a client other than a browser may send it, byte for byte."""
    boundary = "----secondlook"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in _fields().items()
    ]
    parts.append(
        f"--{boundary}\r\nContent-Disposition: form-data; ".encode()
        + disposition
        + b"\r\nContent-Type: video/mp4\r\n\r\n"
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _post_raw(client: Client, disposition: bytes, content: bytes, capture):
    body, content_type = _multipart(disposition, content)
    with capture(execute=True):
        return client.generic("POST", UPLOAD_URL, body, content_type=content_type, headers=JSON)


@pytest.mark.parametrize(
    ("disposition", "stored"),
    [
        (b'name="file"; filename="../../etc/passwd.mp4"', "passwd.mp4"),
        (b'name="file"; filename="a/b\\c.mp4"', "c.mp4"),
        # RFC 5987: percent-encoded bytes that are not UTF-8 (Latin-1 e-acute, 0xFF).
        (b"name=\"file\"; filename*=UTF-8''caf%E9%20%FF.mp4", "caf\ufffd \ufffd.mp4"),
        (b'name="file"; filename="' + b"n" * 500 + b'.mp4"', "n" * 251 + ".mp4"),
    ],
    ids=["dot-dot", "separators", "not-utf8", "500-chars"],
)
def test_a_hostile_file_name_is_cleaned_and_names_no_file(
    teacher_client, django_capture_on_commit_callbacks, tmp_path, disposition, stored
):
    video = h264_mp4(tmp_path / "a.mp4").read_bytes()
    response = _post_raw(teacher_client, disposition, video, django_capture_on_commit_callbacks)
    clip = _uploaded_clip(response)
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY
    assert clip.original_name == stored
    for path in _media_files() + _files_under(settings.ORIGINALS_ROOT):
        # (whole words of the names: a random token may hold any three letters)
        assert "passwd" not in path.name and "caf\ufffd" not in path.name
        assert "nnnnnnnn" not in path.name
    media_root = Path(settings.MEDIA_ROOT).resolve()
    originals = Path(settings.ORIGINALS_ROOT).resolve()
    for path in _media_files() + _files_under(settings.ORIGINALS_ROOT):
        assert path.resolve().is_relative_to(media_root) or path.resolve().is_relative_to(originals)
    assert stored in teacher_client.get(reverse("upload:upload_status")).content.decode()


def test_a_raw_non_utf8_file_name_gets_a_clear_message(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    # Django drops a part whose headers are not UTF-8, so the file never arrives; the
    # uploader is told so, in words, and nothing is stored.
    video = h264_mp4(tmp_path / "a.mp4").read_bytes()
    response = _post_raw(
        teacher_client,
        b'name="file"; filename="caf\xe9 \xff\xfe.mp4"',
        video,
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert "No file arrived" in response.json()["errors"][0]
    assert "rename the file using plain letters" in response.json()["errors"][0]
    assert not Clip.objects.exists() and _files_under(settings.ORIGINALS_ROOT) == []


# --------------------------------------------------------------------------------------------
# Through a real worker
# --------------------------------------------------------------------------------------------


@pytest.fixture
def live_teacher(celery_worker) -> Iterator[User]:
    school = School.objects.create(name="Worker School")
    yield User.objects.create_user("worker-t", password="x", role="teacher", school=school)


@pytest.mark.integration
def test_an_upload_is_made_ready_by_the_celery_worker(live_teacher, tmp_path):
    client = _client_for(live_teacher)
    data = camera_mp4(tmp_path / "x.mp4", seconds=1.0).read_bytes()
    response = client.post(
        UPLOAD_URL,
        {**_fields(), "keep_audio": "on", "file": SimpleUploadedFile("x.mp4", data)},
        headers=JSON,
    )
    clip = _uploaded_clip(response)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        clip.refresh_from_db()
        if clip.status != Clip.Status.PROCESSING:
            break
        time.sleep(0.2)
    assert clip.status == Clip.Status.READY, (clip.status, clip.stage, clip.status_message)
    _assert_normalised_video(clip, audio=True)
    html = client.get(reverse("upload:upload_status"), headers=HTMX).content.decode()
    assert "1 ready" in html and "every 2s" not in html


def test_an_upload_whose_message_was_lost_is_queued_again(teacher_client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from quiz.tasks import clip_ingest_requeue

    # The upload's on-commit message never runs here (as if the broker had been down).
    response = teacher_client.post(
        UPLOAD_URL,
        {**_fields(), "file": SimpleUploadedFile("photo.png", picture_bytes("PNG"))},
        headers=JSON,
    )
    clip = _uploaded_clip(response)
    assert (clip.status, clip.stage) == ("processing", "queued")
    assert clip_ingest_requeue.apply().get() == 0  # too young to be called lost
    Clip.objects.filter(pk=clip.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert clip_ingest_requeue.apply().get() == 1  # eager here: ingested at once
    clip.refresh_from_db()
    assert clip.status == "ready"


def test_an_uploads_content_credential_is_read_for_the_feedback(
    teacher_client, django_capture_on_commit_callbacks, tmp_path
):
    from quiz.media.provenance import sign_with_demo_ca

    original = tmp_path / "plain.jpg"
    original.write_bytes(picture_bytes("JPEG"))
    signed = tmp_path / "signed.jpg"
    sign_with_demo_ca(
        original,
        signed,
        ca_dir=tmp_path / "ca",
        claim_generator="Test generator",
        actions=["c2pa.created"],
    )
    response = _upload(
        teacher_client, "signed.jpg", signed.read_bytes(), django_capture_on_commit_callbacks
    )
    clip = _uploaded_clip(response)
    clip.refresh_from_db()
    assert clip.status == "ready"
    assert clip.provenance["state"] == "valid"  # signed, by a signer this site does not know
    assert "Test generator" in clip.provenance["claim_generator"]
    served = (Path(settings.MEDIA_ROOT) / clip.media.name).read_bytes()
    assert b"c2pa" not in served and b"jumb" not in served  # the served file carries none
