"""Issue 11 §5, the smaller holes: dates at the ends of the calendar, ids and numbers too big
to parse, control characters in free text, text without a length limit, and the security
headers. Each test here used to answer a 500 (or store what it should refuse)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Classroom, School, User
from quiz.models import Assignment, Clip, Quiz
from tests.payloads import assignment_form

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- 1. Dates at either end of the calendar ----------------------------------------------------


@pytest.fixture
def utc_school():
    return School.objects.create(name="Greenwich", time_zone="UTC")


@pytest.fixture
def hours_teacher(utc_school):
    return User.objects.create_user("t-utc", password="x", role="teacher", school=utc_school)


@pytest.fixture
def own_quiz(hours_teacher):
    return Quiz.objects.create(title="Mine", slug="mine", created_by=hours_teacher)


@pytest.fixture
def utc_classroom(utc_school, hours_teacher):
    classroom = Classroom.objects.create(school=utc_school, name="7C")
    classroom.teachers.add(hours_teacher)
    return classroom


@pytest.mark.parametrize(
    ("opens", "due"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC)),
        (datetime(9999, 12, 30, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("view", ["school_overview", "school_overview_csv", "school_overview_json"])
def test_a_stored_date_at_the_end_of_the_calendar_does_not_break_the_overview(
    utc_school, utc_classroom, own_quiz, hours_teacher, opens, due, view
):
    Assignment.objects.create(
        quiz=own_quiz,
        classroom=utc_classroom,
        opens_at=opens,
        due_at=due,
        created_by=hours_teacher,
    )
    for zone in ("America/New_York", "Pacific/Auckland"):
        home = School.objects.create(name=f"Home {zone}", time_zone=zone)
        educator = User.objects.create_user(
            f"edu-{zone}", password="x", role="educator", school=home
        )
        utc_school.educators.add(educator)
        response = _client(educator).get(reverse(f"insights:{view}", args=[utc_school.pk]))
        assert response.status_code == 200, zone


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/New_York"])
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opens_at": "0001-01-01T00:00"}, "between the years 2000 and 2100"),
        ({"due_at": "9999-12-31T23:59"}, "between the years 2000 and 2100"),
        ({"due_at": "2101-01-01T00:00"}, "between the years 2000 and 2100"),
    ],
)
def test_assignment_dates_outside_a_sane_range_are_refused(
    utc_school, utc_classroom, own_quiz, hours_teacher, changes, message, zone
):
    utc_school.time_zone = zone
    utc_school.save()
    data = assignment_form(utc_classroom.pk, **changes)
    response = _client(hours_teacher).post(
        reverse("teach:assignment_create", args=[own_quiz.slug]), data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_overview_filter_dates_outside_a_sane_range_are_refused(utc_school, value):
    home = School.objects.create(name="West", time_zone="America/Los_Angeles")
    educator = User.objects.create_user("edu-w", password="x", role="educator", school=home)
    utc_school.educators.add(educator)
    client = _client(educator)
    response = client.get(
        reverse("insights:school_overview", args=[utc_school.pk]), {"date_from": value}
    )
    assert response.status_code == 400
    assert "between the years 2000 and 2100" in response.content.decode()
    response = client.get(
        reverse("insights:school_overview_csv", args=[utc_school.pk]), {"date_to": value}
    )
    assert response.status_code == 400


# --- 2. Numbers too big or too strange to parse -----------------------------------------------


def test_a_huge_class_id_on_the_assignment_form_is_a_form_error(
    utc_classroom, own_quiz, hours_teacher
):
    data = assignment_form("99999999999999999999")
    response = _client(hours_teacher).post(
        reverse("teach:assignment_create", args=[own_quiz.slug]), data
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("edit", ["²", "٣", "99999999999999999999", "1" * 5000])
def test_a_strange_artifact_number_on_a_clip_page_is_a_bad_request(demo_pack, edit):
    staff = User.objects.create_user("staff", password="x", role="teacher", is_staff=True)
    clip = demo_pack.items.first().clip
    response = _client(staff).get(reverse("library:clip_detail", args=[clip.pk]), {"edit": edit})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bytes=" + "9" * 5000 + "-", 416),
        ("bytes=0-" + "9" * 5000, 206),
        ("bytes=-" + "9" * 5000, 206),
        ("bytes=٠-٣", 200),
    ],
)
def test_a_range_with_thousands_of_digits_is_answered_not_a_500(demo_pack, header, status):
    staff = User.objects.create_user("staff", password="x", role="teacher", is_staff=True)
    item = demo_pack.items.filter(kind="single", clip__media_kind="video").first()
    url = reverse("quiz:media", args=[item.clip.media.name])
    response = _client(staff).get(url, headers={"Range": header})
    assert response.status_code == status


# --- 3. Control and direction-override characters ---------------------------------------------

HIDDEN = ["\x00", "\x1b[31m", "\x7f", "\u200f", "\u202e", "\u2066"]
UPLOAD_FIELDS = {
    "is_generated": "generated",
    "generator": "Sora 2",
    "prompt": "a cat walks\nthrough a wall",
    "credit": "OpenAI",
    "license": "for education",
    "description": "A cat by a wall",
}


def _upload_post(client: Client, **fields: str):
    return client.post(
        "/library/upload/",
        {**UPLOAD_FIELDS, **fields, "file": SimpleUploadedFile("cat.jpg", b"\xff\xd8\xff")},
        headers={"Accept": "application/json"},
    )


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("field", ["generator", "prompt", "credit", "license", "description"])
def test_upload_details_with_hidden_characters_are_refused(hours_teacher, field, hidden):
    response = _upload_post(_client(hours_teacher), **{field: f"Sora{hidden}gpj.mp4"})
    assert response.status_code == 400
    assert "invisible control characters" in response.json()["errors"][0]
    assert not Clip.objects.exists()


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_class_name_with_hidden_characters_is_refused(hours_teacher, hidden):
    response = _client(hours_teacher).post(
        reverse("accounts:classroom_create"), {"name": f"8A{hidden}"}
    )
    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    assert not Classroom.objects.exists()


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_quiz_title_with_hidden_characters_is_refused(hours_teacher, hidden):
    response = _client(hours_teacher).post(
        reverse("build:quiz_new"), {"title": f"Deep{hidden}fakes", "description": "ok\nfine"}
    )
    assert response.status_code == 422
    assert "invisible control characters" in response.content.decode()
    assert not Quiz.objects.exists()


def test_a_quiz_description_keeps_its_line_breaks_but_not_an_override(hours_teacher):
    client = _client(hours_teacher)
    response = client.post(
        reverse("build:quiz_new"), {"title": "Deepfakes", "description": "one\u202eowt"}
    )
    assert response.status_code == 422
    assert not Quiz.objects.exists()
    response = client.post(
        reverse("build:quiz_new"), {"title": "Deepfakes", "description": "one\r\n\ttwo"}
    )
    assert response.status_code == 302
    assert Quiz.objects.get().description.replace("\r\n", "\n") == "one\n\ttwo"


@pytest.mark.parametrize("field", ["first_name", "last_name", "school_name"])
def test_teacher_sign_up_names_with_hidden_characters_are_refused(field):
    data = {
        "username": "newteach",
        "first_name": "Nia",
        "last_name": "Okafor",
        "school_name": "Hillside",
        "time_zone": "Europe/Berlin",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        field: "Hill\u202eedis",
    }
    response = Client().post(reverse("accounts:teacher_signup"), data)
    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    assert not User.objects.filter(username="newteach").exists()
    assert not School.objects.exists()


def test_an_assignment_unit_with_hidden_characters_is_refused(
    utc_classroom, own_quiz, hours_teacher
):
    data = assignment_form(utc_classroom.pk, unit_role="pre", unit="Deep\x08fakes")
    response = _client(hours_teacher).post(
        reverse("teach:assignment_create", args=[own_quiz.slug]), data
    )
    assert "invisible control characters" in response.content.decode()
    assert not Assignment.objects.exists()


# --- 4. Length limits --------------------------------------------------------------------------


def test_a_huge_prompt_is_refused_and_nothing_is_stored(hours_teacher):
    response = _upload_post(_client(hours_teacher), prompt="a cat " * 400_000)
    assert response.status_code == 400
    assert "at most 2000 characters" in response.json()["errors"][0]
    assert not Clip.objects.exists()


def test_a_prompt_of_2000_characters_is_taken(hours_teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        response = _upload_post(_client(hours_teacher), prompt="p" * 2000)
    assert response.status_code == 201
    assert len(Clip.objects.get().prompt) == 2000


def test_a_huge_artifact_explanation_is_a_form_error():
    from quiz.forms.library import ArtifactForm
    from quiz.services.library import EXPLANATION_MAX

    form = ArtifactForm(
        {"x": 1, "y": 1, "w": 10, "h": 10, "category": "other", "explanation": "e" * 10**6}
    )
    assert not form.is_valid()
    assert "explanation" in form.errors
    assert EXPLANATION_MAX < 10**6


# --- 5. Security headers and the secret key ---------------------------------------------------


def test_signed_in_pages_and_exports_are_not_stored(utc_school, hours_teacher, utc_classroom):
    educator = User.objects.create_user("edu-c", password="x", role="educator", school=utc_school)
    utc_school.educators.add(educator)
    educator_client = _client(educator)
    for client, url in [
        (_client(hours_teacher), reverse("accounts:classroom_list")),
        (_client(hours_teacher), reverse("accounts:classroom_detail", args=[utc_classroom.pk])),
        (educator_client, reverse("insights:school_overview", args=[utc_school.pk])),
        (educator_client, reverse("insights:school_overview_csv", args=[utc_school.pk])),
        (educator_client, reverse("insights:school_overview_json", args=[utc_school.pk])),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "camera=()" in response["Permissions-Policy"], url


def test_a_teachers_csv_export_is_not_stored(utc_classroom, own_quiz, hours_teacher):
    assignment = Assignment.objects.create(
        quiz=own_quiz,
        classroom=utc_classroom,
        opens_at=datetime.now(UTC),
        due_at=datetime.now(UTC) + timedelta(days=1),
        created_by=hours_teacher,
    )
    response = _client(hours_teacher).get(
        reverse("teach:assignment_students_csv", args=[assignment.pk])
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_every_response_gets_the_permissions_policy_and_anonymous_ones_no_cache_rule(db):
    for url, status in [(reverse("accounts:login"), 200), ("/no/such/page/", 404)]:
        response = Client().get(url)
        assert response.status_code == status
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
    # Nobody is signed in: nothing private, so the middleware adds no Cache-Control (the
    # sign-in page sets its own).
    assert not Client().get("/no/such/page/").has_header("Cache-Control")


def test_media_keep_their_own_caching_and_ranges(demo_pack):
    staff = User.objects.create_user("staff", password="x", role="teacher", is_staff=True)
    item = demo_pack.items.filter(kind="single", clip__media_kind="video").first()
    url = reverse("quiz:media", args=[item.clip.media.name])
    response = _client(staff).get(url, headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response["Cache-Control"] == "private, max-age=86400"
    assert response["Content-Range"].startswith("bytes 0-99/")
    assert "camera=()" in response["Permissions-Policy"]


def _start(**env: str):
    import os
    import subprocess
    import sys

    keep = {name: os.environ[name] for name in ("PATH", "VAR_DIR") if name in os.environ}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "key",
    [
        "dev-only-second-look-key-not-for-production-use-0123456789",
        "django-insecure-" + "x1y2z3" * 10,
        "short-but-random-Zq81",
        "a" * 80,
        "please-changeme-" + "k3J9" * 12,
    ],
)
def test_production_refuses_a_weak_secret_key_and_says_how_to_make_one(key):
    result = _start(DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak for DEBUG=false" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_production_starts_with_a_generated_key_and_development_with_none():
    import secrets

    assert _start(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50)).returncode == 0
    assert _start().returncode == 0
