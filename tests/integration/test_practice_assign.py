"""Assigned adaptive practice (issue 14 §3: "assignable by teachers"): a teacher assigns
"practise N rounds by <due>" to a class, each student plays a set chosen for them as an
attempt of the assignment, its answers reach the assignment's figures exactly once, and the
teacher's report and live view show per student how many of the N rounds are done and how
many were right. Who may do what: another teacher's assignment is a 404, a student in another
class cannot start it, students cannot assign."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quiz.models import (
    Answer,
    Assignment,
    Attempt,
    BoosterPlan,
    PracticeGoal,
    PracticeSet,
    Quiz,
    StatCell,
)
from quiz.selectors import play as play_selectors
from quiz.selectors import practice as practice_selectors
from quiz.services import practice as services
from quiz.stats import aggregation
from tests import people
from tests.spot_answers import form_data, hit_mark, miss_mark
from tests.stats_reference import reference, stored_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return people.lakeside()


@pytest.fixture
def teacher(school):
    return people.school_teacher(school)


@pytest.fixture
def other_teacher(school):
    return people.school_teacher(school, "t2")


@pytest.fixture
def classroom(teacher, student, other_student):
    return people.class_of(teacher, student, other_student)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _when(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def _assign_data(classroom, **extra: str) -> dict[str, str]:
    return {
        "classrooms": str(classroom.pk),
        "rounds": "4",
        "focus": "",
        "opens_at": _when(-timedelta(hours=1)),
        "due_at": _when(timedelta(days=3)),
        **extra,
    }


def _assign(teacher: User, classroom, **extra: str) -> Assignment:
    response = _client(teacher).post(reverse("practice:assign"), _assign_data(classroom, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Assignment.objects.filter(classroom=classroom).latest("pk")


def _start(client: Client, assignment: Assignment) -> Attempt:
    response = client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    assert response.status_code == 302
    assert response.url.startswith("/attempts/"), response.url
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _play_round(client: Client, attempt: Attempt, *, right: bool = True) -> bool | None:
    """Open the play page (which grows the set) and answer its round, right or (where the
    round can be missed) wrong; whether it was right, None at the end."""
    response = client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    if response.status_code == 302:
        return None
    assert response.status_code == 200
    attempt.refresh_from_db()
    shown = play_selectors.attempt_next_round(attempt)
    assert shown is not None
    item = play_selectors.with_clips_and_artifacts(shown.item)[0]
    if item.is_spot:
        try:
            mark = hit_mark(item) if right else miss_mark(item)
        except ValueError:  # a giveaway so large that no mark misses it
            mark, right = hit_mark(item), True
        data = {"confidence": "80", **form_data(mark)}
    else:
        correct = shown.correct_option()
        wrong = next(o for o in item.options() if o != correct)
        data = {"confidence": "80", "guess": correct if right else wrong}
    response = client.post(reverse("quiz:answer_submit", args=[attempt.pk, shown.key]), data)
    assert response.status_code == 302, response.content[:500]
    return right


def _play_all(client: Client, attempt: Attempt, *, wrong_first: int = 0) -> tuple[int, int]:
    """Play to the end, the first `wrong_first` rounds wrong: (rounds played, right)."""
    played = right = 0
    while (was_right := _play_round(client, attempt, right=played >= wrong_first)) is not None:
        played += 1
        right += int(was_right)
    return played, right


def test_a_teacher_assigns_practice_and_a_student_plays_a_set_of_their_own(
    teacher, classroom, student, demo_pack
):
    page = _client(teacher).get(reverse("practice:assign"))
    assert page.status_code == 200
    assert 'name="rounds"' in page.content.decode() and 'value="10"' in page.content.decode()
    assignment = _assign(teacher, classroom)
    assert assignment.quiz.mode == Quiz.Mode.PRACTICE
    assert not assignment.quiz.items.exists()
    goal = PracticeGoal.objects.get(quiz=assignment.quiz)
    assert (goal.rounds, goal.focus) == (4, "")
    assert assignment.attempts_allowed == 1 and assignment.feedback == "each"

    client = _client(student)
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "Adaptive practice" in home and "Practise 4 rounds, picked for you" in home
    attempt = _start(client, assignment)
    assert attempt.assignment_id == assignment.pk
    practice = PracticeSet.objects.get(quiz=attempt.quiz)
    assert practice.user == student and practice.rounds == 4
    assert attempt.quiz != assignment.quiz and not attempt.quiz.is_public
    # Half-way, the home offers to resume it, and starting again resumes the same attempt.
    _play_round(client, attempt)
    home = client.get(reverse("quiz:quiz_list")).content.decode()
    assert "in progress" in home and "Resume" in home
    assert _start(client, assignment) == attempt
    assert _play_all(client, attempt) == (3, 3)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert Answer.objects.filter(assignment=assignment, user=student).count() == 4
    # Done: no second go (one attempt), and the home says so.
    response = client.post(reverse("quiz:assignment_start", args=[assignment.pk]))
    assert response.status_code == 302 and response.url == reverse("quiz:quiz_list")
    assert Attempt.objects.filter(assignment=assignment, user=student).count() == 1


def test_assigned_answers_reach_the_assignment_cells_exactly_once(
    teacher, classroom, student, other_student, demo_pack
):
    assignment = _assign(teacher, classroom)
    attempt = _start(_client(student), assignment)
    _played, right = _play_all(_client(student), attempt, wrong_first=1)
    aggregation.fold_all()
    aggregation.fold_all()  # nothing left to fold: the same counts
    cell = StatCell.objects.get(
        scope="assignment", scope_id=assignment.pk, dimension="overall", key=""
    )
    assert cell.n + cell.spot_n == 4
    assert cell.correct + cell.spot_hits == right
    mine = StatCell.objects.get(
        scope="assignment", scope_id=assignment.pk, dimension="student", key=str(student.pk)
    )
    assert mine.n + mine.spot_n == 4
    # The class's cells hold them too (the class page and the educators' figures).
    class_cell = StatCell.objects.get(
        scope="class", scope_id=classroom.pk, dimension="overall", key=""
    )
    assert class_cell.n + class_cell.spot_n == 4
    # Every cell equals a count from the answers table, and a rebuild changes nothing.
    expected, _students = reference()
    assert stored_cells() == expected
    aggregation.rebuild()
    assert stored_cells() == expected


def test_finishing_assigned_practice_starts_boosters_and_a_students_own_set_none(
    teacher, classroom, student, other_student, demo_pack
):
    # A student's own set, finished: boosters follow lessons and assignments, not this.
    own = services.practice_start(user=other_student)
    _play_all(_client(other_student), own)
    assignment = _assign(teacher, classroom)
    attempt = _start(_client(student), assignment)
    _play_all(_client(student), attempt)
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert not BoosterPlan.objects.exists()  # they start when the fold sees the last answer
    aggregation.fold_all()
    services.practice_fold_all()
    shown = {
        code
        for mask in attempt.answers.values_list("categories", flat=True)
        for code in services._tells(mask)
    }
    plans = list(BoosterPlan.objects.filter(user=student))
    assert len(plans) in range(1, services.ASSIGNMENT_BOOSTER_CATEGORIES + 1)
    assert {plan.category for plan in plans} <= shown
    for plan in plans:
        assert plan.source == "assignment" and plan.step == 0
        assert plan.due_at == attempt.finished_at + timedelta(days=2)
    assert not BoosterPlan.objects.filter(user=other_student).exists()


def test_the_report_and_live_view_show_rounds_done_and_accuracy_per_student(
    teacher, classroom, student, other_student, demo_pack
):
    assignment = _assign(teacher, classroom)
    attempt = _start(_client(student), assignment)
    _played, right = _play_all(_client(student), attempt, wrong_first=2)
    assert right < 4
    other = _start(_client(other_student), assignment)
    _play_round(_client(other_student), other)
    rows = {r.student.pk: r for r in practice_selectors.assignment_practice(assignment)}
    mine = rows[student.pk]
    assert (mine.done, mine.right, mine.finished) == (4, right, True)
    assert mine.accuracy == right / 4
    assert rows[other_student.pk].done == 1 and not rows[other_student.pk].finished
    teacher_client = _client(teacher)
    report = teacher_client.get(reverse("teach:assignment_report", args=[assignment.pk]))
    assert report.status_code == 200
    body = report.content.decode()
    assert "Practice: rounds done per student" in body
    assert "4 of 4" in body and f"{right * 25} %" in body and "1 of 4" in body
    assert 'id="by-item"' not in body  # each student's rounds are their own
    aggregation.fold_all()
    live = teacher_client.get(reverse("teach:assignment_live", args=[assignment.pk]))
    assert live.status_code == 200
    assert "4/4" in live.content.decode() and "1/4" in live.content.decode()
    csv = teacher_client.get(reverse("teach:assignment_students_csv", args=[assignment.pk]))
    assert csv.status_code == 200
    answers = teacher_client.get(reverse("teach:assignment_answers_csv", args=[assignment.pk]))
    assert answers.content.decode().count("\n") == 1 + 4 + 1  # a header and both students' answers


def test_a_focus_makes_each_set_practise_that_category(teacher, classroom, student, demo_pack):
    assignment = _assign(teacher, classroom, focus="physics")
    assert assignment.quiz.practice_goal.focus == "physics"
    attempt = _start(_client(student), assignment)
    assert attempt.quiz.practice_set.focus == "physics"
    home = _client(student).get(reverse("quiz:quiz_list")).content.decode()
    assert "Practise 4 rounds: Physics and solidity" in home


def test_free_practice_never_resumes_an_assigned_set(teacher, classroom, student, demo_pack):
    assignment = _assign(teacher, classroom)
    client = _client(student)
    assigned = _start(client, assignment)
    response = client.post(reverse("practice:start"))
    free = Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert free != assigned and free.assignment_id is None
    assert services.practice_start(user=student) == free


def test_another_teachers_assignment_is_a_404(
    teacher, other_teacher, classroom, student, demo_pack
):
    assignment = _assign(teacher, classroom)
    _start(_client(student), assignment)
    stranger = _client(other_teacher)
    for name in (
        "teach:assignment_report",
        "teach:assignment_live",
        "teach:assignment_students_csv",
        "teach:assignment_answers_csv",
    ):
        assert stranger.get(reverse(name, args=[assignment.pk])).status_code == 404, name
    # The assignment's quiz is assigned on the practice page only, never the quiz form.
    slug = assignment.quiz.slug
    assert _client(teacher).get(reverse("teach:assignment_create", args=[slug])).status_code == 404


def test_another_teachers_class_cannot_be_chosen(teacher, other_teacher, classroom, demo_pack):
    response = _client(other_teacher).post(reverse("practice:assign"), _assign_data(classroom))
    assert response.status_code == 422
    assert not Assignment.objects.filter(classroom=classroom).exists()


@pytest.mark.parametrize(
    "change",
    [{"rounds": "0"}, {"rounds": "31"}, {"rounds": "x"}, {"focus": "nonsense"}, {"focus": "noise"}],
)
def test_bad_choices_are_explained_not_stored(teacher, classroom, demo_pack, change):
    response = _client(teacher).post(reverse("practice:assign"), _assign_data(classroom, **change))
    assert response.status_code == 422
    assert not Assignment.objects.exists() and not PracticeGoal.objects.exists()


def test_students_cannot_assign_and_strangers_must_sign_in(student, classroom):
    assert _client(student).get(reverse("practice:assign")).status_code == 403
    assert _client(student).post(reverse("practice:assign"), {}).status_code == 403
    response = Client().get(reverse("practice:assign"))
    assert response.status_code == 302 and "login" in response.url


def test_a_student_of_another_class_cannot_start_it(teacher, classroom, demo_pack):
    assignment = _assign(teacher, classroom)
    outsider = User.objects.create_user("out", password="x", role="student")
    response = _client(outsider).post(reverse("quiz:assignment_start", args=[assignment.pk]))
    assert response.status_code == 404
    assert not Attempt.objects.filter(assignment=assignment).exists()


def test_a_student_sees_only_their_own_set(teacher, classroom, student, other_student, demo_pack):
    assignment = _assign(teacher, classroom)
    attempt = _start(_client(student), assignment)
    other = _client(other_student)
    assert other.get(reverse("quiz:attempt_play", args=[attempt.pk])).status_code == 404
    assert other.get(reverse("teach:assignment_report", args=[assignment.pk])).status_code == 403
    mine = _start(other, assignment)
    assert mine != attempt and mine.quiz != attempt.quiz


def test_a_closed_assignment_cannot_be_started(teacher, classroom, student, demo_pack):
    assignment = _assign(teacher, classroom)
    Assignment.objects.filter(pk=assignment.pk).update(
        opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(days=1)
    )
    response = _client(student).post(reverse("quiz:assignment_start", args=[assignment.pk]))
    assert response.status_code == 302 and response.url == reverse("quiz:quiz_list")
    assert not Attempt.objects.filter(assignment=assignment).exists()
    assert not PracticeSet.objects.filter(user=student).exists()


def test_assigning_needs_a_post_to_change_anything(teacher, classroom):
    response = _client(teacher).put(reverse("practice:assign"))
    assert response.status_code == 405


def test_the_educators_quiz_filter_tells_two_assigned_practices_apart(teacher, classroom, school):
    from quiz.forms.insights import OverviewFilterForm

    first = _assign(teacher, classroom, opens_at=_when(-timedelta(days=3)))
    second = _assign(teacher, classroom)
    choices = dict(OverviewFilterForm(school=school).fields["quiz"].choices)
    labels = [choices[str(first.quiz_id)], choices[str(second.quiz_id)]]
    assert all(label.startswith("Adaptive practice, first set ") for label in labels), labels
    assert labels[0] != labels[1]
