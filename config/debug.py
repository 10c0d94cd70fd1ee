"""What a development site's error pages may show. With DEBUG on (`make run`), Django's error
page lists every frame's variables, and a page that failed while it held a clip would print
that clip's truth to the student who made it fail: only staff see the variables. Its "not
found" page lists the site's URL patterns in a table wider than a phone: only staff see it,
everyone else the site's own page, as in production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.debug import SafeExceptionReporterFilter
from django.views.defaults import page_not_found


def _is_staff(request: HttpRequest | None) -> bool:
    user = getattr(request, "user", None) if request is not None else None
    return user is not None and getattr(user, "is_staff", False)


class StaffOnlyLocals(SafeExceptionReporterFilter):
    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        if _is_staff(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [("(hidden)", "Only staff see the variables of a failed request.")]


class StaffOnlyNotFoundDetails:
    """With DEBUG on, every 404 is Django's technical page (no view of the site answers 404
    with a page of its own): for anyone but staff it becomes the site's 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and settings.DEBUG and not _is_staff(request):
            return page_not_found(request, Http404())
        return response
