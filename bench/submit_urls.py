"""The site's URLs plus two bare views, for bench/submit.py only (bench.submit_settings).

They give the floor a submit is measured against on the same server, through the same
middleware: `bare` answers at once, `bare-auth` loads the signed-in user (session, user and
school, as every signed-in page does) and names them.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_patterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def bare_auth(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.user.get_username(), content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-auth/", bare_auth, name="bench_bare_auth"),
    *site_patterns,
]
