"""Playing a quiz: rounds, answers, feedback and the summary (htmx with full-page fallbacks)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from quiz.forms.play import AnswerForm, SpotAnswerForm
from quiz.models import Answer, Assignment, Attempt, Quiz, QuizItem, pending_assignment_items
from quiz.selectors import feed as feed_selectors
from quiz.selectors import held, learn
from quiz.selectors import play as selectors
from quiz.selectors import practice as practice_selectors
from quiz.services import play as services
from quiz.services import practice as practice_services

TEMPLATE = "quiz/play/play.html"


def _attempt_for(request: HttpRequest, attempt_id: int, *, live: bool = False) -> Attempt:
    """The signed-in user's own attempt, with its quiz and assignment (and with `live`, the
    open live game it is played in: selectors.attempt_read); anyone else's is a 404, and so
    is an attempt closed to the user for now (held.attempt_closed_for_now: its feedback would
    answer a test or an assignment)."""
    attempt = selectors.attempt_read(attempt_id, user=request.user, live=live)
    if attempt is None or held.attempt_closed_for_now(attempt, request.user):
        raise Http404
    return attempt


def _withheld(attempt: Attempt) -> bool:
    return attempt.assignment is not None and attempt.assignment.feedback_withheld(timezone.now())


def _round_for(attempt: Attempt, round_key: str) -> selectors.ShownRound:
    """The attempt's round that the URL names; any other key is a 404."""
    shown = selectors.attempt_round_by_key(attempt, round_key)
    if shown is None:
        raise Http404
    return shown


def _render_stage(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The whole page, or only the stage partial for an htmx swap."""
    template = f"{TEMPLATE}#stage" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_safe
def quiz_list(request: HttpRequest) -> HttpResponse:
    """The learner's home: assignments with due dates, free practice, classes."""
    quizzes = list(held.quizzes_playable_by(request.user))
    open_attempts = {
        a.quiz_id: a
        for a in Attempt.objects.for_user(request.user)
        .unfinished()
        .filter(quiz__in=quizzes, assignment__isnull=True)
    }
    rows = [(quiz, open_attempts.get(quiz.pk)) for quiz in quizzes]
    now = timezone.now()
    hidden_until = selectors.results_withheld_until(request.user, now)
    return render(
        request,
        "quiz/play/quiz_list.html",
        {
            "rows": rows,
            "hidden_until": hidden_until,
            "progress": None if hidden_until else selectors.user_progress(request.user),
            "closed_for_now": held.closed_for_now(request.user, playable=len(quizzes)),
            # Clips of assignments not yet due are left out of lessons and practice too.
            "held_back": pending_assignment_items(request.user).exists(),
            "assignments": selectors.student_assignment_rows(request.user, now),
            "classrooms": request.user.classrooms.order_by("name"),
            "feed_home": feed_selectors.feed_home(request.user),
            # Lessons (quiz.selectors.learn): the student's "Learn" section.
            "learn_rows": learn.student_lessons(request.user) if request.user.is_student else None,
            # Adaptive practice and boosters (quiz.selectors.practice): mastery bars, boosters.
            "practice_home": (
                practice_selectors.practice_home(request.user, now)
                if request.user.is_student
                else None
            ),
        },
    )


@login_required
@require_POST
def assignment_start(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("quiz", "classroom"),
        pk=assignment_id,
        classroom__students=request.user,
    )
    try:
        if assignment.quiz.mode == Quiz.Mode.PRACTICE:
            # Assigned adaptive practice: a set of the student's own, chosen as they play.
            attempt = practice_services.practice_assignment_start(
                user=request.user, assignment=assignment
            )
        else:
            attempt = services.attempt_start(
                user=request.user, quiz=assignment.quiz, assignment=assignment
            )
    except (services.AttemptRefused, practice_services.PracticeRefused) as refused:
        messages.error(request, str(refused))
        return redirect("quiz:quiz_list")
    if held.attempt_closed_for_now(attempt, request.user):
        messages.error(
            request,
            _(
                "This assignment shows the answers to clips of a test you have not finished. "
                "It opens when that test is due."
            ),
        )
        return redirect("quiz:quiz_list")
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)


@login_required
@require_POST
def attempt_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(held.quizzes_playable_by(request.user), slug=slug)
    attempt = services.attempt_start(user=request.user, quiz=quiz)
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)


def _practice_length(
    attempt: Attempt, progress: selectors.AttemptProgress
) -> selectors.AttemptProgress:
    """An adaptive practice set gains its rounds as it is played: "round 3 of 10" counts
    the rounds it will have, not those chosen so far (one query, practice sets only)."""
    if attempt.quiz.mode != Quiz.Mode.PRACTICE:
        return progress
    rounds = attempt.quiz.practice_set.rounds
    return replace(progress, total=max(progress.total, rounds))


def _answer_form(item: QuizItem, data: Any = None) -> AnswerForm | SpotAnswerForm:
    """The round's form: a spot round asks where (and when), the others real or generated."""
    if item.is_spot:
        return SpotAnswerForm(data)
    return AnswerForm(data, item=item)


def _round_context(
    attempt: Attempt,
    shown: selectors.ShownRound,
    form: AnswerForm | SpotAnswerForm,
    progress: selectors.AttemptProgress | None = None,
) -> dict[str, Any]:
    if progress is None:
        progress = selectors.attempt_progress(attempt, showing=shown)
    return {
        "attempt": attempt,
        "item": shown.item,
        "round": shown,
        "form": form,
        "progress": _practice_length(attempt, progress),
        "withheld": _withheld(attempt),
        "mode": "round",
    }


@login_required
@require_safe
def attempt_play(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for(request, attempt_id, live=True)
    if attempt.quiz.mode == Quiz.Mode.FEED:
        # A feed plays one clip after another on its own page (quiz.views.feed).
        return redirect("feed:play", attempt_id=attempt.pk)
    if attempt.live_game_id is not None:
        # A live lesson plays this attempt with the class (quiz.views.live), never ahead.
        return redirect("live:device", game_id=attempt.live_game_id)
    if attempt.quiz.mode == Quiz.Mode.PRACTICE:
        # An adaptive practice set gains its next rounds as the student reaches them.
        practice_services.practice_grow(attempt=attempt)
    playing = selectors.attempt_next_round_to_play(attempt)
    if playing is None:
        return redirect("quiz:attempt_summary", attempt_id=attempt.pk)
    shown, progress = playing
    return _render_stage(
        request, _round_context(attempt, shown, _answer_form(shown.item), progress)
    )


def _feedback_context(
    attempt: Attempt, item: QuizItem, answer: Answer, *, repeated: bool = False
) -> dict[str, Any]:
    # The sides the answer was given on: "Clip A" stays the clip that was on the left.
    shown = selectors.attempt_round(attempt, item, answer=answer)
    next_round = selectors.attempt_next_round(attempt)
    withheld = _withheld(attempt)
    # A test shows no truth before its due time: no clips, no artifacts, no verdict.
    artifacts = {} if withheld else selectors.item_artifacts(item)
    # The feedback serves the clips under the attempt's own names too, the very URLs of the
    # round: the browser shows them again from its cache, a student never needs a clip's
    # stored name, and "no name is used in two attempts" holds without exceptions (a stable
    # name next to the truth would let a table built here answer the next attempt).
    clips = (
        [("a", shown.media_a), ("b", shown.media_b)] if item.is_pair else [("main", shown.media_a)]
    )
    return {
        "attempt": attempt,
        "item": item,
        "round": shown,
        "answer": answer,
        "repeated": repeated,
        "shown_clips": []
        if withheld
        else [(label, served, artifacts[served.clip.pk]) for label, served in clips],
        "withheld": withheld,
        "spot": None
        if withheld or not item.is_spot
        else selectors.spot_feedback(answer, artifacts[item.clip_id]),
        "progress": _practice_length(attempt, selectors.attempt_progress(attempt, showing=shown)),
        "next_url": (
            reverse("quiz:attempt_play", args=[attempt.pk])
            if next_round
            else reverse("quiz:attempt_summary", args=[attempt.pk])
        ),
        "is_last": next_round is None,
        "mode": "feedback",
    }


class _FormInvalid(Exception):
    def __init__(self, form: AnswerForm | SpotAnswerForm) -> None:
        self.form = form


def _submitted_context(submitted: services.RoundSubmitted) -> dict[str, Any]:
    """The feedback of a submit, from what the submit read (no query, but the artifacts of
    a round answered before)."""
    attempt, item, answer = submitted.attempt, submitted.shown.item, submitted.answer
    shown = submitted.shown
    if answer.swapped != shown.swapped:
        shown = replace(shown, swapped=answer.swapped)
    next_round = submitted.rounds.next_round(attempt)
    withheld = _withheld(attempt)
    artifacts = {} if withheld else submitted.artifacts or selectors.item_artifacts(item)
    clips = (
        [("a", shown.media_a), ("b", shown.media_b)] if item.is_pair else [("main", shown.media_a)]
    )
    return {
        "attempt": attempt,
        "item": item,
        "round": shown,
        "answer": answer,
        "repeated": not submitted.created,
        "shown_clips": []
        if withheld
        else [(label, served, artifacts[served.clip.pk]) for label, served in clips],
        "withheld": withheld,
        "spot": None
        if withheld or not item.is_spot
        else selectors.spot_feedback(answer, artifacts[item.clip_id]),
        "progress": _practice_length(attempt, submitted.rounds.progress(showing=shown)),
        "next_url": (
            reverse("quiz:attempt_play", args=[attempt.pk])
            if next_round
            else reverse("quiz:attempt_summary", args=[attempt.pk])
        ),
        "is_last": next_round is None,
        "mode": "feedback",
    }


@login_required
@require_POST
def answer_submit(request: HttpRequest, attempt_id: int, round_key: str) -> HttpResponse:
    def read(item: QuizItem) -> services.Given:
        if item.kind == QuizItem.Kind.FEED:
            # Feed clips are answered on the feed's page, which shows no truth until the end.
            raise Http404
        form = _answer_form(item, request.POST)
        if not form.is_valid():
            raise _FormInvalid(form)
        if item.is_spot:
            return "spot", form.cleaned_data["confidence"], form.cleaned_data["mark"]
        return form.cleaned_data["guess"], form.cleaned_data["confidence"]

    try:
        submitted = services.round_answer(
            user=request.user, attempt_id=attempt_id, round_key=round_key, read=read
        )
    except services.PlayedLive as live:
        # Answered round by round with the class while the live lesson runs (quiz.views.live).
        device = reverse("live:device", args=[live.game_id])
        return HttpResponse(headers={"HX-Redirect": device}) if request.htmx else redirect(device)
    except services.RoundNotFound:
        raise Http404 from None
    except _FormInvalid as invalid:
        attempt = _attempt_for(request, attempt_id)
        shown = _round_for(attempt, round_key)
        return _render_stage(request, _round_context(attempt, shown, invalid.form), status=422)
    except services.AnswerRejected as rejected:
        attempt = _attempt_for(request, attempt_id)
        shown = _round_for(attempt, round_key)
        form = _answer_form(shown.item, request.POST)
        form.is_valid()
        form.add_error(None, str(rejected))
        return _render_stage(request, _round_context(attempt, shown, form), status=409)
    if submitted.shown.item.kind == QuizItem.Kind.FEED:
        raise Http404  # answered on the feed's page before: its truth waits for the summary
    if submitted.created and not request.htmx:
        return redirect("quiz:round_feedback", attempt_id=attempt_id, round_key=round_key)
    # A repeated submit changes nothing: show what was stored, and say so.
    return _render_stage(request, _submitted_context(submitted))


@login_required
@require_safe
def round_feedback(request: HttpRequest, attempt_id: int, round_key: str) -> HttpResponse:
    attempt = _attempt_for(request, attempt_id)
    if attempt.quiz.mode == Quiz.Mode.FEED:
        # A feed shows the truth of its clips on its summary only, once it is finished.
        return redirect("feed:summary", attempt_id=attempt.pk)
    shown = _round_for(attempt, round_key)
    answer = Answer.objects.filter(attempt=attempt, item=shown.item).first()
    if answer is None:
        # No feedback before an answer: that would reveal the truth.
        return redirect("quiz:attempt_play", attempt_id=attempt.pk)
    return _render_stage(request, _feedback_context(attempt, shown.item, answer))


@login_required
@require_safe
def attempt_summary(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for(request, attempt_id)
    if attempt.quiz.mode == Quiz.Mode.FEED:
        return redirect("feed:summary", attempt_id=attempt.pk)
    if not attempt.is_finished:
        return redirect("quiz:attempt_play", attempt_id=attempt.pk)
    withheld = _withheld(attempt)
    return render(
        request,
        "quiz/play/summary.html",
        {
            "attempt": attempt,
            "withheld": withheld,
            "result": None if withheld else selectors.attempt_summary(attempt),
            "review": [] if withheld else selectors.attempt_review(attempt),
            "progress": selectors.attempt_progress(attempt),
        },
    )


@login_required
@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    hidden_until = selectors.results_withheld_until(request.user, timezone.now())
    return render(
        request,
        "quiz/play/progress.html",
        {
            # While a test is under way its answers must not show through the totals.
            "hidden_until": hidden_until,
            "progress": None if hidden_until else selectors.user_progress(request.user),
        },
    )
