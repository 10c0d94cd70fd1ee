"""A new teacher signs up in Chromium, asks to join an existing school, is refused the clip
library, is approved by the school's administrator, and then opens it."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import School, User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page: Page, where: str) -> None:
    """axe-core's WCAG 2 A and AA rules, as tests/e2e/test_accessibility.py runs them."""
    page.evaluate(AXE)
    result = page.evaluate("options => axe.run(document, options)", RULES)
    found = [f"{v['id']}: {v['help']}" for v in result["violations"]]
    assert not found, f"{where}: " + "; ".join(found)


@pytest.fixture
def school_site(transactional_db, _media_root, live_server, settings):
    """A school with its administrator, and one clip in the shared library (made here rather
    than from the demo pack: this flow is about who may see it, not what it shows)."""
    from quiz.models import Clip

    school = School.objects.create(name="Riverside School")
    User.objects.create_user(
        "head", password="look-again-7", role="teacher", school=school, school_admin=True,
        first_name="Hana", email="head@example.org",
    )  # fmt: skip
    (settings.MEDIA_ROOT / "clips").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "clips" / "approval-flow-clip-0001.jpg").write_bytes(b"\xff\xd8\xff")
    Clip.objects.create(
        media_kind=Clip.MediaKind.IMAGE, status=Clip.Status.READY, is_generated=True,
        generator="Sora 2", media="clips/approval-flow-clip-0001.jpg",
        poster="clips/approval-flow-clip-0001.jpg", width=64, height=64,
        description="A lighthouse at dusk",
    )  # fmt: skip
    return live_server


def test_a_new_teacher_waits_for_the_school_administrator(
    page: Page, browser: Browser, school_site
):
    base = school_site.url
    page.goto(f"{base}/accounts/signup/teacher/")
    page.get_by_label("Username").fill("newteach")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("E-mail").fill("nia@example.org")
    page.get_by_label("School", exact=True).fill("riverside school")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password confirmation").fill("a-long-pass-phrase-42")
    page.get_by_role("button", name="Create account").click()

    # Typing an existing school's name never joins it: the teacher is asked to request it.
    expect(page.get_by_text("Riverside School already has teachers here")).to_be_visible()
    assert not User.objects.filter(username="newteach").exists()
    assert_accessible(page, "sign-up asking to join")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password confirmation").fill("a-long-pass-phrase-42")
    page.get_by_label("Ask to join Riverside School").check()
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url(f"{base}/classes/")
    expect(page.locator("#verification-notice")).to_contain_text(
        "waiting for approval by Riverside School's administrator"
    )
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Clip library")).to_have_count(0)
    page.goto(f"{base}/library/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert_accessible(page, "a waiting teacher's page")

    # The administrator approves the account on the Teachers page.
    head_context = browser.new_context()
    head = head_context.new_page()
    sign_in(head, base, "head", "look-again-7")
    head.get_by_role("navigation", name="Main").get_by_role("link", name="Teachers").click()
    row = head.locator("#pending-teachers tr", has_text="newteach")
    expect(row).to_contain_text("Asks to join the school")
    assert_accessible(head, "Teachers page")
    row.get_by_role("button", name=re.compile("Approve")).click()
    expect(head.locator(".messages")).to_contain_text("Nia Okafor is approved")
    expect(head.locator("#pending-teachers")).to_contain_text("Nobody is waiting")
    head_context.close()

    # The new teacher's next page has the library, with its clips.
    page.goto(f"{base}/classes/")
    expect(page.locator("#verification-notice")).to_have_count(0)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clip library").click()
    expect(page.get_by_role("heading", name="Clip library", exact=True)).to_be_visible()
    expect(page.locator("tr[id^='clip-']").first).to_be_visible()
