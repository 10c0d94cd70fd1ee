"""Adaptive practice, the pure part: Elo-style ratings, choosing the next round, and the
booster schedule. No Django: quiz.selectors.practice loads what this needs in a fixed number
of queries, quiz.services.practice writes what it decides, bench/practice.py and the unit
tests run it on simulated students.

The model (Pelánek's "Elo for adaptive practice", the usual choice for learning systems): a
student has a skill θ per category, a clip a difficulty b, and the chance of a right answer
is σ(θ − b + offset of the round kind). After each answer both move by K·(outcome − chance),
with K shrinking as they gather answers, so a new student or clip settles fast and an old
one is stable. A clip's difficulty starts from its everyone-scope cell (the prior: what all
students did on it before), so a new student meets sensible difficulties from round one.

Choosing a round:

- the kind: mostly single rounds, some pairs, some spot rounds where the category has a
  spot-ready clip;
- the category: weighted towards the student's weakest (lowest θ; categories with few answers
  get a bonus for being uncertain), with a share spread evenly so no category is forgotten;
  a "Practise <category>" set or a booster puts most rounds in its own category;
- the truth: a single round is generated or real by a fair coin drawn afresh each round,
  whatever came before, and a pair's sides are a fair coin too (quiz.services.practice), so
  the sequence carries no information about the next truth (tests/unit/test_practice_selection);
- the clip: not one of the recent rounds', at the difficulty where this student is right
  about 70 % of the time (b ≈ θ − logit 0.7), picked at random among the few closest so the
  same student does not always meet the same clip.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The pseudo-categories of rounds that carry no tell: camera clips (the student's skill at
# letting real footage pass) and generated clips nobody annotated.
REAL = "real"
UNTAGGED = "untagged"

TARGET_RIGHT = 0.70
TARGET_LOGIT = math.log(TARGET_RIGHT / (1 - TARGET_RIGHT))
# A pair (which of two is generated?) is easier than a single clip; a spot round (where is
# the giveaway?) is harder: offsets on the logit scale, from the demo cohort's rates.
KIND_OFFSET = {"single": 0.0, "feed": 0.0, "pair": 0.6, "spot": -0.8}
KIND_SHARE = {"single": 0.55, "pair": 0.25, "spot": 0.20}
# How strongly the weakest categories are preferred (per unit of θ), the bonus of a category
# with no answers (halved by every few answers), the share spread evenly over all categories,
# and the share of a focused set (a chosen category or a booster) kept for its category.
WEAKNESS = 1.5
UNCERTAINTY_BONUS = 1.0
EXPLORE_SHARE = 0.15
FOCUS_SHARE = 0.7
# How many of the closest clips the pick is drawn from, and how many recent rounds' clips are
# left out.
CLOSEST = 3
RECENT_ROUNDS = 20
# A booster set's rounds and when the boosters fall due after the lesson or assignment.
BOOSTER_ROUNDS = 5
PRACTICE_ROUNDS = 10
BOOSTER_STEPS = (timedelta(days=2), timedelta(days=7), timedelta(days=30))
# A booster counts as kept up when done within this time after it fell due; a booster with
# fewer right than BOOSTER_PASS is repeated (after BOOSTER_RETRY) instead of moving on.
BOOSTER_GRACE = timedelta(days=3)
BOOSTER_PASS = 0.6
BOOSTER_RETRY = timedelta(days=2)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def k_factor(answers: int) -> float:
    """The step of an update: large while a rating has few answers, settling towards 0.2."""
    return 0.2 + 1.0 / (1.0 + 0.1 * answers)


def prior_difficulty(n: int, correct: int) -> float:
    """A clip's starting difficulty from its everyone-scope cell: −logit of its share right,
    smoothed towards one in two (so a clip with few answers starts near 0)."""
    share = (correct + 1) / (n + 2)
    return -math.log(share / (1 - share))


def chance_right(skill: float, difficulty: float, kind: str) -> float:
    return sigmoid(skill - difficulty + KIND_OFFSET.get(kind, 0.0))


@dataclass
class Rating:
    rating: float = 0.0
    answers: int = 0


@dataclass(frozen=True)
class Outcome:
    """One answer as the ratings see it: the categories whose skill it shows (REAL for a
    camera clip alone, UNTAGGED for an unannotated generated clip), the clips it was about,
    the round kind and whether it was right."""

    categories: tuple[str, ...]
    clip_ids: tuple[int, ...]
    kind: str
    correct: bool


def answer_categories(*, kind: str, tells: Iterable[str], any_generated: bool) -> tuple[str, ...]:
    """The categories whose skill an answer shows: the tells of its clips; for a round of one
    camera clip, REAL; for a generated clip without annotations, UNTAGGED."""
    found = tuple(sorted(set(tells)))
    if found:
        return found
    if kind in ("single", "feed") and not any_generated:
        return (REAL,)
    return (UNTAGGED,)


def starting_skill(skills: Mapping[str, Rating]) -> float:
    """Where a category the student has not met yet starts: the mean of their tell skills so
    far (weighted by answers), so a strong student is not served easy clips in every new
    category while its own rating catches up; 0 for a new student."""
    known = [(r.rating, r.answers) for k, r in skills.items() if k != REAL and r.answers]
    total = sum(n for _rating, n in known)
    return sum(rating * n for rating, n in known) / total if total else 0.0


def skill_in(skills: Mapping[str, Rating], category: str) -> Rating:
    """The student's rating in a category, or where it would start."""
    found = skills.get(category)
    if found is not None:
        return found
    return Rating(0.0 if category == REAL else starting_skill(skills), 0)


def rate(
    outcome: Outcome, skills: dict[str, Rating], clips: dict[int, Rating]
) -> tuple[dict[str, Rating], dict[int, Rating]]:
    """Move the student's skills and the clips' difficulties by one answer (in place, and
    returned): the student's skill for the answer is the mean over its categories, its
    difficulty the mean over its clips; every one moves by its own K·(outcome − chance)."""
    cats = [skills.setdefault(c, skill_in(skills, c)) for c in outcome.categories]
    items = [clips.setdefault(c, Rating()) for c in outcome.clip_ids]
    skill = sum(r.rating for r in cats) / len(cats) if cats else 0.0
    difficulty = sum(r.rating for r in items) / len(items) if items else 0.0
    surprise = float(outcome.correct) - chance_right(skill, difficulty, outcome.kind)
    for r in cats:
        r.rating += k_factor(r.answers) * surprise
        r.answers += 1
    for r in items:
        r.rating -= k_factor(r.answers) * surprise
        r.answers += 1
    return skills, clips


# --------------------------------------------------------------------------------------------
# Choosing the next round
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A clip the student may be shown: its truth, the tells annotated on it (empty for a
    camera clip), its difficulty and whether a spot round may show it."""

    clip_id: int
    is_generated: bool
    tells: frozenset[str]
    difficulty: float
    spot_ready: bool = False

    @property
    def category_keys(self) -> frozenset[str]:
        if not self.is_generated:
            return frozenset({REAL})
        return self.tells or frozenset({UNTAGGED})


@dataclass(frozen=True)
class Pick:
    """A chosen round: its kind, its clip (for a pair, the generated one) and, for a pair,
    the camera clip beside it, and the category it practises."""

    kind: str
    clip_id: int
    other_clip_id: int | None
    category: str


@dataclass
class Pool:
    """The candidates by what a round needs: generated clips by category, spot-ready ones by
    category, and the camera clips."""

    generated: dict[str, list[Candidate]] = field(default_factory=dict)
    spot: dict[str, list[Candidate]] = field(default_factory=dict)
    real: list[Candidate] = field(default_factory=list)

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> Pool:
        pool = cls()
        for c in candidates:
            if not c.is_generated:
                pool.real.append(c)
                continue
            for key in c.category_keys:
                pool.generated.setdefault(key, []).append(c)
                if c.spot_ready and key != UNTAGGED:
                    pool.spot.setdefault(key, []).append(c)
        return pool


def category_weights(
    skills: Mapping[str, Rating], keys: Iterable[str], *, focus: str = ""
) -> dict[str, float]:
    """How likely each category is to be practised next (summing to 1): the weakest and the
    least known most, every one a little; a focused set keeps FOCUS_SHARE for its category."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    raw = {}
    for key in keys:
        r = skill_in(skills, key)
        raw[key] = math.exp(-WEAKNESS * r.rating) * (1 + UNCERTAINTY_BONUS / (1 + r.answers / 4))
    total = sum(raw.values())
    weights = {
        k: (1 - EXPLORE_SHARE) * w / total + EXPLORE_SHARE / len(keys) for k, w in raw.items()
    }
    if focus in weights:
        weights = {k: (1 - FOCUS_SHARE) * w for k, w in weights.items()}
        weights[focus] += FOCUS_SHARE
    return weights


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _closest(
    rng: random.Random, candidates: Sequence[Candidate], target: float, recent: frozenset[int]
) -> Candidate:
    """A clip near the target difficulty, not one of the recent rounds' (all of them when
    every one is recent, so the truth's coin is never overruled by a short pool)."""
    fresh = [c for c in candidates if c.clip_id not in recent] or list(candidates)
    fresh.sort(key=lambda c: (abs(c.difficulty - target), c.clip_id))
    return rng.choice(fresh[:CLOSEST])


def target_difficulty(skill: float, kind: str) -> float:
    """The difficulty at which this skill is right TARGET_RIGHT of the time."""
    return skill + KIND_OFFSET.get(kind, 0.0) - TARGET_LOGIT


def choose_round(
    rng: random.Random,
    *,
    pool: Pool,
    skills: Mapping[str, Rating],
    recent: frozenset[int],
    focus: str = "",
    spot_allowed: bool = True,
) -> Pick | None:
    """The next round for this student, or None when the pool cannot make one (no generated
    clip or no camera clip: a practice of one truth would give the answer away)."""
    tells = {k for k in pool.generated if k != UNTAGGED} or set(pool.generated)
    if not pool.real or not tells:
        return None
    kinds = dict(KIND_SHARE)
    spot_keys = set(pool.spot) & tells
    if not spot_allowed or not spot_keys:
        kinds.pop("spot")
    kind = _weighted(rng, kinds)
    keys = spot_keys if kind == "spot" else tells
    # Categories whose clips were all shown lately wait (rather than show a clip again: a
    # clip met in a spot round is known to be generated); all of them when none is fresh.
    groups = pool.spot if kind == "spot" else pool.generated
    fresh = {k for k in keys if any(c.clip_id not in recent for c in groups[k])}
    keys = fresh or keys
    category = _weighted(rng, category_weights(skills, keys, focus=focus))
    skill = skill_in(skills, category).rating
    if kind == "spot":
        clip = _closest(rng, pool.spot[category], target_difficulty(skill, kind), recent)
        return Pick("spot", clip.clip_id, None, category)
    if kind == "pair":
        # The pair's difficulty is its two clips' mean: aim both at the target.
        target = target_difficulty(skill, kind)
        fake = _closest(rng, pool.generated[category], target, recent)
        real = _closest(rng, pool.real, target, recent)
        return Pick("pair", fake.clip_id, real.clip_id, category)
    # A single round: the truth is a fair coin, independent of everything before it.
    if rng.random() < 0.5:
        fake = _closest(rng, pool.generated[category], target_difficulty(skill, kind), recent)
        return Pick("single", fake.clip_id, None, category)
    real_skill = skills.get(REAL, Rating()).rating
    real = _closest(rng, pool.real, target_difficulty(real_skill, kind), recent)
    return Pick("single", real.clip_id, None, REAL)


# --------------------------------------------------------------------------------------------
# Boosters
# --------------------------------------------------------------------------------------------


def booster_first_due(started_at: datetime) -> datetime:
    return started_at + BOOSTER_STEPS[0]


@dataclass(frozen=True)
class BoosterDone:
    """What finishing a booster set does to its plan."""

    step: int  # boosters passed so far (3: the plan is complete)
    due_at: datetime | None  # the next booster's due time; None when complete
    on_time: bool  # done within BOOSTER_GRACE of its due time


def booster_done(
    *,
    started_at: datetime,
    step: int,
    due_at: datetime | None,
    done_at: datetime,
    right: int,
    answered: int,
) -> BoosterDone:
    """The plan after a booster of `answered` rounds with `right` right, done at `done_at`.

    Passed (at least BOOSTER_PASS right): the next step falls due at its time after the
    lesson, but never sooner than BOOSTER_RETRY after this one (a late booster does not make
    the next one due at once). Not passed: the same step again after BOOSTER_RETRY.
    """
    on_time = due_at is None or done_at <= due_at + BOOSTER_GRACE
    if answered == 0 or right / answered < BOOSTER_PASS:
        return BoosterDone(step, done_at + BOOSTER_RETRY, on_time)
    step = min(step + 1, len(BOOSTER_STEPS))
    if step >= len(BOOSTER_STEPS):
        return BoosterDone(step, None, on_time)
    return BoosterDone(
        step, max(started_at + BOOSTER_STEPS[step], done_at + BOOSTER_RETRY), on_time
    )
