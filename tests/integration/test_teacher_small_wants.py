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
