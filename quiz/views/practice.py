"""Adaptive practice and boosters: the student starts a set (or a due booster) and plays it
through the normal play loop (quiz.views.play), which grows the set round by round."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.decorators import student_required
from quiz import categories
from quiz.selectors import practice as selectors
from quiz.services import practice as services


@student_required
@require_POST
def practice_start(request: HttpRequest) -> HttpResponse:
    """Start (or resume) an adaptive practice set; `category` (optional) is the tell to
    practise most."""
    focus = request.POST.get("category", "")
    if focus and focus not in categories.TELL_CODES:
        messages.error(request, services.PracticeRefused.unknown_category())
        return redirect("quiz:quiz_list")
    try:
        attempt = services.practice_start(user=request.user, focus=focus)
    except services.PracticeRefused as refused:
        messages.error(request, str(refused))
        return redirect("quiz:quiz_list")
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)


@student_required
@require_POST
def booster_start(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Start (or resume) the booster set of one of the student's own plans (404 otherwise)."""
    plan = selectors.plan_of(request.user, plan_id)
    if plan is None or plan.due_at is None:
        raise Http404
    try:
        attempt = services.practice_start(user=request.user, booster=plan)
    except services.PracticeRefused as refused:
        messages.error(request, str(refused))
        return redirect("quiz:quiz_list")
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)
