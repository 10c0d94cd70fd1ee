"""Can a student tell a test's clips by the length the browser shows, after free practice?

    python bench/recognise.py                 # the demo pack (built or reused in var/)
    python bench/recognise.py --pack PATH     # any pack folder with manifest.json

Free practice shows the truth after each answer, and the browser's network panel shows the
length of every file it fetched. A student who plays the practice quiz `--practice` times
keeps, for every clip, the lengths its video was served with and its truth. Then a test
shows the same clips under new names. The student guesses each test clip to be the practice
clip whose remembered lengths lie nearest (identity), and answers with that clip's truth.

Two ways of serving are measured on the same files in one run:
- `plain`: the stored bytes under every name (how the site served before the trailer);
- `padded`: each name's own trailer (quiz.media.disguise, as the media view sends it).

Against the padded files the student also tries the smartest use of the lengths: the
shortest length seen of a clip is nearest its stored size, and a test length can only come
from a clip whose stored size lies between it and a fifth less.

Prints the accuracy of each attack; last lines `name=value`: identity and label accuracy
plain and padded, and `label_chance` (always answering the more common truth). What padding
cannot hide, the picture itself, is why clips meant for tests are kept out of practice.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from quiz.media.disguise import PAD_SHARE, trailer  # noqa: E402

DEFAULT_BUILD_DIR = ROOT / "var" / "test-demo-build"


def _items(pack: Path) -> list[tuple[str, bytes, bool]]:
    manifest = json.loads((pack / "manifest.json").read_text())
    found = []
    for item in manifest["items"]:
        if item["file"].endswith(".mp4"):
            found.append((item["key"], (pack / item["file"]).read_bytes(), item["is_generated"]))
    return found


def _length(data: bytes, name: str, padded: bool) -> int:
    if not padded:
        return len(data)
    return len(data) + trailer(io.BytesIO(data), len(data), suffix="mp4", served_as=name).length


def run(pack: Path, practice: int, tests: int) -> dict[str, float]:
    items = _items(pack)
    truth = {key: generated for key, _data, generated in items}
    generated_share = sum(truth.values()) / len(truth)
    figures: dict[str, float] = {}
    for padded in (False, True):
        seen = {
            key: [_length(data, f"practice/{n}/{key}", padded) for n in range(practice)]
            for key, data, _g in items
        }
        right_identity = right_label = right_bound = total = 0
        for t in range(tests):
            for key, data, generated in items:
                shown = _length(data, f"test/{t}/{key}", padded)
                nearest = min(seen, key=lambda k: min(abs(shown - x) for x in seen[k]))
                right_identity += nearest == key
                right_label += truth[nearest] == generated
                # The smartest use: clips whose shortest length could have grown to this one.
                could = [
                    k for k in seen if min(seen[k]) <= shown <= min(seen[k]) * (1 + PAD_SHARE)
                ] or [nearest]
                votes = sum(truth[k] for k in could) / len(could)
                right_bound += (votes >= 0.5) == generated
                total += 1
        label = "padded" if padded else "plain"
        figures[f"identity_accuracy_{label}"] = right_identity / total
        figures[f"label_accuracy_{label}"] = right_label / total
        if padded:
            figures["label_accuracy_padded_shortest"] = right_bound / total
    figures["label_chance"] = max(generated_share, 1 - generated_share)
    figures["n_clips"] = len(items)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pack", type=Path, default=DEFAULT_BUILD_DIR)
    parser.add_argument("--practice", type=int, default=5, help="practice plays remembered")
    parser.add_argument("--tests", type=int, default=20, help="test attempts simulated")
    args = parser.parse_args()
    if not (args.pack / "manifest.json").exists():
        from quiz.packs import synth

        synth.build_demo_media(args.pack)
    figures = run(args.pack, args.practice, args.tests)
    print(f"{figures['n_clips']} videos, {args.practice} practice plays, {args.tests} tests")
    for name in ("plain", "padded"):
        print(
            f"{name:7s} clip recognised {figures[f'identity_accuracy_{name}']:.1%}, "
            f"truth right {figures[f'label_accuracy_{name}']:.1%}"
        )
    print(
        f"padded, shortest-length attack: truth right {figures['label_accuracy_padded_shortest']:.1%}"
    )
    print(f"always the commoner truth: {figures['label_chance']:.1%}")
    for key, value in figures.items():
        print(f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}")


if __name__ == "__main__":
    main()
