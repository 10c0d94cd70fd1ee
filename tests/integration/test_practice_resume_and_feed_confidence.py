"""Two small gaps of issue 14: the student's home says "Resume practice" (and "Resume booster")
for a set started and not finished, instead of offering to start one; and a feed, which asks
no confidence (stored as 50), shows none anywhere: not in the teacher's report (by student
and by round), the answers export or the student's data export."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quiz.models import Attempt, BoosterPlan
from quiz.selectors import feed as feed_selectors
from quiz.selectors import play as play_selectors
from quiz.services import feed as feed_services
from tests import people
from tests.people import open_assignment

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _started(response) -> Attempt:
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _practice_section(client: Client) -> str:
    page = client.get(reverse("quiz:quiz_list")).content.decode()
    return page.split('id="adaptive-title"')[1].split("</section>")[0]


def _answer_one_round(client: Client, attempt: Attempt) -> None:
    client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    attempt.refresh_from_db()
    shown = play_selectors.attempt_next_round(attempt)
    item = play_selectors.with_clips_and_artifacts(shown.item)[0]
    if item.is_spot:
        from tests.spot_answers import form_data, hit_mark

        data = {"confidence": "70", **form_data(hit_mark(item))}
    else:
        data = {"confidence": "70", "guess": shown.correct_option()}
    response = client.post(reverse("quiz:answer_submit", args=[attempt.pk, shown.key]), data)
    assert response.status_code == 302


# --- "Resume practice" ------------------------------------------------------------------------


def test_an_open_mix_says_resume_practice(student, demo_pack):
    client = _client(student)
    before = _practice_section(client)
    assert "Practise a mix" in before and "Resume practice" not in before
    attempt = _started(client.post(reverse("practice:start")))
    _answer_one_round(client, attempt)
    after = _practice_section(client)
    assert "Resume practice" in after and "Practise a mix" not in after
    # The button resumes the same set.
    assert _started(client.post(reverse("practice:start"))) == attempt


def test_a_focused_open_set_gets_a_resume_button_of_its_own(student, demo_pack):
    client = _client(student)
    attempt = _started(client.post(reverse("practice:start"), {"category": "physics"}))
    section = _practice_section(client)
    assert "Resume practice: Physics and solidity" in section
    assert "Practise a mix" in section  # the mix is not open
    again = client.post(reverse("practice:start"), {"category": "physics"})
    assert _started(again) == attempt


def test_a_finished_set_offers_a_new_one(student, demo_pack):
    client = _client(student)
    attempt = _started(client.post(reverse("practice:start")))
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=timezone.now())
    section = _practice_section(client)
    assert "Resume practice" not in section and "Practise a mix" in section


def test_a_started_booster_says_resume_booster(student, demo_pack):
    started = timezone.now() - timedelta(days=2, hours=1)
    plan = BoosterPlan.objects.create(
        user=student,
        category="physics",
        source="lesson",
        started_at=started,
        due_at=started + timedelta(days=2),
    )
    client = _client(student)
    assert "Booster: Physics and solidity" in _practice_section(client)
    attempt = _started(client.post(reverse("practice:booster_start", args=[plan.pk])))
    section = _practice_section(client)
    assert "Resume booster: Physics and solidity" in section
    # A booster is not free practice: the mix still starts a new set.
    assert "Practise a mix" in section
    assert _started(client.post(reverse("practice:booster_start", args=[plan.pk]))) == attempt


def test_another_students_open_set_changes_nothing(student, other_student, demo_pack):
    _started(_client(other_student).post(reverse("practice:start")))
    section = _practice_section(_client(student))
    assert "Resume practice" not in section


# --- No confidence for feed rounds ------------------------------------------------------------


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def feed_assignment(teacher, student, demo_pack):
    classroom = people.class_of(teacher, student)
    quiz = feed_services.feed_create(
        owner=teacher,
        pool=feed_selectors.teacher_pool(teacher),
        title="Scroll test",
        length=10,
        percent=20,
        seconds=5,
    )
    assignment = open_assignment(teacher, quiz, classroom)
    client = _client(student)
    client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(assignment=assignment)
    for number in range(1, 11):
        position = feed_selectors.feed_current(attempt)
        response = client.post(
            reverse("feed:answer", args=[attempt.pk, position.shown.key]),
            {"guess": "generated" if number % 3 == 0 else "real"},
        )
        assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_finished
    return assignment


def test_the_feed_report_shows_no_confidence(teacher, feed_assignment):
    html = (
        _client(teacher)
        .get(reverse("teach:assignment_report", args=[feed_assignment.pk]))
        .content.decode()
    )
    confidence_cells = re.findall(r"data-label=\"Confidence[^\"]*\">([^<]*)<", html)
    # Ten answers by student and ten rounds: every confidence cell is a dash, none says 50.
    assert len(confidence_cells) == 20
    assert set(confidence_cells) == {"–"}
    assert "(50–50 %)" not in html


def test_the_answers_export_leaves_feed_confidence_empty(teacher, feed_assignment):
    response = _client(teacher).get(
        reverse("teach:assignment_answers_csv", args=[feed_assignment.pk]) + "?csv=standard"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert {r["item_kind"] for r in rows} == {"feed"}
    assert {r["confidence"] for r in rows} == {""}


def test_the_students_data_export_has_no_feed_confidence(student, feed_assignment):
    response = _client(student).get(reverse("privacy:my_data", args=["json"]))
    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    feed_answers = [a for a in data["answers"] if a["round_kind"] == "feed"]
    assert len(feed_answers) == 10
    assert all(a["confidence"] is None for a in feed_answers)


def test_quiz_answers_keep_their_confidence(student, teacher, demo_pack):
    """The other side: a quiz's answers still show the confidence the student gave."""
    client = _client(student)
    attempt = _started(client.post(reverse("practice:start")))
    _answer_one_round(client, attempt)
    response = client.get(reverse("privacy:my_data", args=["json"]))
    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert [a["confidence"] for a in data["answers"]] == [70]
