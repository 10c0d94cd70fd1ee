"""Lessons (writes): creating a lesson's immediate check, a Quiz of mode LESSON, and starting
it through the normal play loop, so its answers are ordinary answers (reports, aggregates).

A check is kept and reused (quiz.models.LessonCheck): students of one school share theirs, a
teacher assigns their own. A check whose clips left the pool (retired, kept for tests) is
replaced by a new one from a fresh plan; the old one keeps its answers.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from quiz import lessons
from quiz.models import Attempt, Clip, LessonCheck, Quiz
from quiz.selectors import learn as selectors
from quiz.services import play
from quiz.services.builder import quiz_set_items


class LessonUnavailable(Exception):
    """The pool has too few annotated clips for this lesson; the message is safe to show."""


def lesson_check_current(*, user: User, code: str, owner: User | None = None) -> Quiz:
    """The lesson's current check for the user's pool, created if there is none that still
    fits (owned by `owner`, a teacher assigning it, or by nobody for free learning).

    Safe to call again: an existing check is returned as is. Two first calls at the same
    moment may each create one; both are valid checks of the pool, and the newest is used
    from then on.
    """
    lesson = lessons.LESSONS[code]
    plan = selectors.lesson_plan(user, code, owner=owner)
    if not plan.available:
        raise LessonUnavailable(
            _("The library has too few annotated clips for the lesson “%(name)s” yet.")
            % {"name": lesson.category.name}
        )
    if plan.check_quiz_id is not None:
        return Quiz.objects.get(pk=plan.check_quiz_id)
    with transaction.atomic():
        quiz = _quiz_create(lesson, owner)
        quiz_set_items(quiz=quiz, rounds=plan.rounds, available=Clip.objects.for_learning(user))
        LessonCheck.objects.create(quiz=quiz, category=code, school_id=user.school_id)
    return quiz


def _quiz_create(lesson: lessons.Lesson, owner: User | None) -> Quiz:
    for _attempt in range(5):
        # Random like the builder's slugs: private quizzes' slugs are hard to guess.
        slug = f"lesson-{lesson.code}-{secrets.token_hex(4)}"
        try:
            with transaction.atomic():
                return Quiz.objects.create(
                    title=lesson.check_title,
                    slug=slug,
                    mode=Quiz.Mode.LESSON,
                    is_public=False,
                    created_by=owner,
                )
        except IntegrityError:
            if not Quiz.objects.filter(slug=slug).exists():
                raise
    raise RuntimeError("could not find a free slug for the lesson check")


def lesson_check_start(*, user: User, code: str) -> Attempt:
    """Start (or resume) the learner's attempt at the lesson's check, as free practice."""
    quiz = lesson_check_current(user=user, code=code)
    return play.attempt_start(user=user, quiz=quiz)


def lesson_check_for_teacher(*, teacher: User, code: str) -> Quiz:
    """The teacher's own check of the lesson, to assign through the assignment form (which
    assigns quizzes the teacher owns or that are public)."""
    return lesson_check_current(user=teacher, code=code, owner=teacher)
