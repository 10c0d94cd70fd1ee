"""Content Credentials (C2PA): read what a file's manifest says, and sign demo files.

docs/artifacts.md, "Provenance, taught honestly": a valid manifest from a known signer shows who
signed the file and what they declared; a manifest that fails validation makes claims that do
not apply to this file (an edit, a copied manifest, a certificate problem), which is not by
itself proof of tampering; no manifest proves nothing. `read_provenance` boils a file's manifest store down to exactly those
distinctions, as a small JSON-serialisable record kept on the clip for the feedback (never for
the question: served media are re-encoded and carry no manifest at all):

    {"state": "trusted" | "valid" | "invalid" | "none",
     "signer": str, "claim_generator": str, "actions": [str, ...], "issues": [str, ...]}

The demo pack needs credentials whose chain it controls, so `demo_ca` makes a throwaway root
CA and signing certificate at build time (cached in the build directory, never committed) and
`sign_with_demo_ca` signs an original with it.

Pure module: c2pa-python and cryptography; no Django.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

STATES = ("trusted", "valid", "invalid", "none")

# Reading validates the hash of the whole file, so its cost grows with the file. Uploads are
# capped well below this (UPLOAD_MAX_BYTES); anything bigger is not worth the time and is
# refused before the native reader sees a byte.
MAX_READ_BYTES = 1024**3

# Limits on what a (possibly hostile) manifest can put into the record, matching the pack
# schema so a clip's provenance always exports.
_MAX_TEXT = 300
_MAX_ACTION = 200
_MAX_ISSUE = 500
_MAX_ENTRIES = 50

# A JUMBF description box labelled "c2pa": [size]['jumd'][16-byte type][toggles]['c2pa'].
# Seen in a file the reader cannot parse, it means a credential is there but broken.
_C2PA_JUMBF = re.compile(rb"jumd.{17}c2pa", re.DOTALL)

_IPTC_SOURCE_TYPE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = _IPTC_SOURCE_TYPE + "trainedAlgorithmicMedia"

# The demo CA. Fixed names and a validity far into the past and future: certificates made
# on different machines or days differ only in their keys, and a build never "expires".
DEMO_ORGANISATION = "Second Look demo"
DEMO_ROOT_NAME = "Second Look demo root CA"
DEMO_SIGNER_NAME = "Second Look demo signer"
_DEMO_NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_DEMO_NOT_AFTER = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)
_DEMO_CA_FILE = "demo-ca.pem"
# C2PA signing certificates need an extended key usage the validator accepts: c2pa-rs's
# default trust configuration takes emailProtection, and documentSigning is what the C2PA
# specification names for this purpose; both are listed so newer validators agree too.
_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _record(
    state: str,
    *,
    signer: str = "",
    claim_generator: str = "",
    actions: list[str] | None = None,
    issues: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "state": state,
        "signer": signer[:_MAX_TEXT],
        "claim_generator": claim_generator[:_MAX_TEXT],
        "actions": [a[:_MAX_ACTION] for a in (actions or [])][:_MAX_ENTRIES],
        "issues": [i[:_MAX_ISSUE] for i in (issues or [])][:_MAX_ENTRIES],
    }


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _mime_type(head: bytes) -> str | None:
    """The format by content, not by name: a text file called .jpg is not a JPEG."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _has_credential_bytes(path: Path) -> bool:
    """Whether a C2PA manifest store seems to be embedded, scanning in overlapping chunks."""
    overlap = 32
    tail = b""
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            if _C2PA_JUMBF.search(tail + chunk):
                return True
            tail = chunk[-overlap:]
    return False


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _claim_generator(manifest: dict[str, Any]) -> str:
    # Claims v2 carry a list of {name, version}; v1 claims a single free-text string.
    for info in manifest.get("claim_generator_info") or []:
        if isinstance(info, dict) and _text(info.get("name")):
            version = _text(info.get("version"))
            return f"{_text(info['name'])} {version}".strip()
    return _text(manifest.get("claim_generator"))


def _signer(manifest: dict[str, Any]) -> str:
    info = manifest.get("signature_info")
    if not isinstance(info, dict):
        return ""
    # c2pa-rs reports the signing certificate's subject: its common name and organisation.
    name, organisation = _text(info.get("common_name")), _text(info.get("issuer"))
    if name and organisation and organisation not in name:
        return f"{name} ({organisation})"
    return name or organisation


def _actions(manifest: dict[str, Any]) -> list[str]:
    actions = []
    for assertion in manifest.get("assertions") or []:
        if not isinstance(assertion, dict):
            continue
        if not _text(assertion.get("label")).startswith("c2pa.actions"):
            continue
        data = assertion.get("data")
        for action in (data.get("actions") if isinstance(data, dict) else None) or []:
            if not isinstance(action, dict) or not _text(action.get("action")):
                continue
            text = _text(action["action"])
            # The source type is what says "made by a generative model", so keep its name.
            source = _text(action.get("digitalSourceType")).rstrip("/").rsplit("/", 1)[-1]
            actions.append(f"{text} ({source})" if source else text)
    return actions


def _issues(store: dict[str, Any]) -> list[str]:
    """Validation failures of the active manifest, as "code: explanation", without the
    manifest's own URN so the text is stable across signings of the same content."""
    seen: list[str] = []
    results = store.get("validation_results")
    failures = []
    if isinstance(results, dict) and isinstance(results.get("activeManifest"), dict):
        failures += results["activeManifest"].get("failure") or []
    failures += store.get("validation_status") or []
    for status in failures:
        if not isinstance(status, dict) or not _text(status.get("code")):
            continue
        explanation = _text(status.get("explanation"))
        text = f"{_text(status['code'])}: {explanation}" if explanation else _text(status["code"])
        if text not in seen:
            seen.append(text)
    return seen


def _reader_settings(trust_anchors_pem: str | None) -> dict[str, Any]:
    # Never touch the network: a hostile file could point at a remote manifest or make the
    # reader fetch OCSP responses from anywhere.
    settings: dict[str, Any] = {
        "verify": {
            "verify_trust": True,
            "remote_manifest_fetch": False,
            "ocsp_fetch": False,
        }
    }
    if trust_anchors_pem:
        settings["trust"] = {"trust_anchors": trust_anchors_pem}
    return settings


def read_provenance(
    path: Path, *, trust_anchors_pem: str | None = None, max_bytes: int = MAX_READ_BYTES
) -> dict[str, Any]:
    """What the file's C2PA manifest says, validated; never raises.

    "trusted": intact, correctly signed, and the signing chain leads to one of
    trust_anchors_pem (PEM certificates). "valid": intact and correctly signed, signer not
    trusted. "invalid": a manifest is present but fails validation (the content changed after
    signing, a broken signature, an unreadable manifest). "none": no manifest, or the file
    could not be read at all; `issues` then says why.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as error:
        return _record("none", issues=[f"file not readable: {error.strerror or error}"])
    if size > max_bytes:
        return _record("none", issues=[f"not checked: the file is larger than {max_bytes} bytes"])
    if size == 0:
        return _record("none", issues=["the file is empty"])
    try:
        import c2pa  # the native library loads on first use, not on importing this module
    except Exception as error:  # a missing or broken native library must not break ingest
        return _record("none", issues=[f"credentials not checked: {error}"])
    try:
        context = c2pa.Context.from_dict(_reader_settings(trust_anchors_pem))
        try:
            with path.open("rb") as stream:
                reader = c2pa.Reader.try_create(_mime_type(head), stream, None, context)
                if reader is None:
                    return _record("none")
                try:
                    store = json.loads(reader.json())
                finally:
                    reader.close()
        finally:
            context.close()
    except Exception as error:
        # The reader refused the file. If it carries a manifest store, a credential is
        # attached but cannot be validated: report it as invalid, not as missing.
        message = str(error).strip() or type(error).__name__
        try:
            attached = _has_credential_bytes(path)
        except OSError:
            attached = False
        if attached:
            return _record("invalid", issues=[f"the credential could not be read: {message}"])
        return _record("none", issues=[f"no credential could be read: {message}"])
    return _summarise(store, trusted_anchors=bool(trust_anchors_pem))


def _summarise(store: Any, *, trusted_anchors: bool) -> dict[str, Any]:
    if not isinstance(store, dict):
        return _record("invalid", issues=["the manifest store is malformed"])
    manifests = store.get("manifests")
    active = manifests.get(store.get("active_manifest")) if isinstance(manifests, dict) else None
    issues = _issues(store)
    if not isinstance(active, dict):
        return _record("invalid", issues=issues or ["no active manifest in the manifest store"])
    state = {"trusted": "trusted", "valid": "valid", "invalid": "invalid"}.get(
        _text(store.get("validation_state")).lower()
    )
    if state is None:
        # Older readers give no overall state: any failure makes the manifest invalid.
        untrusted_only = all(i.startswith("signingCredential.untrusted") for i in issues)
        state = "valid" if untrusted_only else "invalid"
    if state == "trusted" and not trusted_anchors:
        # "Trusted" must mean "by an anchor the caller gave", never a list built into the
        # library that this site has not vetted.
        state = "valid"
    return _record(
        state,
        signer=_signer(active),
        claim_generator=_claim_generator(active),
        actions=_actions(active),
        issues=[] if state == "trusted" else issues,
    )


# --------------------------------------------------------------------------------------------
# The demo certificate authority and signing
# --------------------------------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def _make_demo_ca() -> tuple[list[x509.Certificate], ec.EllipticCurvePrivateKey]:
    """A root CA and a signing certificate under it, ES256 (P-256) throughout.

    What C2PA validators check: the signer is an end entity (basicConstraints CA:false)
    with digitalSignature key usage and an accepted extended key usage, issued by a CA
    (CA:true, keyCertSign) that is not the signer itself; key identifiers link the two.
    """
    root_key = ec.generate_private_key(ec.SECP256R1())
    signer_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name(DEMO_ROOT_NAME))
        .issuer_name(_name(DEMO_ROOT_NAME))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_DEMO_NOT_BEFORE)
        .not_valid_after(_DEMO_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name(DEMO_SIGNER_NAME))
        .issuer_name(root.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_DEMO_NOT_BEFORE)
        .not_valid_after(_DEMO_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, _DOCUMENT_SIGNING]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    return [signer, root], signer_key


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _load_demo_ca(path: Path) -> tuple[str, str] | None:
    """(chain PEM, key PEM) from a cached CA file, or None if it is missing or unusable."""
    try:
        data = path.read_bytes()
        certs = x509.load_pem_x509_certificates(data)
        key = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError):
        return None
    if len(certs) != 2 or not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    if certs[0].public_key() != key.public_key():
        return None
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return "".join(_pem(c) for c in certs), key_pem


def demo_ca(ca_dir: Path) -> tuple[str, str]:
    """The demo CA's (chain PEM: signer then root, signer's private key PEM), made once.

    Cached as one file in ca_dir, written atomically, so concurrent builds never pair a key
    with another build's certificate. The key is a build artefact: generated under the build
    directory, readable only by its owner, never committed.
    """
    ca_dir = Path(ca_dir)
    path = ca_dir / _DEMO_CA_FILE
    cached = _load_demo_ca(path)
    if cached is not None:
        return cached
    ca_dir.mkdir(parents=True, exist_ok=True)
    certs, key = _make_demo_ca()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    chain_pem = "".join(_pem(c) for c in certs)
    fd, tmp = tempfile.mkstemp(prefix=".demo-ca.", dir=ca_dir)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key_pem + chain_pem)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    loaded = _load_demo_ca(path)
    if loaded is None:  # pragma: no cover - a file we have just written
        raise RuntimeError(f"could not read back the demo CA in {path}")
    return loaded


def demo_trust_anchor(ca_dir: Path) -> str:
    """The demo root certificate (PEM): the anchor that makes demo credentials "trusted"."""
    chain_pem, _ = demo_ca(ca_dir)
    return _pem(x509.load_pem_x509_certificates(chain_pem.encode("ascii"))[-1])


def sign_with_demo_ca(
    src: Path,
    dst: Path,
    *,
    ca_dir: Path,
    claim_generator: str,
    actions: list[str],
    digital_source_type: str = TRAINED_ALGORITHMIC_MEDIA,
) -> None:
    """Write src to dst with an embedded C2PA manifest signed by the demo CA.

    `actions` are C2PA action codes ("c2pa.created", "c2pa.edited", ...); a c2pa.created
    action gets `digital_source_type` (by default: made by a trained generative model), as
    the specification requires. JPEG, PNG, WebP and MP4/MOV are supported.
    """
    import c2pa

    src, dst = Path(src), Path(dst)
    with src.open("rb") as f:
        mime = _mime_type(f.read(16))
    if mime is None:
        raise ValueError(f"{src.name}: not a JPEG, PNG, WebP or MP4 file")
    entries: list[dict[str, Any]] = []
    for code in actions:
        entry: dict[str, Any] = {"action": code}
        if code == "c2pa.created":
            entry["digitalSourceType"] = digital_source_type
        entries.append(entry)
    definition = {
        "claim_generator_info": [{"name": claim_generator}],
        "assertions": [{"label": "c2pa.actions", "data": {"actions": entries}}],
    }
    chain_pem, key_pem = demo_ca(ca_dir)
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            c2pa.C2paSigningAlg.ES256, chain_pem.encode("ascii"), key_pem.encode("ascii"), None
        )
    )
    # No thumbnail (the credential stays small and says nothing about the pixels) and no
    # verification against the library's own trust list, which does not know the demo CA.
    context = c2pa.Context.from_dict(
        {"builder": {"thumbnail": {"enabled": False}}, "verify": {"verify_after_sign": False}}
    )
    try:
        builder = c2pa.Builder(definition, context=context)
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            with src.open("rb") as source, dst.open("w+b") as target:
                builder.sign(signer, mime, source, target)
        finally:
            builder.close()
    finally:
        signer.close()
        context.close()
