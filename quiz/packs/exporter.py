"""Exporting clips as a pack (format v1) that imports back into the same clips: their truth,
artifacts and provenance in manifest.json, their served media in media/.

The manifest is checked with the import's own rules before a byte is written, and the zip is
written beside its target and renamed, so an export is a whole pack or nothing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from quiz.media.files import shown
from quiz.media.provenance import STATES as PROVENANCE_STATES
from quiz.models import Clip
from quiz.packs.format import (
    ARTIFACT_TRANSLATED,
    ITEM_TRANSLATED,
    KEY_PATTERN,
    MANIFEST_NAME,
    PACK_FORMAT,
    PACK_VERSION,
    STAGE_WRITING,
    TEXT_FIELDS,
    PackError,
    Progress,
    no_progress,
    translations_of,
)
from quiz.packs.manifest import check_manifest

# Fixed timestamp for exported members: the zip then says nothing about when clips were added.
_EXPORT_DATE = (1980, 1, 1, 0, 0, 0)


# The pack format's limits on a provenance record (manifest.schema.json, $defs/provenance).
_PROVENANCE_TEXT = {"signer": 300, "claim_generator": 300}
_PROVENANCE_LISTS = {"actions": 200, "issues": 500}


def _export_provenance(record: Any) -> dict[str, Any] | None:
    """A clip's provenance in the pack format, or None if it holds no credential check.

    Records come from quiz.media.provenance (always in this shape) but the field is free
    JSON, so anything else (hand-edited, older) is reduced to the format's fields rather
    than making the whole export fail its own schema check.
    """
    if not isinstance(record, dict) or record.get("state") not in PROVENANCE_STATES:
        return None
    out: dict[str, Any] = {"state": record["state"]}
    for name, limit in _PROVENANCE_TEXT.items():
        if isinstance(record.get(name), str):
            out[name] = record[name][:limit]
    for name, limit in _PROVENANCE_LISTS.items():
        if isinstance(record.get(name), list):
            out[name] = [v[:limit] for v in record[name] if isinstance(v, str)][:50]
    return out


def _keyed_clip(clip: Clip) -> Clip:
    """Give a clip without a usable key one of its own, kept, so every exported item names
    its clip: two clips made from the same file then export and import back as two, and
    importing the pack into this library again finds them all present."""
    if not (clip.key and KEY_PATTERN.match(clip.key)):
        key = f"clip-{secrets.token_hex(8)}"
        # Only if nobody gave it a key meanwhile (a concurrent export).
        if Clip.objects.filter(pk=clip.pk, key=clip.key).update(key=key):
            clip.key = key
        else:
            clip.key = Clip.objects.values_list("key", flat=True).get(pk=clip.pk)
    return clip


def _translations(value: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """{"translations": …} when there are any, else nothing (older readers see no change)."""
    cleaned = translations_of(value, fields)
    return {"translations": cleaned} if cleaned else {}


def _export_item(clip: Clip, file: str) -> dict[str, Any]:
    item: dict[str, Any] = {"file": file}
    # A key the format cannot carry is left out; the import then makes one from the content.
    if clip.key and KEY_PATTERN.match(clip.key):
        item["key"] = clip.key
    item.update(
        media_kind=clip.media_kind,
        is_generated=clip.is_generated,
        **{name: getattr(clip, name) for name in TEXT_FIELDS},
        width=clip.width,
        height=clip.height,
        duration_s=clip.duration_s,
        artifacts=[
            {
                "category": artifact.category,
                "start_s": artifact.start_s,
                "end_s": artifact.end_s,
                "box": [artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h],
                "explanation": artifact.explanation,
                **_translations(artifact.translations, ARTIFACT_TRANSLATED),
            }
            for artifact in clip.artifacts.all()
        ],
        **_translations(clip.translations, ITEM_TRANSLATED),
    )
    provenance = _export_provenance(clip.provenance)
    if provenance is not None:
        item["provenance"] = provenance
    return item


def export_pack(
    path: Path,
    clips: QuerySet[Clip] | None = None,
    *,
    title: str,
    progress: Progress | None = None,
) -> int:
    """Write clips (default: every ready clip) as a v1 pack zip at path; return how many.

    The manifest is checked with the import's own rules first, so an export never produces
    a pack that import would refuse. Media go in as media/NNNN.mp4|jpg, numbered in order,
    with a fixed timestamp: the zip says nothing the manifest does not. Written to a
    temporary file beside path and renamed, so path is either the whole pack or untouched.
    `progress`, if given, hears (STAGE_WRITING, n, clips) as each clip goes in.
    """
    hook = progress or no_progress
    path = Path(path)
    queryset = Clip.objects.ready() if clips is None else clips
    rows = list(queryset.order_by("id").prefetch_related("artifacts"))
    if not rows:
        raise PackError([_("there are no clips to export")])
    problems = []
    items = []
    for number, clip in enumerate(rows, start=1):
        extension = "mp4" if clip.is_video else "jpg"
        items.append(_export_item(_keyed_clip(clip), f"media/{number:04d}.{extension}"))
        if not clip.media or not clip.media.storage.exists(clip.media.name):
            problems.append(
                _("clip %(clip)s: its media file is missing") % {"clip": _clip_name(clip)}
            )
    manifest = {"format": PACK_FORMAT, "version": PACK_VERSION, "title": title, "items": items}
    problems += check_manifest(
        manifest, label=lambda index, _item: _("clip %(clip)s") % {"clip": _clip_name(rows[index])}
    )
    if problems:
        raise PackError(problems)
    payload = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise PackError([f"{shown(str(path))}: {error.strerror or error}"]) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w") as archive:
                archive.writestr(_member(MANIFEST_NAME, zipfile.ZIP_DEFLATED), payload)
                hook(STAGE_WRITING, 0, len(rows))
                for number, (clip, item) in enumerate(zip(rows, items, strict=True), start=1):
                    # Stored, not deflated: MP4 and JPEG do not compress any further.
                    member = _member(item["file"], zipfile.ZIP_STORED)
                    size = clip.media.size
                    with (
                        clip.media.open("rb") as src,
                        archive.open(member, "w", force_zip64=size >= 2**31 - 1) as dst,
                    ):
                        shutil.copyfileobj(src, dst, 1024 * 1024)
                    hook(STAGE_WRITING, number, len(rows))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise PackError([f"{shown(str(path))}: {error.strerror or error}"]) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(rows)


def _clip_name(clip: Clip) -> str:
    return clip.key or f"#{clip.pk}"


def _member(name: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_EXPORT_DATE)
    info.compress_type = method
    info.create_system = 3  # Unix, so the mode bits below mean what they say
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


__all__ = ["export_pack"]
