"""Importing the items of an unpacked, already validated pack into the clip library.

Media files are copied under random names before the database transaction (slow I/O stays
outside it) and removed again if the transaction fails, so an import is all or nothing.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from quiz.media.encode import render_poster
from quiz.models import Artifact, Clip

CLIP_DIR = "clips"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"created": len(self.created), "skipped": len(self.skipped)}


def _random_name(suffix: str) -> str:
    # Opaque and unrelated to the label or the source file: nothing to learn from a URL.
    return f"{CLIP_DIR}/{secrets.token_urlsafe(18)}{suffix}"


def _place_media(item: dict[str, Any], root: Path) -> tuple[str, str]:
    """Copy an item's (already normalised) media and its poster into MEDIA_ROOT."""
    source = root / item["file"]
    media_root = Path(settings.MEDIA_ROOT)
    (media_root / CLIP_DIR).mkdir(parents=True, exist_ok=True)
    media_name = _random_name(".mp4" if item["media_kind"] == "video" else ".jpg")
    shutil.copyfile(source, media_root / media_name)
    poster_name = ""
    if item["media_kind"] == "video":
        poster_name = _random_name(".jpg")
        render_poster(media_root / media_name, media_root / poster_name)
    return media_name, poster_name


def import_items(items: Iterable[dict[str, Any]], *, root: Path) -> ImportReport:
    """Create a ready Clip with its Artifacts for every item whose key is not yet present."""
    report = ImportReport()
    todo = []
    for item in items:
        if Clip.objects.filter(key=item["key"]).exists():
            report.skipped.append(item["key"])
        else:
            todo.append(item)
    placed: list[tuple[dict[str, Any], str, str]] = []
    try:
        for item in todo:
            placed.append((item, *_place_media(item, root)))
        with transaction.atomic():
            for item, media_name, poster_name in placed:
                _create_clip(item, media_name, poster_name)
                report.created.append(item["key"])
    except BaseException:
        for _item, media_name, poster_name in placed:
            for name in (media_name, poster_name):
                if name:
                    (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)
        raise
    return report


def _create_clip(item: dict[str, Any], media_name: str, poster_name: str) -> Clip:
    clip = Clip.objects.create(
        key=item["key"],
        media_kind=item["media_kind"],
        status=Clip.Status.READY,
        is_generated=item["is_generated"],
        generator=item.get("generator", ""),
        prompt=item.get("prompt", ""),
        credit=item.get("credit", ""),
        license=item.get("license", ""),
        source_url=item.get("source_url", ""),
        description=item.get("description", ""),
        explanation=item.get("explanation", ""),
        media=media_name,
        poster=poster_name,
        width=item.get("width"),
        height=item.get("height"),
        duration_s=item.get("duration_s"),
        provenance=item.get("provenance", {}),
    )
    Artifact.objects.bulk_create(
        Artifact(
            clip=clip,
            category=artifact["category"],
            start_s=artifact.get("start_s"),
            end_s=artifact.get("end_s"),
            box_x=artifact["box"][0],
            box_y=artifact["box"][1],
            box_w=artifact["box"][2],
            box_h=artifact["box"][3],
            explanation=artifact["explanation"],
        )
        for artifact in item.get("artifacts", [])
    )
    return clip
