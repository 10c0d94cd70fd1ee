"""Playing a quiz through the views: grading, resuming, integrity and hostile input."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from quiz.models import Answer, Attempt, Clip, QuizItem

pytestmark = pytest.mark.django_db


def _start(client, quiz) -> Attempt:
    response = client.post(reverse("quiz:attempt_start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _answer_url(attempt, item) -> str:
    return reverse("quiz:answer_submit", args=[attempt.pk, item.pk])


def _right(item: QuizItem) -> str:
    return item.correct_option()


def _wrong(item: QuizItem) -> str:
    return next(o for o in item.options() if o != item.correct_option())


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
    item = demo_pack.items.first()
    response = student_client.post(
        _answer_url(attempt, item),
        {"guess": _right(item), "confidence": "80"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Right!" in html and "+92 points" in html
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert answer.is_correct and answer.points == 92 and answer.confidence == 80
    # the htmx fragment is the stage alone, with the live-region announcement
    assert "<html" not in html and 'hx-swap-oob="innerHTML:#announce"' in html


def test_wrong_answer_costs_points_when_sure(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = demo_pack.items.first()
    student_client.post(_answer_url(attempt, item), {"guess": _wrong(item), "confidence": "100"})
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert not answer.is_correct and answer.points == -100


def test_feedback_reveals_truth_source_and_artifacts(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = next(i for i in demo_pack.items.all() if not i.is_pair and i.clip.is_generated)
    # answer every earlier round so this one is current
    for earlier in demo_pack.items.filter(position__lt=item.position):
        student_client.post(
            _answer_url(attempt, earlier), {"guess": _right(earlier), "confidence": 60}
        )
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
        _answer_url(attempt, item), {"guess": _right(item), "confidence": 70}, follow=True
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
    for item in demo_pack.items.select_related("clip", "other_clip"):
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
            assert clip.media.name.startswith("clips/")
            assert clip.media.name in html  # served under its random name only
        for word in ("data-start", "artifact-box", "is_generated", "synthesizer", "camera"):
            assert word not in html.replace("camera footage", ""), word
        student_client.post(_answer_url(attempt, item), {"guess": _right(item), "confidence": 75})


def test_media_names_are_random_and_alike_for_real_and_generated(demo_pack):
    names = list(Clip.objects.values_list("media", "is_generated"))
    pattern = re.compile(r"^clips/[A-Za-z0-9_-]{24}\.(mp4|jpg)$")
    assert all(pattern.match(name) for name, _ in names)
    assert {name[-4:] for name, generated in names if generated} <= {".mp4", ".jpg"}


def test_reload_resumes_at_the_first_unanswered_round(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    items = list(demo_pack.items.all())
    for item in items[:3]:
        student_client.post(_answer_url(attempt, item), {"guess": _right(item), "confidence": 90})
    # starting again resumes the same attempt
    assert _start(student_client, demo_pack).pk == attempt.pk
    html = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
    assert f"Round 4 of {len(items)}" in html
    assert _answer_url(attempt, items[3]) in html


def test_finishing_every_round_finishes_the_attempt_and_shows_the_summary(
    student_client, demo_pack
):
    attempt = _start(student_client, demo_pack)
    items = list(demo_pack.items.all())
    for n, item in enumerate(items):
        guess = _right(item) if n % 3 else _wrong(item)
        student_client.post(_answer_url(attempt, item), {"guess": guess, "confidence": 80})
    attempt.refresh_from_db()
    assert attempt.is_finished
    response = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk]))
    assert response.status_code == 302 and response.url.endswith("/summary/")
    html = student_client.get(response.url).content.decode()
    wrong = len(items[::3])
    assert f"{len(items) - wrong} right of {len(items)}" in html
    assert "Giveaways you missed" in html and "Calibration" in html
    # a new start after finishing begins a fresh attempt
    assert _start(student_client, demo_pack).pk != attempt.pk


def test_summary_before_finishing_goes_back_to_the_round(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    response = student_client.get(reverse("quiz:attempt_summary", args=[attempt.pk]))
    assert response.status_code == 302 and response.url.endswith(f"/attempts/{attempt.pk}/")


def test_feedback_page_before_answering_reveals_nothing(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = demo_pack.items.first()
    response = student_client.get(reverse("quiz:round_feedback", args=[attempt.pk, item.pk]))
    assert response.status_code == 302


def test_second_submit_returns_the_first_result_and_changes_nothing(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    item = demo_pack.items.first()
    student_client.post(_answer_url(attempt, item), {"guess": _right(item), "confidence": 90})
    response = student_client.post(
        _answer_url(attempt, item), {"guess": _wrong(item), "confidence": 100}
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

    threads = [
        threading.Thread(target=submit, args=(g,))
        for g in [_right(item), _wrong(item), _right(item), _wrong(item)]
    ]
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
    response = client.post(_answer_url(attempt, item), {"guess": _right(item), "confidence": 80})
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


def test_forged_item_ids_are_not_found(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    other_quiz_item = QuizItem.objects.exclude(quiz=demo_pack).first()
    for item_id in (other_quiz_item.pk, 999999):
        response = student_client.post(
            reverse("quiz:answer_submit", args=[attempt.pk, item_id]),
            {"guess": "real", "confidence": 80},
        )
        assert response.status_code == 404
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
    item = demo_pack.items.filter(kind="single").first()
    for earlier in demo_pack.items.filter(position__lt=item.position):
        student_client.post(
            _answer_url(attempt, earlier), {"guess": _right(earlier), "confidence": 60}
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
    item = demo_pack.items.first()
    html = student_client.post(
        _answer_url(attempt, item), {"guess": _right(item), "confidence": 60}, follow=True
    ).content.decode()
    assert f"Round 1 of {demo_pack.items.count()}" in html


def test_summary_names_decoys_that_fooled_and_tells_that_were_missed(student_client, demo_pack):
    attempt = _start(student_client, demo_pack)
    for item in demo_pack.items.select_related("clip"):
        # call everything real: every generated clip is missed
        guess = "real" if not item.is_pair else ("b" if item.clip.is_generated else "a")
        student_client.post(_answer_url(attempt, item), {"guess": guess, "confidence": 90})
    html = student_client.get(reverse("quiz:attempt_summary", args=[attempt.pk])).content.decode()
    missed = {
        str(a.category_info.name)
        for i in demo_pack.items.all()
        if i.generated_clip().is_generated
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
        item = demo_pack.items.first()
        from django.test.testcases import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            response = student_client.post(
                _answer_url(attempt, item), {"guess": _right(item), "confidence": 80}
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
def test_a_round_removed_by_its_teacher_gets_a_message_not_a_500(demo_pack, student, monkeypatch):
    from quiz.services import play as services

    attempt = services.attempt_start(user=student, quiz=demo_pack)
    item = demo_pack.items.first()
    original_create = Answer.objects.create

    def create_after_the_round_is_gone(**kwargs):
        QuizItem.objects.filter(pk=item.pk).delete()  # the teacher saves new rounds now
        return original_create(**kwargs)

    monkeypatch.setattr(Answer.objects, "create", create_after_the_round_is_gone)
    with pytest.raises(services.AnswerRejected, match="changed by its teacher"):
        services.answer_submit(attempt=attempt, item=item, guess=item.options()[0], confidence=60)
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
