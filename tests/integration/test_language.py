"""German and English (issue 13 §1): the browser's language picks one, the switcher in the
header changes it (a POST with the CSRF token), and every word on the way comes from the
catalogue."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_browsers_language_picks_german():
    page = Client().get("/accounts/login/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    html = page.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html and "Sign in" not in html


def test_english_is_the_default_and_the_fallback():
    for accept in ("", "fr-FR,fr;q=0.9", "en-GB"):
        html = Client().get("/accounts/login/", headers={"Accept-Language": accept}).content
        assert b'<html lang="en">' in html and b"Sign in" in html


def test_the_switcher_names_each_language_in_its_own_words_and_marks_the_current_one():
    html = Client().get("/accounts/login/").content.decode()
    assert 'value="de"' in html and ">Deutsch</button>" in html
    assert 'value="en" class="link-button" lang="en" aria-describedby="language-label" ' in html
    assert 'aria-current="true" disabled>English</button>' in html


def test_the_switcher_keeps_the_choice_and_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    refused = Client(enforce_csrf_checks=True).post(
        "/i18n/setlang/", {"language": "de", "next": "/accounts/login/"}
    )
    assert refused.status_code == 403
    switched = client.post(
        "/i18n/setlang/",
        {"language": "de", "next": "/accounts/login/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302 and switched.url == "/accounts/login/"
    assert "Anmelden" in client.get("/accounts/login/").content.decode()
    # An unknown language or a foreign next address changes nothing harmful.
    odd = client.post(
        "/i18n/setlang/",
        {"language": "xx", "next": "https://evil.example/", "csrfmiddlewaretoken": token},
    )
    assert odd.status_code in (302, 204) and "evil.example" not in odd.get("Location", "")
    assert "Anmelden" in client.get("/accounts/login/").content.decode()


def test_each_language_keeps_its_own_name_in_german_too():
    html = Client().get("/accounts/login/", headers={"Accept-Language": "de"}).content.decode()
    assert ">English</button>" in html and "Englisch" not in html
    assert 'aria-current="true" disabled>Deutsch</button>' in html
