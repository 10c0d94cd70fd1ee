"""What a submit costs the web worker on each path, in-process: the site's WSGI handler called
directly (no server, no network, no other process competing), so the figures are the web
worker's own CPU per request, without PostgreSQL's.

    python bench/submit_paths.py                 # 30 students, 300 requests per turn
    python bench/submit_paths.py --requests 100  # a smoke run

It seeds like bench/submit.py (--server and --redis as there; its own database,
`secondlook_bench_paths`, dropped at the end, and its own Celery queue, whose Redis keys are
deleted): a class with a homework of --rounds rounds (feedback after each), and a public
quiz of the same rounds that students of the school in no class play freely. No worker runs:
answers wait in the fold's queue.

Paths, taking turns (--turns, default 3) so that whatever else runs weighs on each alike:
bare-auth and the least submit (bench/submit_urls.py), a homework submit and a free-play
submit, each an htmx POST answered with its feedback, and the homework's next round's page
(the htmx GET a student sends after each feedback). Each turn prints CPU milliseconds per
request; the last lines, machine-readable, are medians over the turns:
homework_over_least (the homework submit's CPU over the least submit's),
free_play_over_homework and round_page_over_homework.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import submit  # noqa: E402 (needs ROOT on the path)
from bench.library import add_service_arguments  # noqa: E402

DATABASE = "secondlook_bench_paths"
PATHS = ("bare-auth", "least-submit", "homework", "free-play", "round-page")


def _request(handler: Callable, method: str, path: str, cookie: str, body: bytes = b"") -> int:
    """One request through the WSGI handler, signed in by `cookie` (bench.submit's session
    and CSRF cookie), as htmx sends it; returns the status code."""
    session, _, token = cookie.partition("; csrftoken=")
    secret = token.partition("\0")[0]
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": f"{session}; csrftoken={secret}",
        "HTTP_X_CSRFTOKEN": secret,
        "HTTP_HX_REQUEST": "true",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    status: list[str] = []
    for _chunk in handler(environ, lambda line, headers, *rest: status.append(line)):
        pass
    return int(status[0].split()[0])


def _free_players(count: int, quiz_id: int) -> list[submit.Student]:
    """Students of the bench's school in no class, signed in, each with a free-play attempt
    of the public copy of the homework's quiz."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import School, User

    school, unusable = School.objects.get(), make_password(None)
    players = []
    for i in range(count):
        user = User.objects.create(
            username=f"bench-free{i}", password=unusable, role="student", school=school
        )
        player = submit.Student(index=i, user_id=user.pk, cookie=submit._session_cookie(user))
        player.rounds = _free_rounds(user.pk, quiz_id)
        players.append(player)
    return players


def _free_rounds(user_id: int, quiz_id: int) -> list[tuple[str, bool]]:
    """A new free-play attempt's rounds: their submit paths, in the attempt's order."""
    from django.urls import reverse

    from accounts.models import User
    from quiz.models import Quiz
    from quiz.selectors.play import attempt_layout, round_key
    from quiz.services.play import attempt_start

    quiz = Quiz.objects.get(pk=quiz_id)
    attempt = attempt_start(user=User.objects.get(pk=user_id), quiz=quiz)
    pairs = set(quiz.items.filter(kind="pair").values_list("pk", flat=True))
    return [
        (reverse("quiz:answer_submit", args=[attempt.pk, round_key(attempt, item)]), item in pairs)
        for item in attempt_layout(attempt).order
    ]


def _public_copy() -> int:
    """A public quiz of the homework's rounds (the same clips, in the same places)."""
    from quiz.models import Quiz, QuizItem

    homework = Quiz.objects.get(slug="bench-quiz")
    copy = Quiz.objects.create(title="Bench free play", slug="bench-free", is_public=True)
    QuizItem.objects.bulk_create(
        [
            QuizItem(
                quiz=copy,
                position=item.position,
                kind=item.kind,
                clip_id=item.clip_id,
                other_clip_id=item.other_clip_id,
            )
            for item in homework.items.all()
        ]
    )
    return copy.pk


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser, redis_db=14)
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--requests", type=int, default=300, help="per path and turn")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    if min(args.students, args.rounds, args.requests, args.turns) < 1:
        parser.error("--students, --rounds, --requests and --turns must be positive")
    args.database, args.conn_max_age = DATABASE, 60

    tag = f"bench-paths-{os.getpid()}"
    print(f"Seeding {args.students} students ...", flush=True)
    submit._setup_django(args, submit._environment(args, tag))
    try:
        figures = _measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        submit._cleanup_redis(args.redis, tag)
    medians = {name: statistics.median(runs) for name, runs in figures.items()}
    print("median CPU ms per request: " + ", ".join(f"{n} {medians[n]:.2f}" for n in PATHS))
    print(f"homework_over_least={medians['homework'] / medians['least-submit']:.2f}")
    print(f"free_play_over_homework={medians['free-play'] / medians['homework']:.2f}")
    print(f"round_page_over_homework={medians['round-page'] / medians['homework']:.2f}")


def _measure(args: argparse.Namespace) -> dict[str, list[float]]:
    from django.core.handlers.wsgi import WSGIHandler

    students, _teacher, assignment_id = submit._seed(args)
    free_quiz = _public_copy()
    players = _free_players(args.students, free_quiz)
    handler = WSGIHandler()

    def answer(student: submit.Student, refill: Callable[[], list[tuple[str, bool]]]) -> int:
        if not student.rounds:
            student.rounds = refill()
        path, pair = student.rounds.pop(0)
        body = b"guess=a&confidence=70" if pair else b"guess=real&confidence=70"
        return _request(handler, "POST", path, student.cookie, body)

    def run(path: str, i: int) -> int:
        student = students[i % len(students)]
        if path == "bare-auth":
            return _request(handler, "GET", "/bench/bare-auth/", student.cookie)
        if path == "least-submit":
            return _request(
                handler, "POST", "/bench/least-submit/", student.cookie, submit.LEAST_BODY
            )
        if path == "round-page":
            if not student.rounds:
                student.rounds = submit._next_attempt(student.user_id, assignment_id)
            attempt_page = student.rounds[0][0].split("rounds/")[0]  # /attempts/<id>/
            return _request(handler, "GET", attempt_page, student.cookie)
        if path == "homework":
            return answer(student, lambda: submit._next_attempt(student.user_id, assignment_id))
        player = players[i % len(players)]
        return answer(player, lambda: _free_rounds(player.user_id, free_quiz))

    figures: dict[str, list[float]] = {path: [] for path in PATHS}
    for path in PATHS:  # warm up: templates, prepared statements, caches
        for i in range(20):
            assert run(path, i) == 200, path
    for turn in range(1, args.turns + 1):
        for path in PATHS:
            started = time.process_time()
            for i in range(args.requests):
                status = run(path, i)
                if status != 200:
                    raise SystemExit(f"{path}: status {status}")
            figures[path].append((time.process_time() - started) / args.requests * 1000)
        print(
            f"  turn {turn}: " + ", ".join(f"{p} {figures[p][-1]:.2f} ms" for p in PATHS),
            flush=True,
        )
    return figures


if __name__ == "__main__":
    main()
