from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from quiz.views import home

urlpatterns = [
    path("", home.home, name="home"),
    path("", include("accounts.urls")),
    path("", include("quiz.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers that ignore the page's <link rel="icon"> ask for /favicon.ico.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
