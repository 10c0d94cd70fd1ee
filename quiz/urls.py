from __future__ import annotations

from django.urls import path

from quiz.views import media, play

app_name = "quiz"

urlpatterns = [
    path("play/", play.quiz_list, name="quiz_list"),
    path("play/<slug:slug>/start/", play.attempt_start, name="attempt_start"),
    path("assignments/<int:assignment_id>/start/", play.assignment_start, name="assignment_start"),
    path("attempts/<int:attempt_id>/", play.attempt_play, name="attempt_play"),
    path(
        "attempts/<int:attempt_id>/rounds/<int:item_id>/answer/",
        play.answer_submit,
        name="answer_submit",
    ),
    path(
        "attempts/<int:attempt_id>/rounds/<int:item_id>/feedback/",
        play.round_feedback,
        name="round_feedback",
    ),
    path("attempts/<int:attempt_id>/summary/", play.attempt_summary, name="attempt_summary"),
    path("progress/", play.progress, name="progress"),
    path("m/<path:name>", media.serve, name="media"),
]
