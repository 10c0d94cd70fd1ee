from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Classroom, User

pytestmark = pytest.mark.django_db


def test_sign_in_and_land_on_the_quiz_list(client, student):
    response = client.post(reverse("accounts:login"), {"username": "stu", "password": "pw-stu"})
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("quiz:quiz_list")


def test_wrong_password_gets_a_clear_message(client, student):
    response = client.post(reverse("accounts:login"), {"username": "stu", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_in_is_throttled_after_repeated_failures(client, student, settings):
    settings.LOGIN_THROTTLE_ATTEMPTS = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "stu", "password": "nope"})
    # even the right password is refused while throttled
    response = client.post(reverse("accounts:login"), {"username": "stu", "password": "pw-stu"})
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "x" * 5000, "password": "y"}, {"username": "<script>", "password": ""}],
)
def test_malformed_sign_in_never_fails_with_500(client, data):
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("</header>")[1]


def test_sign_out_needs_post(student_client):
    assert student_client.get(reverse("accounts:logout")).status_code == 405
    assert student_client.post(reverse("accounts:logout")).status_code == 302


def test_demo_accounts_are_created_once_and_printed(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("demo_accounts")
    first = capsys.readouterr().out
    call_command("demo_accounts")
    second = capsys.readouterr().out
    assert first == second  # the same logins, printed again
    saved = json.loads((tmp_path / "demo-accounts.json").read_text())
    for username in ("teacher", "student1", "student2", "educator"):
        assert username in first and saved[username] in first
        assert User.objects.get(username=username).check_password(saved[username])
    classroom = Classroom.objects.get(name="Demo class")
    assert set(classroom.students.values_list("username", flat=True)) == {"student1", "student2"}
    assert User.objects.get(username="teacher").role == "teacher"


def test_settings_refuse_nonsense_values():
    import subprocess
    import sys

    for name, value, message in [
        ("DEBUG", "perhaps", "DEBUG must be true or false"),
        ("STATS_MIN_GROUP", "five", "STATS_MIN_GROUP must be a whole number"),
        ("STATS_MIN_GROUP", "0", "STATS_MIN_GROUP must be at least 1"),
        ("REDIS_URL", "http://x", "REDIS_URL must start with"),
        ("TEACHER_SIGNUP", "anyone", "TEACHER_SIGNUP must be approval, invite or open"),
    ]:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={"DJANGO_SETTINGS_MODULE": "config.settings", name: value, "PATH": ""},
            capture_output=True,
            text=True,
        )
        assert result.returncode != 0 and message in result.stderr, (name, result.stderr)


def test_production_refuses_to_start_without_a_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_unknown_pages_get_the_site_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing here" in response.content.decode()
