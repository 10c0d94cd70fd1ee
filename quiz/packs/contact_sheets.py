"""Contact sheets of a pack: every item at a glance, with its annotated artifacts outlined.

For checking a pack by eye (issue 10): does each box sit on its giveaway, at the right time?
Each item is one row: a caption (key, real or generated, generator, artifact categories),
then six frames evenly spaced over a video (one moved into any artifact too short for them
to catch; an image once), each with its time and the box of
every artifact whose time range contains it (an image: every artifact). Generated and real
items go on separate sheets, ITEMS_PER_SHEET rows each, written as PNG files:
generated-01.png, generated-02.png, ..., real-01.png, ...

Pure media code (PyAV through quiz.media.encode, Pillow, numpy); no models, no database.
`python manage.py demo_contact_sheets OUT` runs it on the demo pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from quiz.media.encode import iter_video_frames

FRAMES_PER_VIDEO = 6
ITEMS_PER_SHEET = 6
# Each frame is fitted inside a cell of this size (aspect kept, top-left aligned).
TILE_W, TILE_H = 192, 128
GAP = 4
MARGIN = 8
CAPTION_H = 16
TIME_H = 12
ROW_H = CAPTION_H + TILE_H + TIME_H + GAP
SHEET_W = 2 * MARGIN + FRAMES_PER_VIDEO * TILE_W + (FRAMES_PER_VIDEO - 1) * GAP
BOX_COLOUR = (255, 0, 255)
BOX_WIDTH = 2
BACKGROUND = (255, 255, 255)
TEXT = (0, 0, 0)


def tile_origin(row: int, col: int) -> tuple[int, int]:
    """The top-left pixel of a frame's cell on its sheet (row and column from 0)."""
    return MARGIN + col * (TILE_W + GAP), MARGIN + row * ROW_H + CAPTION_H


def sample_times(duration: float, count: int = FRAMES_PER_VIDEO) -> list[float]:
    """`count` times evenly spaced over a clip: the middles of `count` equal slices."""
    return [duration * (k + 0.5) / count for k in range(count)]


def frame_times(duration: float, artifacts: Sequence[dict[str, Any]]) -> list[float]:
    """Evenly spaced times, except that an artifact no such time falls in (a cut, a short
    glitch) gets its middle shown instead of the nearest time not already moved."""
    times = sample_times(duration)
    moved: set[int] = set()
    for artifact in artifacts:
        start, end = artifact.get("start_s"), artifact.get("end_s")
        if start is None or end is None or any(start <= t <= end for t in times):
            continue
        middle = (start + end) / 2
        free = [k for k in range(len(times)) if k not in moved]
        if not free:
            break
        k = min(free, key=lambda k: abs(times[k] - middle))
        times[k] = middle
        moved.add(k)
    return sorted(times)


def item_frames(root: Path, item: dict[str, Any]) -> list[tuple[float | None, np.ndarray]]:
    """(time in seconds, RGB) of the frames shown: the image once (time None), or the video
    frames nearest to evenly spaced times."""
    path = root / item["file"]
    if item.get("media_kind") != "video":
        with Image.open(path) as image:
            return [(None, np.asarray(image.convert("RGB")))]
    frames = list(iter_video_frames(path))
    if not frames:
        return []
    duration = float(item.get("duration_s") or frames[-1][0])
    times = np.array([t for t, _ in frames])
    picked = []
    for target in frame_times(duration, item.get("artifacts") or ()):
        index = int(np.abs(times - target).argmin())
        picked.append(frames[index])
    return picked


def _visible(artifact: dict[str, Any], t: float | None) -> bool:
    if t is None:
        return True
    start, end = artifact.get("start_s"), artifact.get("end_s")
    return (start is None or t >= start) and (end is None or t <= end)


def render_tile(rgb: np.ndarray, artifacts: Sequence[dict[str, Any]], t: float | None):
    """The frame fitted to the cell, with the boxes of the artifacts visible at `t`."""
    image = Image.fromarray(rgb)
    scale = min(TILE_W / image.width, TILE_H / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    image = image.resize(size, Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    for artifact in artifacts:
        box = artifact.get("box")
        if not box or not _visible(artifact, t):
            continue
        x, y, w, h = box
        left, top = round(x * size[0]), round(y * size[1])
        right = min(size[0] - 1, round((x + w) * size[0]))
        bottom = min(size[1] - 1, round((y + h) * size[1]))
        draw.rectangle((left, top, right, bottom), outline=BOX_COLOUR, width=BOX_WIDTH)
    return image


def caption(item: dict[str, Any]) -> str:
    categories = sorted({a["category"] for a in item.get("artifacts") or ()})
    truth = "generated" if item.get("is_generated") else "real"
    parts = [item["key"], truth, item.get("generator") or "-", ", ".join(categories) or "-"]
    return " | ".join(parts)


def render_sheet(root: Path, items: Sequence[dict[str, Any]]) -> Image.Image:
    """One sheet: a row for each item."""
    font = ImageFont.load_default(size=12)
    small = ImageFont.load_default(size=10)
    height = 2 * MARGIN + len(items) * ROW_H
    sheet = Image.new("RGB", (SHEET_W, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for row, item in enumerate(items):
        x0, y0 = tile_origin(row, 0)
        draw.text((x0, y0 - CAPTION_H + 1), caption(item), fill=TEXT, font=font)
        artifacts = item.get("artifacts") or ()
        for col, (t, rgb) in enumerate(item_frames(root, item)[:FRAMES_PER_VIDEO]):
            x, y = tile_origin(row, col)
            tile = render_tile(rgb, artifacts, t)
            sheet.paste(tile, (x, y))
            label = "image" if t is None else f"{t:.2f} s"
            draw.text((x, y + tile.height + 1), label, fill=TEXT, font=small)
    return sheet


def write_contact_sheets(root: Path, items: Sequence[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Write the generated items' sheets, then the real items'; return the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, generated in (("generated", True), ("real", False)):
        group = [item for item in items if bool(item.get("is_generated")) == generated]
        for number, start in enumerate(range(0, len(group), ITEMS_PER_SHEET), start=1):
            path = out_dir / f"{name}-{number:02d}.png"
            render_sheet(root, group[start : start + ITEMS_PER_SHEET]).save(path, optimize=True)
            written.append(path)
    return written
