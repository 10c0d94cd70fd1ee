"""Where media files live and what they are called.

Served files (MEDIA_ROOT) get random names of one shape, "clips/<token>.mp4|jpg", made here
and only here: uploads, pack imports and replays alike, so nothing can be learnt from a URL
and the media view accepts exactly these names. A clip's thumbnails are named after its
poster, and a replay's poster after the replay, so they need no field of their own. Files reach MEDIA_ROOT whole (placed after they
are made elsewhere) and leave it together.

Files that come from people (an upload's original, an uploaded pack) are kept privately under
ORIGINALS_ROOT, also under random names; the client's own name, cleaned, is only ever shown
back to them. And the words for sizes and lengths that the limits are given in.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

CLIP_DIR = "clips"
# The names `served_name` makes (and the media view serves): a folder, a random token, a
# known suffix. Thumbnails add "-t<N>" to their poster's token.
SERVED_NAME_PATTERN = re.compile(r"^clips/[A-Za-z0-9_-]{16,64}\.(mp4|jpg)$")
THUMBNAIL_COUNT = 8


def served_name(suffix: str) -> str:
    """A new name under MEDIA_ROOT: opaque, unrelated to the label, the uploader or the
    source file, so nothing is learnt from a URL. `suffix` is ".mp4" or ".jpg"."""
    return f"{CLIP_DIR}/{secrets.token_urlsafe(18)}{suffix}"


def thumbnail_names(poster: str) -> list[str]:
    """Where a clip's thumbnails live, derived from its poster's name."""
    stem = poster.removesuffix(".jpg")
    return [f"{stem}-t{index}.jpg" for index in range(THUMBNAIL_COUNT)]


def replay_poster_name(replay: str) -> str:
    """Where a video replay's poster (its first frame, shown until it plays) lives, derived
    from the replay's name ("" for a still replay, which needs none)."""
    return replay.removesuffix(".mp4") + "-p.jpg" if replay.endswith(".mp4") else ""


def replay_files(replay: str) -> list[str]:
    """A replay's files: the replay and, for a video, its poster."""
    return [name for name in (replay, replay_poster_name(replay)) if name]


def media_path(name: str) -> Path:
    """Where the served file `name` lies on disk."""
    return Path(settings.MEDIA_ROOT) / name


def place_media(files: Iterable[tuple[Path, str]], *, copy: bool = False) -> list[str]:
    """Move (or copy, keeping the sources) finished files into MEDIA_ROOT under their served
    names; return the names placed (all of them, or none: a failure removes what was
    already placed)."""
    placed: list[str] = []
    try:
        for source, name in files:
            target = media_path(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            # A rename when both folders share a disk; a copy otherwise. Either way the file
            # is not served until a row names it.
            if copy:
                shutil.copyfile(source, target)
            else:
                shutil.move(source, target)
            placed.append(name)
    except BaseException:
        remove_media(placed)
        raise
    return placed


def remove_media(names: Iterable[str]) -> None:
    """Delete files under MEDIA_ROOT by name; empty names and missing files are fine."""
    for name in names:
        if name:
            media_path(name).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Originals: private, under ORIGINALS_ROOT
# --------------------------------------------------------------------------------------------


def original_path(name: str, *, folder: str) -> Path:
    """The file of a stored original named `name`; ValueError unless it lies inside
    ORIGINALS_ROOT/folder (the name is ours, but a row edited by hand must not send anyone
    elsewhere)."""
    root = Path(settings.ORIGINALS_ROOT)
    path = (root / name).resolve()
    if not name or not path.is_relative_to((root / folder).resolve()):
        raise ValueError(f"not a stored file under {folder}/: {name!r}")
    return path


def _moved(source: str, target: Path) -> bool:
    """Move a file; False when it cannot be moved (another file system), so the caller
    copies it instead."""
    try:
        os.replace(source, target)
    except OSError:
        return False
    return True


def original_name(*, folder: str, suffix: str = "") -> str:
    """A new private name under ORIGINALS_ROOT/folder: random, so nothing about the person,
    the file or its clips can be learnt from it."""
    return f"{folder}/{secrets.token_urlsafe(18)}{suffix}"


def original_store(upload: UploadedFile, *, folder: str, suffix: str = "") -> str:
    """Keep an uploaded file under ORIGINALS_ROOT/folder with a random name; return the name
    (relative to ORIGINALS_ROOT). Nothing is left behind if writing fails."""
    name = original_name(folder=folder, suffix=suffix)
    target = original_path(name, folder=folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = getattr(upload, "temporary_file_path", None)
    # A big upload already sits in a temporary file: moving it saves copying 2 GB. Django
    # tolerates its temporary file being gone when the request ends.
    if temporary is not None and _moved(temporary(), target):
        return name
    try:
        # "xb": never write through something already there.
        with target.open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return name


def original_remove(name: str, *, folder: str) -> None:
    if name:
        original_path(name, folder=folder).unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Names and sizes, for people
# --------------------------------------------------------------------------------------------


def clean_original_name(name: str | bytes) -> str:
    """The client's file name, safe to store and show back to the uploader.

    Only the last path component is kept (no folders, no "..", either slash); bytes that are
    not UTF-8 become U+FFFD; control and invisible formatting characters (including
    right-to-left overrides that disguise an extension) are dropped; the result is cut to 255
    characters, keeping a short extension. Never used to name a file on disk.
    """
    if isinstance(name, bytes):
        raw = name
    else:
        try:
            # Names Python decoded with surrogateescape carry their undecodable bytes.
            raw = name.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = name.encode("utf-8", "replace")
    text = unicodedata.normalize("NFC", raw.decode("utf-8", "replace"))
    parts = [p for p in re.split(r"[/\\]+", text) if p.strip() not in ("", ".", "..")]
    text = parts[-1] if parts else ""
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split())
    if len(text) > 255:
        stem, dot, extension = text.rpartition(".")
        if dot and stem and 0 < len(extension) <= 16:
            text = stem[: 254 - len(extension)].rstrip() + "." + extension
        else:
            text = text[:255]
    return text or "upload"


def shown(text: str, limit: int = 120) -> str:
    """A name or message from outside (a pack, a decoder), safe to print: control and format
    characters escaped (no terminal escapes or right-to-left tricks), long text shortened."""
    text = "".join(
        ascii(ch)[1:-1] if unicodedata.category(ch).startswith("C") else ch for ch in text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def file_size_words(n: int) -> str:
    """A size as people read it: "300 MB", "4.8 MB", "900 kB". Counted in 1024s, like the
    limits in settings (300 * 1024**2 reads "300 MB", as it was meant)."""
    if n >= 1024**3:
        return _("%(size)s GB") % {"size": f"{n / 1024**3:.1f}".removesuffix(".0")}
    if n >= 10 * 1024**2:
        return _("%(size)s MB") % {"size": f"{n / 1024**2:.0f}"}
    if n >= 1024**2:
        return _("%(size)s MB") % {"size": f"{n / 1024**2:.1f}".removesuffix(".0")}
    if n >= 1024:
        return _("%(size)s kB") % {"size": f"{n / 1024:.0f}"}
    return _("%(size)s bytes") % {"size": n}


def duration_words(seconds: float) -> str:
    """ "3 min", "3 min 20 s", "2.5 s"."""
    if seconds >= 60:
        whole = round(seconds)
        minutes, rest = divmod(whole, 60)
        if rest:
            return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": rest}
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)s s") % {"seconds": f"{seconds:.1f}".removesuffix(".0")}


__all__ = [
    "CLIP_DIR",
    "SERVED_NAME_PATTERN",
    "THUMBNAIL_COUNT",
    "clean_original_name",
    "duration_words",
    "file_size_words",
    "media_path",
    "original_name",
    "original_path",
    "original_remove",
    "original_store",
    "place_media",
    "remove_media",
    "served_name",
    "shown",
    "thumbnail_names",
]
