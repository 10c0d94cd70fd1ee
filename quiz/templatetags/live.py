"""The live lesson's part of other pages: a student's open class games (for the one-click
join on their home page), read where the partial is included so no other view changes."""

from __future__ import annotations

from django import template

from quiz.models import LiveGame
from quiz.selectors.live import class_games, open_games_for_student

register = template.Library()


@register.simple_tag(takes_context=True)
def live_games_for_student(context: template.Context) -> list[LiveGame]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return open_games_for_student(user)


@register.simple_tag
def class_live_games(classroom) -> list[LiveGame]:
    """The class's live lessons started from a quiz, for its page (only teachers of the class
    see that page)."""
    return class_games(classroom.pk)
