from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import Classroom, User
from accounts.validators import plain_text


def bound_data(request: HttpRequest) -> Any:
    """The POST data to bind a form to, even when empty (an empty POST must still fail)."""
    return request.POST if request.method == "POST" else None


def client_address(request: object) -> str:
    """The client's address: REMOTE_ADDR, or with ``TRUSTED_PROXY_COUNT`` = N proxies the
    N-th X-Forwarded-For entry from the right (entries further left are the client's say)."""
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: trust nothing in the header
    return forwarded[-proxies][:64]


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many wrong passwords. Wait %(minutes)d minutes or ask your teacher to unlock "
            "your account."
        ),
    }

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # nothing is checked: the field errors say what is missing
        # Reserve a slot before the password is checked, so at most the limit of checks can
        # happen whatever the concurrency.
        reservation = throttle.SIGN_IN.reserve(username, client_address(self.request))
        if reservation is None:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_THROTTLE_WINDOW // 60)},
            )
        cleaned = super().clean()  # a wrong password raises and keeps its slot
        reservation.succeeded()
        return cleaned


class ClassroomForm(forms.ModelForm):
    class Meta:
        model = Classroom
        fields = ["name", "grade", "school_year"]
        help_texts = {
            "grade": _("For example “Year 8” or “9th grade”."),
            "school_year": _("For example “2026/27”."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(plain_text)


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Class code"),
        max_length=20,
        help_text=_("The code your teacher shows, for example K7M3PQX."),
        error_messages={"required": _("Type the code your teacher gave you.")},
    )


class StudentNamesForm(forms.Form):
    names = forms.CharField(
        label=_("Student names, one per line"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=_(
            "No e-mail needed. Each student gets a username and a first password, printed "
            "on login cards."
        ),
        error_messages={
            "required": _("Paste at least one name, one per line."),
            "max_length": _("That list is too long; add at most 60 students at a time."),
        },
    )

    def clean_names(self) -> list[str]:
        from accounts.services import parse_student_names

        names, problems = parse_student_names(self.cleaned_data["names"])
        if problems:
            raise forms.ValidationError(problems)
        return names


class TeacherSignUpForm(UserCreationForm):
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=[plain_text])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[plain_text])
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("We write to you when your account is approved."),
    )
    school_name = forms.CharField(
        label=_("School"),
        max_length=200,
        validators=[plain_text],
        help_text=_(
            "Your school's name. If it is already here, you ask its administrator to let you in."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Your school's time zone"),
        help_text=_("Opening and due times are shown in it. Used when your school is new."),
    )
    join_existing = forms.BooleanField(label=_("Ask to join this school"), required=False)

    def __init__(self, *args: object, invited: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Set when the typed name is a school that already exists (approval mode): signing up
        # then asks to join it, once the teacher ticks the box that says so.
        self.existing_school = None
        if invited:
            # The invitation names the school; nothing to choose.
            del self.fields["school_name"]
            del self.fields["time_zone"]
            del self.fields["join_existing"]
            self.fields["email"].required = False
            return
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["time_zone"].initial = settings.TIME_ZONE
        if self.is_bound and settings.TEACHER_SIGNUP == "approval":
            from accounts.verification import school_named

            self.existing_school = school_named(str(self.data.get("school_name", ""))[:200])
        if self.existing_school is None:
            self.fields["join_existing"].widget = forms.HiddenInput()
        else:
            self.fields["join_existing"].label = _("Ask to join %(school)s") % {
                "school": self.existing_school.name
            }
            self.fields["join_existing"].help_text = _(
                "Its administrator approves your account; until then you see only your own "
                "clips and classes."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.existing_school is not None and not cleaned.get("join_existing"):
            self.add_error(
                "school_name",
                _(
                    "%(school)s already has teachers here. Tick “Ask to join %(school)s” to "
                    "ask its administrator to let you in, or type your own school's full name."
                )
                % {"school": self.existing_school.name},
            )
        return cleaned

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class StudentSignUpForm(UserCreationForm):
    first_name = forms.CharField(label=_("Your name"), max_length=150, validators=[plain_text])
    code = forms.CharField(
        label=_("Class code (optional)"),
        max_length=20,
        required=False,
        help_text=_("If your teacher gave you a code, type it to join the class at once."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name")
