"""Small groups that stay hidden however figures are combined (METRICS.md "Small groups").

An educator can read many figures (rows of a page, the same rows under other filters, other
pages, the exports, the "everyone" row) and add or subtract them. Hiding each figure of fewer
than STATS_MIN_GROUP students is not enough: the school row minus the shown classes is the
hidden class. Two tools keep every group an educator can single out at STATS_MIN_GROUP
students or more.

Blocks (the overview and its exports, under any filter). Every figure of the overview is a
sum of atoms: the answers of one class to one assignment in one week (school-local, Monday to
Sunday; educators' date filters work in whole weeks), or the school's free practice in one
week. The atoms are grouped into blocks of at least STATS_MIN_GROUP distinct students, the
same blocks whatever the filters. A figure is shown only when it holds every atom of each
block it touches. Whatever an educator adds or subtracts, a group of answers they can single
out is then a union of whole blocks, so it has at least STATS_MIN_GROUP students. A block that
cannot reach that size hides every figure that touches it.

How atoms are grouped, so that the usual views stay visible:

1. within one class and assignment, a week of too few students joins its smaller neighbouring
   week (a date range then loses only the class rows it cuts a block in two with);
2. within one class, assignments of too few students are pooled, smallest first, and what is
   left joins the class's smallest block (filtering by that quiz then hides the class);
3. within the school, classes of too few students, and free practice by too few students, are
   pooled, smallest first; what is left joins a pooled block if there is one, else the smallest
   block of the smallest other class (which is then hidden with it: complementary
   suppression); free practice that can join nothing hides the school's own row (the total
   itself), and "the selected classes together" is hidden whenever it holds part of a block.

Parts of a total (the drill-downs): `hidden_parts` hides the parts below the minimum and, when
there is one, the smallest other part with them, so that the total (shown somewhere) minus the
shown parts is never a small group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# An atom: ("class", class id, assignment id, week) or ("practice", 0, 0, week); a week is the
# date of its Monday.
AtomKey = tuple[str, int, int, date]


def week_of(day: date) -> date:
    """The Monday of the (Monday to Sunday) week a day falls in."""
    return day - timedelta(days=day.weekday())


def whole_weeks(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """A date range widened to whole weeks: from a Monday to a Sunday."""
    if start is not None:
        start = week_of(start)
    if end is not None:
        end = week_of(end) + timedelta(days=6)
    return start, end


@dataclass
class _Chunk:
    atoms: list[AtomKey]
    students: set[int] = field(default_factory=set)

    @property
    def size(self) -> int:
        return len(self.students)

    @property
    def order(self) -> AtomKey:
        return min(self.atoms)

    def merged(self, other: _Chunk) -> _Chunk:
        return _Chunk(self.atoms + other.atoms, self.students | other.students)


def _by_size(chunk: _Chunk) -> tuple[int, AtomKey]:
    return chunk.size, chunk.order


def _runs(keys: list[AtomKey], students: Mapping[AtomKey, set[int]], minimum: int) -> list[_Chunk]:
    """Atoms in week order joined into runs of consecutive weeks: while a run is too small,
    the smallest joins its smaller neighbour. One run is left when all are too few."""
    chunks = [_Chunk([key], set(students[key])) for key in keys]
    while len(chunks) > 1:
        small = [i for i, chunk in enumerate(chunks) if chunk.size < minimum]
        if not small:
            break
        i = min(small, key=lambda i: (chunks[i].size, i))
        j = min(
            (j for j in (i - 1, i + 1) if 0 <= j < len(chunks)), key=lambda j: (chunks[j].size, j)
        )
        first, second = sorted((i, j))
        chunks[first] = chunks[first].merged(chunks[second])
        del chunks[second]
    return chunks


def _pool(chunks: list[_Chunk], minimum: int) -> tuple[list[_Chunk], _Chunk | None]:
    """Small chunks pooled, smallest first, into chunks of at least `minimum` students; and
    what is left over (too small), if anything."""
    formed: list[_Chunk] = []
    current: _Chunk | None = None
    for chunk in sorted(chunks, key=_by_size):
        current = chunk if current is None else current.merged(chunk)
        if current.size >= minimum:
            formed.append(current)
            current = None
    return formed, current


class Blocks:
    """Which block each atom is in, and which blocks are too small to show at all."""

    def __init__(self, chunks: Iterable[_Chunk], minimum: int) -> None:
        self.block_of: dict[AtomKey, int] = {}
        self.sizes: dict[int, int] = {}
        self.too_small: set[int] = set()
        for number, chunk in enumerate(chunks):
            for key in chunk.atoms:
                self.block_of[key] = number
            self.sizes[number] = len(chunk.atoms)
            if chunk.size < minimum:
                self.too_small.add(number)

    def covers(self, keys: Iterable[AtomKey]) -> bool:
        """Whether a figure of exactly these atoms holds whole blocks only, none too small
        (an atom outside every block, unknown to the blocks, is never shown)."""
        touched = Counter(self.block_of.get(key, -1) for key in keys)
        return all(
            block != -1 and block not in self.too_small and n == self.sizes[block]
            for block, n in touched.items()
        )


def build_blocks(students: Mapping[AtomKey, set[int]], minimum: int) -> Blocks:
    """The blocks of one school's atoms (each atom with its distinct students)."""
    per_assignment: dict[tuple[int, int], list[AtomKey]] = {}
    practice: list[AtomKey] = []
    for key in students:
        if key[0] == "practice":
            practice.append(key)
        else:
            per_assignment.setdefault((key[1], key[2]), []).append(key)

    # 1 and 2: each class on its own.
    classes: dict[int, list[_Chunk]] = {}
    small_classes: list[_Chunk] = []
    for (class_id, _assignment), keys in sorted(per_assignment.items()):
        classes.setdefault(class_id, []).extend(_runs(sorted(keys), students, minimum))
    for class_id, chunks in list(classes.items()):
        big = [c for c in chunks if c.size >= minimum]
        formed, left = _pool([c for c in chunks if c.size < minimum], minimum)
        big += formed
        if left is not None and big:
            target = min(big, key=_by_size)
            big[big.index(target)] = target.merged(left)
            left = None
        if left is not None:  # the whole class is too small
            small_classes.append(left)
            del classes[class_id]
        else:
            classes[class_id] = big

    # 3: the school.
    practice_runs = _runs(sorted(practice), students, minimum)
    if len(practice_runs) == 1 and practice_runs[0].size < minimum:
        small_classes.append(practice_runs.pop())
    pooled, left = _pool(small_classes, minimum)
    if left is not None and pooled:
        target = min(pooled, key=_by_size)
        pooled[pooled.index(target)] = target.merged(left)
        left = None
    if left is not None and any(key[0] == "class" for key in left.atoms):
        if classes:
            smallest = min(
                classes,
                key=lambda c: (len(set().union(*(x.students for x in classes[c]))), c),
            )
            chunks = classes[smallest]
            target = min(chunks, key=_by_size)
            chunks[chunks.index(target)] = target.merged(left)
            left = None
        elif practice_runs:
            target = min(practice_runs, key=_by_size)
            practice_runs[practice_runs.index(target)] = target.merged(left)
            left = None
    everything = [c for chunks in classes.values() for c in chunks]
    everything += pooled + practice_runs + ([left] if left is not None else [])
    return Blocks(everything, minimum)


def hidden_parts[K: Hashable](parts: Mapping[K, tuple[int, int]], minimum: int) -> set[K]:
    """The parts to hide of a set of parts (key: (answers, students)) whose total an
    educator can read: those with answers from fewer than `minimum` students and, when there
    is any, the smallest other part with them (complementary suppression), so that the total
    minus the shown parts holds at least `minimum` students."""
    hidden = {key for key, (n, students) in parts.items() if n and students < minimum}
    if hidden:
        others = [key for key, (n, _students) in parts.items() if n and key not in hidden]
        if others:
            hidden.add(min(others, key=lambda key: (parts[key][1], parts[key][0], str(key))))
    return hidden
