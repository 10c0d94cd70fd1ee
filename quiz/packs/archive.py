"""Clip packs, format v1 (DESIGN.md "Clip packs"): read and check a pack, import it all or
nothing, and export a library as a pack that imports back into the same clips.

A pack comes from outside, so everything in it is treated as hostile until checked. An import
runs in three stages, each finished before the next starts, and nothing reaches the database
or MEDIA_ROOT before the last one:

1. `read_pack`: refuse unsafe zip members (paths leaving the pack, links, duplicates, zip
   bombs) before unpacking anything; parse manifest.json, validate it against
   manifest.schema.json and the rules a schema cannot express; check that the pack holds
   exactly the listed files; copy those files into a private work folder, counting bytes.
2. `normalise_media`: read every file by its content (never its extension), refuse
   decompression bombs and oversized videos, and re-encode it through quiz.media.encode, so
   imported media are stripped and encoded exactly like the demo pack.
3. `quiz.packs.importer.import_items`: place the media under random names and create the
   clips in one transaction, all or nothing.

Every refusal is a `PackError` carrying every problem found, each naming the item (or zip
member) and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import av
import numpy as np
from django.conf import settings
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from quiz.media.encode import encode_image, encode_video, iter_video_frames
from quiz.media.provenance import STATES as PROVENANCE_STATES
from quiz.models import Clip
from quiz.packs.importer import ImportReport, import_items

log = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
PACK_FORMAT = "second-look-pack"
PACK_VERSION = 1
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
# Enough to act on, few enough to read: a pack with 5000 bad items gets the first 50.
MAX_PROBLEMS = 50
# A deflated member that grows more than 100-fold (and is big enough to matter) is a zip
# bomb: MP4 and JPEG barely compress, and manifest.json is capped on its own.
ZIP_BOMB_RATIO = 100
ZIP_BOMB_MIN_BYTES = 1024 * 1024
# Legitimate central-directory entries are a few hundred bytes (name <= 255, small extras);
# anything bigger per allowed member is a directory built to exhaust memory while parsing.
ZIP_DIRECTORY_BYTES_PER_MEMBER = 1024
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
# The same slack as the Artifact "artifact_box_inside_frame" constraint, so whatever passes
# here also passes the database.
BOX_SLACK = 1e-9
# Re-encoding to constant 25 fps can move a clip's end by a frame or two.
TIME_SLACK_S = 0.25
# A source faster than this is not footage a learner can watch; it bounds decoding work when
# a file lies about its duration.
MAX_SOURCE_FPS = 240
# Demuxers a pack's video may use. FFmpeg can also open playlists and concatenation lists that
# pull in other files or URLs; those must never run on a pack's file.
VIDEO_FORMATS = "mov,mp4,matroska,webm,avi,mpegts"
# Pillow plugins a pack's image may use; some others (EPS) hand the file to external programs.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
_DRIVE = re.compile(r"^[A-Za-z]:")
# Fixed timestamp for exported members: the zip then says nothing about when clips were added.
_EXPORT_DATE = (1980, 1, 1, 0, 0, 0)

# Stages an import or export reports to its `progress` hook, in the order they come, as
# progress(stage, done, total). Keys, not words: whoever shows them translates them for the
# person watching (quiz.packs.jobs), not for the worker's language.
STAGE_MANIFEST = "manifest"  # reading and checking manifest.json, unpacking (0 of 0)
STAGE_CHECKING = "checking"  # probing each file by its content (n of items)
STAGE_ENCODING = "encoding"  # re-encoding each new file (n of new items)
STAGE_SAVING = "saving"  # placing media and creating the clips (0 of n, then n of n)
STAGE_WRITING = "writing"  # export: writing each clip into the zip (n of clips)
Progress = Callable[[str, int, int], None]

# End-of-central-directory records, read before zipfile parses the directory (see
# _zip_directory_problems).
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


class PackError(Exception):
    """A pack was refused; `problems` says, item by item, what is wrong. Nothing changed."""

    def __init__(self, problems: Iterable[str]) -> None:
        problems = list(problems)
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                _("… and %(count)d more problems") % {"count": more},
            ]
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Limits:
    """What a pack may cost; each from settings, with a default that suits a classroom."""

    max_bytes: int
    max_files: int
    max_image_pixels: int
    max_video_seconds: float
    max_video_side: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.PACK_MAX_BYTES,
            max_files=settings.PACK_MAX_FILES,
            max_image_pixels=settings.PACK_MAX_IMAGE_PIXELS,
            max_video_seconds=settings.PACK_MAX_VIDEO_SECONDS,
            max_video_side=settings.PACK_MAX_VIDEO_SIDE,
        )


@dataclass(frozen=True)
class Manifest:
    """A checked pack, unpacked: items as in manifest.json, each with its `key` (made from
    the title and the file's content when the pack gives none), and `root`, the private
    folder holding the listed files at their listed paths."""

    title: str
    items: list[dict[str, Any]]
    root: Path


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------


def _shown(text: str, limit: int = 120) -> str:
    """A name from a pack, safe to print: control and format characters escaped (no terminal
    escapes or right-to-left tricks), long names shortened."""
    text = "".join(
        ascii(ch)[1:-1] if unicodedata.category(ch).startswith("C") else ch for ch in text
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{round(value, 6):g}"


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GiB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MiB"
    return f"{n} B"


def _item_label(index: int, item: Any) -> str:
    """How messages name an item: "item 3 (media/0003.mp4)", counted from 1 like a person."""
    file = item.get("file") if isinstance(item, dict) else None
    if isinstance(file, str):
        return _("item %(number)d (%(file)s)") % {"number": index + 1, "file": _shown(file)}
    return _("item %(number)d") % {"number": index + 1}


def _folded(name: str) -> str:
    # Names that differ only in case or Unicode form are one file on macOS and Windows.
    return unicodedata.normalize("NFKC", name).casefold()


def _path_problem(name: str) -> str | None:
    """Why `name` is not a safe relative path inside a pack, or None."""
    if "\x00" in name:
        return _("the path contains a NUL character")
    if "\\" in name:
        return _("the path contains a backslash; use forward slashes")
    if name.startswith("/") or _DRIVE.match(name):
        return _("the path is absolute; paths must be relative to the pack")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return _("the path contains control characters")
    parts = name.removesuffix("/").split("/")
    if ".." in parts:
        return _("the path contains '..', which would leave the pack")
    if "" in parts or "." in parts:
        return _("the path has an empty or '.' segment")
    return None


# --------------------------------------------------------------------------------------------
# The manifest: parse, schema, the rules a schema cannot express
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently; a manifest that says "file" twice is
    # ambiguous, and which one wins must not be a guess.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    # NaN slips through "minimum"/"maximum" checks (every comparison with it is false).
    raise ValueError(name)


def parse_manifest(raw: bytes) -> Any:
    """Parse manifest.json, refusing what json would accept silently (NaN, repeated keys)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackError(
            [_("manifest.json is not UTF-8 text (byte %(offset)d)") % {"offset": error.start}]
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        message = _(
            "manifest.json is not valid JSON: %(error)s at line %(line)d, column %(column)d"
        )
        raise PackError(
            [message % {"error": error.msg, "line": error.lineno, "column": error.colno}]
        ) from None
    except _DuplicateKey as error:
        message = _("manifest.json is not valid: the key %(key)s appears twice in one object")
        raise PackError([message % {"key": json.dumps(_shown(str(error)))}]) from None
    except ValueError as error:
        # NaN/Infinity, or an integer with more digits than Python will parse.
        message = _("manifest.json is not valid JSON: %(error)s is not allowed")
        raise PackError([message % {"error": _shown(str(error), 60)}]) from None
    except RecursionError:
        raise PackError([_("manifest.json is not valid: it is nested too deeply")]) from None


_BOX_PARTS = ("x", "y", "width", "height")


def _where(path: list[Any]) -> str:
    """A schema error's place in words: "artifact 2, box width" rather than a JSON pointer."""
    words: list[str] = []
    index = 0
    while index < len(path):
        part = path[index]
        following = path[index + 1] if index + 1 < len(path) else None
        if part == "artifacts" and isinstance(following, int):
            words.append(_("artifact %(number)d") % {"number": following + 1})
            index += 2
        elif part == "box" and isinstance(following, int) and following < len(_BOX_PARTS):
            words.append(f"box {_BOX_PARTS[following]}")
            index += 2
        else:
            words.append(f"[{part}]" if isinstance(part, int) else str(part))
            index += 1
    return ", ".join(words)


def _schema_message(error: ValidationError) -> str:
    field = error.absolute_path[-1] if error.absolute_path else None
    if error.validator == "enum" and field == "category":
        codes = ", ".join(
            _validator().schema["$defs"]["artifact"]["properties"]["category"]["enum"]
        )
        return _("unknown category %(value)s (known: %(codes)s)") % {
            "value": _shown(json.dumps(error.instance), 40),
            "codes": codes,
        }
    if error.validator == "pattern":
        if field == "file":
            return _path_problem(error.instance) or _(
                "the path must be relative, with forward slashes and no control characters"
            )
        if field == "key":
            return _("a key may only contain letters, digits, '-' and '_'")
        if field == "source_url":
            return _("source_url must be empty or an http(s) URL")
    if error.validator == "maxLength":
        return _("is too long: %(length)d characters, at most %(limit)d") % {
            "length": len(error.instance),
            "limit": error.validator_value,
        }
    if error.validator == "maxItems":
        return _("has %(count)d entries, at most %(limit)d") % {
            "count": len(error.instance),
            "limit": error.validator_value,
        }
    # jsonschema's own wording ("1.2 is greater than the maximum of 1") is clear, but it
    # starts with the value, which may be huge.
    text = error.message
    value = repr(error.instance)
    if len(value) > 60 and text.startswith(value):
        text = _shown(value, 40) + text[len(value) :]
    return _shown(text, 300)


def _error_order(error: ValidationError) -> list[tuple[int, int | str]]:
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]


def check_manifest(
    data: Any, *, label: Callable[[int, dict[str, Any]], str] = _item_label
) -> list[str]:
    """Every problem with a parsed manifest (schema first, then the cross-field rules);
    empty if it is a valid v1 manifest. No files, no database."""
    if not isinstance(data, dict):
        return [_("manifest.json must hold a JSON object with format, version, title and items")]
    if data.get("format") != PACK_FORMAT:
        return [
            _('this is not a Second Look pack: format is %(value)s, expected "%(expected)s"')
            % {"value": _shown(json.dumps(data.get("format")), 60), "expected": PACK_FORMAT}
        ]
    version = data.get("version")
    if isinstance(version, bool) or version != PACK_VERSION:
        # Nothing else about a pack of another version can be judged by the v1 rules.
        return [
            _("this pack is format version %(value)s; this Second Look reads version %(ours)d")
            % {"value": _shown(json.dumps(version), 20), "ours": PACK_VERSION}
        ]
    errors = sorted(_validator().iter_errors(data), key=_error_order)
    if errors:
        problems = []
        items = data.get("items")
        for error in errors[:MAX_PROBLEMS]:
            path = list(error.absolute_path)
            if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
                where = label(path[1], items[path[1]])
                if len(path) > 2:
                    where = f"{where}, {_where(path[2:])}"
            else:
                where = _where(path) or "manifest.json"
            problems.append(f"{where}: {_schema_message(error)}")
        if len(errors) > MAX_PROBLEMS:
            more = len(errors) - MAX_PROBLEMS
            problems.append(_("… and %(count)d more problems") % {"count": more})
        return problems
    return _cross_field_problems(data["items"], label)


def _cross_field_problems(
    items: list[dict[str, Any]], label: Callable[[int, dict[str, Any]], str]
) -> list[str]:
    problems: list[str] = []
    files: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, item in enumerate(items):
        where = label(index, item)
        file = item["file"]
        path_problem = _path_problem(file)
        if path_problem:
            problems.append(f"{where}: {path_problem}")
        elif file == MANIFEST_NAME:
            problems.append(f"{where}: " + _("manifest.json is not a media file"))
        first = files.setdefault(_folded(file), index)
        if first != index:
            problems.append(
                f"{where}: "
                + _("the file is already listed by item %(number)d") % {"number": first + 1}
            )
        if "key" in item:
            first = keys.setdefault(item["key"], index)
            if first != index:
                problems.append(
                    f"{where}: "
                    + _("the key %(key)s is already used by item %(number)d")
                    % {"key": item["key"], "number": first + 1}
                )
        for number, artifact in enumerate(item.get("artifacts", []), start=1):
            problems.extend(
                _artifact_problems(
                    f"{where}, " + _("artifact %(number)d") % {"number": number},
                    artifact,
                    media_kind=item.get("media_kind"),
                )
            )
    return problems


def _artifact_problems(
    where: str,
    artifact: dict[str, Any],
    *,
    media_kind: str | None,
    duration_s: float | None = None,
) -> list[str]:
    """The rules on one artifact the schema cannot express. `media_kind` None means not yet
    known (decided by the file's content later); `duration_s` is the measured length."""
    problems = []
    x, y, w, h = artifact["box"]
    if x + w > 1 + BOX_SLACK:
        problems.append(
            f"{where}: "
            + _("box x + width is %(sum)s, more than 1 (the box leaves the frame)")
            % {"sum": _number(x + w)}
        )
    if y + h > 1 + BOX_SLACK:
        problems.append(
            f"{where}: "
            + _("box y + height is %(sum)s, more than 1 (the box leaves the frame)")
            % {"sum": _number(y + h)}
        )
    start, end = artifact.get("start_s"), artifact.get("end_s")
    if media_kind == "image" and (start is not None or end is not None):
        problems.append(
            f"{where}: " + _("an image has no timeline: leave start_s and end_s out (or null)")
        )
    if start is not None and end is not None and end < start:
        problems.append(
            f"{where}: "
            + _("end_s (%(end)s s) is before start_s (%(start)s s)")
            % {"end": _number(end), "start": _number(start)}
        )
    if media_kind == "video" and duration_s is not None:
        for name, value in (("start_s", start), ("end_s", end)):
            if value is not None and value > duration_s + TIME_SLACK_S:
                problems.append(
                    f"{where}: "
                    + _("%(field)s is %(value)s s, but the video lasts %(duration)s s")
                    % {"field": name, "value": _number(value), "duration": _number(duration_s)}
                )
    return problems


def _listing_problems(items: list[dict[str, Any]], present: set[str]) -> list[str]:
    """The pack must hold exactly the listed files: none missing, none smuggled in."""
    problems = [
        f"{_item_label(index, item)}: " + _("the file is not in the pack")
        for index, item in enumerate(items)
        if item["file"] not in present
    ]
    listed = {item["file"] for item in items} | {MANIFEST_NAME}
    problems.extend(
        _("%(file)s is in the pack but not listed in manifest.json; list it or remove it")
        % {"file": _shown(name)}
        for name in sorted(present - listed)
    )
    return problems


# --------------------------------------------------------------------------------------------
# Reading a pack: a zip or a folder
# --------------------------------------------------------------------------------------------


class _ByteBudget:
    """Bytes still allowed to come out of the pack. Counted while copying, because sizes in
    zip headers and directory listings are claims, not facts."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise PackError(
                [
                    _(
                        "the pack unpacks to more than %(limit)s (the PACK_MAX_BYTES limit); "
                        "a zip bomb, or split it into smaller packs"
                    )
                    % {"limit": _size(self.limit)}
                ]
            )


def _copy_counted(src: IO[bytes], dst: Path, budget: _ByteBudget, *, most: int | None) -> str:
    """Copy src to a new file dst, spending the budget as bytes arrive; return its SHA-256."""
    digest = hashlib.sha256()
    written = 0
    # "xb" is O_CREAT|O_EXCL: never write through something already at dst (a link).
    with dst.open("xb") as out:
        while chunk := src.read(1024 * 1024):
            written += len(chunk)
            if most is not None and written > most:
                raise ValueError("the member is bigger than its zip header says")
            budget.spend(len(chunk))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def read_pack(path: Path, workdir: Path) -> Manifest:
    """Check a pack (a .zip, or a folder with manifest.json) and copy its listed files into
    workdir; raise PackError with every problem found. Writes nothing outside workdir."""
    path = Path(path)
    limits = Limits.from_settings()
    root = Path(workdir) / "source"
    root.mkdir(parents=True)
    if path.is_dir() or (path.name == MANIFEST_NAME and path.is_file()):
        folder = path if path.is_dir() else path.parent
        data, digests = _read_folder(folder, root, limits)
    elif path.is_file():
        data, digests = _read_zip(path, root, limits)
    else:
        raise PackError([_("%(path)s does not exist") % {"path": _shown(str(path))}])
    items = _keyed(data, digests)
    return Manifest(title=data["title"], items=items, root=root)


def _checked_manifest(raw: bytes) -> dict[str, Any]:
    data = parse_manifest(raw)
    problems = check_manifest(data)
    if problems:
        raise PackError(problems)
    return data


def _keyed(data: dict[str, Any], digests: dict[str, str]) -> list[dict[str, Any]]:
    """Give every item a key: its own, or one made from the pack title and the file's
    content, so importing the same pack again finds the same keys and skips them."""
    prefix = slugify(data["title"])[:60].strip("-") or "pack"
    items = []
    owners: dict[str, int] = {}
    problems = []
    for index, item in enumerate(data["items"]):
        key = item.get("key") or f"{prefix}-{digests[item['file']][:20]}"
        first = owners.setdefault(key, index)
        if first != index:
            problems.append(
                f"{_item_label(index, item)}: "
                + _(
                    "gets the same key as item %(number)d (%(key)s): same content and no key "
                    "of its own; give each item a key, or drop the copy"
                )
                % {"number": first + 1, "key": key}
            )
        items.append({**item, "key": key})
    if problems:
        raise PackError(problems)
    return items


def _zip_directory_problems(file: IO[bytes], limits: Limits) -> list[str]:
    """Refuse a zip whose central directory is too big to parse safely.

    zipfile builds an object per member before we can look at any of them, so a directory
    with millions of entries would exhaust memory first. The end record says how many
    entries and how many bytes the directory has; that is read here, by hand.
    """
    file.seek(0, os.SEEK_END)
    size = file.tell()
    tail_length = min(size, _EOCD.size + 0xFFFF)
    file.seek(size - tail_length)
    tail = file.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        return []  # not a zip: zipfile says so in its own words
    fields = _EOCD.unpack_from(tail, at)
    entries, directory_bytes = fields[4], fields[5]
    if (entries == 0xFFFF or directory_bytes == 0xFFFFFFFF) and at >= _EOCD64_LOCATOR.size:
        locator = _EOCD64_LOCATOR.unpack_from(tail, at - _EOCD64_LOCATOR.size)
        if locator[0] == b"PK\x06\x07":
            file.seek(locator[2])
            record = file.read(_EOCD64.size)
            if len(record) == _EOCD64.size and record[:4] == b"PK\x06\x06":
                zip64 = _EOCD64.unpack(record)
                entries, directory_bytes = zip64[7], zip64[8]
    if entries > limits.max_files:
        return [
            _("the zip has %(count)d members; a pack may have at most %(limit)d")
            % {"count": entries, "limit": limits.max_files}
        ]
    if directory_bytes > limits.max_files * ZIP_DIRECTORY_BYTES_PER_MEMBER:
        return [_("the zip's table of contents is implausibly large; it is not a clip pack")]
    return []


def _member_problems(infos: list[zipfile.ZipInfo], limits: Limits) -> list[str]:
    """Everything wrong with the members' headers, found before a byte is unpacked."""
    problems: list[str] = []
    if len(infos) > limits.max_files:
        problems.append(
            _("the zip has %(count)d members; a pack may have at most %(limit)d")
            % {"count": len(infos), "limit": limits.max_files}
        )
        return problems
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        # orig_filename is the name as stored; zipfile's `filename` cuts it at a NUL.
        name = info.orig_filename
        where = _("zip member %(name)s") % {"name": _shown(name)}
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        path_problem = _path_problem(name)
        if path_problem:
            problems.append(f"{where}: {path_problem}")
        if kind == stat.S_IFLNK:
            problems.append(
                f"{where}: " + _("is a symbolic link; a pack may only hold regular files")
            )
        elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            problems.append(f"{where}: " + _("is not a regular file"))
        if info.flag_bits & 0x1:
            problems.append(f"{where}: " + _("is encrypted; packs must not be encrypted"))
        if info.compress_type not in ZIP_METHODS:
            problems.append(
                f"{where}: "
                + _("uses a compression method Second Look cannot read (%(method)d)")
                % {"method": info.compress_type}
            )
        folded = _folded(name.removesuffix("/"))
        if folded in seen:
            problems.append(
                f"{where}: "
                + _("the name is already used by %(other)s (names must differ beyond case)")
                % {"other": _shown(seen[folded])}
            )
        else:
            seen[folded] = name
        if info.file_size > ZIP_BOMB_MIN_BYTES and info.file_size > ZIP_BOMB_RATIO * max(
            info.compress_size, 1
        ):
            problems.append(
                f"{where}: "
                + _(
                    "unpacks from %(packed)s to %(size)s, more than %(ratio)d times its "
                    "packed size: a zip bomb"
                )
                % {
                    "packed": _size(info.compress_size),
                    "size": _size(info.file_size),
                    "ratio": ZIP_BOMB_RATIO,
                }
            )
        if name == MANIFEST_NAME and info.file_size > MAX_MANIFEST_BYTES:
            problems.append(
                _("manifest.json is %(size)s; it may be at most %(limit)s")
                % {"size": _size(info.file_size), "limit": _size(MAX_MANIFEST_BYTES)}
            )
        total += info.file_size
    if total > limits.max_bytes:
        problems.append(
            _("the pack unpacks to %(size)s, more than %(limit)s (the PACK_MAX_BYTES limit)")
            % {"size": _size(total), "limit": _size(limits.max_bytes)}
        )
    return problems


def _is_zip_dir(info: zipfile.ZipInfo) -> bool:
    return info.orig_filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _read_zip(path: Path, root: Path, limits: Limits) -> tuple[dict[str, Any], dict[str, str]]:
    shown = _shown(str(path))
    try:
        file = path.open("rb")
    except OSError as error:
        raise PackError([f"{shown}: {error.strerror}"]) from None
    with file:
        problems = _zip_directory_problems(file, limits)
        if problems:
            raise PackError(problems)
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            message = _("%(path)s is neither a zip file nor a folder with manifest.json")
            raise PackError([message % {"path": shown}]) from None
        with archive:
            infos = archive.infolist()
            problems = _member_problems(infos, limits)
            if problems:
                raise PackError(problems)
            files = {i.orig_filename: i for i in infos if not _is_zip_dir(i)}
            if MANIFEST_NAME not in files:
                nested = sorted(n for n in files if n.endswith("/" + MANIFEST_NAME))
                message = _("the zip has no manifest.json at its top level")
                if nested:
                    message += " " + _(
                        "(found %(name)s: zip the contents of the pack folder, not the folder)"
                    ) % {"name": _shown(nested[0])}
                raise PackError([message])
            raw = _read_member(archive, files[MANIFEST_NAME], MAX_MANIFEST_BYTES)
            data = _checked_manifest(raw)
            problems = _listing_problems(data["items"], set(files))
            if problems:
                raise PackError(problems)
            budget = _ByteBudget(limits.max_bytes)
            digests = {}
            for item in data["items"]:
                name = item["file"]
                digests[name] = _extract(archive, files[name], root, budget)
    return data, digests


def _unreadable(name: str, error: BaseException) -> PackError:
    message = _("zip member %(name)s cannot be unpacked (%(error)s); the zip is damaged")
    return PackError([message % {"name": _shown(name), "error": _shown(str(error), 100)}])


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes:
    try:
        with archive.open(info) as member:
            raw = member.read(most + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise _unreadable(info.orig_filename, error) from None
    if len(raw) > most:
        raise PackError(
            [_("manifest.json is bigger than %(limit)s") % {"limit": _size(MAX_MANIFEST_BYTES)}]
        )
    return raw


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, budget: _ByteBudget
) -> str:
    """Unpack one listed member under root, by streaming; return its SHA-256."""
    target = root / info.orig_filename
    # The name was checked (_path_problem); this is the last line of defence.
    if not target.resolve().is_relative_to(root.resolve()):
        message = _("zip member %(name)s: leaves the pack")
        raise PackError([message % {"name": _shown(info.orig_filename)}])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as member:
            return _copy_counted(member, target, budget, most=info.file_size)
    except PackError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise _unreadable(info.orig_filename, error) from None


def _read_folder(folder: Path, root: Path, limits: Limits) -> tuple[dict[str, Any], dict[str, str]]:
    shown = _shown(str(folder))
    manifest_path = folder / MANIFEST_NAME
    try:
        raw = _read_regular(manifest_path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        message = _("%(path)s has no manifest.json; a pack folder needs one at its top level")
        raise PackError([message % {"path": shown}]) from None
    except _NotRegular as error:
        raise PackError([f"{MANIFEST_NAME}: {error}"]) from None
    except OSError as error:
        raise PackError([f"{MANIFEST_NAME}: {error.strerror}"]) from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackError(
            [_("manifest.json is bigger than %(limit)s") % {"limit": _size(MAX_MANIFEST_BYTES)}]
        )
    data = _checked_manifest(raw)
    present, problems = _folder_files(folder, limits)
    problems += _listing_problems(data["items"], present)
    if problems:
        raise PackError(problems)
    budget = _ByteBudget(limits.max_bytes)
    base = folder.resolve()
    digests = {}
    for item in data["items"]:
        name = item["file"]
        source = folder / name
        target = root / name
        try:
            # Resolved again at copy time: a folder can change between the walk and now.
            if not source.resolve().is_relative_to(base):
                raise _NotRegular(_("leaves the pack folder"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with _open_regular(source) as src:
                digests[name] = _copy_counted(src, target, budget, most=None)
        except _NotRegular as error:
            raise PackError([f"{_shown(name)}: {error}"]) from None
        except OSError as error:
            raise PackError([f"{_shown(name)}: {error.strerror or error}"]) from None
    return data, digests


class _NotRegular(OSError):
    pass


def _open_regular(path: Path) -> IO[bytes]:
    """Open a regular file without following a link at its last step (O_NOFOLLOW) and
    without blocking on a FIFO; the fstat then judges the file actually opened."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if path.is_symlink():
            raise _NotRegular(_("is a symbolic link; a pack may only hold regular files")) from None
        raise error
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _NotRegular(_("is not a regular file"))
    return os.fdopen(fd, "rb")


def _read_regular(path: Path, most: int) -> bytes:
    with _open_regular(path) as file:
        return file.read(most + 1)


def _folder_files(folder: Path, limits: Limits) -> tuple[set[str], list[str]]:
    """The regular files under folder (relative POSIX paths), refusing links and devices."""
    present: set[str] = set()
    problems: list[str] = []
    seen = 0
    # followlinks=False: a linked folder is reported below, never walked into.
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            seen += 1
            if seen > limits.max_files:
                problems.append(
                    _("the pack folder has more than %(limit)d files and folders")
                    % {"limit": limits.max_files}
                )
                return present, problems
            full = Path(dirpath) / name
            rel = full.relative_to(folder).as_posix()
            mode = full.lstat().st_mode
            if stat.S_ISLNK(mode):
                problems.append(
                    f"{_shown(rel)}: " + _("is a symbolic link; a pack may only hold regular files")
                )
            elif stat.S_ISREG(mode):
                present.add(rel)
            elif not stat.S_ISDIR(mode):
                problems.append(f"{_shown(rel)}: " + _("is not a regular file"))
    return present, problems


# --------------------------------------------------------------------------------------------
# Media: read by content, within limits, re-encoded like every other clip
# --------------------------------------------------------------------------------------------


class _MediaProblem(Exception):
    """What is wrong with one media file, in words for the person importing."""


def _probe_image(path: Path, limits: Limits) -> bool:
    """True if Pillow reads path as an image within the limits (header only)."""
    try:
        # Pillow warns above its own limit and fails at twice it; either means "bomb" here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=IMAGE_FORMATS) as image:
                width, height = image.size
    except UnidentifiedImageError:
        return False
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _MediaProblem(
            _(
                "the image claims a size too large to decode safely (a decompression bomb?); "
                "the limit is %(limit)s megapixels"
            )
            % {"limit": _number(limits.max_image_pixels / 1e6)}
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise _MediaProblem(
            _("the image cannot be read (%(error)s)") % {"error": _shown(str(error), 100)}
        ) from None
    if width < 1 or height < 1:
        raise _MediaProblem(_("the image has no pixels"))
    if width * height > limits.max_image_pixels:
        raise _MediaProblem(
            _(
                "the image is %(width)d × %(height)d pixels (%(mp)s megapixels), more than "
                "the limit of %(limit)s"
            )
            % {
                "width": width,
                "height": height,
                "mp": _number(round(width * height / 1e6, 1)),
                "limit": _number(limits.max_image_pixels / 1e6),
            }
        )
    return True


def _probe_video(path: Path, limits: Limits) -> None:
    """Refuse what is not a video Second Look can read, or one over the limits (headers)."""
    try:
        with av.open(
            str(path),
            container_options={"format_whitelist": VIDEO_FORMATS, "protocol_whitelist": "file"},
        ) as container:
            if not container.streams.video:
                raise _MediaProblem(_("the file has no video in it"))
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            seconds = container.duration / 1_000_000 if container.duration else None
    except _MediaProblem:
        raise
    except (av.error.FFmpegError, OSError, ValueError):
        raise _MediaProblem(
            _("the file is not a video or an image that Second Look can read")
        ) from None
    if not width or not height:
        raise _MediaProblem(_("the video has no picture size"))
    if max(width, height) > limits.max_video_side:
        raise _MediaProblem(
            _("the video is %(width)d × %(height)d pixels; at most %(limit)d per side")
            % {"width": width, "height": height, "limit": limits.max_video_side}
        )
    if seconds is not None and seconds > limits.max_video_seconds + TIME_SLACK_S:
        raise _too_long(limits)


def _too_long(limits: Limits) -> _MediaProblem:
    return _MediaProblem(
        _("the video is longer than %(limit)s seconds")
        % {"limit": _number(limits.max_video_seconds)}
    )


def _probe_media(path: Path, limits: Limits | None = None) -> str:
    """ "video" or "image", decided by content; raises _MediaProblem for anything else."""
    limits = limits or Limits.from_settings()
    if path.stat().st_size == 0:
        raise _MediaProblem(_("the file is empty (0 bytes)"))
    if _probe_image(path, limits):
        return Clip.MediaKind.IMAGE.value
    _probe_video(path, limits)
    return Clip.MediaKind.VIDEO.value


def _limited_frames(path: Path, limits: Limits) -> Iterator[tuple[float, np.ndarray]]:
    """Decoded frames, stopped as soon as a file turns out longer or bigger than its header
    claimed; headers can lie, decoded frames cannot."""
    most_frames = int(limits.max_video_seconds * MAX_SOURCE_FPS)
    frames = iter_video_frames(path)
    try:
        for count, (t, rgb) in enumerate(frames, start=1):
            if t > limits.max_video_seconds + TIME_SLACK_S or count > most_frames:
                raise _too_long(limits)
            if max(rgb.shape[:2]) > limits.max_video_side:
                raise _MediaProblem(
                    _("the video has frames larger than %(limit)d pixels per side")
                    % {"limit": limits.max_video_side}
                )
            yield t, rgb
    finally:
        frames.close()  # closes the container now, not whenever the generator is collected


def _kind_words() -> dict[str, str]:
    return {"video": _("a video"), "image": _("an image")}


def _normalise_one(source: Path, target: Path, kind: str, limits: Limits) -> dict[str, Any]:
    if kind == Clip.MediaKind.IMAGE:
        with Image.open(source, formats=IMAGE_FORMATS) as image:
            image.load()
            info = encode_image(image, target)
        return {"width": info.width, "height": info.height, "duration_s": None}
    video = encode_video(_limited_frames(source, limits), target)
    return {"width": video.width, "height": video.height, "duration_s": video.duration_s}


def _workers() -> int:
    # PyAV and Pillow release the GIL while coding, so threads use several cores.
    return settings.PACK_IMPORT_WORKERS


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


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
    report = progress or _no_progress
    limits = Limits.from_settings()
    skip = set(skip_keys)
    problems: list[str] = []
    kinds: list[str] = []
    for index, item in enumerate(manifest.items):
        report(STAGE_CHECKING, index, len(manifest.items))
        where = _item_label(index, item)
        try:
            kind = _probe_media(manifest.root / item["file"], limits)
        except _MediaProblem as problem:
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
        where = _item_label(index, item)
        try:
            measured = _normalise_one(
                manifest.root / item["file"], Path(workdir) / name, kind, limits
            )
        except _MediaProblem as problem:
            return [f"{where}: {problem}"]
        except Exception as error:
            # Hostile files make decoders fail in every way there is; each is one file's
            # problem, told to the person importing, never a crash of the whole import.
            log.info("pack media failed to decode: %s", item["file"], exc_info=True)
            message = _("the file cannot be decoded (%(error)s)") % {
                "error": _shown(str(error) or type(error).__name__, 100)
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
            _artifact_problems(
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
        "media_kind": kind,
        "is_generated": item["is_generated"],
        **{
            name: item.get(name, "")
            for name in (
                "generator",
                "prompt",
                "credit",
                "license",
                "source_url",
                "description",
                "explanation",
            )
        },
        **measured,
        "artifacts": [
            {
                "category": a["category"],
                "start_s": a.get("start_s"),
                "end_s": a.get("end_s"),
                "box": list(a["box"]),
                "explanation": a["explanation"],
            }
            for a in item.get("artifacts", [])
        ],
        # Checked by the schema; the pack's word for what the original's credential said.
        "provenance": item.get("provenance", {}),
    }


# --------------------------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------------------------


def import_pack(path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Import a pack all or nothing; items whose key is already in the library are skipped.

    Steps: read and check the pack into a private work folder, probe and re-encode the media
    there, then hand the normalised items to import_items (one transaction; it removes any
    media it placed if that fails). The work folder is removed whatever happens. Safe to
    repeat: a second run finds every key present and changes nothing. `progress`, if given,
    hears each stage as it starts and moves (the STAGE_* keys above).
    """
    hook = progress or _no_progress
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
            raise PackError([message % {"error": _shown(str(error), 200)}]) from error
        hook(STAGE_SAVING, len(ready), len(ready))
    report.skipped = [key for key in keys if key in present] + report.skipped
    log.info(
        "imported pack %s: %d created, %d skipped",
        manifest.title,
        len(report.created),
        len(report.skipped),
    )
    return report


_TEXT_FIELDS = (
    "generator",
    "prompt",
    "credit",
    "license",
    "source_url",
    "description",
    "explanation",
)


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


def _export_item(clip: Clip, file: str) -> dict[str, Any]:
    item: dict[str, Any] = {"file": file}
    # A key the format cannot carry is left out; the import then makes one from the content.
    if clip.key and KEY_PATTERN.match(clip.key):
        item["key"] = clip.key
    item.update(
        media_kind=clip.media_kind,
        is_generated=clip.is_generated,
        **{name: getattr(clip, name) for name in _TEXT_FIELDS},
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
            }
            for artifact in clip.artifacts.all()
        ],
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
    hook = progress or _no_progress
    path = Path(path)
    queryset = Clip.objects.ready() if clips is None else clips
    rows = list(queryset.order_by("id").prefetch_related("artifacts"))
    if not rows:
        raise PackError([_("there are no clips to export")])
    problems = []
    items = []
    for number, clip in enumerate(rows, start=1):
        extension = "mp4" if clip.is_video else "jpg"
        items.append(_export_item(clip, f"media/{number:04d}.{extension}"))
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
        raise PackError([f"{_shown(str(path))}: {error.strerror or error}"]) from None
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
        raise PackError([f"{_shown(str(path))}: {error.strerror or error}"]) from None
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


__all__ = [
    "ImportReport",
    "Limits",
    "Manifest",
    "PackError",
    "check_manifest",
    "export_pack",
    "import_pack",
    "load_schema",
    "normalise_media",
    "parse_manifest",
    "read_pack",
]
