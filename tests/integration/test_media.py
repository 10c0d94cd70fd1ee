"""Serving media: access checks, opaque names (stored ones for the library, each attempt's
own for its player), range requests, no metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from quiz.media.encode import NEUTRAL_CONTAINER_TAGS
from quiz.media.probe import probe_media
from quiz.models import Attempt, Clip, Quiz, QuizItem
from quiz.selectors import play as selectors
from quiz.services import play as services
from tests import spot_answers

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _single_video(quiz: Quiz) -> QuizItem:
    return quiz.items.filter(kind="single", clip__media_kind="video").first()


def _attempt_url(attempt: Attempt, item: QuizItem, which: str = "clip", file: str = "media"):
    """The URL of a round's file in the attempt's pages."""
    name = getattr(selectors.round_clip(attempt.pk, item, which), file)
    return reverse("quiz:attempt_media", args=[attempt.pk, name])


@dataclass
class Fetch:
    client: Client
    url: str
    clip: Clip
    player: bool = False


@pytest.fixture(params=["stored name, library", "attempt's name, player"])
def fetch(request, demo_pack, student, teacher) -> Fetch:
    """One video as its two audiences fetch it: a teacher under its stored name, a student
    under a name of their own attempt. Both are sent alike (one function)."""
    item = _single_video(demo_pack)
    if request.param.startswith("stored"):
        url = reverse("quiz:media", args=[item.clip.media.name])
        return Fetch(_client(teacher), url, item.clip)
    attempt = services.attempt_start(user=student, quiz=demo_pack)
    return Fetch(_client(student), _attempt_url(attempt, item), item.clip, player=True)


def _stored_bytes(clip: Clip, file: str = "media") -> bytes:
    return (Path(settings.MEDIA_ROOT) / getattr(clip, file).name).read_bytes()


def _check_trailer(body: bytes, stored: bytes, suffix: str) -> int:
    """The stored file, then what a player's name adds: for an MP4 one top-level `free` box
    running to the end, for a JPEG bytes after its end-of-image marker. Its length."""
    assert body[: len(stored)] == stored
    tail = body[len(stored) :]
    if suffix == "mp4":
        assert int.from_bytes(tail[:4], "big") == len(tail) and tail[4:8] == b"free"
    else:
        assert stored.endswith(b"\xff\xd9")
    return len(tail)


def test_whole_file_with_accept_ranges(fetch):
    response = fetch.client.get(fetch.url)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert "private" in response["Cache-Control"]
    body = _body(response)
    stored = _stored_bytes(fetch.clip)
    if fetch.player:
        assert _check_trailer(body, stored, "mp4") >= 8
    else:
        assert body == stored
    assert int(response["Content-Length"]) == len(body)
    assert fetch.client.head(fetch.url).status_code == 200
    assert _body(fetch.client.get(fetch.url)) == body  # the same bytes on every request


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", None, None),
        ("bytes=-300000", None, None),
    ],
)
def test_range_requests_get_206_partial_content(fetch, header, start, end):
    """Ranges are of the file as its name serves it (trailer and all), so seeking works."""
    data = _body(fetch.client.get(fetch.url))
    size = len(data)
    response = fetch.client.get(fetch.url, headers={"Range": header})
    assert response.status_code == 206
    body = _body(response)
    if start is None:
        wanted = int(header.rsplit("-", 1)[1])
        start, end = max(0, size - wanted), size - 1
    end = size - 1 if end is None else end
    assert body == data[start : end + 1]
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=50-10"])
def test_unsatisfiable_ranges_get_416(fetch, header):
    response = fetch.client.get(fetch.url, headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"].startswith("bytes */")


@pytest.mark.parametrize("header", ["lines=0-5", "bytes=0-1,5-9", "bytes=abc", "bytes"])
def test_malformed_ranges_are_ignored_and_the_file_sent(fetch, header):
    assert fetch.client.get(fetch.url, headers={"Range": header}).status_code == 200


def test_posting_to_media_is_not_allowed(fetch):
    assert fetch.client.post(fetch.url).status_code == 405


def test_anonymous_and_unlisted_names_get_404(fetch, teacher):
    assert Client().get(fetch.url).status_code == 404
    library = _client(teacher)
    for name in [
        "clips/../settings.py",
        "clips/notarealtokenatall1234.mp4",
        "../../etc/passwd",
        "clips/x.mp4",
    ]:
        assert library.get(f"/m/{name}").status_code == 404


def test_students_get_no_clip_under_its_stored_name_teachers_of_the_library_do(
    student_client, student, teacher, demo_pack
):
    """A stored name is the same in every attempt: a student who could fetch by it could
    keep a table of name -> label. Students get a round's files only under their attempt's
    names, even for the clips of a quiz they play."""
    services.attempt_start(user=student, quiz=demo_pack)  # playing it changes nothing
    library = _client(teacher)
    for item in demo_pack.items.select_related("clip", "other_clip"):
        for clip in filter(None, [item.clip, item.other_clip]):
            for name in filter(None, [clip.media.name, clip.poster.name]):
                url = reverse("quiz:media", args=[name])
                assert student_client.get(url).status_code == 404, name
                assert library.get(url).status_code == 200, name


def test_a_round_is_served_only_under_its_attempts_names(demo_pack, student, other_student):
    """Every name is the attempt's own: the same on every read, different in another attempt
    (the same student's next one too), served to the attempt's owner only."""
    pair = demo_pack.items.filter(kind="pair").select_related("clip", "other_clip").first()
    single = _single_video(demo_pack)
    first = services.attempt_start(user=student, quiz=demo_pack)
    for item in demo_pack.items.select_related("clip"):
        services.answer_submit(
            attempt=first,
            item=item,
            confidence=50,
            **spot_answers.submit_kwargs(item, item.options()[0]),
        )
    first.refresh_from_db()
    assert first.is_finished
    second = services.attempt_start(user=student, quiz=demo_pack)
    assert second.pk != first.pk
    mine, theirs = _client(student), _client(other_student)
    names = {}
    for attempt in (first, second):
        for item, which in ((single, "clip"), (pair, "clip"), (pair, "other_clip")):
            for file in ("media", "poster"):
                url = _attempt_url(attempt, item, which, file)
                assert url == _attempt_url(attempt, item, which, file)  # the same on reload
                clip = getattr(item, which)
                stored = getattr(clip, file).name
                # the attempt and an opaque key, nothing else: no stored name, no id
                assert re.fullmatch(
                    rf"/attempts/{attempt.pk}/media/[0-9a-f]{{32}}\{stored[-4:]}", url
                ), url
                assert stored.split("/")[1].split(".")[0] not in url
                names[(attempt.pk, item.pk, which, file)] = url
                response = mine.get(url)
                assert response.status_code == 200, url
                _check_trailer(_body(response), _stored_bytes(clip, file), stored[-3:])
                # someone else's attempt is not found, whatever they know
                assert theirs.get(url).status_code == 404
    first_urls = {url for (a, *_), url in names.items() if a == first.pk}
    second_urls = {url for (a, *_), url in names.items() if a == second.pk}
    assert len(first_urls) == len(second_urls) == 6 and not first_urls & second_urls
    # a name of one attempt means nothing in another's address
    for url in first_urls:
        moved = url.replace(f"/attempts/{first.pk}/", f"/attempts/{second.pk}/")
        assert mine.get(moved).status_code == 404


def test_tampered_or_foreign_names_are_not_found(student_client, student, demo_pack):
    attempt = services.attempt_start(user=student, quiz=demo_pack)
    item = _single_video(demo_pack)
    url = _attempt_url(attempt, item)
    assert student_client.get(url).status_code == 200
    base, name = url.rsplit("/", 1)
    key = name.removesuffix(".mp4")
    flipped = "0" if key[-1] != "0" else "1"
    for forged in [
        key[:-1] + flipped + ".mp4",  # one digit changed
        key + ".jpg",  # another suffix: not the file's
        key[:16] + ".mp4",  # a shortened key
        key.upper() + ".mp4",
        key + ".mp4.mp4",
        key,
        "..%2F..%2Fclips%2F" + item.clip.media.name.split("/")[1],
        item.clip.media.name.split("/")[1],  # the stored name under the attempt's path
        "é" * 32 + ".mp4",
    ]:
        assert student_client.get(f"{base}/{forged}").status_code == 404, forged
    # a name made for an item of another quiz, under this attempt: not one of its rounds
    other = Quiz.objects.create(title="Other", slug="other", is_public=True)
    foreign = QuizItem.objects.create(quiz=other, position=1, kind="single", clip=item.clip)
    assert student_client.get(_attempt_url(attempt, foreign)).status_code == 404
    # nor the name of a file the clip does not have (any more)
    poster = _attempt_url(attempt, item, file="poster")
    assert student_client.get(poster).status_code == 200
    Clip.objects.filter(pk=item.clip_id).update(poster="")
    response = student_client.get(poster)
    assert response.status_code == 404


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


def test_replays_are_served_to_players_of_a_quiz_that_holds_the_clip(student_client, demo_pack):
    from quiz.models import Artifact
    from quiz.services.library import artifact_replay_render

    artifact = Artifact.objects.filter(clip__media_kind="video", clip__is_generated=True).first()
    artifact_replay_render(artifact_id=artifact.pk)
    artifact.refresh_from_db()
    assert artifact.replay
    url = reverse("quiz:media", args=[artifact.replay.name])
    assert student_client.get(url).status_code == 200
    assert Client().get(url).status_code == 404
    # Its poster (the first frame, shown until it plays) goes to the same people.
    poster = reverse("quiz:media", args=[artifact.replay_poster])
    assert artifact.replay_poster and student_client.get(poster)["Content-Type"] == "image/jpeg"
    assert Client().get(poster).status_code == 404
    # only where the clip is in a quiz the student may play (replays appear in feedback)
    Quiz.objects.update(is_public=False)
    assert student_client.get(url).status_code == 404
    assert student_client.get(poster).status_code == 404


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


def test_nginx_can_send_the_bytes_after_the_access_check(fetch, settings):
    """Behind nginx, a stored name's bytes go out through nginx; a player's name carries its
    own trailer, which only Django can add, so Django sends those."""
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = fetch.client.get(fetch.url)
    assert response.status_code == 200 and response["Content-Type"] == "video/mp4"
    if fetch.player:
        assert "X-Accel-Redirect" not in response
        assert _check_trailer(_body(response), _stored_bytes(fetch.clip), "mp4") >= 8
    else:
        assert response.content == b""
        assert response["X-Accel-Redirect"] == f"/protected-media/{fetch.clip.media.name}"
    anonymous = Client().get(fetch.url)
    assert anonymous.status_code == 404 and "X-Accel-Redirect" not in anonymous


def _frames(data: bytes) -> int:
    """How many video frames PyAV decodes from the file."""
    import io

    import av

    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _frame in container.decode(video=0))


def test_a_clip_is_a_different_file_under_every_players_name(demo_pack, student, other_student):
    """The same bytes under every name would let a table of length (or hash) -> label from
    free practice answer a test of the same clips: the network panel shows every length.
    Under each player's name a round's file has a length and hash of its own, and still
    plays (PyAV reads the video, Pillow the poster)."""
    import hashlib
    import io

    from PIL import Image

    item = _single_video(demo_pack)
    stored_video, stored_poster = _stored_bytes(item.clip), _stored_bytes(item.clip, "poster")
    lengths, hashes = set(), set()
    for number in range(6):
        player = student if number % 2 else other_student
        attempt = services.attempt_start(user=player, quiz=demo_pack)
        Attempt.objects.filter(pk=attempt.pk).update(finished_at=attempt.started_at)
        client = _client(player)
        video = _body(client.get(_attempt_url(attempt, item)))
        poster = _body(client.get(_attempt_url(attempt, item, file="poster")))
        _check_trailer(video, stored_video, "mp4")
        _check_trailer(poster, stored_poster, "jpg")
        lengths.add((len(video), len(poster)))
        hashes.add(hashlib.sha256(video).hexdigest())
        with Image.open(io.BytesIO(poster)) as image:
            image.load()
            assert image.size == (item.clip.width, item.clip.height)
        assert _frames(video) == _frames(stored_video) > 1
    assert len(lengths) == len(hashes) == 6
    # Up to a quarter of the file's size: clips whose sizes lie closer than that look alike.
    assert max(v for v, _p in lengths) - min(v for v, _p in lengths) > len(stored_video) // 20


def test_nginx_is_told_nothing_for_someone_elses_attempt(
    student, other_student, demo_pack, settings
):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    attempt = services.attempt_start(user=student, quiz=demo_pack)
    poster = _attempt_url(attempt, _single_video(demo_pack), file="poster")
    response = _client(student).get(poster)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    stranger = _client(other_student).get(poster)
    assert stranger.status_code == 404 and "X-Accel-Redirect" not in stranger


def test_served_lengths_no_longer_name_the_demo_clips(demo_build_dir):
    """bench/recognise.py's attack on the demo pack: remember each clip's lengths from five
    practice plays, then answer a test by the nearest length. On the stored bytes it
    recognises every clip; on the padded ones about as often as a guess among the clips
    whose sizes lie close together, and gets the truth no better than chance."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_recognise", ROOT / "bench/recognise.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.run(demo_build_dir, practice=5, tests=10)
    assert figures["identity_accuracy_plain"] == 1.0
    assert figures["identity_accuracy_padded"] < 0.35
    for attack in ("label_accuracy_padded", "label_accuracy_padded_shortest"):
        assert figures[attack] <= figures["label_chance"] + 0.05, attack
