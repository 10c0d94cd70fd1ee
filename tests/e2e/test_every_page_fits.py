"""Every main page of every role fits a 390-px phone (issue 13 §2): at 390×844 nothing
scrolls sideways (`scrollWidth <= innerWidth`), and no page breaks the Content Security
Policy (no inline style from a template, a chart or htmx).

The data are made with the ORM: a school with two classes of six students (enough for the
educator's figures: STATS_MIN_GROUP is 5) who played the demo quiz as a pre- and a post-test,
student1 in one of them with a finished assignment (feedback with magnified replays, the
summary) and an open practice round, a teacher's own quiz, a clip with a very long source
URL, and a failed pack import with long problems. Set FIT_SCREENSHOTS to a folder to keep a
screenshot of every page."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.models import Classroom, Enrollment, School, User
from quiz.models import Artifact, Attempt, Clip, PackJob, Quiz
from quiz.selectors.play import attempt_rounds
from quiz.services.builder import quiz_copy
from quiz.services.library import artifact_replay_render
from quiz.services.play import answer_submit, attempt_start
from quiz.stats import aggregation
from tests import spot_answers
from tests.e2e.conftest import pre_and_post_tests

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PASSWORD = "look-again-7"
LONG_URL = (
    "https://example.org/" + "a-very-long-path-segment-without-any-break" * 8 + "?q=" + "x" * 120
)
# Listens from the first script on: every Content Security Policy violation of the page.
CSP_LISTENER = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'} ${e.sourceFile || ''}:${e.lineNumber || ''}`);
});"""
SIDEWAYS = "[document.documentElement.scrollWidth, window.innerWidth]"
# The innermost elements that reach past the window's right edge: what to fix.
OVERFLOWING = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const wide = [...document.body.querySelectorAll('*')].filter(
    (el) => el.getBoundingClientRect().right > innerWidth + 1);
  return wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)))
    .slice(0, 4).map((el) => `${name(el.parentElement)} > ${name(el)}`
      + ` (${Math.round(el.getBoundingClientRect().right)} px)`);
}"""
CSP_WORDS = ("Content Security Policy", "Refused to apply inline style", "Refused to")


def _play(student: User, quiz: Quiz, assignment, rng: random.Random, skill: float) -> Attempt:
    attempt = attempt_start(user=student, quiz=quiz, assignment=assignment)
    for shown in attempt_rounds(attempt):  # its own order, on the sides it shows
        is_right = rng.random() < skill
        if shown.item.is_spot:  # a mark on its giveaway, or far from it
            kwargs = spot_answers.submit_kwargs(shown.item, right=is_right)
        else:
            right = shown.correct_option()
            wrong = next(o for o in shown.item.options() if o != right)
            kwargs = {"guess": right if is_right else wrong}
        answer_submit(
            attempt=attempt,
            item=shown.item,
            confidence=rng.randrange(50, 101),
            **kwargs,
        )
    return attempt


@pytest.fixture
def full_site(demo_site):
    school = School.objects.create(name="Riverside Comprehensive", time_zone="Europe/London")
    teacher = User.objects.create_user(
        "mrsriver",
        password=PASSWORD,
        role="teacher",
        school=school,
        first_name="Rivka",
        last_name="Riverbank-Featherstonehaugh",
    )
    if hasattr(teacher, "school_admin"):
        teacher.school_admin = True
        teacher.save()
    educator = User.objects.create_user("eddie", password=PASSWORD, role="educator", school=school)
    school.educators.add(educator)
    student1 = User.objects.get(username="student1")
    student1.school = school
    student1.save()
    quiz = Quiz.objects.get(slug="demo")
    rng = random.Random(13)
    now = timezone.now()
    classes, assignments = [], []
    for name, grade in (("7A Media literacy", "7"), ("8B", "8")):
        classroom = Classroom.objects.create(school=school, name=name, grade=grade)
        classroom.teachers.add(teacher)
        tests = pre_and_post_tests(teacher, quiz, classroom, now)
        for n in range(6):  # above STATS_MIN_GROUP, so the figures are shown
            student = User.objects.create_user(
                f"{grade}-pupil{n}",
                password="x",
                role="student",
                school=school,
                first_name=f"Maximiliane{n}",
                last_name="Oberhollenzer-Wittgenstein",
            )
            Enrollment.objects.create(classroom=classroom, student=student)
            for skill, assignment in zip((0.5, 0.75), tests, strict=True):
                _play(student, quiz, assignment, rng, skill)
        classes.append(classroom)
        assignments.append(tests)
    # student1: a finished assignment (feedback, summary) and an open practice round.
    Enrollment.objects.create(classroom=classes[0], student=student1)
    # (both tests of the unit: one who took only one would hide the class's learning gain)
    finished = _play(student1, quiz, assignments[0][0], rng, 0.6)
    _play(student1, quiz, assignments[0][1], rng, 0.7)
    practice = attempt_start(user=student1, quiz=Quiz.objects.get(slug="demo-practice"))
    aggregation.fold_all()
    # The snapshot has no magnified replays (a worker renders them): render the demo quiz's.
    items = quiz.items.all()
    shown = {i.clip_id for i in items} | {i.other_clip_id for i in items if i.other_clip_id}
    for artifact in Artifact.objects.filter(clip__in=shown):
        artifact_replay_render(artifact_id=artifact.pk)

    # A clip with a very long source URL, credit and file name, uploaded by the teacher.
    clip = Clip.objects.filter(is_generated=True, artifacts__isnull=False).first()
    clip.source_url = LONG_URL
    clip.credit = "Footage: " + "Kameraaufnahmenzusammenstellungsgesellschaft" * 3
    clip.original_name = "clip-" + "0123456789abcdef" * 12 + ".mp4"
    clip.uploaded_by = teacher
    clip.school = school
    clip.save()
    own_quiz = quiz_copy(teacher=teacher, quiz=quiz)
    job = PackJob.objects.create(
        kind=PackJob.Kind.IMPORT,
        owner=teacher,
        status=PackJob.Status.FAILED,
        title="pack-" + "x" * 120 + ".zip",
        problems=[f"items[0].media: the file media/{'y' * 150}.mp4 is not in the pack"],
        finished_at=now,
    )
    return {
        "base": demo_site.url,
        "school": school,
        "classes": classes,
        "assignment": assignments[0][0],
        "finished": finished,
        "practice": practice,
        "clip": clip,
        "own_quiz": own_quiz,
        "job": job,
        "replays": Artifact.objects.exclude(replay="").count(),
    }


def _pages(site) -> dict[str, list[tuple[str, str]]]:
    """(what, path) of every page each role opens, by role."""
    finished, practice = site["finished"], site["practice"]
    rounds = attempt_rounds(finished)
    klass, other = site["classes"]
    school = site["school"].pk
    assignment = site["assignment"].pk
    return {
        "student": [
            ("home", "/"),
            ("quizzes", "/play/"),
            ("a round", f"/attempts/{practice.pk}/"),
            *[
                (f"feedback {n}", f"/attempts/{finished.pk}/rounds/{shown.key}/feedback/")
                for n, shown in enumerate(rounds, start=1)
            ],
            ("summary", f"/attempts/{finished.pk}/summary/"),
            ("progress", "/progress/"),
            ("join a class", "/join/"),
            ("privacy", "/privacy/"),
            ("lessons", "/learn/"),
            ("a lesson", "/learn/count/"),
            ("join a live game", "/live/"),
        ],
        "teacher": [
            ("classes", "/classes/"),
            ("new class", "/classes/new/"),
            ("class detail", f"/classes/{klass.pk}/"),
            ("class join sheet", f"/classes/{klass.pk}/join-sheet/"),
            ("login cards", f"/classes/{klass.pk}/cards/"),
            ("class statistics", f"/teach/classes/{other.pk}/stats/"),
            ("quizzes", "/teach/quizzes/"),
            ("new quiz", "/teach/quizzes/new/"),
            ("builder", f"/teach/quizzes/{site['own_quiz'].slug}/"),
            ("builder (demo quiz, read only)", "/teach/quizzes/demo/"),
            ("assignments", "/teach/assignments/"),
            ("assign form", "/teach/assign/demo/"),
            ("report", f"/teach/assignments/{assignment}/report/"),
            ("live view", f"/teach/assignments/{assignment}/"),
            ("live view, projector", f"/teach/assignments/{assignment}/?projector=1"),
            ("library", "/library/"),
            ("clip page (long source URL)", f"/library/clips/{site['clip'].pk}/"),
            ("upload", "/library/upload/"),
            ("upload status", "/library/upload/status/"),
            ("one upload's status", f"/library/upload/status/{site['clip'].pk}/"),
            ("packs", "/library/packs/import/"),
            ("pack job", f"/library/packs/jobs/{site['job'].pk}/"),
            ("teachers", "/teachers/"),
            ("progress", "/progress/"),
            ("lessons", "/teach/lessons/"),
            ("new feed", "/teach/feeds/new/"),
            ("assign practice", "/teach/practice/assign/"),
            ("live games", "/teach/games/"),
            ("new live game", "/teach/games/new/demo/"),
        ],
        "educator": [
            ("insights index", "/insights/"),
            ("insights overview", f"/insights/schools/{school}/"),
            ("insights categories", f"/insights/schools/{school}/categories/"),
            ("insights generators", f"/insights/schools/{school}/generators/"),
            ("insights calibration", f"/insights/schools/{school}/calibration/"),
            ("insights learning curve", f"/insights/schools/{school}/learning-curve/"),
            ("insights gains", f"/insights/schools/{school}/gains/"),
            ("insights items", f"/insights/schools/{school}/items/"),
            ("insights boosters", f"/insights/schools/{school}/boosters/"),
            ("library", "/library/"),
        ],
        "signed out": [
            ("home", "/"),
            ("sign in", "/accounts/login/"),
            ("student sign-up", "/accounts/signup/"),
            ("teacher sign-up", "/accounts/signup/teacher/"),
            ("privacy", "/privacy/"),
        ],
    }


def _visit(page: Page, console: list[str], base: str, what: str, path: str) -> list[str]:
    """Problems of one page: sideways scrolling, an error status, CSP violations."""
    console.clear()
    response = page.goto(base + path, wait_until="load")
    page.wait_for_timeout(250)  # htmx swaps and lazy images settle
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"status {response.status if response else 'none'}")
    width, inner = page.evaluate(SIDEWAYS)
    if width > inner:
        widest = ", ".join(page.evaluate(OVERFLOWING))
        problems.append(f"scrolls sideways ({width} > {inner} px: {widest})")
    violations = page.evaluate("window.__cspViolations || []")
    violations += [text for text in console if any(w in text for w in CSP_WORDS)]
    if violations:
        problems.append("CSP: " + " | ".join(dict.fromkeys(violations)))
    return problems


def _signed_in(context: BrowserContext, base: str, username: str, language: str) -> None:
    """The context signed in as `username` (a session made on the server), in `language`."""
    user = User.objects.get(username=username)
    if hasattr(user, "language"):  # a saved choice wins over the cookie
        User.objects.filter(pk=user.pk).update(language=language)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])


# German words are longer: every page is visited in both languages.
@pytest.mark.parametrize("language", ["en", "de"])
def test_every_page_of_every_role_fits_a_phone(browser: Browser, full_site, language):
    assert full_site["replays"] > 0, "the demo pack has magnified replays to show"
    base = full_site["base"]
    shots = Path(os.environ["FIT_SCREENSHOTS"]) if os.environ.get("FIT_SCREENSHOTS") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    logins = {"student": "student1", "teacher": "mrsriver", "educator": "eddie"}
    failing: list[str] = []
    visited: list[str] = []
    for role, pages in _pages(full_site).items():
        context = browser.new_context(viewport=PHONE, locale=language)
        language_cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}
        context.add_cookies([language_cookie])
        context.add_init_script(CSP_LISTENER)
        if role in logins:
            _signed_in(context, base, logins[role], language)
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console", lambda m, seen=console: seen.append(m.text) if m.type == "error" else None
        )
        page.goto(base + "/privacy/")
        if not visited:  # the listener sees what the policy refuses (an inline style here)
            page.evaluate(
                "() => { const p = document.createElement('p');"
                " p.setAttribute('style', 'color: red'); document.body.append(p); }"
            )
            page.wait_for_timeout(100)
            assert page.evaluate("window.__cspViolations.length") > 0
        for what, path in pages:
            visited.append(f"{role}: {what} {path}")
            problems = _visit(page, console, base, what, path)
            if shots is not None:
                name = f"{language}-{role}-{what}".replace(" ", "_").replace("/", "_")
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                page.set_viewport_size(LAPTOP)  # and as a laptop shows it, to compare
                page.screenshot(path=str(shots / f"{name}-1366.png"), full_page=True)
                page.set_viewport_size(PHONE)
            if problems:
                failing.append(f"{role}: {what} ({path}): {'; '.join(problems)}")
        context.close()
    print(f"\nVisited at 390×844 ({language}):\n" + "\n".join(visited))
    assert not failing, f"{len(failing)} of {len(visited)} pages:\n" + "\n".join(failing)


# Every box a table scrolls in, with how far its table reaches past it.
TABLES_PAST_THEIR_BOX = """() => [...document.querySelectorAll('.table-scroll')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${(box.querySelector('caption') || box).innerText.slice(0, 60)}`
    + ` (${box.scrollWidth} > ${box.clientWidth} px)`)"""


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_figure_table_fits_a_laptop(browser: Browser, full_site, language):
    """On a phone a wide table scrolls inside its box; on a 1366-px laptop the educator's and
    a class's figure tables fit whole, in German too (long single words in the headers)."""
    base = full_site["base"]
    roles = {"teacher": "mrsriver", "educator": "eddie"}
    pages = {
        role: [
            (what, path)
            for what, path in _pages(full_site)[role]
            if path.startswith("/insights/schools/") or path.endswith("/stats/")
        ]
        for role in roles
    }
    assert len(pages["educator"]) == 8 and len(pages["teacher"]) == 1, pages
    failing = []
    for role, username in roles.items():
        context = browser.new_context(viewport=LAPTOP, locale=language)
        language_cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}
        context.add_cookies([language_cookie])
        _signed_in(context, base, username, language)
        page = context.new_page()
        for what, path in pages[role]:
            page.goto(base + path, wait_until="load")
            assert page.locator(".table-scroll").count() > 0, path
            if wide := page.evaluate(TABLES_PAST_THEIR_BOX):
                failing.append(f"{role}: {what} ({path}): {'; '.join(wide)}")
        context.close()
    assert not failing, "\n".join(failing)
