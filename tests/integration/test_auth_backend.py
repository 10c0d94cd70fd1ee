"""The sign-in backend: the signed-in user comes with their school in one query, sessions
signed in by Django's own backend stay signed in, and a wrong password is checked once."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import School, User


@pytest.fixture
def pupil(db) -> User:
    school = School.objects.create(name="Hillside", time_zone="Asia/Tokyo")
    return User.objects.create_user(
        "pupil", password="a long pass phrase", role="student", school=school
    )


def _signed_in_queries(client: Client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("quiz:progress"))
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_signed_in_page_reads_the_user_and_their_school_in_one_query(pupil):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "pupil", "password": "a long pass phrase"}
    )
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.UserWithSchoolBackend"
    queries = _signed_in_queries(client)
    user_reads = [q for q in queries if 'FROM "accounts_user"' in q]
    assert len(user_reads) == 1 and 'JOIN "accounts_school"' in user_reads[0]
    assert not [q for q in queries if q.startswith("SELECT") and 'FROM "accounts_school"' in q]


def test_a_session_django_signed_in_stays_signed_in(pupil):
    client = Client()
    client.force_login(pupil, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("quiz:progress"))
    assert response.status_code == 200
    assert response.wsgi_request.user == pupil


def test_a_wrong_password_is_hashed_once_not_once_per_backend(pupil, monkeypatch):
    verified = []
    original = MD5PasswordHasher.verify

    def counting(self, password, encoded):
        verified.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting)
    response = Client().post(
        reverse("accounts:login"), {"username": "pupil", "password": "not the pass phrase"}
    )
    assert response.status_code == 200  # the form again, with its message
    assert verified == ["not the pass phrase"]
