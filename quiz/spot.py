"""Spot rounds ("Where is the giveaway?"): grading a mark against the annotated artifacts,
and saying in plain words where a missed giveaway was. Pure: no database.

A mark is a point in the frame in per mille of its width and height (from the left and the
top) and, for a video, a moment in milliseconds. METRICS.md defines a **spot hit**: the point
lies inside an annotated artifact's box enlarged by 5 % of the frame's shorter side on each
edge and, for a video, the moment lies inside the artifact's time range widened by 0.5 s on
each side. Edges count as inside.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# METRICS.md: the box grows by this share of the frame's shorter side on each edge, and the
# time range by this many seconds on each side.
BOX_MARGIN_OF_SHORTER_SIDE = 0.05
TIME_MARGIN_S = 0.5
# The mark's resolution: per mille of the frame.
SCALE = 1000
# Floating point slack at the edges: a mark exactly on an edge is inside.
_EPSILON = 1e-9
# The keyboard's grid (8 x 8 cells): the crosshair steps between cell centres.
GRID = 8
# A giveaway whose box covers this share of the frame or more has no place to find (a
# credential that no longer matches the file, a filter over everything): any mark would hit
# it, so a clip with one is not shown in spot rounds (quiz.selectors.builder.spot_ready_clips).
WHOLE_FRAME_SHARE = 0.9


def has_a_place(w: float, h: float) -> bool:
    """Whether a giveaway's box (its width and height as fractions of the frame) leaves room
    to miss it: a spot round asks where it is."""
    return w * h < WHOLE_FRAME_SHARE


@dataclass(frozen=True)
class Mark:
    """Where (per mille of the frame) and, for a video, when (ms) the learner marked."""

    x: int
    y: int
    ms: int | None = None

    @property
    def fx(self) -> float:
        return self.x / SCALE

    @property
    def fy(self) -> float:
        return self.y / SCALE

    @property
    def seconds(self) -> float | None:
        return None if self.ms is None else self.ms / 1000


@dataclass(frozen=True)
class Region:
    """An artifact's box (fractions 0..1 of the frame) and time range in seconds (None: from
    the start, or to the end; both None for an image or a giveaway that lasts the clip)."""

    x: float
    y: float
    w: float
    h: float
    start_s: float | None = None
    end_s: float | None = None


def margins(width: int | None, height: int | None) -> tuple[float, float]:
    """The enlargement of a box on each edge as fractions of the frame's width and height:
    5 % of the shorter side in pixels, so the same on both axes of a wide frame. A frame of
    unknown size is taken as square."""
    if not width or not height:
        return BOX_MARGIN_OF_SHORTER_SIDE, BOX_MARGIN_OF_SHORTER_SIDE
    pixels = BOX_MARGIN_OF_SHORTER_SIDE * min(width, height)
    return pixels / width, pixels / height


def inside_box(mark: Mark, region: Region, *, width: int | None, height: int | None) -> bool:
    mx, my = margins(width, height)
    return (
        region.x - mx - _EPSILON <= mark.fx <= region.x + region.w + mx + _EPSILON
        and region.y - my - _EPSILON <= mark.fy <= region.y + region.h + my + _EPSILON
    )


def inside_time(mark: Mark, region: Region) -> bool:
    """The moment lies in the widened range; an image's mark (no moment) needs none."""
    seconds = mark.seconds
    if seconds is None:
        return True
    if region.start_s is not None and seconds < region.start_s - TIME_MARGIN_S - _EPSILON:
        return False
    return not (region.end_s is not None and seconds > region.end_s + TIME_MARGIN_S + _EPSILON)


def is_hit(mark: Mark, regions: Iterable[Region], *, width: int | None, height: int | None) -> bool:
    """A spot hit: the mark lies on (the enlarged box and the widened time of) any region."""
    return any(
        inside_box(mark, r, width=width, height=height) and inside_time(mark, r) for r in regions
    )


# --- Saying where the giveaway was (feedback on a miss) -------------------------------------


@dataclass(frozen=True)
class Offset:
    """Where the nearest giveaway was, seen from the mark.

    `seconds`: how far the moment was outside the artifact's own range (negative: too early,
    positive: too late, 0: inside it or an image). `dx`, `dy`: the gap from the mark to the
    artifact's own box as fractions of the frame (positive: the giveaway is to the right of
    / below the mark; 0: the mark is level with the box on that axis)."""

    index: int
    seconds: float
    dx: float
    dy: float

    @property
    def on_box(self) -> bool:
        return self.dx == 0 and self.dy == 0


def _gap(value: float, low: float, high: float) -> float:
    if value < low:
        return low - value
    if value > high:
        return high - value
    return 0.0


def offset(mark: Mark, region: Region, index: int = 0) -> Offset:
    seconds = 0.0
    at = mark.seconds
    if at is not None:
        if region.start_s is not None and at < region.start_s:
            seconds = at - region.start_s
        elif region.end_s is not None and at > region.end_s:
            seconds = at - region.end_s
    return Offset(
        index,
        round(seconds, 3),
        round(_gap(mark.fx, region.x, region.x + region.w), 6),
        round(_gap(mark.fy, region.y, region.y + region.h), 6),
    )


# How much one second off counts against one frame-width off when choosing the nearest
# giveaway: a mark 1 s away is as far as one a fifth of the frame away.
_SECONDS_PER_FRAME = 5.0


def nearest(mark: Mark, regions: Sequence[Region]) -> Offset | None:
    """The region nearest the mark in place and time together, as an Offset (None: no
    region)."""
    best: tuple[float, Offset] | None = None
    for index, region in enumerate(regions):
        found = offset(mark, region, index)
        distance = (found.dx**2 + found.dy**2) ** 0.5 + abs(found.seconds) / _SECONDS_PER_FRAME
        if best is None or distance < best[0]:
            best = (distance, found)
    return None if best is None else best[1]


# Beyond this share of the frame the giveaway is "far" to one side, below it "a little".
FAR = 0.15


def direction(found: Offset) -> tuple[str, str]:
    """(degree, side) of where the giveaway was from the mark: degree "" (on it), "little" or
    "far"; side one of "", "left", "right", "up", "down", "up_left", "up_right",
    "down_left", "down_right". The template turns these into words."""
    if found.on_box:
        return "", ""
    vertical = "up" if found.dy < 0 else "down" if found.dy > 0 else ""
    horizontal = "left" if found.dx < 0 else "right" if found.dx > 0 else ""
    side = "_".join(part for part in (vertical, horizontal) if part)
    degree = "far" if max(abs(found.dx), abs(found.dy)) > FAR else "little"
    return degree, side


def grid_centre(column: int, row: int) -> tuple[int, int]:
    """The mark (per mille) at the centre of a cell of the keyboard's 8 x 8 grid (0-based,
    from the top left): what the page without JavaScript submits."""
    if not (0 <= column < GRID and 0 <= row < GRID):
        raise ValueError("no such cell")
    step = SCALE // GRID
    return column * step + step // 2, row * step + step // 2


# --- Example marks (simulated students: the demo cohort, benches, tests) --------------------


def centre_of(region: Region, *, video: bool) -> Mark:
    """A mark in the middle of a region, at the middle of its time (a sure hit)."""
    ms = None
    if video:
        start = region.start_s or 0.0
        end = region.end_s if region.end_s is not None else start
        ms = round((start + end) / 2 * 1000)
    return Mark(
        round((region.x + region.w / 2) * SCALE), round((region.y + region.h / 2) * SCALE), ms
    )


def away_from(
    regions: Sequence[Region], *, width: int | None, height: int | None, video: bool
) -> Mark:
    """A mark no region is near: the centre of the keyboard grid's square farthest from them
    all, at the moment of the first (so only the place misses). Raises ValueError when every
    square is a hit."""
    ms = centre_of(regions[0], video=video).ms if regions else (0 if video else None)
    misses = [
        Mark(*grid_centre(column, row), ms)
        for row in range(GRID)
        for column in range(GRID)
        if not is_hit(Mark(*grid_centre(column, row), ms), regions, width=width, height=height)
    ]
    if not misses:
        raise ValueError("every square of the frame is near a giveaway")

    def distance(mark: Mark) -> float:
        gaps = [offset(mark, r) for r in regions]
        return min((g.dx**2 + g.dy**2) ** 0.5 for g in gaps) if gaps else 0.0

    return max(misses, key=distance)
