"""Serving media: access checks, opaque names, range requests, no metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from quiz.media.encode import NEUTRAL_CONTAINER_TAGS
from quiz.media.probe import probe_media
from quiz.models import Clip

pytestmark = pytest.mark.django_db


def _video(demo_pack) -> Clip:
    return Clip.objects.filter(media_kind="video").first()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_whole_file_with_accept_ranges(student_client, demo_pack):
    clip = _video(demo_pack)
    response = student_client.get(reverse("quiz:media", args=[clip.media.name]))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert "private" in response["Cache-Control"]
    body = _body(response)
    assert body == (Path(settings.MEDIA_ROOT) / clip.media.name).read_bytes()
    assert int(response["Content-Length"]) == len(body)


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
)
def test_range_requests_get_206_partial_content(student_client, demo_pack, header, start, end):
    clip = _video(demo_pack)
    data = (Path(settings.MEDIA_ROOT) / clip.media.name).read_bytes()
    size = len(data)
    response = student_client.get(
        reverse("quiz:media", args=[clip.media.name]), headers={"Range": header}
    )
    assert response.status_code == 206
    body = _body(response)
    if start is None:
        start, end = size - 50, size - 1
    end = size - 1 if end is None else end
    assert body == data[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=50-10"])
def test_unsatisfiable_ranges_get_416(student_client, demo_pack, header):
    clip = _video(demo_pack)
    response = student_client.get(
        reverse("quiz:media", args=[clip.media.name]), headers={"Range": header}
    )
    assert response.status_code == 416
    assert response["Content-Range"].startswith("bytes */")


@pytest.mark.parametrize("header", ["lines=0-5", "bytes=0-1,5-9", "bytes=abc", "bytes"])
def test_malformed_ranges_are_ignored_and_the_file_sent(student_client, demo_pack, header):
    clip = _video(demo_pack)
    response = student_client.get(
        reverse("quiz:media", args=[clip.media.name]), headers={"Range": header}
    )
    assert response.status_code == 200


def test_anonymous_and_unlisted_names_get_404(student_client, demo_pack):
    from django.test import Client

    clip = _video(demo_pack)
    assert Client().get(reverse("quiz:media", args=[clip.media.name])).status_code == 404
    for name in [
        "clips/../settings.py",
        "clips/notarealtokenatall1234.mp4",
        "../../etc/passwd",
        "clips/x.mp4",
    ]:
        assert student_client.get(f"/m/{name}").status_code == 404


def test_media_of_a_quiz_you_may_not_play_is_not_served(student_client, demo_pack):
    from quiz.models import Quiz

    Quiz.objects.update(is_public=False)
    clip = _video(demo_pack)
    assert student_client.get(reverse("quiz:media", args=[clip.media.name])).status_code == 404


def test_posting_to_media_is_not_allowed(student_client, demo_pack):
    clip = _video(demo_pack)
    assert student_client.post(reverse("quiz:media", args=[clip.media.name])).status_code == 405


def test_served_files_carry_no_tags_and_no_encoder_strings(demo_pack):
    for clip in Clip.objects.all():
        path = Path(settings.MEDIA_ROOT) / clip.media.name
        data = path.read_bytes()
        for marker in (
            b"x264",
            b"Lavf",
            b"Lavc",
            b"Exif",
            b"ICC_PROFILE",
            b"synth",
            b"Second Look",
        ):
            assert marker not in data, (clip.key, marker)
        if clip.is_video:
            info = probe_media(path)
            # only the muxer's fixed brand fields, the same bytes for every file
            assert set(info.tags) <= NEUTRAL_CONTAINER_TAGS, info
        if clip.poster:
            assert b"Exif" not in (Path(settings.MEDIA_ROOT) / clip.poster.name).read_bytes()


def test_real_and_generated_videos_share_one_encoding(demo_pack):
    encodings = set()
    for clip in Clip.objects.filter(media_kind="video"):
        info = probe_media(Path(settings.MEDIA_ROOT) / clip.media.name)
        encodings.add((info.codec, info.pix_fmt, info.fps, clip.is_generated))
    assert {(c, p, f) for c, p, f, _ in encodings} == {("h264", "yuv420p", 25)}
    assert {g for *_, g in encodings} == {True, False}


def test_replays_are_served_like_their_clip(student_client, demo_pack):
    from quiz.models import Artifact
    from quiz.services.library import artifact_replay_render

    artifact = Artifact.objects.filter(clip__media_kind="video", clip__is_generated=True).first()
    artifact_replay_render(artifact_id=artifact.pk)
    artifact.refresh_from_db()
    assert artifact.replay
    assert student_client.get(reverse("quiz:media", args=[artifact.replay.name])).status_code == 200
    from django.test import Client

    assert Client().get(reverse("quiz:media", args=[artifact.replay.name])).status_code == 404


def test_another_schools_upload_is_not_served_to_a_teacher(demo_pack):
    from django.test import Client

    from accounts.models import School, User

    here, there = School.objects.create(name="Here"), School.objects.create(name="There")
    uploader = User.objects.create_user("up", password="x", role="teacher", school=there)
    reader = User.objects.create_user("rd", password="x", role="teacher", school=here)
    clip = Clip.objects.filter(media_kind="image").first()
    Clip.objects.filter(pk=clip.pk).update(uploaded_by=uploader, school=there)
    from quiz.models import Quiz

    Quiz.objects.update(is_public=False)  # nothing makes it playable for the reader
    client = Client()
    client.force_login(reader)
    assert client.get(reverse("quiz:media", args=[clip.media.name])).status_code == 404
    client.force_login(uploader)
    assert client.get(reverse("quiz:media", args=[clip.media.name])).status_code == 200


def test_nginx_can_send_the_bytes_after_the_access_check(student_client, demo_pack, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    clip = _video(demo_pack)
    response = student_client.get(reverse("quiz:media", args=[clip.media.name]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{clip.media.name}"
    assert response["Content-Type"] == "video/mp4"
    from django.test import Client

    anonymous = Client().get(reverse("quiz:media", args=[clip.media.name]))
    assert anonymous.status_code == 404 and "X-Accel-Redirect" not in anonymous
