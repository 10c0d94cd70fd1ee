"""Live lessons (quiz.services.live)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quiz.models.quizzes import Assignment, Attempt, Quiz

if TYPE_CHECKING:
    pass


# --- Live lessons (quiz.services.live) ------------------------------------------------------


class LiveGame(models.Model):
    """A teacher-led game: the projector shows one round at a time and every player answers
    it on their own device. The state lives here (the source of truth: a reconnecting device
    or a second web process reads it again); Redis only carries the news that it changed.

    The rounds are played in the game's own order and sides (`seed`, `round_order`,
    `swapped_pairs`, drawn like an attempt's), the same on the projector and every device.
    No classroom: "anyone with the PIN" (players give a nickname).
    """

    class State(models.TextChoices):
        LOBBY = "lobby", _("Waiting for players")
        OPEN = "open", _("Round open")
        REVEALED = "revealed", _("Revealed")
        ENDED = "ended", _("Ended")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    classroom = models.ForeignKey(
        "accounts.Classroom", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    pin = models.CharField(_("game PIN"), max_length=6)
    state = models.CharField(max_length=8, choices=State, default=State.LOBBY)
    # The round on screen, from 0 in `round_order`; the reveal's step (0: the answers,
    # 1: the truth, 2...: the giveaways one by one).
    round_index = models.PositiveSmallIntegerField(default=0)
    reveal_step = models.PositiveSmallIntegerField(default=0)
    timer_s = models.PositiveSmallIntegerField(_("timer"), null=True, blank=True)
    leaderboard = models.BooleanField(_("leaderboard between rounds"), default=False)
    seed = models.BigIntegerField()
    round_order = models.JSONField()
    swapped_pairs = models.JSONField(default=list)
    round_opened_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change: the event id the devices see.
    version = models.PositiveIntegerField(default=1)
    last_activity_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pin"], condition=~Q(state="ended"), name="livegame_pin_once_open"
            ),
            models.UniqueConstraint(
                fields=["classroom"],
                condition=~Q(state="ended") & Q(classroom__isnull=False),
                name="livegame_one_open_per_class",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["lobby", "open", "revealed", "ended"]),
                name="livegame_state_known",
            ),
            models.CheckConstraint(
                condition=Q(timer_s__isnull=True) | Q(timer_s__in=[30, 60, 90]),
                name="livegame_timer_30_60_90",
            ),
            models.CheckConstraint(
                condition=Q(assignment__isnull=True) | Q(classroom__isnull=False),
                name="livegame_assignment_has_class",
            ),
        ]

    def __str__(self) -> str:
        return f"live {self.pin} ({self.state})"

    @property
    def is_ended(self) -> bool:
        return self.state == self.State.ENDED

    @property
    def for_anyone(self) -> bool:
        return self.classroom_id is None

    @property
    def round_count(self) -> int:
        return len(self.round_order)

    @property
    def current_item_id(self) -> int | None:
        if self.state == self.State.LOBBY or not self.round_order:
            return None
        return self.round_order[min(self.round_index, len(self.round_order) - 1)]


class LivePlayer(models.Model):
    """One player of a live game: a student of the class, or (anyone with the PIN) a guest
    user made for the nickname. Their answers are the Answer rows of `attempt`."""

    game = models.ForeignKey(LiveGame, on_delete=models.CASCADE, related_name="players")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="+")
    # What the projector and the leaderboard show: a first name or the nickname.
    name = models.CharField(_("name"), max_length=30)
    is_guest = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["game", "user"], name="liveplayer_once_per_game"),
        ]

    def __str__(self) -> str:
        return f"{self.name} in {self.game}"
