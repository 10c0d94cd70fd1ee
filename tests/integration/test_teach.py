"""Assignments: assigning, playing within the rules, tests that withhold feedback, the live
view, the report and the CSV exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import services as account_services
from accounts.models import Enrollment, User
from quiz import shuffle
from quiz.models import Answer, Assignment, Attempt
from quiz.selectors import play as selectors
from quiz.services import play as services
from quiz.stats import aggregation
from tests import people, spot_answers
from tests.payloads import assignment_form
from tests.people import open_assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def classroom(teacher, student):
    return people.class_of(teacher, student)


@pytest.fixture
def teacher_client(teacher):
    client = Client()
    client.force_login(teacher)
    return client


def _assign(classroom, quiz, teacher, **overrides) -> Assignment:
    due = {"due_at": timezone.now() + timedelta(days=2)}
    return open_assignment(teacher, quiz, classroom, **(due | overrides))


def _play(student, assignment, *, right_every: int = 2) -> Attempt:
    """Every round in the attempt's order, on the sides it shows: right every other one."""
    attempt = services.attempt_start(user=student, quiz=assignment.quiz, assignment=assignment)
    for n, shown in enumerate(selectors.attempt_rounds(attempt)):
        if shown.item.is_spot:
            # A mark on its giveaway (or far from it) on the same turns.
            services.answer_submit(
                attempt=attempt,
                item=shown.item,
                confidence=70,
                **spot_answers.submit_kwargs(shown.item, right=n % right_every == 0),
            )
            continue
        right = shown.correct_option()
        guess = (
            right if n % right_every == 0 else next(o for o in shown.item.options() if o != right)
        )
        services.answer_submit(attempt=attempt, item=shown.item, guess=guess, confidence=70)
    return attempt


def _url(name: str, attempt: Attempt, item) -> str:
    return reverse(name, args=[attempt.pk, selectors.round_key(attempt, item.pk)])


def test_teacher_assigns_in_the_school_time_zone(teacher_client, classroom, demo_pack):
    response = teacher_client.post(
        reverse("teach:assignment_create", args=[demo_pack.slug]),
        assignment_form(
            classroom.pk,
            attempts_allowed="2",
            feedback="after_due",
            unit_role="pre",
            unit="Deepfakes",
        ),
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("teach:assignment_live", args=[assignment.pk])
    # 08:00 in Berlin (UTC+1 in December) is 07:00 UTC
    assert assignment.opens_at == datetime(2099, 12, 1, 7, 0, tzinfo=UTC)
    assert (assignment.attempts_allowed, assignment.feedback) == (2, "after_due")
    assert (assignment.unit_role, assignment.unit) == ("pre", "Deepfakes")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"classrooms": []}, "Choose at least one class"),
        ({"due_at": "2099-11-30T08:00"}, "must come after the opening time"),
        ({"opens_at": "2000-01-01T08:00", "due_at": "2000-01-02T08:00"}, "already passed"),
        ({"opens_at": "yesterday"}, "Enter a date and time"),
        ({"attempts_allowed": "0"}, "greater than or equal to 1"),
        ({"attempts_allowed": "21"}, "less than or equal to 20"),
        ({"attempts_allowed": "many"}, "Enter a whole number"),
        ({"feedback": "never"}, "Select a valid choice"),
        ({"unit_role": "post", "unit": ""}, "Name the unit"),
        ({"classrooms": ["999999"]}, "Select a valid choice"),
    ],
)
def test_bad_assignments_are_refused_with_a_message(
    teacher_client, classroom, demo_pack, changes, message
):
    data = assignment_form(classroom.pk)
    data.update(changes)
    response = teacher_client.post(reverse("teach:assignment_create", args=[demo_pack.slug]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assignment.objects.exists()


def test_another_teachers_class_cannot_be_chosen(teacher_client, classroom, school, demo_pack):
    stranger = User.objects.create_user("t2", password="x", role="teacher", school=school)
    theirs = account_services.classroom_create(teacher=stranger, name="9Z")
    response = teacher_client.post(
        reverse("teach:assignment_create", args=[demo_pack.slug]),
        assignment_form(theirs.pk),
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.exists()


def test_student_sees_and_plays_the_assignment(classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher)
    client = Client()
    client.force_login(student)
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Your assignments" in home and "to do" in home
    response = client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(assignment=assignment)
    assert response.url == reverse("quiz:attempt_play", args=[attempt.pk])
    # Free play of the same quiz would show its answers: closed until the assignment is due,
    # then a separate attempt.
    start = reverse("quiz:attempt_start", args=[demo_pack.slug])
    assert client.post(start).status_code == 404
    assert not Attempt.objects.filter(user=student, assignment__isnull=True).exists()
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=2), due_at=timezone.now() - timedelta(minutes=1)
    )
    client.post(start)
    assert Attempt.objects.filter(user=student, assignment__isnull=True).count() == 1


def test_attempts_allowed_are_enforced(classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher, attempts_allowed=1)
    _play(student, assignment)
    with pytest.raises(services.AttemptRefused, match="used every attempt"):
        services.attempt_start(user=student, quiz=demo_pack, assignment=assignment)
    client = Client()
    client.force_login(student)
    response = client.post(reverse("quiz:assignment_start", args=[assignment.pk]), follow=True)
    assert "used every attempt" in response.content.decode()
    assert Attempt.objects.filter(assignment=assignment).count() == 1


def test_upcoming_and_closed_assignments_cannot_be_started(classroom, demo_pack, teacher, student):
    now = timezone.now()
    upcoming = _assign(
        classroom,
        demo_pack,
        teacher,
        opens_at=now + timedelta(days=1),
        due_at=now + timedelta(days=2),
    )
    with pytest.raises(services.AttemptRefused, match="not opened yet"):
        services.attempt_start(user=student, quiz=demo_pack, assignment=upcoming)
    closed = _assign(classroom, demo_pack, teacher)
    Assignment.objects.filter(pk=closed.pk).update(
        opens_at=now - timedelta(days=3), due_at=now - timedelta(days=1)
    )
    closed.refresh_from_db()
    with pytest.raises(services.AttemptRefused, match="closed"):
        services.attempt_start(user=student, quiz=demo_pack, assignment=closed)


def test_answers_after_the_due_time_are_refused(classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher)
    attempt = services.attempt_start(user=student, quiz=demo_pack, assignment=assignment)
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(seconds=1))
    attempt.refresh_from_db()
    item = demo_pack.items.first()
    with pytest.raises(services.AnswerRejected, match="closed"):
        services.answer_submit(
            attempt=attempt,
            item=item,
            confidence=60,
            **spot_answers.submit_kwargs(item, item.options()[0]),
        )
    assert not Answer.objects.exists()


def test_assignments_of_other_classes_are_not_found(classroom, demo_pack, teacher, other_student):
    assignment = _assign(classroom, demo_pack, teacher)
    client = Client()
    client.force_login(other_student)
    assert client.post(reverse("quiz:assignment_start", args=[assignment.pk])).status_code == 404
    assert "Your assignments" not in client.get(reverse("quiz:quiz_list")).content.decode()


def test_tests_withhold_the_truth_until_due(classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher, feedback="after_due")
    client = Client()
    client.force_login(student)
    client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(assignment=assignment)
    shown = selectors.attempt_next_round(attempt)
    item = shown.item
    response = client.post(
        _url("quiz:answer_submit", attempt, item),
        {**spot_answers.post_data(shown.item, shown.correct_option()), "confidence": 90},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Answer saved." in html
    secrets = (
        "Right!",
        "Not quite.",
        "points",
        escape(item.clip.credit),
        escape(item.clip.explanation),
    )
    for secret in secrets:
        assert secret not in html, secret
    feedback = client.get(_url("quiz:round_feedback", attempt, item)).content.decode()
    assert escape(item.clip.credit) not in feedback and "Answer saved." in feedback
    aggregation.fold_all()
    assert "figures are hidden" in client.get(reverse("quiz:progress")).content.decode()
    # once the due time has passed, the feedback is there
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=2), due_at=timezone.now() - timedelta(minutes=1)
    )
    feedback = client.get(_url("quiz:round_feedback", attempt, item)).content.decode()
    assert "Right!" in feedback and escape(item.clip.credit) in feedback
    assert "figures are hidden" not in client.get(reverse("quiz:progress")).content.decode()


def test_a_running_test_moves_no_mastery_figure_until_due(classroom, demo_pack, teacher, student):
    """Mastery bars and lesson figures come from the student's own aggregate cells: if they
    moved after each answer of a test that holds back its feedback, a student could read
    right from wrong in them (and adaptive practice, made harder or easier by the test's
    answers, would tell the same). They are hidden until due, then shown."""
    from quiz.models import Artifact, Quiz, QuizItem
    from quiz.selectors.practice import practice_state
    from quiz.services.practice import practice_fold_all

    # A short test of clips no demo lesson needs: a test's clips leave the lessons until due.
    test = Quiz.objects.create(title="Short test", slug="short-test", created_by=teacher)
    taught = Artifact.objects.filter(category__in=["count", "morphing", "provenance"])
    others = demo_pack.items.exclude(kind="spot").exclude(clip__in=taught.values("clip_id"))
    others = others.exclude(other_clip__in=taught.values("clip_id"))
    assert others.count() >= 2
    for position, item in enumerate(others[:3], start=1):
        QuizItem.objects.create(
            quiz=test,
            position=position,
            kind=item.kind,
            clip=item.clip,
            other_clip=item.other_clip,
        )
    assignment = _assign(classroom, test, teacher, feedback="after_due")
    client = Client()
    client.force_login(student)
    _play(student, assignment, right_every=2)
    aggregation.fold_all()
    assert practice_fold_all()
    pages = {
        "home": client.get(reverse("quiz:quiz_list")).content.decode(),
        "lessons": client.get(reverse("learn:index")).content.decode(),
        "lesson": client.get(reverse("learn:lesson", args=["morphing"])).content.decode(),
    }
    for name, html in pages.items():
        assert "answers right" not in html and "answer right" not in html, name
        assert "probably between" not in html and "too few answers" not in html, name
        assert "hidden until" in html.lower(), name
    assert 'class="mastery-fill"' not in pages["home"]
    assert practice_state(student).skills == {}
    # Once the test is due, the figures are the student's again.
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=2), due_at=timezone.now() - timedelta(minutes=1)
    )
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert 'class="mastery-fill"' in home and "Hidden until" not in home
    assert "hidden until" not in client.get(reverse("learn:index")).content.decode().lower()
    assert practice_state(student).skills


def test_live_view_reads_the_aggregates_and_hides_names_for_the_projector(
    teacher_client, classroom, demo_pack, teacher, student, django_assert_max_num_queries
):
    student.first_name = "Zebedee"
    student.save()
    assignment = _assign(classroom, demo_pack, teacher)
    url = reverse("teach:assignment_live", args=[assignment.pk])
    html = teacher_client.get(url).content.decode()
    assert "0 of 1 started" in html and student.display_name in html
    _play(student, assignment)
    aggregation.fold_all()
    total = demo_pack.items.count()
    right = len(range(0, total, 2))
    html = teacher_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "1 of 1 started, 1 finished" in html
    assert f"{total}/{total}" in html and f'<td data-label="Right">{right}</td>' in html
    assert "<html" not in html  # the polled fragment only
    projected = teacher_client.get(url + "?projector=1").content.decode()
    assert student.display_name not in projected
    assert not re.search(rf"\b{student.username}\b", projected)
    assert "#1" in projected
    with django_assert_max_num_queries(12):
        teacher_client.get(url, headers={"HX-Request": "true"})


def test_report_shows_each_answer_and_item(teacher_client, classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher)
    _play(student, assignment)
    html = teacher_client.get(
        reverse("teach:assignment_report", args=[assignment.pk])
    ).content.decode()
    assert student.display_name in html and "By round" in html and "By giveaway" in html
    assert html.count("70 %") >= demo_pack.items.count()
    # The notes speak about the class's answers, not to a "you" who is not reading.
    assert "the confidence given" in html
    assert "your confidence" not in html and "your accuracy" not in html and "You lean" not in html


def test_answers_csv_matches_what_was_played(
    teacher_client, classroom, demo_pack, teacher, student
):
    student.first_name = '=HYPERLINK("http://x")'
    student.save()
    assignment = _assign(classroom, demo_pack, teacher)
    _play(student, assignment)
    response = teacher_client.get(reverse("teach:assignment_answers_csv", args=[assignment.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    answers = Answer.objects.filter(attempt__assignment=assignment).order_by("item__position")
    assert len(rows) == answers.count()
    for row, answer in zip(rows, answers, strict=True):
        assert int(row["round"]) == answer.item.position
        assert row["answer"] == answer.guess and int(row["confidence"]) == answer.confidence
        assert row["correct"] == str(int(answer.is_correct)) and int(row["points"]) == answer.points
        assert row["truth"] == answer.item.correct_option()
        assert int(row["played_round"]) == answer.position
        assert row["sides_swapped"] == (str(int(answer.swapped)) if answer.item.is_pair else "")
        assert row["student_name"].startswith("'=")  # no formula runs in a spreadsheet


def test_csv_follows_the_language_and_offers_the_other_shape(
    teacher_client, classroom, demo_pack, teacher, student
):
    """German pages download what German Excel opens (semicolons, decimal commas); the other
    shape is one link away, and `?csv=` wins over the language."""
    assignment = _assign(classroom, demo_pack, teacher)
    _play(student, assignment)
    url = reverse("teach:assignment_students_csv", args=[assignment.pk])

    def rows(response):
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        return text.lstrip("\ufeff").splitlines()

    german = rows(teacher_client.get(url, HTTP_ACCEPT_LANGUAGE="de"))
    header = german[0].split(";")
    accuracy = german[1].split(";")[header.index("accuracy")]
    assert "," in accuracy and "." not in accuracy
    standard = rows(teacher_client.get(url + "?csv=standard", HTTP_ACCEPT_LANGUAGE="de"))
    assert standard[0].split(",") == header
    assert "." in next(csv.reader(standard[1:]))[header.index("accuracy")]
    english = rows(teacher_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert english == standard
    forced = rows(teacher_client.get(url + "?csv=excel-de", HTTP_ACCEPT_LANGUAGE="en"))
    assert forced == german
    assert rows(teacher_client.get(url + "?csv=nonsense", HTTP_ACCEPT_LANGUAGE="en")) == english

    page = teacher_client.get(
        reverse("teach:assignment_report", args=[assignment.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f'href="{url}?csv=standard"' in page and f'href="{url}?csv=excel-de"' in page


def test_students_csv_has_one_row_per_student(
    teacher_client, classroom, demo_pack, teacher, student
):
    assignment = _assign(classroom, demo_pack, teacher)
    attempt = _play(student, assignment)
    response = teacher_client.get(reverse("teach:assignment_students_csv", args=[assignment.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert [r["student_username"] for r in rows] == [student.username]
    # Right on every other round of the attempt; spot rounds count apart (METRICS.md).
    kinds = [shown.item.is_spot for shown in selectors.attempt_rounds(attempt)]
    plain = [n for n, spot in enumerate(kinds) if not spot]
    spots = [n for n, spot in enumerate(kinds) if spot]
    assert int(rows[0]["answers"]) == len(plain)
    assert int(rows[0]["correct"]) == sum(1 for n in plain if n % 2 == 0)
    assert int(rows[0]["spot_answers"]) == len(spots)
    assert int(rows[0]["spot_hits"]) == sum(1 for n in spots if n % 2 == 0)
    assert rows[0]["finished_attempts"] == "1"


def test_teacher_pages_check_who_may_see_them(
    classroom, demo_pack, teacher, student, school, educator
):
    assignment = _assign(classroom, demo_pack, teacher)
    stranger = User.objects.create_user("t3", password="x", role="teacher", school=school)
    urls = [
        reverse(name, args=[assignment.pk])
        for name in (
            "teach:assignment_live",
            "teach:assignment_live_table",
            "teach:assignment_report",
            "teach:assignment_answers_csv",
            "teach:assignment_students_csv",
        )
    ]
    for user, status in ((stranger, 404), (student, 403), (educator, 403)):
        client = Client()
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == status, (user.username, url)
    client = Client()
    client.force_login(teacher)
    for url in urls:
        assert client.post(url).status_code == 405
    assert client.get(reverse("teach:assignment_create", args=["no-such-quiz"])).status_code == 404


def test_student_home_shows_progress_from_the_aggregates(classroom, demo_pack, teacher, student):
    assignment = _assign(classroom, demo_pack, teacher)
    _play(student, assignment)
    aggregation.fold_all()
    client = Client()
    client.force_login(student)
    html = client.get(reverse("quiz:quiz_list")).content.decode()
    total = demo_pack.items.filter(kind__in=["single", "pair"]).count()
    spots = demo_pack.items.filter(kind="spot").count()
    assert f"over {total} answers" in html and "done" in html
    assert f" of {spots} times." in html


def test_assigning_and_listing_need_a_teacher(classroom, demo_pack, student, educator):
    for user in (student, educator):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("teach:assignment_list")).status_code == 403
        assert (
            client.get(reverse("teach:assignment_create", args=[demo_pack.slug])).status_code == 403
        )
        response = client.post(
            reverse("teach:assignment_create", args=[demo_pack.slug]),
            assignment_form(classroom.pk),
        )
        assert response.status_code == 403
    assert not Assignment.objects.exists()
    anonymous = Client().get(reverse("teach:assignment_list"))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_another_teachers_private_quiz_cannot_be_assigned(teacher_client, classroom, school):
    from quiz.models import Quiz

    stranger = User.objects.create_user("t4", password="x", role="teacher", school=school)
    private = Quiz.objects.create(title="Theirs", slug="theirs", created_by=stranger)
    assert (
        teacher_client.get(reverse("teach:assignment_create", args=[private.slug])).status_code
        == 404
    )


# --- Order and sides: shuffled for each attempt, unless the assignment keeps them ----------


def _seeded_pair(quiz) -> tuple[int, int]:
    """Two seeds that show some pair of the quiz on opposite sides, and a round order that
    differs (found over the quiz's rounds, so nothing is left to luck)."""
    rounds = selectors.quiz_rounds(quiz.pk)
    first = shuffle.draw(1, rounds)
    for seed in range(2, 200):
        other = shuffle.draw(seed, rounds)
        if other.order != first.order and first.swapped ^ other.swapped:
            return 1, seed
    raise AssertionError("no two seeds differ")


def test_the_assign_form_offers_to_keep_the_quizs_order(teacher_client, classroom, demo_pack):
    url = reverse("teach:assignment_create", args=[demo_pack.slug])
    page = teacher_client.get(url).content.decode()
    assert "Keep the quiz&#x27;s order for everyone" in page
    assert 'name="keep_order"' in page and "checked" not in page.split('name="keep_order"')[1][:40]
    data = assignment_form(classroom.pk)
    teacher_client.post(url, data)
    teacher_client.post(url, {**data, "keep_order": "on"})
    assert list(Assignment.objects.order_by("pk").values_list("keep_order", flat=True)) == [
        False,
        True,
    ]


def test_a_fixed_order_assignment_plays_the_quiz_as_built_for_everyone(
    classroom, demo_pack, teacher, student, other_student
):
    Enrollment.objects.create(classroom=classroom, student=other_student)
    assignment = _assign(classroom, demo_pack, teacher, keep_order=True)
    items = list(demo_pack.items.select_related("clip", "other_clip").order_by("position"))
    for person in (student, other_student):
        client = Client()
        client.force_login(person)
        client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
        attempt = Attempt.objects.get(assignment=assignment, user=person)
        assert attempt.seed is None
        for n, item in enumerate(items):
            html = client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
            assert f"Round {n + 1} of {len(items)}" in html
            assert _url("quiz:answer_submit", attempt, item) in html
            if item.is_pair:  # the quiz's sides: its clip A on the left
                shown = selectors.attempt_round(attempt, item)
                assert not shown.swapped and shown.media_a.clip == item.clip
                assert html.index(shown.media_a.media) < html.index(shown.media_b.media)
            client.post(
                _url("quiz:answer_submit", attempt, item),
                {**spot_answers.post_data(item, item.correct_option()), "confidence": 80},
            )
        answers = Answer.objects.filter(attempt=attempt).order_by("position")
        assert [a.item_id for a in answers] == [i.pk for i in items]
        assert all(a.is_correct and not a.swapped for a in answers)


def test_other_assignments_shuffle_each_students_attempt(
    classroom, demo_pack, teacher, student, other_student, monkeypatch
):
    Enrollment.objects.create(classroom=classroom, student=other_student)
    seeds = iter(_seeded_pair(demo_pack))
    monkeypatch.setattr(shuffle, "new_seed", lambda: next(seeds))
    assignment = _assign(classroom, demo_pack, teacher)
    first, second = (_play(person, assignment) for person in (student, other_student))
    assert first.seed is not None and second.seed is not None
    assert first.round_order != second.round_order
    assert first.swapped_pairs != second.swapped_pairs


def test_the_report_and_the_csv_name_pairs_as_in_the_quiz(
    teacher_client, classroom, demo_pack, teacher, student, other_student, monkeypatch
):
    """Two students saw some pair on opposite sides and both chose the generated clip: the
    export says the same `answer` for both (the quiz's sides), and `sides_swapped` tells
    how each saw it."""
    Enrollment.objects.create(classroom=classroom, student=other_student)
    seeds = iter(_seeded_pair(demo_pack))
    monkeypatch.setattr(shuffle, "new_seed", lambda: next(seeds))
    assignment = _assign(classroom, demo_pack, teacher)
    for person in (student, other_student):
        _play(person, assignment, right_every=1)  # every answer right
    body = teacher_client.get(reverse("teach:assignment_answers_csv", args=[assignment.pk]))
    rows = list(csv.DictReader(io.StringIO(body.content.decode().lstrip("\ufeff"))))
    pairs = [r for r in rows if r["item_kind"] == "pair"]
    assert pairs and all(r["answer"] == r["truth"] and r["correct"] == "1" for r in pairs)
    by_round: dict[str, set[str]] = {}
    for r in pairs:
        by_round.setdefault(r["round"], set()).add(r["sides_swapped"])
    assert {"0", "1"} in by_round.values()  # some pair was seen both ways
    assert {r["sides_swapped"] for r in rows if r["item_kind"] == "single"} == {""}
    for r in rows:  # the order each student played
        answer = Answer.objects.get(attempt_id=r["attempt_id"], item__position=r["round"])
        assert int(r["played_round"]) == answer.position
    report = teacher_client.get(
        reverse("teach:assignment_report", args=[assignment.pk])
    ).content.decode()
    assert "named as in the quiz" in report
    # the by-round table counts both students' choice for the same clip
    assert report.count("Clip A: 2 ✓") + report.count("Clip B: 2 ✓") == len(pairs) // 2
