"""A shortcut audit: can "generated" be told without ever looking for a giveaway?

    python bench/shortcuts.py                 # the demo pack (built or reused in var/)
    python bench/shortcuts.py --pack PATH     # any pack folder or zip with manifest.json

A pack teaches only if its items can be told apart by their giveaways, and by nothing else.
This audit fits simple predictors of `is_generated` that never look for a giveaway and
reports each one's leave-one-out (LOO) accuracy: every item is predicted by a rule learned
on all the other items.

- file-level features: file size, duration, width, height, bitrate, frame count, the share
  of keyframes, and the JPEG size of the first frame (the poster);
- pixel statistics of at most five decoded frames, downscaled: brightness, contrast,
  saturation, high-frequency noise (mean absolute Laplacian), sharpness (variance of the
  Laplacian), compressibility (zlib size over raw size), colourfulness (Hasler and
  Süsstrunk) and motion between the sampled frames;
- for each feature, the best threshold rule (either direction) learned on the other items;
- an L2 logistic regression over all standardised features and a depth-2 decision tree;
- the order of rounds: for the demo quiz and the practice quiz, 200 attempts laid out as the
  site lays them out (quiz.shuffle.draw), scored against predictors that guess each round's
  truth from the truths of the rounds before it.

One line per predictor (`name  accuracy`), then `n_items=`, `n_generated=` and, last,
`worst_loo_accuracy=` (the best any shortcut does). The goal is worst_loo_accuracy <= 0.60:
above it, a student could learn the shortcut instead of the giveaways. numpy only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUILD_DIR = ROOT / "var" / "test-demo-build"
GOAL = 0.60
MAX_FRAMES = 5
MAX_SIDE = 320
ATTEMPTS = 200

FILE_FEATURES = (
    "file_size",
    "duration",
    "width",
    "height",
    "bitrate",
    "frame_count",
    "keyframe_share",
    "poster_jpeg_size",
)
PIXEL_FEATURES = (
    "brightness",
    "contrast",
    "saturation",
    "noise",
    "sharpness",
    "compressibility",
    "colourfulness",
    "motion",
)
FEATURES = FILE_FEATURES + PIXEL_FEATURES


# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------


def _downscale(rgb: np.ndarray) -> np.ndarray:
    image = Image.fromarray(rgb)
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.asarray(image.convert("RGB"))


def _jpeg_size(rgb: np.ndarray) -> int:
    buffer = BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=85)
    return buffer.tell()


def pixel_stats(frames: Sequence[np.ndarray]) -> dict[str, float]:
    """Mean over the frames of each pixel statistic, plus the motion between them."""
    rows: list[list[float]] = []
    for rgb in frames:
        f = rgb.astype(np.float64)
        r, g, b = f[..., 0], f[..., 1], f[..., 2]
        luma = 0.299 * r + 0.587 * g + 0.114 * b
        high, low = f.max(axis=2), f.min(axis=2)
        saturation = np.where(high > 0, (high - low) / np.maximum(high, 1e-9), 0.0)
        lap = (
            -4 * luma[1:-1, 1:-1]
            + luma[:-2, 1:-1]
            + luma[2:, 1:-1]
            + luma[1:-1, :-2]
            + luma[1:-1, 2:]
        )
        raw = np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()
        rg, yb = r - g, 0.5 * (r + g) - b
        colourfulness = math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean())
        rows.append(
            [
                luma.mean(),
                luma.std(),
                saturation.mean(),
                np.abs(lap).mean() if lap.size else 0.0,
                lap.var() if lap.size else 0.0,
                len(zlib.compress(raw, 6)) / max(1, len(raw)),
                colourfulness,
            ]
        )
    means = np.mean(rows, axis=0)
    motion = 0.0
    if len(frames) > 1:
        motion = float(
            np.mean(
                [
                    np.abs(a.astype(np.float64) - b.astype(np.float64)).mean()
                    for a, b in itertools.pairwise(frames)
                    if a.shape == b.shape
                ]
                or [0.0]
            )
        )
    return dict(zip(PIXEL_FEATURES, [*map(float, means), motion], strict=True))


def video_features(path: Path) -> dict[str, float]:
    """File-level facts from the packets (no decoding), then pixel statistics of at most
    MAX_FRAMES decoded frames evenly spaced (and the first frame's JPEG size)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        keyframes = packets = 0
        for packet in container.demux(stream):
            if packet.size:
                packets += 1
                keyframes += bool(packet.is_keyframe)
        duration = (
            float(stream.duration * stream.time_base)
            if stream.duration
            else float(container.duration or 0) / av.time_base
        )
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        wanted = set(np.linspace(0, max(0, packets - 1), MAX_FRAMES).round().astype(int))
        frames: list[np.ndarray] = []
        poster = 0
        for index, frame in enumerate(container.decode(stream)):
            if index == 0:
                poster = _jpeg_size(frame.to_ndarray(format="rgb24"))
            if index in wanted:
                frames.append(_downscale(frame.to_ndarray(format="rgb24")))
            if index >= max(wanted):
                break
    size = path.stat().st_size
    return {
        "file_size": float(size),
        "duration": duration,
        "width": float(width),
        "height": float(height),
        "bitrate": size / duration if duration > 0 else float(size),
        "frame_count": float(packets),
        "keyframe_share": keyframes / max(1, packets),
        "poster_jpeg_size": float(poster),
        **pixel_stats(frames),
    }


def image_features(path: Path) -> dict[str, float]:
    """An image is one frame of no duration: its bitrate is its size."""
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"))
    size = path.stat().st_size
    return {
        "file_size": float(size),
        "duration": 0.0,
        "width": float(rgb.shape[1]),
        "height": float(rgb.shape[0]),
        "bitrate": float(size),
        "frame_count": 1.0,
        "keyframe_share": 1.0,
        "poster_jpeg_size": float(_jpeg_size(rgb)),
        **pixel_stats([_downscale(rgb)]),
    }


def item_features(root: Path, item: dict[str, Any]) -> dict[str, float]:
    path = root / item["file"]
    if item.get("media_kind") == "video":
        return video_features(path)
    return image_features(path)


# --------------------------------------------------------------------------------------------
# Leave-one-out predictors (y: 1 = generated)
# --------------------------------------------------------------------------------------------


def _thresholds(x: np.ndarray) -> np.ndarray:
    values = np.unique(x)
    middles = (values[:-1] + values[1:]) / 2
    return np.concatenate([[values[0] - 1], middles, [values[-1] + 1]])


def fit_threshold(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    """The threshold and direction (+1: generated above, -1: below) that fit best."""
    best = (-1.0, 0.0, 1)
    for t in _thresholds(x):
        above = x > t
        for direction, guess in ((1, above), (-1, ~above)):
            accuracy = float(np.mean(guess == (y == 1)))
            if accuracy > best[0]:
                best = (accuracy, float(t), direction)
    return best[1], best[2]


def _kept(y: np.ndarray, groups: np.ndarray | None, i: int) -> np.ndarray:
    """The training items when item i is held out: every other item, or with `groups`,
    every item of another group (leave one source out: an item's twin leaves with it)."""
    if groups is None:
        return np.arange(len(y)) != i
    return np.asarray(groups) != np.asarray(groups)[i]


def loo_threshold(x: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """LOO accuracy of the best single-threshold rule on one feature."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=int)
    hits = 0
    for i in range(len(y)):
        keep = _kept(y, groups, i)
        t, direction = fit_threshold(x[keep], y[keep])
        guess = (x[i] > t) if direction == 1 else (x[i] <= t)
        hits += int(guess) == y[i]
    return hits / len(y)


def loo_majority(y: np.ndarray, groups: np.ndarray | None = None) -> float:
    """LOO accuracy of guessing the other items' majority label (ties: generated)."""
    y = np.asarray(y, dtype=int)
    hits = 0
    for i in range(len(y)):
        rest = y[_kept(y, groups, i)]
        hits += int(rest.mean() >= 0.5) == y[i]
    return hits / len(y)


def _standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (train - mean) / std, (test - mean) / std


def fit_logistic(
    X: np.ndarray, y: np.ndarray, *, l2: float = 0.1, steps: int = 500, rate: float = 0.5
) -> np.ndarray:
    """Weights (bias first) of an L2 logistic regression by plain gradient descent."""
    A = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(A.shape[1])
    penalty = np.full_like(w, l2)
    penalty[0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(A @ w, -30, 30)))
        w -= rate * (A.T @ (p - y) / len(y) + penalty * w)
    return w


def loo_logistic(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> float:
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    hits = 0
    for i in range(len(y)):
        keep = _kept(y, groups, i)
        train, test = _standardise(X[keep], X[i : i + 1])
        w = fit_logistic(train, y[keep])
        hits += int(w[0] + test[0] @ w[1:] > 0) == y[i]
    return hits / len(y)


def _gini(y: np.ndarray) -> float:
    if not len(y):
        return 0.0
    p = y.mean()
    return 2 * p * (1 - p)


def _best_split(X: np.ndarray, y: np.ndarray) -> tuple[int, float] | None:
    """The (feature, threshold) that lowers the weighted Gini impurity most, if any does."""
    best, best_score = None, _gini(y) - 1e-12
    for j in range(X.shape[1]):
        for t in _thresholds(X[:, j])[1:-1]:
            left = X[:, j] <= t
            score = (left.sum() * _gini(y[left]) + (~left).sum() * _gini(y[~left])) / len(y)
            if score < best_score:
                best, best_score = (j, float(t)), score
    return best


def fit_tree(X: np.ndarray, y: np.ndarray, depth: int = 2) -> Any:
    """A tree as nested tuples (feature, threshold, left, right), or a leaf label."""
    leaf = int(y.mean() >= 0.5) if len(y) else 1
    if depth == 0 or len(np.unique(y)) < 2:
        return leaf
    split = _best_split(X, y)
    if split is None:
        return leaf
    j, t = split
    left = X[:, j] <= t
    return (j, t, fit_tree(X[left], y[left], depth - 1), fit_tree(X[~left], y[~left], depth - 1))


def predict_tree(tree: Any, x: np.ndarray) -> int:
    while isinstance(tree, tuple):
        j, t, left, right = tree
        tree = left if x[j] <= t else right
    return tree


def loo_tree(
    X: np.ndarray, y: np.ndarray, depth: int = 2, groups: np.ndarray | None = None
) -> float:
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    hits = 0
    for i in range(len(y)):
        keep = _kept(y, groups, i)
        tree = fit_tree(X[keep], y[keep], depth)
        hits += predict_tree(tree, X[i]) == y[i]
    return hits / len(y)


def feature_predictors(
    X: np.ndarray, y: np.ndarray, names: Sequence[str], groups: np.ndarray | None = None
) -> dict[str, float]:
    """LOO accuracy of every predictor that looks at the items' features (with `groups`:
    leave-one-group-out)."""
    results = {"majority_class": loo_majority(y, groups)}
    for j, name in enumerate(names):
        results[f"threshold_{name}"] = loo_threshold(X[:, j], y, groups)
    results["logistic_all"] = loo_logistic(X, y, groups)
    results["tree_depth2"] = loo_tree(X, y, groups=groups)
    return results


def source_groups(items: Sequence[dict[str, Any]]) -> np.ndarray:
    """Each item's source (quiz.packs.format.source_family of its credit; an item with no
    credit is a source of its own)."""
    from quiz.packs.format import source_family

    return np.array(
        [source_family(item.get("credit", "")) or f"item-{n}" for n, item in enumerate(items)]
    )


# --------------------------------------------------------------------------------------------
# The order of rounds
# --------------------------------------------------------------------------------------------

# A predictor of the order sees the truths so far (1: generated, or for a pair: the clip
# shown as A is the generated one) and guesses the next.
OrderPredictor = Callable[[list[int]], int]


def _majority(history: list[int]) -> int:
    return int(sum(history) * 2 >= len(history))


ORDER_PREDICTORS: dict[str, OrderPredictor] = {
    "alternate": lambda h: 1 - h[-1] if h else 1,
    "repeat": lambda h: h[-1] if h else 1,
    "opposite_of_majority": lambda h: 1 - _majority(h) if h else 1,
    "majority_so_far": lambda h: _majority(h) if h else 1,
}


def attempt_truths(rounds: Sequence[tuple[int, bool, bool]], seed: int) -> list[int]:
    """One attempt's truths in playing order. `rounds`: (item id, is pair, truth in the
    quiz's own placement), the truth of a pair being "the first clip is the generated one"."""
    from quiz.shuffle import draw

    layout = draw(seed, [(item_id, is_pair) for item_id, is_pair, _ in rounds])
    truth = {item_id: t for item_id, _, t in rounds}
    return [int(truth[i] != (i in layout.swapped)) for i in layout.order]


def order_accuracy(
    rounds: Sequence[tuple[int, bool, bool]],
    predictor: OrderPredictor,
    attempts: int = ATTEMPTS,
    seed: int = 20261204,
) -> float:
    rng = random.Random(seed)
    hits = total = 0
    for _ in range(attempts):
        truths = attempt_truths(rounds, rng.getrandbits(63))
        for k, truth in enumerate(truths):
            hits += predictor(truths[:k]) == truth
            total += 1
    return hits / total if total else 0.0


def demo_quiz_rounds(items: Sequence[dict[str, Any]]) -> dict[str, list[tuple[int, bool, bool]]]:
    """The demo and practice quizzes as quiz.packs.demo defines them, over the pack's items,
    without a database: the quiz builders only read these fields of a clip."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from quiz.packs import demo

    clips = {
        item["key"]: SimpleNamespace(
            key=item["key"],
            is_generated=bool(item["is_generated"]),
            media_kind=item["media_kind"],
            is_video=item["media_kind"] == "video",
        )
        for item in items
    }
    keys = list(clips)
    quizzes = {}
    # The demo module's own definitions of its quizzes, so the audit follows any change to them.
    for name, builder in (("demo", demo.demo_rounds), ("practice", demo.practice_rounds)):
        rounds = []
        for item_id, (kind, a, _b) in enumerate(builder(keys, clips), start=1):
            # A spot round tells the student its clip is generated: no truth to predict.
            if kind == "spot":
                continue
            rounds.append((item_id, kind == "pair", bool(a.is_generated)))
        quizzes[name] = rounds
    return quizzes


def order_predictors(quizzes: dict[str, list[tuple[int, bool, bool]]]) -> dict[str, float]:
    return {
        f"order_{quiz}_{name}": order_accuracy(rounds, predictor)
        for quiz, rounds in quizzes.items()
        for name, predictor in ORDER_PREDICTORS.items()
    }


# --------------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------------


def feature_matrix(root: Path, items: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    rows = [item_features(root, item) for item in items]
    X = np.array([[row[name] for name in FEATURES] for row in rows], dtype=float)
    y = np.array([int(bool(item["is_generated"])) for item in items])
    return X, y


def audit(root: Path, items: Sequence[dict[str, Any]]) -> dict[str, float]:
    """LOO accuracy of every feature predictor over the pack's items."""
    X, y = feature_matrix(root, items)
    return feature_predictors(X, y, FEATURES)


def audit_by_source(root: Path, items: Sequence[dict[str, Any]]) -> dict[str, float]:
    """The same predictors, holding out all items of one source at a time. Plain LOO is
    unfair to a pack of twins (a generated item and its untouched real twin share nearly
    every feature and differ in label, so the twin left behind pulls the rule to the wrong
    side and figures fall far below chance); this figure reads near chance when no feature
    tells, and above it when one does."""
    X, y = feature_matrix(root, items)
    return feature_predictors(X, y, FEATURES, source_groups(items))


def load_pack(pack: Path | None, workdir: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The pack's folder and items: a folder or zip with manifest.json, or the demo pack."""
    if pack is None:
        sys.path.insert(0, str(ROOT))
        from quiz.packs.synth import build_demo_media

        return DEFAULT_BUILD_DIR, build_demo_media(DEFAULT_BUILD_DIR)
    if pack.is_file():
        with zipfile.ZipFile(pack) as archive:
            archive.extractall(workdir)
        pack = workdir
    manifest = json.loads((pack / "manifest.json").read_text())
    return pack, manifest["items"]


def report(
    results: dict[str, float],
    items: Sequence[dict[str, Any]],
    by_source: dict[str, float] | None = None,
) -> list[str]:
    width = max(map(len, results)) + 2
    lines = [f"{name:<{width}}{value:.3f}" for name, value in results.items()]
    if by_source:
        lines.append("leave one source out (an item and its twins held out together):")
        lines += [f"  {name:<{width}}{value:.3f}" for name, value in by_source.items()]
        lines.append(f"worst_by_source_accuracy={max(by_source.values()):.3f}")
    lines.append(f"n_items={len(items)}")
    lines.append(f"n_generated={sum(bool(item['is_generated']) for item in items)}")
    lines.append(f"worst_loo_accuracy={max(results.values()):.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", type=Path, help="a pack folder or zip (default: the demo pack)")
    parser.add_argument(
        "--no-order", action="store_true", help="skip the order of the demo quizzes"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        root, items = load_pack(args.pack, Path(tmp))
        results = audit(root, items)
        by_source = audit_by_source(root, items)
    # The built-in quizzes are the demo pack's: their order is audited only for it.
    if not args.no_order and _is_demo(items):
        results.update(order_predictors(demo_quiz_rounds(items)))
    print("\n".join(report(results, items, by_source)))
    return 0


def _is_demo(items: Sequence[dict[str, Any]]) -> bool:
    keys = {item["key"] for item in items}
    return all(key.startswith("demo-") for key in keys)


if __name__ == "__main__":
    sys.exit(main())
