"""Teachers are verified, schools choose their members (issue 11 §1).

Everything that shows a label, an explanation or an artifact before a student has answered
(library pages, clip pages, the builder, exports, pack export, media of retired clips) needs
a verified teacher, an educator or staff: tried as a teacher waiting for approval, as a
student who signed up as a teacher, and as a teacher of another school.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import verification
from accounts.checks import W_OPEN_SIGNUP, teacher_signup_open
from accounts.models import Classroom, School, User
from quiz.models import Artifact, Assignment, Clip, Quiz, QuizItem
from quiz.selectors.packs import exportable_clips

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-pass-phrase-42"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signup(client: Client, url: str | None = None, **fields: str):
    data = {
        "username": "newteach",
        "first_name": "Nia",
        "last_name": "Okafor",
        "email": "nia@example.org",
        "school_name": "Hillside School",
        "time_zone": "Europe/Berlin",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **fields,
    }
    return client.post(url or reverse("accounts:teacher_signup"), data)


@pytest.fixture
def school():
    return School.objects.create(name="Hillside School")


@pytest.fixture
def other_school():
    return School.objects.create(name="Lakeside School")


@pytest.fixture
def admin(school):
    """Hillside's administrator (verified)."""
    return User.objects.create_user(
        "head", password="x", role="teacher", school=school, school_admin=True,
        email="head@example.org", first_name="Hana",
    )  # fmt: skip


@pytest.fixture
def staff():
    return User.objects.create_user(
        "curator", password="x", role="teacher", is_staff=True, email="staff@example.org"
    )


@pytest.fixture
def pending(school):
    """A teacher of Hillside whose account waits for approval."""
    return User.objects.create_user(
        "waiting", password="x", role="teacher", school=school, verified_at=None
    )


@pytest.fixture
def impostor(school, admin):
    """A student who signed up as a teacher of Hillside, through the real sign-up page."""
    client = Client()
    response = _signup(client, username="kid", email="kid@example.org", join_existing="on")
    assert response.status_code == 302
    return User.objects.get(username="kid")


@pytest.fixture
def stranger(other_school):
    """A verified teacher of another school."""
    return User.objects.create_user("stranger", password="x", role="teacher", school=other_school)


def _media(name: str, content: bytes) -> str:
    path = django_settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return name


def _clip(tag: str, *, by: User | None, school: School | None, retired: bool = False) -> Clip:
    stem = f"clips/{tag:-<20}"
    clip = Clip.objects.create(
        media_kind=Clip.MediaKind.IMAGE,
        status=Clip.Status.READY,
        is_generated=True,
        generator=f"Gen-{tag}",
        explanation=f"Explained-{tag}",
        media=_media(f"{stem}.jpg", b"\xff\xd8\xff" + tag.encode()),
        poster=_media(f"{stem}p.jpg", b"\xff\xd8\xff" + tag.encode()),
        width=64,
        height=64,
        uploaded_by=by,
        school=school,
        retired_at=timezone.now() if retired else None,
    )
    Artifact.objects.create(
        clip=clip, category="anatomy", box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2,
        explanation=f"Giveaway-{tag}",
    )  # fmt: skip
    return clip


@pytest.fixture
def clips(admin, school):
    """A shared clip, a retired shared clip, and a private upload of Hillside."""
    return {
        "shared": _clip("shared", by=None, school=None),
        "retired": _clip("retired", by=None, school=None, retired=True),
        "school": _clip("hillside", by=admin, school=school),
    }


OUTSIDERS = ["pending", "impostor", "stranger"]


@pytest.fixture
def outsider(request):
    return request.getfixturevalue(request.param)


# --- Every page that shows a label before an answer ------------------------------------------


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_library_and_clip_pages_need_a_verified_teacher_of_the_school(outsider, clips):
    client = _client(outsider)
    index = client.get(reverse("library:index"))
    school_page = client.get(reverse("library:clip_detail", args=[clips["school"].pk]))
    shared_page = client.get(reverse("library:clip_detail", args=[clips["shared"].pk]))
    if outsider.is_pending_teacher:
        assert index.status_code == 403
        assert school_page.status_code == 403 and shared_page.status_code == 403
    else:  # verified, but of another school: the shared library only
        assert index.status_code == 200
        assert "Gen-shared" in index.content.decode()
        assert "Gen-hillside" not in index.content.decode()
        assert school_page.status_code == 404
        assert shared_page.status_code == 200
    for page in (index, school_page):
        assert "Explained-hillside" not in page.content.decode()
        assert "Giveaway-hillside" not in page.content.decode()


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_media_under_stored_names_needs_a_verified_teacher(outsider, clips):
    client = _client(outsider)
    for key in ("shared", "retired", "school"):
        for name in (clips[key].media.name, clips[key].poster.name):
            status = client.get(reverse("quiz:media", args=[name])).status_code
            expected = 200 if (key != "school" and not outsider.is_pending_teacher) else 404
            assert status == expected, (key, name)


def test_the_schools_own_teachers_see_its_clips_and_media(admin, clips, school):
    colleague = User.objects.create_user("col", password="x", role="teacher", school=school)
    client = _client(colleague)
    assert client.get(reverse("library:clip_detail", args=[clips["school"].pk])).status_code == 200
    assert client.get(reverse("quiz:media", args=[clips["retired"].media.name])).status_code == 200


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_the_builder_offers_only_clips_the_teacher_may_see(outsider, clips):
    _clip("own-upload", by=outsider, school=outsider.school)
    client = _client(outsider)
    response = client.post(reverse("build:quiz_new"), {"title": "Mine", "description": ""})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Gen-own-upload" in page  # their own upload is offered
    assert "Gen-hillside" not in page
    if outsider.is_pending_teacher:
        assert "Gen-shared" not in page
    # Nor can the draft be made to take a clip the page does not offer.
    assert clips["school"] not in exportable_clips(outsider)


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_public_quizzes_of_hidden_clips_are_neither_shown_nor_opened(outsider, clips, admin):
    quiz = Quiz.objects.create(title="Demo", slug="demo-x", is_public=True, created_by=admin)
    QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=clips["shared"])
    response = _client(outsider).get(reverse("build:quiz_edit", args=[quiz.slug]))
    assert response.status_code == (404 if outsider.is_pending_teacher else 200)


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_pack_export_needs_a_verified_teacher_and_leaves_out_other_schools(outsider, clips):
    client = _client(outsider)
    response = client.post(reverse("library:pack_export"))
    if outsider.is_pending_teacher:
        assert response.status_code == 403
        assert not exportable_clips(outsider).exists()
    else:
        assert set(exportable_clips(outsider)) == {clips["shared"], clips["retired"]}


@pytest.mark.parametrize("outsider", OUTSIDERS, indirect=True)
def test_another_teachers_class_exports_are_a_404(outsider, clips, admin, school):
    classroom = Classroom.objects.create(school=school, name="7b")
    classroom.teachers.add(admin)
    quiz = Quiz.objects.create(title="Week", slug="week", created_by=admin)
    QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=clips["school"])
    now = timezone.now()
    assignment = Assignment.objects.create(
        quiz=quiz, classroom=classroom, opens_at=now, due_at=now + timedelta(days=1)
    )
    client = _client(outsider)
    for name in ("assignment_answers_csv", "assignment_students_csv", "assignment_report"):
        assert client.get(reverse(f"teach:{name}", args=[assignment.pk])).status_code == 404


def test_a_pending_teachers_uploads_stay_out_of_the_school_library(pending, admin):
    planted = _clip("planted", by=pending, school=pending.school)
    assert planted not in Clip.objects.visible_to(admin)
    assert planted in Clip.objects.visible_to(pending)
    verification.teacher_approve(teacher=pending, by=admin)
    assert planted in Clip.objects.visible_to(admin)


def test_a_pending_teacher_uploads_and_runs_their_own_classes(pending):
    client = _client(pending)
    assert client.get(reverse("upload:upload_page")).status_code == 200
    response = client.post(reverse("accounts:classroom_create"), {"name": "8a"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:classroom_list")).content.decode()
    assert "8a" in page
    assert "waiting for approval by Hillside School" in page.replace("&#x27;", "'")
    assert 'id="invite-link"' not in client.get(response.url).content.decode()


# --- Sign-up ---------------------------------------------------------------------------------


def test_a_new_school_is_founded_by_its_administrator_whom_staff_approve(staff):
    client = Client()
    response = _signup(client, school_name="Brand New Academy")
    assert response.status_code == 302
    founder = User.objects.get(username="newteach")
    assert founder.school.name == "Brand New Academy" and founder.school_admin
    assert founder.is_pending_teacher and not founder.may_use_library
    assert not founder.may_manage_teachers  # not before they are approved
    assert client.get(reverse("accounts:teachers")).status_code == 403
    # Staff hear of it and approve the founder.
    assert mail.outbox[-1].to == ["staff@example.org"]
    assert "Brand New Academy" in mail.outbox[-1].body
    staff_client = _client(staff)
    assert "newteach" in staff_client.get(reverse("accounts:teachers")).content.decode()
    staff_client.post(reverse("accounts:teacher_approve", args=[founder.pk]))
    founder.refresh_from_db()
    assert founder.is_verified_teacher and founder.administers_school
    assert mail.outbox[-1].to == ["nia@example.org"]
    assert "approved" in mail.outbox[-1].subject


def test_a_matching_name_asks_to_join_and_never_joins_by_itself(school, admin):
    client = Client()
    response = _signup(client, school_name="  hillside   SCHOOL ")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask to join Hillside School" in page and "already has teachers here" in page
    assert not User.objects.filter(username="newteach").exists()
    response = _signup(client, school_name="hillside school", join_existing="on")
    assert response.status_code == 302
    user = User.objects.get(username="newteach")
    assert user.school == school and user.is_pending_teacher and not user.school_admin
    assert School.objects.count() == 1
    assert mail.outbox[-1].to == ["head@example.org"]


def test_the_school_administrator_approves_and_the_library_opens(impostor, admin, clips):
    kid = _client(impostor)
    assert kid.get(reverse("library:index")).status_code == 403
    head = _client(admin)
    page = head.get(reverse("accounts:teachers")).content.decode()
    assert "kid" in page and "Asks to join the school" in page
    response = head.post(reverse("accounts:teacher_approve", args=[impostor.pk]))
    assert response.status_code == 302
    assert kid.get(reverse("library:index")).status_code == 200
    assert kid.get(reverse("library:clip_detail", args=[clips["school"].pk])).status_code == 200
    assert mail.outbox[-1].to == ["kid@example.org"]


def test_a_refused_teacher_can_no_longer_sign_in(impostor, admin):
    kid = _client(impostor)
    response = _client(admin).post(reverse("accounts:teacher_refuse", args=[impostor.pk]))
    assert response.status_code == 302
    impostor.refresh_from_db()
    assert not impostor.is_active and impostor.verified_at is None
    assert "not approved" in mail.outbox[-1].subject
    assert kid.get(reverse("accounts:classroom_list")).status_code == 302  # signed out
    response = Client().post(reverse("accounts:login"), {"username": "kid", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session


def test_administrators_decide_only_on_their_own_schools_teachers(pending, stranger, other_school):
    other_admin = User.objects.create_user(
        "lake-head", password="x", role="teacher", school=other_school, school_admin=True
    )
    client = _client(other_admin)
    assert "<code>waiting</code>" not in client.get(reverse("accounts:teachers")).content.decode()
    for name in ("teacher_approve", "teacher_refuse"):
        assert client.post(reverse(f"accounts:{name}", args=[pending.pk])).status_code == 404
    pending.refresh_from_db()
    assert pending.is_pending_teacher and pending.is_active
    # A teacher who is no administrator, and a waiting founder, manage nobody.
    assert _client(stranger).get(reverse("accounts:teachers")).status_code == 403
    assert (
        _client(pending).post(reverse("accounts:teacher_approve", args=[pending.pk])).status_code
        == 403
    )
    # GET never decides.
    assert client.get(reverse("accounts:teacher_approve", args=[pending.pk])).status_code == 405


def test_staff_name_administrators_and_administrators_do_not(admin, school, staff):
    colleague = User.objects.create_user("col", password="x", role="teacher", school=school)
    url = reverse("accounts:teacher_admin", args=[colleague.pk])
    assert _client(admin).post(url, {"admin": "1"}).status_code == 403
    _client(staff).post(url, {"admin": "1"})
    colleague.refresh_from_db()
    assert colleague.administers_school
    _client(staff).post(url, {"admin": "0"})
    colleague.refresh_from_db()
    assert not colleague.school_admin


def test_staff_see_each_schools_teachers_and_odd_choices_are_no_500(staff, admin, school):
    client = _client(staff)
    page = client.get(reverse("accounts:teachers"), {"school": school.pk}).content.decode()
    assert "<code>head</code>" in page and "Remove as administrator" in page
    assert "school-invite-link" in page
    for bad in ("abc", "²", "9" * 30, "999999"):
        response = client.get(reverse("accounts:teachers"), {"school": bad})
        assert response.status_code == 302
    assert "school-invite-link" not in client.get(reverse("accounts:teachers")).content.decode()


def test_a_mail_server_that_is_down_never_undoes_an_approval(pending, admin, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("accounts.verification.send_mail", down)
    pending.email = "w@example.org"
    pending.save()
    response = _client(admin).post(reverse("accounts:teacher_approve", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.is_verified_teacher and pending.verified_by == admin


def test_the_administrator_manages_the_schools_educators(admin, school):
    edu = User.objects.create_user("edu", password="x", role="educator")
    client = _client(admin)
    client.post(reverse("accounts:school_educators"), {"action": "add", "username": "edu"})
    assert school.educators.filter(pk=edu.pk).exists()
    response = client.post(
        reverse("accounts:school_educators"), {"action": "add", "username": "nobody"}, follow=True
    )
    assert "No educator has the username" in response.content.decode()
    for bad in ("abc", "²", "9" * 30):
        response = client.post(
            reverse("accounts:school_educators"), {"action": "remove", "educator": bad}
        )
        assert response.status_code == 404
    client.post(reverse("accounts:school_educators"), {"action": "remove", "educator": str(edu.pk)})
    assert not school.educators.exists()


def _link(page: str, element_id: str) -> str:
    (url,) = re.findall(rf'id="{element_id}" class="invite-link" value="([^"]+)"', page)
    return url.replace("&amp;", "&").split("testserver", 1)[1]


def test_the_administrators_invitation_makes_a_verified_colleague(admin, school, settings):
    settings.TEACHER_SIGNUP = "invite"
    url = _link(
        _client(admin).get(reverse("accounts:teachers")).content.decode(), "school-invite-link"
    )
    response = _signup(Client(), url, email="")
    assert response.status_code == 302
    colleague = User.objects.get(username="newteach")
    assert colleague.school == school and colleague.is_verified_teacher
    assert colleague.verified_by == admin


def test_a_class_invitation_from_a_teacher_waits_for_the_administrator(admin, school):
    teacher = User.objects.create_user("t", password="x", role="teacher", school=school)
    classroom = Classroom.objects.create(school=school, name="9c")
    classroom.teachers.add(teacher)
    page = _client(teacher).get(reverse("accounts:classroom_detail", args=[classroom.pk]))
    url = _link(page.content.decode(), "invite-link")
    assert _signup(Client(), url).status_code == 302
    invited = User.objects.get(username="newteach")
    assert invited.is_pending_teacher and invited.school == school
    assert not classroom.teachers.filter(pk=invited.pk).exists()  # no answers before approval
    verification.teacher_approve(teacher=invited, by=admin)
    assert classroom.teachers.filter(pk=invited.pk).exists()


def test_a_waiting_teacher_cannot_be_added_as_co_teacher(admin, pending, school):
    classroom = Classroom.objects.create(school=school, name="9c")
    classroom.teachers.add(admin)
    _client(admin).post(
        reverse("accounts:classroom_add_teacher", args=[classroom.pk]), {"username": "waiting"}
    )
    assert not classroom.teachers.filter(pk=pending.pk).exists()


def test_invite_mode_makes_no_account_without_an_invitation(settings, school):
    settings.TEACHER_SIGNUP = "invite"
    client = Client()
    page = client.get(reverse("accounts:teacher_signup")).content.decode()
    assert "invitation link only" in page and 'name="password1"' not in page
    assert _signup(client, school_name="Elsewhere").status_code == 403
    assert not User.objects.filter(username="newteach").exists()


def test_a_tampered_or_revoked_invitation_is_refused(admin, school, settings):
    url = _link(
        _client(admin).get(reverse("accounts:teachers")).content.decode(), "school-invite-link"
    )
    response = Client().get(url[:-3] + "xyz", follow=True)
    assert "not valid" in response.content.decode()
    admin.school_admin = False  # no longer the administrator: the link stops working
    admin.save()
    response = Client().get(url, follow=True)
    assert "no longer valid" in response.content.decode()
    _signup(Client(), url)
    assert not User.objects.filter(username="newteach").exists()


def test_open_mode_is_todays_behaviour_and_check_deploy_warns(settings, school):
    settings.TEACHER_SIGNUP = "open"
    assert [m.id for m in teacher_signup_open()] == [W_OPEN_SIGNUP]
    assert _signup(Client(), school_name="hillside school").status_code == 302
    user = User.objects.get(username="newteach")
    assert user.school == school and user.is_verified_teacher
    settings.TEACHER_SIGNUP = "approval"
    assert teacher_signup_open() == []


def test_demo_teacher_is_a_verified_school_administrator(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("demo_accounts")
    teacher = User.objects.get(username="teacher")
    assert teacher.is_verified_teacher and teacher.administers_school
    assert teacher.may_use_library


@pytest.mark.django_db(transaction=True)
def test_the_migration_verifies_existing_teachers():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("accounts", "0005_school_time_zone_choices")]
    after = [("accounts", "0007_verify_existing_teachers")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    old_school = old.get_model("accounts", "School").objects.create(name="Old School")
    OldUser = old.get_model("accounts", "User")
    first = OldUser.objects.create(username="first", role="teacher", school_id=old_school.pk)
    OldUser.objects.create(username="second", role="teacher", school_id=old_school.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    for user in User.objects.filter(username__in=["first", "second"]):
        assert user.is_verified_teacher
        assert user.school_admin == (user.pk == first.pk)
