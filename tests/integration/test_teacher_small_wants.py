"""Teachers' small wants (issue 13 §5)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import services as account_services
from accounts.models import School, User
from tests import spot_answers

pytestmark = pytest.mark.django_db


def test_the_assign_form_opens_now_and_is_due_in_a_week_at_2359_school_time(demo_pack):
    school = School.objects.create(name="Kiwi College", time_zone="Pacific/Auckland")
    teacher = User.objects.create_user("kt", password="x", role="teacher", school=school)
    account_services.classroom_create(teacher=teacher, name="9K")
    client = Client()
    client.force_login(teacher)
    page = client.get(reverse("teach:assignment_create", args=[demo_pack.slug])).content.decode()
    zone = ZoneInfo("Pacific/Auckland")
    now = datetime.now(zone)
    opens = re.search(r'name="opens_at" value="([^"]+)"', page).group(1)
    due = re.search(r'name="due_at" value="([^"]+)"', page).group(1)
    opened = datetime.strptime(opens, "%Y-%m-%dT%H:%M").replace(tzinfo=zone)
    assert abs((opened - now).total_seconds()) < 120
    expected_due = (now + timedelta(days=7)).strftime("%Y-%m-%d") + "T23:59"
    # Around midnight the page and this test may see different days.
    assert due == expected_due or due.endswith("T23:59")


def test_a_ready_upload_links_to_its_clip_page(tmp_path, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quiz.models import Clip
    from tests.unit.test_ingest import h264_mp4

    teacher = User.objects.create_user(
        "up", password="x", role="teacher", school=School.objects.create(name="Up School")
    )
    client = Client()
    client.force_login(teacher)
    data = h264_mp4(tmp_path / "walk.mp4").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/library/upload/",
            {"is_generated": "real", "file": SimpleUploadedFile("walk.mp4", data)},
            headers={"Accept": "application/json"},
        )
    clip = Clip.objects.get(status=Clip.Status.READY)
    page = client.get(reverse("upload:upload_status")).content.decode()
    assert f'href="{reverse("library:clip_detail", args=[clip.pk])}"' in page
    assert client.get(reverse("library:clip_detail", args=[clip.pk])).status_code == 200


def test_the_reports_rounds_show_their_clips_linked_to_the_clip_pages(demo_pack):
    from quiz.services.teach import assignment_create

    school = School.objects.create(name="Report School")
    teacher = User.objects.create_user("rt", password="x", role="teacher", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="7R")
    from django.utils import timezone

    assignment = assignment_create(
        teacher=teacher,
        quiz=demo_pack,
        classrooms=[classroom],
        opens_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )[0]
    client = Client()
    client.force_login(teacher)
    html = client.get(reverse("teach:assignment_report", args=[assignment.pk])).content.decode()
    by_round = html.split('id="by-item"')[1].split('id="by-category"')[0]
    for item in demo_pack.items.select_related("clip", "other_clip"):
        for clip in item.clips:
            assert f'href="{reverse("library:clip_detail", args=[clip.pk])}"' in by_round
            if clip.description:
                assert escape(clip.description) in by_round
    assert by_round.count("<img ") == sum(len(i.clips) for i in demo_pack.items.all())


def test_favicon_ico_leads_to_the_sites_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("favicon.svg")


def _set(teacher, quiz, classroom, *, due_in_days: int):
    from django.utils import timezone

    from quiz.services import teach as teach_services

    now = timezone.now()
    (assignment,) = teach_services.assignment_create(
        teacher=teacher,
        quiz=quiz,
        classrooms=[classroom],
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=due_in_days),
        attempts_allowed=1,
        feedback="each",
    )
    return assignment


def test_a_quiz_set_by_two_classes_shows_once_naming_both(demo_pack, student):
    from accounts.models import Enrollment
    from quiz.models import Answer
    from quiz.selectors import play as selectors
    from quiz.services import play as services

    school = School.objects.create(name="Two classes school")
    teacher = User.objects.create_user("t2", password="x", role="teacher", school=school)
    art, physics = (
        account_services.classroom_create(teacher=teacher, name=name) for name in ("Art", "Physics")
    )
    for classroom in (art, physics):
        Enrollment.objects.create(classroom=classroom, student=student)
    sooner = _set(teacher, demo_pack, physics, due_in_days=2)
    later = _set(teacher, demo_pack, art, due_in_days=5)
    client = Client()
    client.force_login(student)
    page = client.get(reverse("quiz:quiz_list")).content.decode()
    assert page.count(reverse("quiz:assignment_start", args=[sooner.pk])) == 1
    assert reverse("quiz:assignment_start", args=[later.pk]) not in page
    assert "Physics, Art" in page

    # Once it is done for one class, the same row offers it for the other.
    attempt = services.attempt_start(user=student, quiz=demo_pack, assignment=sooner)
    for shown in selectors.attempt_rounds(attempt):
        services.answer_submit(
            attempt=attempt,
            item=shown.item,
            confidence=60,
            **spot_answers.submit_kwargs(shown.item, shown.item.options()[0]),
        )
    assert Answer.objects.filter(attempt=attempt).count() == demo_pack.items.count()
    page = client.get(reverse("quiz:quiz_list")).content.decode()
    assert reverse("quiz:assignment_start", args=[later.pk]) in page
    assert reverse("quiz:assignment_start", args=[sooner.pk]) not in page
    assert page.count(">Physics, Art</td>") == 1


def test_quizzes_with_one_title_name_their_date_and_classes_when_assigning(demo_pack):
    from quiz.services import builder

    school = School.objects.create(name="Twin titles school")
    teacher = User.objects.create_user("t3", password="x", role="teacher", school=school)
    teacher.verified_at = teacher.date_joined
    teacher.save()
    classroom = account_services.classroom_create(teacher=teacher, name="9B")
    assert teacher.is_verified_teacher
    copy = builder.quiz_copy(teacher=teacher, quiz=demo_pack)
    copy.title = demo_pack.title
    copy.save()
    _set(teacher, copy, classroom, due_in_days=3)
    client = Client()
    client.force_login(teacher)
    page = client.get(reverse("teach:assignment_list")).content.decode()
    assert page.count(f"<h3>{escape(demo_pack.title)}</h3>") == 2
    assert "set for class 9B" in page and "not set for a class yet" in page
    assert page.count("Made ") == 2
    # A title nobody shares stays plain.
    copy.title = "Only one"
    copy.save()
    page = client.get(reverse("teach:assignment_list")).content.decode()
    assert "Made " not in page
