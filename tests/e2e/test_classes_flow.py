"""A teacher sets up a class in Chromium; a student signs in with a printed card."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Classroom, School, User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def teacher_site(demo_site):
    school = School.objects.create(name="Riverside School")
    User.objects.create_user(
        "msrivers", password="look-again-2", role="teacher", school=school, first_name="Ms"
    )
    return demo_site


def test_teacher_creates_a_class_adds_students_and_prints_cards(page: Page, teacher_site):
    base = teacher_site.url
    sign_in(page, base, "msrivers", "look-again-2")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Name").fill("9A Media")
    page.get_by_label("Grade").fill("Year 9")
    page.get_by_role("button", name="Create class").click()
    classroom = Classroom.objects.get(name="9A Media")
    expect(page.locator(".join-code")).to_have_text(classroom.join_code)

    # Rotating the code swaps the panel in place (htmx) and retires the old code.
    old_code = classroom.join_code
    page.get_by_role("button", name="New code").click()
    expect(page.get_by_role("status")).to_contain_text("old one no longer works")
    classroom.refresh_from_db()
    assert classroom.join_code != old_code
    expect(page.locator(".join-code")).to_have_text(classroom.join_code)

    page.get_by_label("Student names, one per line").fill("Ada Lovelace\nGrace Hopper\nAlan Turing")
    page.get_by_role("button", name="Create accounts and print cards").click()
    expect(page.get_by_role("heading", name=re.compile("Login cards"))).to_be_visible()
    cards = page.locator(".login-card")
    expect(cards).to_have_count(3)

    # The print layout shows only the cards.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the cards")).to_be_hidden()
    expect(cards.first).to_be_visible()
    page.emulate_media(media="screen")

    first = cards.first
    username = first.locator("code.credential").nth(0).inner_text()
    password = first.locator("code.credential").nth(1).inner_text()
    assert first.locator(".card-name").inner_text() == "Ada Lovelace"

    page.get_by_role("button", name=re.compile("Sign out")).click()
    sign_in(page, base, username, password)
    expect(
        page.get_by_role("button", name=re.compile("Sign out \\(Ada Lovelace\\)"))
    ).to_be_visible()
    assert Classroom.objects.get(name="9A Media").students.filter(username=username).exists()


def test_student_joins_a_class_with_the_projected_code(page: Page, teacher_site):
    teacher = User.objects.get(username="msrivers")
    from accounts.services import classroom_create

    classroom = classroom_create(teacher=teacher, name="Media club")
    sign_in(page, teacher_site.url)
    page.get_by_role("link", name="Join a class", exact=True).click()
    page.get_by_label("Class code").fill(classroom.join_code.lower())
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You joined Media club")).to_be_visible()
    assert classroom.students.filter(username="student1").exists()
