"""A finished demo build's fingerprint, recorded in DEMO_FINGERPRINT.json and compared by
tests/unit/test_synth.py and `python -m quiz.packs.synth`.

Why not one digest over the bytes: the pack is deterministic on one machine, but its bytes
are not the same on another. numpy's SIMD level makes no difference (a build limited to its
baseline gave the same bytes); x264's CPU-specific routines do (the same frames encoded with
its asm switched off give other bytes; some of those routines use approximate float
instructions such as rcpps, whose results differ between CPU makers), and one different
rounding changes every later byte of a clip and its rate control.

What is compared instead, so that a refactoring or a library upgrade still cannot change the
pack unnoticed:

- manifest.json exactly (keys, texts, boxes, times, credentials: nothing there depends on
  the CPU; MANIFEST_VOLATILE lists fields that would, and is empty);
- per media file, exactly: width, height, and for videos the frame count and duration;
- per media file, within a tolerance: the decoded picture. Its luma plane (taken straight
  from the decoder, without a colour conversion that could itself vary) is reduced to
  GRID cells of integer means, at a few fixed frames (evenly spaced, plus the middle of every
  annotated tell, so each tell is in the fingerprint), and every frame's overall mean luma.
  Encoder noise moves a cell by a level or a few; a small visible change (a 20x20 patch)
  moves one by more than twice MAX_TOLERANCE.

Not covered, as before: originals/ and ca/ (a fresh CA with random keys every build; what the
credentials say is in the manifest). Re-record after a deliberate change with
`python -m quiz.packs.synth --record`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

FINGERPRINT_FILE = Path(__file__).with_name("DEMO_FINGERPRINT.json")

# Cells of a sampled frame's luma thumbnail: columns x rows (16x15 px of a 512x272 video).
GRID = (32, 18)
# The same for a picture (10x10 px of a 600x400 JPEG): finer, as there are only a few.
IMAGE_GRID = (60, 40)
# Frames sampled evenly from first to last, besides the middle of every tell.
EVEN_SAMPLES = 5
# Per sampled frame, in luma levels (0..255): the largest mean absolute difference over all
# cells, and the largest difference in one cell; and per frame of a video, of its overall
# mean luma. Measured on this pack: a whole build whose x264 ran without its asm (other
# rounding, as on another CPU) differed by at most 0.39 mean, 4 in one cell and 0.3 in a
# frame's mean; every file decoded, given +-1 noise and encoded again at 380 instead of 420
# kbit/s, by 1.22, 3 and 1.2. A 20x20 patch 40 levels brighter moves one cell by about 30.
MEAN_TOLERANCE = 2.0
MAX_TOLERANCE = 12
FRAME_MEAN_TOLERANCE = 2.0
# Items whose frames go through a starved encode before delivery: the encoder's rounding
# differences grow there into different blocks (measured without asm: 2.83 mean, 17 in one
# cell, 0.5 in a frame's mean).
NOISY_ITEMS = {"demo-street-low-bitrate": (5.0, 32)}
# Manifest fields (of an item) that legitimately differ between machines: none so far.
MANIFEST_VOLATILE: frozenset[str] = frozenset()


def cell_means(plane: np.ndarray, grid: tuple[int, int] = GRID) -> np.ndarray:
    """A HxW uint8 plane as grid cells (rows x columns) of rounded integer means."""
    h, w = plane.shape
    ys = np.linspace(0, h, grid[1] + 1).round().astype(int)
    xs = np.linspace(0, w, grid[0] + 1).round().astype(int)
    sums = np.add.reduceat(np.add.reduceat(plane.astype(np.int64), ys[:-1], 0), xs[:-1], 1)
    counts = np.outer(np.diff(ys), np.diff(xs))
    return ((2 * sums + counts) // (2 * counts)).astype(np.uint8)


def _video_lumas(path: Path) -> tuple[list[np.ndarray], float]:
    """Every decoded frame's luma plane, and the stream's duration in seconds."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        planes = []
        for frame in container.decode(stream):
            y = frame.planes[0]
            rows = np.frombuffer(y, np.uint8).reshape(frame.height, y.line_size)
            planes.append(rows[:, : frame.width].copy())
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
    return planes, round(duration, 4)


def _image_luma(path: Path) -> np.ndarray:
    """A JPEG's luma plane as decoded, without converting to RGB and back."""
    with Image.open(path) as image:
        image.draft("YCbCr", image.size)
        return np.asarray(image.convert("YCbCr"))[:, :, 0].copy()


def sample_frames(item: dict[str, Any], frame_count: int, fps: int = 25) -> list[int]:
    """Evenly spaced frames and the middle frame of every tell that has a time range."""
    last = frame_count - 1
    picks = {round(k * last / (EVEN_SAMPLES - 1)) for k in range(EVEN_SAMPLES)}
    for artifact in item.get("artifacts", []):
        if artifact.get("start_s") is not None:
            middle = (artifact["start_s"] + artifact["end_s"]) / 2
            picks.add(min(last, int(middle * fps)))
    return sorted(picks)


def _thumb(plane: np.ndarray, grid: tuple[int, int] = GRID) -> list[str]:
    """A luma plane's cells as one hex string per row (compact, and it reads like a picture)."""
    return [bytes(row).hex() for row in cell_means(plane, grid)]


def media_fingerprint(path: Path, item: dict[str, Any]) -> dict[str, Any]:
    """The fingerprint of one media file; item (its manifest entry) chooses the frames."""
    path = Path(path)
    if path.suffix == ".jpg":
        plane = _image_luma(path)
        h, w = plane.shape
        return {"width": w, "height": h, "samples": {"0": _thumb(plane, IMAGE_GRID)}}
    planes, duration = _video_lumas(path)
    h, w = planes[0].shape
    return {
        "width": w,
        "height": h,
        "frames": len(planes),
        "duration_s": duration,
        "frame_means": [round(float(p.mean()), 1) for p in planes],
        "samples": {str(i): _thumb(planes[i]) for i in sample_frames(item, len(planes))},
    }


def pack_fingerprint(folder: Path) -> dict[str, Any]:
    """The fingerprint of a finished build in folder: its manifest and every media file's."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {
        "manifest": manifest,
        "media": {i["file"]: media_fingerprint(folder / i["file"], i) for i in manifest["items"]},
    }


# A JSON list of numbers only, as json.dumps(indent=...) spreads it over one line per number.
_NUMBER_LIST = re.compile(r"\[(?:\s*-?[\d.eE+-]+\s*,)*\s*-?[\d.eE+-]+\s*\]")


def write_fingerprint(fingerprint: dict[str, Any], path: Path = FINGERPRINT_FILE) -> None:
    """Write fingerprint as indented JSON, with each list of numbers on one line."""
    text = json.dumps(fingerprint, indent=1, ensure_ascii=False)
    text = _NUMBER_LIST.sub(lambda m: json.dumps(json.loads(m.group())), text)
    path.write_text(text + "\n", encoding="utf-8")


def recorded_fingerprint(path: Path = FINGERPRINT_FILE) -> dict[str, Any]:
    """The fingerprint recorded with `python -m quiz.packs.synth --record`."""
    return json.loads(path.read_text(encoding="utf-8"))


def _without_volatile(manifest: dict[str, Any]) -> dict[str, Any]:
    items = [{k: v for k, v in i.items() if k not in MANIFEST_VOLATILE} for i in manifest["items"]]
    return {**manifest, "items": items}


def manifest_problems(recorded: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """Every difference between two manifests, named by field and item key."""
    recorded, built = _without_volatile(recorded), _without_volatile(built)
    problems = [
        f"manifest {field!r}: recorded {recorded.get(field)!r}, built {built.get(field)!r}"
        for field in sorted(set(recorded) | set(built))
        if field != "items" and recorded.get(field) != built.get(field)
    ]
    old, new = recorded.get("items", []), built.get("items", [])
    if [i.get("key") for i in old] != [i.get("key") for i in new]:
        return [*problems, "manifest items: the keys or their order differ"]
    for a, b in zip(old, new, strict=True):
        for field in sorted(set(a) | set(b)):
            if a.get(field) != b.get(field):
                problems.append(f"{a['key']}: manifest field {field!r} differs")
    return problems


def _thumb_values(rows: list[str]) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(rows)), np.uint8).astype(int)


def _sample_problems(
    name: str,
    recorded: dict[str, list[str]],
    built: dict[str, list[str]],
    tolerance: tuple[float, int],
) -> list[str]:
    """Sampled frames whose thumbnails differ by more than tolerance (mean, largest)."""
    if sorted(recorded) != sorted(built):
        return [f"{name}: sampled frames {sorted(recorded)} != {sorted(built)}"]
    problems = []
    for frame, rows in recorded.items():
        a, b = _thumb_values(rows), _thumb_values(built[frame])
        if a.shape != b.shape:
            problems.append(f"{name} frame {frame}: thumbnail size differs")
            continue
        diff = np.abs(a - b)
        if diff.mean() > tolerance[0] or diff.max() > tolerance[1]:
            problems.append(
                f"{name} frame {frame}: mean difference {diff.mean():.2f} (allowed "
                f"{tolerance[0]}), largest {diff.max()} (allowed {tolerance[1]})"
            )
    return problems


def media_problems(
    name: str,
    recorded: dict[str, Any],
    built: dict[str, Any],
    tolerance: tuple[float, int] = (MEAN_TOLERANCE, MAX_TOLERANCE),
) -> list[str]:
    """What differs between two fingerprints of one media file beyond encoder noise."""
    exact = ("width", "height", "frames", "duration_s")
    problems = [
        f"{name}: {field} recorded {recorded.get(field)!r}, built {built.get(field)!r}"
        for field in exact
        if recorded.get(field) != built.get(field)
    ]
    if problems:
        return problems
    means = zip(recorded.get("frame_means", []), built.get("frame_means", []), strict=True)
    shifted = [i for i, (a, b) in enumerate(means) if abs(a - b) > FRAME_MEAN_TOLERANCE]
    if shifted:
        problems.append(f"{name}: mean brightness differs at frames {shifted[:10]}")
    return problems + _sample_problems(name, recorded["samples"], built["samples"], tolerance)


def fingerprint_problems(recorded: dict[str, Any], built: dict[str, Any]) -> list[str]:
    """Every difference between a recorded and a built fingerprint that is more than noise."""
    problems = manifest_problems(recorded["manifest"], built["manifest"])
    old, new = recorded["media"], built["media"]
    if sorted(old) != sorted(new):
        problems.append(f"media files differ: recorded {sorted(old)}, built {sorted(new)}")
    keys = {i["file"]: i["key"] for i in recorded["manifest"]["items"]}
    for name in sorted(set(old) & set(new)):
        tolerance = NOISY_ITEMS.get(keys.get(name, ""), (MEAN_TOLERANCE, MAX_TOLERANCE))
        problems += media_problems(name, old[name], new[name], tolerance)
    return problems
