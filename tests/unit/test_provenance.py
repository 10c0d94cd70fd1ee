"""Content Credentials: what a signed, a changed, an unsigned and a hostile file read as.

A small JPEG is signed with the demo CA (made here, in a temporary folder). With the demo
root as trust anchor it reads "trusted", without it "valid"; changing its pixels afterwards
makes it "invalid"; a file without a credential reads "none"; nothing a file contains makes
the reader raise. The feedback box says what each state means.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.template.loader import render_to_string
from django.utils import translation

from quiz.media.encode import encode_image, encode_video
from quiz.media.provenance import (
    STATES,
    demo_ca,
    demo_trust_anchor,
    read_provenance,
    sign_with_demo_ca,
)

GENERATOR = "Second Look synthesizer"
KEYS = {"state", "signer", "claim_generator", "actions", "issues"}


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ca")


@pytest.fixture(scope="module")
def anchor(ca_dir) -> str:
    return demo_trust_anchor(ca_dir)


@pytest.fixture(scope="module")
def files(tmp_path_factory, ca_dir) -> dict[str, Path]:
    """A plain JPEG and MP4, and copies signed with the demo CA."""
    root = tmp_path_factory.mktemp("files")
    rng = np.random.default_rng(5)
    picture = (rng.random((96, 128, 3)) * 255).astype(np.uint8)
    encode_image(picture, root / "plain.jpg")
    encode_video(((i / 25, np.roll(picture, 3 * i, axis=1)) for i in range(25)), root / "plain.mp4")
    for name in ("plain.jpg", "plain.mp4"):
        sign_with_demo_ca(
            root / name,
            root / name.replace("plain", "signed"),
            ca_dir=ca_dir,
            claim_generator=GENERATOR,
            actions=["c2pa.created"],
        )
    return {p.name: p for p in root.iterdir()}


def _changed_pixels(signed: Path, dst: Path) -> Path:
    """The signed JPEG with a few bytes of its image data (after start of scan) changed."""
    data = bytearray(signed.read_bytes())
    start = data.rfind(b"\xff\xda")
    for offset in (200, 201, 400):
        data[start + offset] ^= 0x5A
    dst.write_bytes(bytes(data))
    return dst


def test_a_signed_file_is_trusted_with_the_demo_ca_as_anchor(files, anchor):
    record = read_provenance(files["signed.jpg"], trust_anchors_pem=anchor)
    assert record == {
        "state": "trusted",
        "signer": "Second Look demo signer",
        "claim_generator": GENERATOR,
        "actions": ["c2pa.created (trainedAlgorithmicMedia)"],
        "issues": [],
    }


def test_a_signed_file_is_only_valid_without_the_anchor(files):
    record = read_provenance(files["signed.jpg"])
    assert record["state"] == "valid"
    assert record["signer"] == "Second Look demo signer"
    assert record["claim_generator"] == GENERATOR
    assert record["actions"] == ["c2pa.created (trainedAlgorithmicMedia)"]
    assert any("untrusted" in issue for issue in record["issues"])


def test_another_authority_as_anchor_does_not_make_it_trusted(files, tmp_path):
    stranger = demo_trust_anchor(tmp_path / "another-ca")
    assert read_provenance(files["signed.jpg"], trust_anchors_pem=stranger)["state"] == "valid"


def test_a_signed_video_reads_the_same_way(files, anchor):
    assert read_provenance(files["signed.mp4"])["state"] == "valid"
    trusted = read_provenance(files["signed.mp4"], trust_anchors_pem=anchor)
    assert trusted["state"] == "trusted" and trusted["claim_generator"] == GENERATOR


def test_changing_the_pixels_after_signing_makes_it_invalid(files, anchor, tmp_path):
    changed = _changed_pixels(files["signed.jpg"], tmp_path / "changed.jpg")
    record = read_provenance(changed, trust_anchors_pem=anchor)
    assert record["state"] == "invalid"
    # It still says who claims to have made it, and why it fails.
    assert record["claim_generator"] == GENERATOR
    assert any("dataHash.mismatch" in issue for issue in record["issues"]), record["issues"]


def test_changing_a_signed_video_makes_it_invalid(files, anchor, tmp_path):
    data = bytearray(files["signed.mp4"].read_bytes())
    data[data.find(b"mdat") + 300] ^= 0xFF
    (tmp_path / "changed.mp4").write_bytes(bytes(data))
    assert read_provenance(tmp_path / "changed.mp4", trust_anchors_pem=anchor)["state"] == (
        "invalid"
    )


def test_an_unsigned_file_has_no_credential(files, anchor):
    for name in ("plain.jpg", "plain.mp4"):
        assert read_provenance(files[name], trust_anchors_pem=anchor) == {
            "state": "none",
            "signer": "",
            "claim_generator": "",
            "actions": [],
            "issues": [],
        }


def _hostile(files: dict[str, Path], root: Path) -> dict[str, Path]:
    signed = files["signed.jpg"].read_bytes()
    contents = {
        "empty.jpg": b"",
        "text.jpg": b"this is not a picture\n" * 40,
        "random.jpg": np.random.default_rng(1).bytes(4096),
        "jpeg-header-only.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        "truncated-signed.jpg": signed[: len(signed) // 3],
        "truncated-in-credential.jpg": signed[:300],
        "fake-box.mp4": b"\x00\x00\x00\x18ftypisom" + np.random.default_rng(2).bytes(3000),
        "huge-box.mp4": b"\xff\xff\xff\xffftypisom" + b"\x00" * 64,
        "credential-only.jpg": b"\xff\xd8" + signed[2:][: signed.find(b"\xff\xda")],
        "no-extension": signed,
    }
    for name, data in contents.items():
        (root / name).write_bytes(data)
    return {name: root / name for name in contents}


def test_hostile_files_never_raise(files, anchor, tmp_path):
    for name, path in _hostile(files, tmp_path).items():
        record = read_provenance(path, trust_anchors_pem=anchor)
        assert set(record) == KEYS, name
        assert record["state"] in STATES, name
        json.dumps(record)  # stored in a JSONField
    # Content decides, not the name: a signed JPEG without an extension is still read.
    assert read_provenance(tmp_path / "no-extension", trust_anchors_pem=anchor)["state"] == (
        "trusted"
    )
    # A truncated file that still carries the start of a credential is not called "none".
    assert read_provenance(tmp_path / "truncated-signed.jpg")["state"] == "invalid"


def test_missing_and_oversized_files_are_not_read(files, tmp_path):
    missing = read_provenance(tmp_path / "nope.jpg")
    assert missing["state"] == "none" and missing["issues"]
    capped = read_provenance(files["signed.jpg"], max_bytes=100)
    assert capped["state"] == "none"
    assert "larger than 100 bytes" in capped["issues"][0]


def test_the_demo_ca_is_made_once_and_kept_private(ca_dir):
    chain_pem, key_pem = demo_ca(ca_dir)
    assert demo_ca(ca_dir) == (chain_pem, key_pem)
    (cached,) = list(ca_dir.iterdir())
    assert stat.S_IMODE(os.stat(cached).st_mode) == 0o600
    signer, root = x509.load_pem_x509_certificates(chain_pem.encode())
    assert signer.issuer == root.subject != signer.subject
    # What C2PA asks of a signing certificate: ES256 on P-256, an end entity with
    # digitalSignature and an accepted extended key usage, under a real CA.
    assert isinstance(signer.public_key().curve, ec.SECP256R1)
    assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert signer.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    assert ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in usages
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert root.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert signer.not_valid_before_utc.year <= 2020 and signer.not_valid_after_utc.year >= 2099


def test_a_damaged_ca_file_is_replaced(tmp_path):
    demo_ca(tmp_path)
    (tmp_path / "demo-ca.pem").write_text("not a certificate")
    chain_pem, _ = demo_ca(tmp_path)
    assert len(x509.load_pem_x509_certificates(chain_pem.encode())) == 2


# --------------------------------------------------------------------------------------------
# The feedback box
# --------------------------------------------------------------------------------------------


def _box(provenance: dict) -> str:
    with translation.override("en"):
        return " ".join(
            render_to_string("quiz/_provenance.html", {"provenance": provenance}).split()
        )


@pytest.mark.parametrize(
    ("state", "phrases"),
    [
        ("trusted", ["Signed by Second Look demo signer with", "intact and from a trusted signer"]),
        ("valid", ["but signed by a signer this site does not know"]),
        # A failed validation: the claims do not apply to this file, not proof of tampering.
        (
            "invalid",
            ["fails validation: what it claims does not apply to this file", "not proof of"],
        ),
        ("none", ["No credential: that proves nothing either way; platforms often strip them"]),
    ],
)
def test_the_box_says_what_each_state_means(state, phrases):
    html = _box(
        {
            "state": state,
            "signer": "Second Look demo signer" if state != "none" else "",
            "claim_generator": GENERATOR if state != "none" else "",
            "actions": ["c2pa.created (trainedAlgorithmicMedia)"] if state != "none" else [],
            "issues": [],
        }
    )
    assert "Content Credentials" in html
    for phrase in phrases:
        assert phrase in html, (phrase, html)
    if state != "none":
        assert "Created by a generative AI model" in html
        # The raw label only under the technical details, not in the plain list.
        plain = html.split('class="provenance-actions"')[1].split("</ul>")[0]
        assert "<code>" not in plain and "c2pa." not in plain
        details = html.split('class="provenance-issues"')[1]
        assert "<code>c2pa.created (trainedAlgorithmicMedia)</code>" in details


def test_the_box_is_empty_for_a_clip_never_checked():
    assert _box({}).strip() == ""
    assert _box({"claim_generator": "x", "validation": "valid"}).strip() == ""


def test_the_box_escapes_what_a_manifest_says():
    html = _box(
        {
            "state": "valid",
            "signer": "<script>alert(1)</script>",
            "claim_generator": "x",
            "actions": ["<b>c2pa.edited</b>"],
            "issues": ["<img src=x>"],
        }
    )
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
