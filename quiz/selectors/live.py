"""What the live lesson's pages read: games a teacher may run, the open game of a PIN, the
games a student can join, and the state of a game as the projector and a device show it
(answer counts, the class's distribution, the leaderboard, the summaries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from quiz import categories, shuffle
from quiz.models import Answer, Artifact, LiveGame, LivePlayer, QuizItem
from quiz.scoring import MAX_POINTS
from quiz.selectors.play import attempt_media_file
from quiz.selectors.teach import AssignmentReport, answers_report

# Where a browser's session remembers the guest players it joined as: {game id: player id}.
SESSION_KEY = "live_players"
# A game nobody touched for this long has ended (the issue: "a game left idle for 2 hours");
# quiz.services.live ends it when it is next read.
IDLE_LIMIT = timedelta(hours=2)
# How sure an answer was, in three bands a class can read off a projector.
CONFIDENCE_BANDS = ((50, 69), (70, 89), (90, 100))
LEADERBOARD_SIZE = 5


def games_taught_by(teacher: User) -> QuerySet[LiveGame]:
    """Games the teacher may run: their own and their classes' (a co-teacher can take over)."""
    return (
        LiveGame.objects.filter(Q(teacher=teacher) | Q(classroom__teachers=teacher))
        .select_related("quiz", "classroom", "assignment")
        .distinct()
    )


def games_reported_to(teacher: User) -> QuerySet[LiveGame]:
    """Games whose answers the teacher may read: those of the classes they teach (whoever
    ran them) and the anyone-with-the-PIN games they ran themselves. A teacher who ran a
    class's game but no longer teaches the class sees it no more, like its assignments."""
    return (
        LiveGame.objects.filter(
            Q(classroom__teachers=teacher) | Q(classroom__isnull=True, teacher=teacher)
        )
        .select_related("quiz", "classroom", "assignment")
        .distinct()
    )


def class_games(classroom_id: int) -> list[LiveGame]:
    """The class's live games started from a quiz, newest first, each with its number of
    players (`n_players`): listed on the class's page with their reports. Games of an
    assignment are in the assignment's report."""
    return list(
        LiveGame.objects.filter(classroom_id=classroom_id, assignment__isnull=True)
        .select_related("quiz")
        .annotate(n_players=Count("players"))
        .order_by("-created_at")
    )


def game_report(game: LiveGame) -> AssignmentReport:
    """The game's answers as a teacher's report (quiz.selectors.teach.answers_report): by
    player, by round and by giveaway. Only the game's rounds of its players' attempts."""
    answers = list(
        _answers(game)
        .select_related("attempt__user", "item__clip", "item__other_clip")
        .order_by(
            "attempt__user__first_name", "attempt__user__username", "attempt_id", "item__position"
        )
    )
    roster = [
        p.user
        for p in LivePlayer.objects.filter(game=game)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    ]
    return answers_report(answers, roster=roster, quiz=game.quiz)


def _running() -> QuerySet[LiveGame]:
    """Games not ended, nor idle past the limit (which ends them when next touched)."""
    return LiveGame.objects.exclude(state=LiveGame.State.ENDED).filter(
        last_activity_at__gt=timezone.now() - IDLE_LIMIT
    )


def open_game_by_pin(pin: str) -> LiveGame | None:
    if not (len(pin) == 6 and pin.isdigit()):
        return None
    return _running().select_related("classroom").filter(pin=pin).first()


def open_games_for_student(user: User) -> list[LiveGame]:
    """Open games of the student's classes, for one-click joining from their home page."""
    if not user.is_authenticated or not user.is_student:
        return []
    return list(
        _running()
        .filter(classroom__students=user)
        .select_related("quiz", "classroom")
        .order_by("-created_at")
    )


def current_item(game: LiveGame) -> QuizItem | None:
    if game.current_item_id is None:
        return None
    return QuizItem.objects.select_related("clip", "other_clip").get(pk=game.current_item_id)


@dataclass(frozen=True)
class LiveRound:
    """The current round as the game shows it (the same sides on every screen)."""

    item: QuizItem
    number: int
    swapped: bool

    @property
    def clip_a(self):
        return self.item.other_clip if self.swapped else self.item.clip

    @property
    def clip_b(self):
        return self.item.clip if self.swapped else self.item.other_clip

    @property
    def which_a(self) -> str:
        return "other_clip" if self.swapped else "clip"

    @property
    def which_b(self) -> str:
        return "clip" if self.swapped else "other_clip"

    def correct_option(self) -> str:
        return shuffle.swap_side(self.item.correct_option(), swapped=self.swapped)


def live_round(game: LiveGame) -> LiveRound | None:
    item = current_item(game)
    if item is None:
        return None
    return LiveRound(
        item=item,
        number=game.round_index + 1,
        swapped=item.is_pair and item.pk in game.swapped_pairs,
    )


def _answers(game: LiveGame) -> QuerySet[Answer]:
    """The players' answers to the game's rounds (their attempts may hold no others)."""
    return Answer.objects.filter(
        attempt_id__in=LivePlayer.objects.filter(game=game).values("attempt_id"),
        item_id__in=game.round_order,
    )


def players(game: LiveGame) -> list[LivePlayer]:
    return list(LivePlayer.objects.filter(game=game).order_by("joined_at", "id"))


def answered_count(game: LiveGame) -> tuple[int, int]:
    """(players who answered the current round, players), never who."""
    total = LivePlayer.objects.filter(game=game).count()
    if game.current_item_id is None:
        return 0, total
    return _answers(game).filter(item_id=game.current_item_id).count(), total


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    counts: dict[str, int]  # option as shown -> answers


@dataclass(frozen=True)
class Distribution:
    options: tuple[str, ...]  # as shown: ("real", "generated") or ("a", "b")
    bands: list[Band]
    totals: dict[str, int]
    n: int
    correct: int

    def share(self, option: str) -> int:
        return round(100 * self.totals.get(option, 0) / self.n) if self.n else 0


# How a spot round's answers are split on the projector: marked a giveaway, or missed.
SPOT_OPTIONS = ("hit", "miss")


def distribution(game: LiveGame, shown: LiveRound) -> Distribution:
    """How the players answered the round, by option (as shown) and confidence band. A spot
    round's options are "hit" (the mark is on a giveaway) and "miss"."""
    options = SPOT_OPTIONS if shown.item.is_spot else shown.item.options()
    bands = [Band(low, high, dict.fromkeys(options, 0)) for low, high in CONFIDENCE_BANDS]
    totals = dict.fromkeys(options, 0)
    n = correct = 0
    for guess, confidence, is_correct in (
        _answers(game).filter(item=shown.item).values_list("guess", "confidence", "is_correct")
    ):
        if shown.item.is_spot:
            as_shown = SPOT_OPTIONS[0] if is_correct else SPOT_OPTIONS[1]
        else:
            as_shown = shuffle.swap_side(guess, swapped=shown.swapped)
        for band in bands:
            if band.low <= confidence <= band.high:
                band.counts[as_shown] += 1
        totals[as_shown] += 1
        n += 1
        correct += is_correct
    return Distribution(options, bands, totals, n, correct)


@dataclass(frozen=True)
class ClassMark:
    """One player's mark on a spot round, anonymous: where in percent of the frame."""

    x: float
    y: float
    hit: bool


def round_marks(game: LiveGame, shown: LiveRound) -> list[ClassMark]:
    """The players' marks on the spot round, in no particular order and without names (the
    projector draws them as dots over the truth)."""
    if not shown.item.is_spot:
        return []
    found = (
        _answers(game)
        .filter(item=shown.item, spot_x__isnull=False, spot_y__isnull=False)
        .order_by("spot_x", "spot_y")
        .values_list("spot_x", "spot_y", "is_correct")
    )
    return [ClassMark(x / 10, y / 10, hit) for x, y, hit in found]


def round_artifacts(shown: LiveRound) -> list[Artifact]:
    """The generated clip's giveaways, in the order the reveal shows them."""
    return list(Artifact.objects.filter(clip=shown.item.generated_clip()))


@dataclass(frozen=True)
class Standing:
    name: str
    points: int


@dataclass(frozen=True)
class Leaderboard:
    top: list[Standing]
    most_improved: Standing | None  # the biggest rise of the last round over one's average


def leaderboard(game: LiveGame) -> Leaderboard:
    """Total points of the rounds played so far, top LEADERBOARD_SIZE, names only; and who
    improved most in the last round over their own average before it (not who was fast)."""
    played = game.round_order[: game.round_index + 1]
    names = dict(LivePlayer.objects.filter(game=game).values_list("attempt_id", "name"))
    by_attempt: dict[int, dict[int, int]] = defaultdict(dict)
    for attempt_id, item_id, points in _answers(game).values_list(
        "attempt_id", "item_id", "points"
    ):
        if item_id in played:
            by_attempt[attempt_id][item_id] = points
    totals = sorted(
        (Standing(names[a], sum(p.values())) for a, p in by_attempt.items()),
        key=lambda s: (-s.points, s.name.casefold()),
    )
    last = played[-1] if played else None
    best: tuple[float, str] | None = None
    for attempt_id, points in by_attempt.items():
        before = [p for item, p in points.items() if item != last]
        if last not in points or not before:
            continue
        rise = points[last] - sum(before) / len(before)
        if rise > 0 and (best is None or rise > best[0]):
            best = (rise, names[attempt_id])
    improved = Standing(best[1], round(best[0])) if best else None
    return Leaderboard(totals[:LEADERBOARD_SIZE], improved)


@dataclass(frozen=True)
class CategoryCaught:
    category: categories.Category
    caught: int
    seen: int

    @property
    def share(self) -> int:
        return round(100 * self.caught / self.seen) if self.seen else 0


@dataclass(frozen=True)
class ClassSummary:
    players: int
    answers: int
    correct: int
    points: int
    caught: list[CategoryCaught] = field(default_factory=list)  # giveaways, best caught first
    fooled: list[tuple[QuizItem, int, int]] = field(default_factory=list)  # real clips called fake

    @property
    def share_correct(self) -> int:
        return round(100 * self.correct / self.answers) if self.answers else 0


def class_summary(game: LiveGame) -> ClassSummary:
    """The class's game in plain figures: how many right, which giveaways it caught (over
    answers to rounds whose generated clip carries them), which real clips fooled most."""
    answers = list(_answers(game).select_related("item__clip", "item__other_clip"))
    generated = {a.item.generated_clip().pk for a in answers}
    tells: dict[int, set[str]] = defaultdict(set)
    for clip_id, code in Artifact.objects.filter(
        clip_id__in=generated, category__in=categories.TELL_CODES
    ).values_list("clip_id", "category"):
        tells[clip_id].add(code)
    seen: dict[str, int] = defaultdict(int)
    caught: dict[str, int] = defaultdict(int)
    fooled: dict[int, list[int]] = {}
    items: dict[int, QuizItem] = {}
    for a in answers:
        for code in tells[a.item.generated_clip().pk]:
            seen[code] += 1
            caught[code] += a.is_correct
        if not a.item.is_pair and not a.item.clip.is_generated:
            items[a.item_id] = a.item
            called_fake = fooled.setdefault(a.item_id, [0, 0])
            called_fake[0] += not a.is_correct
            called_fake[1] += 1
    return ClassSummary(
        players=LivePlayer.objects.filter(game=game).count(),
        answers=len(answers),
        correct=sum(a.is_correct for a in answers),
        points=sum(a.points for a in answers),
        caught=sorted(
            (CategoryCaught(categories.BY_CODE[c], caught[c], seen[c]) for c in seen),
            key=lambda c: (-c.share, c.category.code),
        ),
        fooled=sorted(
            ((items[i], wrong, n) for i, (wrong, n) in fooled.items() if wrong),
            key=lambda row: (-row[1] / row[2], row[0].position),
        ),
    )


@dataclass(frozen=True)
class PlayerResult:
    answer: Answer | None  # the player's answer to the round on screen
    answered: int
    correct: int
    points: int
    rounds: int

    @property
    def max_points(self) -> int:
        return self.answered * MAX_POINTS


def player_result(game: LiveGame, player: LivePlayer) -> PlayerResult:
    """The player's answer to the current round and their totals in the game. While a round
    is open, its answer counts in none of the totals: the points it adds would say whether
    it was right before the reveal (to the player, and to anyone looking at their screen)."""
    own = list(Answer.objects.filter(attempt_id=player.attempt_id, item_id__in=game.round_order))
    current = next((a for a in own if a.item_id == game.current_item_id), None)
    counted = [a for a in own if a is not current or game.state != LiveGame.State.OPEN]
    return PlayerResult(
        answer=current,
        answered=len(counted),
        correct=sum(a.is_correct for a in counted),
        points=sum(a.points for a in counted),
        rounds=game.round_count,
    )


def session_player_id(session: Mapping[str, Any], game_id: int) -> int | None:
    """The guest player this session joined the game as, if any."""
    value = session.get(SESSION_KEY, {}).get(str(game_id))
    return value if isinstance(value, int) else None


def device_player(game: LiveGame, *, user: User | None, player_id: int | None) -> LivePlayer | None:
    """The player a browser is in the game: a signed-in user's own, else the guest player
    its session remembers (never one named by a form)."""
    players = LivePlayer.objects.filter(game=game).select_related("attempt", "user")
    if user is not None and user.is_authenticated:
        found = players.filter(user=user).first()
        if found is not None:
            return found
    if player_id is not None:
        return players.filter(pk=player_id, is_guest=True).first()
    return None


def device_media_name(
    *, game_id: int, user: User | None, session: Mapping[str, Any], name: str
) -> str | None:
    """The stored name of a round's file that `name` stands for on this browser's device
    (a media name of its player's attempt: quiz.selectors.play.media_key); else None."""
    game = LiveGame.objects.filter(pk=game_id).first()
    if game is None:
        return None
    player = device_player(game, user=user, player_id=session_player_id(session, game_id))
    return None if player is None else attempt_media_file(player.attempt, name)
