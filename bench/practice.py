"""Adaptive practice on simulated students: what the selection does for whom.

    python bench/practice.py                  # three students, 200 rounds each
    python bench/practice.py --rounds 500 --seed 7

Three students play practice sets (10 rounds each, as the site makes them) against the real
selection and rating code (quiz.adaptive: choose_round, rate, the same functions
quiz.services.practice calls), in a library shaped like a school's: 12 generated clips per tell
category (half spot-ready) and 100 camera clips, each with a true difficulty; the selection
starts from priors (the true difficulty blurred, as the everyone-scope cells give it) and
learns the rest from the student's answers, one round behind (practice sets are grown one
round ahead of the student, and ratings move in the fold).

- strong: true skill +1.5 in every category and on camera clips;
- weak_text: +1.0 everywhere but −1.5 at reading text (category "text");
- guessing: answers at random (right half the time; a spot mark hits one time in ten).

Per student: the share of rounds practising each category (the top five, and "text"),
accuracy on single and pair rounds, the spot rate, the share of rounds that show a generated
clip (singles: generated or real; pairs and spot rounds always hold one) and of singles that
are generated, and the order predictors of bench/shortcuts.py (and a 2-back lookup table)
guessing each truth from the truths before it. Ends with name=value lines.

No database: pure Python.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz import adaptive, categories  # noqa: E402

TELLS = [c.code for c in categories.TELLS]
GENERATED_PER_TELL = 12
REAL_CLIPS = 100
SET_ROUNDS = adaptive.PRACTICE_ROUNDS


def _order_predictors() -> dict[str, Callable[[list[int]], int]]:
    spec = importlib.util.spec_from_file_location("bench_shortcuts", ROOT / "bench/shortcuts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.ORDER_PREDICTORS)


@dataclass(frozen=True)
class Student:
    name: str
    skill: Callable[[str], float] | None  # true skill per category; None: guesses

    def right(self, rng: random.Random, kind: str, category: str, difficulty: float) -> bool:
        if self.skill is None:
            return rng.random() < (0.1 if kind == "spot" else 0.5)
        chance = adaptive.chance_right(self.skill(category), difficulty, kind)
        return rng.random() < chance


STUDENTS = (
    Student("strong", lambda _category: 1.5),
    Student("weak_text", lambda category: -1.5 if category == "text" else 1.0),
    Student("guessing", None),
)


def library(rng: random.Random) -> tuple[list[adaptive.Candidate], dict[int, float]]:
    """The candidates as the selection first sees them (prior difficulties), and the clips'
    true difficulties."""
    truth: dict[int, float] = {}
    seen: list[adaptive.Candidate] = []
    clip_id = 0
    for code in TELLS:
        for k in range(GENERATED_PER_TELL):
            clip_id += 1
            truth[clip_id] = rng.gauss(0.0, 0.8)
            seen.append(
                adaptive.Candidate(
                    clip_id,
                    True,
                    frozenset({code}),
                    truth[clip_id] + rng.gauss(0.0, 0.5),
                    spot_ready=k % 2 == 0,
                )
            )
    for _ in range(REAL_CLIPS):
        clip_id += 1
        truth[clip_id] = rng.gauss(0.0, 0.8)
        seen.append(
            adaptive.Candidate(clip_id, False, frozenset(), truth[clip_id] + rng.gauss(0.0, 0.5))
        )
    return seen, truth


@dataclass
class Played:
    pick: adaptive.Pick
    right: bool
    truth: int | None  # the truth a memorising student would predict (None: spot round)


def simulate(student: Student, rounds: int, seed: int) -> list[Played]:
    rng = random.Random(seed)
    seen, true_difficulty = library(rng)
    difficulties = {c.clip_id: adaptive.Rating(c.difficulty, 0) for c in seen}
    generated = {c.clip_id for c in seen if c.is_generated}
    skills: dict[str, adaptive.Rating] = {}
    played: list[Played] = []
    # What the selection saw: the ratings before the latest answer (a set is grown one round
    # ahead of the student, and ratings move in the fold).
    lagged_skills: dict[str, adaptive.Rating] = {}
    lagged_difficulties = copy.deepcopy(difficulties)
    while len(played) < rounds:
        pool = adaptive.Pool.of(
            adaptive.Candidate(
                c.clip_id,
                c.is_generated,
                c.tells,
                lagged_difficulties[c.clip_id].rating,
                c.spot_ready,
            )
            for c in seen
        )
        recent = frozenset(
            pk
            for x in played[-adaptive.RECENT_ROUNDS :]
            for pk in (x.pick.clip_id, x.pick.other_clip_id)
            if pk is not None
        )
        pick = adaptive.choose_round(rng, pool=pool, skills=lagged_skills, recent=recent)
        assert pick is not None
        ids = (pick.clip_id,) if pick.other_clip_id is None else (pick.clip_id, pick.other_clip_id)
        difficulty = sum(true_difficulty[i] for i in ids) / len(ids)
        category = pick.category
        right = student.right(rng, pick.kind, category, difficulty)
        if pick.kind == "single":
            truth: int | None = int(pick.clip_id in generated)
        elif pick.kind == "pair":
            truth = int(rng.random() >= 0.5)  # the pair's sides: a fair coin (practice_grow)
        else:
            truth = None
        tells = [] if category == adaptive.REAL else [category]
        outcome = adaptive.Outcome(
            adaptive.answer_categories(
                kind=pick.kind, tells=tells, any_generated=pick.clip_id in generated
            ),
            ids,
            pick.kind,
            right,
        )
        lagged_skills, lagged_difficulties = copy.deepcopy(skills), copy.deepcopy(difficulties)
        adaptive.rate(outcome, skills, difficulties)
        played.append(Played(pick, right, truth))
    return played


def _rate(played: list[Played]) -> float:
    return sum(p.right for p in played) / len(played) if played else 0.0


def report(student: Student, played: list[Played], predictors: dict) -> dict[str, float]:
    n = len(played)
    practised = Counter(p.pick.category for p in played)
    answered = [p for p in played if p.pick.kind != "spot"]
    spots = [p for p in played if p.pick.kind == "spot"]
    singles = [p for p in played if p.pick.kind == "single"]
    truths = [p.truth for p in played if p.truth is not None]
    shows_generated = sum(1 for p in played if p.pick.kind != "single" or p.truth == 1)
    order = {}
    for name, predictor in predictors.items():
        order[name] = sum(predictor(truths[:k]) == t for k, t in enumerate(truths)) / len(truths)
    table: dict[tuple[int, ...], Counter[int]] = {}
    right = 0
    for k, truth in enumerate(truths):
        seen = table.setdefault(tuple(truths[max(0, k - 2) : k]), Counter())
        right += (seen.most_common(1)[0][0] if seen else 1) == truth
        seen[truth] += 1
    order["two_back_table"] = right / len(truths)
    figures = {
        "accuracy": sum(p.right for p in answered) / len(answered),
        "accuracy_single": sum(p.right for p in singles) / len(singles),
        "accuracy_pair": _rate([p for p in played if p.pick.kind == "pair"]),
        "spot_rate": sum(p.right for p in spots) / len(spots) if spots else 0.0,
        "share_single": len(singles) / n,
        "share_pair": sum(p.pick.kind == "pair" for p in played) / n,
        "share_spot": len(spots) / n,
        "share_generated": shows_generated / n,
        "share_generated_singles": sum(p.truth == 1 for p in singles) / len(singles),
        "share_text": practised["text"] / n,
        "share_real": practised[adaptive.REAL] / n,
        "order_best": max(order.values()),
    }
    print(f"\n== {student.name}: {n} rounds")
    top = ", ".join(f"{k} {v / n:.0%}" for k, v in practised.most_common(6))
    print(f"category share of rounds: {top} (text {practised['text'] / n:.0%})")
    print(
        f"accuracy {figures['accuracy']:.0%} (single {figures['accuracy_single']:.0%}, pair "
        f"{figures['accuracy_pair']:.0%}), spot rate "
        f"{figures['spot_rate']:.0%}; kinds: single {figures['share_single']:.0%}, "
        f"pair {figures['share_pair']:.0%}, spot {figures['share_spot']:.0%}"
    )
    print(
        f"rounds showing a generated clip {figures['share_generated']:.0%}; "
        f"generated singles {figures['share_generated_singles']:.0%}"
    )
    print("order predictors: " + ", ".join(f"{k} {v:.0%}" for k, v in sorted(order.items())))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args(argv)
    predictors = _order_predictors()
    results = {}
    for offset, student in enumerate(STUDENTS):
        played = simulate(student, args.rounds, args.seed + offset)
        results[student.name] = report(student, played, predictors)
    print()
    for name, figures in results.items():
        for key, value in figures.items():
            print(f"{name}_{key}={value:.3f}")
    worst = max(f["order_best"] for f in results.values())
    print(f"worst_order_predictor={worst:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
