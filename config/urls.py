from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from quiz.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("quiz.urls")),
    path("teach/quizzes/", include("quiz.urls_build")),
    path("library/upload/", include("quiz.urls_upload")),
    path("library/", include("quiz.urls_library")),
    path("teach/", include("quiz.urls_teach")),
    path("insights/", include("quiz.urls_insights")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
