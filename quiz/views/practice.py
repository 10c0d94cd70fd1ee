"""Adaptive practice and boosters: the student starts a set (or a due booster) and plays it
through the normal play loop (quiz.views.play), which grows the set round by round; a teacher
assigns practice to classes (each student's set is started from the assignment's own
button, quiz.views.play.assignment_start)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import student_required, teacher_required
from accounts.models import Classroom
from quiz import categories
from quiz.forms.practice import PracticeAssignForm
from quiz.responses import assigned, bound_data, csv_response, csv_style
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
    plan = selectors.plan_of(request.user, plan_id, timezone.now())
    if plan is None or plan.due_at is None:
        raise Http404
    try:
        attempt = services.practice_start(user=request.user, booster=plan)
    except services.PracticeRefused as refused:
        messages.error(request, str(refused))
        return redirect("quiz:quiz_list")
    return redirect("quiz:attempt_play", attempt_id=attempt.pk)


@teacher_required
@require_http_methods(["GET", "POST"])
def practice_assign(request: HttpRequest) -> HttpResponse:
    """Assign adaptive practice to some of the teacher's classes: N rounds per student by the
    due time, on their weakest giveaways or one the teacher chooses."""
    classrooms = Classroom.objects.taught_by(request.user).active().order_by("name")
    form = PracticeAssignForm(
        bound_data(request),
        classrooms=classrooms,
        initial={"classrooms": classrooms[:1]} if classrooms.count() == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.practice_assign(
                teacher=request.user,
                classrooms=list(data["classrooms"]),
                rounds=data["rounds"],
                focus=data["focus"] or "",
                opens_at=data["opens_at"],
                due_at=data["due_at"],
            )
        except services.PracticeRefused as refused:
            form.add_error(None, str(refused))
        else:
            return assigned(request, created, _("Practice assigned to %(classes)s."))
    return render(
        request,
        "quiz/practice/assign.html",
        {"form": form, "classrooms": classrooms},
        status=422 if form.errors else 200,
    )


@teacher_required
@require_safe
def class_boosters_csv(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """The class's boosters per student and category (due, done on time, late, missed) for
    its teachers; another teacher's class is a 404."""
    classroom = get_object_or_404(Classroom.objects.taught_by(request.user), pk=classroom_id)
    stem = slugify(classroom.name)[:60] or "class"
    return csv_response(
        f"{stem}-{classroom.pk}-boosters.csv",
        selectors.BOOSTER_COLUMNS,
        selectors.class_booster_rows(classroom, timezone.now()),
        style=csv_style(request),
    )
