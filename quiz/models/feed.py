"""Feeds (quiz.services.feed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quiz.models.quizzes import Quiz

if TYPE_CHECKING:
    pass


# --- Feeds (quiz.services.feed) ----------------------------------------------------------


class FeedSettings(models.Model):
    """How a feed (a Quiz of mode FEED) plays: each clip shows for `seconds`, and the share of
    generated clips the teacher chose (its rounds hold exactly that share, rounded; the
    student is never told it before the end)."""

    quiz = models.OneToOneField(
        Quiz, primary_key=True, on_delete=models.CASCADE, related_name="feed_settings"
    )
    seconds = models.PositiveSmallIntegerField(_("seconds per clip"))
    generated_percent = models.PositiveSmallIntegerField(_("share of generated clips (%)"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(seconds__gte=2, seconds__lte=15), name="feedsettings_seconds_2_to_15"
            ),
            models.CheckConstraint(
                condition=Q(generated_percent__gte=10, generated_percent__lte=30),
                name="feedsettings_share_10_to_30",
            ),
        ]

    def __str__(self) -> str:
        return f"feed {self.quiz_id}: {self.seconds} s, {self.generated_percent} %"
