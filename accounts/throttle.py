"""Throttling guesses (sign-in passwords, class join codes): a few failures, then a pause.

Counts live in the cache (Redis). If the cache is unreachable the action still works
(logged), because a classroom that cannot sign in at all is worse than a brief loss of
throttling.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Throttle:
    name: str
    attempts_setting: str
    window_setting: str

    @property
    def attempts(self) -> int:
        return getattr(settings, self.attempts_setting)

    @property
    def window(self) -> int:
        return getattr(settings, self.window_setting)

    def _keys(self, *subjects: str) -> list[str]:
        return [
            f"throttle:{self.name}:{hashlib.sha256(s.strip().lower().encode()).hexdigest()[:32]}"
            for s in subjects
        ]

    def is_blocked(self, *subjects: str) -> bool:
        """True once any subject (a username, an address, ...) has too many failures."""
        try:
            counts = cache.get_many(self._keys(*subjects))
        except Exception:
            log.warning("%s throttle cache unavailable", self.name, exc_info=True)
            return False
        return any(int(v) >= self.attempts for v in counts.values())

    def record_failure(self, *subjects: str) -> None:
        try:
            for key in self._keys(*subjects):
                # add() starts the window on the first failure; incr() never extends it.
                if not cache.add(key, 1, timeout=self.window):
                    cache.incr(key)
        except Exception:
            log.warning("%s throttle cache unavailable", self.name, exc_info=True)

    def clear(self, *subjects: str) -> None:
        try:
            cache.delete_many(self._keys(*subjects))
        except Exception:
            log.warning("%s throttle cache unavailable", self.name, exc_info=True)


SIGN_IN = Throttle("sign-in", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW")
JOIN_CODE = Throttle("join-code", "JOIN_THROTTLE_ATTEMPTS", "JOIN_THROTTLE_WINDOW")
