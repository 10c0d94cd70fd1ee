"""Simulated classes for the demo school, so that the demo educator's insight pages (and the
demo teacher's class statistics) have something to show.

The students are simulated and named so; they cannot sign in. They play the demo quiz as a
unit's pre-test and, a fortnight later, its post-test, through quiz.services like real
students, with abilities that differ between students and classes, a little learning
within each sitting and more between the two tests, and confidence that runs ahead of
accuracy, as it does in real classes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Classroom, Enrollment, School, User
from accounts.services import DEMO_SCHOOL
from quiz.models import Answer, Assignment, Attempt, Quiz, QuizItem
from quiz.packs.demo import DEMO_QUIZ_SLUG
from quiz.selectors import play as play_selectors
from quiz.services import play as play_services
from quiz.services import teach as teach_services

UNIT = "Spotting generated video"
DEMO_TEACHER = "teacher"


@dataclass(frozen=True)
class SimulatedClass:
    name: str
    grade: str
    students: int
    skill: float  # the class's mean ability, on the logit scale
    username_prefix: str


CLASSES = (
    SimulatedClass("Simulated class 7A", "7", 9, -0.3, "sim-7a-"),
    SimulatedClass("Simulated class 7B", "7", 8, 0.1, "sim-7b-"),
    SimulatedClass("Simulated class 9C", "9", 10, 0.5, "sim-9c-"),
)
PRE_TEST_DAYS_AGO = 21
POST_TEST_DAYS_AGO = 7


class DemoCohortError(Exception):
    """The demo cohort cannot be built yet; the message says what to run first."""


@dataclass(frozen=True)
class CohortReport:
    classes_created: int
    answers: int


def _logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _confidence(rng: random.Random, ability: float) -> int:
    """Stated confidence in steps of 5: higher for abler students, and on average above
    their accuracy (overconfidence)."""
    raw = 72 + 8 * ability + rng.gauss(0, 10)
    return int(min(100, max(50, round(raw / 5) * 5)))


def _play(
    rng: random.Random,
    *,
    student: User,
    assignment: Assignment,
    items: list[QuizItem],
    ability: float,
    difficulty: dict[int, float],
    at: datetime,
) -> int:
    """One attempt through quiz.services, then dated back to `at` (before it is folded)."""
    attempt = play_services.attempt_start(user=student, quiz=assignment.quiz, assignment=assignment)
    # In the attempt's own order, answering on the sides it shows, as a student would.
    for position, shown in enumerate(play_selectors.attempt_rounds(attempt)):
        item = shown.item
        # A little better with every round, thanks to the feedback after each answer.
        p_right = _logistic(ability - difficulty[item.pk] + 0.04 * position)
        right = rng.random() < p_right
        if item.is_spot:
            # "Where is the giveaway?": a mark on it, or far from it.
            play_services.answer_submit(
                attempt=attempt,
                item=item,
                guess="spot",
                confidence=_confidence(rng, ability),
                mark=play_services.spot_example_mark(item, hit=right),
            )
            continue
        correct = shown.correct_option()
        guess = correct if right else next(o for o in item.options() if o != correct)
        play_services.answer_submit(
            attempt=attempt, item=item, guess=guess, confidence=_confidence(rng, ability)
        )
    zone = assignment.classroom.school.zone
    Answer.objects.filter(attempt=attempt).update(
        created_at=at, day=timezone.localtime(at, zone).date()
    )
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=at, finished_at=at + timedelta(minutes=12)
    )
    return len(items)


def demo_cohort_build(*, seed: int = 2026) -> CohortReport:
    """Create the simulated classes that are missing, with their pre- and post-test played;
    running it again changes nothing. All or nothing: one transaction."""
    school = School.objects.filter(name=DEMO_SCHOOL).first()
    quiz = Quiz.objects.filter(slug=DEMO_QUIZ_SLUG).first()
    teacher = User.objects.filter(username=DEMO_TEACHER, role=User.Role.TEACHER).first()
    if school is None or quiz is None or teacher is None:
        raise DemoCohortError(
            "Build the demo pack and the demo accounts first "
            "(manage.py build_demo_pack; manage.py demo_accounts)."
        )
    items = list(quiz.items.select_related("clip", "other_clip").order_by("position"))
    item_rng = random.Random(seed)
    difficulty = {item.pk: item_rng.gauss(-0.2, 0.8) for item in items}
    unusable = make_password(None)  # simulated students cannot sign in
    now = timezone.now()
    created = 0
    answers = 0
    with transaction.atomic():
        for number, spec in enumerate(CLASSES):
            if Classroom.objects.filter(school=school, name=spec.name).exists():
                continue
            rng = random.Random(f"{seed}:{spec.name}")
            classroom = Classroom.objects.create(
                school=school, name=spec.name, grade=spec.grade, join_enabled=False
            )
            classroom.teachers.add(teacher)
            students = []
            for n in range(1, spec.students + 1):
                username = f"{spec.username_prefix}{n:02d}"
                student, _new = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": "Simulated",
                        "last_name": f"student {spec.name[-2:]}-{n:02d}",
                        "role": User.Role.STUDENT,
                        "school": school,
                        "password": unusable,
                    },
                )
                Enrollment.objects.get_or_create(classroom=classroom, student=student)
                students.append(student)
            pre, post = (
                teach_services.assignment_create(
                    teacher=teacher,
                    quiz=quiz,
                    classrooms=[classroom],
                    opens_at=now - timedelta(hours=1),
                    due_at=now + timedelta(hours=1),
                    attempts_allowed=1,
                    feedback=Assignment.Feedback.EACH_ANSWER,
                    unit_role=role,
                    unit=UNIT,
                )[0]
                for role in ("pre", "post")
            )
            for index, student in enumerate(students):
                ability = spec.skill + rng.gauss(0, 0.7)
                # Students sit each test on one of three days, in the afternoon.
                pre_at = now - timedelta(
                    days=PRE_TEST_DAYS_AGO + number + index % 3, hours=rng.randint(0, 3)
                )
                answers += _play(
                    rng,
                    student=student,
                    assignment=pre,
                    items=items,
                    ability=ability,
                    difficulty=difficulty,
                    at=pre_at,
                )
                post_at = now - timedelta(
                    days=POST_TEST_DAYS_AGO + number + index % 3, hours=rng.randint(0, 3)
                )
                answers += _play(
                    rng,
                    student=student,
                    assignment=post,
                    items=items,
                    ability=ability + 0.6 + rng.gauss(0, 0.3),  # what the unit taught
                    difficulty=difficulty,
                    at=post_at,
                )
            # Close the tests as they were: each open for a few days around its sitting.
            for assignment, days_ago in ((pre, PRE_TEST_DAYS_AGO), (post, POST_TEST_DAYS_AGO)):
                Assignment.objects.filter(pk=assignment.pk).update(
                    opens_at=now - timedelta(days=days_ago + number + 3),
                    due_at=now - timedelta(days=days_ago + number - 1),
                )
            created += 1
    return CohortReport(classes_created=created, answers=answers)
