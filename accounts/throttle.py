"""Throttling guesses (sign-in passwords, class join codes) that holds under concurrency.

Reserve, then check: each guess first takes a slot with an atomic Redis increment
(``cache.add`` + ``cache.incr``); if the new count is over the limit the guess is refused
without being checked, so at most ``limit`` checks happen per window however many requests
arrive at once. A failed check keeps its slot; a successful one gives it back.

Two scopes per action: a small limit per account (for sign-ins: per username *and* address,
so one pupil's typos lock only that pupil, there) and a much higher one per address (a whole
school often shares one address).

Counts live in the cache (Redis). If the cache is unreachable the action still works
(logged), because a classroom that cannot sign in at all is worse than a brief loss of
throttling.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limit:
    """One counter family: ``attempts`` guesses per ``window`` seconds per subject."""

    name: str
    attempts_setting: str
    window_setting: str

    @property
    def attempts(self) -> int:
        return getattr(settings, self.attempts_setting)

    @property
    def window(self) -> int:
        return getattr(settings, self.window_setting)

    def key(self, subject: str) -> str:
        return f"throttle:{self.name}:{_digest(subject)}"

    def reserve(self, key: str) -> bool:
        """Take a slot atomically; False (slot taken anyway) once over the limit."""
        # add() starts the window on the first guess; incr() never extends it. If the key
        # expires between the two, start a new window.
        cache.add(key, 0, timeout=self.window)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1 if cache.add(key, 1, timeout=self.window) else cache.incr(key)
        return count <= self.attempts

    @staticmethod
    def release(key: str) -> None:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(key)


@dataclass(frozen=True)
class Throttle:
    """A per-account limit and a per-address limit, reserved in that order."""

    name: str
    account: Limit
    address: Limit

    def _generation(self, account: str) -> str:
        # Unlocking replaces the account's generation, orphaning its counters at every
        # address at once (the counters' own timeouts then remove them).
        return cache.get(f"throttle:{self.name}:gen:{_digest(account)}") or ""

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        generation = self._generation(account)
        return (
            self.account.key(f"{account}\0{generation}\0{address}"),
            self.address.key(address),
        )

    def reserve(self, account: str, address: str) -> Reservation | None:
        """A slot for one guess, or None when the account or address is over its limit."""
        try:
            account_key, address_key = self._keys(account, address)
            if not self.account.reserve(account_key):
                return None  # a locked account does not use up its address's slots
            if not self.address.reserve(address_key):
                Limit.release(account_key)
                return None
        except Exception:
            log.warning("%s throttle cache unavailable", self.name, exc_info=True)
            return Reservation(None, None)
        return Reservation(account_key, address_key)

    def unlock(self, account: str) -> None:
        """Clear an account's counters at every address (a teacher's unlock)."""
        try:
            cache.set(
                f"throttle:{self.name}:gen:{_digest(account)}", uuid.uuid4().hex, timeout=None
            )
        except Exception:
            log.warning("%s throttle cache unavailable", self.name, exc_info=True)


@dataclass(frozen=True)
class Reservation:
    account_key: str | None
    address_key: str | None

    def succeeded(self, *, clear_account: bool = True) -> None:
        """The guess was right: give the address its slot back; clear or release the
        account's own counter (never anyone else's)."""
        if self.account_key is None or self.address_key is None:
            return
        try:
            Limit.release(self.address_key)
            if clear_account:
                cache.delete(self.account_key)
            else:
                Limit.release(self.account_key)
        except Exception:
            log.warning("throttle cache unavailable", exc_info=True)


SIGN_IN = Throttle(
    "sign-in",
    Limit("sign-in-account", "LOGIN_THROTTLE_ATTEMPTS", "LOGIN_THROTTLE_WINDOW"),
    Limit("sign-in-address", "LOGIN_THROTTLE_ADDRESS_ATTEMPTS", "LOGIN_THROTTLE_WINDOW"),
)
JOIN_CODE = Throttle(
    "join-code",
    Limit("join-code-account", "JOIN_THROTTLE_ATTEMPTS", "JOIN_THROTTLE_WINDOW"),
    Limit("join-code-address", "JOIN_THROTTLE_ADDRESS_ATTEMPTS", "JOIN_THROTTLE_WINDOW"),
)
