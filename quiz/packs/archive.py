"""Reading a clip pack safely: a zip or a folder, refused before anything is unpacked if it
is unsafe (paths leaving the pack, links, devices, duplicates, zip bombs, a directory built
to exhaust memory), then its checked manifest and exactly the files it lists copied into a
private work folder, counting every byte (sizes in headers are claims, not facts).
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from quiz.media.files import shown
from quiz.packs.format import MANIFEST_NAME, Limits, PackError, item_label, size_words
from quiz.packs.manifest import checked_manifest, folded, path_problem

MAX_MANIFEST_BYTES = 5 * 1024 * 1024
# A deflated member that grows more than 100-fold (and is big enough to matter) is a zip
# bomb: MP4 and JPEG barely compress, and manifest.json is capped on its own.
ZIP_BOMB_RATIO = 100
ZIP_BOMB_MIN_BYTES = 1024 * 1024
# Legitimate central-directory entries are a few hundred bytes (name <= 255, small extras);
# anything bigger per allowed member is a directory built to exhaust memory while parsing.
ZIP_DIRECTORY_BYTES_PER_MEMBER = 1024
ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}

# End-of-central-directory records, read before zipfile parses the directory (see
# _zip_directory_problems).
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


@dataclass(frozen=True)
class Manifest:
    """A checked pack, unpacked: items as in manifest.json, each with its `key` (made from
    the title and the file's content when the pack gives none), and `root`, the private
    folder holding the listed files at their listed paths."""

    title: str
    items: list[dict[str, Any]]
    root: Path


def _listing_problems(items: list[dict[str, Any]], present: set[str]) -> list[str]:
    """The pack must hold exactly the listed files: none missing, none smuggled in."""
    problems = [
        f"{item_label(index, item)}: " + _("the file is not in the pack")
        for index, item in enumerate(items)
        if item["file"] not in present
    ]
    listed = {item["file"] for item in items} | {MANIFEST_NAME}
    problems.extend(
        _("%(file)s is in the pack but not listed in manifest.json; list it or remove it")
        % {"file": shown(name)}
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
                    % {"limit": size_words(self.limit)}
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
        raise PackError([_("%(path)s does not exist") % {"path": shown(str(path))}])
    items = _keyed(data, digests)
    return Manifest(title=data["title"], items=items, root=root)


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
                f"{item_label(index, item)}: "
                + _(
                    "gets the same key as item %(number)d (%(key)s): same content and no key "
                    "of its own; give each item a key, or drop the copy"
                )
                % {"number": first + 1, "key": key}
            )
        # The file's digest goes along, so an upload of the same file is later told so.
        items.append({**item, "key": key, "sha256": digests[item["file"]]})
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
        where = _("zip member %(name)s") % {"name": shown(name)}
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        unsafe = path_problem(name)
        if unsafe:
            problems.append(f"{where}: {unsafe}")
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
        same = folded(name.removesuffix("/"))
        if same in seen:
            problems.append(
                f"{where}: "
                + _("the name is already used by %(other)s (names must differ beyond case)")
                % {"other": shown(seen[same])}
            )
        else:
            seen[same] = name
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
                    "packed": size_words(info.compress_size),
                    "size": size_words(info.file_size),
                    "ratio": ZIP_BOMB_RATIO,
                }
            )
        if name == MANIFEST_NAME and info.file_size > MAX_MANIFEST_BYTES:
            problems.append(
                _("manifest.json is %(size)s; it may be at most %(limit)s")
                % {"size": size_words(info.file_size), "limit": size_words(MAX_MANIFEST_BYTES)}
            )
        total += info.file_size
    if total > limits.max_bytes:
        problems.append(
            _("the pack unpacks to %(size)s, more than %(limit)s (the PACK_MAX_BYTES limit)")
            % {"size": size_words(total), "limit": size_words(limits.max_bytes)}
        )
    return problems


def _is_zip_dir(info: zipfile.ZipInfo) -> bool:
    return info.orig_filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _read_zip(path: Path, root: Path, limits: Limits) -> tuple[dict[str, Any], dict[str, str]]:
    named = shown(str(path))
    try:
        file = path.open("rb")
    except OSError as error:
        raise PackError([f"{named}: {error.strerror}"]) from None
    with file:
        problems = _zip_directory_problems(file, limits)
        if problems:
            raise PackError(problems)
        try:
            archive = zipfile.ZipFile(file)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            message = _("%(path)s is neither a zip file nor a folder with manifest.json")
            raise PackError([message % {"path": named}]) from None
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
                    ) % {"name": shown(nested[0])}
                raise PackError([message])
            raw = _read_member(archive, files[MANIFEST_NAME], MAX_MANIFEST_BYTES)
            data = checked_manifest(raw)
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
    return PackError([message % {"name": shown(name), "error": shown(str(error), 100)}])


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, most: int) -> bytes:
    try:
        with archive.open(info) as member:
            raw = member.read(most + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise _unreadable(info.orig_filename, error) from None
    if len(raw) > most:
        raise PackError(
            [
                _("manifest.json is bigger than %(limit)s")
                % {"limit": size_words(MAX_MANIFEST_BYTES)}
            ]
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
        raise PackError([message % {"name": shown(info.orig_filename)}])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as member:
            return _copy_counted(member, target, budget, most=info.file_size)
    except PackError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise _unreadable(info.orig_filename, error) from None


def _read_folder(folder: Path, root: Path, limits: Limits) -> tuple[dict[str, Any], dict[str, str]]:
    named = shown(str(folder))
    manifest_path = folder / MANIFEST_NAME
    try:
        raw = _read_regular(manifest_path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        message = _("%(path)s has no manifest.json; a pack folder needs one at its top level")
        raise PackError([message % {"path": named}]) from None
    except _NotRegular as error:
        raise PackError([f"{MANIFEST_NAME}: {error}"]) from None
    except OSError as error:
        raise PackError([f"{MANIFEST_NAME}: {error.strerror}"]) from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackError(
            [
                _("manifest.json is bigger than %(limit)s")
                % {"limit": size_words(MAX_MANIFEST_BYTES)}
            ]
        )
    data = checked_manifest(raw)
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
            raise PackError([f"{shown(name)}: {error}"]) from None
        except OSError as error:
            raise PackError([f"{shown(name)}: {error.strerror or error}"]) from None
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
                    f"{shown(rel)}: " + _("is a symbolic link; a pack may only hold regular files")
                )
            elif stat.S_ISREG(mode):
                present.add(rel)
            elif not stat.S_ISDIR(mode):
                problems.append(f"{shown(rel)}: " + _("is not a regular file"))
    return present, problems


__all__ = ["MAX_MANIFEST_BYTES", "Manifest", "read_pack"]
