"""Sign-in throttling: a few failures per username and per address, then a pause.

Counts live in the cache (Redis). If the cache is unreachable sign-in still works (logged),
because a classroom that cannot sign in at all is worse than a brief loss of throttling.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _keys(username: str, address: str) -> list[str]:
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:addr:{address}"]


def is_blocked(username: str, address: str) -> bool:
    try:
        counts = cache.get_many(_keys(username, address))
    except Exception:
        log.warning("login throttle cache unavailable", exc_info=True)
        return False
    return any(int(v) >= settings.LOGIN_THROTTLE_ATTEMPTS for v in counts.values())


def record_failure(username: str, address: str) -> None:
    try:
        for key in _keys(username, address):
            # add() starts the window on the first failure; incr() never extends it.
            if not cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW):
                cache.incr(key)
    except Exception:
        log.warning("login throttle cache unavailable", exc_info=True)


def clear(username: str) -> None:
    try:
        cache.delete(_keys(username, "")[0])
    except Exception:
        log.warning("login throttle cache unavailable", exc_info=True)
