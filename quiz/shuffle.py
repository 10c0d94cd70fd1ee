"""Each attempt's own order of rounds and placement of pair clips, so that neither the order
nor the sides carry the answer (a quiz that alternates real and generated, a neighbour's
first answer).

An attempt draws its layout once, when it starts, from a seed of its own; both are stored on
the attempt (quiz.models.Attempt), so a reload or a resume shows the same rounds in the same
order with the same sides. The shuffle is a plain uniform one: runs of the same truth happen
as chance makes them, and balancing them away would itself be a pattern.

Pure: no Django, tested without a database (tests/unit/test_shuffle.py).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

# A round as the layout sees it: (quiz item id, is it a pair?), in the quiz's position order.
Round = tuple[int, bool]

SIDES = ("a", "b")


@dataclass(frozen=True)
class Layout:
    """The rounds of one attempt: `order` lists the quiz item ids in the order they are
    played; `swapped` holds the pair items shown with `other_clip` on the left as "A" (the
    others show `clip` as A, the quiz's own placement)."""

    order: tuple[int, ...]
    swapped: frozenset[int]

    def number_of(self, item_id: int) -> int:
        """The round's place in this attempt, from 1 (ValueError if not one of its rounds)."""
        return self.order.index(item_id) + 1


def new_seed() -> int:
    """A fresh seed from the operating system's randomness; fits a signed 64-bit column."""
    return secrets.randbits(63)


def draw(seed: int, rounds: Sequence[Round]) -> Layout:
    """The layout that `seed` gives these rounds: a uniform shuffle of the order, then one fair
    coin per pair (in position order) for its sides. The same seed and rounds always give the
    same layout."""
    rng = random.Random(seed)
    order = [item_id for item_id, _is_pair in rounds]
    rng.shuffle(order)
    swapped = frozenset(item_id for item_id, is_pair in rounds if is_pair and rng.random() < 0.5)
    return Layout(tuple(order), swapped)


def fixed(rounds: Sequence[Round]) -> Layout:
    """The quiz's own order and sides, the same for everyone."""
    return Layout(tuple(item_id for item_id, _is_pair in rounds), frozenset())


def stored(
    *,
    seed: int | None,
    order: Sequence[int] | None,
    swapped: Sequence[int] | None,
    rounds: Sequence[Round],
) -> Layout:
    """An attempt's layout over the quiz's current rounds, from what the attempt stored.

    - No seed: the quiz's order and sides (attempts from before each attempt had its own,
      and attempts of assignments that keep the quiz's order).
    - A stored order naming exactly the current rounds: that order and those sides.
    - Otherwise the quiz's rounds were replaced after the attempt started, which the builder
      allows only while nobody has answered the quiz: drawn afresh from the attempt's seed
      over the new rounds, the same on every reload.
    """
    if seed is None:
        return fixed(rounds)
    ids = [item_id for item_id, _is_pair in rounds]
    if order is not None and sorted(order) == sorted(ids):
        pairs = {item_id for item_id, is_pair in rounds if is_pair}
        return Layout(tuple(order), frozenset(swapped or ()) & pairs)
    return draw(seed, rounds)


def swap_side(guess: str, *, swapped: bool) -> str:
    """A pair's answer about the sides as shown, in the quiz's own terms (or back: swapping
    twice is no swap). "a" names the clip on the left; single-round answers pass unchanged."""
    if swapped and guess in SIDES:
        return "b" if guess == "a" else "a"
    return guess
