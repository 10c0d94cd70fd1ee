"""Playing: starting attempts and storing graded answers (one per attempt and round), then
queuing the fold that adds them to the statistics."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Classroom, User
from quiz import categories, rows, shuffle, spot
from quiz.background import enqueue_once
from quiz.models import (
    Answer,
    Artifact,
    Assignment,
    Attempt,
    Quiz,
    QuizItem,
    StatPending,
)
from quiz.scoring import points_for
from quiz.selectors.held import attempt_closed_for_now
from quiz.selectors.play import (
    AttemptState,
    ShownRound,
    attempt_read,
    attempt_state,
    quiz_rounds,
    with_clips_and_artifacts,
)

log = logging.getLogger(__name__)


class AnswerRejected(Exception):
    """The submitted answer cannot be taken; the message is safe to show the learner."""


@dataclass(frozen=True)
class SubmitResult:
    answer: Answer
    created: bool


# How long a fold queued by an answer waits before it starts, gathering the answers stored
# meanwhile (quiz.tasks.stats_fold). A fold of a few answers costs PostgreSQL about as much as
# one of a few hundred (15-20 ms against 40-80 ms, measured): back to back, folds of one or
# two answers each took most of a core from the answers themselves. Half a second keeps the
# live view well within its 2 s.
FOLD_DELAY_SECONDS = 0.5


def queue_stats_fold() -> None:
    """Ask a worker to fold new answers, without ever holding up play.

    At most one fold waits in the queue: while one does, this answer is folded by it
    (quiz.background.enqueue_once; the fold clears its flag before it claims), so a class
    answering at once costs one fold of many answers every FOLD_DELAY_SECONDS, not a fold
    per answer. If the broker is down the answer is already stored; the beat's safety net
    (or the next answer) folds it once Redis is back, so a failure is only logged.
    """
    enqueue_once("quiz.tasks.stats_fold", FOLD_DELAY_SECONDS)


def answer_facts(
    attempt: Attempt,
    item: QuizItem,
    *,
    now: datetime,
    codes: Iterable[str] | None = None,
    position: int | None = None,
    classroom: Classroom | None = None,
) -> dict[str, Any]:
    """What the statistics group an answer by, as it stands when the answer is stored.

    Frozen on the answer so that relabelling a clip, editing its artifacts or moving a
    student later changes no past statistic, and a rebuild always equals the folds. The
    position is the round's place in this attempt (for learning curves), so call this inside
    the transaction that holds the attempt's lock.

    A pair's clips are named in the quiz's terms (`clip_id` is the item's clip A, whichever
    side the attempt showed it on): no statistic groups by the side shown (METRICS.md defines
    none; pairs count towards accuracy and the 2AFC figures whatever the placement), and the
    side itself is kept on the answer (Answer.swapped) for any that comes later.

    `codes` (the categories of the artifacts of the round's clips) and `position` (the
    number of the attempt's answers before this one, plus one) are read here unless the
    caller has them already, read under the same lock.

    The class is the assignment's; `classroom` (with its school loaded) names it for an
    answer no assignment places in one: a round of a class's live lesson started from a quiz.
    """
    assignment = attempt.assignment
    if assignment is not None:
        classroom = assignment.classroom
    school = classroom.school if classroom is not None else attempt.user.school
    zone = school.zone if school is not None else timezone.get_default_timezone()
    if codes is None:
        clips = [item.clip] if item.other_clip is None else [item.clip, item.other_clip]
        codes = Artifact.objects.filter(clip__in=clips).values_list("category", flat=True)
    if position is None:
        position = attempt.answers.count() + 1
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
        "position": position,
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


def assignment_may_start(*, user: User, assignment: Assignment) -> None:
    """AttemptRefused unless the student may start a new attempt of the assignment now (in
    its class, open, attempts left); adaptive practice's assigned sets ask it too."""
    _check_may_start(user, assignment)


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


# What a round's form gives: (guess, confidence), or (guess, confidence, mark) for a spot round.
Given = tuple[str, int] | tuple[str, int, spot.Mark | None]


def answer_submit(
    *,
    attempt: Attempt,
    item: QuizItem,
    guess: str,
    confidence: int,
    mark: spot.Mark | None = None,
    classroom: Classroom | None = None,
) -> SubmitResult:
    """Grade and store one answer; a repeated or concurrent submit returns the stored one.

    `guess` is what the learner chose on the page. For a pair, "a" is the clip this attempt
    shows on the left (quiz.selectors.play.attempt_round tells which); it is graded on those
    sides, and stored in the quiz's own terms ("a" = the item's `clip`) with the placement
    (Answer.guess, Answer.swapped), so every count and export means the same clip for
    everyone.

    A spot round ("Where is the giveaway?") is answered with guess "spot" and a `mark`
    (quiz.spot.Mark: where in per mille of the frame and, for a video, when in ms), graded
    as a spot hit or not; `confidence` is how sure the learner is the mark is on a giveaway.

    `classroom`: the class the answer is given in when the attempt has no assignment (a
    class's live lesson; see answer_facts).

    Raises AnswerRejected for answers that cannot be taken (wrong option, finished attempt,
    a missing or impossible mark).
    """
    if item.quiz_id != attempt.quiz_id:
        raise AnswerRejected(_("This question is not part of your quiz."))
    submitted = _submit(
        lambda: attempt_read(attempt.pk, user=None, live=False, lock=True),
        lambda locked, rounds: (
            rounds.shown(locked, item.pk) if item.pk in rounds.items else _quiz_changed()
        ),
        lambda _item: (guess, confidence, mark),
        classroom=classroom,
    )
    attempt.finished_at = submitted.attempt.finished_at
    return SubmitResult(submitted.answer, created=submitted.created)


class RoundNotFound(Exception):
    """No such attempt of this learner, or no such round in it (a 404)."""


@dataclass(frozen=True)
class RoundSubmitted:
    """A submit of one round, with what its feedback shows, all read in the submit's
    transaction: the attempt (quiz, assignment, class and school loaded), its rounds as
    they stand after the answer, the round as shown, the answer (the stored one when the
    round was answered before) and the artifacts of the round's clips by clip id (None after
    a concurrent submit of the same round won: the feedback reads them then)."""

    attempt: Attempt
    rounds: AttemptState
    shown: ShownRound
    answer: Answer
    created: bool
    artifacts: dict[int, list[Artifact]] | None


def round_answer(
    *,
    user: User,
    attempt_id: int,
    round_key: str,
    read: Callable[[QuizItem], Given],
) -> RoundSubmitted:
    """Grade and store the answer to the round that `round_key` names in the user's attempt.

    `read(item)` gives the answer as the learner chose it, (guess, confidence) or, for a spot
    round, (guess, confidence, mark) (see answer_submit), or raises
    (a form that does not validate): it is called only for a round not answered yet, and
    whatever it raises leaves nothing stored. A round answered before returns the stored
    answer (created False). Raises RoundNotFound for another user's attempt or an unknown
    round, AnswerRejected for an answer that cannot be taken.

    One transaction of five statements: the attempt locked with what grading needs, whether
    it is closed to its player for now (quiz.selectors.held.attempt_closed_for_now), its rounds
    and answers, the round's clips with their artifacts, the answer with its queue row; a
    sixth ends the attempt after its last round.
    """
    return _submit(
        # The open live game is read with the locked attempt, not in a statement of its own.
        lambda: attempt_read(attempt_id, user=user, live=True, lock=True),
        lambda locked, rounds: rounds.by_key(locked, round_key),
        read,
        closable=True,
    )


class PlayedLive(Exception):
    """The attempt is being played in an open live game: it is answered round by round with
    the class there (quiz.views.live), never ahead on the self-paced pages."""

    def __init__(self, game_id: int) -> None:
        super().__init__(game_id)
        self.game_id = game_id


def _quiz_changed() -> NoReturn:
    # The round itself went away (its teacher re-saved the quiz before anyone answered it).
    raise AnswerRejected(_("This quiz was changed by its teacher. Reload the page to carry on."))


def _submit(
    lock: Callable[[], Attempt | None],
    locate: Callable[[Attempt, AttemptState], ShownRound | None],
    read: Callable[[QuizItem], Given],
    *,
    classroom: Classroom | None = None,
    closable: bool = False,
) -> RoundSubmitted:
    """The submit itself; `lock` reads the attempt and locks its row (quiz.selectors.play.attempt_read);
    `classroom`: see answer_facts. With `closable` (the self-paced pages), an attempt closed
    to its player for now (quiz.selectors.held.attempt_closed_for_now) is not found: its feedback,
    even of a round answered before, would show a truth they must not see yet."""
    try:
        with transaction.atomic():
            # Answers of one attempt are taken one at a time: everything about its answers
            # is read after this lock, so the last of two concurrent answers sees the other
            # and finishes the attempt, and positions never repeat.
            attempt = lock()
            if attempt is None:
                raise RoundNotFound
            if attempt.live_game_id is not None:
                raise PlayedLive(attempt.live_game_id)
            if closable and attempt_closed_for_now(attempt, attempt.user):
                raise RoundNotFound
            rounds = attempt_state(attempt)
            shown = locate(attempt, rounds)
            if shown is None:
                raise RoundNotFound
            item, artifacts = with_clips_and_artifacts(shown.item)
            if item.pk in rounds.answered:
                stored = Answer.objects.get(attempt=attempt, item=item)
                return RoundSubmitted(attempt, rounds, shown, stored, False, artifacts)
            if attempt.is_finished:
                raise AnswerRejected(_("This attempt is already finished."))
            now = timezone.now()
            if attempt.assignment is not None and now >= attempt.assignment.due_at:
                raise AnswerRejected(_("This assignment is closed: its due time has passed."))
            given = read(item)
            guess, confidence = given[0], given[1]
            mark = given[2] if len(given) > 2 else None
            if guess not in item.options():
                raise AnswerRejected(_("Choose one of the answers offered."))
            if item.kind == QuizItem.Kind.FEED:
                # A feed asks no confidence (quiz.services.feed): stored as 50, no points.
                confidence = 50
            if not 50 <= confidence <= 100:
                raise AnswerRejected(_("Confidence must be between 50 and 100 percent."))
            _check_mark(item, mark)
            stored_guess = shuffle.swap_side(guess, swapped=shown.swapped)
            mark_fields: dict[str, Any] = {}
            if item.is_spot:
                assert mark is not None
                is_correct = spot_graded(item, mark, artifacts[item.clip_id])
                mark_fields = {
                    "spot_x": mark.x,
                    "spot_y": mark.y,
                    "spot_ms": mark.ms if item.clip.is_video else None,
                    "spot_hit": is_correct,
                }
            else:
                is_correct = stored_guess == item.correct_option()
            answer = Answer(
                attempt=attempt,
                item=item,
                guess=stored_guess,
                swapped=shown.swapped,
                confidence=confidence,
                is_correct=is_correct,
                points=0 if item.kind == QuizItem.Kind.FEED else points_for(confidence, is_correct),
                **mark_fields,
                **answer_facts(
                    attempt,
                    item,
                    now=now,
                    codes=[a.category for found in artifacts.values() for a in found],
                    position=len(rounds.answered) + 1,
                    classroom=classroom,
                ),
            )
            _insert_queued(answer)
            rounds = rounds.with_answer(item.pk, answer.points)
            if len(rounds.answered) >= len(rounds.items):
                finished_at = timezone.now()
                if Attempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(
                    finished_at=finished_at
                ):
                    attempt.finished_at = finished_at
            transaction.on_commit(queue_stats_fold)
    except IntegrityError:
        # A concurrent submit of the same round won (the lock makes this rare: a row
        # written outside it); the database kept exactly one answer.
        stored = Answer.objects.filter(attempt=attempt, item=item).first()
        if stored is None:
            _quiz_changed()
        attempt.refresh_from_db(fields=["finished_at"])
        return RoundSubmitted(attempt, attempt_state(attempt), shown, stored, False, None)
    return RoundSubmitted(attempt, rounds, shown, answer, True, artifacts)


def _insert_queued(answer: Answer) -> None:
    """Insert the answer and its StatPending row (the fold's queue): on PostgreSQL in one
    statement, written out from the model's fields as Model.save writes them (each field's
    pre_save and database value), because building two inserts with the ORM cost a submit
    more than running them (bench/submit.py)."""
    if connection.vendor != "postgresql":
        answer.save(force_insert=True)
        StatPending.objects.create(answer=answer)
        return
    quote = connection.ops.quote_name
    fields = [f for f in Answer._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(answer, True), connection) for f in fields]
    pending = StatPending._meta.get_field("answer").column
    with rows.cursor() as cursor:
        cursor.execute(
            f"WITH a AS (INSERT INTO {quote(Answer._meta.db_table)} "  # noqa: S608 (model names)
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(Answer._meta.pk.column)}) "
            f"INSERT INTO {quote(StatPending._meta.db_table)} ({quote(pending)}) "
            f"SELECT {quote(Answer._meta.pk.column)} FROM a RETURNING {quote(pending)}",
            values,
        )
        answer.pk = cursor.fetchone()[0]
    answer._state.adding = False
    answer._state.db = connection.alias


def _check_mark(item: QuizItem, mark: spot.Mark | None) -> None:
    """A spot round needs a mark inside the frame and, for a video, a moment inside the
    clip; no other round takes one."""
    if not item.is_spot:
        if mark is not None:
            raise AnswerRejected(_("This round does not ask where the giveaway is."))
        return
    if mark is None:
        raise AnswerRejected(_("Mark where the giveaway is first."))
    if not (0 <= mark.x <= spot.SCALE and 0 <= mark.y <= spot.SCALE):
        raise AnswerRejected(_("Your mark must be inside the picture."))
    if not item.clip.is_video:
        return
    if mark.ms is None:
        raise AnswerRejected(
            _("Pause the video at the giveaway (or pick the moment with the slider), then mark it.")
        )
    duration = item.clip.duration_s
    # Half a second of slack: players report the last frame's time a little past the end.
    if mark.ms < 0 or (duration is not None and mark.ms > (duration + 0.5) * 1000):
        raise AnswerRejected(_("That moment is not in the video."))


def artifact_region(artifact: Artifact) -> spot.Region:
    return spot.Region(
        artifact.box_x,
        artifact.box_y,
        artifact.box_w,
        artifact.box_h,
        artifact.start_s,
        artifact.end_s,
    )


def spot_graded(item: QuizItem, mark: spot.Mark, artifacts: Iterable[Artifact]) -> bool:
    """Whether the mark is a spot hit on the round's clip (METRICS.md; quiz.spot)."""
    clip = item.clip
    if not clip.is_video:
        mark = spot.Mark(mark.x, mark.y, None)
    return spot.is_hit(
        mark, [artifact_region(a) for a in artifacts], width=clip.width, height=clip.height
    )


def spot_example_mark(item: QuizItem, *, hit: bool) -> spot.Mark:
    """A mark a simulated student makes on a spot round (the demo cohort, benches, tests):
    on the clip's first giveaway at its moment (hit) or far from every giveaway (a miss).
    One query."""
    regions = [artifact_region(a) for a in Artifact.objects.filter(clip_id=item.clip_id)]
    clip = item.clip
    if hit:
        return spot.centre_of(regions[0], video=clip.is_video)
    return spot.away_from(regions, width=clip.width, height=clip.height, video=clip.is_video)
