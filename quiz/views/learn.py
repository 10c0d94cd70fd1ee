"""Lessons (issue 14 §2): a lesson page per giveaway category with worked examples and a real
decoy, its immediate check played through the play loop, an assigned lesson's page, and the
teacher's list of lessons to assign."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import teacher_required
from quiz import lessons
from quiz.models import Assignment, Quiz, pending_assignment_items
from quiz.selectors import learn as selectors
from quiz.services import learn as services

LESSON_TEMPLATE = "quiz/learn/lesson.html"


def _lesson_code(code: str) -> str:
    """A lesson's category code; anything else (a decoy code, a typo) is a 404."""
    if code not in lessons.LESSONS:
        raise Http404
    return code


@login_required
@require_safe
def learn_index(request: HttpRequest) -> HttpResponse:
    """Every lesson the learner may open, with their mastery; others also see the lessons
    their library cannot teach yet (hidden from students)."""
    rows = selectors.lesson_rows(request.user, mastery=True)
    if request.user.is_student:
        rows = [row for row in rows if row.plan.available]
    held_back = request.user.is_student and pending_assignment_items(request.user).exists()
    return render(request, "quiz/learn/index.html", {"rows": rows, "held_back": held_back})


@login_required
@require_safe
def lesson(request: HttpRequest, code: str) -> HttpResponse:
    page = selectors.lesson_page(request.user, _lesson_code(code))
    if not page.available and request.user.is_student:
        # Hidden from students while the library has too few clips for it.
        raise Http404
    return render(request, LESSON_TEMPLATE, {"page": page, "assignment": None})


@login_required
@require_POST
def check_start(request: HttpRequest, code: str) -> HttpResponse:
    code = _lesson_code(code)
    try:
        attempt = services.lesson_check_start(user=request.user, code=code)
    except services.LessonUnavailable as unavailable:
        if request.user.is_student:
            raise Http404 from None
        messages.error(request, str(unavailable))
        return redirect("learn:lesson", code=code)
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)


@login_required
@require_safe
def assignment_lesson(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """An assigned lesson: the lesson first, then its check through the assignment's own
    start (its class, opening and due times and attempts apply)."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("quiz", "classroom", "quiz__lesson_check"),
        pk=assignment_id,
        classroom__students=request.user,
        quiz__mode=Quiz.Mode.LESSON,
        quiz__lesson_check__isnull=False,
    )
    page = selectors.lesson_page(
        request.user, assignment.quiz.lesson_check.category, check=assignment.quiz
    )
    return render(request, LESSON_TEMPLATE, {"page": page, "assignment": assignment})


@teacher_required
@require_safe
def teacher_lessons(request: HttpRequest) -> HttpResponse:
    """Every lesson with how many annotated clips the teacher's library holds for it, and an
    Assign button for those it can teach."""
    rows = selectors.lesson_rows(request.user, owner=request.user)
    return render(request, "quiz/learn/teacher_lessons.html", {"rows": rows})


@teacher_required
@require_POST
def lesson_assign(request: HttpRequest, code: str) -> HttpResponse:
    """The teacher's own check of the lesson (created if needed), on to the assignment form."""
    code = _lesson_code(code)
    if not request.user.is_verified_teacher:
        raise PermissionDenied
    try:
        quiz = services.lesson_check_for_teacher(teacher=request.user, code=code)
    except services.LessonUnavailable as unavailable:
        messages.error(request, str(unavailable))
        return redirect("learn:teacher_lessons")
    return redirect("teach:assignment_create", slug=quiz.slug)
