"""quiz.keys: the same HMACs as Django's salted_hmac, with the key derived once."""

from __future__ import annotations

from django.test import override_settings
from django.utils.crypto import salted_hmac

from quiz.keys import keyed_hmac


def test_keyed_hmac_equals_salted_hmac():
    for salt, value in (("quiz.play.round", "12:345"), ("a", ""), ("quiz.x", "ümlaut:7")):
        expected = salted_hmac(salt, value, algorithm="sha256").hexdigest()
        assert keyed_hmac(salt, value).hexdigest() == expected
    # Each call is a fresh HMAC: digesting one leaves the next unchanged.
    assert keyed_hmac("s", "1").digest() == keyed_hmac("s", "1").digest()


def test_a_new_secret_gives_new_keys():
    before = keyed_hmac("quiz.play.round", "1:2").hexdigest()
    with override_settings(SECRET_KEY="another secret of fifty characters or so, for a test"):
        after = keyed_hmac("quiz.play.round", "1:2").hexdigest()
        assert after == salted_hmac("quiz.play.round", "1:2", algorithm="sha256").hexdigest()
    assert after != before
