from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary blocking calls, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Let the test seek without a user gesture: media is muted anyway.
            "--autoplay-policy=no-user-gesture-required",
        ],
    }


@pytest.fixture
def demo_site(transactional_db, _media_root, demo_snapshot, live_server):
    from accounts.models import User

    demo_snapshot.load()  # what demo_pack_install leaves, without re-rendering the posters
    User.objects.create_user(username="student1", password="look-again-1", role="student")
    return live_server


def sign_in(page, base_url: str, username: str = "student1", password: str = "look-again-1"):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/play/")


def pre_and_post_tests(teacher, quiz, classroom, now):
    """A pre-test and a post-test of one unit ("Second looks") of `quiz` for `classroom`,
    open since an hour before `now` and due a day after."""
    from datetime import timedelta

    from tests.people import open_assignment

    return [
        open_assignment(
            teacher,
            quiz,
            classroom,
            opens_at=now - timedelta(hours=1),
            due_at=now + timedelta(days=1),
            unit_role=role,
            unit="Second looks",
        )
        for role in ("pre", "post")
    ]
