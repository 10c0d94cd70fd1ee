"""The site's URLs plus three bench views, for bench/submit.py only (bench.submit_settings).

Two give the floor a submit is measured against on the same server, through the same
middleware: `bare` answers at once, `bare-auth` loads the signed-in user (session, user and
school, as every signed-in page does) and names them. The third, `least-submit`, is the
least any submit must do on top of bare-auth, written by hand: the POST and its CSRF check,
one locked read of the student's attempt with its class and school, one statement that
inserts an answer row as wide as the site's (into a copy of its table, with the same indexes
and checks) and its queue row, the commit, and a two-line feedback from a template. It stores
nothing the site reads; it tells how near to bare-auth a submit can come on this stack.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.urls import urlpatterns as site_patterns
from quiz.scoring import points_for

# The bench creates these beside the site's tables (bench/submit.py, _seed).
LEAST_TABLES = """
CREATE TABLE bench_least_answer (LIKE quiz_answer INCLUDING ALL);
CREATE SEQUENCE bench_least_item;
CREATE TABLE bench_least_pending (answer_id bigint PRIMARY KEY);
"""

_FEEDBACK = Template(
    "{% load i18n %}<section><h2>{% if right %}{% translate 'Right!' %}{% else %}"
    "{% translate 'Not quite.' %}{% endif %}</h2><p>{{ points }}</p></section>"
)

_READ = """
SELECT t.id, t.assignment_id, c.id, c.school_id
FROM quiz_attempt t
LEFT JOIN quiz_assignment s ON s.id = t.assignment_id
LEFT JOIN accounts_classroom c ON c.id = s.classroom_id
WHERE t.user_id = %s AND t.finished_at IS NULL
ORDER BY t.id DESC LIMIT 1
FOR UPDATE OF t
"""

_WRITE = """
WITH a AS (
  INSERT INTO bench_least_answer (guess, confidence, is_correct, points, created_at,
    attempt_id, item_id, assignment_id, categories, classroom_id, clip_id, day, generator,
    item_kind, media_kind, position, school_id, user_id, swapped)
  VALUES (%s, %s, %s, %s, %s, %s, nextval('bench_least_item'), %s, 0, %s, 1, %s, 'camera',
    'single', 'video', 1, %s, %s, false)
  RETURNING id
)
INSERT INTO bench_least_pending (answer_id) SELECT id FROM a
"""


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def bare_auth(request: HttpRequest) -> HttpResponse:
    return HttpResponse(request.user.get_username(), content_type="text/plain")


@login_required
@require_POST
def least_submit(request: HttpRequest) -> HttpResponse:
    guess = request.POST.get("guess")
    try:
        confidence = int(request.POST.get("confidence", ""))
    except ValueError:
        return HttpResponse(status=422)
    if guess not in ("real", "generated", "a", "b") or not 50 <= confidence <= 100:
        return HttpResponse(status=422)
    now = timezone.now()
    right = guess in ("real", "a")
    points = points_for(confidence, right)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_READ, [request.user.pk])
        row = cursor.fetchone()
        if row is None:
            raise Http404
        attempt, assignment, classroom, school = row
        cursor.execute(
            _WRITE,
            [
                guess,
                confidence,
                right,
                points,
                now,
                attempt,
                assignment,
                classroom,
                now.date(),
                school,
                request.user.pk,
            ],
        )
    return HttpResponse(_FEEDBACK.render(Context({"right": right, "points": points})))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-auth/", bare_auth, name="bench_bare_auth"),
    path("bench/least-submit/", least_submit, name="bench_least_submit"),
    *site_patterns,
]
