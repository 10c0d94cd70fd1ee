"""Playing a quiz through the views: grading, resuming, integrity and hostile input."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import User
from quiz import shuffle
from quiz.models import Answer, Attempt, Clip, QuizItem
from quiz.selectors import play as selectors
from quiz.services import builder
from quiz.services import play as services
from tests import spot_answers

pytestmark = pytest.mark.django_db


def _start(client, quiz) -> Attempt:
    response = client.post(reverse("quiz:attempt_start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _answer_url(attempt, item) -> str:
    return reverse("quiz:answer_submit", args=[attempt.pk, selectors.round_key(attempt, item.pk)])


def _feedback_url(attempt, item) -> str:
    return reverse("quiz:round_feedback", args=[attempt.pk, selectors.round_key(attempt, item.pk)])


def _right(attempt, item: QuizItem) -> str:
    """The right answer on the sides this attempt shows."""
    return selectors.attempt_round(attempt, item).correct_option()


def _wrong(attempt, item: QuizItem) -> str:
    right = _right(attempt, item)
    return next(o for o in item.options() if o != right)


def _answer(attempt, item: QuizItem, *, right: bool = True) -> dict[str, str]:
    """The form fields of a right (or wrong) answer on the sides this attempt shows; for a
    spot round, a mark on (or far from) its giveaway."""
    if item.is_spot:
        return spot_answers.post_data(item, right=right)
    return {"guess": _right(attempt, item) if right else _wrong(attempt, item)}


def _rounds(attempt) -> list[QuizItem]:
    """The attempt's rounds in its own order."""
    return [shown.item for shown in selectors.attempt_rounds(attempt)]


def _current(attempt) -> QuizItem:
    return selectors.attempt_next_round(attempt).item


MEDIA_URL = re.compile(r"/attempts/(\d+)/media/[0-9a-f]{32}\.(?:mp4|jpg)")


def _media_urls(html: str) -> list[str]:
    """The per-attempt media URLs in a page, in document order."""
    return [m.group(0) for m in MEDIA_URL.finditer(html)]


def _served_urls(attempt, item: QuizItem, which: str) -> list[str]:
    """The URLs of a round clip's media and poster in the attempt's pages."""
    served = selectors.round_clip(attempt.pk, item, which)
    return [
        reverse("quiz:attempt_media", args=[attempt.pk, name])
        for name in (served.media, served.poster)
        if name
    ]


def _stored_names(clip: Clip) -> list[str]:
    """A clip's stored (stable) names and their random tokens."""
    names = [n for n in (clip.media.name, clip.poster.name) if n]
    return names + [n.split("/")[1].split(".")[0] for n in names]


@pytest.fixture
def seeds(monkeypatch):
    """Seed-controlled attempts: the next attempts draw their layouts from these seeds."""

    def use(*values: int) -> None:
        queue = iter(values)
        monkeypatch.setattr(shuffle, "new_seed", lambda: next(queue))

    return use


def test_demo_quiz_mixes_single_and_pair_rounds(demo_pack):
    kinds = list(demo_pack.items.values_list("kind", flat=True))
    assert kinds.count("pair") >= 2 and kinds.count("single") >= 6


def test_quiz_list_offers_the_demo_quiz(student_client, demo_pack):
    response = student_client.get(reverse("quiz:quiz_list"))
    assert response.status_code == 200
    assert "Demo quiz" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, demo_pack):
    response = client.get(reverse("quiz:quiz_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_right_answer_is_graded_with_points_and_feedback(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = _current(attempt)
    response = student_client.post(
        _answer_url(attempt, item),
        {**_answer(attempt, item), "confidence": "80"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Right!" in html and "96 of 100 points" in html
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert answer.is_correct and answer.points == 96 and answer.confidence == 80
    # the htmx fragment is the stage alone, with the live-region announcement
    assert "<html" not in html and 'hx-swap-oob="innerHTML:#announce"' in html


def test_wrong_answer_costs_points_when_sure(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = _current(attempt)
    student_client.post(
        _answer_url(attempt, item), {**_answer(attempt, item, right=False), "confidence": "100"}
    )
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert not answer.is_correct and answer.points == 0


def test_feedback_reveals_truth_source_and_artifacts(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    rounds = _rounds(attempt)
    item = next(i for i in rounds if i.kind == "single" and i.clip.is_generated)
    # answer every earlier round of the attempt so this one is current
    for earlier in rounds[: rounds.index(item)]:
        student_client.post(
            _answer_url(attempt, earlier), {**_answer(attempt, earlier), "confidence": 60}
        )
    assert _current(attempt) == item
    response = student_client.post(
        _answer_url(attempt, item), {"guess": "generated", "confidence": 70}, follow=True
    )
    html = response.content.decode()
    assert "This clip was generated." in html
    assert item.clip.generator in html
    for artifact in item.clip.artifacts.all():
        assert f'id="artifact-{artifact.pk}"' in html
        assert str(artifact.category_info.name) in html
        assert 'class="artifact-box"' in html


def test_feedback_speaks_the_learners_language_and_falls_back(student_client, demo_pack):
    """Texts written in another language reach a learner who uses it; where a text has no
    version in their language, they read it as written."""
    attempt = _start(student_client, demo_pack)
    rounds = _rounds(attempt)
    item = next(i for i in rounds if i.kind == "single" and i.clip.is_generated)
    clip = item.clip
    first, *others = clip.artifacts.all()
    clip.translations = {"de": {"explanation": "Schau genau hin: DEUTSCHE ERKLÄRUNG."}}
    clip.save()
    first.translations = {"de": {"explanation": "DEUTSCHES ARTEFAKT"}}
    first.save()
    for other in others:  # written in English only: German readers see it as written
        other.translations = {}
        other.save()
    for earlier in rounds[: rounds.index(item)]:
        student_client.post(
            _answer_url(attempt, earlier), {**_answer(attempt, earlier), "confidence": 60}
        )
    student_client.post(_answer_url(attempt, item), {"guess": "generated", "confidence": 70})
    german = student_client.get(_feedback_url(attempt, item), HTTP_ACCEPT_LANGUAGE="de")
    html = german.content.decode()
    assert "DEUTSCHE ERKLÄRUNG" in html and "DEUTSCHES ARTEFAKT" in html
    assert escape(clip.explanation) not in html
    for other in others:
        assert escape(other.explanation).split("\n")[0] in html
    english = student_client.get(_feedback_url(attempt, item), HTTP_ACCEPT_LANGUAGE="en")
    html = english.content.decode()
    assert "DEUTSCH" not in html


def test_feedback_and_library_show_an_explanations_paragraphs_alike(
    student_client, demo_pack, teacher
):
    from django.test import Client

    item = demo_pack.items.get(position=1)
    artifact = item.clip.artifacts.first() or (
        item.other_clip and item.other_clip.artifacts.first()
    )
    assert artifact is not None
    artifact.explanation = "First look at the paws.\n\nThen count them: <b>three</b>."
    artifact.save()
    attempt = _start(student_client, demo_pack)
    response = student_client.post(
        _answer_url(attempt, item), {**_answer(attempt, item), "confidence": 70}, follow=True
    )
    paragraphs = (
        "<p>First look at the paws.</p>\n\n<p>Then count them: &lt;b&gt;three&lt;/b&gt;.</p>"
    )
    assert paragraphs in response.content.decode()
    library = Client()
    library.force_login(teacher)
    page = library.get(reverse("library:clip_detail", args=[artifact.clip_id]))
    assert paragraphs in page.content.decode()


def test_no_truth_reaches_the_page_before_the_answer(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    for _round in range(demo_pack.items.count()):
        item = _current(attempt)  # the round the page shows
        response = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
        html = response.content.decode()
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
        for clip in filter(None, [item.clip, item.other_clip]):
            # (a real clip's generator is the word "camera", which the question itself uses)
            secrets = [clip.prompt, clip.credit, clip.explanation, clip.key]
            secrets += [clip.generator] if clip.is_generated else []
            secrets += [a.explanation for a in clip.artifacts.all()]
            for secret in filter(None, secrets):
                assert secret not in html, (item.position, secret)
                assert secret not in headers
            # served under names of this attempt only, never the clip's stored ones (the
            # same in every attempt: a table of them would answer the next attempt)
            for stored in _stored_names(clip):
                assert stored not in html, (item.position, stored)
        sides = ("clip", "other_clip") if item.is_pair else ("clip",)
        if selectors.attempt_round(attempt, item).swapped:
            sides = sides[::-1]
        assert _media_urls(html) == [u for w in sides for u in _served_urls(attempt, item, w)]
        for word in ("data-start", "artifact-box", "is_generated", "synthesizer", "camera"):
            assert word not in html.replace("camera footage", ""), word
        # nor the round's place in the quiz: its address names it by an opaque key
        assert _answer_url(attempt, item) in html
        assert f"/rounds/{item.pk}/" not in html
        student_client.post(
            _answer_url(attempt, item), {**_answer(attempt, item), "confidence": 75}
        )


def test_each_attempt_shows_its_clips_under_names_of_its_own(student_client, demo_pack):
    """A name seen in one attempt (say, beside the truth in its feedback) never comes back in
    another attempt of the same quiz; within an attempt it stays, so reloads hit the cache."""
    by_attempt: dict[int, dict[int, list[str]]] = {}
    for _attempt in range(2):
        attempt = _start(student_client, demo_pack)
        seen = by_attempt.setdefault(attempt.pk, {})
        for item in _rounds(attempt):
            url = reverse("quiz:attempt_play", args=[attempt.pk])
            urls = _media_urls(student_client.get(url).content.decode())
            assert urls and urls == _media_urls(student_client.get(url).content.decode())
            assert {int(m.group(1)) for m in map(MEDIA_URL.fullmatch, urls)} == {attempt.pk}
            feedback = student_client.post(
                _answer_url(attempt, item),
                {**_answer(attempt, item), "confidence": 70},
                headers={"HX-Request": "true"},
            ).content.decode()
            # the feedback too: the round's URLs (generated clip first), no stored name of the
            # clips' files
            assert sorted(_media_urls(feedback)) == sorted(urls)
            for clip in filter(None, [item.clip, item.other_clip]):
                for stored in _stored_names(clip):
                    assert stored not in feedback
            seen[item.pk] = urls
        attempt.refresh_from_db()
        assert attempt.is_finished
    first, second = by_attempt.values()
    assert first.keys() == second.keys()
    for item_id, urls in first.items():
        assert not set(urls) & set(second[item_id]), item_id  # the same clip, other names
    # and another student's page of the same quiz, with names of their own attempt only
    other = User.objects.create_user("stu2", password="x", role="student")
    other_client = Client()
    other_client.force_login(other)
    theirs = _start(other_client, demo_pack)
    html = other_client.get(reverse("quiz:attempt_play", args=[theirs.pk])).content.decode()
    everything_before = {u for urls in (*first.values(), *second.values()) for u in urls}
    assert _media_urls(html) and not set(_media_urls(html)) & everything_before
    for url in _media_urls(html):
        assert student_client.get(url).status_code == 404  # not this student's attempt
        assert other_client.get(url).status_code == 200


def test_media_names_are_random_and_alike_for_real_and_generated(demo_pack):
    names = list(Clip.objects.values_list("media", "is_generated"))
    pattern = re.compile(r"^clips/[A-Za-z0-9_-]{24}\.(mp4|jpg)$")
    assert all(pattern.match(name) for name, _ in names)
    assert {name[-4:] for name, generated in names if generated} <= {".mp4", ".jpg"}


def test_reload_resumes_at_the_first_unanswered_round(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    items = _rounds(attempt)
    for item in items[:3]:
        html = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
        assert _answer_url(attempt, item) in html  # the page plays the attempt's order
        student_client.post(
            _answer_url(attempt, item), {**_answer(attempt, item), "confidence": 90}
        )
    # starting again resumes the same attempt, in the same order
    assert _start(student_client, demo_pack).pk == attempt.pk
    assert _rounds(attempt) == items
    html = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
    assert f"Round 4 of {len(items)}" in html
    assert _answer_url(attempt, items[3]) in html


def test_finishing_every_round_finishes_the_attempt_and_shows_the_summary(
    student_client, demo_pack
):
    attempt = _start(student_client, demo_pack)
    items = _rounds(attempt)
    for n, item in enumerate(items):
        student_client.post(
            _answer_url(attempt, item),
            {**_answer(attempt, item, right=bool(n % 3)), "confidence": 80},
        )
    attempt.refresh_from_db()
    assert attempt.is_finished
    response = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    assert response.status_code == 302 and response.url.endswith("/summary/")
    html = student_client.get(response.url).content.decode()
    # Spot rounds count apart (METRICS.md): the giveaways found, not right or wrong.
    plain = [(n, item) for n, item in enumerate(items) if not item.is_spot]
    right = sum(1 for n, _item in plain if n % 3)
    assert f"{right} right of {len(plain)}" in html
    spots = [n for n, item in enumerate(items) if item.is_spot]
    found = sum(1 for n in spots if n % 3)
    assert f"In the spot rounds you found the giveaway {found} of {len(spots)} times." in html
    assert "Giveaways you missed" in html and "Calibration" in html
    # a new start after finishing begins a fresh attempt
    assert _start(student_client, demo_pack).pk != attempt.pk


def test_summary_before_finishing_goes_back_to_the_round(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    response = student_client.get(reverse("quiz:attempt_summary", args=[attempt.pk]))
    assert response.status_code == 302 and response.url.endswith(f"/attempts/{attempt.pk}/")


def test_feedback_page_before_answering_reveals_nothing(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = _current(attempt)
    response = student_client.get(_feedback_url(attempt, item))
    assert response.status_code == 302


def test_second_submit_returns_the_first_result_and_changes_nothing(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = _current(attempt)
    student_client.post(_answer_url(attempt, item), {**_answer(attempt, item), "confidence": 90})
    response = student_client.post(
        _answer_url(attempt, item), {**_answer(attempt, item, right=False), "confidence": 100}
    )
    assert response.status_code == 200
    assert "already answered" in response.content.decode()
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert answer.is_correct and answer.confidence == 90
    assert Answer.objects.filter(attempt=attempt).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_store_one_answer_and_both_see_it(demo_pack, student):
    from django.test import Client

    from quiz.services import play as services

    attempt = services.attempt_start(user=student, quiz=demo_pack)
    item = demo_pack.items.first()
    barrier = threading.Barrier(4)
    results: list[tuple[int, str]] = []

    def submit(guess: str) -> None:
        client = Client()
        client.force_login(student)
        barrier.wait()
        try:
            response = client.post(
                _answer_url(attempt, item), {"guess": guess, "confidence": 70}, follow=True
            )
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    right, wrong = _right(attempt, item), _wrong(attempt, item)
    threads = [threading.Thread(target=submit, args=(g,)) for g in [right, wrong, right, wrong]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Answer.objects.filter(attempt=attempt, item=item).count() == 1
    stored = Answer.objects.get(attempt=attempt, item=item)
    verdict = "Right!" if stored.is_correct else "Not quite."
    assert [code for code, _ in results] == [200] * 4
    assert all(verdict in html for _, html in results)


def test_someone_elses_attempt_is_not_found(client, other_student, student, demo_pack):
    client.force_login(student)
    attempt = _start(client, demo_pack)
    item = demo_pack.items.first()
    client.force_login(other_student)
    assert client.get(reverse("quiz:attempt_play", args=[attempt.pk])).status_code == 404
    response = client.post(_answer_url(attempt, item), {**_answer(attempt, item), "confidence": 80})
    assert response.status_code == 404
    assert client.get(reverse("quiz:attempt_summary", args=[attempt.pk])).status_code == 404
    assert not Answer.objects.exists()


def test_a_quiz_you_may_not_play_is_not_found(student_client, demo_pack):
    demo_pack.is_public = False
    demo_pack.save()
    response = student_client.post(reverse("quiz:attempt_start", args=[demo_pack.slug]))
    assert response.status_code == 404
    assert (
        student_client.post(reverse("quiz:attempt_start", args=["no-such-quiz"])).status_code == 404
    )


def test_forged_round_keys_are_not_found(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    other_quiz_item = QuizItem.objects.exclude(quiz=demo_pack).first()
    own_item = demo_pack.items.first()
    other_attempt = Attempt.objects.create(user=attempt.user, quiz=other_quiz_item.quiz)
    keys = [
        selectors.round_key(attempt, other_quiz_item.pk),  # a round of another quiz
        selectors.round_key(other_attempt, own_item.pk),  # another attempt's key
        str(own_item.pk),  # the bare item id
        "0123456789abcdef",
    ]
    for key in keys:
        response = student_client.post(
            reverse("quiz:answer_submit", args=[attempt.pk, key]),
            {"guess": "real", "confidence": 80},
        )
        assert response.status_code == 404, key
        feedback = student_client.get(reverse("quiz:round_feedback", args=[attempt.pk, key]))
        assert feedback.status_code == 404, key
    assert student_client.post("/attempts/abc/rounds/1/answer/").status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose an answer"),
        ({"confidence": "80"}, "Choose an answer"),
        ({"guess": "generated"}, "Say how sure you are"),
        ({"guess": "generated", "confidence": "49"}, "at least 50"),
        ({"guess": "generated", "confidence": "101"}, "more than 100"),
        ({"guess": "generated", "confidence": "abc"}, "whole number"),
        ({"guess": "generated", "confidence": "75.5"}, "whole number"),
        ({"guess": "maybe", "confidence": "80"}, "Choose one of the answers"),
        ({"guess": "a", "confidence": "80"}, "Choose one of the answers"),
        ({"guess": "<script>alert(1)</script>", "confidence": "80"}, "Choose one of the answers"),
        ({"guess": "generated" * 1000, "confidence": "9" * 5000}, "Choose one of the answers"),
    ],
)
def test_bad_answers_get_a_clear_message_and_store_nothing(
    student_client, demo_pack, data, message
):
    attempt = _start(student_client, demo_pack)
    rounds = _rounds(attempt)
    item = next(i for i in rounds if i.kind == "single")
    for earlier in rounds[: rounds.index(item)]:
        student_client.post(
            _answer_url(attempt, earlier), {**_answer(attempt, earlier), "confidence": 60}
        )
    before = Answer.objects.count()
    response = student_client.post(_answer_url(attempt, item), data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert Answer.objects.count() == before
    # the truth is not leaked by the error page either
    assert item.clip.credit not in html and item.clip.explanation not in html


def test_get_where_post_is_needed_is_405(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = demo_pack.items.first()
    assert student_client.get(_answer_url(attempt, item)).status_code == 405
    assert (
        student_client.get(reverse("quiz:attempt_start", args=[demo_pack.slug])).status_code == 405
    )


def test_answers_need_the_csrf_token(student, demo_pack):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    from quiz.services import play as services

    attempt = services.attempt_start(user=student, quiz=demo_pack)
    item = demo_pack.items.first()
    response = client.post(_answer_url(attempt, item), {"guess": "real", "confidence": 80})
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_pages_send_a_content_security_policy(student_client, demo_pack):
    response = student_client.get(reverse("quiz:quiz_list"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_feedback_names_the_round_just_answered(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    total = demo_pack.items.count()
    for n, item in enumerate(_rounds(attempt)[:3], start=1):
        html = student_client.post(
            _answer_url(attempt, item),
            {**_answer(attempt, item), "confidence": 60},
            follow=True,
        ).content.decode()
        assert f"Round {n} of {total}" in html  # the round's place in this attempt


def test_summary_names_decoys_that_fooled_and_tells_that_were_missed(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    for item in _rounds(attempt):
        # call everything real: every generated clip is missed
        guess = {"guess": "real"} if item.kind == "single" else _answer(attempt, item, right=False)
        student_client.post(_answer_url(attempt, item), {**guess, "confidence": 90})
    html = student_client.get(reverse("quiz:attempt_summary", args=[attempt.pk])).content.decode()
    missed = {
        str(a.category_info.name)
        for i in demo_pack.items.all()
        if not i.is_spot and i.generated_clip().is_generated
        for a in i.generated_clip().artifacts.all()
    }
    for name in missed:
        assert name in html
    assert "what fooled you" not in html  # no real clip was called fake


def test_a_broker_that_is_down_does_not_stop_play(student_client, demo_pack, settings):
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app._after_fork()  # drop pooled broker connections, as a forked worker would
    try:
        attempt = _start(student_client, demo_pack)
        item = _current(attempt)
        from django.test.testcases import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            response = student_client.post(
                _answer_url(attempt, item), {**_answer(attempt, item), "confidence": 80}
            )
        assert callbacks, "the answer should have queued a fold"
        assert response.status_code == 302
        assert Answer.objects.filter(
            attempt=attempt, item=item, stat_pending__isnull=False
        ).exists()
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
        app._after_fork()


@pytest.mark.django_db(transaction=True)
def test_a_round_removed_by_its_teacher_gets_a_message_not_a_500(demo_pack, student):
    from quiz.services import play as services

    attempt = services.attempt_start(user=student, quiz=demo_pack)
    item = demo_pack.items.first()

    def read_while_the_round_goes(shown_item):
        # The teacher saves new rounds while the answer is being read.
        QuizItem.objects.filter(pk=item.pk).delete()
        return shown_item.options()[0], 60

    with pytest.raises(services.AnswerRejected, match="changed by its teacher"):
        services.round_answer(
            user=student,
            attempt_id=attempt.pk,
            round_key=selectors.round_key(attempt, item.pk),
            read=read_while_the_round_goes,
        )
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("state", "words"),
    [("trusted", "trusted signer"), ("invalid", "fails validation"), ("none", "proves nothing")],
)
def test_feedback_teaches_what_a_content_credential_means(student_client, demo_pack, state, words):
    from quiz.models import Quiz

    practice = Quiz.objects.get(slug="demo-practice")
    item = next(i for i in practice.items.all() if i.clip.provenance.get("state") == state)
    attempt = _start(student_client, practice)
    html = student_client.post(
        _answer_url(attempt, item), {"guess": "generated", "confidence": 70}, follow=True
    ).content.decode()
    assert "Content Credentials" in html and words in html
    # and never before the answer
    other = _start(student_client, demo_pack)
    assert (
        "Content Credentials"
        not in student_client.get(reverse("quiz:attempt_play", args=[other.pk])).content.decode()
    )


# --- Each attempt's own order and sides (quiz.shuffle) -------------------------------------


def _pair_seeds(quiz) -> tuple[int, int, QuizItem]:
    """Two seeds whose attempts differ in order and show some pair on opposite sides (a
    search over the quiz's current rounds, so the test never depends on luck)."""
    rounds = selectors.quiz_rounds(quiz.pk)
    first = shuffle.draw(1, rounds)
    for seed in range(2, 200):
        other = shuffle.draw(seed, rounds)
        flipped = first.swapped ^ other.swapped
        if other.order != first.order and flipped:
            return 1, seed, QuizItem.objects.get(pk=min(flipped))
    raise AssertionError("no two seeds differ")


def test_each_attempt_plays_its_own_order_and_keeps_it(seeds, client, demo_pack, student):
    first_seed, second_seed, _pair = _pair_seeds(demo_pack)
    seeds(first_seed, second_seed)
    second_student = User.objects.create_user("stu2", password="x", role="student")
    client.force_login(student)
    mine = _start(client, demo_pack)
    other_client = Client()
    other_client.force_login(second_student)
    theirs = _start(other_client, demo_pack)
    assert (mine.seed, theirs.seed) == (first_seed, second_seed)  # stored on the attempt
    mine_order, theirs_order = _rounds(mine), _rounds(theirs)
    assert mine_order != theirs_order
    assert sorted(i.pk for i in mine_order) == sorted(demo_pack.items.values_list("pk", flat=True))
    # the pages follow each attempt's order, and a reload or a resume keeps it
    for attempt, c, order in ((mine, client, mine_order), (theirs, other_client, theirs_order)):
        for n, item in enumerate(order[:3]):
            for _reload in range(2):
                html = c.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
                assert _answer_url(attempt, item) in html
                assert f"Round {n + 1} of {len(order)}" in html
            c.post(
                _answer_url(attempt, item),
                {**_answer(attempt, item, right=False), "confidence": 60},
            )
        assert _start(c, demo_pack).pk == attempt.pk
        html = c.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
        assert _answer_url(attempt, order[3]) in html
        attempt.refresh_from_db()
        assert attempt.round_order == [i.pk for i in order]


def test_grading_follows_the_sides_each_student_saw(seeds, client, demo_pack, student):
    first_seed, second_seed, pair = _pair_seeds(demo_pack)
    seeds(first_seed, second_seed)
    second_student = User.objects.create_user("stu2", password="x", role="student")
    client.force_login(student)
    other_client = Client()
    other_client.force_login(second_student)
    attempts = [
        (_start(client, demo_pack), client),
        (_start(other_client, demo_pack), other_client),
    ]
    shown = [selectors.attempt_round(attempt, pair) for attempt, _c in attempts]
    assert shown[0].swapped != shown[1].swapped
    generated = pair.generated_clip()
    for (attempt, c), round_ in zip(attempts, shown, strict=True):
        # the page shows this attempt's sides: clip A is the left one, in the DOM's order too
        rounds = _rounds(attempt)
        for earlier in rounds[: rounds.index(pair)]:
            c.post(_answer_url(attempt, earlier), {**_answer(attempt, earlier), "confidence": 50})
        html = c.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
        left = html.index(round_.media_a.media)
        right = html.index(round_.media_b.media)
        assert html.index('id="media-a"') < left < html.index('id="media-b"') < right
        assert round_.media_a.clip == round_.clip_a and round_.media_b.clip == round_.clip_b
        # answering the side shown as generated is right, whichever side that is
        shown_side = "a" if round_.clip_a == generated else "b"
        html = c.post(
            _answer_url(attempt, pair),
            {"guess": shown_side, "confidence": 90},
            headers={"HX-Request": "true"},
        ).content.decode()
        assert "Right!" in html
        answer = Answer.objects.get(attempt=attempt, item=pair)
        assert answer.is_correct and answer.swapped == round_.swapped
        # stored in the quiz's terms: the same clip means the same answer for everyone
        assert answer.guess == pair.correct_option()
        assert answer.shown_guess == shown_side
        # the feedback names the truth for the sides this student saw
        truth = (
            "Clip A was generated; clip B is real camera footage."
            if shown_side == "a"
            else "Clip B was generated; clip A is real camera footage."
        )
        page = c.get(_feedback_url(attempt, pair)).content.decode()
        assert truth in page and truth in html
        assert f"You answered “Clip {shown_side.upper()}”" in page
        # the feedback leads with the generated clip, whichever side it was on
        generated, real = (
            (round_.media_a, round_.media_b)
            if round_.clip_a.is_generated
            else (round_.media_b, round_.media_a)
        )
        assert page.index(generated.media) < page.index(real.media)
        assert 'id="feedback-media-a"' in page
        # the feedback shows the clips under the round's very URLs (the browser's cache)
        assert _media_urls(page) == _media_urls(html)
    # both were right about the same clip
    stored = Answer.objects.filter(item=pair)
    assert {a.guess for a in stored} == {pair.correct_option()} and all(
        a.is_correct for a in stored
    )


def test_answering_the_real_side_shown_is_wrong_on_either_placement(seeds, demo_pack, student):
    first_seed, second_seed, pair = _pair_seeds(demo_pack)
    seeds(first_seed, second_seed)
    other = User.objects.create_user("stu2", password="x", role="student")
    for user in (student, other):
        attempt = services.attempt_start(user=user, quiz=demo_pack)
        shown = selectors.attempt_round(attempt, pair)
        real_side = "b" if shown.clip_a.is_generated else "a"
        result = services.answer_submit(attempt=attempt, item=pair, guess=real_side, confidence=80)
        assert not result.answer.is_correct and result.answer.points == 36
        assert result.answer.guess != pair.correct_option()


def test_the_round_page_shows_both_sides_of_a_pair_alike(seeds, student_client, demo_pack):
    """Nothing but the media tells clip A from clip B before the answer: one markup shape."""
    seeds(*_pair_seeds(demo_pack)[:1])
    attempt = _start(student_client, demo_pack)
    for item in _rounds(attempt):
        if item.is_pair:
            shown = selectors.attempt_round(attempt, item)
            html = student_client.get(
                reverse("quiz:attempt_play", args=[attempt.pk])
            ).content.decode()
            figures = re.findall(r'<figure class="clip">.*?</figure>', html, re.S)
            assert len(figures) == 2

            def shape(figure: str, served: selectors.RoundClip, side: str) -> str:
                for value in (served.media, served.poster, served.clip.description):
                    if value:
                        figure = figure.replace(value, "<clip>")
                figure = re.sub(r'(width|height)="\d+"', r'\1="n"', figure)
                return figure.replace(f"Clip {side.upper()}", "Clip X").replace(
                    f"media-{side}", "media-x"
                )

            assert shape(figures[0], shown.media_a, "a") == shape(figures[1], shown.media_b, "b")
            # the form's address names the round by its opaque key, never by the item's id
            (action,) = re.findall(r'<form id="answer-form" method="post" action="([^"]+)"', html)
            assert re.fullmatch(rf"/attempts/{attempt.pk}/rounds/[0-9a-f]{{16}}/answer/", action)
            assert action == _answer_url(attempt, item) and f"/rounds/{item.pk}/" not in action
        student_client.post(
            _answer_url(attempt, item), {**_answer(attempt, item), "confidence": 75}
        )


def test_an_attempt_from_before_shuffling_plays_the_quizs_order_and_sides(
    student_client, demo_pack, student
):
    """What the migration leaves an attempt in progress at deploy time: no seed, so it plays
    on in the quiz's order with the quiz's sides, as it started."""
    attempt = Attempt.objects.create(user=student, quiz=demo_pack)
    assert attempt.seed is None and attempt.round_order is None
    items = list(demo_pack.items.select_related("clip", "other_clip").order_by("position"))
    assert _rounds(attempt) == items
    pair = next(i for i in items if i.is_pair)
    assert not selectors.attempt_round(attempt, pair).swapped
    for item in items[: items.index(pair)]:
        student_client.post(_answer_url(attempt, item), {"guess": "real", "confidence": 50})
    html = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
    clip_a, clip_b = (_served_urls(attempt, pair, w)[0] for w in ("clip", "other_clip"))
    assert html.index(clip_a) < html.index(clip_b)
    student_client.post(
        _answer_url(attempt, pair), {"guess": pair.correct_option(), "confidence": 80}
    )
    answer = Answer.objects.get(attempt=attempt, item=pair)
    assert answer.is_correct and not answer.swapped


def test_a_quiz_rebuilt_after_the_attempt_started_is_still_shuffled(seeds, student, demo_pack):
    """The builder may replace a quiz's rounds while nobody has answered it: an open attempt
    then plays the new rounds in an order drawn from its own seed, the same on every read."""
    seeds(7)
    attempt = services.attempt_start(user=student, quiz=demo_pack)
    rounds = [(i.kind, i.clip_id, i.other_clip_id) for i in demo_pack.items.order_by("position")]
    builder.quiz_set_items(
        quiz=demo_pack, rounds=list(reversed(rounds)), available=Clip.objects.all()
    )
    attempt.refresh_from_db()
    new_ids = selectors.quiz_rounds(demo_pack.pk)
    layout = selectors.attempt_layout(attempt)
    assert layout == shuffle.draw(7, new_ids) == selectors.attempt_layout(attempt)
    item = _rounds(attempt)[0]
    answer = services.answer_submit(
        attempt=attempt,
        item=item,
        confidence=70,
        **spot_answers.submit_kwargs(item, None if item.is_spot else _right(attempt, item)),
    ).answer
    assert answer.is_correct
