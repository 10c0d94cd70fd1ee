"""Every round fits its screen (issue 13 §2): on a 1366×768 laptop the clip, the answer, the
confidence and the submit button are all visible without scrolling, single rounds and pairs
alike; on a 390-px phone nothing scrolls sideways, rounds and feedback alike."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from quiz.models import Quiz
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

IN_VIEW = """(selector) => { const el = document.querySelector(selector); if (!el) return null;
  const r = el.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _answer_any(page: Page) -> None:
    """The first answer offered; a spot round ("where is the giveaway?") is marked with a
    click on the middle of its picture."""
    if page.locator(".spot-round").count():
        page.locator("[data-spot-layer]").click()
    else:
        page.locator("#answer-form .choice input").first.check()


def _kind(page: Page) -> str:
    if page.locator(".spot-round").count():
        return "spot"
    return "pair" if page.locator(".clips.pair").count() else "single"


def _play_every_round(page: Page, check_round, check_feedback) -> set[str]:
    quiz = Quiz.objects.get(slug="demo")
    total = quiz.items.count()
    page.get_by_role("button", name=re.compile("^Start: Demo quiz")).click()
    kinds = set()
    for n in range(total):
        expect(page.locator("#stage").get_by_text(f"Round {n + 1} of {total}")).to_be_visible()
        kinds.add(_kind(page))
        check_round(n)
        _answer_any(page)
        page.get_by_role("button", name="Submit answer").click()
        expect(page.locator("#feedback-title")).to_be_visible()
        check_feedback(n)
        page.locator(".feedback a.button.primary").first.click()
    return kinds


def test_a_round_fits_a_laptop_screen(page: Page, demo_site):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, demo_site.url)

    def check_round(n: int) -> None:
        # A spot round is answered on the picture itself (its grid is the no-JS fallback).
        answer = "[data-spot-layer]" if _kind(page) == "spot" else "#answer-form fieldset.guess"
        for selector in (
            "#answer-form button[type=submit]",
            answer,
            "#answer-form input[type=range]",
            "#answer-form .clips .media-frame",
        ):
            assert page.evaluate(IN_VIEW, selector) is True, (n, selector)
        if page.locator(".clips.pair").count():
            # Both clips side by side, each at a useful size.
            boxes = [page.locator(".clips .clip").nth(i).bounding_box() for i in range(2)]
            assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2, boxes
            assert min(b["width"] for b in boxes) >= 300, boxes
            assert page.evaluate(IN_VIEW, "#answer-form .clips .clip:nth-child(2) .media-frame")
        assert page.evaluate(SIDEWAYS) == 0

    def check_feedback(n: int) -> None:
        assert page.evaluate(SIDEWAYS) == 0

    kinds = _play_every_round(page, check_round, check_feedback)
    assert kinds == {"single", "pair", "spot"}


def test_nothing_scrolls_sideways_on_a_phone(page: Page, demo_site):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, demo_site.url)

    def no_sideways(n: int) -> None:
        assert page.evaluate(SIDEWAYS) == 0, n

    _play_every_round(page, no_sideways, no_sideways)
    page.goto(f"{demo_site.url}/progress/")
    assert page.evaluate(SIDEWAYS) == 0


def test_the_next_round_is_a_few_tab_presses_from_the_feedback(page: Page, demo_site):
    sign_in(page, demo_site.url)
    page.get_by_role("button", name=re.compile("^Start: Demo quiz")).click()
    _answer_any(page)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.locator("#feedback-title")).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement.textContent.trim()")
        if text == "Next round":
            break
    else:
        raise AssertionError("the next round is more than 3 Tab presses away")
    page.keyboard.press("Enter")
    expect(page.locator("#stage").get_by_text(re.compile(r"Round 2 of \d+"))).to_be_visible()


def test_a_wide_table_scrolls_inside_its_box_with_its_hidden_words(page: Page, demo_site):
    """A table wider than the phone scrolls in its own box, and so do the words in it kept
    for screen readers only (an educator's heatmap says "hidden" and why in narrow cells):
    they must not widen the page."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, demo_site.url)
    page.goto(f"{demo_site.url}/progress/")
    page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.className = 'table-scroll';
          const table = box.appendChild(document.createElement('table'));
          const row = table.insertRow();
          for (let i = 0; i < 30; i++) {
            const cell = row.insertCell();
            cell.textContent = 'hidden';
            const why = cell.appendChild(document.createElement('span'));
            why.className = 'visually-hidden';
            why.textContent = ' (fewer than 5 students)';
          }
          document.querySelector('main').append(box);
        }"""
    )
    assert (
        page.evaluate("document.querySelector('main .table-scroll:last-child').scrollWidth") > 390
    )
    assert page.evaluate(SIDEWAYS) == 0


def test_on_a_phone_the_main_menu_folds_behind_a_button(page: Page, demo_site):
    """A teacher's dozen menu links would fill a third of a phone's screen: there they fold
    behind "Menu" (a button that says whether it is open, closed again with Escape); on a
    laptop they are all in view."""
    from accounts.models import User

    User.objects.create_user("menuteach", password="look-again-4", role="teacher")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_site.url}/accounts/login/")
    page.get_by_label("Username").fill("menuteach")
    page.get_by_label("Password").fill("look-again-4")
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 0.12 * 844
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Classes")).to_be_visible()
    assert page.evaluate(SIDEWAYS) == 0
    nav.get_by_role("link", name="Classes").focus()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(menu).to_be_hidden()
    expect(nav.get_by_role("link", name="Classes")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_school_administrators_menu_fits_one_line_of_a_laptop(page: Page, demo_site, language):
    """The longest teacher menu (an approved school administrator's, in German) stays on one
    line at 1366 px; who is signed in shows under the site's name, and "Sign out" still says
    whom it signs out to a screen reader."""
    from accounts.models import School
    from tests.people import school_teacher

    admin = school_teacher(School.objects.create(name="Menu school"), username="menuadmin")
    admin.set_password("look-again-4")
    admin.first_name, admin.last_name = "Maximiliane", "Mustermann-Lüdenscheid"
    admin.school_admin, admin.language = True, language
    admin.save()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, demo_site.url, "menuadmin", "look-again-4")
    nav = page.locator("#main-nav")
    expect(nav.locator("a[href='/teachers/']")).to_be_visible()
    tops = nav.evaluate("n => [...n.children].map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(tops) >= 11 and len(set(tops)) == 1, tops
    expect(page.locator(".signed-in")).to_contain_text("Maximiliane Mustermann-Lüdenscheid")
    sign_out = "Abmelden" if language == "de" else "Sign out"
    expect(
        page.get_by_role(
            "button", name=f"{sign_out} (Maximiliane Mustermann-Lüdenscheid)", exact=True
        )
    ).to_be_visible()
    assert page.evaluate(SIDEWAYS) == 0
