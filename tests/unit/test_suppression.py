"""Blocks and complementary suppression (quiz.stats.suppression), on made-up atoms: every
figure the overview could show is a union of whole blocks, and no group of fewer than the
minimum can be singled out by adding and subtracting shown figures."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import numpy as np

from quiz.stats.suppression import build_blocks, hidden_parts, week_of, whole_weeks

MONDAY = date(2026, 3, 2)


def _week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def _class(class_id: int, assignment: int, week: int) -> tuple[str, int, int, date]:
    return ("class", class_id, assignment, _week(week))


def _practice(week: int) -> tuple[str, int, int, date]:
    return ("practice", 0, 0, _week(week))


def _people(first: int, count: int) -> set[int]:
    return set(range(first, first + count))


def test_whole_weeks_run_from_monday_to_sunday():
    assert week_of(date(2026, 3, 4)) == MONDAY  # a Wednesday
    assert week_of(MONDAY) == MONDAY
    assert whole_weeks(date(2026, 3, 4), date(2026, 3, 10)) == (MONDAY, date(2026, 3, 15))
    assert whole_weeks(None, date(2026, 3, 8)) == (None, date(2026, 3, 8))
    assert whole_weeks(None, None) == (None, None)


def test_a_week_of_stragglers_joins_its_neighbour():
    atoms = {
        _class(1, 10, 0): _people(0, 20),
        _class(1, 10, 1): _people(20, 2),  # two stragglers the week after
        _class(1, 11, 3): _people(0, 18),
    }
    blocks = build_blocks(atoms, 5)
    assert blocks.covers(atoms)  # the class, all time
    assert blocks.covers([_class(1, 10, 0), _class(1, 10, 1)])  # the assignment
    assert blocks.covers([_class(1, 11, 3)])  # the other assignment, or its week
    assert not blocks.covers([_class(1, 10, 0)])  # the first week alone: cuts the block
    assert not blocks.covers([_class(1, 10, 1)])


def test_a_small_class_hides_the_smallest_other_class_and_never_the_school():
    atoms = {
        _class(1, 10, 0): _people(0, 20),
        _class(2, 20, 0): _people(100, 8),
        _class(2, 21, 1): _people(100, 8),
        _class(3, 30, 0): _people(200, 4),
    }
    blocks = build_blocks(atoms, 5)
    by_class = {c: [k for k in atoms if k[1] == c] for c in (1, 2, 3)}
    assert blocks.covers(by_class[1])
    assert not blocks.covers(by_class[3])
    assert not blocks.covers(by_class[2])  # the complement: the smallest other class
    assert blocks.covers(atoms)  # the school
    assert not blocks.covers(by_class[1] + by_class[3])  # "selected together" with one hidden
    # The class hidden with it loses one block only: its other assignment still shows.
    assert blocks.covers([_class(2, 21, 1)]) != blocks.covers([_class(2, 20, 0)])


def test_two_small_classes_together_hide_nothing_else():
    atoms = {
        _class(1, 10, 0): _people(0, 20),
        _class(2, 20, 0): _people(100, 3),
        _class(3, 30, 0): _people(200, 3),
    }
    blocks = build_blocks(atoms, 5)
    assert blocks.covers([_class(1, 10, 0)])
    assert not blocks.covers([_class(2, 20, 0)])
    assert not blocks.covers([_class(3, 30, 0)])
    assert blocks.covers([_class(2, 20, 0), _class(3, 30, 0)])
    assert blocks.covers(atoms)


def test_free_practice_by_too_few_students_hides_the_total_itself():
    atoms = {
        _class(1, 10, 0): _people(0, 20),
        _class(2, 20, 0): _people(100, 8),
        _practice(0): {0, 1},
    }
    blocks = build_blocks(atoms, 5)
    assert blocks.covers([_class(1, 10, 0)]) and blocks.covers([_class(2, 20, 0)])
    assert not blocks.covers(atoms)  # the school row
    # With a hidden class to join, free practice hides nothing more.
    atoms[_class(3, 30, 0)] = _people(200, 3)
    blocks = build_blocks(atoms, 5)
    assert blocks.covers(atoms)
    assert blocks.covers([_class(1, 10, 0)])


def test_a_school_of_too_few_students_shows_nothing():
    atoms = {_class(1, 10, 0): {1, 2}, _practice(2): {3}}
    blocks = build_blocks(atoms, 5)
    assert not blocks.covers(atoms)
    assert not blocks.covers([_class(1, 10, 0)])
    assert blocks.covers([])  # no answers: nothing to hide


def test_hidden_parts_adds_the_smallest_other_part():
    parts = {"a": (100, 20), "b": (40, 6), "c": (12, 3), "d": (0, 0)}
    assert hidden_parts(parts, 5) == {"c", "b"}
    assert hidden_parts({"a": (100, 20), "b": (40, 6)}, 5) == set()
    assert hidden_parts({"a": (10, 2), "b": (10, 3)}, 5) == {"a", "b"}


def _figures(atoms: dict, weeks: int) -> list[list]:
    """Every figure the overview can show for these atoms: each class, each class and
    assignment, the classes together, the school; each under every range of weeks."""
    classes = sorted({k[1] for k in atoms if k[0] == "class"})
    assignments = sorted({(k[1], k[2]) for k in atoms if k[0] == "class"})
    groups = [[k for k in atoms if k[0] == "class" and k[1] == c] for c in classes]
    groups += [[k for k in atoms if k[0] == "class" and (k[1], k[2]) == a] for a in assignments]
    for size in range(2, len(classes) + 1):
        for chosen in itertools.combinations(classes, size):
            groups.append([k for k in atoms if k[0] == "class" and k[1] in chosen])
    groups.append(list(atoms))
    found = []
    for group in groups:
        for first in range(weeks):
            for last in range(first, weeks):
                span = {_week(w) for w in range(first, last + 1)}
                found.append([k for k in group if k[3] in span])
        found.append(group)
    return [f for f in found if f]


def test_no_sum_or_difference_of_shown_figures_singles_out_a_small_group():
    """Random schools: whatever is shown, no atom (or class, or week of a class) of fewer than
    the minimum is in the span of the shown figures."""
    rng = random.Random(5)
    minimum = 5
    checked = 0
    for _round in range(40):
        atoms: dict = {}
        weeks = rng.randint(1, 4)
        next_student = 0
        for class_id in range(1, rng.randint(2, 4) + 1):
            roster = _people(next_student, rng.choice([2, 3, 4, 6, 9, 15]))
            next_student += len(roster)
            for assignment in range(rng.randint(1, 3)):
                for week in rng.sample(range(weeks), rng.randint(1, weeks)):
                    played = set(rng.sample(sorted(roster), rng.randint(1, len(roster))))
                    atoms[_class(class_id, class_id * 10 + assignment, week)] = played
        if rng.random() < 0.6:
            for week in rng.sample(range(weeks), rng.randint(1, weeks)):
                atoms[_practice(week)] = set(rng.sample(range(next_student), rng.randint(1, 3)))
        blocks = build_blocks(atoms, minimum)
        keys = sorted(atoms)
        shown = [
            f for f in _figures(atoms, weeks) if _students(atoms, f) >= minimum and blocks.covers(f)
        ]
        if not shown:
            continue
        matrix = np.array([_vector(keys, f) for f in shown])
        rank = np.linalg.matrix_rank(matrix)
        small = [[k] for k in keys]
        small += [[k for k in keys if k[:2] == c] for c in {k[:2] for k in keys}]
        small += [[k for k in keys if k[:2] == c[:2] and k[3] == c[3]] for c in keys]
        for group in small:
            if _students(atoms, group) >= minimum:
                continue
            stacked = np.vstack([matrix, _vector(keys, group)])
            assert np.linalg.matrix_rank(stacked) > rank, (group, atoms)
            checked += 1
    assert checked > 50


def _vector(keys: list, group: list) -> np.ndarray:
    row = np.zeros(len(keys))
    for k in group:
        row[keys.index(k)] = 1
    return row


def _students(atoms: dict, group: list) -> int:
    return len(set().union(*(atoms[k] for k in group)))
