from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = _("Quiz")

    def ready(self) -> None:
        # Register the tasks in every process (web too), so quiz.background.enqueue finds
        # them by name and task_always_eager can run them in place.
        from quiz import tasks  # noqa: F401
