"""Each attempt's own order and sides (quiz.shuffle): drawn from a seed, kept as stored,
uniform, and never a pattern of its own."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from quiz import shuffle

# Twelve rounds in position order, every third a pair.
ROUNDS = [(100 + n, n % 3 == 2) for n in range(12)]
PAIRS = {item_id for item_id, is_pair in ROUNDS if is_pair}

rounds_lists = st.lists(st.booleans(), max_size=30).map(
    lambda kinds: [(1000 + n, is_pair) for n, is_pair in enumerate(kinds)]
)


def test_the_same_seed_draws_the_same_layout():
    assert shuffle.draw(42, ROUNDS) == shuffle.draw(42, ROUNDS)


def test_different_seeds_draw_different_orders_and_sides():
    layouts = [shuffle.draw(seed, ROUNDS) for seed in range(50)]
    assert len({layout.order for layout in layouts}) == 50
    assert len({layout.swapped for layout in layouts}) > 1


@given(seed=st.integers(min_value=0, max_value=2**63 - 1), rounds=rounds_lists)
def test_a_layout_plays_every_round_once_and_swaps_only_pairs(seed, rounds):
    layout = shuffle.draw(seed, rounds)
    assert sorted(layout.order) == [item_id for item_id, _ in rounds]
    assert layout.swapped <= {item_id for item_id, is_pair in rounds if is_pair}
    for number, item_id in enumerate(layout.order, start=1):
        assert layout.number_of(item_id) == number


def test_the_shuffle_is_uniform_and_the_sides_a_fair_coin():
    """All 24 orders of four rounds come up about equally often (no balancing of runs), and
    a pair is swapped about half the time."""
    four = [(1, False), (2, True), (3, False), (4, True)]
    draws = [shuffle.draw(seed, four) for seed in range(24_000)]
    orders = Counter(layout.order for layout in draws)
    assert set(orders) == set(itertools.permutations([1, 2, 3, 4]))
    assert all(800 <= n <= 1200 for n in orders.values()), orders
    swapped = Counter(item_id for layout in draws for item_id in layout.swapped)
    assert set(swapped) == {2, 4}
    assert all(11_400 <= n <= 12_600 for n in swapped.values()), swapped
    # the two coins are independent of each other
    both = sum(1 for layout in draws if layout.swapped == {2, 4})
    assert 5_500 <= both <= 6_500


def test_new_seeds_are_fresh_and_fit_a_bigint_column():
    seeds = {shuffle.new_seed() for _ in range(100)}
    assert len(seeds) == 100 and all(0 <= s < 2**63 for s in seeds)


def test_no_seed_means_the_quizs_order_and_sides():
    layout = shuffle.stored(seed=None, order=None, swapped=None, rounds=ROUNDS)
    assert layout.order == tuple(item_id for item_id, _ in ROUNDS)
    assert layout.swapped == frozenset()


def test_a_stored_layout_is_kept_as_stored():
    order = [item_id for item_id, _ in reversed(ROUNDS)]
    swapped = sorted(PAIRS)[:2]
    layout = shuffle.stored(seed=7, order=order, swapped=swapped, rounds=ROUNDS)
    assert layout.order == tuple(order) and layout.swapped == frozenset(swapped)


def test_a_layout_of_rounds_that_were_replaced_is_drawn_again_from_the_seed():
    new_rounds = [(500 + n, is_pair) for n, (_id, is_pair) in enumerate(ROUNDS)]
    stale = [item_id for item_id, _ in ROUNDS]
    layout = shuffle.stored(seed=7, order=stale, swapped=[], rounds=new_rounds)
    assert layout == shuffle.draw(7, new_rounds)
    assert layout == shuffle.stored(seed=7, order=stale, swapped=[], rounds=new_rounds)


def test_sides_translate_both_ways_and_leave_single_answers_alone():
    assert shuffle.swap_side("a", swapped=True) == "b"
    assert shuffle.swap_side("b", swapped=True) == "a"
    assert shuffle.swap_side("a", swapped=False) == "a"
    for guess in ("real", "generated"):
        assert shuffle.swap_side(guess, swapped=True) == guess
    for guess in ("a", "b"):
        once = shuffle.swap_side(guess, swapped=True)
        assert shuffle.swap_side(once, swapped=True) == guess
