"""Handing work to the Celery workers without ever holding up the person who caused it.

Services queue tasks by their stable names ("quiz.tasks.clip_ingest", ...) through
`enqueue`, so no service imports `quiz.tasks` (the tasks import the services): there is no
import cycle, not even inside functions. `QuizConfig.ready` imports the tasks, so a name is
always a registered task in the web process too, and `task_always_eager` (the tests, a
single-process install) runs it in place.

`enqueue_once` queues a task only if no run of it is waiting yet (a flag in the broker's
Redis, set with the message and cleared by the task when it starts, `queued_clear`): a
class answering at once queues one fold that takes every answer, not one fold per answer.
"""

from __future__ import annotations

import logging
import threading

import redis
from celery import current_app

log = logging.getLogger(__name__)

# A flag left behind (its message lost, the worker gone) lets the task be queued again after
# this long; meanwhile the beat's periodic run of the task does its work.
QUEUED_FLAG_SECONDS = 60

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def enqueue(task_name: str, *args: object) -> bool:
    """Queue one run of a task; False (logged) when the broker cannot be reached.

    Callers decide what a lost message means: most rows stay in a state that a periodic
    task or a later action picks up again (every task is safe to run twice); a pack job
    fails at once with a message. The publish is tried once (retry=False): an answer or an
    upload must not wait for a broker that is down.
    """
    try:
        current_app.signature(task_name, args=args).apply_async(retry=False)
    except Exception:
        log.warning("could not queue %s%r", task_name, args, exc_info=True)
        return False
    return True


def _broker_redis() -> redis.Redis | None:
    """A client of the broker's Redis (one per broker URL and process); None when the broker
    is not Redis or tasks run in place."""
    conf = current_app.conf
    url = str(conf.broker_url or "")
    if conf.task_always_eager or not url.startswith(("redis://", "rediss://", "redis+socket://")):
        return None
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            # Celery spells a Unix socket redis+socket://, redis-py unix://. Short timeouts:
            # an answer must not wait for a Redis that is down.
            client = redis.Redis.from_url(
                url.replace("redis+socket://", "unix://", 1),
                socket_connect_timeout=1,
                socket_timeout=1,
            )
            _clients[url] = client
    return client


def _flag(task_name: str) -> str:
    # The queue's name keeps sites (and test runs) that share one Redis apart.
    return f"{current_app.conf.task_default_queue}:queued:{task_name}"


def enqueue_once(task_name: str, *args: object) -> bool:
    """Queue a run of a task unless one is waiting already; True if queued.

    The waiting run does the work of this call too, provided the task calls `queued_clear`
    before it reads what there is to do: whatever was stored before the flag was cleared is
    there when it reads, and whatever comes after sets the flag again and queues the next
    run. `args` go to the coalesced runs only: without a Redis broker (or with tasks run in
    place) every call queues a run without them. With the broker unreachable nothing is
    queued (logged): the beat's periodic run catches up.
    """
    client = _broker_redis()
    if client is None:
        return enqueue(task_name)
    try:
        if not client.set(_flag(task_name), "1", nx=True, ex=QUEUED_FLAG_SECONDS):
            return False
    except redis.RedisError:
        log.warning("could not queue %s: the broker's Redis does not answer", task_name)
        return False
    if enqueue(task_name, *args):
        return True
    queued_clear(task_name)
    return False


def queued_clear(task_name: str) -> None:
    """Called by a task queued with `enqueue_once` as it starts, before it reads its work:
    from now on a new call queues the next run."""
    client = _broker_redis()
    if client is None:
        return
    try:
        client.delete(_flag(task_name))
    except redis.RedisError:
        log.warning("could not clear the queued flag of %s", task_name, exc_info=True)


def is_queued(task_name: str) -> bool:
    """Whether a run queued with `enqueue_once` is waiting (its flag is set)."""
    client = _broker_redis()
    if client is None:
        return False
    try:
        return bool(client.exists(_flag(task_name)))
    except redis.RedisError:
        return False
