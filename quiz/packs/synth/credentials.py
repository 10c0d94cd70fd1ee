"""Content Credentials: originals signed by a demo certificate authority.

Three generated items teach provenance (docs/artifacts.md, "Provenance, taught honestly"): their
originals are signed by a demo CA made at build time, then kept intact ("trusted"), edited
after signing ("invalid") or re-encoded on the way ("none").

The credentials declare what the synthesizer is: an algorithm that edits camera footage, not a
trained generative model. Their c2pa.created action therefore carries the IPTC digital source
type algorithmicMedia, never trainedAlgorithmicMedia (which would claim a generative AI model
made the file).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from quiz.media.encode import iter_video_frames
from quiz.media.provenance import (
    demo_trust_anchor,
    read_provenance,
    sign_with_demo_ca,
)
from quiz.packs.synth.delivery import deliver_video
from quiz.packs.synth.sources import GENERATOR_SYNTH
from quiz.packs.synth.toolkit import Frames

# Beside media/ in the build directory: the signed originals of three generated items and
# the demo CA that signed them. Never served, never imported and never committed; the key is
# made at build time (quiz.media.provenance.demo_ca).
ORIGINALS = "originals"
CA_DIR = "ca"
# IPTC digital source type of the synthesizer's output: made by an algorithm (here: edits of
# real footage), with no trained model involved.
ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"


@dataclass(frozen=True)
class Credentials:
    originals: Path
    ca_dir: Path

    def sign(self, src: Path, dst: Path) -> None:
        # What a generator that signs its output records: it created the file, and how (here:
        # algorithmic media, not a trained model).
        sign_with_demo_ca(
            src,
            dst,
            ca_dir=self.ca_dir,
            claim_generator=GENERATOR_SYNTH,
            actions=["c2pa.created"],
            digital_source_type=ALGORITHMIC_MEDIA,
        )

    def read(self, path: Path, *, expect: str) -> dict[str, Any]:
        """What the credential of path says, with the demo root as the pack's trust anchor
        (its credentials read as "trusted" here, and merely "valid" anywhere that does not
        know it). The item's texts explain one particular state, so any other stops the
        build rather than teach something untrue."""
        record = read_provenance(path, trust_anchors_pem=demo_trust_anchor(self.ca_dir))
        if record["state"] != expect:
            raise RuntimeError(f"{path.name}: credential reads {record!r}, expected {expect}")
        return record


def credentials_for(dst: Path) -> Credentials:
    """Recipes write to <build>/media/NNNN.ext; their originals and the CA live beside it."""
    root = dst.parent.parent
    (root / ORIGINALS).mkdir(parents=True, exist_ok=True)
    return Credentials(root / ORIGINALS, root / CA_DIR)


def signed_original_video(dst: Path, frames: Frames, creds: Credentials) -> Path:
    """The generator's own file for a clip, signed: originals/NNNN.mp4."""
    original = creds.originals / f"{dst.stem}.mp4"
    unsigned = creds.originals / f".{dst.stem}.unsigned.mp4"
    try:
        deliver_video(frames, unsigned)
        creds.sign(unsigned, original)
    finally:
        unsigned.unlink(missing_ok=True)
    return original


def normalised_from(original: Path, dst: Path) -> Any:
    """The site's normalisation of an original, as for any upload: the pixels survive, every
    byte of metadata (the credential included) does not."""
    return deliver_video(iter_video_frames(original), dst)


def _jpeg_segments(data: bytes) -> tuple[list[tuple[int, bytes]], int]:
    """The marker segments of a JPEG before its image data, and where the data starts."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    segments, i = [], 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the entropy-coded image data follows
            break
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segments.append((marker, data[i : i + 2 + length]))
        i += 2 + length
    return segments, i


def transplant_credential(signed: bytes, edited: bytes) -> bytes:
    """Put the signed JPEG's manifest store (its APP11 segments) into another JPEG.

    This is what tampering looks like: the picture is changed in an editor, and the old
    credential is carried over. The manifest's hash of the image no longer matches.
    """
    credential = b"".join(seg for marker, seg in _jpeg_segments(signed)[0] if marker == 0xEB)
    if not credential:
        raise ValueError("the signed JPEG carries no manifest store")
    segments, _ = _jpeg_segments(edited)
    at = 2 + sum(len(seg) for marker, seg in segments[:1] if marker == 0xE0)  # after JFIF
    return edited[:at] + credential + edited[at:]


def jpeg_bytes(img: np.ndarray) -> bytes:
    """A generator's own JPEG (high quality, no metadata): the original before normalisation."""
    out = io.BytesIO()
    Image.fromarray(img).save(out, format="JPEG", quality=95)
    return out.getvalue()
