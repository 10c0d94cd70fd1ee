"""A live lesson at class scale: push latency of the teacher's presses to every device, and
answer latency while the whole class answers.

    python bench/live.py              # 200 devices, 10 rounds
    python bench/live.py --devices 50 # a smaller class

It needs PostgreSQL and Redis (--server, default postgres://postgres@127.0.0.1:5432, and
--redis, default redis://127.0.0.1:6379/13), and works in its own database,
`secondlook_bench_live` (dropped and created, dropped again at the end).

It starts the site as production does (README, Production): uvicorn (config.asgi,
--workers, default 2), DEBUG=false, DATABASE_CONN_MAX_AGE=0, with PostgreSQL and Redis. The
population: one class of --devices students and one more who joined but never answers (so
each round waits for the teacher's Reveal, as in a class where someone is away), a quiz of
--rounds rounds (one in five a pair) and a live game they all joined.

Every device holds the game's event stream (real HTTP, Server-Sent Events) and does what the
page does: on each state event it fetches its panel again. For each round the teacher presses
"Next round" (the first: "Start"), every device answers at a random moment within
--answer-window seconds (default 8, within the issue's 10), then the teacher presses
"Reveal". Push latency: from sending a press to the state event arriving at each device.
Answer latency: from sending an answer to its response. It prints p50, p95 and max of both,
the web processes' memory, and last the lines `p95_push_ms=<n>` and `p95_answer_ms=<n>`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.library import add_service_arguments, bench_clips  # noqa: E402 (needs ROOT on the path)
from bench.submit import (  # noqa: E402
    _cleanup_redis,
    _free_port,
    _session_cookie,
    _start,
    _stop,
    _wait_until_up,
)

DATABASE = "secondlook_bench_live"
CLIPS = 20
TIMEOUT = 60.0
STATE_EVENT = re.compile(rb"event: state\r?\n(?:id: \d+\r?\n)?data: (\d+)")


def _environment(args: argparse.Namespace, tag: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": f"{args.server.rstrip('/')}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "0",  # under ASGI (README, Production)
        "DATABASE_POOL": str(args.pool),
        "REDIS_URL": args.redis,
        "CELERY_QUEUE": tag,
        "CACHE_KEY_PREFIX": tag,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
    }


def _setup_django(args: argparse.Namespace, env: dict[str, str]) -> None:
    os.environ.update(env)
    import psycopg

    with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class Device:
    index: int
    cookie: str
    version: int = 0
    arrivals: dict[int, float] = field(default_factory=dict)  # version -> arrival time
    got: asyncio.Event = field(default_factory=asyncio.Event)


def _seed(args: argparse.Namespace) -> tuple[list[Device], str, int, list[list[str]]]:
    """Class, quiz and game, every student joined. Returns the devices, the teacher's
    cookie, the game's id and each round's options as the devices show them."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Classroom, Enrollment, School, User
    from quiz.models import Quiz, QuizItem
    from quiz.services import live

    unusable = make_password(None)
    school = School.objects.create(name="Bench school", time_zone="Europe/Berlin")
    classroom = Classroom.objects.create(school=school, name="Bench class")
    teacher = User.objects.create(
        username="bench-teacher", password=unusable, role="teacher", school=school
    )
    classroom.teachers.add(teacher)
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-s{i}",
                first_name=f"S{i}",
                password=unusable,
                role="student",
                school=school,
            )
            for i in range(args.devices + 1)
        ]
    )
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, student=u) for u in users])
    clips = bench_clips(CLIPS, description="A bench clip", explanation="What to look at.")
    generated = [c for c in clips if c.is_generated]
    real = [c for c in clips if not c.is_generated]
    quiz = Quiz.objects.create(title="Bench live quiz", slug="bench-live", created_by=teacher)
    QuizItem.objects.bulk_create(
        [
            QuizItem(
                quiz=quiz, position=p, kind="pair", clip=generated[p % len(generated)],
                other_clip=real[p % len(real)],
            )
            if p % 5 == 0
            else QuizItem(quiz=quiz, position=p, kind="single", clip=clips[(p * 7) % CLIPS])
            for p in range(1, args.rounds + 1)
        ]
    )  # fmt: skip
    game = live.game_start(teacher=teacher, quiz=quiz, classroom=classroom)
    for user in users:
        live.player_join(game=game, user=user)
    kinds = dict(QuizItem.objects.filter(quiz=quiz).values_list("pk", "kind"))
    options = [
        ["a", "b"] if kinds[pk] == "pair" else ["real", "generated"] for pk in game.round_order
    ]
    devices = [Device(i, _session_cookie(u)) for i, u in enumerate(users[: args.devices])]
    return devices, _session_cookie(teacher), game.pk, options


# --- HTTP ------------------------------------------------------------------------------------


async def _request(port: int, method: str, path: str, cookie: str, body: bytes = b"") -> int:
    """One request over a new connection; returns the status."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port), timeout=TIMEOUT
    )
    try:
        session, _, token = cookie.partition("\0")
        head = [
            f"{method} {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Connection: close",
            f"Cookie: {session}",
            "HX-Request: true",
        ]
        if method == "POST":
            head += [
                f"X-CSRFToken: {token}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout=TIMEOUT)
    finally:
        writer.close()
    parts = data.split(b"\r\n", 1)[0].split()
    return int(parts[1]) if len(parts) > 1 else 0


async def _listen(port: int, game_id: int, device: Device, ready: asyncio.Event) -> None:
    """Hold the device's event stream; note when each state version arrives, and fetch the
    panel again like the page does."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    session, _, _token = device.cookie.partition("\0")
    writer.write(
        (
            f"GET /live/{game_id}/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {session}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    buffer = b""
    try:
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                return
            buffer += chunk
            for match in STATE_EVENT.finditer(buffer):
                version = int(match.group(1))
                if version > device.version:
                    device.version = version
                    device.arrivals[version] = time.perf_counter()
                    device.got.set()
                    ready.set()
            buffer = buffer[-200:]
    finally:
        writer.close()


@dataclass
class Results:
    push: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    errors: int = 0
    memory_kib: int = 0


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _press(port: int, game_id: int, teacher: str, action: str) -> float:
    sent = time.perf_counter()
    status = await _request(
        port,
        "POST",
        f"/teach/games/{game_id}/control/",
        teacher,
        urlencode({"action": action}).encode(),
    )
    # 200 from htmx (the projector's page stays and refetches its stage), 302 without.
    if status not in (200, 302):
        raise SystemExit(f"the teacher's {action} answered {status}")
    return sent


async def _await_version(devices: list[Device], version: int, seconds: float = 30) -> None:
    deadline = time.perf_counter() + seconds
    while any(d.version < version for d in devices) and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)


async def _refetch_panels(port: int, game_id: int, devices: list[Device], results: Results) -> None:
    async def one(device: Device) -> None:
        status = await _request(port, "GET", f"/live/{game_id}/panel/?v=0", device.cookie)
        if status != 200:
            results.errors += 1

    await asyncio.gather(*(one(d) for d in devices))


async def _run(args, devices, teacher, game_id, options, port, server_pid) -> Results:
    results = Results()
    rng = random.Random(5)
    ready = asyncio.Event()
    listeners = [asyncio.create_task(_listen(port, game_id, d, ready)) for d in devices]
    started = time.perf_counter()
    await _await_version(devices, 1, seconds=120)
    connected = sum(d.version >= 1 for d in devices)
    print(
        f"{connected} of {len(devices)} streams open in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if connected < len(devices):
        raise SystemExit("not every device got its stream")

    async def push(action: str) -> None:
        target = max(d.version for d in devices) + 1
        sent = await _press(port, game_id, teacher, action)
        await _await_version(devices, target)
        for d in devices:
            if target in d.arrivals:
                results.push.append(d.arrivals[target] - sent)
            else:
                results.errors += 1
        # The pages fetch their panel again (a real device's next request), not timed here.
        await _refetch_panels(port, game_id, devices, results)

    async def answer(device: Device, round_index: int) -> None:
        await asyncio.sleep(rng.uniform(0, args.answer_window))
        body = urlencode(
            {"round": round_index, "guess": rng.choice(options[round_index]), "confidence": 75}
        ).encode()
        sent = time.perf_counter()
        status = await _request(port, "POST", f"/live/{game_id}/answer/", device.cookie, body)
        if status == 200:
            results.answer.append(time.perf_counter() - sent)
        else:
            results.errors += 1

    for round_index in range(args.rounds):
        await push("open")
        await asyncio.gather(*(answer(d, round_index) for d in devices))
        await push("reveal")
        print(
            f"round {round_index + 1}: push p95 {_q(results.push, 0.95) * 1000:.0f} ms, "
            f"answer p95 {_q(results.answer, 0.95) * 1000:.0f} ms so far",
            flush=True,
        )
    results.memory_kib = _memory_kib(server_pid)  # with every stream still open
    for task in listeners:
        task.cancel()
    return results


def _memory_kib(root_pid: int) -> int:
    """The resident memory of the web server's processes (the master and its workers)."""
    pids = [root_pid]
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(root_pid)], capture_output=True, text=True
    ).stdout.split()
    pids += [int(p) for p in found]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_service_arguments(parser, redis_db=13)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--answer-window", type=float, default=8.0)
    parser.add_argument(
        "--pool",
        type=int,
        default=16,
        help="DATABASE_POOL: connections per web process (0: a new one per request)",
    )
    args = parser.parse_args()
    if args.devices < 1 or args.rounds < 1 or args.workers < 1:
        parser.error("--devices, --rounds and --workers must be positive")

    tag = f"bench-live-{os.getpid()}"
    env = _environment(args, tag)
    print(f"Seeding {args.devices} devices ...", flush=True)
    _setup_django(args, env)
    devices, teacher, game_id, options = _seed(args)
    from django.db import connections

    connections.close_all()
    port = _free_port()
    logs = Path(tempfile.mkdtemp(prefix="bench-live-"))
    uvicorn = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
        "--log-level", "warning", "--no-access-log", "--backlog", "4096",
    ]  # fmt: skip
    server = _start(uvicorn, env, logs / "uvicorn.log")
    try:
        _wait_until_up(port)
        time.sleep(2)
        load = os.getloadavg()
        print(
            f"uvicorn --workers {args.workers}, DATABASE_POOL={args.pool}, "
            f"{args.devices} devices (+1 who never answers), "
            f"{args.rounds} rounds; load average before: {load[0]:.2f} {load[1]:.2f} "
            f"{load[2]:.2f} on {os.cpu_count()} CPUs",
            flush=True,
        )
        started = time.perf_counter()
        results = asyncio.run(_run(args, devices, teacher, game_id, options, port, server.pid))
        memory = results.memory_kib
        took = time.perf_counter() - started
    finally:
        _stop(server)
        connections.close_all()
        import psycopg

        with psycopg.connect(f"{args.server.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        _cleanup_redis(args.redis, tag)
    load = os.getloadavg()
    print(f"took {took:.1f} s; load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for name, values in (("push", results.push), ("answer", results.answer)):
        print(
            f"{name}: n={len(values)} p50={_q(values, 0.5) * 1000:.0f} ms "
            f"p95={_q(values, 0.95) * 1000:.0f} ms max={max(values, default=float('nan')) * 1000:.0f} ms"
        )
    print(f"errors={results.errors}")
    print(f"web_memory_mib={memory / 1024:.0f} (uvicorn, {args.workers} workers and the master)")
    print(f"p95_push_ms={_q(results.push, 0.95) * 1000:.0f}")
    print(f"p95_answer_ms={_q(results.answer, 0.95) * 1000:.0f}")


if __name__ == "__main__":
    main()
