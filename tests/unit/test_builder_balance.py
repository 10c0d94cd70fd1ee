"""The quiz builder's pure logic: balanced quizzes (property tests) and draft editing."""

from __future__ import annotations

import random
from collections import Counter
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.selectors.builder import ClipInfo
from quiz.services.builder import (
    MAX_ROUNDS,
    QuizEditRefused,
    balanced_rounds,
    partner_similarity,
    rank_partners,
    rounds_add,
    rounds_move,
    rounds_pair,
    rounds_remove,
    rounds_swap,
)

KINDS = ("video", "image")
CATEGORIES = ("anatomy", "physics", "text", "lighting", "lens", "noise")
# Source families (quiz.packs.format.source_family); "" is a clip whose credit names none.
FAMILIES = ("", "street footage 'bikes'", "espresso photograph")


@st.composite
def libraries(draw: st.DrawFn) -> list[ClipInfo]:
    rows = draw(
        st.lists(
            st.tuples(
                st.booleans(),
                st.sampled_from(KINDS),
                st.frozensets(st.sampled_from(CATEGORIES), max_size=2),
                st.sampled_from(FAMILIES),
            ),
            max_size=40,
        )
    )
    return [
        ClipInfo(i, g, kind, cats, family=family)
        for i, (g, kind, cats, family) in enumerate(rows, start=1)
    ]


percent = st.integers(min_value=0, max_value=100).map(lambda p: p / 100)


def _expected_counts(n: int, generated_share: float, pair_share: float) -> tuple[int, int, int]:
    pairs = round(n * pair_share)
    generated = round((n - pairs) * generated_share)
    return pairs, generated, n - pairs - generated


def _feasible(clips: list[ClipInfo], pairs: int, generated: int, real: int) -> bool:
    def count(is_generated: bool, group: tuple[str, str] | None = None) -> int:
        return sum(
            1
            for c in clips
            if c.is_generated == is_generated
            and (group is None or (c.media_kind, c.family) == group)
        )

    # A pair is two clips of one media kind from one source family.
    groups = [(kind, family) for kind in KINDS for family in FAMILIES]
    pairable = sum(min(count(True, group), count(False, group)) for group in groups)
    return pairable >= pairs and count(True) >= pairs + generated and count(False) >= pairs + real


@settings(max_examples=300, deadline=None)
@given(
    clips=libraries(),
    n=st.integers(min_value=1, max_value=30),
    generated_share=percent,
    pair_share=percent,
    seed=st.integers(0, 2**32),
)
def test_balanced_quiz_keeps_every_promise_or_says_why_not(
    clips, n, generated_share, pair_share, seed
):
    pairs, generated, real = _expected_counts(n, generated_share, pair_share)
    rng = random.Random(seed)
    if not _feasible(clips, pairs, generated, real):
        with pytest.raises(ValueError, match=r"\w"):
            balanced_rounds(
                clips, n=n, generated_share=generated_share, pair_share=pair_share, rng=rng
            )
        return
    rounds = balanced_rounds(
        clips, n=n, generated_share=generated_share, pair_share=pair_share, rng=rng
    )
    by_id = {c.id: c for c in clips}
    assert len(rounds) == n

    used = [i for _kind, a, b in rounds for i in (a, b) if i is not None]
    assert len(used) == len(set(used)), "a clip was used twice"
    assert set(used) <= set(by_id)

    pair_rounds = [r for r in rounds if r[0] == "pair"]
    singles = [r for r in rounds if r[0] == "single"]
    assert len(pair_rounds) == pairs
    for _kind, a, b in pair_rounds:
        assert b is not None
        assert by_id[a].media_kind == by_id[b].media_kind
        assert by_id[a].family == by_id[b].family, "a pair from two different sources"
        assert by_id[a].is_generated != by_id[b].is_generated
    for _kind, _a, b in singles:
        assert b is None

    generated_singles = sum(1 for _kind, a, _b in singles if by_id[a].is_generated)
    assert abs(generated_singles - len(singles) * generated_share) <= 1
    assert generated_singles == generated


def test_real_and_generated_singles_come_in_chance_order():
    """Not taking turns: a quiz whose own order alternates would answer itself to a student
    who sees that order (an assignment that keeps it, or their data download)."""
    clips = [ClipInfo(i, i % 2 == 0, "video") for i in range(1, 41)]
    alternating = first_generated = 0
    seeds = range(60)
    for seed in seeds:
        rounds = balanced_rounds(
            clips, n=12, generated_share=0.5, pair_share=0, rng=random.Random(seed)
        )
        truths = [clips[a - 1].is_generated for _kind, a, _b in rounds]
        assert truths.count(True) == truths.count(False) == 6
        longest_run = max(len(list(run)) for _truth, run in groupby(truths))
        alternating += longest_run == 1
        first_generated += truths[0]
    # Chance alternates 12 rounds of 6 and 6 in 2 of 924 orders.
    assert alternating <= 2
    assert 15 <= first_generated <= 45


def _spread(counts: Counter[str]) -> int:
    return max(counts.values()) - min(counts.values()) if counts else 0


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=16),
    tells=st.integers(min_value=1, max_value=5),
    decoys=st.integers(min_value=1, max_value=3),
    generated_share=percent,
    pair_share=percent,
    seed=st.integers(0, 2**32),
)
def test_categories_are_spread_out_when_the_library_allows(
    n, tells, decoys, generated_share, pair_share, seed
):
    # Enough clips of every category, kind and truth that no choice is forced.
    clips: list[ClipInfo] = []
    for is_generated, codes in ((True, CATEGORIES[:tells]), (False, CATEGORIES[-decoys:])):
        for code in codes:
            for kind in KINDS:
                for _i in range(n):
                    clips.append(ClipInfo(len(clips) + 1, is_generated, kind, frozenset({code})))
    rounds = balanced_rounds(
        clips,
        n=n,
        generated_share=generated_share,
        pair_share=pair_share,
        rng=random.Random(seed),
    )
    by_id = {c.id: c for c in clips}
    chosen = [by_id[i] for _kind, a, b in rounds for i in (a, b) if i is not None]
    for is_generated in (True, False):
        counts = Counter(
            code for c in chosen if c.is_generated == is_generated for code in c.categories
        )
        assert _spread(counts) <= 1, counts


def test_a_new_category_beats_one_already_used():
    clips = [
        ClipInfo(1, True, "video", frozenset({"physics"})),
        ClipInfo(2, True, "video", frozenset({"physics"})),
        ClipInfo(3, True, "video", frozenset({"physics", "text"})),
        ClipInfo(4, True, "video", frozenset({"anatomy"})),
        ClipInfo(5, True, "video", frozenset({"lighting"})),
    ]
    for seed in range(20):
        rounds = balanced_rounds(
            clips, n=3, generated_share=1, pair_share=0, rng=random.Random(seed)
        )
        ids = {a for _kind, a, _b in rounds}
        # Three picks, three different categories: at most one "physics" clip.
        assert len(ids & {1, 2, 3}) == 1, ids


def test_pairs_show_the_generated_clip_as_a_or_b_at_random():
    clips = [ClipInfo(i, i <= 10, "image") for i in range(1, 21)]
    firsts = set()
    for seed in range(30):
        rounds = balanced_rounds(
            clips, n=4, generated_share=0.5, pair_share=1, rng=random.Random(seed)
        )
        firsts |= {clips[a - 1].is_generated for _kind, a, _b in rounds}
    assert firsts == {True, False}


def test_the_same_seed_gives_the_same_quiz():
    clips = [ClipInfo(i, i % 3 == 0, KINDS[i % 2]) for i in range(1, 40)]

    def draw(seed: int) -> list:
        return balanced_rounds(
            clips, n=10, generated_share=0.5, pair_share=0.3, rng=random.Random(seed)
        )

    assert draw(7) == draw(7)
    assert any(draw(7) != draw(seed) for seed in range(8, 20))


@pytest.mark.parametrize(
    ("clips", "kwargs", "message"),
    [
        ([], {"n": 0}, "between 1 and 100"),
        ([], {"n": MAX_ROUNDS + 1}, "between 1 and 100"),
        ([], {"n": 3, "generated_share": 1.5}, "between 0 and 100 percent"),
        ([ClipInfo(1, True, "video")], {"n": 2, "generated_share": 1}, "needs 2 generated"),
        ([ClipInfo(1, False, "video")], {"n": 2, "generated_share": 0}, "needs 2 real"),
        (
            [ClipInfo(1, True, "video"), ClipInfo(2, False, "image")],
            {"n": 1, "pair_share": 1},
            "only 0 pair rounds",
        ),
    ],
)
def test_an_impossible_request_says_what_is_missing(clips, kwargs, message):
    kwargs = {"generated_share": 0.5, "pair_share": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        balanced_rounds(clips, rng=random.Random(1), **kwargs)


# --- Draft editing --------------------------------------------------------------------------

REAL_VIDEO = ClipInfo(1, False, "video")
FAKE_VIDEO = ClipInfo(2, True, "video")
FAKE_VIDEO_2 = ClipInfo(3, True, "video")
FAKE_IMAGE = ClipInfo(4, True, "image")
REAL_VIDEO_2 = ClipInfo(5, False, "video")
INFOS = {c.id: c for c in (REAL_VIDEO, FAKE_VIDEO, FAKE_VIDEO_2, FAKE_IMAGE, REAL_VIDEO_2)}


def test_adding_appends_a_single_round_and_refuses_a_clip_twice():
    rounds = rounds_add([], REAL_VIDEO)
    rounds = rounds_add(rounds, FAKE_VIDEO)
    assert rounds == [("single", 1, None), ("single", 2, None)]
    with pytest.raises(QuizEditRefused, match="already in round 1"):
        rounds_add(rounds, REAL_VIDEO)


def test_adding_stops_at_the_round_limit():
    full = [("single", i, None) for i in range(1, MAX_ROUNDS + 1)]
    with pytest.raises(QuizEditRefused, match="at most 100 rounds"):
        rounds_add(full, ClipInfo(999, True, "video"))


def test_moving_and_removing_rounds():
    rounds = [("single", 1, None), ("single", 2, None), ("single", 3, None)]
    assert rounds_move(rounds, 3, -1) == [rounds[0], rounds[2], rounds[1]]
    assert rounds_move(rounds, 1, -1) == rounds  # already first
    assert rounds_move(rounds, 1, +1) == [rounds[1], rounds[0], rounds[2]]
    assert rounds_remove(rounds, 2) == [rounds[0], rounds[2]]
    for number in (0, 4, -1):
        with pytest.raises(QuizEditRefused, match="no round"):
            rounds_remove(rounds, number)


def test_pairing_merges_the_partners_single_round():
    rounds = [("single", 1, None), ("single", 3, None), ("single", 2, None)]
    paired = rounds_pair(rounds, 1, 2, INFOS)
    assert paired == [("pair", 1, 2), ("single", 3, None)]


def test_changing_or_ending_a_pair_keeps_the_released_clip_as_a_single():
    rounds = [("pair", 1, 2), ("single", 5, None)]
    assert rounds_pair(rounds, 1, 3, INFOS) == [
        ("pair", 1, 3),
        ("single", 2, None),
        ("single", 5, None),
    ]
    assert rounds_pair(rounds, 1, None, INFOS) == [
        ("single", 1, None),
        ("single", 2, None),
        ("single", 5, None),
    ]
    assert rounds_swap(rounds, 1)[0] == ("pair", 2, 1)
    with pytest.raises(QuizEditRefused, match="not a pair"):
        rounds_swap(rounds, 2)


@pytest.mark.parametrize(
    ("partner", "message"),
    [
        (5, "cannot be paired"),  # real with real
        (4, "cannot be paired"),  # video with image
        (1, "cannot be paired"),  # itself
        (99, "not in the library"),
    ],
)
def test_pairing_refuses_clips_that_cannot_make_a_pair(partner, message):
    with pytest.raises(QuizEditRefused, match=message):
        rounds_pair([("single", 1, None)], 1, partner, INFOS)


def test_pairing_refuses_a_clip_already_in_another_pair():
    rounds = [("single", 5, None), ("pair", 1, 2)]
    with pytest.raises(QuizEditRefused, match="already in the pair of round 2"):
        rounds_pair(rounds, 1, 2, INFOS)


BIKES, CUP = "street footage 'bikes'", "espresso photograph"


def test_partners_are_ranked_by_source_then_categories_then_size():
    clip = ClipInfo(1, True, "video", frozenset({"morphing"}), family=BIKES, size=(480, 272))
    other_source = ClipInfo(2, False, "video", frozenset({"lens"}), family=CUP, size=(480, 272))
    same_source = ClipInfo(3, False, "video", frozenset(), family=BIKES, size=(640, 360))
    twin = ClipInfo(4, False, "video", frozenset(), family=BIKES, size=(480, 272))
    unfit = ClipInfo(5, True, "video", frozenset(), family=BIKES, size=(480, 272))
    image = ClipInfo(6, False, "image", frozenset(), family=BIKES, size=(480, 272))
    candidates = [(c, c.id) for c in (other_source, same_source, unfit, twin, image)]
    # Same source and size first; then same source; a clip of another source last; clips
    # that cannot pair (same truth, other media kind) not at all.
    assert rank_partners(clip, candidates) == [4, 3, 2]
    assert partner_similarity(clip, twin) > partner_similarity(clip, same_source)
    assert partner_similarity(clip, same_source) > partner_similarity(clip, other_source)
    # An unknown source ("") is no source in common.
    nameless = ClipInfo(7, True, "video", frozenset(), size=(480, 272))
    assert partner_similarity(nameless, ClipInfo(8, False, "video", frozenset()))[0] == 0


@pytest.mark.parametrize("seed", range(20))
def test_balanced_pairs_come_from_one_source_and_match_in_size(seed):
    clips = [
        ClipInfo(1, True, "video", frozenset({"count"}), family=BIKES, size=(480, 272)),
        ClipInfo(2, True, "video", frozenset({"morphing"}), family=CUP, size=(480, 272)),
        ClipInfo(3, False, "video", frozenset(), family=CUP, size=(480, 272)),
        ClipInfo(4, False, "video", frozenset(), family=BIKES, size=(176, 144)),
        ClipInfo(5, False, "video", frozenset(), family=BIKES, size=(480, 272)),
    ]
    rounds = balanced_rounds(
        clips, n=2, generated_share=0.5, pair_share=1.0, rng=random.Random(seed)
    )
    pairs = {frozenset((a, b)) for _kind, a, b in rounds}
    assert pairs == {frozenset({1, 5}), frozenset({2, 3})}


def test_a_pair_across_sources_is_refused_with_a_reason():
    clips = [
        ClipInfo(1, True, "video", frozenset(), family=BIKES),
        ClipInfo(2, False, "video", frozenset(), family=CUP),
    ]
    with pytest.raises(ValueError, match="same source"):
        balanced_rounds(clips, n=1, generated_share=0.5, pair_share=1.0, rng=random.Random(1))
