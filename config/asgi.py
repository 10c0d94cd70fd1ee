"""The ASGI application: the whole site, live lessons' event streams included (their async
views hold no thread while they wait). Production runs it under uvicorn (README); `make run`
too, with the static files served from here while DEBUG (runserver did that before)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# How many requests of one server process may run Django's synchronous code (middleware and
# views) at once. Under ASGI each request runs it in a thread of its own, and each such
# thread opens its own database connection: a class of 200 whose devices all ask at the same
# moment (a live lesson's round opening) would open 200 connections at once and overrun
# PostgreSQL's max_connections (100 by default). A request holds its place only until its
# response starts, so the live event streams, which start at once and then wait, never keep
# one. On a machine with a few cores more threads would not go faster anyway (the GIL).
REQUESTS_AT_ONCE = 16


class RequestGate:
    """Let at most `limit` HTTP requests of this process be inside Django at once, each
    until its response starts (its headers are sent)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int):
        self.app = app
        self.limit = limit
        self._places: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._places is None:  # made inside the server's event loop
            self._places = asyncio.Semaphore(self.limit)
        places = self._places
        await places.acquire()
        held = True

        async def send_and_release(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                places.release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            if held:
                places.release()


application: Any = RequestGate(get_asgi_application(), REQUESTS_AT_ONCE)

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
