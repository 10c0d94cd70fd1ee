"""The quiz app's models, one module per part (DESIGN.md): the library's clips, the quizzes
and their answers, the statistics tables, pack jobs, and the learning modes and live games.
Everything is imported here, so `from quiz.models import Clip` works as it always has."""

from __future__ import annotations

from quiz.models.feed import (
    FeedSettings,
)
from quiz.models.learn import (
    LessonCheck,
)
from quiz.models.library import (
    Artifact,
    Clip,
    ClipQuerySet,
    in_language,
)
from quiz.models.live import (
    LiveGame,
    LivePlayer,
)
from quiz.models.packs import (
    PackJob,
)
from quiz.models.practice import (
    BoosterPlan,
    ClipRating,
    PracticeGoal,
    PracticePending,
    PracticeSet,
    SkillRating,
)
from quiz.models.quizzes import (
    Answer,
    Assignment,
    Attempt,
    AttemptQuerySet,
    Quiz,
    QuizItem,
    QuizQuerySet,
    pending_assignment_items,
)
from quiz.models.stats import (
    StatCell,
    StatItemSums,
    StatPending,
    StatStudent,
    StatStudentHome,
)

__all__ = [
    "Answer",
    "Artifact",
    "Assignment",
    "Attempt",
    "AttemptQuerySet",
    "BoosterPlan",
    "Clip",
    "ClipQuerySet",
    "ClipRating",
    "FeedSettings",
    "LessonCheck",
    "LiveGame",
    "LivePlayer",
    "PackJob",
    "PracticeGoal",
    "PracticePending",
    "PracticeSet",
    "Quiz",
    "QuizItem",
    "QuizQuerySet",
    "SkillRating",
    "StatCell",
    "StatItemSums",
    "StatPending",
    "StatStudent",
    "StatStudentHome",
    "in_language",
    "pending_assignment_items",
]
