"""The pure parts of uploads: cleaning a client's file name, probing by content, the output
size, progress words, and the video-with-sound encoding. No database.

The sample files are generated here, tiny, in the test's temporary folder (the integration
tests import the same makers); nothing binary is committed.
"""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from quiz.media.audio import encode_video_with_audio
from quiz.media.encode import (
    NEUTRAL_CONTAINER_TAGS,
    encode_video,
    iter_video_frames,
)
from quiz.media.files import (
    THUMBNAIL_COUNT,
    clean_original_name,
    duration_words,
    file_size_words,
    thumbnail_names,
)
from quiz.media.probe import probe_media, text_kind
from quiz.models import Clip
from quiz.selectors.uploads import ingest_progress
from quiz.services import uploads as ingest
from quiz.services.uploads import (
    IngestFailed,
    UploadLimits,
    probe_upload,
    thumbnail_times,
)

# Encoder and muxer signatures that must never reach a served file.
FORBIDDEN = (b"x264", b"Lavf", b"Lavc", b"libx264")
NEUTRAL_STREAM_TAGS = {
    "language": {"und"},
    "handler_name": {"VideoHandler", "SoundHandler"},
}


# --------------------------------------------------------------------------------------------
# Sample makers (shared with tests/integration/test_uploads.py)
# --------------------------------------------------------------------------------------------


def moving_frames(n: int, width: int = 160, height: int = 120, fps: float = 25.0):
    """n frames of a bar sliding over a gradient."""
    gradient = np.linspace(30, 210, width, dtype=np.uint8)[None, :, None]
    for i in range(n):
        frame = np.broadcast_to(gradient, (height, width, 3)).copy()
        x = (i * 5) % max(1, width - 8)
        frame[:, x : x + 8] = (240, 60, 30)
        yield i / fps, frame


def h264_mp4(path: Path, *, frames: int = 25, width: int = 160, height: int = 120) -> Path:
    """A clean MP4 in the site's own encoding (encode_video)."""
    encode_video(moving_frames(frames, width, height), path)
    return path


def tone(seconds: float, rate: int = 44_100) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]


def camera_mp4(
    path: Path,
    *,
    seconds: float = 1.0,
    width: int = 160,
    height: int = 120,
    audio: bool = True,
    fps: int = 30,
    audio_delay_s: float = 0.0,
) -> Path:
    """A camera-like source: another frame rate, AAC sound, and tags that say too much."""
    with av.open(str(path), "w", format="mp4") as container:
        container.metadata["title"] = "SECRET-TITLE made with Sora 2"
        container.metadata["comment"] = "SECRET-COMMENT"
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.metadata["handler_name"] = "SECRET-HANDLER"
        sound = None
        if audio:
            sound = container.add_stream("aac", rate=44_100, layout="mono")
            sound.metadata["title"] = "SECRET-SOUND"
        count = round(seconds * fps)
        for i, (_t, rgb) in enumerate(moving_frames(count, width, height, fps)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None:
            samples = tone(seconds - audio_delay_s)
            delay = round(audio_delay_s * 44_100)
            for start in range(0, samples.shape[1], 1024):
                chunk = np.ascontiguousarray(samples[:, start : start + 1024])
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
                frame.sample_rate, frame.pts = 44_100, delay + start
                frame.time_base = Fraction(1, 44_100)
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
    return path


def sound_only_m4a(path: Path, seconds: float = 0.5) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        sound = container.add_stream("aac", rate=44_100, layout="mono")
        samples = tone(seconds)
        for start in range(0, samples.shape[1], 1024):
            chunk = np.ascontiguousarray(samples[:, start : start + 1024])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44_100, start
            frame.time_base = Fraction(1, 44_100)
            container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
    return path


def sound_only_wav(path: Path, seconds: float = 0.5) -> Path:
    with av.open(str(path), "w", format="wav") as container:
        sound = container.add_stream("pcm_s16le", rate=8000, layout="mono")
        samples = (tone(seconds, 8000) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate, frame.pts = 8000, 0
        container.mux(sound.encode(frame))
        container.mux(sound.encode(None))
    return path


def picture_bytes(fmt: str, size: tuple[int, int] = (96, 64), **options) -> bytes:
    """An image with a gradient (and, where the format takes it, EXIF that must not survive)."""
    x = np.linspace(0, 255, size[0], dtype=np.uint8)[None, :, None]
    array = np.broadcast_to(x, (size[1], size[0], 3)).copy()
    array[..., 2] = 128
    image = Image.fromarray(array)
    out = io.BytesIO()
    if fmt == "GIF":
        image = image.convert("P")
    image.save(out, fmt, **options)
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb_bytes(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header (with a valid CRC) claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_with_icc(profile_bytes: int = 5_000_000) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 100, 50)).save(out, "JPEG", icc_profile=b"\0" * profile_bytes)
    return out.getvalue()


def has_avif_writer() -> bool:
    try:
        picture_bytes("AVIF")
    except (KeyError, OSError, ValueError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# The client's file name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("holiday.mp4", "holiday.mp4"),
        ("../../etc/passwd", "passwd"),
        ("a/b\\c.mp4", "c.mp4"),
        ("C:\\Users\\me\\clip.mov", "clip.mov"),
        ("..", "upload"),
        ("", "upload"),
        ("new\nline\x00.mp4", "newline.mp4"),
        ("invoice\u202egpj.mp4", "invoicegpj.mp4"),  # a right-to-left override hides ".mp4"
        (b"caf\xe9.mp4", "caf\ufffd.mp4"),  # Latin-1, not UTF-8
        ("caf\udce9.mp4", "caf\ufffd.mp4"),  # the same, decoded with surrogateescape
        ("  spaced   out .mp4 ", "spaced out .mp4"),
    ],
)
def test_a_client_file_name_is_cleaned(raw, expected):
    assert clean_original_name(raw) == expected


def test_a_long_name_is_cut_to_255_keeping_its_extension():
    name = clean_original_name("x" * 500 + ".mp4")
    assert len(name) == 255 and name.endswith(".mp4")
    assert len(clean_original_name("y" * 500)) == 255


@given(st.one_of(st.text(max_size=600), st.binary(max_size=600)))
def test_a_cleaned_name_is_always_safe_to_store_and_show(raw):
    name = clean_original_name(raw)
    assert 0 < len(name) <= 255
    assert "/" not in name and "\\" not in name
    assert name not in (".", "..")
    assert not any(ord(ch) < 32 or ch in "\x7f\u202e\u200f" for ch in name)
    name.encode("utf-8")  # storable: no lone surrogates


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "max_height"),
    [
        ((640, 360), 360),  # small: never scaled up
        ((1920, 1080), 1080),
        ((3840, 2160), 1080),
        ((1080, 1920), 1920),  # portrait 1080p stays 1080 x 1920
        ((2160, 3840), 1920),
        ((4000, 1000), 480),  # ultra-wide: the long side decides
        ((7680, 4320), 1080),
    ],
)
def test_the_output_fits_1080p_in_either_orientation(size, max_height):
    assert ingest._output_max_height(*size) == max_height


def test_thumbnails_show_the_middles_of_equal_parts():
    assert thumbnail_times(8.0, 4) == [1.0, 3.0, 5.0, 7.0]
    assert len(thumbnail_times(10.0)) == THUMBNAIL_COUNT


def test_thumbnail_names_follow_from_the_poster():
    names = thumbnail_names("clips/AbC_123-xyz456789012345.jpg")
    assert names[0] == "clips/AbC_123-xyz456789012345-t0.jpg"
    assert len(names) == THUMBNAIL_COUNT


@pytest.mark.parametrize(
    ("stage", "label", "percent"),
    [
        ("queued", "Waiting for a worker", 0),
        ("probing", "Checking the file", 2),
        ("transcoding 0 %", "Converting: 0 %", 5),
        ("transcoding 50 %", "Converting: 50 %", 47),
        ("transcoding 100 %", "Converting: 100 %", 90),
        ("poster", "Making the poster", 92),
        ("thumbnails", "Making thumbnails", 95),
        ("finishing", "Finishing", 99),
        ("", "Waiting for a worker", 0),
        ("something new", "Processing", 0),
    ],
)
def test_the_stage_reads_as_words_and_a_share_of_the_work(stage, label, percent):
    progress = ingest_progress(Clip(stage=stage, status="processing"))
    assert (progress.label, progress.percent) == (label, percent)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(2, "2 s"), (2.5, "2.5 s"), (180, "3 min"), (200, "3 min 20 s")],
)
def test_durations_read_like_a_person_says_them(seconds, words):
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (300 * 1024**2, "300 MB"),
        (5_000_000, "4.8 MB"),
        (900 * 1024, "900 kB"),
        (3 * 1024**3, "3 GB"),
        (12, "12 bytes"),
    ],
)
def test_sizes_read_like_a_file_browser_shows_them(size, words):
    assert file_size_words(size) == words


def test_limits_come_from_settings_with_defaults(settings):
    for name in ("UPLOAD_MAX_BYTES", "UPLOAD_MAX_SECONDS", "UPLOAD_MAX_SIDE"):
        delattr(settings, name)
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1234
    limits = UploadLimits.from_settings()
    assert limits == UploadLimits(300 * 1024**2, 180, 7680, 1234)
    assert limits.for_probing().max_video_side == 7680


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "html"),
        (b"\xef\xbb\xbf  <html lang=en>", "html"),
        (b"just some notes\nabout a clip\n", "text"),
        ("caf\u00e9 au lait".encode() * 400, "text"),
        (b"\x00\x00\x00\x18ftypmp42", None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),
        (b"", None),
    ],
)
def test_text_is_told_apart_from_media(head, kind):
    assert text_kind(head[:4096]) == kind


# --------------------------------------------------------------------------------------------
# Probing by content
# --------------------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refusal(path: Path, limits: UploadLimits | None = None) -> str:
    with pytest.raises(IngestFailed) as failure:
        probe_upload(path, limits)
    return str(failure.value)


def test_a_video_is_known_by_content_whatever_its_name(tmp_path):
    path = camera_mp4(tmp_path / "photo.jpg", seconds=0.5)
    facts = probe_upload(path)
    assert (facts.kind, facts.width, facts.height, facts.has_audio) == ("video", 160, 120, True)
    assert facts.duration_s == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_an_image_is_known_by_content_whatever_its_name(tmp_path, fmt):
    facts = probe_upload(_write(tmp_path, "clip.mp4", picture_bytes(fmt)))
    assert (facts.kind, facts.width, facts.height) == ("image", 96, 64)


def test_avif_is_an_image_where_pillow_reads_it(tmp_path):
    assert has_avif_writer(), "the pinned Pillow reads and writes AVIF"
    facts = probe_upload(_write(tmp_path, "x.bin", picture_bytes("AVIF")))
    assert facts.kind == "image"


def test_probe_messages_name_the_problem(tmp_path):
    assert "empty (0 bytes)" in _refusal(_write(tmp_path, "a.mp4", b""))
    assert "looks like a web page" in _refusal(
        _write(tmp_path, "b.mp4", b"<!doctype html><html><p>Video</p></html>")
    )
    assert "looks like text" in _refusal(_write(tmp_path, "c.mp4", b"hello\n" * 100))
    assert "not a video or image we can read" in _refusal(
        _write(tmp_path, "d.mp4", bytes(range(256)) * 40)
    )
    assert "decompression bomb" in _refusal(_write(tmp_path, "e.png", png_bomb_bytes()))
    assert "colour profile of 4.8 MB" in _refusal(_write(tmp_path, "f.jpg", jpeg_with_icc()))
    assert "sound but no picture" in _refusal(sound_only_m4a(tmp_path / "g.mp4"))
    assert "sound but no picture" in _refusal(sound_only_wav(tmp_path / "h.mp4"))


def test_probe_applies_the_limits(tmp_path):
    video = camera_mp4(tmp_path / "v.mp4", seconds=2.0, audio=False)
    short = UploadLimits(max_bytes=10**9, max_seconds=1, max_side=7680, max_image_pixels=10**6)
    assert "lasts 2 s; a clip may be at most 1 s" in _refusal(video, short)
    narrow = UploadLimits(max_bytes=10**9, max_seconds=60, max_side=100, max_image_pixels=10**6)
    assert "160 × 120 pixels; at most 100 pixels per side" in _refusal(video, narrow)
    photo = _write(tmp_path, "p.png", picture_bytes("PNG", (400, 300)))
    tiny = UploadLimits(max_bytes=10**9, max_seconds=60, max_side=7680, max_image_pixels=1000)
    assert "megapixels" in _refusal(photo, tiny)


def test_a_video_cut_off_in_the_middle_still_probes_its_header(tmp_path):
    # Fast start puts the index first, so half a file still opens; the transcoding step
    # notices the missing half (tests/integration/test_uploads.py).
    whole = h264_mp4(tmp_path / "whole.mp4", frames=50).read_bytes()
    half = _write(tmp_path, "half.mp4", whole[: len(whole) // 2])
    assert probe_upload(half).duration_s == pytest.approx(2.0)


def test_a_camera_file_cut_off_before_its_index_is_called_damaged(tmp_path):
    # A camera writes its index last: cutting the file loses it.
    with av.open(str(tmp_path / "cam.mp4"), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i, (_t, rgb) in enumerate(moving_frames(10, 64, 48)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    data = (tmp_path / "cam.mp4").read_bytes()
    cut = _write(tmp_path, "cut.mp4", data[: len(data) // 2])
    assert "damaged or incomplete" in _refusal(cut)


# --------------------------------------------------------------------------------------------
# Video with sound
# --------------------------------------------------------------------------------------------


def test_video_with_sound_keeps_aac_and_strips_everything_else(tmp_path):
    source = camera_mp4(tmp_path / "camera.mp4", seconds=1.0)
    dst = tmp_path / "out.mp4"
    info = encode_video_with_audio(
        iter_video_frames(source), dst, audio_source=source, max_height=1080
    )
    report = probe_media(dst)
    assert info.duration_s == pytest.approx(1.0) and info.fps == 25
    assert set(report.tags) <= NEUTRAL_CONTAINER_TAGS
    kinds = [s.type for s in report.streams]
    assert kinds == ["video", "audio"]
    for stream in report.streams:
        for key, value in stream.tags.items():
            assert value in NEUTRAL_STREAM_TAGS.get(key, set()), (key, value)
    data = dst.read_bytes()
    assert not [word for word in FORBIDDEN if word in data]
    assert b"SECRET" not in data
    with av.open(str(dst)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.sample_rate == 48_000
        assert audio.codec_context.layout.name == "stereo"
        sound_s = sum(f.samples for f in container.decode(audio)) / 48_000
    # The sound lasts as long as the picture (give or take the encoder's padding).
    assert sound_s == pytest.approx(1.0, abs=0.05)
    assert not list(tmp_path.glob(".out-*")), "no temporary files are left beside the output"


def test_sound_that_starts_late_stays_in_step_with_the_picture(tmp_path):
    source = camera_mp4(tmp_path / "camera.mp4", seconds=1.0, audio_delay_s=0.5)
    dst = tmp_path / "out.mp4"
    encode_video_with_audio(iter_video_frames(source), dst, audio_source=source)
    with av.open(str(dst)) as container:
        samples = np.concatenate(
            [f.to_ndarray()[0] for f in container.decode(container.streams.audio[0])]
        )
    loud = np.flatnonzero(np.abs(samples) > 0.05)
    # Silence fills the first half second; the tone starts where it started in the source.
    assert loud[0] / 48_000 == pytest.approx(0.5, abs=0.05)
    assert len(samples) / 48_000 == pytest.approx(1.0, abs=0.05)
