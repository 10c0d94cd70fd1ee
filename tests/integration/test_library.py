"""The clip library: who sees which clips, filters, annotating artifacts with every check,
magnified replays rendered by a task, and retiring clips."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from accounts.models import School, User
from quiz.media.files import replay_files, replay_poster_name
from quiz.models import Answer, Artifact, Attempt, Clip, QuizItem
from quiz.selectors import library as library_selectors
from quiz.selectors.play import round_clip, round_key
from quiz.services import library
from quiz.services.library import ArtifactRefused
from quiz.services.play import answer_submit, attempt_start

pytestmark = pytest.mark.django_db

CLIP_ROW = re.compile(r'<tr id="clip-(\d+)"')


@pytest.fixture(autouse=True)
def _all_on_one_page(monkeypatch) -> None:
    # The demo pack alone fills more than one page; filter tests compare whole result sets.
    monkeypatch.setattr("quiz.views.library.PAGE_SIZE", 200)


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def other_school():
    return School.objects.create(name="Lakeside School")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="x", role="teacher", school=school)


@pytest.fixture
def colleague(school):
    return User.objects.create_user(
        "colleague", password="x", role="teacher", school=school, first_name="Cole"
    )


@pytest.fixture
def stranger(other_school):
    return User.objects.create_user("stranger", password="x", role="teacher", school=other_school)


@pytest.fixture
def educator(school):
    return User.objects.create_user("edu", password="x", role="educator", school=school)


@pytest.fixture
def staff():
    return User.objects.create_user("curator", password="x", role="teacher", is_staff=True)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _demo(key: str) -> Clip:
    return Clip.objects.get(key=key)


@pytest.fixture
def generated_video(demo_pack) -> Clip:
    return _demo("demo-deep-field-new-galaxy")


@pytest.fixture
def real_video(demo_pack) -> Clip:
    return _demo("demo-van-passes-close")


@pytest.fixture
def generated_image(demo_pack) -> Clip:
    return _demo("demo-cat-third-eye")


def _upload(by: User, *, like: Clip, **fields) -> Clip:
    """A clip as an upload would leave it (sharing the demo clip's media files)."""
    values = {
        "media_kind": like.media_kind,
        "status": Clip.Status.READY,
        "is_generated": like.is_generated,
        "generator": "Sora 2" if like.is_generated else "camera",
        "media": like.media.name,
        "poster": like.poster.name,
        "width": like.width,
        "height": like.height,
        "duration_s": like.duration_s,
        "uploaded_by": by,
        "school": by.school,
        "description": "an uploaded clip",
    }
    values.update(fields)
    return Clip.objects.create(**values)


@pytest.fixture
def school_upload(colleague, generated_video) -> Clip:
    return _upload(colleague, like=generated_video)


@pytest.fixture
def foreign_upload(stranger, generated_video) -> Clip:
    return _upload(stranger, like=generated_video)


def _ids(response) -> set[int]:
    assert response.status_code == 200
    return {int(n) for n in CLIP_ROW.findall(response.content.decode())}


def _form_data(clip: Clip, overrides: dict) -> dict:
    """A valid artifact for the clip, changed by `overrides` (None leaves a field out)."""
    data = {
        "category": "physics" if clip.is_generated else "noise",
        "x": "10", "y": "20", "w": "30", "h": "40",
        "start_s": "0.4", "end_s": "1.2", "explanation": "The snow falls upwards.",
    }  # fmt: skip
    if not clip.is_video:
        data.pop("start_s"), data.pop("end_s")
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _post_artifact(client: Client, clip: Clip, *, htmx: bool = False, **overrides) -> object:
    return client.post(
        reverse("library:artifact_create", args=[clip.pk]),
        _form_data(clip, overrides),
        headers={"HX-Request": "true"} if htmx else {},
    )


# --- Who sees what -----------------------------------------------------------------------


def test_staff_see_every_clip(staff, school_upload, foreign_upload):
    assert set(Clip.objects.visible_to(staff)) == set(Clip.objects.all())
    assert _ids(_client(staff).get(reverse("library:index"))) == set(
        Clip.objects.values_list("pk", flat=True)
    )


def test_teachers_see_the_shared_library_and_their_schools_uploads(
    teacher, staff, school_upload, foreign_upload, generated_video
):
    staff_upload = _upload(staff, like=generated_video)
    visible = set(Clip.objects.visible_to(teacher))
    shared = set(Clip.objects.filter(uploaded_by__isnull=True))
    assert visible == shared | {school_upload, staff_upload}
    assert foreign_upload not in visible
    assert _ids(_client(teacher).get(reverse("library:index"))) == {c.pk for c in visible}


def test_a_teacher_without_a_school_sees_only_the_shared_library_and_own_uploads(
    generated_video, foreign_upload
):
    loner = User.objects.create_user("loner", password="x", role="teacher")
    other_loner = User.objects.create_user("loner2", password="x", role="teacher")
    own = _upload(loner, like=generated_video)
    theirs = _upload(other_loner, like=generated_video)
    visible = set(Clip.objects.visible_to(loner))
    assert own in visible and theirs not in visible and foreign_upload not in visible


def test_another_schools_upload_is_not_found(stranger, school_upload):
    client = _client(stranger)
    assert client.get(reverse("library:clip_detail", args=[school_upload.pk])).status_code == 404
    for name, args in (
        ("library:artifact_create", [school_upload.pk]),
        ("library:clip_retire", [school_upload.pk]),
    ):
        assert client.post(reverse(name, args=args), {"retired": "1"}).status_code == 404
    artifact = Artifact.objects.create(
        clip=school_upload, category="physics", start_s=0, end_s=1, box_x=0, box_y=0,
        box_w=0.5, box_h=0.5, explanation="x",
    )  # fmt: skip
    for name in ("library:artifact_edit", "library:artifact_delete"):
        response = client.post(reverse(name, args=[school_upload.pk, artifact.pk]), {})
        assert response.status_code == 404
    assert Artifact.objects.filter(pk=artifact.pk).exists()
    school_upload.refresh_from_db()
    assert school_upload.retired_at is None


def test_students_get_403_on_every_library_page(student, generated_video):
    client = _client(student)
    assert client.get(reverse("library:index")).status_code == 403
    assert client.get(reverse("library:clip_detail", args=[generated_video.pk])).status_code == 403
    assert _post_artifact(client, generated_video).status_code == 403
    response = client.post(
        reverse("library:clip_retire", args=[generated_video.pk]), {"retired": "1"}
    )
    assert response.status_code == 403
    assert not Artifact.objects.filter(explanation="The snow falls upwards.").exists()


def test_strangers_are_sent_to_sign_in(client, generated_video):
    response = client.get(reverse("library:clip_detail", args=[generated_video.pk]))
    assert response.status_code == 302 and "/login/" in response.url


def test_educators_read_the_library_but_do_not_change_it(educator, school_upload):
    client = _client(educator)
    assert school_upload.pk in _ids(client.get(reverse("library:index")))
    html = client.get(reverse("library:clip_detail", args=[school_upload.pk])).content.decode()
    assert 'id="editor"' not in html and "Retire this clip" not in html
    assert _post_artifact(client, school_upload).status_code == 403
    retire = client.post(reverse("library:clip_retire", args=[school_upload.pk]), {"retired": "1"})
    assert retire.status_code == 403


def test_teachers_annotate_their_schools_uploads_but_not_the_shared_library(
    teacher, colleague, school_upload, generated_video
):
    assert library_selectors.clip_editable_by(colleague, school_upload)  # the uploader
    assert library_selectors.clip_editable_by(
        teacher, school_upload
    )  # a teacher of the same school
    assert not library_selectors.clip_editable_by(teacher, generated_video)  # curated by staff
    client = _client(teacher)
    html = client.get(reverse("library:clip_detail", args=[generated_video.pk])).content.decode()
    assert 'id="editor"' not in html
    assert _post_artifact(client, generated_video).status_code == 403
    assert _post_artifact(client, school_upload).status_code == 302
    assert school_upload.artifacts.count() == 1


def test_staff_annotate_the_shared_library(staff, generated_video):
    html = _client(staff).get(reverse("library:clip_detail", args=[generated_video.pk]))
    assert 'id="editor"' in html.content.decode()
    assert library_selectors.clip_editable_by(staff, generated_video)


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def mixed_library(colleague, staff, generated_video, real_video, generated_image):
    """The demo pack plus uploads in every state."""
    uploads = {
        "processing": _upload(colleague, like=generated_video, status=Clip.Status.PROCESSING),
        "failed": _upload(colleague, like=real_video, status=Clip.Status.FAILED),
        "image": _upload(colleague, like=generated_image),
        "staff": _upload(staff, like=real_video, generator="Phone camera"),
    }
    library.clip_retire(clip=_demo("demo-van-melts"), retired=True)
    return uploads


def _expected(user, predicate) -> set[int]:
    return {c.pk for c in Clip.objects.visible_to(user) if predicate(c)}


def _categories(clip: Clip) -> set[str]:
    return set(clip.artifacts.values_list("category", flat=True))


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"label": "generated"}, lambda c: c.is_generated),
        ({"label": "real"}, lambda c: not c.is_generated),
        ({"generator": "camera"}, lambda c: c.generator == "camera"),
        ({"media_kind": "image"}, lambda c: c.media_kind == "image"),
        ({"media_kind": "video"}, lambda c: c.media_kind == "video"),
        ({"category": "morphing"}, lambda c: "morphing" in _categories(c)),
        ({"category": "compression"}, lambda c: "compression" in _categories(c)),
        ({"status": "ready"}, lambda c: c.status == "ready" and c.retired_at is None),
        ({"status": "retired"}, lambda c: c.retired_at is not None),
        ({"status": "processing"}, lambda c: c.status == "processing"),
        ({"status": "failed"}, lambda c: c.status == "failed"),
        ({"uploader": "shared"}, lambda c: c.uploaded_by is None or c.uploaded_by.is_staff),
        ({"unannotated": "on"}, lambda c: not c.artifacts.exists()),
        (
            {"label": "real", "media_kind": "video", "status": "ready", "uploader": "shared"},
            lambda c: (
                not c.is_generated
                and c.is_video
                and c.retired_at is None
                and c.status == "ready"
                and (c.uploaded_by is None or c.uploaded_by.is_staff)
            ),
        ),
        (
            {"label": "generated", "category": "count", "media_kind": "video"},
            lambda c: c.is_generated and c.is_video and "count" in _categories(c),
        ),
    ],
)
def test_each_filter_narrows_the_library(teacher, mixed_library, params, predicate):
    expected = _expected(teacher, predicate)
    everything = _expected(teacher, lambda c: True)
    assert expected and expected != everything, "the case must narrow something"
    assert _ids(_client(teacher).get(reverse("library:index"), params)) == expected


def test_filter_by_one_uploader(teacher, colleague, mixed_library):
    found = _ids(_client(teacher).get(reverse("library:index"), {"uploader": colleague.pk}))
    assert found == set(Clip.objects.filter(uploaded_by=colleague).values_list("pk", flat=True))
    assert len(found) == 3


def test_the_generator_filter_names_the_camera_in_the_readers_language(teacher, mixed_library):
    page = _client(teacher).get(reverse("library:index"), headers={"accept-language": "de"})
    assert '<option value="camera">Kamera</option>' in page.content.decode()
    found = _ids(_client(teacher).get(reverse("library:index"), {"generator": "camera"}))
    assert found == _expected(teacher, lambda c: c.generator == "camera")


def test_unknown_filter_values_are_reported_and_ignored(teacher, mixed_library):
    response = _client(teacher).get(reverse("library:index"), {"label": "maybe", "status": "x"})
    assert _ids(response) == _expected(teacher, lambda c: True)
    assert 'class="field-error"' in response.content.decode()


def test_filter_library_refuses_unknown_values():
    for bad in ({"label": "maybe"}, {"status": "gone"}, {"category": "vibes"}):
        with pytest.raises(ValueError):
            library_selectors.filter_library(Clip.objects.all(), **bad)


def test_unannotated_and_retired_clips_are_marked(teacher, mixed_library):
    html = _client(teacher).get(reverse("library:index")).content.decode()
    rows = dict(re.findall(r'<tr id="clip-(\d+)"(.*?)</tr>', html, flags=re.S))
    coins = _demo("demo-coins-push-in")
    assert "Not annotated" in rows[str(coins.pk)]
    assert "Not annotated" not in rows[str(_demo("demo-deep-field-new-galaxy").pk)]
    assert "Retired" in rows[str(_demo("demo-van-melts").pk)]
    assert "Retired" not in rows[str(coins.pk)]
    detail = _client(teacher).get(reverse("library:clip_detail", args=[coins.pk]))
    assert "Not annotated" in detail.content.decode()


def test_htmx_filtering_returns_only_the_results(teacher, mixed_library):
    response = _client(teacher).get(
        reverse("library:index"), {"media_kind": "image"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="library-results"' in html
    assert 'hx-swap-oob="innerHTML:#announce"' in html
    assert "HX-Request" in response["Vary"]
    assert _ids(response) == _expected(teacher, lambda c: c.media_kind == "image")


def test_the_library_is_paginated_and_pages_keep_the_filters(teacher, mixed_library, monkeypatch):
    monkeypatch.setattr("quiz.views.library.PAGE_SIZE", 5)
    client = _client(teacher)
    first = client.get(reverse("library:index"), {"label": "generated"})
    assert len(_ids(first)) == 5
    html = first.content.decode()
    assert "label=generated&amp;page=2" in html
    seen = set()
    page = 1
    while True:
        response = client.get(reverse("library:index"), {"label": "generated", "page": page})
        ids = _ids(response)
        assert not ids & seen
        seen |= ids
        if f"page={page + 1}" not in response.content.decode():
            break
        page += 1
    assert seen == _expected(teacher, lambda c: c.is_generated)


def test_the_library_list_costs_a_fixed_number_of_queries(staff, mixed_library, monkeypatch):
    client = _client(staff)
    client.get(reverse("library:index"))  # warm the session
    counts = []
    for size in (3, 30):
        monkeypatch.setattr("quiz.views.library.PAGE_SIZE", size)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("library:index")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Clip details ----------------------------------------------------------------------------


def test_the_clip_page_shows_details_provenance_and_artifacts_with_boxes(staff, generated_video):
    generated_video.provenance = {
        "state": "valid",
        "signer": "OpenAI",
        "claim_generator": "OpenAI Sora",
        "actions": ["c2pa.created"],
        "issues": [],
    }
    generated_video.prompt = "snow in Tokyo"
    generated_video.save()
    html = _client(staff).get(reverse("library:clip_detail", args=[generated_video.pk]))
    html = html.content.decode()
    assert "Signed by OpenAI with OpenAI Sora" in html and "snow in Tokyo" in html
    for artifact in generated_video.artifacts.all():
        assert f'id="artifact-{artifact.pk}"' in html
        assert f'data-artifact="artifact-{artifact.pk}"' in html  # its box in the overlay
    assert reverse("quiz:media", args=[generated_video.media.name]) in html


def test_the_clip_page_shows_the_replay_once_rendered(staff, generated_video):
    artifact = generated_video.artifacts.first()
    html = _client(staff).get(reverse("library:clip_detail", args=[generated_video.pk]))
    assert "being made" in html.content.decode()
    artifact.replay = "clips/" + "r" * 24 + ".mp4"
    artifact.save()
    html = _client(staff).get(reverse("library:clip_detail", args=[generated_video.pk]))
    html = html.content.decode()
    assert reverse("quiz:media", args=[artifact.replay.name]) in html
    assert "Magnified replay" in html and "<video" in html


def test_the_replay_include_renders_video_or_image():
    from django.template.loader import render_to_string

    artifact = Artifact(category="physics", replay="clips/" + "v" * 24 + ".mp4")
    html = render_to_string("quiz/_replay.html", {"artifact": artifact})
    assert "<video" in html and "loop" in html and "Magnified replay" in html
    assert "poster=" not in html  # rendered before replays had posters: none to show
    poster = Path(django_settings.MEDIA_ROOT) / replay_poster_name(artifact.replay.name)
    poster.parent.mkdir(parents=True, exist_ok=True)
    poster.write_bytes(b"a jpeg")
    html = render_to_string("quiz/_replay.html", {"artifact": artifact})
    assert (
        f'poster="{reverse("quiz:media", args=[replay_poster_name(artifact.replay.name)])}"' in html
    )
    artifact.replay = "clips/" + "i" * 24 + ".jpg"
    html = render_to_string("quiz/_replay.html", {"artifact": artifact})
    assert "<img" in html and "<video" not in html
    artifact.replay = ""
    assert render_to_string("quiz/_replay.html", {"artifact": artifact}).strip() == ""


def test_an_unknown_clip_is_not_found(staff):
    client = _client(staff)
    for clip_id in (999999, 2**63 + 5):
        assert client.get(f"/library/clips/{clip_id}/").status_code == 404


# --- Annotating ----------------------------------------------------------------------------


def test_staff_add_an_artifact_without_javascript(staff, generated_video):
    client = _client(staff)
    response = _post_artifact(client, generated_video)
    artifact = generated_video.artifacts.get(explanation="The snow falls upwards.")
    assert response.status_code == 302
    assert response.url.endswith(f"#artifact-{artifact.pk}")
    assert (artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h) == (0.1, 0.2, 0.3, 0.4)
    assert (artifact.start_s, artifact.end_s, artifact.category) == (0.4, 1.2, "physics")
    html = client.get(response.url).content.decode()
    assert "Artifact saved." in html and "The snow falls upwards." in html


def test_htmx_save_returns_the_list_the_overlay_a_fresh_editor_and_a_notice(staff, generated_video):
    client = _client(staff)
    response = client.post(
        reverse("library:artifact_create", args=[generated_video.pk]),
        {
            "category": "physics", "x": "10", "y": "20", "w": "30", "h": "40",
            "start_s": "0.4", "end_s": "1.2", "explanation": "Rises.",
        },
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    artifact = generated_video.artifacts.get(explanation="Rises.")
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section id="artifacts"')
    assert '<div id="overlay-slot" class="overlay-slot" hx-swap-oob="true">' in html
    assert re.search(rf'<rect class="artifact-box" data-artifact="artifact-{artifact.pk}"', html)
    assert 'x="10.000000" y="20.000000" width="30.000000" height="40.000000"' in html
    assert (
        'id="editor" class="annotate-editor" aria-labelledby="editor-title" hx-swap-oob="true"'
        in html
    )
    assert re.search(r'hx-swap-oob="innerHTML:#announce">\s*Artifact saved.', html)


def test_an_image_artifact_has_no_times(staff, generated_image):
    response = _post_artifact(_client(staff), generated_image, category="anatomy")
    assert response.status_code == 302
    artifact = generated_image.artifacts.get(explanation="The snow falls upwards.")
    assert artifact.start_s is None and artifact.end_s is None


LONG = "x" * 5000


@pytest.mark.parametrize(
    ("clip_key", "overrides", "message"),
    [
        ("demo-deep-field-new-galaxy", {"category": "vibes"}, "Select a valid choice"),
        ("demo-deep-field-new-galaxy", {"category": ""}, "Choose a category"),
        ("demo-van-passes-close", {"category": "physics"}, "choose a decoy, not a tell"),
        ("demo-deep-field-new-galaxy", {"category": "noise"}, "choose a tell, not a decoy"),
        ("demo-deep-field-new-galaxy", {"x": "-5"}, "within the frame"),
        ("demo-deep-field-new-galaxy", {"y": "120", "h": "10"}, "within the frame"),
        ("demo-deep-field-new-galaxy", {"x": "80", "w": "30"}, "past the right edge"),
        ("demo-deep-field-new-galaxy", {"y": "70", "h": "40"}, "past the bottom"),
        ("demo-deep-field-new-galaxy", {"w": "0"}, "width above zero"),
        ("demo-deep-field-new-galaxy", {"h": "-1"}, "height above zero"),
        (
            "demo-deep-field-new-galaxy",
            {"start_s": "2", "end_s": "1"},
            "end must come after the start",
        ),
        (
            "demo-deep-field-new-galaxy",
            {"start_s": "1", "end_s": "1"},
            "end must come after the start",
        ),
        ("demo-deep-field-new-galaxy", {"start_s": "-1"}, "before the clip begins"),
        ("demo-deep-field-new-galaxy", {"end_s": "999"}, "after the clip ends"),
        ("demo-deep-field-new-galaxy", {"start_s": None}, "Mark where the artifact starts"),
        ("demo-deep-field-new-galaxy", {"end_s": ""}, "Mark where the artifact ends"),
        (
            "demo-cat-third-eye",
            {"category": "anatomy", "start_s": "0", "end_s": "1"},
            "no time range",
        ),
        ("demo-deep-field-new-galaxy", {"explanation": LONG}, "at most 2000 characters"),
        ("demo-deep-field-new-galaxy", {"explanation": "   "}, "Explain what to look for"),
        ("demo-deep-field-new-galaxy", {"x": "abc"}, "Enter a number"),
        ("demo-deep-field-new-galaxy", {"start_s": "soon"}, "Enter a number"),
        ("demo-deep-field-new-galaxy", {"w": "nan"}, "Enter a number"),
        ("demo-deep-field-new-galaxy", {"h": "inf"}, "Enter a number"),
        ("demo-deep-field-new-galaxy", {"x": None}, "Draw the region"),
    ],
)
def test_invalid_artifacts_are_refused_with_a_message(
    staff, demo_pack, clip_key, overrides, message
):
    clip = _demo(clip_key)
    before = Artifact.objects.count()
    client = _client(staff)
    response = _post_artifact(client, clip, **overrides)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "The artifact was not saved" in html
    assert Artifact.objects.count() == before
    # The same through htmx: the editor comes back in place of the list, with its errors.
    response = _post_artifact(client, clip, htmx=True, **overrides)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#editor"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="editor"') and message in html
    assert Artifact.objects.count() == before


def test_the_service_checks_without_the_form(generated_video, real_video):
    good = {
        "category": "physics",
        "box": (0.1, 0.1, 0.2, 0.2),
        "start_s": 0.0,
        "end_s": 1.0,
        "explanation": "ok",
    }
    library.artifact_check(clip=generated_video, **good)
    for change, field in (
        ({"category": "physics"}, "category"),
        ({"box": (0.9, 0.1, 0.2, 0.2), "category": "noise"}, "w"),
    ):
        with pytest.raises(ArtifactRefused) as refused:
            library.artifact_check(clip=real_video, **{**good, **change})
        assert refused.value.field == field
    with pytest.raises(ArtifactRefused):
        library.artifact_check(clip=generated_video, **{**good, "box": (0, 0, float("nan"), 1)})
    with pytest.raises(ArtifactRefused):
        library.artifact_check(clip=generated_video, **{**good, "box": (0.1, 0.1)})
    processing = _upload(User.objects.create_user("u", role="teacher"), like=generated_video)
    processing.status = Clip.Status.PROCESSING
    with pytest.raises(ArtifactRefused, match="ready"):
        library.artifact_check(clip=processing, **good)


def test_a_box_to_the_edge_typed_in_percent_is_accepted(staff, generated_video):
    response = _post_artifact(_client(staff), generated_video, x="70", w="30", y="0.3", h="99.7")
    assert response.status_code == 302


def test_an_end_at_the_very_end_of_the_clip_is_accepted(staff, generated_video):
    end = f"{generated_video.duration_s:.6f}"
    assert _post_artifact(_client(staff), generated_video, end_s=end).status_code == 302


def test_markup_in_an_explanation_is_shown_as_text(staff, generated_video):
    client = _client(staff)
    _post_artifact(client, generated_video, explanation='<script>alert("x")</script> & <b>bold</b>')
    html = client.get(reverse("library:clip_detail", args=[generated_video.pk])).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html


def test_edit_fills_the_form_and_saves_changes(staff, generated_video):
    client = _client(staff)
    artifact = generated_video.artifacts.first()
    url = reverse("library:clip_detail", args=[generated_video.pk])
    page = client.get(url, {"edit": artifact.pk}).content.decode()
    assert reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk]) in page
    assert f'value="{artifact.box_percent["x"]}"' in page
    partial = client.get(url, {"edit": artifact.pk}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="editor"') and "<html" not in html
    assert artifact.explanation in html

    response = client.post(
        reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk]),
        {
            "category": "temporal", "x": "5", "y": "5", "w": "50", "h": "50",
            "start_s": "0.2", "end_s": "2.0", "explanation": "Now explained better.",
        },
    )  # fmt: skip
    assert response.status_code == 302
    artifact.refresh_from_db()
    assert artifact.category == "temporal" and artifact.explanation == "Now explained better."
    assert (artifact.box_x, artifact.box_w, artifact.start_s, artifact.end_s) == (
        0.05,
        0.5,
        0.2,
        2.0,
    )


def test_an_invalid_edit_changes_nothing(staff, generated_video):
    artifact = generated_video.artifacts.first()
    before = (artifact.category, artifact.box_x, artifact.explanation)
    response = _client(staff).post(
        reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk]),
        _form_data(generated_video, {"x": "90", "w": "20"}),
    )
    assert response.status_code == 422
    artifact.refresh_from_db()
    assert (artifact.category, artifact.box_x, artifact.explanation) == before


def test_delete_removes_the_artifact(staff, generated_video):
    client = _client(staff)
    artifact = generated_video.artifacts.first()
    response = client.post(
        reverse("library:artifact_delete", args=[generated_video.pk, artifact.pk]),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Artifact deleted." in html
    assert f'id="artifact-{artifact.pk}"' not in html
    assert not Artifact.objects.filter(pk=artifact.pk).exists()
    # Deleting again (a double click) finds nothing.
    again = client.post(reverse("library:artifact_delete", args=[generated_video.pk, artifact.pk]))
    assert again.status_code == 404


def test_forged_ids_are_not_found(staff, generated_video, real_video):
    client = _client(staff)
    other = real_video.artifacts.first()
    data = _form_data(generated_video, {})
    for name in ("library:artifact_edit", "library:artifact_delete"):
        # An artifact of another clip, under this clip's URL.
        assert (
            client.post(reverse(name, args=[generated_video.pk, other.pk]), data).status_code == 404
        )
        assert (
            client.post(reverse(name, args=[generated_video.pk, 987654]), data).status_code == 404
        )
    assert client.post(reverse("library:artifact_create", args=[987654]), data).status_code == 404
    assert (
        client.get(
            reverse("library:clip_detail", args=[generated_video.pk]), {"edit": other.pk}
        ).status_code
        == 404
    )
    assert client.post(f"/library/clips/{2**64}/artifacts/", data).status_code == 404
    other.refresh_from_db()
    assert other.clip_id == real_video.pk


def test_post_only_views_refuse_get_with_405(staff, generated_video):
    client = _client(staff)
    artifact = generated_video.artifacts.first()
    for url in (
        reverse("library:artifact_create", args=[generated_video.pk]),
        reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk]),
        reverse("library:artifact_delete", args=[generated_video.pk, artifact.pk]),
        reverse("library:clip_retire", args=[generated_video.pk]),
    ):
        assert client.get(url).status_code == 405, url
    assert client.post(reverse("library:index")).status_code == 405


# --- Replays -------------------------------------------------------------------------------


def _replay_files() -> set[str]:
    """Files under MEDIA_ROOT/clips that are not a clip's media or poster."""
    root = Path(django_settings.MEDIA_ROOT)
    files = {p.relative_to(root).as_posix() for p in (root / "clips").iterdir()}
    clip_files = set(Clip.objects.values_list("media", flat=True)) | set(
        Clip.objects.values_list("poster", flat=True)
    )
    return files - clip_files


def test_saving_renders_a_replay_and_a_second_run_replaces_it(
    staff, generated_video, django_capture_on_commit_callbacks
):
    from quiz.tasks import artifact_replay_render

    with django_capture_on_commit_callbacks(execute=True):
        response = _post_artifact(_client(staff), generated_video)
    assert response.status_code == 302
    artifact = generated_video.artifacts.get(explanation="The snow falls upwards.")
    first = artifact.replay.name
    assert re.fullmatch(r"clips/[A-Za-z0-9_-]{24}\.mp4", first)
    # The replay and its poster, the first magnified frame, shown until it plays.
    assert _replay_files() == {first, replay_poster_name(first)}
    assert artifact.replay_poster == replay_poster_name(first)
    with Image.open(Path(django_settings.MEDIA_ROOT) / artifact.replay_poster) as poster:
        assert poster.format == "JPEG" and max(poster.size) == 360

    with django_capture_on_commit_callbacks(execute=True):
        artifact_replay_render(artifact.pk)  # the task, run again
    artifact.refresh_from_db()
    assert artifact.replay.name != first
    assert _replay_files() == set(replay_files(artifact.replay.name))  # the old ones went

    from quiz.media.probe import probe_media

    report = probe_media(Path(django_settings.MEDIA_ROOT) / artifact.replay.name)
    assert max(report.width, report.height) == 360
    # (0.8 s range + 0.3 s context on each side) at half speed.
    assert report.duration_s == pytest.approx((1.2 - 0.4 + 0.6) * 2, abs=0.15)


def test_an_image_artifact_gets_a_still_replay(
    staff, generated_image, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post_artifact(_client(staff), generated_image, category="anatomy")
    artifact = generated_image.artifacts.get(explanation="The snow falls upwards.")
    assert artifact.replay.name.endswith(".jpg")
    assert (Path(django_settings.MEDIA_ROOT) / artifact.replay.name).exists()
    assert artifact.replay_poster == "" and _replay_files() == {artifact.replay.name}


def test_a_new_region_drops_the_old_replay_and_renders_a_new_one(
    staff, generated_video, django_capture_on_commit_callbacks
):
    client = _client(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _post_artifact(client, generated_video)
    artifact = generated_video.artifacts.get(explanation="The snow falls upwards.")
    first = artifact.replay.name
    edit_url = reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk])
    # Wording only: the replay stays.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(edit_url, _form_data(generated_video, {"explanation": "Snow goes up."}))
    artifact.refresh_from_db()
    assert artifact.replay.name == first and not callbacks
    # A new region: a new replay, and only one file.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(edit_url, _form_data(generated_video, {"x": "50", "w": "40"}))
    artifact.refresh_from_db()
    assert artifact.replay.name and artifact.replay.name != first
    assert _replay_files() == set(replay_files(artifact.replay.name))


def test_deleting_an_artifact_deletes_its_replay(
    staff, generated_video, django_capture_on_commit_callbacks
):
    client = _client(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _post_artifact(client, generated_video)
    artifact = generated_video.artifacts.get(explanation="The snow falls upwards.")
    assert artifact.replay and _replay_files() == set(replay_files(artifact.replay.name))
    assert len(_replay_files()) == 2  # the replay and its poster: both go
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("library:artifact_delete", args=[generated_video.pk, artifact.pk]))
    assert _replay_files() == set()


def test_the_task_is_a_no_op_for_a_deleted_artifact(generated_video):
    from quiz.tasks import artifact_replay_render

    artifact_replay_render(987654)  # never existed
    assert library.artifact_replay_render(artifact_id=987654) is None


def test_an_artifact_deleted_during_the_render_leaves_no_file(
    generated_video, monkeypatch, django_capture_on_commit_callbacks
):
    artifact = generated_video.artifacts.first()
    real_render = library.render_replay

    def render_then_delete(*args, **kwargs):
        real_render(*args, **kwargs)
        Artifact.objects.filter(pk=artifact.pk).delete()

    monkeypatch.setattr(library, "render_replay", render_then_delete)
    with django_capture_on_commit_callbacks(execute=True):
        assert library.artifact_replay_render(artifact_id=artifact.pk) is None
    assert _replay_files() == set()


def test_an_edit_during_the_render_wins(
    generated_video, monkeypatch, django_capture_on_commit_callbacks
):
    artifact = generated_video.artifacts.first()
    real_render = library.render_replay

    def render_then_edit(*args, **kwargs):
        real_render(*args, **kwargs)
        Artifact.objects.filter(pk=artifact.pk).update(box_x=0, replay="")

    monkeypatch.setattr(library, "render_replay", render_then_edit)
    with django_capture_on_commit_callbacks(execute=True):
        assert library.artifact_replay_render(artifact_id=artifact.pk) is None
    artifact.refresh_from_db()
    assert artifact.replay.name == "" and _replay_files() == set()


def test_a_failed_render_leaves_no_file_and_keeps_the_old_replay(generated_video, monkeypatch):
    artifact = generated_video.artifacts.first()
    artifact.replay = "clips/" + "o" * 24 + ".mp4"
    artifact.save()

    def broken(source, dst, **kwargs):
        Path(dst).write_bytes(b"half a file")
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(library, "render_replay", broken)
    with pytest.raises(RuntimeError):
        library.artifact_replay_render(artifact_id=artifact.pk)
    artifact.refresh_from_db()
    assert artifact.replay.name == "clips/" + "o" * 24 + ".mp4"
    assert _replay_files() == set()


def test_missing_replays_are_queued_for_imported_artifacts(generated_image, monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(
        "quiz.tasks.artifact_replay_render.apply_async",
        lambda args=(), kwargs=None, **options: queued.append(args[0]),
    )
    missing = set(Artifact.objects.filter(replay="").values_list("pk", flat=True))
    assert missing  # the demo pack comes without replays
    assert library.artifact_replays_queue_missing() == len(missing)
    assert set(queued) == missing


@pytest.mark.integration
def test_a_real_worker_renders_the_replay_after_commit(celery_worker, demo_pack):
    clip = _demo("demo-coins-count-changes")
    artifact = library.artifact_create(
        clip=clip,
        category="physics",
        box=(0.25, 0.25, 0.5, 0.5),
        start_s=0.0,
        end_s=1.0,
        explanation="The balls pass through each other.",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        artifact.refresh_from_db()
        if artifact.replay:
            break
        time.sleep(0.2)
    assert artifact.replay.name.endswith(".mp4")
    assert (Path(django_settings.MEDIA_ROOT) / artifact.replay.name).exists()


# --- Retiring ------------------------------------------------------------------------------


def test_retiring_takes_a_clip_out_of_new_quizzes_but_past_attempts_still_show_it(
    staff, student, demo_pack
):
    item = demo_pack.items.filter(kind=QuizItem.Kind.SINGLE).order_by("position").first()
    clip = item.clip
    attempt = attempt_start(user=student, quiz=demo_pack)
    answer_submit(attempt=attempt, item=item, guess="real", confidence=60)

    client = _client(staff)
    response = client.post(reverse("library:clip_retire", args=[clip.pk]), {"retired": "1"})
    assert response.status_code == 302
    clip.refresh_from_db()
    assert clip.retired_at is not None
    assert clip not in Clip.objects.in_use() and clip in Clip.objects.ready()

    # The student's past round still shows the clip (under the attempt's own name) and its
    # feedback.
    player = _client(student)
    feedback = player.get(
        reverse("quiz:round_feedback", args=[attempt.pk, round_key(attempt, item.pk)])
    )
    assert feedback.status_code == 200
    served = round_clip(attempt.pk, item, "clip")
    media_url = reverse("quiz:attempt_media", args=[attempt.pk, served.media])
    assert media_url in feedback.content.decode()
    assert player.get(media_url).status_code == 200
    assert Answer.objects.filter(attempt=attempt, item=item).exists()
    assert Attempt.objects.filter(pk=attempt.pk).exists()

    # Retiring twice keeps the first date; bringing it back puts it in use again.
    when = clip.retired_at
    client.post(reverse("library:clip_retire", args=[clip.pk]), {"retired": "1"})
    clip.refresh_from_db()
    assert clip.retired_at == when
    client.post(reverse("library:clip_retire", args=[clip.pk]), {"retired": "0"})
    clip.refresh_from_db()
    assert clip.retired_at is None and clip in Clip.objects.in_use()


def test_retire_needs_a_clear_choice(staff, generated_video):
    response = _client(staff).post(reverse("library:clip_retire", args=[generated_video.pk]), {})
    assert response.status_code == 400
    generated_video.refresh_from_db()
    assert generated_video.retired_at is None


def test_a_teacher_retires_a_clip_of_their_school(teacher, school_upload):
    response = _client(teacher).post(
        reverse("library:clip_retire", args=[school_upload.pk]), {"retired": "1"}
    )
    assert response.status_code == 302
    school_upload.refresh_from_db()
    assert school_upload.retired_at is not None


def test_the_editor_keeps_the_explanation_in_each_language(staff, generated_video):
    """The annotation editor edits the explanation as written and in each language of the
    site; an empty one falls back, a too-long one is refused by name and saves nothing."""
    client = _client(staff)
    response = _post_artifact(
        client,
        generated_video,
        explanation_de="Der Schnee fällt nach oben.",
        explanation_en="",
    )
    assert response.status_code == 302
    artifact = generated_video.artifacts.get(explanation="The snow falls upwards.")
    assert artifact.translations == {"de": {"explanation": "Der Schnee fällt nach oben."}}
    edit = client.get(
        reverse("library:clip_detail", args=[generated_video.pk]) + f"?edit={artifact.pk}"
    ).content.decode()
    assert "Der Schnee fällt nach oben.</textarea>" in edit
    assert 'name="explanation_de"' in edit and 'name="explanation_en"' in edit

    before = Artifact.objects.count()
    refused = _post_artifact(client, generated_video, explanation_de="x" * 2001)
    assert refused.status_code == 422 and Artifact.objects.count() == before
    assert "at most 2000 characters" in refused.content.decode()

    client.post(
        reverse("library:artifact_edit", args=[generated_video.pk, artifact.pk]),
        _form_data(generated_video, {"explanation_de": ""}),
    )
    artifact.refresh_from_db()
    assert artifact.translations == {}
