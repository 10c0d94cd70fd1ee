"""Importing a clip pack, all or nothing.

An import runs in three stages, each finished before the next starts, and nothing reaches the
database or MEDIA_ROOT before the last one:

1. quiz.packs.archive.read_pack: refuse an unsafe zip before unpacking anything, check the
   manifest, copy exactly the listed files into a private work folder.
2. `normalise_media`: read every file by its content (quiz.media.probe, the probe uploads use
   too), refuse decompression bombs and oversized videos, and re-encode it through
   quiz.media.encode, so imported media are stripped and encoded exactly like uploads.
3. `import_items`: render the posters, place the media under random served names, and create
   the clips in one transaction; placed files are removed again if the transaction fails.

Every refusal is a PackError carrying every problem found, each naming the item (or zip
member) and what is wrong.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image

from quiz.media.encode import encode_image, encode_video, render_poster
from quiz.media.files import media_path, place_media, remove_media, served_name, shown
from quiz.media.probe import (
    IMAGE,
    IMAGE_FORMATS,
    MediaLimits,
    MediaProblem,
    limited_frames,
    probe_media,
)
from quiz.models import Artifact, Clip
from quiz.packs.archive import Manifest, read_pack
from quiz.packs.format import (
    ARTIFACT_TRANSLATED,
    ITEM_TRANSLATED,
    STAGE_CHECKING,
    STAGE_ENCODING,
    STAGE_MANIFEST,
    STAGE_SAVING,
    TEXT_FIELDS,
    Limits,
    PackError,
    Progress,
    item_label,
    no_progress,
    translations_of,
)
from quiz.packs.manifest import artifact_pack_problems

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"created": len(self.created), "skipped": len(self.skipped)}


# --------------------------------------------------------------------------------------------
# Media: read by content, within limits, re-encoded like every other clip
# --------------------------------------------------------------------------------------------


def _kind_words() -> dict[str, str]:
    return {"video": _("a video"), "image": _("an image")}


def _normalise_one(source: Path, target: Path, kind: str, limits: MediaLimits) -> dict[str, Any]:
    if kind == IMAGE:
        with Image.open(source, formats=IMAGE_FORMATS) as image:
            image.load()
            info = encode_image(image, target)
        return {"width": info.width, "height": info.height, "duration_s": None}
    video = encode_video(limited_frames(source, limits), target)
    return {"width": video.width, "height": video.height, "duration_s": video.duration_s}


def _workers() -> int:
    # PyAV and Pillow release the GIL while coding, so threads use several cores.
    return settings.PACK_IMPORT_WORKERS


def normalise_media(
    manifest: Manifest,
    workdir: Path,
    *,
    skip_keys: Iterable[str] = (),
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Probe every listed file, then re-encode those whose key is not in skip_keys into
    workdir/normalised; return the items ready for import_items(root=workdir).

    Two passes, so a bad file is reported before minutes of encoding start: probing reads
    headers only, encoding decodes everything (and can still find a damaged file). Every
    problem of every file is collected; only the work folder is written. `progress`, if
    given, hears (STAGE_CHECKING, n, items) and (STAGE_ENCODING, n, new items), always from
    the calling thread.
    """
    report = progress or no_progress
    limits = Limits.from_settings().for_media()
    skip = set(skip_keys)
    problems: list[str] = []
    kinds: list[str] = []
    for index, item in enumerate(manifest.items):
        report(STAGE_CHECKING, index, len(manifest.items))
        where = item_label(index, item)
        try:
            kind = probe_media(manifest.root / item["file"], limits).kind
        except MediaProblem as problem:
            problems.append(f"{where}: {problem}")
            kinds.append("")
            continue
        declared = item.get("media_kind")
        if declared and declared != kind:
            problems.append(
                f"{where}: "
                + _("the manifest says media_kind %(declared)s, but the file is %(kind)s")
                % {"declared": declared, "kind": _kind_words()[kind]}
            )
        else:
            problems.extend(_kind_problems(where, item, kind, None))
        kinds.append(kind)
    if problems:
        raise PackError(problems)

    out = Path(workdir) / "normalised"
    out.mkdir(parents=True, exist_ok=True)
    todo = [
        (index, item, kind)
        for index, (item, kind) in enumerate(zip(manifest.items, kinds, strict=True))
        if item["key"] not in skip
    ]

    # Messages made in the worker threads speak the caller's language (it is per thread).
    language = translation.get_language()

    def work(job: tuple[int, dict[str, Any], str]) -> dict[str, Any] | list[str]:
        with translation.override(language):
            return encode(*job)

    def encode(index: int, item: dict[str, Any], kind: str) -> dict[str, Any] | list[str]:
        """The import-ready item, or the problems with its file."""
        name = f"normalised/{index + 1:04d}.{'mp4' if kind == 'video' else 'jpg'}"
        where = item_label(index, item)
        try:
            measured = _normalise_one(
                manifest.root / item["file"], Path(workdir) / name, kind, limits
            )
        except MediaProblem as problem:
            return [f"{where}: {problem}"]
        except Exception as error:
            # Hostile files make decoders fail in every way there is; each is one file's
            # problem, told to the person importing, never a crash of the whole import.
            log.info("pack media failed to decode: %s", item["file"], exc_info=True)
            message = _("the file cannot be decoded (%(error)s)") % {
                "error": shown(str(error) or type(error).__name__, 100)
            }
            return [f"{where}: {message}"]
        kind_problems = _kind_problems(where, item, kind, measured["duration_s"])
        return kind_problems or _import_item(item, kind, name, measured)

    report(STAGE_CHECKING, len(manifest.items), len(manifest.items))
    report(STAGE_ENCODING, 0, len(todo))
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        # Collected as they finish, so the count moves; reported from this thread (a hook
        # may write to the database, whose connections belong to their thread).
        futures = {pool.submit(work, job): number for number, job in enumerate(todo)}
        done: dict[int, dict[str, Any] | list[str]] = {}
        for future in as_completed(futures):
            done[futures[future]] = future.result()
            report(STAGE_ENCODING, len(done), len(todo))
    results = [done[number] for number in range(len(todo))]
    for result in results:
        if isinstance(result, list):
            problems.extend(result)
    if problems:
        raise PackError(problems)
    return [r for r in results if isinstance(r, dict)]


def _kind_problems(
    where: str, item: dict[str, Any], kind: str, duration_s: float | None
) -> list[str]:
    """The artifact rules that need the file: no times on an image whose kind was left to
    the content, no times past the end of the measured video. (Boxes and time order were
    already checked with the manifest.)"""
    problems = []
    for number, artifact in enumerate(item.get("artifacts", []), start=1):
        problems.extend(
            artifact_pack_problems(
                f"{where}, " + _("artifact %(number)d") % {"number": number},
                artifact,
                media_kind=kind,
                duration_s=duration_s,
            )
        )
    return problems


def _import_item(
    item: dict[str, Any], kind: str, file: str, measured: dict[str, Any]
) -> dict[str, Any]:
    """The item as import_items wants it: normalised file, measured size and duration."""
    return {
        "key": item["key"],
        "file": file,
        "original_sha256": item.get("sha256", ""),
        "media_kind": kind,
        "is_generated": item["is_generated"],
        **{name: item.get(name, "") for name in TEXT_FIELDS},
        "translations": item.get("translations", {}),
        **measured,
        "artifacts": [
            {
                "category": a["category"],
                "start_s": a.get("start_s"),
                "end_s": a.get("end_s"),
                "box": list(a["box"]),
                "explanation": a["explanation"],
                "translations": a.get("translations", {}),
            }
            for a in item.get("artifacts", [])
        ],
        # Checked by the schema; the pack's word for what the original's credential said.
        "provenance": item.get("provenance", {}),
    }


# --------------------------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Into the library
# --------------------------------------------------------------------------------------------


def _placed_media(item: dict[str, Any], root: Path) -> tuple[str, str]:
    """Copy an item's (already normalised) media into MEDIA_ROOT under a served name and
    render a video's poster beside it; return (media name, poster name or ""). The source
    stays where it is (the demo pack imports from its build folder)."""
    kind = item["media_kind"]
    (media_name,) = place_media(
        [(root / item["file"], served_name(".mp4" if kind == "video" else ".jpg"))], copy=True
    )
    if kind != "video":
        return media_name, ""
    poster_name = served_name(".jpg")
    try:
        render_poster(media_path(media_name), media_path(poster_name))
    except BaseException:
        remove_media([media_name, poster_name])
        raise
    return media_name, poster_name


def import_items(items: Iterable[dict[str, Any]], *, root: Path) -> ImportReport:
    """Create a ready Clip with its Artifacts for every item whose key is not yet present.

    The items' files lie under `root`. Media are copied into place before the transaction
    (slow I/O stays outside it) and removed again if it fails.
    """
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
            placed.append((item, *_placed_media(item, root)))
        with transaction.atomic():
            for item, media_name, poster_name in placed:
                _create_clip(item, media_name, poster_name)
                report.created.append(item["key"])
    except BaseException:
        remove_media(name for _item, *names in placed for name in names)
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
        translations=translations_of(item.get("translations"), ITEM_TRANSLATED),
        media=media_name,
        poster=poster_name,
        width=item.get("width"),
        height=item.get("height"),
        duration_s=item.get("duration_s"),
        provenance=item.get("provenance", {}),
        original_sha256=item.get("original_sha256", ""),
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
            translations=translations_of(artifact.get("translations"), ARTIFACT_TRANSLATED),
        )
        for artifact in item.get("artifacts", [])
    )
    return clip


def import_pack(path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Import a pack all or nothing; items whose key is already in the library are skipped.

    Steps: read and check the pack into a private work folder, probe and re-encode the media
    there, then hand the normalised items to import_items (one transaction; it removes any
    media it placed if that fails). The work folder is removed whatever happens. Safe to
    repeat: a second run finds every key present and changes nothing. `progress`, if given,
    hears each stage as it starts and moves (the STAGE_* keys of quiz.packs.format).
    """
    hook = progress or no_progress
    parent = settings.PACK_WORK_DIR
    with tempfile.TemporaryDirectory(prefix="second-look-pack-", dir=parent) as tmp:
        workdir = Path(tmp)
        hook(STAGE_MANIFEST, 0, 0)
        manifest = read_pack(Path(path), workdir)
        keys = [item["key"] for item in manifest.items]
        present = set(Clip.objects.filter(key__in=keys).values_list("key", flat=True))
        ready = normalise_media(manifest, workdir, skip_keys=present, progress=progress)
        hook(STAGE_SAVING, 0, len(ready))
        try:
            report = import_items(ready, root=workdir)
        except IntegrityError as error:
            message = _("the database refused the clips (%(error)s); nothing was imported")
            raise PackError([message % {"error": shown(str(error), 200)}]) from error
        hook(STAGE_SAVING, len(ready), len(ready))
    report.skipped = [key for key in keys if key in present] + report.skipped
    log.info(
        "imported pack %s: %d created, %d skipped",
        manifest.title,
        len(report.created),
        len(report.skipped),
    )
    return report


__all__ = ["ImportReport", "import_items", "import_pack", "normalise_media"]
