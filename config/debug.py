"""What a development site's error page may show: the local variables of its code only to
staff. With DEBUG on (`make run`), Django's error page lists every frame's variables, and a
page that failed while it held a clip would print that clip's truth to the student who made
it fail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class StaffOnlyLocals(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        user = getattr(request, "user", None) if request is not None else None
        if user is not None and getattr(user, "is_staff", False):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [("(hidden)", "Only staff see the variables of a failed request.")]
