"""A file's trailer under a player's name (quiz.media.disguise): the same for the same name,
a box only where one can follow, never more than a quarter of the file."""

from __future__ import annotations

import io
import struct

from quiz.media.disguise import BOX_HEADER, PAD_SHARE, trailer


def _box(kind: bytes, payload: bytes, *, size: int | None = None) -> bytes:
    return struct.pack(">I", len(payload) + 8 if size is None else size) + kind + payload


MP4 = _box(b"ftyp", b"isom" * 4) + _box(b"moov", b"\0" * 100) + _box(b"mdat", b"\1" * 5000)


def _trailer(data: bytes, suffix: str, name: str):
    return trailer(io.BytesIO(data), len(data), suffix=suffix, served_as=name)


def test_the_same_name_gets_the_same_trailer_and_names_differ():
    first = _trailer(MP4, "mp4", "attempt/1/a.mp4")
    assert first.length == _trailer(MP4, "mp4", "attempt/1/a.mp4").length
    lengths = {_trailer(MP4, "mp4", f"attempt/{n}/a.mp4").length for n in range(40)}
    assert len(lengths) > 30
    assert all(BOX_HEADER <= n <= len(MP4) * PAD_SHARE + BOX_HEADER for n in lengths)


def test_an_mp4_trailer_is_one_free_box_reading_to_the_end():
    tail = _trailer(MP4, "mp4", "x")
    whole = tail.read(0, tail.length)
    assert len(whole) == tail.length
    assert struct.unpack(">I", whole[:4])[0] == tail.length and whole[4:8] == b"free"
    assert tail.read(3, 6) == whole[3:9] and tail.read(tail.length, 10) == b""


def test_an_mp4_that_cannot_take_a_box_is_served_as_it_is():
    to_the_end = _box(b"ftyp", b"isom") + _box(b"mdat", b"\1" * 300, size=0)
    broken = _box(b"ftyp", b"isom") + b"\0\0\0\3junk"
    cut = MP4[:-10]
    large = _box(b"ftyp", b"isom") + struct.pack(">I", 1) + b"mdat" + struct.pack(">Q", 216)
    large += b"\1" * 200
    for data in (to_the_end, broken, cut, b"", b"\0\0"):
        assert _trailer(data, "mp4", "x").length == 0
    assert _trailer(large, "mp4", "y").length >= BOX_HEADER


def test_a_jpeg_trailer_is_plain_bytes_after_the_image():
    jpeg = b"\xff\xd8" + b"\1" * 4000 + b"\xff\xd9"
    lengths = {_trailer(jpeg, "jpg", f"n{n}").length for n in range(40)}
    assert min(lengths) >= 0 and max(lengths) <= len(jpeg) * PAD_SHARE and len(lengths) > 30
