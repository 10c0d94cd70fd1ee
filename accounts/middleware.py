from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SchoolTimeZoneMiddleware:
    """Show and read times in the signed-in user's school time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        school = getattr(request.user, "school", None) if request.user.is_authenticated else None
        if school is not None:
            # An unknown stored name falls back to TIME_ZONE, with a warning (School.zone).
            timezone.activate(school.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)
