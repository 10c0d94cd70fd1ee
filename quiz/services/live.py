"""Live lessons: a teacher-led game on the projector, every player answering on their own
device (issue 15).

The game's state is a LiveGame row, changed only here, each change in one transaction that
locks the row and bumps its version; after the commit the change is published on Redis
(quiz.live_events) so the projector and the devices read the new state. Players' answers are
ordinary Answer rows of one Attempt per player, stored by quiz.services.play.answer_submit,
so they reach the reports and the statistics exactly once, like any other answer.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Classroom, User
from quiz import live_events, shuffle, spot
from quiz.models import Answer, Artifact, Assignment, Attempt, LiveGame, LivePlayer, Quiz, QuizItem
from quiz.selectors.live import IDLE_LIMIT
from quiz.selectors.play import quiz_rounds
from quiz.services import play, privacy

TIMERS = (30, 60, 90)
# Rounds a live game can play: everyone answers "real or generated?", "which one?" or "where
# is the giveaway?" (a mark, graded like a self-paced spot round) with a confidence. Feed
# rounds are not: a feed shows each clip once, for a few seconds, to one student scrolling
# alone, with rare fakes at a rate nobody is told; a shared projector round shows the clip to
# the whole class and reveals it, which is not a feed any more.
LIVE_KINDS = (QuizItem.Kind.SINGLE, QuizItem.Kind.PAIR, QuizItem.Kind.SPOT)


class LiveRefused(Exception):
    """The change or the answer is not possible now; the message is safe to show."""


# --- Starting ------------------------------------------------------------------------------


def _new_pin() -> str:
    return f"{secrets.randbelow(900000) + 100000}"


def game_start(
    *,
    teacher: User,
    quiz: Quiz,
    classroom: Classroom | None,
    assignment: Assignment | None = None,
    timer_s: int | None = None,
    leaderboard: bool = False,
) -> LiveGame:
    """A new game in the lobby, with a PIN no other open game has.

    `classroom` None: anyone with the PIN may join with a nickname. An assignment's game is
    for the assignment's class, and its answers belong to the assignment. Refused: a class
    that has a game open already, a class the teacher does not teach, a quiz without rounds
    or with rounds a live game cannot play, a closed assignment.
    """
    if assignment is not None:
        quiz, classroom = assignment.quiz, assignment.classroom
        now = timezone.now()
        if not assignment.is_open(now):
            raise LiveRefused(_("This assignment is not open now, so its answers cannot be taken."))
        refusal = assignment_live_refusal(assignment)
        if refusal:
            raise LiveRefused(refusal)
    if classroom is not None and not classroom.teachers.filter(pk=teacher.pk).exists():
        raise LiveRefused(_("You do not teach this class."))
    if timer_s is not None and timer_s not in TIMERS:
        raise LiveRefused(_("Choose no timer, 30, 60 or 90 seconds."))
    rounds = quiz_rounds(quiz.pk)
    if not rounds:
        raise LiveRefused(_("This quiz has no rounds yet."))
    refusal = live_refusal(quiz)
    if refusal:
        raise LiveRefused(refusal)
    seed = shuffle.new_seed()
    layout = shuffle.draw(seed, rounds)
    if classroom is not None:
        games_end_idle(classroom=classroom)
    for _try in range(20):
        try:
            with transaction.atomic():
                game = LiveGame.objects.create(
                    quiz=quiz,
                    assignment=assignment,
                    classroom=classroom,
                    teacher=teacher,
                    pin=_new_pin(),
                    timer_s=timer_s,
                    leaderboard=leaderboard,
                    seed=seed,
                    round_order=list(layout.order),
                    swapped_pairs=sorted(layout.swapped),
                )
            return game
        except IntegrityError:
            if classroom is not None and _open_games().filter(classroom=classroom).exists():
                raise LiveRefused(
                    _(
                        "%(class)s has a live game running already: end it first (or open it "
                        "again from your live games)."
                    )
                    % {"class": classroom.name}
                ) from None
            # Else the PIN was taken by another open game: draw another.
    raise LiveRefused(_("No free game PIN was found; try again."))


def assignment_live_refusal(assignment: Assignment) -> str:
    """Why the assignment cannot be run live ("" if it can): a test shows its answers only
    after its due time, and a live game shows each round's answer to the whole class (audit 3:
    a test run live answered every round, and its attempt could then be finished at home)."""
    if assignment.feedback == Assignment.Feedback.AFTER_DUE:
        return _(
            "This assignment is a test: its answers are shown only after its due time, and a "
            "live game shows each round's answer to the class. Run the quiz live on its own "
            "instead, after the test is due."
        )
    return ""


def start_refusal(quiz: Quiz, assignment: Assignment | None) -> str:
    """Why a game of the quiz, or of the assignment, cannot start ("" if it can), as its
    start page says before the form is filled in."""
    return (assignment_live_refusal(assignment) if assignment else "") or live_refusal(quiz)


def live_refusal(quiz: Quiz) -> str:
    """Why the quiz cannot be played live ("" if it can): a feed, or rounds of a kind a live
    game does not play."""
    if quiz.mode == Quiz.Mode.FEED or quiz.items.filter(kind=QuizItem.Kind.FEED).exists():
        return _(
            "A feed cannot be played live: its point is that each student scrolls alone, sees "
            "each clip once for a few seconds and is not told how many are generated. Assign "
            "the feed instead."
        )
    if quiz.items.exclude(kind__in=LIVE_KINDS).exists():
        return _(
            "Live lessons play “Real or generated?”, “Which one is generated?” and “Where is "
            "the giveaway?” rounds only; this quiz has other kinds of rounds."
        )
    return ""


def _open_games():
    return LiveGame.objects.exclude(state=LiveGame.State.ENDED)


def games_end_idle(*, classroom: Classroom | None = None) -> int:
    """End the open games nobody touched for IDLE_LIMIT (of one class, or all), so an
    abandoned game never blocks its class's next one. Returns how many ended."""
    now = timezone.now()
    idle = _open_games().filter(last_activity_at__lte=now - IDLE_LIMIT)
    if classroom is not None:
        idle = idle.filter(classroom=classroom)
    ended = 0
    for game in idle:
        ended += game_refresh(game).is_ended
    return ended


# --- Changing the state ----------------------------------------------------------------------


def _locked(game_id: int) -> LiveGame:
    return LiveGame.objects.select_for_update().get(pk=game_id)


def _change(
    game: LiveGame,
    change: Callable[[LiveGame, datetime], None],
    *,
    kind: str = live_events.STATE,
) -> LiveGame:
    """Run `change` on the locked game, bump its version and publish after the commit; the
    caller's object is refreshed to the stored state."""
    with transaction.atomic():
        locked = _locked(game.pk)
        now = timezone.now()
        _expire(locked, now)
        change(locked, now)
        locked.version += 1
        locked.last_activity_at = now
        locked.save()
        version = locked.version
        transaction.on_commit(lambda: live_events.publish(locked.pk, kind, version))
    game.refresh_from_db()
    return game


def _expire(game: LiveGame, now: datetime) -> None:
    """Apply what time did to the locked game: an idle game ends; an open round whose timer
    ran out is revealed. Saved by the caller."""
    if game.is_ended:
        return
    if now - game.last_activity_at >= IDLE_LIMIT:
        game.state, game.ended_at = LiveGame.State.ENDED, now
    elif _timer_ran_out(game, now):
        game.state, game.reveal_step = LiveGame.State.REVEALED, 0


def _timer_ran_out(game: LiveGame, now: datetime) -> bool:
    return (
        game.state == LiveGame.State.OPEN
        and game.timer_s is not None
        and game.round_opened_at is not None
        and now >= game.round_opened_at + timedelta(seconds=game.timer_s)
    )


def game_refresh(game: LiveGame) -> LiveGame:
    """The game with what time did applied (idle end, timer reveal): every read of a game
    goes through here, so a timer runs out even with no projector open. Costs one query
    when nothing changed."""
    now = timezone.now()
    if game.is_ended or not (
        now - game.last_activity_at >= IDLE_LIMIT or _timer_ran_out(game, now)
    ):
        return game
    with transaction.atomic():
        locked = _locked(game.pk)
        before = locked.state
        _expire(locked, now)
        if locked.state != before:
            locked.version += 1
            locked.save(update_fields=["state", "reveal_step", "ended_at", "version"])
            version = locked.version
            transaction.on_commit(
                lambda: live_events.publish(locked.pk, live_events.STATE, version)
            )
    game.refresh_from_db()
    return game


def round_open(*, game: LiveGame) -> LiveGame:
    """Start the first round from the lobby, or the next one after a reveal."""

    def change(locked: LiveGame, now: datetime) -> None:
        if locked.state == LiveGame.State.LOBBY:
            locked.round_index = 0
        elif locked.state == LiveGame.State.REVEALED:
            if locked.round_index + 1 >= locked.round_count:
                raise LiveRefused(_("That was the last round: end the game."))
            locked.round_index += 1
        else:
            raise LiveRefused(_("Reveal this round first."))
        locked.state, locked.reveal_step, locked.round_opened_at = LiveGame.State.OPEN, 0, now

    return _change(game, change)


def round_reveal(*, game: LiveGame) -> LiveGame:
    """Close the open round and show how the class answered."""

    def change(locked: LiveGame, now: datetime) -> None:
        if locked.state == LiveGame.State.REVEALED:
            return  # the timer or the last answer got there first
        if locked.state != LiveGame.State.OPEN:
            raise LiveRefused(_("No round is open."))
        locked.state, locked.reveal_step = LiveGame.State.REVEALED, 0

    return _change(game, change)


def reveal_steps(game: LiveGame) -> int:
    """How many steps the current round's reveal has: the answers, the truth, then each
    giveaway of its generated clip."""
    item = QuizItem.objects.select_related("clip", "other_clip").get(pk=game.current_item_id)
    return 2 + Artifact.objects.filter(clip=item.generated_clip()).count()


def reveal_next(*, game: LiveGame) -> LiveGame:
    """Show the next step of the reveal (the truth, then the giveaways one by one)."""
    steps = reveal_steps(game)

    def change(locked: LiveGame, now: datetime) -> None:
        if locked.state != LiveGame.State.REVEALED:
            raise LiveRefused(_("Reveal the round first."))
        if locked.reveal_step + 1 >= steps:
            raise LiveRefused(_("Everything about this round is shown."))
        locked.reveal_step += 1

    return _change(game, change)


def game_settings(*, game: LiveGame, leaderboard: bool, timer_s: int | None) -> LiveGame:
    """Switch the leaderboard between rounds, set the timer of the rounds to come."""
    if timer_s is not None and timer_s not in TIMERS:
        raise LiveRefused(_("Choose no timer, 30, 60 or 90 seconds."))

    def change(locked: LiveGame, now: datetime) -> None:
        if locked.is_ended:
            raise LiveRefused(_("This game has ended."))
        locked.leaderboard, locked.timer_s = leaderboard, timer_s

    return _change(game, change, kind=live_events.SETTINGS)


def game_end(*, game: LiveGame) -> LiveGame:
    def change(locked: LiveGame, now: datetime) -> None:
        if locked.is_ended:
            return
        locked.state, locked.ended_at = LiveGame.State.ENDED, now

    return _change(game, change)


def game_reopen(*, game: LiveGame) -> LiveGame:
    """Open an ended game again where it stopped (revealed), with a new PIN if another open
    game took its PIN meanwhile. Refused while its class has another game open."""

    def change(locked: LiveGame, now: datetime) -> None:
        if not locked.is_ended:
            return
        if locked.classroom_id and _open_games().filter(classroom_id=locked.classroom_id).exists():
            raise LiveRefused(_("This class has another live game running: end that one first."))
        if _open_games().filter(pin=locked.pin).exists():
            locked.pin = _free_pin()
        started = locked.round_opened_at is not None
        locked.state = LiveGame.State.REVEALED if started else LiveGame.State.LOBBY
        locked.ended_at = None

    try:
        return _change(game, change)
    except IntegrityError:
        raise LiveRefused(_("This game could not be opened again; try once more.")) from None


def _free_pin() -> str:
    taken = set(_open_games().values_list("pin", flat=True))
    while (pin := _new_pin()) in taken:
        pass
    return pin


# --- Players -----------------------------------------------------------------------------------


def player_join(*, game: LiveGame, user: User | None, nickname: str = "") -> LivePlayer:
    """The player `user` (or, without one, a new guest named `nickname`) in the game, made
    once: joining again returns the same player, so a reload or a second device carries on.

    A class game takes the class's students only. An anyone-with-the-PIN game takes a
    signed-in student under their first name, anyone else under a nickname (checked by
    quiz.forms.live) as a guest user: a row of its own so the answers are ordinary answers,
    flagged by LivePlayer.is_guest, with no password (nobody can sign in as it), no school
    and no class, so it never appears in a roster and counts only in its own figures and
    the "everyone" statistics, like any other learner's answers.
    """
    game = game_refresh(game)
    if game.is_ended:
        raise LiveRefused(_("This game has ended."))
    if user is not None:
        existing = LivePlayer.objects.filter(game=game, user=user).first()
        if existing is not None:
            return existing
        if not user.is_student:
            raise LiveRefused(_("Live games are played with a student account."))
        if (
            game.classroom_id is not None
            and not game.classroom.students.filter(pk=user.pk).exists()
        ):
            raise LiveRefused(_("This game is for another class."))
        name = (user.first_name or user.username)[:30]
        is_guest = False
    else:
        if game.classroom_id is not None:
            raise LiveRefused(_("This game is for a class: sign in with your account to join."))
        name = nickname.strip()
        if not name:
            raise LiveRefused(_("Choose a nickname."))
        is_guest = True
    with transaction.atomic():
        if is_guest:
            taken = LivePlayer.objects.filter(game=game, name__iexact=name).exists()
            if taken:
                raise LiveRefused(_("Someone in this game has that nickname; choose another."))
            user = User.objects.create(
                username=f"live-guest-{secrets.token_hex(8)}",
                first_name=name,
                role=User.Role.STUDENT,
                is_active=False,
                password=make_password(None),
            )
        assert user is not None
        attempt = _player_attempt(game, user)
        try:
            with transaction.atomic():
                player = LivePlayer.objects.create(
                    game=game, user=user, attempt=attempt, name=name, is_guest=is_guest
                )
        except IntegrityError:
            return LivePlayer.objects.get(game=game, user=user)
    version = game.version
    transaction.on_commit(lambda: live_events.publish(game.pk, live_events.PLAYERS, version))
    return player


def _player_attempt(game: LiveGame, user: User) -> Attempt:
    """The player's one attempt of the game's quiz (with the assignment, if the game has
    one): their open attempt if they have one (its answers so far count, once), else a new
    one laid out in the game's order and sides."""
    open_attempts = Attempt.objects.filter(
        user=user, quiz=game.quiz, assignment=game.assignment, finished_at__isnull=True
    )
    existing = open_attempts.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                user=user,
                quiz=game.quiz,
                assignment=game.assignment,
                seed=game.seed,
                round_order=game.round_order,
                swapped_pairs=game.swapped_pairs,
            )
    except IntegrityError:
        return open_attempts.get()


# --- Answering -----------------------------------------------------------------------------------


def _game_for_answer(game_id: int) -> LiveGame:
    """The game, share-locked for the answer's transaction: a reveal (which locks it for
    update) waits for answers being stored and they for it, so no answer lands in a round
    after it was revealed."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(LiveGame._meta.db_table)
        found = list(
            LiveGame.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [game_id])  # noqa: S608
        )
        return found[0]
    return LiveGame.objects.get(pk=game_id)


def live_answer(
    *,
    game: LiveGame,
    player: LivePlayer,
    round_index: int,
    guess: str,
    confidence: int,
    item: QuizItem | None = None,
    mark: spot.Mark | None = None,
) -> Answer:
    """Store the player's answer to the open round: an ordinary answer of their attempt.

    `round_index` is the round the device showed; `guess` is as the device showed the
    round ("a": the game's left clip). Refused: a round that is not open (not started,
    revealed, or another round's form), a second answer to the round. When every player has
    answered, the round is revealed. `item`: the round's item with its clips, if the caller
    has read it already (used only if it is the open round's); `game` is read again when
    this answer revealed the round. A spot round is answered
    with guess "spot" and a `mark`, graded and stored as in self-paced play (a mark outside
    the frame or the clip is refused there).
    """
    if player.game_id != game.pk:
        raise LiveRefused(_("You are not a player of this game."))
    game = game_refresh(game)
    with transaction.atomic():
        locked = _game_for_answer(game.pk)
        if locked.state != LiveGame.State.OPEN or locked.round_index != round_index:
            raise LiveRefused(_("This round is not open for answers any more."))
        if item is None or item.pk != locked.current_item_id:
            item = QuizItem.objects.select_related("clip", "other_clip").get(
                pk=locked.current_item_id
            )
        attempt = player.attempt
        if attempt.seed == locked.seed:  # laid out by the game (_player_attempt)
            attempt_swapped = item.pk in locked.swapped_pairs
        else:
            attempt_swapped = item.pk in attempt.layout(quiz_rounds(attempt.quiz_id)).swapped
        # The device's sides are the game's; the attempt (one the player had already) may
        # show the pair the other way round: answer in the attempt's own terms.
        in_quiz_terms = shuffle.swap_side(guess, swapped=item.pk in locked.swapped_pairs)
        try:
            result = play.answer_submit(
                attempt=attempt,
                item=item,
                guess=shuffle.swap_side(in_quiz_terms, swapped=attempt_swapped),
                confidence=confidence,
                mark=mark,
                # A class's game started from a quiz: its answers count for the class too.
                classroom=game.classroom if game.assignment_id is None else None,
            )
        except play.AnswerRejected as rejected:
            raise LiveRefused(str(rejected)) from None
        if not result.created:
            raise LiveRefused(_("You have answered this round already."))
        version = locked.version
        transaction.on_commit(lambda: live_events.publish(game.pk, live_events.ANSWERED, version))
    if _reveal_if_all_answered(locked, round_index):
        game.refresh_from_db()
    return result.answer


def _reveal_if_all_answered(game: LiveGame, round_index: int) -> bool:
    """Reveal the round once every player has answered it (True if this call did). Counted
    first without a lock (most answers are not the last one), then again under the game's
    lock, which waits for the answers being stored."""
    game_id = game.pk
    if not _everyone_answered(game):
        return False
    with transaction.atomic():
        locked = _locked(game_id)
        if locked.state != LiveGame.State.OPEN or locked.round_index != round_index:
            return False
        if not _everyone_answered(locked):
            return False
        locked.state, locked.reveal_step = LiveGame.State.REVEALED, 0
        locked.version += 1
        locked.last_activity_at = timezone.now()
        locked.save()
        version = locked.version
        transaction.on_commit(lambda: live_events.publish(game_id, live_events.STATE, version))
    return True


def _everyone_answered(game: LiveGame) -> bool:
    """Whether every player has answered the current round (one query)."""
    answered = Answer.objects.filter(
        attempt_id=OuterRef("attempt_id"), item_id=game.current_item_id
    )
    return not LivePlayer.objects.filter(game=game).exclude(Exists(answered)).exists()


# --- Guests ----------------------------------------------------------------------------------

GUEST_PURGE_BATCH = 100


def guests_purge(*, keep_days: int, now: datetime | None = None) -> int:
    """Delete for good the guest players (anyone with the PIN, a nickname) of games that
    ended more than `keep_days` days ago: their users, attempts and answers, the answers
    taken out of the statistics exactly (quiz.services.privacy.live_guests_erase, as the
    retention purge does). Games idle past the limit are ended first (their day starts
    then). A transaction per batch of games, each locked and checked again (a game opened
    again meanwhile keeps its players). Returns how many guests were deleted."""
    games_end_idle()
    cutoff = (now or timezone.now()) - timedelta(days=keep_days)

    def expired():
        return LiveGame.objects.filter(
            state=LiveGame.State.ENDED,
            ended_at__lte=cutoff,
            players__is_guest=True,
        )

    game_ids = sorted(set(expired().values_list("pk", flat=True)))
    deleted = 0
    for start in range(0, len(game_ids), GUEST_PURGE_BATCH):
        chunk = game_ids[start : start + GUEST_PURGE_BATCH]
        with transaction.atomic():
            locked = list(
                LiveGame.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            still = expired().filter(pk__in=locked).values("pk")
            guests = list(
                LivePlayer.objects.filter(game__in=still, is_guest=True)
                .order_by("user_id")
                .values_list("user_id", flat=True)
            )
            deleted += privacy.live_guests_erase(guests).students
    return deleted
