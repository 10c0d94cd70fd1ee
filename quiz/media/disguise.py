"""Padding that makes a round's file a different file under every name it is served by.

A player gets a round's media and poster under names of their own attempt (or lesson, or
live device), never under the stored name. New names alone are not enough: the same bytes
under two names have the same length and the same hash, so a table of length -> label kept
from free practice (the browser's network panel shows every length) would answer a test of
the same clips. So a file served under a player's name carries a trailer of its own, whose
length is a share of the file's size drawn from that name with the site's secret: the same
on every request for the name (range requests and the browser's cache keep working), a
different length and hash under every other name.

The trailer is a top-level `free` box after an MP4's last box (players skip it) or bytes
after a JPEG's end-of-image marker (decoders stop there). An MP4 whose last box runs "to the
end of the file" (size 0) cannot take one and is served as it is.

What padding cannot hide: the stored file, for anyone who cuts the trailer off again (it is
where a parser finds it), and the picture itself. A student who strips it with a script,
decodes the clip, or simply remembers it, recognises it; that is why clips meant for tests
are kept out of everything that shows the truth (Clip.kept_for_tests).
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from quiz.keys import keyed_hmac

# The trailer's length is drawn uniformly between 0 and this share of the file's size: files
# whose sizes lie closer than that can no longer be told apart by a length.
PAD_SHARE = 0.25
BOX_HEADER = 8
# A file may end in at most this many top-level boxes we walk before giving up.
MAX_BOXES = 64


def _fraction(served_as: str) -> float:
    """A number in [0, 1) of this served name, from the site's secret."""
    digest = keyed_hmac("quiz.media.disguise", served_as).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _mp4_appendable(handle: BinaryIO, size: int) -> bool:
    """Whether the file's top-level boxes end exactly at its end (no box sized "to the end
    of the file"), so that a box can follow the last one."""
    offset = 0
    for _ in range(MAX_BOXES):
        if offset == size:
            return size > 0
        handle.seek(offset)
        header = handle.read(BOX_HEADER)
        if len(header) < BOX_HEADER:
            return False
        length = struct.unpack(">I", header[:4])[0]
        if length == 1:
            large = handle.read(8)
            if len(large) < 8:
                return False
            length = struct.unpack(">Q", large)[0]
        if length < BOX_HEADER:
            return False  # 0: runs to the end of the file; 2–7: not a box
        offset += length
    return False


class Trailer:
    """The bytes served after a file under one name: `length` of them, made on demand."""

    def __init__(self, length: int, header: bytes = b"") -> None:
        self.length = length
        self._header = header

    def read(self, start: int, length: int) -> bytes:
        end = min(self.length, start + length)
        if start >= end:
            return b""
        head = self._header[start:end]
        return head + bytes(end - start - len(head))


NO_TRAILER = Trailer(0)


def trailer(handle: BinaryIO, size: int, *, suffix: str, served_as: str) -> Trailer:
    """The trailer of the stored file open in `handle` (`size` bytes, suffix "mp4" or
    "jpg") when served under the name `served_as`."""
    length = int(size * PAD_SHARE * _fraction(served_as))
    if suffix == "jpg":
        return Trailer(length)
    if suffix != "mp4" or not _mp4_appendable(handle, size):
        return NO_TRAILER
    length = max(BOX_HEADER, min(length, 2**32 - 1))
    return Trailer(length, struct.pack(">I", length) + b"free")
