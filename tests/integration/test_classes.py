"""Classes: creating them, join codes, rosters, bulk accounts and login cards."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import JOIN_CODE_ALPHABET, Classroom, Enrollment, School, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="pw-teach", role="teacher", school=school)


@pytest.fixture
def other_teacher(school):
    return User.objects.create_user("other-t", password="x", role="teacher", school=school)


@pytest.fixture
def classroom(teacher):
    return services.classroom_create(teacher=teacher, name="8B", grade="Year 8")


@pytest.fixture
def teacher_client(teacher):
    client = Client()
    client.force_login(teacher)
    return client


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_class_gets_a_readable_join_code(classroom):
    code = classroom.join_code
    assert 6 <= len(code) <= 8
    assert set(code) <= set(JOIN_CODE_ALPHABET)
    assert not set(code) & set("0O1IL")


def test_teacher_creates_a_class_and_lands_on_it(teacher_client, teacher):
    response = teacher_client.post(
        reverse("accounts:classroom_create"),
        {"name": "7C", "grade": "Year 7", "school_year": "2026/27"},
    )
    classroom = Classroom.objects.get(name="7C")
    assert response.status_code == 302
    assert response.url == reverse("accounts:classroom_detail", args=[classroom.pk])
    assert list(classroom.teachers.all()) == [teacher]
    html = teacher_client.get(response.url).content.decode()
    assert classroom.join_code in html and "Year 7" in html


def test_class_name_is_required_and_long_names_are_refused(teacher_client):
    for data in ({}, {"name": ""}, {"name": "x" * 300}):
        response = teacher_client.post(reverse("accounts:classroom_create"), data)
        assert response.status_code == 200
        assert 'class="field-error"' in response.content.decode()
    assert not Classroom.objects.exists()


def test_teacher_pages_refuse_other_roles_with_403(classroom, student):
    client = _client_for(student)
    for url in (
        reverse("accounts:classroom_list"),
        reverse("accounts:classroom_create"),
        reverse("accounts:classroom_detail", args=[classroom.pk]),
        reverse("accounts:classroom_join_sheet", args=[classroom.pk]),
        reverse("accounts:login_cards", args=[classroom.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("accounts:classroom_code", args=[classroom.pk]), {"action": "rotate"}
    )
    assert response.status_code == 403


def test_another_teachers_class_is_not_found(classroom, other_teacher, student):
    Enrollment.objects.create(classroom=classroom, student=student)
    client = _client_for(other_teacher)
    for url in (
        reverse("accounts:classroom_detail", args=[classroom.pk]),
        reverse("accounts:classroom_join_sheet", args=[classroom.pk]),
        reverse("accounts:login_cards", args=[classroom.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (reverse("accounts:classroom_code", args=[classroom.pk]), {"action": "rotate"}),
        (reverse("accounts:students_add", args=[classroom.pk]), {"names": "Eve"}),
        (reverse("accounts:student_reset_password", args=[classroom.pk, student.pk]), {}),
        (reverse("accounts:student_remove", args=[classroom.pk, student.pk]), {}),
        (reverse("accounts:classroom_add_teacher", args=[classroom.pk]), {"username": "other-t"}),
        (
            reverse("accounts:classroom_archive", args=[classroom.pk]),
            {"archive": "1", "confirm": "yes"},
        ),
    ):
        assert client.post(url, data).status_code == 404, url
    classroom.refresh_from_db()
    assert classroom.students.count() == 1 and not User.objects.filter(first_name="Eve").exists()
    assert not classroom.is_archived and not classroom.teachers.filter(pk=other_teacher.pk).exists()


def test_co_teachers_share_the_class(classroom, other_teacher):
    classroom.teachers.add(other_teacher)
    response = _client_for(other_teacher).get(
        reverse("accounts:classroom_detail", args=[classroom.pk])
    )
    assert response.status_code == 200


def test_writes_need_post(teacher_client, classroom, student):
    Enrollment.objects.create(classroom=classroom, student=student)
    for url in (
        reverse("accounts:classroom_code", args=[classroom.pk]),
        reverse("accounts:students_add", args=[classroom.pk]),
        reverse("accounts:student_reset_password", args=[classroom.pk, student.pk]),
        reverse("accounts:student_remove", args=[classroom.pk, student.pk]),
    ):
        assert teacher_client.get(url).status_code == 405, url
    for url in (
        reverse("accounts:classroom_list"),
        reverse("accounts:classroom_join_sheet", args=[classroom.pk]),
    ):
        assert teacher_client.post(url).status_code == 405, url


def test_rotating_the_code_retires_the_old_one(teacher_client, classroom, student):
    old = classroom.join_code
    response = teacher_client.post(
        reverse("accounts:classroom_code", args=[classroom.pk]),
        {"action": "rotate"},
        headers={"HX-Request": "true"},
    )
    classroom.refresh_from_db()
    assert response.status_code == 200 and classroom.join_code != old
    assert classroom.join_code in response.content.decode()
    with pytest.raises(services.ClassroomError):
        services.classroom_join(student=student, code=old)


def test_disabled_code_cannot_be_used_until_enabled(teacher_client, classroom, student):
    url = reverse("accounts:classroom_code", args=[classroom.pk])
    teacher_client.post(url, {"action": "disable"})
    with pytest.raises(services.ClassroomError, match="does not open any class"):
        services.classroom_join(student=student, code=classroom.join_code)
    teacher_client.post(url, {"action": "enable"})
    services.classroom_join(student=student, code=classroom.join_code)
    assert classroom.students.filter(pk=student.pk).exists()
    assert teacher_client.post(url, {"action": "explode"}).status_code == 400


def test_student_joins_with_a_code_typed_loosely(classroom, student):
    client = _client_for(student)
    code = classroom.join_code
    loose = f" {code[:3].lower()}-{code[3:]} "
    response = client.post(reverse("accounts:join"), {"code": loose}, follow=True)
    assert classroom.students.filter(pk=student.pk).exists()
    assert "You joined 8B" in response.content.decode()
    # a second join changes nothing and says so
    response = client.post(reverse("accounts:join"), {"code": code}, follow=True)
    assert "already in 8B" in response.content.decode()
    assert Enrollment.objects.filter(student=student).count() == 1


@pytest.mark.parametrize("code", ["", "WRONG99", "<script>", "x" * 500, "😀😀😀"])
def test_wrong_codes_get_a_clear_message(classroom, student, code):
    response = _client_for(student).post(reverse("accounts:join"), {"code": code}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search("does not open any class|Type the code|at most 20 characters", html)
    assert "<script>" not in html.split("</header>")[1]
    assert not Enrollment.objects.exists()


def test_archived_classes_cannot_be_joined(classroom, student):
    classroom.archived_at = timezone.now()
    classroom.save()
    response = _client_for(student).post(
        reverse("accounts:join"), {"code": classroom.join_code}, follow=True
    )
    assert "does not open any class" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_code_guessing_is_throttled(classroom, student, settings):
    settings.JOIN_THROTTLE_ATTEMPTS = 3
    client = _client_for(student)
    for guess in ("AAAAAAA", "BBBBBBB", "CCCCCCC"):
        client.post(reverse("accounts:join"), {"code": guess})
    response = client.post(reverse("accounts:join"), {"code": classroom.join_code}, follow=True)
    assert "Too many wrong codes" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_teachers_do_not_join_with_codes(teacher_client, classroom):
    assert teacher_client.get(reverse("accounts:join")).status_code == 403


def test_bulk_created_students_get_cards_once(teacher_client, classroom):
    names = "Ada Lovelace\n\n  Grace   Hopper \nZoë Ørsted\nAda Lovelace\n"
    response = teacher_client.post(
        reverse("accounts:students_add", args=[classroom.pk]), {"names": names}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:login_cards", args=[classroom.pk])
    students = list(classroom.students.order_by("username"))
    assert [s.first_name for s in students] == [
        "Ada Lovelace",
        "Ada Lovelace",
        "Grace Hopper",
        "Zoë Ørsted",
    ]
    assert [s.username for s in students] == ["adal", "adal2", "graceh", "zoeo"]
    assert all(s.role == "student" and s.school_id == classroom.school_id for s in students)
    cards = teacher_client.get(response.url).content.decode()
    assert "more than once (Ada Lovelace)" in cards  # the flash message, shown on the cards
    passwords = re.findall(r'<code class="credential">([a-z]+-[a-z]+\d\d)</code>', cards)
    assert len(passwords) == 4
    for student, password in zip(
        sorted(students, key=lambda s: cards.index(f">{s.username}<")), passwords, strict=True
    ):
        assert student.check_password(password)


def test_bulk_names_are_checked_all_or_nothing(teacher_client, classroom):
    url = reverse("accounts:students_add", args=[classroom.pk])
    for names, message in [
        ("", "Paste at least one name"),
        ("\n \n\t\n", "Paste at least one name"),
        ("Ada\n" + "x" * 300 + "\nGrace", "Line 2 is 300 characters long"),
        ("Ada\nBad\x07Bell", "Line 2 contains control characters"),
        ("\n".join(f"Student {i}" for i in range(61)), "add at most 60"),
    ]:
        response = teacher_client.post(url, {"names": names})
        assert response.status_code == 422, names[:20]
        assert message in response.content.decode()
    assert not classroom.students.exists()


def test_markup_in_names_is_shown_as_text(teacher_client, classroom):
    teacher_client.post(
        reverse("accounts:students_add", args=[classroom.pk]),
        {"names": "<b>Bold</b> <script>x()</script>"},
    )
    html = teacher_client.get(
        reverse("accounts:classroom_detail", args=[classroom.pk])
    ).content.decode()
    assert "<script>x()</script>" not in html and "&lt;script&gt;" in html


def test_card_credentials_sign_the_student_in(teacher_client, classroom):
    teacher_client.post(
        reverse("accounts:students_add", args=[classroom.pk]), {"names": "Mo Farah"}
    )
    cards = teacher_client.get(
        reverse("accounts:login_cards", args=[classroom.pk])
    ).content.decode()
    username, password = re.findall(r'<code class="credential">([^<]+)</code>', cards)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_password_reset_shows_one_new_card(teacher_client, classroom, student):
    Enrollment.objects.create(classroom=classroom, student=student)
    response = teacher_client.post(
        reverse("accounts:student_reset_password", args=[classroom.pk, student.pk]), follow=True
    )
    (password,) = re.findall(
        r'<code class="credential">([a-z]+-[a-z]+\d\d)</code>', response.content.decode()
    )
    student.refresh_from_db()
    assert student.check_password(password) and not student.check_password("pw-stu")


def test_removing_a_student_keeps_the_account(teacher_client, classroom, student):
    Enrollment.objects.create(classroom=classroom, student=student)
    response = teacher_client.post(
        reverse("accounts:student_remove", args=[classroom.pk, student.pk]), follow=True
    )
    assert "left the class" in response.content.decode()
    assert not classroom.students.exists() and User.objects.filter(pk=student.pk).exists()


def test_students_of_other_classes_cannot_be_touched(teacher_client, classroom, other_student):
    for name in ("student_reset_password", "student_remove"):
        response = teacher_client.post(
            reverse(f"accounts:{name}", args=[classroom.pk, other_student.pk])
        )
        assert response.status_code == 404
    assert other_student.check_password("pw-other")


def test_teacher_signup_joins_or_creates_the_school(school):
    client = Client()
    response = client.post(
        reverse("accounts:teacher_signup"),
        {
            "username": "newteach",
            "first_name": "Nia",
            "last_name": "Okafor",
            "school_name": "  hillside   SCHOOL ",
            "time_zone": "Europe/Berlin",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "email": "nia@example.org",
            "join_existing": "on",  # an existing school is asked (test_teacher_verification)
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newteach")
    assert user.role == "teacher" and user.school == school and user.is_pending_teacher


def test_student_signup_with_a_code_joins_the_class(classroom):
    client = Client()
    client.post(
        reverse("accounts:student_signup"),
        {
            "username": "kid1",
            "first_name": "Kid",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "code": classroom.join_code,
        },
    )
    user = User.objects.get(username="kid1")
    assert user.role == "student" and classroom.students.filter(pk=user.pk).exists()


def test_signup_refuses_bad_input_without_creating_anyone():
    client = Client()
    for data in (
        {},
        {"username": "a", "first_name": "A", "password1": "x", "password2": "y"},
        {
            "username": "<script>",
            "first_name": "A",
            "password1": "a-long-pass-42",
            "password2": "a-long-pass-42",
        },
    ):
        response = client.post(reverse("accounts:student_signup"), data)
        assert response.status_code == 200
        assert 'class="field-error"' in response.content.decode()
    assert not User.objects.exists()


def test_co_teacher_is_added_by_username_within_the_school(
    teacher_client, classroom, other_teacher
):
    url = reverse("accounts:classroom_add_teacher", args=[classroom.pk])
    response = teacher_client.post(url, {"username": "nobody"}, follow=True)
    assert "No teacher of your school" in response.content.decode()
    outsider = User.objects.create_user(
        "far", password="x", role="teacher", school=School.objects.create(name="Far")
    )
    teacher_client.post(url, {"username": outsider.username})
    assert not classroom.teachers.filter(pk=outsider.pk).exists()
    response = teacher_client.post(url, {"username": other_teacher.username}, follow=True)
    assert "now teaches this class too" in response.content.decode()
    assert classroom.teachers.filter(pk=other_teacher.pk).exists()


def test_archived_classes_take_no_new_students(teacher_client, classroom):
    # Archiving is confirmed: without the tick nothing happens.
    refused = teacher_client.post(
        reverse("accounts:classroom_archive", args=[classroom.pk]), {"archive": "1"}, follow=True
    )
    assert "Yes, archive this class" in refused.content.decode()
    classroom.refresh_from_db()
    assert not classroom.is_archived
    teacher_client.post(
        reverse("accounts:classroom_archive", args=[classroom.pk]),
        {"archive": "1", "confirm": "yes"},
    )
    classroom.refresh_from_db()
    assert classroom.is_archived and not classroom.can_join
    response = teacher_client.post(
        reverse("accounts:students_add", args=[classroom.pk]), {"names": "Late Larry"}, follow=True
    )
    assert "archived" in response.content.decode() and not classroom.students.exists()
    teacher_client.post(
        reverse("accounts:classroom_archive", args=[classroom.pk]), {"archive": "0"}
    )
    classroom.refresh_from_db()
    assert not classroom.is_archived


def _invite_url(teacher_client, classroom) -> str:
    html = teacher_client.get(
        reverse("accounts:classroom_detail", args=[classroom.pk])
    ).content.decode()
    (url,) = re.findall(r'id="invite-link" class="invite-link" value="([^"]+)"', html)
    return url.replace("&amp;", "&").split("testserver", 1)[1]


def test_an_invited_colleague_joins_the_school_and_the_class(teacher_client, classroom, school):
    # The school's administrator invites (another teacher's invitee waits for approval).
    User.objects.filter(username="teach").update(school_admin=True)
    url = _invite_url(teacher_client, classroom)
    client = Client()
    page = client.get(url).content.decode()
    assert "You are invited to Hillside School" in page and 'name="school_name"' not in page
    response = client.post(
        url,
        {
            "username": "colleague",
            "first_name": "Cai",
            "last_name": "Lee",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    colleague = User.objects.get(username="colleague")
    assert response.url == reverse("accounts:classroom_detail", args=[classroom.pk])
    assert colleague.school == school and classroom.teachers.filter(pk=colleague.pk).exists()


def test_a_tampered_invitation_is_refused(teacher_client, classroom):
    url = _invite_url(teacher_client, classroom)
    response = Client().get(url[:-3] + "xyz", follow=True)
    assert "not valid" in response.content.decode()
    response = Client().post(
        url[:-3] + "xyz",
        {
            "username": "sneaky",
            "first_name": "S",
            "last_name": "N",
            "school_name": "X",
            "time_zone": "UTC",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert not User.objects.filter(username="sneaky").exists()
