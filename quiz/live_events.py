"""The news channel of live lessons: Redis pub/sub, one channel per game for everyone and one
for its projector alone.

A message only says that something changed (and the game's new version); every listener
reads the state again from PostgreSQL, the source of truth, so a lost message, a reconnect
or a second web process never shows anything but the current state. If Redis is down the
games go on: devices catch up when they reload (the device page works without the push).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator

import redis
import redis.asyncio as aioredis
from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

# What a device hears: the game's state changed (a round opened, a reveal step, the end).
STATE = "state"
# What only the projector hears: someone answered, someone joined.
ANSWERED = "answered"
PLAYERS = "players"
# What only the projector hears: the teacher changed the settings (no device shows them, and
# a device refetching its panel mid-round would lose the answer being chosen).
SETTINGS = "settings"
# Not published: what listen() yields once subscribed, so the stream reads the state then
# (after subscribing, so no change can fall between the read and the first message).
READY = "ready"

# A comment line every so often keeps proxies from closing a quiet stream.
HEARTBEAT_SECONDS = 15.0

_client: redis.Redis | None = None


def channel(game_id: int, *, projector: bool = False) -> str:
    """The game's channel, named with the database too: two sites (or two test databases)
    that share one Redis never hear each other's games."""
    name = f"live:{connections['default'].settings_dict['NAME']}:{game_id}"
    return f"{name}:projector" if projector else name


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
    return _client


def publish(game_id: int, kind: str, version: int) -> None:
    """Tell the game's listeners that `kind` happened; never fails the change itself (it is
    stored already: listeners that miss the news see it when they reconnect or reload)."""
    target = channel(game_id, projector=kind != STATE)
    try:
        _redis().publish(target, json.dumps({"kind": kind, "v": version}))
    except redis.RedisError:
        log.warning("live game %s: could not publish %s (Redis down?)", game_id, kind)


def sse(kind: str, data: str, *, event_id: int | None = None) -> bytes:
    """One Server-Sent Event."""
    lines = [f"event: {kind}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.extend(f"data: {line}" for line in (data.splitlines() or [""]))
    return ("\n".join(lines) + "\n\n").encode()


def _decoded(message: dict | None) -> tuple[str, int] | None:
    if not message or message.get("type") != "message":
        return None
    try:
        found = json.loads(message["data"])
        return str(found["kind"]), int(found["v"])
    except (ValueError, KeyError, TypeError):
        return None


async def listen(game_id: int, *, projector: bool) -> AsyncIterator[tuple[str, int] | None]:
    """The game's news as (kind, version), and None after every quiet HEARTBEAT_SECONDS
    (the caller sends a heartbeat and may check the game). Ends when Redis goes away: the
    browser reconnects and reads the state again."""
    client = aioredis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    pubsub = client.pubsub()
    channels = [channel(game_id)] + ([channel(game_id, projector=True)] if projector else [])
    try:
        await pubsub.subscribe(*channels)
        yield READY, 0
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS
            )
            yield _decoded(message)
    except (redis.RedisError, OSError):
        log.warning("live game %s: the event stream lost Redis", game_id)
    finally:
        try:
            await pubsub.aclose()
            await client.aclose()
        except (redis.RedisError, OSError):
            pass


def listen_blocking(game_id: int, *, projector: bool) -> Iterator[tuple[str, int] | None]:
    """listen() for a WSGI server (runserver, the tests' live server): the same news,
    each stream holding a thread. Production serves the site under ASGI (README)."""
    pubsub = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).pubsub()
    channels = [channel(game_id)] + ([channel(game_id, projector=True)] if projector else [])
    try:
        pubsub.subscribe(*channels)
        yield READY, 0
        while True:
            yield _decoded(
                pubsub.get_message(ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS)
            )
    except (redis.RedisError, OSError):
        log.warning("live game %s: the event stream lost Redis", game_id)
    finally:
        pubsub.close()
