"""Students' data under the school's control (issue 11 §3): downloads of everything stored
about a student, deleting a student or an archived class for good with the statistics
corrected exactly (cells equal a rebuild), the retention rule, and the privacy page."""

from __future__ import annotations

import csv
import io
import json
import random
import threading
import time
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Answer, Attempt, Quiz, StatCell, StatPending, StatStudent
from quiz.selectors.privacy import months_before
from quiz.services import play as play_services
from quiz.services import privacy as privacy_services
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from quiz.tasks import students_retention_purge
from tests import spot_answers, stats_reference
from tests.concurrency import WAIT, Background, waits_for
from tests.people import open_assignment
from tests.stats_reference import reference, student_counts
from tests.tiny_quiz import tiny_quiz

pytestmark = pytest.mark.django_db


# --- helpers ---


def _class(teacher: User, name: str, school: School | None = None) -> Classroom:
    school = school or School.objects.create(name=f"{name} school")
    classroom = Classroom.objects.create(school=school, name=name, grade="7")
    classroom.teachers.add(teacher)
    return classroom


def _student(username: str, *classrooms: Classroom) -> User:
    user = User.objects.create_user(
        username=username,
        password="x",
        role="student",
        school=classrooms[0].school if classrooms else None,
    )
    for classroom in classrooms:
        Enrollment.objects.create(classroom=classroom, student=user)
    return user


def _assign(teacher: User, quiz, classroom: Classroom, *, feedback: str = "each"):
    return open_assignment(teacher, quiz, classroom, feedback=feedback)


def _play(user: User, quiz, rng: random.Random, *, assignment=None, rounds: int = 5) -> None:
    attempt = attempt_start(user=user, quiz=quiz, assignment=assignment)
    for item in list(quiz.items.select_related("clip", "other_clip"))[:rounds]:
        answer_submit(
            attempt=attempt,
            item=item,
            confidence=rng.randrange(50, 101),
            **spot_answers.random_kwargs(item, rng),
        )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reference_of_folded() -> tuple[dict, set]:
    """The reference computed from the answers no longer queued (those the cells hold)."""
    real = stats_reference.Answer
    stats_reference.Answer = SimpleNamespace(
        objects=Answer.objects.filter(stat_pending__isnull=True)
    )
    try:
        return stats_reference.reference()
    finally:
        stats_reference.Answer = real


def _assert_cells(expected_cells: dict, expected_students: set) -> None:
    cells = stats_reference.stored_cells()
    wrong = [k for k in set(cells) | set(expected_cells) if cells.get(k) != expected_cells.get(k)]
    assert not wrong, sorted(wrong, key=repr)[:10]
    assert stats_reference.stored_students() == expected_students
    assert stats_reference.stored_student_counts() == student_counts(expected_students)
    # The sums behind item discrimination: those of the answers the cells hold (not queued).
    assert stats_reference.stored_item_sums() == stats_reference.item_sums()


def _assert_equal_to_a_rebuild() -> None:
    """Now (queued answers not yet counted), after folding the queue, and after a rebuild:
    the cells equal the plain-Python reference of the answers they should hold."""
    _assert_cells(*_reference_of_folded())
    aggregation.fold_all(batch_size=7)
    expected = reference()
    _assert_cells(*expected)
    assert aggregation.rebuild() == Answer.objects.count()
    _assert_cells(*expected)


@pytest.fixture
def demo_pack(db) -> Quiz:
    """Rows only: nothing here plays a file, so the demo build is not needed."""
    return tiny_quiz()


@pytest.fixture
def world(demo_pack, teacher):
    """Two classes of one teacher and a class of another teacher, in one school; answers in
    assignments and free practice, part folded and part still queued."""
    rng = random.Random(11)
    other_teacher = User.objects.create_user(username="t2", password="x", role="teacher")
    first = _class(teacher, "7A")
    second = _class(teacher, "7B", school=first.school)
    elsewhere = _class(other_teacher, "8C", school=first.school)
    ada = _student("ada", first, second)
    bob = _student("bob", first)
    cy = _student("cy", first)
    dee = _student("dee", second, elsewhere)
    a1, a2 = _assign(teacher, demo_pack, first), _assign(teacher, demo_pack, second)
    a3 = _assign(other_teacher, demo_pack, elsewhere)
    for user in (ada, bob, cy):
        _play(user, demo_pack, rng, assignment=a1, rounds=6)
    _play(dee, demo_pack, rng, assignment=a3, rounds=4)
    aggregation.fold_all(batch_size=5)
    # Queued, not yet folded: some of ada's answers and others'.
    _play(ada, demo_pack, rng, assignment=a2, rounds=4)
    _play(ada, demo_pack, rng, rounds=3)  # free practice
    _play(dee, demo_pack, rng, assignment=a2, rounds=5)
    _play(bob, demo_pack, rng, rounds=2)
    assert StatPending.objects.filter(answer__user=ada).exists()
    return SimpleNamespace(
        teacher=teacher,
        other_teacher=other_teacher,
        first=first,
        second=second,
        elsewhere=elsewhere,
        ada=ada,
        bob=bob,
        cy=cy,
        dee=dee,
        a1=a1,
        a2=a2,
    )


def _zip_tables(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


# --- exports ---


def test_a_student_downloads_all_their_answers_and_nothing_of_anyone_else(world):
    client = _client(world.ada)
    response = client.get(reverse("privacy:my_data", args=["json"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "second-look-student-data/1"
    assert data["account"]["username"] == "ada"
    assert "password" not in json.dumps(data)
    assert {c["class"] for c in data["classes"]} == {"7A", "7B"}
    mine = Answer.objects.filter(user=world.ada)
    assert sorted(a["answer_id"] for a in data["answers"]) == sorted(
        mine.values_list("pk", flat=True)
    )
    assert len(data["answers"]) == 6 + 4 + 3
    assert {a["attempt_id"] for a in data["answers"]} == set(
        Attempt.objects.filter(user=world.ada).values_list("pk", flat=True)
    )
    assert len(data["attempts"]) == 3
    stored = {a.pk: a for a in mine}
    for row in data["answers"]:
        answer = stored[row["answer_id"]]
        assert row["confidence"] == answer.confidence
        assert row["correct"] == answer.is_correct
        assert row["points"] == answer.points
        assert row["answered_at"] == answer.created_at.isoformat()
        assert row["answer"] == answer.shown_guess
    for name in ("bob", "cy", "dee"):
        assert name not in response.content.decode()

    tables = _zip_tables(client.get(reverse("privacy:my_data", args=["zip"])).content)
    assert set(tables) == {"account.csv", "classes.csv", "attempts.csv", "answers.csv"}
    assert [r["username"] for r in tables["account.csv"]] == ["ada"]
    assert len(tables["answers.csv"]) == 13
    assert {r["student_username"] for r in tables["answers.csv"]} == {"ada"}
    assert {int(r["answer_id"]) for r in tables["answers.csv"]} == set(stored)


def test_results_of_a_running_test_wait_for_its_due_time_in_the_students_download(
    demo_pack, teacher
):
    classroom = _class(teacher, "Test class")
    student = _student("tess", classroom)
    test = _assign(teacher, demo_pack, classroom, feedback="after_due")
    _play(student, demo_pack, random.Random(2), assignment=test, rounds=3)
    data = json.loads(_client(student).get(reverse("privacy:my_data", args=["json"])).content)
    assert len(data["answers"]) == 3
    assert all(a["correct"] is None and a["points"] is None for a in data["answers"])
    assert all(a["results_hidden_until"] == test.due_at.isoformat() for a in data["answers"])
    # Nor the rounds' places in the quiz's own order: beside the places they were played in,
    # they would undo the attempt's shuffle.
    assert all(a["round"] is None and a["played_round"] for a in data["answers"])
    # The teacher sees the results, as in the assignment's report.
    url = reverse("privacy:student_data", args=[classroom.pk, student.pk, "json"])
    data = json.loads(_client(teacher).get(url).content)
    assert all(a["correct"] in (True, False) for a in data["answers"])
    assert all(a["round"] for a in data["answers"])


def test_a_teacher_downloads_a_student_and_the_class_for_their_class_only(world):
    client = _client(world.teacher)
    url = reverse("privacy:student_data", args=[world.first.pk, world.ada.pk, "json"])
    data = json.loads(client.get(url).content)
    assert data["account"]["username"] == "ada"
    assert [c["class"] for c in data["classes"]] == ["7A"]
    in_class = Answer.objects.filter(user=world.ada, assignment__classroom=world.first)
    assert sorted(a["answer_id"] for a in data["answers"]) == sorted(
        in_class.values_list("pk", flat=True)
    )
    assert {a["class"] for a in data["answers"]} == {"7A"}

    response = client.get(reverse("privacy:class_data", args=[world.first.pk, "json"]))
    data = json.loads(response.content)
    assert data["class"]["name"] == "7A"
    assert [s["account"]["username"] for s in data["students"]] == ["ada", "bob", "cy"]
    answers = [a for s in data["students"] for a in s["answers"]]
    assert sorted(a["answer_id"] for a in answers) == sorted(
        Answer.objects.filter(assignment__classroom=world.first).values_list("pk", flat=True)
    )
    tables = _zip_tables(
        client.get(reverse("privacy:class_data", args=[world.first.pk, "zip"])).content
    )
    assert [r["username"] for r in tables["account.csv"]] == ["ada", "bob", "cy"]
    assert len(tables["answers.csv"]) == 18
    assert "dee" not in json.dumps(tables)


def test_other_teachers_students_and_strangers_get_nothing(world, educator):
    urls = [
        reverse("privacy:student_data", args=[world.first.pk, world.ada.pk, "json"]),
        reverse("privacy:student_data", args=[world.first.pk, world.ada.pk, "zip"]),
        reverse("privacy:class_data", args=[world.first.pk, "json"]),
        reverse("privacy:student_delete_confirm", args=[world.first.pk, world.ada.pk]),
        reverse("privacy:class_delete_confirm", args=[world.first.pk]),
    ]
    for user in (world.other_teacher, world.bob, educator):
        client = _client(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        erase = reverse("privacy:student_delete", args=[world.first.pk, world.ada.pk])
        assert client.post(erase, {"username": "ada"}).status_code == 404
        erase = reverse("privacy:class_delete", args=[world.first.pk])
        assert client.post(erase, {"confirm": "on"}).status_code == 404
    # A student of the teacher's class reached through another class is not found either.
    url = reverse("privacy:student_data", args=[world.first.pk, world.dee.pk, "json"])
    assert _client(world.teacher).get(url).status_code == 404
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert User.objects.filter(username="ada").exists()


def test_staff_may_download_any_class(world):
    staff = User.objects.create_user(username="admin", password="x", role="educator", is_staff=True)
    url = reverse("privacy:class_data", args=[world.elsewhere.pk, "json"])
    assert _client(staff).get(url).status_code == 200


def test_hostile_input_is_a_404_or_405_never_a_500(world):
    client = _client(world.teacher)
    huge = 10**30
    for url in (
        f"/privacy/classes/{huge}/data.json",
        f"/privacy/classes/{world.first.pk}/students/{huge}/data.json",
        f"/privacy/classes/{world.first.pk}/students/{huge}/delete/",
        f"/privacy/classes/{world.first.pk}/students/{world.ada.pk}/data.xml",
        f"/privacy/classes/{world.first.pk}/data.",
        "/privacy/my-data.exe",
        f"/privacy/classes/{world.first.pk}/students/-1/data.json",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/privacy/classes/{world.first.pk}/students/{huge}/erase/")
    assert response.status_code == 404
    erase = reverse("privacy:student_delete", args=[world.first.pk, world.ada.pk])
    assert client.get(erase).status_code == 405
    assert client.get(reverse("privacy:class_delete", args=[world.first.pk])).status_code == 405
    confirm = reverse("privacy:student_delete_confirm", args=[world.first.pk, world.ada.pk])
    assert client.post(confirm, {"username": "ada"}).status_code == 405
    assert User.objects.filter(username="ada").exists()


# --- deleting a student ---


def test_deleting_needs_csrf_and_the_typed_username(world):
    erase = reverse("privacy:student_delete", args=[world.first.pk, world.ada.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.teacher)
    assert strict.post(erase, {"username": "ada"}).status_code == 403
    client = _client(world.teacher)
    for typed in ("", "bob", "ADA", "ada\u202e"):
        response = client.post(erase, {"username": typed})
        assert response.status_code == 400
        assert "type ada exactly" in response.content.decode() or typed == ""
    assert User.objects.filter(username="ada").exists()
    assert Answer.objects.filter(user=world.ada).count() == 13


def test_the_confirm_page_names_what_will_be_deleted(world):
    url = reverse("privacy:student_delete_confirm", args=[world.first.pk, world.ada.pk])
    html = _client(world.teacher).get(url).content.decode()
    assert "13 answers" in html and "3 quiz attempts" in html
    assert "7A" in html and "7B" in html
    assert 'name="username"' in html
    # On the class page: "Delete for good" beside "Remove from class", and the downloads.
    page = _client(world.teacher).get(reverse("accounts:classroom_detail", args=[world.first.pk]))
    html = page.content.decode()
    assert url in html
    assert reverse("privacy:student_data", args=[world.first.pk, world.ada.pk, "json"]) in html
    assert reverse("privacy:class_data", args=[world.first.pk, "zip"]) in html


def test_deleting_a_student_removes_every_row_and_cells_equal_a_rebuild(world):
    ada_id = world.ada.pk
    answers = list(Answer.objects.filter(user=world.ada).values_list("pk", flat=True))
    assert StatStudent.objects.filter(student_id=ada_id).exists()
    assert StatCell.objects.filter(scope="user", scope_id=ada_id).exists()
    others_before = Answer.objects.exclude(user_id=ada_id).count()
    erase = reverse("privacy:student_delete", args=[world.first.pk, ada_id])
    response = _client(world.teacher).post(erase, {"username": " ada "})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:classroom_detail", args=[world.first.pk])
    assert not User.objects.filter(pk=ada_id).exists()
    assert not Answer.objects.filter(pk__in=answers).exists()
    assert not Attempt.objects.filter(user_id=ada_id).exists()
    assert not Enrollment.objects.filter(student_id=ada_id).exists()
    assert not StatPending.objects.filter(answer_id__in=answers).exists()
    assert not StatStudent.objects.filter(student_id=ada_id).exists()
    assert not StatCell.objects.filter(scope="user", scope_id=ada_id).exists()
    assert not StatCell.objects.filter(dimension="student", key=str(ada_id)).exists()
    assert Answer.objects.count() == others_before
    # The others' queued answers are still queued, and are folded on top.
    assert StatPending.objects.exists()
    _assert_equal_to_a_rebuild()


def test_a_student_with_every_answer_folded_is_taken_out_exactly(world):
    aggregation.fold_all()
    client = _client(world.teacher)
    for student in (world.bob, world.cy):
        erase = reverse("privacy:student_delete", args=[world.first.pk, student.pk])
        assert client.post(erase, {"username": student.username}).status_code == 302
    assert not StatPending.objects.exists()
    _assert_equal_to_a_rebuild()


def test_a_student_also_in_another_teachers_class_is_only_removed(world):
    url = reverse("privacy:student_delete_confirm", args=[world.second.pk, world.dee.pk])
    html = _client(world.teacher).get(url).content.decode()
    assert "8C" in html and 'name="username"' not in html
    erase = reverse("privacy:student_delete", args=[world.second.pk, world.dee.pk])
    response = _client(world.teacher).post(erase, {"username": "dee"}, follow=True)
    assert "also in classes you do not teach" in response.content.decode()
    assert User.objects.filter(pk=world.dee.pk).exists()
    assert Answer.objects.filter(user=world.dee).count() == 9


# --- deleting an archived class ---


@pytest.mark.parametrize("folded_first", [False, True], ids=["some-queued", "all-folded"])
def test_only_an_archived_class_is_deleted_and_its_cells_equal_a_rebuild(world, folded_first):
    if folded_first:
        # dee's answers in 7B are then counted, and her rows in the school's and everyone's
        # cells must stay for her answers in 8C.
        aggregation.fold_all()
    client = _client(world.teacher)
    erase = reverse("privacy:class_delete", args=[world.second.pk])
    response = client.post(erase, {"confirm": "on"})
    assert response.status_code == 400
    assert "Only an archived class can be deleted" in response.content.decode()
    world.second.archived_at = timezone.now()
    world.second.save()
    assert client.post(erase, {}).status_code == 400  # the box is not ticked
    html = client.get(reverse("privacy:class_delete_confirm", args=[world.second.pk])).content
    html = html.decode()
    # ada is only in the teacher's classes: deleted; dee is also in 8C: kept.
    assert "ada" in html and "dee" in html and "also in a class you do not teach" in html
    dee_elsewhere = Answer.objects.filter(user=world.dee).exclude(assignment=world.a2).count()
    response = client.post(erase, {"confirm": "on"})
    assert response.status_code == 302
    assert not Classroom.objects.filter(pk=world.second.pk).exists()
    assert not User.objects.filter(pk=world.ada.pk).exists()
    assert not Answer.objects.filter(assignment_id=world.a2.pk).exists()
    assert not Attempt.objects.filter(assignment_id=world.a2.pk).exists()
    # dee keeps the account and the other class's answers.
    assert Answer.objects.filter(user=world.dee).count() == dee_elsewhere == 4
    assert list(world.dee.classrooms.all()) == [world.elsewhere]
    assert not StatCell.objects.filter(scope="class", scope_id=world.second.pk).exists()
    assert not StatCell.objects.filter(scope="assignment", scope_id=world.a2.pk).exists()
    _assert_equal_to_a_rebuild()


# --- retention ---


def test_months_before_keeps_the_day_or_the_months_last():
    moment = timezone.now().replace(year=2026, month=5, day=31)
    assert months_before(moment, 3).date().isoformat() == "2026-02-28"
    assert months_before(moment, 17).date().isoformat() == "2024-12-31"
    assert months_before(moment, 0) == moment


def _archived(classroom: Classroom, *, days_ago: int) -> None:
    classroom.archived_at = timezone.now() - timedelta(days=days_ago)
    classroom.save()


def test_retention_dry_run_lists_and_the_real_run_deletes_only_long_archived(world, settings):
    _archived(world.first, days_ago=400)  # ada, bob, cy; ada is also in 7B
    _archived(world.second, days_ago=30)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Retention is off"):
        call_command("purge_archived_students", "--dry-run", stdout=out)
    call_command("purge_archived_students", "--dry-run", "--months", "12", stdout=out)
    text = out.getvalue()
    assert "7A" in text and "7B" not in text
    assert "Students would be deleted: 2" in text and "  bob" in text and "  cy" in text
    assert "kept" in text and "  ada" in text
    assert "nothing was deleted" in text
    assert User.objects.filter(username__in=["ada", "bob", "cy"]).count() == 3
    assert students_retention_purge.apply().get() == 0  # the setting is off
    assert User.objects.filter(username__in=["bob", "cy"]).count() == 2

    settings.STUDENT_RETENTION_MONTHS = 12
    assert students_retention_purge.apply().get() == 2
    assert not User.objects.filter(username__in=["bob", "cy"]).exists()
    assert User.objects.filter(username__in=["ada", "dee"]).count() == 2
    assert Classroom.objects.filter(pk=world.first.pk).exists()  # the class itself stays
    _assert_equal_to_a_rebuild()
    out = io.StringIO()
    call_command("purge_archived_students", stdout=out)  # again: nobody is left to delete
    assert "Deleted 0 students" in out.getvalue()


def test_the_beat_runs_the_retention_rule_daily():
    from config.celery import app

    schedule = app.conf.beat_schedule["students-retention"]
    assert schedule["task"] == "quiz.tasks.students_retention_purge"
    assert schedule["schedule"] == 24 * 3600.0


def test_retention_spares_classes_archived_within_the_period(world, settings):
    _archived(world.first, days_ago=200)
    settings.STUDENT_RETENTION_MONTHS = 12
    assert students_retention_purge.apply().get() == 0
    settings.STUDENT_RETENTION_MONTHS = 10**9  # absurd, but never an error
    assert students_retention_purge.apply().get() == 0
    assert User.objects.filter(role="student").count() == 4


# --- the privacy page ---


def test_the_privacy_page_is_public_and_linked_from_every_page(client, settings):
    response = client.get(reverse("privacy:privacy_page"))
    assert response.status_code == 200
    html = response.content.decode()
    for words in ("What is stored", "Why", "Who can see it", "For how long", "no e-mail"):
        assert words in html
    assert "does not delete students of old classes automatically" in html
    # Student accounts need no e-mail: the sign-up never asks for one.
    signup = client.get(reverse("accounts:student_signup")).content.decode()
    assert "email" not in signup.lower() and "e-mail" not in signup.lower()
    assert reverse("privacy:privacy_page") in client.get(reverse("home")).content.decode()
    settings.STUDENT_RETENTION_MONTHS = 18
    assert "more than 18 months ago" in client.get(reverse("privacy:privacy_page")).content.decode()


def test_the_students_home_page_links_to_their_download(world):
    html = _client(world.bob).get(reverse("quiz:quiz_list")).content.decode()
    assert reverse("privacy:my_data", args=["json"]) in html
    assert reverse("privacy:my_data", args=["zip"]) in html
    assert Client().get(reverse("privacy:my_data", args=["json"])).status_code == 302


# --- erasure while a fold is running (PostgreSQL: row locks and the fold's write lock) ---


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.parametrize(
    ("pause_in", "hers_folded"),
    [("_claim", False), ("_insert_students", False), ("_insert_students", True)],
    ids=["claimed-hers", "writing-hers", "writing-others"],
)
def test_an_erasure_waits_for_a_fold_holding_the_students_answers(
    demo_pack, teacher, monkeypatch, pause_in, hers_folded
):
    """A fold has claimed a batch holding some of the student's queued answers (paused after
    the claim, or after writing its cells with the write lock held): the erasure waits for
    it, then takes out what it counted; no answer is counted twice or left behind. With all
    of hers counted before and the fold writing others' answers into the same cells, the
    erasure waits for the fold to commit before it lowers those cells."""
    monkeypatch.setattr(play_services, "queue_stats_fold", lambda: None)
    rng = random.Random(5)
    classroom = _class(teacher, "Busy")
    assignment = _assign(teacher, demo_pack, classroom)
    ada, bob = _student("ada", classroom), _student("bob", classroom)
    _play(ada, demo_pack, rng, assignment=assignment, rounds=3)
    _play(bob, demo_pack, rng, assignment=assignment, rounds=3)
    aggregation.fold_all()
    _play(ada, demo_pack, rng, rounds=4)  # queued
    if hers_folded:
        aggregation.fold_all()
    _play(bob, demo_pack, rng, rounds=4)  # queued
    reached, go = threading.Event(), threading.Event()
    real = getattr(aggregation, pause_in)

    def paused(*args, **kwargs):
        result = real(*args, **kwargs)
        if threading.current_thread().name == "fold":
            reached.set()
            assert go.wait(WAIT)
        return result

    monkeypatch.setattr(aggregation, pause_in, paused)
    try:
        fold = Background("fold", aggregation.fold_pending)
        assert reached.wait(WAIT)
        erase = Background("erase", lambda: privacy_services.student_erase(student=ada, by=teacher))
        deadline = time.monotonic() + WAIT
        while not waits_for(erase.pid, fold.pid):
            assert time.monotonic() < deadline, "the erasure did not wait for the fold"
            time.sleep(0.05)
        go.set()
        assert fold.result() == (4 if hers_folded else 8)
        erased = erase.result()
    finally:
        go.set()
    assert erased.answers == 7
    assert not User.objects.filter(username="ada").exists()
    assert not StatPending.objects.exists()
    _assert_cells(*reference())
    assert aggregation.rebuild() == Answer.objects.count() == 7
    _assert_cells(*reference())
