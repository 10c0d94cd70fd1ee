from __future__ import annotations

from django.urls import path

from quiz.views import teach

app_name = "teach"

urlpatterns = [
    path("assign/<slug:slug>/", teach.assignment_create, name="assignment_create"),
    path("assignments/", teach.assignment_list, name="assignment_list"),
    path("classes/<int:classroom_id>/stats/", teach.class_stats, name="class_stats"),
    path("assignments/<int:assignment_id>/", teach.assignment_live, name="assignment_live"),
    path(
        "assignments/<int:assignment_id>/report/",
        teach.assignment_report,
        name="assignment_report",
    ),
    path(
        "assignments/<int:assignment_id>/answers.csv",
        teach.assignment_answers_csv,
        name="assignment_answers_csv",
    ),
    path(
        "assignments/<int:assignment_id>/students.csv",
        teach.assignment_students_csv,
        name="assignment_students_csv",
    ),
]
