"""German and English (issue 13 §1): the browser's language picks one, the switcher in the
header changes it (a POST with the CSRF token), and every word on the way comes from the
catalogue."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_browsers_language_picks_german():
    page = Client().get("/accounts/login/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Sign in" not in html


def test_english_is_the_default_and_the_fallback():
    for accept in ("", "fr-FR,fr;q=0.9", "en-GB"):
        html = Client().get("/accounts/login/", headers={"Accept-Language": accept}).content
        assert b'<html lang="en">' in html and b"Sign in" in html


def test_the_switcher_names_each_language_in_its_own_words_and_marks_the_current_one():
    html = Client().get("/accounts/login/").content.decode()
    assert 'value="de"' in html and ">Deutsch</button>" in html
    assert 'value="en" class="link-button" lang="en" aria-describedby="language-label" ' in html
    assert 'aria-current="true" disabled>English</button>' in html


def test_the_switcher_keeps_the_choice_and_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    refused = Client(enforce_csrf_checks=True).post(
        "/language/", {"language": "de", "next": "/accounts/login/"}
    )
    assert refused.status_code == 403
    switched = client.post(
        "/language/",
        {"language": "de", "next": "/accounts/login/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302 and switched.url == "/accounts/login/"
    assert "Anmelden" in client.get("/accounts/login/").content.decode()
    # An unknown language or a foreign next address changes nothing harmful.
    odd = client.post(
        "/language/",
        {"language": "xx", "next": "https://evil.example/", "csrfmiddlewaretoken": token},
    )
    assert odd.status_code in (302, 204) and "evil.example" not in odd.get("Location", "")
    assert "Anmelden" in client.get("/accounts/login/").content.decode()


def test_each_language_keeps_its_own_name_in_german_too():
    html = Client().get("/accounts/login/", headers={"Accept-Language": "de"}).content.decode()
    assert ">English</button>" in html and "Englisch" not in html
    assert 'aria-current="true" disabled>Deutsch</button>' in html


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_signed_in_choice_is_kept_on_the_account_and_follows_to_another_device():
    from accounts.models import User

    student = User.objects.create_user("lena", password="x", role="student")
    phone = _signed_in(student)
    assert phone.post("/language/", {"language": "de", "next": "/play/"}).status_code == 302
    student.refresh_from_db()
    assert student.language == "de"
    # Another device, an English browser, no cookie: German, because the account says so.
    laptop = _signed_in(student)
    page = laptop.get("/play/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="de">' in page
    # An unknown code changes nothing on the account.
    laptop.post("/language/", {"language": "xx"})
    student.refresh_from_db()
    assert student.language == "de"
    assert laptop.get("/language/").status_code == 405


def test_a_schools_language_is_what_its_students_see_until_they_choose():
    from accounts import services as account_services
    from accounts.models import School, User

    school = School.objects.create(name="Gymnasium Am See", language="de")
    teacher = User.objects.create_user("lehrer", password="x", role="teacher", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="8b")
    card = account_services.students_bulk_create(classroom=classroom, names=["Mia Berg"])[0]
    student = User.objects.get(username=card.username)
    page = _signed_in(student).get("/play/", headers={"Accept-Language": "en"}).content.decode()
    assert '<html lang="de">' in page
    student.language = "en"
    student.save()
    page = _signed_in(student).get("/play/", headers={"Accept-Language": "de"}).content.decode()
    assert '<html lang="en">' in page


def test_a_school_administrator_sets_the_schools_language():
    from accounts.models import School, User

    school = School.objects.create(name="Lakeside")
    admin = User.objects.create_user(
        "admin1", password="x", role="teacher", school=school, school_admin=True
    )
    colleague = User.objects.create_user("col", password="x", role="teacher", school=school)
    assert _signed_in(colleague).post(
        "/teachers/language/", {"school": school.pk, "language": "de"}
    ).status_code in (403, 404)
    client = _signed_in(admin)
    assert 'name="language"' in client.get("/teachers/").content.decode()
    client.post("/teachers/language/", {"school": school.pk, "language": "de"})
    school.refresh_from_db()
    assert school.language == "de"
    client.post("/teachers/language/", {"school": school.pk, "language": "<b>"})
    school.refresh_from_db()
    assert school.language == "de"


def test_a_student_changes_their_password():
    from accounts.models import User

    student = User.objects.create_user("pw", password="old-pass-1234", role="student")
    client = Client(enforce_csrf_checks=False)
    client.force_login(student)
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
    wrong = client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "a-new-sentence-9",
            "new_password2": "a-new-sentence-9",
        },
    )
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()
    done = client.post(
        "/accounts/password/",
        {
            "old_password": "old-pass-1234",
            "new_password1": "a-new-sentence-9",
            "new_password2": "a-new-sentence-9",
        },
    )
    assert done.status_code == 302
    student.refresh_from_db()
    assert student.check_password("a-new-sentence-9")
    assert client.get("/play/").status_code == 200  # still signed in
    assert Client().get("/accounts/password/").status_code == 302  # strangers sign in first


# The formal address ("Sie" and its forms) is for teachers; a student reads "du". "Sie" itself
# also means "they", so only its possessive and dative forms are looked for, which German
# student texts use for nothing else here.
_FORMAL = re.compile(r"\b(Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b")


def test_a_student_is_addressed_with_du_on_every_page_of_theirs():
    from accounts.models import User
    from tests.people import class_of, lakeside, school_teacher

    school = lakeside()
    student = User.objects.create_user("du", password="x", role="student", school=school)
    class_of(school_teacher(school), student)
    client = _signed_in(student)
    client.post("/language/", {"language": "de", "next": "/play/"})
    for path in ("/play/", "/join/", "/progress/", "/learn/", "/privacy/", "/accounts/password/"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = re.sub(r"<[^>]+>", " ", page.content.decode())
        assert '<html lang="de">' in page.content.decode()
        assert not _FORMAL.findall(text), (path, _FORMAL.findall(text))


_INFORMAL = re.compile(r"\b(du|Du|dich|dir|dein|deine|deinen|deinem|deiner|Dein|Deine)\b")


def test_a_teacher_is_addressed_with_sie_on_the_teaching_pages():
    from tests.people import class_of, lakeside, school_teacher

    teacher = school_teacher(lakeside())
    classroom = class_of(teacher)
    client = _signed_in(teacher)
    client.post("/language/", {"language": "de", "next": "/classes/"})
    for path in (
        "/classes/",
        f"/classes/{classroom.pk}/",
        "/teach/quizzes/",
        "/teach/assignments/",
        "/library/",
        "/teach/games/",
        "/teach/lessons/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        text = re.sub(r"<[^>]+>", " ", page.content.decode())
        assert '<html lang="de">' in page.content.decode()
        assert not _INFORMAL.findall(text), (path, _INFORMAL.findall(text))
