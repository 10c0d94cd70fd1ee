"""Planning a lesson from a pool of clips (pure): the examples and the decoy never meet the
check, every clip is used once, and the check asks about the lesson's own category."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.selectors.builder import ClipInfo
from quiz.selectors.learn import (
    CHECK_ROUNDS,
    MIN_EXAMPLES,
    MIN_TOPIC_CLIPS,
    CheckInfo,
    plan_lesson,
    resolve_plan,
)

CODE = "morphing"
TELLS = ("morphing", "count", "text")
DECOYS = ("rolling_shutter", "lens", "editing")


@st.composite
def pools(draw) -> list[ClipInfo]:
    n = draw(st.integers(min_value=0, max_value=25))
    infos = []
    for clip_id in range(1, n + 1):
        generated = draw(st.booleans())
        codes = draw(st.sets(st.sampled_from(TELLS if generated else DECOYS), max_size=2))
        kind = draw(st.sampled_from(("video", "image")))
        infos.append(ClipInfo(clip_id, generated, kind, frozenset(codes)))
    return infos


def _clips(rounds) -> list[int]:
    return [i for _kind, a, b in rounds for i in (a, b) if i is not None]


@settings(max_examples=300, deadline=None)
@given(pools())
def test_a_fresh_plan_keeps_lesson_and_check_apart(infos):
    plan = plan_lesson(CODE, infos)
    by_id = {i.id: i for i in infos}
    topic = [i for i in infos if i.is_generated and CODE in i.categories]
    assert plan.topic_count == len(topic)
    if len(topic) < MIN_TOPIC_CLIPS:
        assert not plan.available
        return
    assert all(by_id[e].is_generated and CODE in by_id[e].categories for e in plan.examples)
    assert MIN_EXAMPLES <= len(plan.examples) <= 3
    if plan.decoy is not None:
        assert not by_id[plan.decoy].is_generated
    if not plan.rounds:
        assert not plan.available
        return
    assert plan.available and len(plan.rounds) == CHECK_ROUNDS
    used = _clips(plan.rounds)
    assert len(used) == len(set(used))  # a quiz shows each clip once
    shown = set(plan.examples) | ({plan.decoy} if plan.decoy else set())
    assert not shown & set(used)
    kinds = sorted(kind for kind, _a, _b in plan.rounds)
    assert kinds == ["pair", "single", "single", "spot"]
    for kind, a, b in plan.rounds:
        if kind == "spot":
            assert by_id[a].is_generated and CODE in by_id[a].categories
        if kind == "pair":
            assert by_id[a].media_kind == by_id[b].media_kind
            assert by_id[a].is_generated != by_id[b].is_generated


def test_the_checks_single_rounds_are_each_generated_or_real_by_a_coin():
    """Always one generated and one real single would answer the second single for a learner
    who saw the first one's truth. Over many lessons every mix turns up, and a lesson's own
    mix stays the same however often it is planned."""
    seen = set()
    for start in range(0, 40 * 20, 20):
        infos = [ClipInfo(start + i, True, "video", frozenset({CODE})) for i in range(1, 9)]
        infos += [ClipInfo(start + i, False, "video", frozenset({"lens"})) for i in range(9, 17)]
        plan = plan_lesson(CODE, infos)
        by_id = {i.id: i for i in infos}
        singles = tuple(by_id[a].is_generated for kind, a, _b in plan.rounds if kind == "single")
        assert len(singles) == 2
        assert plan == plan_lesson(CODE, infos)
        seen.add(singles)
    assert seen == {(True, True), (True, False), (False, True), (False, False)}


@settings(max_examples=200, deadline=None)
@given(pools(), st.data())
def test_around_an_existing_check_the_examples_avoid_its_clips(infos, data):
    ids = [i.id for i in infos]
    taken = frozenset(data.draw(st.sets(st.sampled_from(ids), max_size=6))) if ids else frozenset()
    plan = resolve_plan(CODE, infos, CheckInfo(quiz_id=7, clip_ids=taken))
    shown = set(plan.examples) | ({plan.decoy} if plan.decoy else set())
    if plan.check_quiz_id == 7:
        assert not shown & taken and len(plan.examples) >= MIN_EXAMPLES
    else:
        # The check no longer fits (too few examples left, or it was empty): a fresh plan.
        assert plan == plan_lesson(CODE, infos)


def test_adding_clips_does_not_change_a_lesson():
    base = [ClipInfo(i, True, "video", frozenset({CODE})) for i in range(1, 6)]
    base += [ClipInfo(i, False, "video", frozenset({"lens"})) for i in range(6, 10)]
    more = base + [ClipInfo(i, True, "video", frozenset({CODE})) for i in range(10, 14)]
    assert plan_lesson(CODE, base).examples == plan_lesson(CODE, more).examples == (1, 2, 3)
