"""A school's time zone is a known IANA name; a bad one already stored never fails a page."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, User
from quiz.models import Answer, Attempt
from quiz.selectors.play import attempt_next_round
from tests import spot_answers

pytestmark = pytest.mark.django_db

UNKNOWN = "is not a known time zone"


def test_full_clean_refuses_an_unknown_time_zone():
    school = School(name="Lakeside", time_zone="Europe/Berlinn")
    with pytest.raises(ValidationError) as refused:
        school.full_clean()
    assert UNKNOWN in " ".join(refused.value.message_dict["time_zone"])
    School(name="Lakeside", time_zone="Europe/Berlin").full_clean()


def test_admin_offers_a_select_and_refuses_a_misspelt_zone(admin_client):
    page = admin_client.get(reverse("admin:accounts_school_add")).content.decode()
    assert '<select name="time_zone"' in page and '<option value="Europe/Berlin">' in page

    response = admin_client.post(
        reverse("admin:accounts_school_add"), {"name": "Lakeside", "time_zone": "Europe/Berlinn"}
    )
    assert response.status_code == 200
    assert f"“Europe/Berlinn” {UNKNOWN}" in response.content.decode()
    assert not School.objects.exists()

    response = admin_client.post(
        reverse("admin:accounts_school_add"), {"name": "Lakeside", "time_zone": "Europe/Berlin"}
    )
    assert response.status_code == 302
    assert School.objects.get().time_zone == "Europe/Berlin"


def test_admin_does_not_silently_pick_a_zone_for_a_bad_stored_one(admin_client):
    school = School.objects.create(name="Lakeside")
    School.objects.filter(pk=school.pk).update(time_zone="Europe/Berlinn")
    response = admin_client.get(reverse("admin:accounts_school_change", args=[school.pk]))
    assert response.status_code == 200
    select = re.search(r'<select name="time_zone".*?</select>', response.content.decode(), re.S)
    options = re.findall(r"<option[^>]*>[^<]*</option>", select.group())
    # Nothing is selected, so the browser shows the first option: the empty one, named.
    assert options[0] == '<option value="">Unknown time zone “Europe/Berlinn”: choose one</option>'
    assert not any(" selected" in option for option in options)


@pytest.fixture
def bad_zone_student(client, student):
    school = School.objects.create(name="Lakeside")
    # As if written before names were checked, or straight into the database.
    School.objects.filter(pk=school.pk).update(time_zone="Europe/Berlinn")
    User.objects.filter(pk=student.pk).update(school=school)
    client.force_login(student)
    return client


def test_a_bad_stored_zone_falls_back_to_the_site_zone_with_a_warning(
    bad_zone_student, demo_pack, caplog
):
    with caplog.at_level(logging.WARNING, logger="accounts.models"):
        response = bad_zone_student.get(reverse("quiz:quiz_list"))
    assert response.status_code == 200
    assert "unknown time zone 'Europe/Berlinn'" in caplog.text


def test_students_of_a_school_with_a_bad_zone_still_play(bad_zone_student, demo_pack, caplog):
    response = bad_zone_student.post(reverse("quiz:attempt_start", args=[demo_pack.slug]))
    assert response.status_code == 302
    attempt = Attempt.objects.get(quiz=demo_pack)
    shown = attempt_next_round(attempt)
    item = shown.item
    with caplog.at_level(logging.WARNING, logger="accounts.models"):
        response = bad_zone_student.post(
            reverse("quiz:answer_submit", args=[attempt.pk, shown.key]),
            {**spot_answers.post_data(item, shown.correct_option()), "confidence": "80"},
        )
    assert response.status_code in (200, 302)
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert answer.is_correct
    # the answer's day is taken in the site's TIME_ZONE instead
    assert (
        answer.day == timezone.localtime(answer.created_at, timezone.get_default_timezone()).date()
    )
    assert "unknown time zone 'Europe/Berlinn'" in caplog.text
