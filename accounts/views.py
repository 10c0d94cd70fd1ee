"""Sign-in and sign-up, joining a class, and the teacher's class and roster tools."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language

from accounts import backends, services, throttle, verification
from accounts.decorators import teacher_required
from accounts.forms import (
    ClassroomForm,
    JoinForm,
    SignInForm,
    StudentNamesForm,
    StudentSignUpForm,
    TeacherSignUpForm,
    bound_data,
    client_address,
)
from accounts.models import Classroom, User
from quiz.selectors.practice import class_boosters

CARDS_SESSION_KEY = "login-cards"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _classroom_for(request: HttpRequest, classroom_id: int) -> Classroom:
    """A class the signed-in teacher teaches (co-teachers share); any other is a 404."""
    return get_object_or_404(
        Classroom.objects.taught_by(request.user).select_related("school"), pk=classroom_id
    )


@require_http_methods(["GET", "POST"])
def teacher_signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    invitation: verification.Invitation | None = None
    if token := request.GET.get("invite", ""):
        try:
            invitation = verification.invite_read(token)
        except verification.VerificationError as error:
            messages.error(request, str(error))
            return redirect("accounts:teacher_signup")
    if invitation is None and verification.signup_mode() == verification.INVITE:
        # Only invitation links make teacher accounts: say so instead of a form.
        return render(
            request,
            "accounts/signup.html",
            {"teacher": True, "invite_only": True},
            status=403 if request.method == "POST" else 200,
        )
    form = TeacherSignUpForm(bound_data(request), invited=invitation is not None)
    if request.method == "POST" and form.is_valid():
        user = verification.teacher_signup(
            user=form.save(commit=False),
            school_name=form.cleaned_data.get("school_name", ""),
            time_zone=form.cleaned_data.get("time_zone", ""),
            invitation=invitation,
        )
        login(request, user, backend=backends.PATH)
        if user.is_pending_teacher:
            verification.mail_signup_pending(
                teacher=user, teachers_url=request.build_absolute_uri(reverse("accounts:teachers"))
            )
            messages.info(request, _verification_wait_message(user))
            return redirect("accounts:classroom_list")
        if invitation is not None and invitation.classroom is not None:
            messages.success(
                request, _("Welcome! You now teach %(name)s.") % {"name": invitation.classroom.name}
            )
            return redirect("accounts:classroom_detail", classroom_id=invitation.classroom.pk)
        messages.success(request, _("Welcome! Create your first class."))
        return redirect("accounts:classroom_create")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "teacher": True, "invitation": invitation},
    )


def _verification_wait_message(user: User) -> str:
    if user.school_admin:
        return _(
            "Welcome! Site staff check every new school before its teachers see the clip "
            "library. Until then you can create classes and build quizzes from clips you "
            "upload yourself."
        )
    return _(
        "Welcome! %(school)s's administrator approves your account before you see the clip "
        "library. Until then you can create classes and build quizzes from clips you upload "
        "yourself."
    ) % {"school": user.school.name if user.school else ""}


def _try_join(request: HttpRequest, code: str) -> Classroom | None:
    """Join by code with throttling; adds the outcome to messages."""
    # Reserve a slot before the code is checked: at most the limit of checks, however many
    # requests arrive at once.
    reservation = throttle.JOIN_CODE.reserve(f"user:{request.user.pk}", client_address(request))
    if reservation is None:
        messages.error(
            request,
            _("Too many wrong codes. Wait %(minutes)d minutes or ask your teacher for the code.")
            % {"minutes": max(1, settings.JOIN_THROTTLE_WINDOW // 60)},
        )
        return None
    try:
        classroom, created = services.classroom_join(student=request.user, code=code)
    except services.ClassroomError as error:
        messages.error(request, str(error))  # a wrong code keeps its slot
        return None
    reservation.succeeded(clear_account=False)
    if created:
        messages.success(request, _("You joined %(name)s.") % {"name": classroom.name})
    else:
        messages.info(request, _("You are already in %(name)s.") % {"name": classroom.name})
    return classroom


@require_http_methods(["GET", "POST"])
def student_signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = StudentSignUpForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.role = User.Role.STUDENT
        user.save()
        login(request, user, backend=backends.PATH)
        if form.cleaned_data["code"]:
            _try_join(request, form.cleaned_data["code"])
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form, "teacher": False})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    if not request.user.is_student:
        raise PermissionDenied
    form = JoinForm(bound_data(request), initial={"code": request.GET.get("code", "")})
    if (
        request.method == "POST"
        and form.is_valid()
        and _try_join(request, form.cleaned_data["code"]) is not None
    ):
        return redirect("home")
    classrooms = request.user.classrooms.select_related("school").order_by("name")
    return render(request, "accounts/join.html", {"form": form, "classrooms": classrooms})


@teacher_required
@require_safe
def classroom_list(request: HttpRequest) -> HttpResponse:
    classrooms = (
        Classroom.objects.taught_by(request.user)
        .select_related("school")
        .annotate(student_count=Count("students", distinct=True))
        .order_by("archived_at", "name")
    )
    return render(request, "accounts/classroom_list.html", {"classrooms": classrooms})


@teacher_required
@require_http_methods(["GET", "POST"])
def classroom_create(request: HttpRequest) -> HttpResponse:
    form = ClassroomForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            classroom = services.classroom_create(teacher=request.user, **form.cleaned_data)
        except services.ClassroomError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Class created. Share the join code or add students."))
            return redirect("accounts:classroom_detail", classroom_id=classroom.pk)
    return render(request, "accounts/classroom_form.html", {"form": form})


def _detail_context(
    request: HttpRequest, classroom: Classroom, names_form: StudentNamesForm
) -> dict[str, Any]:
    invite_url = ""
    if request.user.is_verified_teacher or request.user.is_staff:
        invite = verification.invite_token(inviter=request.user, classroom=classroom)
        invite_url = request.build_absolute_uri(
            reverse("accounts:teacher_signup") + "?" + urlencode({"invite": invite})
        )
    return {
        "invite_url": invite_url,
        "classroom": classroom,
        "students": classroom.students.order_by("first_name", "username"),
        "teachers": classroom.teachers.order_by("last_name", "username"),
        "names_form": names_form,
        # Adaptive practice's boosters: who kept up (quiz.selectors.practice).
        "booster_rows": class_boosters(classroom, timezone.now()),
    }


@teacher_required
@require_safe
def classroom_detail(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    return render(
        request,
        "accounts/classroom_detail.html",
        _detail_context(request, classroom, StudentNamesForm()),
    )


@teacher_required
@require_POST
def classroom_code(request: HttpRequest, classroom_id: int) -> HttpResponse:
    """Rotate, disable or enable the join code; htmx swaps the code panel."""
    classroom = _classroom_for(request, classroom_id)
    action = request.POST.get("action")
    if action == "rotate":
        services.classroom_rotate_code(classroom=classroom)
        message = _("New code: the old one no longer works.")
    elif action in {"disable", "enable"}:
        services.classroom_set_joining(classroom=classroom, enabled=action == "enable")
        message = _("Joining is on.") if action == "enable" else _("Joining is off.")
    else:
        return HttpResponse(_("Unknown action."), status=400)
    if request.htmx:
        return render(
            request,
            "accounts/classroom_detail.html#join-code",
            {"classroom": classroom, "code_message": message},
        )
    messages.success(request, message)
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


@teacher_required
@require_safe
def classroom_join_sheet(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    return render(request, "accounts/join_sheet.html", {"classroom": classroom})


@teacher_required
@require_POST
def students_add(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    if classroom.is_archived:
        messages.error(request, _("This class is archived: restore it to add students."))
        return redirect("accounts:classroom_detail", classroom_id=classroom.pk)
    form = StudentNamesForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/classroom_detail.html",
            _detail_context(request, classroom, form),
            status=422,
        )
    names = form.cleaned_data["names"]
    existing = set(classroom.students.values_list("first_name", flat=True))
    cards = services.students_bulk_create(classroom=classroom, names=names)
    repeated = sorted({n for n in names if names.count(n) > 1 or n in existing})
    if repeated:
        messages.warning(
            request,
            _("Some names appear more than once (%(names)s): each got its own username.")
            % {"names": ", ".join(repeated)},
        )
    _remember_cards(request, classroom, cards)
    messages.success(
        request,
        _("%(count)d student accounts created. Print their cards now.") % {"count": len(cards)},
    )
    return redirect("accounts:login_cards", classroom_id=classroom.pk)


def _remember_cards(
    request: HttpRequest, classroom: Classroom, cards: list[services.LoginCard]
) -> None:
    # First passwords live only in the teacher's session, for printing: never in the DB.
    request.session[CARDS_SESSION_KEY] = {
        "classroom": classroom.pk,
        "cards": [[c.name, c.username, c.password] for c in cards],
    }


@teacher_required
@require_safe
def login_cards(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    stored = request.session.get(CARDS_SESSION_KEY) or {}
    cards = stored.get("cards", []) if stored.get("classroom") == classroom.pk else []
    return render(
        request,
        "accounts/login_cards.html",
        {
            "classroom": classroom,
            "cards": [services.LoginCard(*c) for c in cards],
            "sign_in_url": request.build_absolute_uri("/accounts/login/"),
        },
    )


def _student_in(classroom: Classroom, student_id: int) -> User:
    return get_object_or_404(classroom.students.all(), pk=student_id)


@teacher_required
@require_POST
def student_reset_password(
    request: HttpRequest, classroom_id: int, student_id: int
) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    student = _student_in(classroom, student_id)
    password = services.student_password_reset(student=student)
    _remember_cards(
        request, classroom, [services.LoginCard(student.display_name, student.username, password)]
    )
    messages.success(
        request,
        _("New password for %(name)s. Print or copy it now.") % {"name": student.display_name},
    )
    return redirect("accounts:login_cards", classroom_id=classroom.pk)


@teacher_required
@require_POST
def student_unlock(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    """Clear a student's sign-in lock (their counters at every address)."""
    classroom = _classroom_for(request, classroom_id)
    student = _student_in(classroom, student_id)
    throttle.SIGN_IN.unlock(student.username)
    messages.success(
        request,
        _("%(name)s can sign in again now.") % {"name": student.display_name},
    )
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


@teacher_required
@require_POST
def student_remove(request: HttpRequest, classroom_id: int, student_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    student = _student_in(classroom, student_id)
    services.student_remove(classroom=classroom, student=student)
    messages.success(
        request,
        _("%(name)s left the class. Their account and past answers are kept.")
        % {"name": student.display_name},
    )
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


@teacher_required
@require_POST
def classroom_add_teacher(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    try:
        colleague = services.classroom_add_teacher(
            classroom=classroom, username=request.POST.get("username", "")
        )
    except services.ClassroomError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(name)s now teaches this class too.") % {"name": colleague.display_name}
        )
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


@teacher_required
@require_POST
def classroom_archive(request: HttpRequest, classroom_id: int) -> HttpResponse:
    classroom = _classroom_for(request, classroom_id)
    archive = request.POST.get("archive") != "0"
    if archive and request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick “Yes, archive this class” to archive it."))
        return redirect("accounts:classroom_detail", classroom_id=classroom.pk)
    services.classroom_set_archived(classroom=classroom, archived=archive)
    messages.success(
        request,
        _("Class archived: its results stay, nobody can join.")
        if archive
        else _("Class restored."),
    )
    return redirect("accounts:classroom_detail", classroom_id=classroom.pk)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: Django's set_language (cookie, safe `next`), and for a
    signed-in person the choice is kept on the account, so it follows them to any device."""
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=code)
    return set_language(request)


class PasswordChange(auth_views.PasswordChangeView):
    """Everyone, students included, changes their own password (the old one first); the
    session stays signed in."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        return reverse("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is saved."))
        return response
