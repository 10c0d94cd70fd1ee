"""The Teachers page: school administrators (their school) and staff (every school) approve or
refuse teachers waiting for approval, see a school's teachers, invite colleagues and manage
the educators who oversee the school; staff also name a school's administrators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts import verification
from accounts.decorators import school_admin_required
from accounts.models import School, User

TEMPLATE = "accounts/teachers.html"


def _school_for(request: HttpRequest, raw: str | None) -> School | None:
    """The school whose teachers the page manages: a school administrator's own; for staff
    the one chosen (`raw` is its id), or none yet."""
    user = request.user
    if not user.is_staff:
        return user.school
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return School.objects.filter(pk=int(raw)).first()


def _teachers_url(school: School | None) -> str:
    url = reverse("accounts:teachers")
    return f"{url}?{urlencode({'school': school.pk})}" if school is not None else url


@school_admin_required
@require_safe
def teachers(request: HttpRequest) -> HttpResponse:
    school = _school_for(request, request.GET.get("school"))
    if request.user.is_staff and request.GET.get("school") and school is None:
        messages.error(request, _("There is no such school."))
        return redirect("accounts:teachers")
    context: dict[str, Any] = {
        "pending": verification.pending_teachers_for(request.user),
        "school": school,
        "schools": School.objects.order_by("name") if request.user.is_staff else [],
    }
    if school is not None:
        token = verification.invite_token(inviter=request.user, school=school)
        context |= {
            "teachers": verification.school_teachers(school),
            "educators": school.educators.order_by("last_name", "username"),
            "invite_url": request.build_absolute_uri(
                reverse("accounts:teacher_signup") + "?" + urlencode({"invite": token})
            ),
        }
    return render(request, TEMPLATE, context)


def _pending_teacher(request: HttpRequest, user_id: int) -> User:
    """A waiting teacher the signed-in manager may decide on; any other account is a 404."""
    return get_object_or_404(verification.pending_teachers_for(request.user), pk=user_id)


@school_admin_required
@require_POST
def teacher_approve(request: HttpRequest, user_id: int) -> HttpResponse:
    teacher = _pending_teacher(request, user_id)
    verification.teacher_approve(teacher=teacher, by=request.user)
    verification.mail_teacher_approved(
        teacher=teacher, sign_in_url=request.build_absolute_uri(reverse("accounts:login"))
    )
    messages.success(
        request,
        _("%(name)s is approved: they see the clip library now.") % {"name": teacher.display_name},
    )
    return redirect(_teachers_url(teacher.school if request.user.is_staff else None))


@school_admin_required
@require_POST
def teacher_refuse(request: HttpRequest, user_id: int) -> HttpResponse:
    teacher = _pending_teacher(request, user_id)
    verification.teacher_refuse(teacher=teacher)
    verification.mail_teacher_refused(teacher=teacher)
    messages.success(
        request,
        _("%(name)s was refused and can no longer sign in.") % {"name": teacher.display_name},
    )
    return redirect("accounts:teachers")


@school_admin_required
@require_POST
def teacher_set_admin(request: HttpRequest, user_id: int) -> HttpResponse:
    """Staff only: make a school's teacher its administrator, or take the role back."""
    if not request.user.is_staff:
        raise PermissionDenied
    teacher = get_object_or_404(
        User.objects.filter(role=User.Role.TEACHER, is_active=True, school__isnull=False),
        pk=user_id,
    )
    admin = request.POST.get("admin") == "1"
    try:
        verification.school_admin_set(teacher=teacher, admin=admin)
    except verification.VerificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            (
                _("%(name)s now administers %(school)s.")
                if admin
                else _("%(name)s no longer administers %(school)s.")
            )
            % {"name": teacher.display_name, "school": teacher.school.name},
        )
    return redirect(_teachers_url(teacher.school))


@school_admin_required
@require_POST
def school_educators(request: HttpRequest) -> HttpResponse:
    """Add an educator (by username) to the school's overseers, or remove one."""
    school = _school_for(request, request.POST.get("school"))
    if school is None:
        raise Http404("no such school")
    if request.POST.get("action") == "remove":
        educator_id = request.POST.get("educator", "")
        if not (educator_id.isascii() and educator_id.isdigit()) or len(educator_id) > 18:
            raise Http404("no such educator")
        educator = get_object_or_404(school.educators.all(), pk=int(educator_id))
        verification.school_educator_remove(school=school, educator=educator)
        messages.success(
            request,
            _("%(name)s no longer reads %(school)s's statistics.")
            % {"name": educator.display_name, "school": school.name},
        )
    else:
        try:
            educator = verification.school_educator_add(
                school=school, username=request.POST.get("username", "")
            )
        except verification.VerificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s now reads %(school)s's statistics.")
                % {"name": educator.display_name, "school": school.name},
            )
    return redirect(_teachers_url(school if request.user.is_staff else None))


@school_admin_required
@require_POST
def school_language(request: HttpRequest) -> HttpResponse:
    """The school's default language: what its people see until they choose one."""
    school = _school_for(request, request.POST.get("school"))
    if school is None:
        raise Http404("no such school")
    code = request.POST.get("language", "")
    if code not in {"", *dict(settings.LANGUAGES)}:
        messages.error(request, _("Choose one of the languages offered."))
    else:
        School.objects.filter(pk=school.pk).update(language=code)
        messages.success(request, _("The school's language is saved."))
    return redirect(_teachers_url(school if request.user.is_staff else None))
