"""A curator annotates a demo clip in Chromium: seeks, drags a box with the mouse, marks the
time range, saves; then edits the artifact with the keyboard alone and deletes it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from quiz.models import Artifact, Clip
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def curator_site(demo_site):
    User.objects.create_user(
        "curator", password="look-again-3", role="teacher", is_staff=True, first_name="Cura"
    )
    return demo_site


def _seek(page: Page, seconds: float) -> None:
    page.get_by_label("Position (s)").fill(str(seconds))
    page.wait_for_function(
        """(t) => { const v = document.getElementById('library-media');
             return v && v.paused && Math.abs(v.currentTime - t) < 0.05; }""",
        arg=seconds,
        timeout=10_000,
    )


def _value(page: Page, label: str) -> float:
    return float(page.get_by_label(label, exact=True).input_value())


def test_curator_annotates_edits_by_keyboard_and_deletes(page: Page, curator_site):
    base = curator_site.url
    sign_in(page, base, "curator", "look-again-3")
    clip = Clip.objects.get(key="demo-deep-field-new-galaxy")
    before = set(clip.artifacts.values_list("pk", flat=True))

    page.goto(f"{base}/library/")
    page.get_by_label("Media").select_option("video")
    # htmx swaps the results and pushes the filter into the address.
    expect(page).to_have_url(re.compile(r"media_kind=video"))
    # Narrowed to one category, the clip is on the first page however large the pack grows.
    page.get_by_label("Artifact category").select_option("count")
    expect(page).to_have_url(re.compile(r"category=count"))
    page.get_by_role("link", name=f"Clip {clip.pk}", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"^Clip {clip.pk}"))).to_be_visible()
    page.wait_for_function("() => document.getElementById('library-media').readyState >= 1")

    # Scrub to the moment, mark the start, scrub on, mark the end.
    _seek(page, 0.6)
    page.get_by_role("button", name="Mark start").click()
    expect(page.get_by_label("Start (s)")).to_have_value("0.6")
    _seek(page, 1.4)
    page.get_by_role("button", name="Mark end").click()
    expect(page.get_by_label("End (s)")).to_have_value("1.4")

    # Drag a box over the frame: the numeric fields follow.
    page.locator("[data-draw-layer]").scroll_into_view_if_needed()
    layer = page.locator("[data-draw-layer]").bounding_box()
    assert layer is not None
    page.mouse.move(layer["x"] + 0.2 * layer["width"], layer["y"] + 0.3 * layer["height"])
    page.mouse.down()
    page.mouse.move(layer["x"] + 0.6 * layer["width"], layer["y"] + 0.7 * layer["height"], steps=8)
    page.mouse.up()
    assert abs(_value(page, "Left (%)") - 20) < 1 and abs(_value(page, "Top (%)") - 30) < 1
    assert abs(_value(page, "Width (%)") - 40) < 1 and abs(_value(page, "Height (%)") - 40) < 1
    expect(page.locator("[data-draw-box]")).to_have_attribute("visibility", "visible")

    page.get_by_label("Category").select_option("physics")
    page.get_by_label("Explanation", exact=True).fill("Snowflakes rise instead of falling.")
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name="Save artifact").click()
    expect(page.locator("#announce")).to_have_text("Artifact saved.")

    artifact = clip.artifacts.exclude(pk__in=before).get()
    assert artifact.category == "physics"
    assert (artifact.start_s, artifact.end_s) == (0.6, 1.4)
    assert abs(artifact.box_x - 0.2) < 0.01 and abs(artifact.box_w - 0.4) < 0.01
    item = page.locator(f"#artifact-{artifact.pk}")
    expect(item).to_contain_text("Snowflakes rise instead of falling.")
    expect(item).to_be_focused()
    expect(
        page.locator(f'rect.artifact-box[data-artifact="artifact-{artifact.pk}"]')
    ).to_have_count(1)
    # The editor is fresh for the next artifact; the page was never reloaded.
    expect(page.get_by_label("Explanation", exact=True)).to_have_value("")
    assert page.evaluate("window.__sameDocument") is True

    # Edit with the keyboard only: open the editor, tab through the fields, type, save.
    item.get_by_role("link", name=re.compile("^Edit")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#editor-title")).to_be_focused()
    expect(page.locator("#editor-title")).to_contain_text("Edit the artifact")
    for label, value in (
        ("Left (%)", "5"),
        ("Top (%)", "10"),
        ("Width (%)", "50"),
        ("Height (%)", "30"),
    ):
        page.keyboard.press("Tab")
        expect(page.get_by_label(label, exact=True)).to_be_focused()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value)
    # The drawn box follows what is typed.
    expect(page.locator("[data-draw-box]")).to_have_attribute("width", "50")
    page.keyboard.press("Tab")  # start
    page.keyboard.press("Tab")  # mark start
    page.keyboard.press("Tab")  # end
    expect(page.get_by_label("End (s)")).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2")
    page.keyboard.press("Tab")  # mark end
    page.keyboard.press("Tab")  # category
    expect(page.get_by_label("Category")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Explanation", exact=True)).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("The snow drifts upwards, against gravity.")
    # The explanation in the site's other languages sits in a closed disclosure on the way.
    page.keyboard.press("Tab")
    expect(page.get_by_text("The explanation in other languages")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Explanation in Deutsch (optional)")).to_be_focused()
    page.keyboard.type("Der Schnee treibt nach oben, gegen die Schwerkraft.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save changes")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).to_have_text("Artifact saved.")
    artifact.refresh_from_db()
    assert (artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h) == (0.05, 0.1, 0.5, 0.3)
    assert (artifact.start_s, artifact.end_s) == (0.6, 2.0)
    assert artifact.explanation == "The snow drifts upwards, against gravity."
    assert artifact.translations == {
        "de": {"explanation": "Der Schnee treibt nach oben, gegen die Schwerkraft."}
    }
    expect(
        page.locator(f'rect.artifact-box[data-artifact="artifact-{artifact.pk}"]')
    ).to_have_attribute("width", "50.000000")

    # Delete, after confirming.
    messages: list[str] = []

    def accept(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator(f"#artifact-{artifact.pk}").get_by_role(
        "button", name=re.compile("^Delete")
    ).click()
    expect(page.locator("#announce")).to_have_text("Artifact deleted.")
    expect(page.locator(f"#artifact-{artifact.pk}")).to_have_count(0)
    expect(page.locator(f'rect[data-artifact="artifact-{artifact.pk}"]')).to_have_count(0)
    assert messages and "Delete the artifact" in messages[0]
    assert not Artifact.objects.filter(pk=artifact.pk).exists()
    assert set(clip.artifacts.values_list("pk", flat=True)) == before
