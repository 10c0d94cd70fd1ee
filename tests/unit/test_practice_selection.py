"""Adaptive practice's choice of rounds (quiz.adaptive) and its reads (quiz.selectors.practice):
the sequence never tells the next truth, a student weak in one category gets more of it, the
difficulty follows the skill, the ratings move the right way, the booster ladder, and the
state is read in a fixed number of queries whatever the library's size."""

from __future__ import annotations

import importlib.util
import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import adaptive, categories

ROOT = Path(__file__).resolve().parents[2]
TELLS = [c.code for c in categories.TELLS]


def _order_predictors():
    spec = importlib.util.spec_from_file_location("bench_shortcuts", ROOT / "bench/shortcuts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ORDER_PREDICTORS


ORDER_PREDICTORS = _order_predictors()


def _pool(rng: random.Random, *, per_tell: int, real: int) -> adaptive.Pool:
    candidates = []
    clip_id = 0
    for code in TELLS:
        for _ in range(per_tell):
            clip_id += 1
            candidates.append(
                adaptive.Candidate(
                    clip_id, True, frozenset({code}), rng.gauss(0, 1), spot_ready=rng.random() < 0.5
                )
            )
    for _ in range(real):
        clip_id += 1
        candidates.append(adaptive.Candidate(clip_id, False, frozenset(), rng.gauss(0, 1)))
    return adaptive.Pool.of(candidates)


def _truths(picks: list[adaptive.Pick], generated: set[int], rng: random.Random) -> list[int]:
    """What a student who remembers every truth sees: 1 for a generated single clip or a
    pair with the generated clip on the left (sides by a fair coin, as practice_grow draws
    them); spot rounds say they are generated and are left out (as bench/shortcuts.py does)."""
    truths = []
    for pick in picks:
        if pick.kind == "single":
            truths.append(int(pick.clip_id in generated))
        elif pick.kind == "pair":
            truths.append(int(rng.random() >= 0.5))
    return truths


def _run(
    seed: int, skills: dict[str, adaptive.Rating], rounds: int, *, focus: str = ""
) -> tuple[list[adaptive.Pick], set[int]]:
    rng = random.Random(seed)
    # A school's library: a dozen clips of each tell, so the last rounds' clips can be
    # left out and a category practised often still has fresh ones.
    pool = _pool(rng, per_tell=12, real=100)
    generated = {c.clip_id for group in pool.generated.values() for c in group}
    picks: list[adaptive.Pick] = []
    for _ in range(rounds):
        recent = frozenset(
            pk for p in picks[-adaptive.RECENT_ROUNDS :] for pk in (p.clip_id, p.other_clip_id)
        )
        pick = adaptive.choose_round(rng, pool=pool, skills=skills, recent=recent, focus=focus)
        assert pick is not None
        picks.append(pick)
    return picks, generated


skill_maps = st.dictionaries(
    st.sampled_from([*TELLS, adaptive.REAL]),
    st.builds(
        adaptive.Rating,
        st.floats(-3, 3, allow_nan=False),
        st.integers(0, 200),
    ),
)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), skills=skill_maps)
def test_no_predictor_from_history_beats_chance(seed, skills):
    """Whatever the student's skills, a student who guesses the next truth from the truths so
    far (the shortcut audit's predictors, and the best of a 2-back lookup table learned as
    they go) is right about half the time: at most 60 % over 400 rounds (chance: 50 %, the
    standard error 2.5 points)."""
    picks, generated = _run(seed, skills, 400)
    truths = _truths(picks, generated, random.Random(seed + 1))
    assert len(truths) > 250
    for name, predictor in ORDER_PREDICTORS.items():
        right = sum(predictor(truths[:k]) == t for k, t in enumerate(truths))
        assert right / len(truths) <= 0.60, name
    table: dict[tuple[int, ...], Counter[int]] = {}
    right = 0
    for k, truth in enumerate(truths):
        context = tuple(truths[max(0, k - 2) : k])
        seen = table.setdefault(context, Counter())
        right += (seen.most_common(1)[0][0] if seen else 1) == truth
        seen[truth] += 1
    assert right / len(truths) <= 0.60


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), skills=skill_maps)
def test_singles_are_generated_half_the_time_whatever_the_skills(seed, skills):
    picks, generated = _run(seed, skills, 300)
    singles = [p for p in picks if p.kind == "single"]
    share = sum(p.clip_id in generated for p in singles) / len(singles)
    # 300 rounds hold about 165 singles: 0.5 ± 4 standard errors.
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / len(singles))


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    weak=st.sampled_from(TELLS),
    gap=st.floats(1.5, 3.0),
)
def test_a_student_weak_in_one_category_gets_more_of_it(seed, weak, gap):
    skills = {code: adaptive.Rating(1.0, 40) for code in TELLS}
    skills[weak] = adaptive.Rating(1.0 - gap, 40)
    picks, _generated = _run(seed, skills, 300)
    practised = Counter(p.category for p in picks if p.category != adaptive.REAL)
    share = practised[weak] / sum(practised.values())
    # Evenly it would be 1/12; weaker by 1.5 units of skill gives it about 40 %.
    assert share > 2 / len(TELLS)
    assert practised[weak] == max(practised.values())


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32), focus=st.sampled_from(TELLS))
def test_a_focused_set_practises_its_category_most(seed, focus):
    picks, _generated = _run(seed, {}, 200, focus=focus)
    practised = Counter(p.category for p in picks if p.category != adaptive.REAL)
    # FOCUS_SHARE (70 %) of the choices, a little less once its fresh clips run short.
    assert practised[focus] / sum(practised.values()) > 0.5


def test_difficulty_follows_the_skill():
    rng = random.Random(5)
    pool = _pool(rng, per_tell=30, real=200)
    by_id = {c.clip_id: c for group in pool.generated.values() for c in group}
    by_id.update({c.clip_id: c for c in pool.real})

    def mean_difficulty(skill: float) -> float:
        skills = {code: adaptive.Rating(skill, 50) for code in [*TELLS, adaptive.REAL]}
        picks = [
            adaptive.choose_round(rng, pool=pool, skills=skills, recent=frozenset())
            for _ in range(300)
        ]
        singles = [by_id[p.clip_id].difficulty for p in picks if p and p.kind == "single"]
        return sum(singles) / len(singles)

    weak, strong = mean_difficulty(-1.0), mean_difficulty(1.0)
    assert strong - weak > 1.2
    # Aimed at 70 % right: b ≈ θ − logit(0.7).
    assert mean_difficulty(0.0) == pytest.approx(-adaptive.TARGET_LOGIT, abs=0.3)


def test_recent_clips_are_avoided_while_others_remain():
    rng = random.Random(9)
    pool = _pool(rng, per_tell=6, real=60)
    recent = frozenset(c.clip_id for c in pool.real[:50])
    for _ in range(200):
        pick = adaptive.choose_round(rng, pool=pool, skills={}, recent=recent)
        assert pick.clip_id not in recent and pick.other_clip_id not in recent


def test_a_pool_of_one_truth_makes_no_round():
    only_fake = adaptive.Pool.of([adaptive.Candidate(1, True, frozenset({"text"}), 0.0)])
    assert (
        adaptive.choose_round(random.Random(1), pool=only_fake, skills={}, recent=frozenset())
        is None
    )


@given(
    skill=st.floats(-3, 3),
    difficulty=st.floats(-3, 3),
    n=st.integers(0, 500),
    kind=st.sampled_from(["single", "pair", "spot"]),
    correct=st.booleans(),
)
def test_a_right_answer_raises_skill_and_lowers_difficulty(skill, difficulty, n, kind, correct):
    skills = {"text": adaptive.Rating(skill, n)}
    clips = {7: adaptive.Rating(difficulty, n)}
    adaptive.rate(adaptive.Outcome(("text",), (7,), kind, correct), skills, clips)
    moved = skills["text"].rating - skill
    assert (moved > 0) if correct else (moved < 0)
    assert (clips[7].rating < difficulty) if correct else (clips[7].rating > difficulty)
    assert skills["text"].answers == n + 1 and clips[7].answers == n + 1


def test_ratings_converge_on_a_simulated_student():
    rng = random.Random(3)
    skills: dict[str, adaptive.Rating] = {}
    clips: dict[int, adaptive.Rating] = {}
    for _ in range(400):
        clip = rng.randrange(40)
        right = rng.random() < adaptive.sigmoid(1.0 - 0.0)
        adaptive.rate(adaptive.Outcome(("text",), (clip,), "single", right), skills, clips)
    assert skills["text"].rating == pytest.approx(1.0, abs=0.5)


def test_priors_are_smoothed_towards_even():
    assert adaptive.prior_difficulty(0, 0) == 0
    assert adaptive.prior_difficulty(100, 90) < -1.5
    assert adaptive.prior_difficulty(100, 10) > 1.5


def test_answer_categories():
    assert adaptive.answer_categories(kind="single", tells=[], any_generated=False) == ("real",)
    assert adaptive.answer_categories(kind="single", tells=[], any_generated=True) == ("untagged",)
    assert adaptive.answer_categories(kind="pair", tells=["text", "count"], any_generated=True) == (
        "count",
        "text",
    )


START = datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_boosters_fall_due_after_two_days_a_week_and_a_month():
    due = adaptive.booster_first_due(START)
    assert due == START + timedelta(days=2)
    step, done_at = 0, due
    seen = []
    while due is not None:
        done = adaptive.booster_done(
            started_at=START, step=step, due_at=due, done_at=done_at, right=4, answered=5
        )
        assert done.on_time
        seen.append(due - START)
        step, due, done_at = done.step, done.due_at, done.due_at
    assert seen == [timedelta(days=2), timedelta(days=7), timedelta(days=30)]
    assert step == 3


def test_a_failed_booster_comes_back_and_a_late_one_counts_as_late():
    due = START + timedelta(days=2)
    failed = adaptive.booster_done(
        started_at=START, step=0, due_at=due, done_at=due, right=2, answered=5
    )
    assert failed.step == 0 and failed.due_at == due + adaptive.BOOSTER_RETRY
    late = adaptive.booster_done(
        started_at=START,
        step=1,
        due_at=START + timedelta(days=7),
        done_at=START + timedelta(days=20),
        right=5,
        answered=5,
    )
    assert not late.on_time and late.step == 2
    assert late.due_at == START + timedelta(days=30)


# --- the reads: a fixed number of queries ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("clips", [4, 40])
def test_the_state_is_read_in_a_fixed_number_of_queries(django_assert_num_queries, clips):
    from accounts.models import User
    from quiz.models import Artifact, Clip, ClipRating, SkillRating
    from quiz.selectors import practice

    student = User.objects.create_user("s", password="x", role="student")
    for i in range(clips):
        clip = Clip.objects.create(
            media_kind="video", status="ready", is_generated=i % 2 == 0, key=f"c{i}"
        )
        if clip.is_generated:
            Artifact.objects.create(
                clip=clip,
                category=TELLS[i % len(TELLS)],
                box_x=0.1,
                box_y=0.1,
                box_w=0.2,
                box_h=0.2,
                explanation="x",
            )
        ClipRating.objects.create(clip=clip, rating=0.1 * i, answers=i)
    SkillRating.objects.create(user=student, category="text", rating=-1, answers=3)
    with django_assert_num_queries(practice.STATE_QUERIES):
        state = practice.practice_state(student)
    assert len(state.pool.real) == clips // 2
    assert state.skills["text"].rating == -1


def test_the_rating_queue_statement_runs_on_sqlite_too():
    """`make run` folds on SQLite: the queue's INSERT … SELECT … ON CONFLICT must parse there
    and take an answer queued twice once."""
    import sqlite3

    from quiz.services.practice import QUEUE_SQL

    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE pending (answer_id INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE batch (id INTEGER)")
    db.executemany("INSERT INTO batch VALUES (?)", [(1,), (2,)])
    db.execute("INSERT INTO pending VALUES (1)")
    db.execute(QUEUE_SQL.format(pending="pending", batch="batch"))
    assert [row[0] for row in db.execute("SELECT answer_id FROM pending ORDER BY 1")] == [1, 2]
