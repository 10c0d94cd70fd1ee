"""Playing: starting attempts and storing graded answers (one per attempt and round), then
queuing the fold that adds them to the statistics."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from quiz import categories, shuffle
from quiz.background import enqueue
from quiz.models import Answer, Artifact, Assignment, Attempt, Quiz, QuizItem, StatPending
from quiz.scoring import points_for
from quiz.selectors.play import attempt_layout, quiz_rounds

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
    answer) folds it once Redis is back, so a failure is only logged (by enqueue).
    """
    enqueue("quiz.tasks.stats_fold")


def answer_facts(attempt: Attempt, item: QuizItem, *, now: datetime) -> dict[str, Any]:
    """What the statistics group an answer by, as it stands when the answer is stored.

    Frozen on the answer so that relabelling a clip, editing its artifacts or moving a
    student later changes no past statistic, and a rebuild always equals the folds. The
    position is the round's place in this attempt (for learning curves), so call this inside
    the transaction that holds the attempt's lock.

    A pair's clips are named in the quiz's terms (`clip_id` is the item's clip A, whichever
    side the attempt showed it on): no statistic groups by the side shown (METRICS.md defines
    none; pairs count towards accuracy and the 2AFC figures whatever the placement), and the
    side itself is kept on the answer (Answer.swapped) for any that comes later.
    """
    assignment = attempt.assignment
    classroom = assignment.classroom if assignment is not None else None
    school = classroom.school if classroom is not None else attempt.user.school
    zone = school.zone if school is not None else timezone.get_default_timezone()
    clips = [item.clip] if item.other_clip is None else [item.clip, item.other_clip]
    codes = Artifact.objects.filter(clip__in=clips).values_list("category", flat=True)
    return {
        "user_id": attempt.user_id,
        "assignment": assignment,
        "classroom": classroom,
        "school": school,
        "clip_id": item.clip_id,
        "other_clip_id": item.other_clip_id,
        "item_kind": item.kind,
        "media_kind": item.clip.media_kind,
        "generator": item.generated_clip().generator,
        "categories": categories.mask(code for code in codes if code in categories.BITS),
        "day": timezone.localtime(now, zone).date(),
        "position": attempt.answers.count() + 1,
    }


class AttemptRefused(Exception):
    """The learner may not start this attempt; the message says why."""


def attempt_start(*, user: User, quiz: Quiz, assignment: Assignment | None = None) -> Attempt:
    """The learner's open attempt, created if there is none (resumes otherwise).

    Free practice when `assignment` is None; otherwise the assignment's rules apply: the
    student must be in its class, it must be open, and attempts must be left.

    A new attempt draws its own order of rounds and sides of pairs from a fresh seed and
    stores them (quiz.shuffle), so a resume plays on in the same order; an assignment that
    keeps the quiz's order gives every attempt the quiz's order and sides instead.
    """
    if assignment is not None:
        quiz = assignment.quiz
    open_attempts = (
        Attempt.objects.for_user(user).unfinished().filter(quiz=quiz, assignment=assignment)
    )
    existing = open_attempts.first()
    if existing is not None:
        return existing
    if assignment is not None:
        _check_may_start(user, assignment)
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                user=user, quiz=quiz, assignment=assignment, **_layout_fields(quiz, assignment)
            )
    except IntegrityError:
        # Two tabs started at once: the database let one through; resume that one.
        return open_attempts.get()


def _layout_fields(quiz: Quiz, assignment: Assignment | None) -> dict[str, Any]:
    """The new attempt's seed and the layout drawn from it; none to keep the quiz's order."""
    if assignment is not None and assignment.keep_order:
        return {}
    seed = shuffle.new_seed()
    layout = shuffle.draw(seed, quiz_rounds(quiz.pk))
    return {
        "seed": seed,
        "round_order": list(layout.order),
        "swapped_pairs": sorted(layout.swapped),
    }


def _check_may_start(user: User, assignment: Assignment) -> None:
    now = timezone.now()
    if not assignment.classroom.students.filter(pk=user.pk).exists():
        raise AttemptRefused(_("This assignment is for another class."))
    if now < assignment.opens_at:
        raise AttemptRefused(_("This assignment has not opened yet."))
    if now >= assignment.due_at:
        raise AttemptRefused(_("This assignment is closed: its due time has passed."))
    used = Attempt.objects.filter(user=user, assignment=assignment).count()
    if used >= assignment.attempts_allowed:
        raise AttemptRefused(_("You have used every attempt this assignment allows."))


def answer_submit(*, attempt: Attempt, item: QuizItem, guess: str, confidence: int) -> SubmitResult:
    """Grade and store one answer; a repeated or concurrent submit returns the stored one.

    `guess` is what the learner chose on the page. For a pair, "a" is the clip this attempt
    shows on the left (quiz.selectors.play.attempt_round tells which); it is graded on those
    sides, and stored in the quiz's own terms ("a" = the item's `clip`) with the placement
    (Answer.guess, Answer.swapped), so every count and export means the same clip for
    everyone.

    Raises AnswerRejected for answers that cannot be taken (wrong option, finished attempt).
    """
    if item.quiz_id != attempt.quiz_id:
        raise AnswerRejected(_("This question is not part of your quiz."))
    existing = Answer.objects.filter(attempt=attempt, item=item).first()
    if existing is not None:
        return SubmitResult(existing, created=False)
    if attempt.is_finished:
        raise AnswerRejected(_("This attempt is already finished."))
    if attempt.assignment is not None and timezone.now() >= attempt.assignment.due_at:
        raise AnswerRejected(_("This assignment is closed: its due time has passed."))
    if guess not in item.options():
        raise AnswerRejected(_("Choose one of the answers offered."))
    if not 50 <= confidence <= 100:
        raise AnswerRejected(_("Confidence must be between 50 and 100 percent."))
    swapped = item.pk in attempt_layout(attempt).swapped
    stored_guess = shuffle.swap_side(guess, swapped=swapped)
    is_correct = stored_guess == item.correct_option()
    try:
        with transaction.atomic():
            # Answers of one attempt are taken one at a time, so the last of two concurrent
            # answers sees the other and finishes the attempt.
            Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
            answer = Answer.objects.create(
                attempt=attempt,
                item=item,
                guess=stored_guess,
                swapped=swapped,
                confidence=confidence,
                is_correct=is_correct,
                points=points_for(confidence, is_correct),
                **answer_facts(attempt, item, now=timezone.now()),
            )
            StatPending.objects.create(answer=answer)
            remaining = attempt.quiz.items.exclude(answers__attempt=attempt).exists()
            if not remaining:
                Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
                    finished_at=timezone.now()
                )
            transaction.on_commit(queue_stats_fold)
    except IntegrityError:
        # A concurrent submit of the same round won; the database kept exactly one answer.
        stored = Answer.objects.filter(attempt=attempt, item=item).first()
        if stored is None:
            # Not a duplicate: the round itself went away (its teacher re-saved the quiz
            # before anyone answered it).
            raise AnswerRejected(
                _("This quiz was changed by its teacher. Reload the page to carry on.")
            ) from None
        return SubmitResult(stored, created=False)
    attempt.refresh_from_db(fields=["finished_at"])
    return SubmitResult(answer, created=True)
