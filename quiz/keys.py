"""HMACs keyed with the site's secret, for names and coins that must be the same on every
request and that nobody without the secret can compute (round and media names, the padding
of served files).

`keyed_hmac(salt, value)` equals Django's `salted_hmac(salt, value, algorithm="sha256")`, but
derives the salt's key from the secret once per process instead of on every call: a submit
names each round of its attempt until it finds the one its URL names, which had made key
derivation a tenth of its own work (bench/submit.py).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=32)
def _keyed(salt: str, secret: str | bytes) -> hmac.HMAC:
    secret_bytes = secret if isinstance(secret, bytes) else secret.encode()
    key = hashlib.sha256(salt.encode() + secret_bytes).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def keyed_hmac(salt: str, value: str) -> hmac.HMAC:
    """A fresh HMAC of `value` under the key of `salt` and the site's secret."""
    mac = _keyed(salt, settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return mac
