"""Who becomes a teacher: the sign-up modes, approval, school administrators and invitations.

`TEACHER_SIGNUP` decides what the public teacher sign-up does:

- ``approval`` (default): the account is made but waits (``User.verified_at`` empty) until an
  administrator of its school, or staff, approves it. A name that matches an existing school
  is a request to join it; a new name founds a school whose administrator the founder becomes
  (staff approve founders). Waiting teachers run their own classes and build quizzes from
  their own uploads, and see no label, explanation or library beyond them.
- ``invite``: only an invitation link makes a teacher account.
- ``open``: anyone who signs up is a verified teacher, and a typed school name joins that
  school (a private install only; ``check --deploy`` warns).

An invitation from a school's administrator (or staff) makes a verified account; one from
another teacher (a class's co-teacher link) makes a waiting one, which becomes a co-teacher of
that class once approved.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Classroom, School, User

log = logging.getLogger(__name__)

APPROVAL, INVITE, OPEN = "approval", "invite", "open"
INVITE_SALT = "second-look.teacher-invite"
INVITE_MAX_AGE = 14 * 24 * 3600


class VerificationError(Exception):
    """A request that cannot be carried out; the message is safe to show."""


def signup_mode() -> str:
    return settings.TEACHER_SIGNUP


def normalise_school_name(name: str) -> str:
    return " ".join(name.split())


def school_named(name: str) -> School | None:
    """The school a typed name means (spaces and case aside), if there is one."""
    name = normalise_school_name(name)
    return School.objects.filter(name__iexact=name).first() if name else None


# --- Invitations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    inviter: User | None
    school: School
    classroom: Classroom | None

    @property
    def vouched(self) -> bool:
        """Made by staff or by this school's administrator: the new account is verified."""
        inviter = self.inviter
        if inviter is None:
            return False
        return inviter.is_staff or (
            inviter.administers_school and inviter.school_id == self.school.pk
        )


def invite_token(
    *, inviter: User, classroom: Classroom | None = None, school: School | None = None
) -> str:
    """A signed link token inviting a colleague to sign up: to co-teach `classroom`, or to
    join `school` (from its Teachers page)."""
    data: dict[str, int] = {"inviter": inviter.pk}
    if classroom is not None:
        data["classroom"] = classroom.pk
    else:
        assert school is not None
        data["school"] = school.pk
    return signing.dumps(data, salt=INVITE_SALT, compress=True)


def _may_invite(inviter: User | None, school: School, classroom: Classroom | None) -> bool:
    if inviter is None or not inviter.is_active:
        return False
    if inviter.is_staff:
        return True
    if not inviter.is_verified_teacher or inviter.school_id != school.pk:
        return False
    if classroom is not None:
        return classroom.teachers.filter(pk=inviter.pk).exists()
    return inviter.administers_school


def invite_read(token: str) -> Invitation:
    """The invitation behind a link token; VerificationError when it is not (or no longer)
    valid: expired, tampered with, its class archived, or its sender no longer allowed."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)
    except signing.SignatureExpired:
        raise VerificationError(
            _("This invitation has expired. Ask your colleague for a new link.")
        ) from None
    except signing.BadSignature:
        raise VerificationError(
            _("This invitation link is not valid. Check that it is complete.")
        ) from None
    if not isinstance(data, dict):
        raise VerificationError(_("This invitation link is not valid. Check that it is complete."))
    inviter = User.objects.filter(pk=data.get("inviter")).first() if data.get("inviter") else None
    classroom: Classroom | None = None
    if data.get("classroom") is not None:
        classroom = (
            Classroom.objects.select_related("school").filter(pk=data.get("classroom")).first()
        )
        if classroom is None or classroom.is_archived:
            raise VerificationError(_("The class of this invitation no longer takes new teachers."))
        school = classroom.school
    else:
        found = School.objects.filter(pk=data.get("school")).first()
        if found is None:
            raise VerificationError(_("The school of this invitation no longer exists."))
        school = found
    if inviter is not None and not _may_invite(inviter, school, classroom):
        raise VerificationError(
            _("This invitation is no longer valid. Ask your colleague for a new link.")
        )
    return Invitation(inviter=inviter, school=school, classroom=classroom)


# --- Sign-up ----------------------------------------------------------------------------------


def teacher_signup(
    *, user: User, school_name: str, time_zone: str, invitation: Invitation | None
) -> User:
    """Save a new teacher account (built by the sign-up form, password set) in one
    transaction, as TEACHER_SIGNUP says (see the module docstring).

    Raises VerificationError when the mode does not let this sign-up make an account."""
    mode = signup_mode()
    if mode == INVITE and invitation is None:
        raise VerificationError(
            _("Teacher accounts are made by invitation only. Ask your school's administrator.")
        )
    with transaction.atomic():
        user.role = User.Role.TEACHER
        user.verified_at = None
        user.verified_by = None
        user.school_admin = False
        user.pending_classroom = None
        if invitation is not None:
            user.school = invitation.school
            if invitation.vouched or mode == OPEN:
                user.verified_at = timezone.now()
                user.verified_by = invitation.inviter
            else:
                user.pending_classroom = invitation.classroom
        else:
            school_name = normalise_school_name(school_name)
            school = School.objects.select_for_update().filter(name__iexact=school_name).first()
            if school is None:
                # The founder's page language becomes the school's (its administrator can
                # change it on the Teachers page).
                language = translation.get_language() or ""
                school = School.objects.create(
                    name=school_name,
                    time_zone=time_zone,
                    language=language if language in dict(settings.LANGUAGES) else "",
                )
                user.school_admin = True  # the founder administers the new school
            user.school = school
            if mode == OPEN:
                user.verified_at = timezone.now()
        user.save()
        if user.verified_at is not None and invitation and invitation.classroom is not None:
            invitation.classroom.teachers.add(user)
    return user


# --- Approval ---------------------------------------------------------------------------------


def pending_teachers_for(manager: User) -> QuerySet[User]:
    """Teacher accounts waiting for approval that `manager` may approve or refuse: every one
    for staff, their own school's for a school administrator, none for anyone else."""
    pending = User.objects.filter(
        role=User.Role.TEACHER, verified_at__isnull=True, is_active=True
    ).select_related("school", "pending_classroom")
    if manager.is_staff:
        return pending.order_by("school__name", "date_joined", "pk")
    if manager.administers_school:
        return pending.filter(school_id=manager.school_id).order_by("date_joined", "pk")
    return pending.none()


def teacher_approve(*, teacher: User, by: User) -> User:
    """Verify a waiting teacher; they become a co-teacher of the class that invited them."""
    with transaction.atomic():
        teacher.verified_at = timezone.now()
        teacher.verified_by = by
        classroom = teacher.pending_classroom
        teacher.pending_classroom = None
        teacher.save(update_fields=["verified_at", "verified_by", "pending_classroom"])
        if classroom is not None and not classroom.is_archived:
            classroom.teachers.add(teacher)
    return teacher


def teacher_refuse(*, teacher: User) -> User:
    """Refuse a waiting teacher: the account can no longer sign in. A founder refused leaves
    their new school without an administrator (staff may name another)."""
    teacher.is_active = False
    teacher.school_admin = False
    teacher.pending_classroom = None
    teacher.save(update_fields=["is_active", "school_admin", "pending_classroom"])
    return teacher


def school_admin_set(*, teacher: User, admin: bool) -> None:
    """Staff make a verified teacher of a school its administrator, or take the role back."""
    if admin and not teacher.is_verified_teacher:
        raise VerificationError(_("Only an approved teacher can administer a school."))
    teacher.school_admin = admin
    teacher.save(update_fields=["school_admin"])


def school_teachers(school: School) -> QuerySet[User]:
    return User.objects.filter(school=school, role=User.Role.TEACHER, is_active=True).order_by(
        "-school_admin", "last_name", "first_name", "username"
    )


def school_educator_add(*, school: School, username: str) -> User:
    educator = User.objects.filter(
        username=username.strip(), role=User.Role.EDUCATOR, is_active=True
    ).first()
    if educator is None:
        raise VerificationError(
            _("No educator has the username “%(username)s”.") % {"username": username.strip()[:150]}
        )
    school.educators.add(educator)
    return educator


def school_educator_remove(*, school: School, educator: User) -> None:
    school.educators.remove(educator)


# --- E-mail -----------------------------------------------------------------------------------


def _send(to: list[str], subject: str, body: str) -> None:
    """Send, or log why not: a mail server that is down never undoes a decision."""
    addresses = sorted({a for a in to if a})
    if not addresses:
        return
    try:
        send_mail(subject, body, None, addresses, fail_silently=False)
    except (OSError, smtplib.SMTPException):
        log.warning("could not send %r to %d address(es)", subject, len(addresses), exc_info=True)


def _managers_of(school: School | None) -> list[str]:
    """Who approves a school's teachers: its administrators, else staff."""
    admins = User.objects.filter(
        school=school, role=User.Role.TEACHER, school_admin=True, is_active=True,
        verified_at__isnull=False,
    )  # fmt: skip
    emails = [u.email for u in admins if u.email]
    if not emails:
        emails = list(
            User.objects.filter(is_staff=True, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    return emails


def mail_signup_pending(*, teacher: User, teachers_url: str) -> None:
    school = teacher.school
    founded = teacher.school_admin
    subject = _("A teacher asks to join %(school)s on Second Look") % {
        "school": school.name if school else ""
    }
    body = (
        _(
            "%(name)s (username %(username)s) signed up as a teacher and founded the new school "
            "“%(school)s”. Approve or refuse the account on the Teachers page:\n%(url)s\n"
        )
        if founded
        else _(
            "%(name)s (username %(username)s) signed up as a teacher of %(school)s. Until you "
            "approve the account they see no labels or explanations of the library. Approve "
            "or refuse it on the Teachers page:\n%(url)s\n"
        )
    ) % {
        "name": teacher.display_name,
        "username": teacher.username,
        "school": school.name if school else "",
        "url": teachers_url,
    }
    _send(_managers_of(school), subject, body)


def mail_teacher_approved(*, teacher: User, sign_in_url: str) -> None:
    school = teacher.school.name if teacher.school else ""
    _send(
        [teacher.email],
        _("Your Second Look teacher account is approved"),
        _(
            "Hello %(name)s,\n\nyour teacher account at %(school)s is approved: the clip "
            "library, its labels and explanations are open to you now. Sign in:\n%(url)s\n"
        )
        % {"name": teacher.display_name, "school": school, "url": sign_in_url},
    )


def mail_teacher_refused(*, teacher: User) -> None:
    school = teacher.school.name if teacher.school else ""
    _send(
        [teacher.email],
        _("Your Second Look teacher account was not approved"),
        _(
            "Hello %(name)s,\n\nyour teacher account at %(school)s was not approved, so it "
            "can no longer sign in. If this is a mistake, ask the school's administrator for "
            "an invitation link.\n"
        )
        % {"name": teacher.display_name, "school": school},
    )
