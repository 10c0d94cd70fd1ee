"""Feeds: the teacher's "New feed" page, the practice feed a student starts from home, playing
a feed one clip at a time (htmx with full-page fallbacks) and its end-of-feed results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import teacher_required
from quiz.forms.feed import FeedForm
from quiz.models import Answer, Attempt, Quiz, QuizItem
from quiz.responses import bound_data
from quiz.selectors import feed as selectors
from quiz.selectors import held
from quiz.services import feed as services
from quiz.services import play as play_services

PLAY_TEMPLATE = "quiz/feed/play.html"


def _attempt_for(request: HttpRequest, attempt_id: int) -> Attempt:
    """The signed-in user's own attempt of a feed; anything else is a 404, and so is a feed
    closed to the user for now (its summary would answer a test: attempt_closed_for_now)."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "assignment"),
        pk=attempt_id,
        user=request.user,
        quiz__mode=Quiz.Mode.FEED,
    )
    if held.attempt_closed_for_now(attempt, request.user):
        raise Http404
    return attempt


def _withheld(attempt: Attempt) -> bool:
    return attempt.assignment is not None and attempt.assignment.feedback_withheld(timezone.now())


@teacher_required
@require_http_methods(["GET", "POST"])
def feed_new(request: HttpRequest) -> HttpResponse:
    """Build a feed from the teacher's library, then go on to assign it."""
    pool = selectors.teacher_pool(request.user)
    form = FeedForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quiz = services.feed_create(
                owner=request.user,
                pool=pool,
                title=data["title"],
                length=data["length"],
                percent=data["percent"],
                seconds=data["seconds"],
            )
        except services.FeedRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Feed created. Now choose the classes that get it."))
            return redirect("teach:assignment_create", slug=quiz.slug)
    return render(
        request,
        "quiz/feed/new.html",
        {"form": form, "pool": selectors.pool_size(pool)},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def practice_start(request: HttpRequest) -> HttpResponse:
    """The student's practice feed from the learning pool (resumed if one is open)."""
    try:
        attempt = services.practice_feed_start(student=request.user)
    except services.FeedRefused as refused:
        messages.error(request, str(refused))
        return redirect("quiz:quiz_list")
    return redirect("feed:play", attempt_id=attempt.pk)


def _clip_context(attempt: Attempt, position: selectors.FeedPosition) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "position": position,
        "round": position.shown,
        "settings": selectors.feed_settings(attempt.quiz),
    }


@login_required
@require_safe
def feed_play(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for(request, attempt_id)
    position = selectors.feed_current(attempt)
    if position is None:
        return redirect("feed:summary", attempt_id=attempt.pk)
    template = f"{PLAY_TEMPLATE}#clip" if request.htmx else PLAY_TEMPLATE
    return render(request, template, _clip_context(attempt, position))


@login_required
@require_POST
def feed_answer(request: HttpRequest, attempt_id: int, round_key: str) -> HttpResponse:
    """Flag the clip ("generated") or let it pass ("real"), then show the next one. A clip
    answered before keeps its answer (each clip is judged once)."""
    attempt = _attempt_for(request, attempt_id)
    guess = request.POST.get("guess", "")
    if guess not in (Answer.Guess.GENERATED, Answer.Guess.REAL):
        position = selectors.feed_current(attempt)
        if position is None:
            return redirect("feed:summary", attempt_id=attempt.pk)
        context = _clip_context(attempt, position) | {
            "error": _("Flag the clip, or go on to the next one.")
        }
        template = f"{PLAY_TEMPLATE}#clip" if request.htmx else PLAY_TEMPLATE
        return render(request, template, context, status=422)

    def read(_item: QuizItem) -> tuple[str, int]:
        # No confidence is asked in a feed: the service stores 50 (quiz.services.feed).
        return guess, 50

    try:
        submitted = play_services.round_answer(
            user=request.user, attempt_id=attempt.pk, round_key=round_key, read=read
        )
    except play_services.RoundNotFound:
        raise Http404 from None
    except play_services.AnswerRejected as rejected:
        messages.error(request, str(rejected))
        return _go(request, reverse("quiz:quiz_list"))
    if submitted.attempt.is_finished:
        return _go(request, reverse("feed:summary", args=[attempt.pk]))
    if not request.htmx:
        return redirect("feed:play", attempt_id=attempt.pk)
    position = selectors.feed_current(attempt)
    if position is None:
        return _go(request, reverse("feed:summary", args=[attempt.pk]))
    return render(request, f"{PLAY_TEMPLATE}#clip", _clip_context(attempt, position))


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole page."""
    if request.htmx:
        response = HttpResponse()
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_safe
def feed_summary(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt_for(request, attempt_id)
    if not attempt.is_finished:
        return redirect("feed:play", attempt_id=attempt.pk)
    withheld = _withheld(attempt)
    return render(
        request,
        "quiz/feed/summary.html",
        {
            "attempt": attempt,
            "withheld": withheld,
            "results": None if withheld else selectors.feed_results(attempt),
        },
    )
