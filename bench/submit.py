"""Answers at class scale: submits against bare views on the production server, and the
teacher's live view under that load.

    python bench/submit.py            # 200 students, 30 s phases (about 4 minutes)
    python bench/submit.py --quick    # 5 s phases: a smoke run

It needs PostgreSQL and Redis (like bench/aggregate.py: --server, default
postgres://postgres@127.0.0.1:5432, and --redis, default redis://127.0.0.1:6379/14). It works
in its own database, `secondlook_bench_submit` (dropped and created, dropped again at the
end), with its own Celery queue and cache prefix (their Redis keys are deleted at the end).

It starts the site as production does: gunicorn (sync workers, --workers), DEBUG=false,
DATABASE_CONN_MAX_AGE (--conn-max-age), a Celery worker and beat. The settings module is
bench.submit_settings: the site's own plus three bench views (bench/submit_urls.py) that
production never has. gunicorn binds two addresses, the site's and the live view's
(as the README's production section does), so the teacher's poll can be routed past the
students' queue.

The population: one school, one class of --students students (default 200) and its teacher,
40 clips (half generated, with artifacts), a quiz of --rounds rounds (one in five a pair)
assigned to the class with immediate feedback. Every student is signed in (a session each)
and has an attempt; one who finishes gets the next attempt (made outside the measurement).

Phases, each --seconds long (default 30; --quick 5), every request over a new connection:
1. bare, bare-auth: a closed loop of N clients on each bare view (the floor); least-submit:
   the same on the least a submit must do, written by hand (bench/submit_urls.py), which
   tells how near to bare-auth any submit can come on this stack; and submit: each student
   answers again as soon as their feedback arrives; the four take turns in --slices slices
   (default 3) of --seconds/--slices, so that whatever else runs on the machine weighs on
   each alike;
2. submit, open loops at fixed rates (--rates, default 20,50,100,200 answers/s): an answer
   is due every 1/rate s, from a student who is not waiting for feedback (bounded: with all
   N waiting, the arrival is dropped and counted); latency is counted from when it was due.
Throughout, a teacher polls the live view (the cheap endpoint when the site has one,
every second, on the live address; otherwise the full view's htmx partial every 3 s, as that
page did), and the live-view lag of an answer is the time from its feedback reaching the
student to the teacher's poll first counting it.

After the table, the closed loops' CPU milliseconds per request by group of processes: the
web server, the Celery worker (its folds), the bench database's PostgreSQL backends and this
script's clients (read from /proc: Linux only).

Last lines, machine-readable: submit_over_bare_auth (submit's closed-loop throughput over
bare-auth's), p99_ms_at_100 (submit p99 at 100 answers/s offered) and live_lag_p95_ms (p95
lag during the closed loop of submits, the saturated phase). Absolute figures depend on the machine and
what else runs on it (the load average is printed); compare ratios from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.library import add_service_arguments, bench_clips  # noqa: E402 (needs ROOT on the path)

DATABASE = "secondlook_bench_submit"
SETTINGS = "bench.submit_settings"
CLIPS = 40
TIMEOUT = 60.0
PROGRESS = re.compile(rb'<progress max="\d+" value="(\d+)"')
LEAST_BODY = b"guess=real&confidence=70"


# --- The site and its population -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(args: argparse.Namespace, tag: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "REDIS_URL": args.redis,
        "CELERY_QUEUE": tag,
        "CACHE_KEY_PREFIX": tag,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }


def _setup_django(args: argparse.Namespace, env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import psycopg

    with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {args.database}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class Student:
    index: int
    user_id: int
    cookie: str
    rounds: list[tuple[str, bool]] = field(default_factory=list)  # (submit path, is pair)
    busy: bool = False


def _seed(args: argparse.Namespace) -> tuple[list[Student], str, int]:
    """The school, class, clips, quiz and assignment; a session and an attempt per student.
    Returns the students, the teacher's cookie header and the assignment's id."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Classroom, Enrollment, School, User
    from bench.submit_urls import LEAST_TABLES
    from quiz.models import Assignment, Quiz, QuizItem

    unusable = make_password(None)
    school = School.objects.create(name="Bench school", time_zone="Europe/Berlin")
    classroom = Classroom.objects.create(school=school, name="Bench class")
    teacher = User.objects.create(
        username="bench-teacher", password=unusable, role="teacher", school=school
    )
    classroom.teachers.add(teacher)
    users = User.objects.bulk_create(
        [
            User(username=f"bench-s{i}", password=unusable, role="student", school=school)
            for i in range(args.students)
        ]
    )
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, student=u) for u in users])
    clips = bench_clips(
        CLIPS, description="A bench clip", explanation="What to look at in this clip."
    )
    generated = [c for c in clips if c.is_generated]
    real = [c for c in clips if not c.is_generated]
    rng = random.Random(7)
    quiz = Quiz.objects.create(title="Bench quiz", slug="bench-quiz")
    QuizItem.objects.bulk_create(
        [
            QuizItem(
                quiz=quiz,
                position=p,
                kind="pair",
                clip=rng.choice(generated),
                other_clip=rng.choice(real),
            )
            if p % 5 == 0
            else QuizItem(quiz=quiz, position=p, kind="single", clip=clips[(p * 7) % CLIPS])
            for p in range(1, args.rounds + 1)
        ]
    )
    now = timezone.now()
    assignment = Assignment.objects.create(
        quiz=quiz,
        classroom=classroom,
        opens_at=now - timedelta(minutes=5),
        due_at=now + timedelta(hours=6),
        attempts_allowed=20,
    )
    with connection.cursor() as cursor:
        cursor.execute(LEAST_TABLES)
    students = [
        Student(index=i, user_id=u.pk, cookie=_session_cookie(u)) for i, u in enumerate(users)
    ]
    for student in students:
        student.rounds = _next_attempt(student.user_id, assignment.pk)
    return students, _session_cookie(teacher), assignment.pk


def _session_cookie(user: object) -> str:
    """A signed-in session for the user, as login() makes it, and a CSRF secret."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token = secrets.token_hex(16)  # 32 characters: Django's unmasked secret
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={token}\0{token}"


def _next_attempt(user_id: int, assignment_id: int) -> list[tuple[str, bool]]:
    """The student's open attempt (a new one once the last is finished): its rounds' submit
    paths in the attempt's order."""
    from django.db import connections
    from django.urls import reverse

    from accounts.models import User
    from quiz.models import Assignment, QuizItem
    from quiz.selectors.play import attempt_layout, round_key
    from quiz.services.play import attempt_start

    try:
        user = User.objects.get(pk=user_id)
        assignment = Assignment.objects.select_related("quiz").get(pk=assignment_id)
        attempt = attempt_start(user=user, quiz=assignment.quiz, assignment=assignment)
        pairs = set(
            QuizItem.objects.filter(quiz_id=attempt.quiz_id, kind="pair").values_list(
                "pk", flat=True
            )
        )
        answered = set(attempt.answers.values_list("item_id", flat=True))
        return [
            (
                reverse("quiz:answer_submit", args=[attempt.pk, round_key(attempt, item_id)]),
                item_id in pairs,
            )
            for item_id in attempt_layout(attempt).order
            if item_id not in answered
        ]
    finally:
        connections.close_all()


def _live_target() -> tuple[str, float, bool]:
    """What the teacher polls: (URL name, period, on the live address)."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("teach:assignment_live_table", args=[1])
    except NoReverseMatch:
        return "teach:assignment_live", 3.0, False
    return "teach:assignment_live_table", 1.0, True


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


# --- The load ---------------------------------------------------------------------------


async def _request(
    port: int, method: str, path: str, cookie: str = "", body: bytes = b""
) -> tuple[int, bytes]:
    """One request over a new connection (gunicorn's sync workers close every connection)."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port), timeout=TIMEOUT
    )
    try:
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
        if cookie:
            session, _, token = cookie.partition("\0")
            head.append(f"Cookie: {session}")
            head.append("HX-Request: true")
            if method == "POST":
                head.append(f"X-CSRFToken: {token}")
        if method == "POST":
            head.append("Content-Type: application/x-www-form-urlencoded")
            head.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=TIMEOUT)
    finally:
        writer.close()
    status_line = data.split(b"\r\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 else 0
    return status, data


@dataclass
class Phase:
    name: str
    offered: float | None = None  # answers/s; None for a closed loop
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    dropped: int = 0
    seconds: float = 0.0
    answered_at: list[float] = field(default_factory=list)  # feedback arrival times
    lags: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by group (_cpu_seconds)

    @property
    def done(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def quantile(self, q: float, values: list[float] | None = None) -> float | None:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return None
        return values[min(len(values) - 1, int(q * len(values)))]


# Where a request's CPU goes, by group of processes: the web server, the Celery worker (its
# folds), the database server and this script (the clients).
CPU_GROUPS = ("web", "worker", "database", "clients")


def _cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each group: the processes under each root pid (with the
    children they have reaped), the PostgreSQL backends connected to the bench's database
    (not the server's shared processes, nor other databases' work) and this process. Read
    from /proc (Linux); empty elsewhere."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    names: dict[int, str] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return {}
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat") as stat:
                data = stat.read()
        except OSError:
            continue  # gone meanwhile
        pid = int(entry)
        names[pid] = data[data.index("(") + 1 : data.rindex(")")]
        fields = data[data.rindex(")") + 2 :].split()
        parent[pid] = int(fields[1])
        # utime, stime, cutime, cstime (fields 14 to 17 of proc(5)).
        used[pid] = sum(int(f) for f in fields[11:15]) / ticks

    def under(root: int) -> float:
        total, stack = 0.0, [root]
        while stack:
            pid = stack.pop()
            total += used.get(pid, 0.0)
            stack += [child for child, up in parent.items() if up == pid]
        return total

    def ours(pid: int) -> bool:
        # A backend's title names its database ("postgres: user db host idle").
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as line:
                return f" {DATABASE} ".encode() in line.read()
        except OSError:
            return False

    found = {group: under(pid) for group, pid in roots.items()}
    # Each backend by its own pid ("database:<pid>"): the site's connections are replaced
    # now and then (DATABASE_CONN_MAX_AGE), and a sum over the backends would fall whenever
    # one ends.
    for pid, seconds in used.items():
        if names[pid].startswith("postgres") and ours(pid):
            found[f"database:{pid}"] = seconds
    found["clients"] = used.get(os.getpid(), 0.0)
    return found


def _add_cpu(phase: Phase, before: dict[str, float], after: dict[str, float]) -> None:
    """Add what each group used between the two readings; a backend that started meanwhile
    counts from zero, one that ended is missing its last moments."""
    for key, seconds in after.items():
        group = key.partition(":")[0]
        phase.cpu[group] = phase.cpu.get(group, 0.0) + seconds - before.get(key, 0.0)


class Bench:
    def __init__(self, args: argparse.Namespace, port: int, live_port: int) -> None:
        self.args = args
        self.port = port
        self.live_port = live_port
        self.rng = random.Random(11)
        self.answered: list[float] = []  # every answer's feedback arrival, in order
        self.live_samples: list[tuple[float, int]] = []
        self.stop_live = asyncio.Event()

    async def closed_bare(
        self,
        phase: Phase,
        path: str,
        cookies: list[str],
        seconds: float | None = None,
        *,
        body: bytes = b"",
    ) -> None:
        """A closed loop of one client per cookie on one of the bench views (a POST of
        `body` when it is given)."""
        deadline = time.perf_counter() + (seconds or self.args.seconds)
        method = "POST" if body else "GET"

        async def client(cookie: str) -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    status, _ = await _request(self.port, method, path, cookie, body)
                except (OSError, TimeoutError):
                    status = 0
                if status == 200:
                    phase.latencies.append(time.perf_counter() - started)
                else:
                    phase.errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(client(c) for c in cookies))
        phase.seconds += time.perf_counter() - started

    async def submit(self, phase: Phase, student: Student, due: float) -> None:
        student.busy = True
        try:
            if not student.rounds:
                student.rounds = await asyncio.to_thread(
                    _next_attempt, student.user_id, self.assignment_id
                )
            path, is_pair = student.rounds[0]
            guess = self.rng.choice(("a", "b") if is_pair else ("real", "generated"))
            body = f"guess={guess}&confidence={self.rng.randrange(50, 101, 5)}".encode()
            try:
                status, _ = await _request(self.port, "POST", path, student.cookie, body)
            except (OSError, TimeoutError):
                status = 0
            now = time.perf_counter()
            if status == 200:
                student.rounds.pop(0)
                phase.latencies.append(now - due)
                phase.answered_at.append(now)
                self.answered.append(now)
            else:
                phase.errors += 1
        finally:
            student.busy = False

    async def closed_submit(self, phase: Phase, students: list[Student], seconds: float) -> None:
        deadline = time.perf_counter() + seconds

        async def loop(student: Student) -> None:
            while time.perf_counter() < deadline:
                await self.submit(phase, student, time.perf_counter())

        started = time.perf_counter()
        await asyncio.gather(*(loop(s) for s in students))
        phase.seconds += time.perf_counter() - started

    async def open_submit(self, phase: Phase, students: list[Student], rate: float) -> None:
        started = time.perf_counter()
        count = int(rate * self.args.seconds)
        tasks = []
        for k in range(count):
            due = started + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            idle = [s for s in students if not s.busy]
            if not idle:
                phase.dropped += 1
                continue
            student = self.rng.choice(idle)
            student.busy = True
            tasks.append(asyncio.create_task(self.submit(phase, student, due)))
        await asyncio.gather(*tasks)
        phase.seconds = max(self.args.seconds, time.perf_counter() - started)

    async def poll_live(self, path: str, period: float, port: int, cookie: str) -> None:
        while not self.stop_live.is_set():
            started = time.perf_counter()
            try:
                status, data = await _request(port, "GET", path, cookie)
                if status == 200:
                    shown = sum(int(v) for v in PROGRESS.findall(data))
                    self.live_samples.append((time.perf_counter(), shown))
            except (OSError, TimeoutError):
                pass
            # A browser's timer: one poll every `period` seconds, never two at once.
            await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))

    def lags(self) -> dict[float, float]:
        """Each answer's lag: from its feedback to the first poll that counts it."""
        lag: dict[float, float] = {}
        samples = self.live_samples
        j = 0
        for k, at in enumerate(self.answered, start=1):
            # Polls are in time order and their counts never fall.
            while j < len(samples) and samples[j][1] < k:
                j += 1
            if j == len(samples):
                break
            seen_at = next((t for t, n in samples[j:] if n >= k and t >= at), None)
            if seen_at is not None:
                lag[at] = seen_at - at
        return lag


def _report_cpu(phases: list[Phase]) -> None:
    """CPU milliseconds per request by group, in the closed loops (the machine saturated)."""
    if not phases:
        return
    print(f"\nCPU ms per request{''.join(f'{g:>10}' for g in CPU_GROUPS)}{'total':>10}")
    for p in phases:
        per = {g: p.cpu.get(g, 0.0) * 1000 / p.done for g in CPU_GROUPS}
        print(
            f"{p.name:<18}{''.join(f'{per[g]:>10.2f}' for g in CPU_GROUPS)}"
            f"{sum(per.values()):>10.2f}"
        )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def _report(phases: list[Phase]) -> None:
    print(
        f"\n{'phase':<22}{'offered/s':>10}{'done':>7}{'thr/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>7}{'dropped':>8}{'lag p50':>9}{'lag p95':>9}"
    )
    for p in phases:
        offered = "closed" if p.offered is None else f"{p.offered:g}"
        print(
            f"{p.name:<22}{offered:>10}{p.done:>7}{p.throughput:>8.1f}{_ms(p.quantile(0.5)):>8}"
            f"{_ms(p.quantile(0.95)):>8}{_ms(p.quantile(0.99)):>8}{p.errors:>7}{p.dropped:>8}"
            f"{_ms(p.quantile(0.5, p.lags)) if p.lags else '-':>9}"
            f"{_ms(p.quantile(0.95, p.lags)) if p.lags else '-':>9}"
        )


async def _run(
    args: argparse.Namespace,
    students: list[Student],
    teacher_cookie: str,
    assignment_id: int,
    port: int,
    live_port: int,
    live: tuple[str, float, bool],
    roots: dict[str, int],
) -> list[Phase]:
    from django.urls import reverse

    bench = Bench(args, port, live_port)
    bench.assignment_id = assignment_id
    cookies = [s.cookie for s in students]
    warm = Phase("warm-up")
    await bench.closed_bare(warm, "/bench/bare-auth/", cookies[:20], seconds=3)
    # The three closed loops take turns in --slices slices each, so that a change in what
    # else runs on the machine weighs on all three alike (their ratio is the figure).
    bare, bare_auth, submit = Phase("bare"), Phase("bare-auth"), Phase("submit")
    least = Phase("least-submit")
    phases = [bare, bare_auth, least, submit]
    name, period, on_live_port = live
    live_path = reverse(name, args=[assignment_id])
    poller = asyncio.create_task(
        bench.poll_live(live_path, period, live_port if on_live_port else port, teacher_cookie)
    )
    piece = args.seconds / args.slices
    for turn in range(1, args.slices + 1):
        print(
            f"  closed loops, turn {turn} of {args.slices}: bare, bare-auth, least-submit, "
            "submit ..."
        )
        before = _cpu_seconds(roots)
        await bench.closed_bare(bare, "/bench/bare/", [""] * len(cookies), seconds=piece)
        between = _cpu_seconds(roots)
        _add_cpu(bare, before, between)
        await bench.closed_bare(bare_auth, "/bench/bare-auth/", cookies, seconds=piece)
        before, between = between, _cpu_seconds(roots)
        _add_cpu(bare_auth, before, between)
        await bench.closed_bare(
            least, "/bench/least-submit/", cookies, seconds=piece, body=LEAST_BODY
        )
        before, between = between, _cpu_seconds(roots)
        _add_cpu(least, before, between)
        await bench.closed_submit(submit, students, piece)
        _add_cpu(submit, between, _cpu_seconds(roots))
    for rate in args.rates:
        phase = Phase(f"submit @{rate:g}/s", offered=rate)
        print(f"  submit at {rate:g}/s ...", flush=True)
        await bench.open_submit(phase, students, rate)
        phases.append(phase)
    # Let the live view catch up with the last answers (at most 30 s).
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if bench.live_samples and bench.live_samples[-1][1] >= len(bench.answered):
            break
        await asyncio.sleep(0.2)
    bench.stop_live.set()
    await poller
    lags = bench.lags()
    missing = len(bench.answered) - len(lags)
    if missing:
        print(f"  {missing} answers never showed in the live view within 30 s of the end")
    for phase in phases:
        phase.lags = [max(0.0, lags[at]) for at in phase.answered_at if at in lags]
    print(
        f"  live view: {name} every {period:g} s on the "
        f"{'live' if on_live_port else 'main'} address, {len(bench.live_samples)} polls"
    )
    return phases


def _cleanup_redis(url: str, tag: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{tag}*", count=1000))
    if keys:
        client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser, redis_db=14)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=None, help="each phase (default 30)")
    parser.add_argument("--rates", default="20,50,100,200", help="open-loop answers/s")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=60,
        help="DATABASE_CONN_MAX_AGE of the site (0: a new connection per request)",
    )
    parser.add_argument(
        "--slices", type=int, default=3, help="turns the closed loops take (default 3)"
    )
    parser.add_argument("--quick", action="store_true", help="5 s phases: a smoke run")
    parser.set_defaults(database=DATABASE)
    args = parser.parse_args()
    args.seconds = args.seconds or (5.0 if args.quick else 30.0)
    args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if args.students < 1 or args.rounds < 1 or args.seconds <= 0 or args.slices < 1:
        parser.error("--students, --rounds, --seconds and --slices must be positive")

    tag = f"bench-submit-{os.getpid()}"
    env = _environment(args, tag)
    print(f"Seeding {args.students} students ...", flush=True)
    _setup_django(args, env)
    students, teacher_cookie, assignment_id = _seed(args)
    live = _live_target()
    port, live_port = _free_port(), _free_port()
    logs = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--bind",
        f"127.0.0.1:{live_port}",
        "--backlog",
        "2048",
        "--timeout",
        "120",
    ]
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    processes = []
    try:
        processes.append(_start(gunicorn, env, logs / "gunicorn.log"))
        processes.append(
            _start(
                [
                    *celery,
                    "worker",
                    "--concurrency",
                    str(args.celery_concurrency),
                    "-Q",
                    tag,
                    "--loglevel",
                    "WARNING",
                    "--without-heartbeat",
                    "--without-mingle",
                    "--without-gossip",
                ],
                env,
                logs / "worker.log",
            )
        )
        processes.append(
            _start(
                [
                    *celery,
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--schedule",
                    str(logs / "beat-schedule"),
                    "--pidfile",
                    str(logs / "beat.pid"),
                ],
                env,
                logs / "beat.log",
            )
        )
        _wait_until_up(port)
        time.sleep(3)  # the workers boot, the Celery worker connects
        load = os.getloadavg()
        print(
            f"gunicorn --workers {args.workers} (sync), Celery worker --concurrency "
            f"{args.celery_concurrency} and beat, DATABASE_CONN_MAX_AGE={args.conn_max_age}, "
            f"{args.students} students, {args.rounds} rounds, {args.seconds:g} s phases; "
            f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
            f"on {os.cpu_count()} CPUs",
            flush=True,
        )
        phases = asyncio.run(
            _run(
                args,
                students,
                teacher_cookie,
                assignment_id,
                port,
                live_port,
                live,
                {"web": processes[0].pid, "worker": processes[1].pid},
            )
        )
    finally:
        for process in reversed(processes):
            _stop(process)
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        _cleanup_redis(args.redis, tag)
    load = os.getloadavg()
    _report(phases)
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; logs in {logs}")
    _report_cpu([p for p in phases if p.cpu and p.done])
    by_name = {p.name: p for p in phases}
    submit, bare_auth = by_name["submit"], by_name["bare-auth"]
    at_100 = next((p for p in phases if p.offered == 100), None)
    least = by_name["least-submit"]
    # How near to bare-auth a submit can come on this stack at all, and how near ours comes
    # to that least one (bench/submit_urls.py).
    print(f"least_submit_over_bare_auth={least.throughput / bare_auth.throughput:.2f}")
    print(f"submit_over_least_submit={submit.throughput / least.throughput:.2f}")
    print(f"submit_over_bare_auth={submit.throughput / bare_auth.throughput:.2f}")
    print(f"p99_ms_at_100={_ms(at_100.quantile(0.99)) if at_100 else 'nan'}")
    lag = submit.quantile(0.95, submit.lags) if submit.lags else None
    print(f"live_lag_p95_ms={_ms(lag) if lag is not None else 'nan'}")


if __name__ == "__main__":
    main()
