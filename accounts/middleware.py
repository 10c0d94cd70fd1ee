from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers


class SchoolTimeZoneMiddleware:
    """Show and read times in the signed-in user's school time zone, and pages in their
    language: the one they chose with the switcher, else their school's, else the one
    LocaleMiddleware took from the cookie or the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        school = getattr(user, "school", None) if user.is_authenticated else None
        if school is not None:
            # An unknown stored name falls back to TIME_ZONE, with a warning (School.zone).
            timezone.activate(school.zone)
        else:
            timezone.deactivate()
        language = ""
        if user.is_authenticated:
            language = user.language or (school.language if school is not None else "")
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


# Powerful browser features the site never uses, switched off for every page and any frame
# or script that might get in: a quiz about media has no business with a camera.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class PrivateResponsesMiddleware:
    """Keep a signed-in person's pages and exports out of every cache, and send the
    Permissions-Policy with every response.

    A page or CSV for a signed-in user holds names and results: on a shared classroom
    computer the browser's cache (and Back after signing out) or a school's proxy must not
    keep it. A response that sets its own Cache-Control keeps it: media are cached privately
    on purpose, so seeking with range requests stays fast.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
