"""Build the demo pack and compare its digest with DEMO_CHECKSUM; --record stores it there.

    .venv/bin/python -m quiz.packs.synth            # a fresh build in a temporary folder
    .venv/bin/python -m quiz.packs.synth --record   # the same, then record its digest

Record only after a deliberate change to the pack's output (with SYNTH_VERSION bumped, so
cached builds are remade), and commit DEMO_CHECKSUM with the change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from quiz.packs.synth.build import (
    DEMO_CHECKSUM,
    build_demo_media,
    demo_media_digest,
    recorded_digest,
)


def _digest_of_build(out: Path) -> str:
    build_demo_media(out)
    return demo_media_digest(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quiz.packs.synth",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--record", action="store_true", help="write the digest to DEMO_CHECKSUM")
    parser.add_argument(
        "--out", type=Path, help="build (or reuse a cached build) here instead; not with --record"
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        if args.record:
            parser.error("--record needs a fresh build: leave out --out")
        digest = _digest_of_build(args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="demo-pack-") as tmp:
            digest = _digest_of_build(Path(tmp))
    recorded = recorded_digest() if DEMO_CHECKSUM.exists() else ""
    print(f"built:    {digest}\nrecorded: {recorded or '(none)'}")
    if args.record:
        DEMO_CHECKSUM.write_text(digest + "\n", encoding="ascii")
        print(f"recorded in {DEMO_CHECKSUM}")
        return 0
    return 0 if digest == recorded else 1


if __name__ == "__main__":
    sys.exit(main())
