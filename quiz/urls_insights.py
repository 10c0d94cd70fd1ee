from __future__ import annotations

from django.urls import path

from quiz.views import insights

app_name = "insights"

urlpatterns = [
    path("", insights.index, name="index"),
    path("schools/<int:school_id>/", insights.school_overview, name="school_overview"),
    path(
        "schools/<int:school_id>/overview.csv",
        insights.school_overview_csv,
        name="school_overview_csv",
    ),
    path(
        "schools/<int:school_id>/overview.json",
        insights.school_overview_json,
        name="school_overview_json",
    ),
    path("schools/<int:school_id>/categories/", insights.categories, name="categories"),
    path("schools/<int:school_id>/generators/", insights.generators, name="generators"),
    path("schools/<int:school_id>/calibration/", insights.calibration, name="calibration"),
    path(
        "schools/<int:school_id>/learning-curve/",
        insights.learning_curve,
        name="learning_curve",
    ),
    path("schools/<int:school_id>/gains/", insights.gains, name="gains"),
    path("schools/<int:school_id>/items/", insights.items, name="items"),
]
