"""Every role check of the site's views, in one place.

Each decorator sends strangers to the sign-in page (login_required) and answers 403 to a
signed-in person of the wrong role. Objects a person may not see are a 404, decided by the
querysets (`Clip.objects.visible_to`, ...), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def _role_required(allowed: Callable[[Any], bool], doc: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    decorator.__doc__ = doc
    return decorator


teacher_required = _role_required(
    lambda user: user.is_teacher,
    "Signed-in teachers only: others get 403, strangers the sign-in page.",
)
library_required = _role_required(
    lambda user: user.may_use_library,
    "Staff, verified teachers and educators (the library, its labels and explanations, packs "
    "and exports); students and teachers waiting for approval get 403.",
)
insights_required = _role_required(
    lambda user: user.may_read_insights,
    "Educators and staff (statistics across classes and schools); others get 403.",
)
upload_required = _role_required(
    lambda user: user.may_upload,
    "Library users, and teachers waiting for approval (their own uploads only); others 403.",
)
school_admin_required = _role_required(
    lambda user: user.may_manage_teachers,
    "School administrators (their school's teachers) and staff (every school's); others 403.",
)
# Adaptive practice and boosters (quiz.views.practice): chosen for one student's own answers.
student_required = _role_required(
    lambda user: user.is_student,
    "Students only (adaptive practice and boosters); others get 403.",
)
