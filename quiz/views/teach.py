"""The teacher's side of assignments: assign a quiz, watch it live, read and export it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import teacher_required
from accounts.models import Classroom
from quiz.forms.teach import AssignmentForm
from quiz.models import Assignment, Quiz
from quiz.responses import assigned, bound_data, csv_response, csv_style
from quiz.selectors import practice as practice_reports
from quiz.selectors import teach as reports
from quiz.services import teach as services
from quiz.stats import insights

LIVE_TEMPLATE = "quiz/teach/live.html"


def _assignment_for(request: HttpRequest, assignment_id: int) -> Assignment:
    """An assignment of a class the teacher teaches; any other is a 404."""
    return get_object_or_404(reports.assignments_for_teacher(request.user), pk=assignment_id)


@teacher_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, slug: str) -> HttpResponse:
    # Adaptive practice is assigned on its own page (quiz.views.practice.practice_assign).
    quiz = get_object_or_404(
        Quiz.objects.visible_to(request.user).exclude(mode=Quiz.Mode.PRACTICE), slug=slug
    )
    try:
        services.assignable_check(teacher=request.user, quiz=quiz)
    except services.AssignmentRefused as refused:
        messages.error(request, str(refused))
        return redirect("build:quiz_edit", slug=quiz.slug)
    classrooms = Classroom.objects.taught_by(request.user).active().order_by("name")
    form = AssignmentForm(
        bound_data(request),
        classrooms=classrooms,
        initial={"classrooms": classrooms[:1]} if classrooms.count() == 1 else None,
    )
    open_tests = reports.open_tests_sharing_clips(quiz, request.user, timezone.now())
    if request.method == "POST" and form.is_valid() and _opens_before_due(form, open_tests):
        data = form.cleaned_data
        created = services.assignment_create(
            teacher=request.user,
            quiz=quiz,
            classrooms=list(data["classrooms"]),
            opens_at=data["opens_at"],
            due_at=data["due_at"],
            attempts_allowed=data["attempts_allowed"],
            feedback=data["feedback"],
            unit_role=data["unit_role"] or "",
            unit=data["unit"],
            keep_order=data["keep_order"],
        )
        return assigned(request, created, _("Assigned to %(classes)s."))
    return render(
        request,
        "quiz/teach/assign.html",
        {
            "form": form,
            "quiz": quiz,
            "classrooms": classrooms,
            "seen": reports.clips_already_seen(quiz, classrooms),
            "open_to_practice": reports.clips_open_to_practice(quiz, request.user),
            # With feedback after each round, students of these tests' classes cannot play
            # it until the test is due (quiz.selectors.held.attempt_closed_for_now).
            "open_tests": open_tests,
        },
    )


def _opens_before_due(form: AssignmentForm, open_tests: list[reports.SharedTest]) -> bool:
    """Whether each chosen class can play the assignment before its own due time. With the
    answers after each round, a class cannot start it until every test of its school that
    shares its clips is due (quiz.selectors.held.attempt_closed_for_now): when such a test is
    due later than the assignment, the assignment would close before it ever opened, so the
    form says which test and until when, and nothing is assigned."""
    data = form.cleaned_data
    if data["feedback"] != Assignment.Feedback.EACH_ANSWER:
        return True
    # add_error takes due_at out of cleaned_data: read it (and the classes) first.
    due, classrooms = data["due_at"], list(data["classrooms"])
    refused = False
    for classroom in classrooms:
        test = next(
            (
                shared.assignment
                for shared in open_tests
                if shared.assignment.due_at >= due
                and shared.assignment.classroom.school_id == classroom.school_id
            ),
            None,
        )
        if test is None:
            continue
        refused = True
        form.add_error(
            "due_at",
            _(
                "%(class)s cannot start this before the test “%(test)s” of %(test_class)s is "
                "due (%(when)s): it shows the answers to clips of that test. Set a due time "
                "after that, or show the answers after the due time."
            )
            % {
                "class": classroom.name,
                # Built-in quizzes' titles are in the catalogue, as the pages show them.
                "test": _(test.quiz.title),
                "test_class": test.classroom.name,
                "when": formats.date_format(
                    timezone.localtime(test.due_at), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
    return not refused


@teacher_required
@require_safe
def assignment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quiz/teach/assignment_list.html",
        {
            "assignments": reports.assignments_for_teacher(request.user).order_by("-due_at"),
            "quizzes": reports.assignable_quizzes(request.user),
        },
    )


@teacher_required
@require_safe
def assignment_live(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Who has started and finished, progress and scores, per-item shares; polled by htmx."""
    assignment = _assignment_for(request, assignment_id)
    projector = request.GET.get("projector") == "1"
    context = {
        "assignment": assignment,
        "live": reports.assignment_live(assignment, projector=projector),
        "projector": projector,
    }
    template = f"{LIVE_TEMPLATE}#live" if request.htmx else LIVE_TEMPLATE
    return render(request, template, context)


@teacher_required
@require_safe
def assignment_live_table(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The live view's figures alone, which its page polls every second: the same partial
    as the page, from a few small queries (the assignment's cells, students, rounds and
    attempts) and nothing around it. Under /teach/live/, so that a proxy can send it to an
    address of the server's own, where it never waits behind the students' answers (README,
    Production)."""
    assignment = _assignment_for(request, assignment_id)
    projector = request.GET.get("projector") == "1"
    context = {
        "assignment": assignment,
        "live": reports.assignment_live(assignment, projector=projector),
        "projector": projector,
    }
    return render(request, f"{LIVE_TEMPLATE}#live", context)


@teacher_required
@require_safe
def assignment_report(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_for(request, assignment_id)
    return render(
        request,
        "quiz/teach/report.html",
        {
            "assignment": assignment,
            "report": reports.assignment_report(assignment),
            # Assigned adaptive practice: rounds done of the goal's and accuracy per student.
            "practice_rows": practice_reports.assignment_practice(assignment),
        },
    )


def _filename(assignment: Assignment, what: str) -> str:
    stem = slugify(f"{assignment.classroom.name}-{assignment.quiz.title}")[:60] or "assignment"
    return f"{stem}-{assignment.pk}-{what}.csv"


@teacher_required
@require_safe
def assignment_answers_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_for(request, assignment_id)
    return csv_response(
        _filename(assignment, "answers"),
        reports.ANSWER_COLUMNS,
        reports.answer_rows(assignment),
        style=csv_style(request),
    )


@teacher_required
@require_safe
def assignment_students_csv(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment_for(request, assignment_id)
    return csv_response(
        _filename(assignment, "students"),
        reports.STUDENT_COLUMNS,
        reports.student_rows(assignment),
        style=csv_style(request),
    )


@teacher_required
@require_safe
def class_stats(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """A teacher's own class in full: the class and each student, with the same figures the
    educator's overview shows (nothing suppressed: these are the teacher's own students)."""
    classroom = get_object_or_404(
        Classroom.objects.taught_by(request.user).select_related("school"), pk=classroom_id
    )
    return render(
        request,
        "quiz/teach/class_stats.html",
        {"classroom": classroom, "stats": insights.class_statistics(classroom)},
    )
