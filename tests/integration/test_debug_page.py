"""A development site's error page (DEBUG, as `make run` serves) shows the variables of the
failed code to staff only: they could hold a clip's truth."""

from __future__ import annotations

import pytest
from django.http import Http404, HttpRequest
from django.test import Client
from django.urls import path

from accounts.models import User
from config.urls import urlpatterns as site_patterns

# Only ever a value at run time (the page also quotes the source lines around a failure).
SECRET = "-".join(("the", "third", "paw", "is", "the", "giveaway"))


def _fails(request: HttpRequest):
    truth = SECRET  # a local variable of the failing code
    raise RuntimeError("failed " + str(len(truth)))


urlpatterns = [path("fails/", _fails)]


@pytest.mark.urls("tests.integration.test_debug_page")
@pytest.mark.django_db
def test_the_debug_error_page_shows_variables_to_staff_only(settings):
    settings.DEBUG = True
    student = User.objects.create_user("dbg-student", password="x", role="student")
    staff = User.objects.create_user("dbg-staff", password="x", is_staff=True)
    pages = {}
    for who in (None, student, staff):
        client = Client(raise_request_exception=False)
        if who is not None:
            client.force_login(who)
        response = client.get("/fails/")
        assert response.status_code == 500
        pages[who.username if who else "visitor"] = response.content.decode()
    assert "RuntimeError" in pages["visitor"] and "failed 29" in pages["visitor"]
    assert SECRET not in pages["visitor"] and SECRET not in pages["dbg-student"]
    assert "Only staff see the variables" in pages["dbg-student"]
    assert SECRET in pages["dbg-staff"]


def _missing(request: HttpRequest):
    raise Http404("No clip matches the given query.")


# The site's own pages too: its 404 page links home.
urlpatterns += [path("missing/", _missing), *site_patterns]


@pytest.mark.urls("tests.integration.test_debug_page")
@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/missing/", "/no-such-page/"])
def test_the_debug_not_found_page_is_for_staff_only(settings, address):
    """Django's technical 404 (the URL patterns tried, in a table wider than a phone) goes to
    staff; visitors and students get the site's own page, with its status, as in production."""
    settings.DEBUG = True
    student = User.objects.create_user("nf-student", password="x", role="student")
    staff = User.objects.create_user("nf-staff", password="x", is_staff=True)
    for who in (None, student, staff):
        client = Client()
        if who is not None:
            client.force_login(who)
        response = client.get(address)
        assert response.status_code == 404
        page = response.content.decode()
        technical = "Using the URLconf" in page or "No clip matches" in page
        assert technical == (who is staff), (who, page[:300])
        if who is not staff:
            assert "There is nothing here, or it is not yours to see." in page
