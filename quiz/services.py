"""Writes: every change to quiz data goes through one of these functions."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from quiz.models import Answer, Attempt, Quiz, QuizItem
from quiz.scoring import points_for

log = logging.getLogger(__name__)


class AnswerRejected(Exception):
    """The submitted answer cannot be taken; the message is safe to show the learner."""


@dataclass(frozen=True)
class SubmitResult:
    answer: Answer
    created: bool


def queue_stats_fold() -> None:
    """Ask a worker to fold new answers, without ever holding up play.

    If the broker is down the answer is already stored; the beat's safety net (or the next
    answer) folds it once Redis is back, so a failure here is logged, not raised.
    """
    from quiz.tasks import stats_fold

    try:
        stats_fold.apply_async(retry=False)
    except Exception:
        log.warning("could not queue stats_fold; the periodic fold will catch up", exc_info=True)


def attempt_start(*, user: User, quiz: Quiz) -> Attempt:
    """The learner's open attempt at the quiz, created if there is none (resumes otherwise)."""
    existing = Attempt.objects.for_user(user).unfinished().filter(quiz=quiz).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Attempt.objects.create(user=user, quiz=quiz)
    except IntegrityError:
        # Two tabs started at once: the database let one through; resume that one.
        return Attempt.objects.for_user(user).unfinished().get(quiz=quiz)


def answer_submit(*, attempt: Attempt, item: QuizItem, guess: str, confidence: int) -> SubmitResult:
    """Grade and store one answer; a repeated or concurrent submit returns the stored one.

    Raises AnswerRejected for answers that cannot be taken (wrong option, finished attempt).
    """
    if item.quiz_id != attempt.quiz_id:
        raise AnswerRejected(_("This question is not part of your quiz."))
    existing = Answer.objects.filter(attempt=attempt, item=item).first()
    if existing is not None:
        return SubmitResult(existing, created=False)
    if attempt.is_finished:
        raise AnswerRejected(_("This attempt is already finished."))
    if guess not in item.options():
        raise AnswerRejected(_("Choose one of the answers offered."))
    if not 50 <= confidence <= 100:
        raise AnswerRejected(_("Confidence must be between 50 and 100 percent."))
    is_correct = guess == item.correct_option()
    try:
        with transaction.atomic():
            # Answers of one attempt are taken one at a time, so the last of two concurrent
            # answers sees the other and finishes the attempt.
            Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
            answer = Answer.objects.create(
                attempt=attempt,
                item=item,
                guess=guess,
                confidence=confidence,
                is_correct=is_correct,
                points=points_for(confidence, is_correct),
            )
            remaining = attempt.quiz.items.exclude(answers__attempt=attempt).exists()
            if not remaining:
                Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
                    finished_at=timezone.now()
                )
            transaction.on_commit(queue_stats_fold)
    except IntegrityError:
        # A concurrent submit of the same round won; the database kept exactly one answer.
        return SubmitResult(Answer.objects.get(attempt=attempt, item=item), created=False)
    attempt.refresh_from_db(fields=["finished_at"])
    return SubmitResult(answer, created=True)
