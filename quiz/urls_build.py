"""The teacher's quiz builder, included under "teach/quizzes/"."""

from __future__ import annotations

from django.urls import path

from quiz.views import build

app_name = "build"

urlpatterns = [
    path("", build.quiz_index, name="quiz_index"),
    path("new/", build.quiz_new, name="quiz_new"),
    path("<slug:slug>/", build.quiz_edit, name="quiz_edit"),
    path("<slug:slug>/copy/", build.quiz_copy, name="quiz_copy"),
]
