from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from quiz.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("quiz.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
