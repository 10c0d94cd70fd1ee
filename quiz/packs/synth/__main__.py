"""Build the demo pack and compare it with DEMO_FINGERPRINT.json; --record stores it there.

    .venv/bin/python -m quiz.packs.synth            # a fresh build in a temporary folder
    .venv/bin/python -m quiz.packs.synth --record   # the same, then record its fingerprint

The fingerprint (quiz/packs/synth/fingerprint.py) holds manifest.json exactly and each media
file's size, length and decoded picture (compared with a small tolerance, because the encoder's
bytes differ from one CPU to another). Record only after a deliberate change to the pack's
output (with SYNTH_VERSION bumped, so cached builds are remade), and commit
DEMO_FINGERPRINT.json with the change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from quiz.packs.synth.build import build_demo_media
from quiz.packs.synth.fingerprint import (
    FINGERPRINT_FILE,
    fingerprint_problems,
    pack_fingerprint,
    recorded_fingerprint,
    write_fingerprint,
)


def _fingerprint_of_build(out: Path) -> dict[str, Any]:
    build_demo_media(out)
    return pack_fingerprint(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quiz.packs.synth",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--record", action="store_true", help=f"write the fingerprint to {FINGERPRINT_FILE.name}"
    )
    parser.add_argument(
        "--out", type=Path, help="build (or reuse a cached build) here instead; not with --record"
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        if args.record:
            parser.error("--record needs a fresh build: leave out --out")
        built = _fingerprint_of_build(args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="demo-pack-") as tmp:
            built = _fingerprint_of_build(Path(tmp))
    if args.record:
        write_fingerprint(built)
        print(f"recorded in {FINGERPRINT_FILE}")
        return 0
    if not FINGERPRINT_FILE.exists():
        print(f"no fingerprint recorded yet: run with --record to write {FINGERPRINT_FILE}")
        return 1
    problems = fingerprint_problems(recorded_fingerprint(), built)
    print("\n".join(problems) or f"the build matches {FINGERPRINT_FILE.name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
