"""Students' data under the school's control: the privacy page (public), downloads of
everything stored about a student (the student's own, and a teacher's for their class), and
deleting a student or an archived class for good, after a confirm page.

Who may download and delete a class's data is one rule (selectors.classrooms_managed_by);
anything else is a 404, whoever asks. Deleting is a POST with a typed or ticked confirmation.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Classroom, User
from quiz.forms.privacy import ClassEraseForm, StudentEraseForm
from quiz.selectors import privacy as selectors
from quiz.services import privacy as services

FORMATS = ("json", "zip")


@require_safe
def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quiz/privacy/privacy.html",
        {
            "retention_months": settings.STUDENT_RETENTION_MONTHS,
            "min_group": settings.STATS_MIN_GROUP,
            "throttle_minutes": max(1, settings.LOGIN_THROTTLE_WINDOW // 60),
        },
    )


def _download(
    data: list[selectors.StudentData], fmt: str, name: str, *, classroom: Classroom | None = None
) -> HttpResponse:
    if fmt == "json":
        response = HttpResponse(
            selectors.export_json(data, classroom=classroom),
            content_type="application/json; charset=utf-8",
        )
        filename = f"{name}.json"
    else:
        response = HttpResponse(selectors.export_zip(data), content_type="application/zip")
        filename = f"{name}-csv.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _name(user: User) -> str:
    return slugify(user.username) or f"student-{user.pk}"


@login_required
@require_safe
def my_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """Everything stored about the signed-in person (results of a running test wait for its
    due time, as on every other page of theirs)."""
    data = selectors.student_data([request.user], for_student=True)
    return _download(data, _format(fmt), f"second-look-my-data-{_name(request.user)}")


def _managed_class(request: HttpRequest, classroom_id: int) -> Classroom:
    return get_object_or_404(
        selectors.classrooms_managed_by(request.user).select_related("school"), pk=classroom_id
    )


def _student_in(classroom: Classroom, student_id: int) -> User:
    return get_object_or_404(selectors.students_of(classroom), pk=student_id)


@login_required
@require_safe
def student_data(
    request: HttpRequest, classroom_id: int, student_id: int, fmt: str
) -> HttpResponse:
    """A student of the teacher's class: their account, and their membership, attempts and
    answers in this class."""
    classroom = _managed_class(request, classroom_id)
    student = _student_in(classroom, student_id)
    data = selectors.student_data([student], classroom=classroom)
    return _download(data, _format(fmt), f"second-look-class-{classroom.pk}-{_name(student)}")


@login_required
@require_safe
def class_data(request: HttpRequest, classroom_id: int, fmt: str) -> HttpResponse:
    classroom = _managed_class(request, classroom_id)
    data = selectors.student_data(selectors.students_of(classroom), classroom=classroom)
    return _download(data, _format(fmt), f"second-look-class-{classroom.pk}", classroom=classroom)


def _student_confirm(
    request: HttpRequest, classroom: Classroom, student: User, form: StudentEraseForm, status: int
) -> HttpResponse:
    return render(
        request,
        "quiz/privacy/student_delete.html",
        {
            "classroom": classroom,
            "plan": selectors.student_erasure(student, by=request.user),
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def student_delete_confirm(
    request: HttpRequest, classroom_id: int, student_id: int
) -> HttpResponse:
    classroom = _managed_class(request, classroom_id)
    student = _student_in(classroom, student_id)
    form = StudentEraseForm(student_username=student.username)
    return _student_confirm(request, classroom, student, form, 200)


@require_POST
@login_required
def student_delete(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom = _managed_class(request, classroom_id)
    student = _student_in(classroom, student_id)
    form = StudentEraseForm(request.POST, student_username=student.username)
    if not form.is_valid():
        return _student_confirm(request, classroom, student, form, 400)
    name = student.display_name
    try:
        services.student_erase(student=student, by=request.user)
    except services.ErasureRefused as refused:
        messages.error(request, str(refused))
        return redirect("privacy:student_delete_confirm", classroom.pk, student_id)
    messages.success(
        request, _("%(name)s and everything stored about them are deleted.") % {"name": name}
    )
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


def _class_confirm(
    request: HttpRequest, classroom: Classroom, form: ClassEraseForm, status: int
) -> HttpResponse:
    return render(
        request,
        "quiz/privacy/class_delete.html",
        {
            "classroom": classroom,
            "plan": selectors.class_erasure(classroom, by=request.user),
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def class_delete_confirm(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _managed_class(request, classroom_id)
    return _class_confirm(request, classroom, ClassEraseForm(), 200)


@require_POST
@login_required
def class_delete(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _managed_class(request, classroom_id)
    form = ClassEraseForm(request.POST)
    if not classroom.is_archived or not form.is_valid():
        return _class_confirm(request, classroom, form, 400)
    name = classroom.name
    try:
        erased = services.classroom_erase(classroom=classroom, by=request.user)
    except services.ErasureRefused as refused:
        messages.error(request, str(refused))
        return redirect("accounts:classroom_list")
    messages.success(
        request,
        ngettext(
            "The class “%(name)s” is deleted, with its answers and %(students)s student account.",
            "The class “%(name)s” is deleted, with its answers and %(students)s student accounts.",
            erased.students,
        )
        % {"name": name, "students": erased.students},
    )
    return redirect("accounts:classroom_list")
