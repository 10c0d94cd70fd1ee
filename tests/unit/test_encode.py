"""The normalised encoding: one format for every served file, and nothing but pixels in it.

These tests encode small synthetic inputs and read the result back with PyAV, Pillow and a
byte-level look at the MP4 boxes, so they fail if a library upgrade starts leaking metadata.
"""

from __future__ import annotations

import io
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from quiz.media.encode import (
    NEUTRAL_CONTAINER_TAGS,
    NEUTRAL_STREAM_TAGS,
    ImageInfo,
    VideoInfo,
    encode_image,
    encode_video,
    iter_video_frames,
    render_poster,
)
from quiz.media.probe import probe_media

# Encoder and muxer signatures that must never reach a served file.
FORBIDDEN = (b"x264", b"Lavf", b"Lavc", b"libx264")
# The only JPEG segments a normalised image may contain: no APP1 (EXIF/XMP), APP2 (ICC),
# APP13 (IPTC) or COM (comments).
ALLOWED_JPEG_MARKERS = {"SOI", "APP0", "DQT", "SOF0", "DHT", "DRI", "SOS"}


def moving_bar(n: int, width: int, height: int, fps: float = 25.0):
    """n frames of a bar sliding over a gradient, at the given rate."""
    gradient = np.linspace(40, 200, width, dtype=np.uint8)[None, :, None]
    for i in range(n):
        frame = np.broadcast_to(gradient, (height, width, 3)).copy()
        x = (i * 7) % max(1, width - 10)
        frame[:, x : x + 10] = (250, 40, 40)
        yield i / fps, frame


def top_level_boxes(data: bytes) -> list[bytes]:
    names, offset = [], 0
    while offset + 8 <= len(data):
        size, name = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            (size,) = struct.unpack(">Q", data[offset + 8 : offset + 16])
        names.append(name)
        if size == 0:
            break
        offset += size
    return names


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> tuple[Path, VideoInfo]:
    dst = tmp_path_factory.mktemp("encode") / "clip.mp4"
    return dst, encode_video(moving_bar(40, 320, 240), dst)


def test_video_is_h264_yuv420p_at_constant_25_fps(clip):
    path, info = clip
    report = probe_media(path)
    assert report.codec == "h264"
    assert report.pix_fmt == "yuv420p"
    assert report.fps == 25
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [frame.time for frame in container.decode(stream)]
    assert len(times) == info.frame_count == 40
    assert np.allclose(np.diff(times), 1 / 25)
    assert info == VideoInfo(width=320, height=240, duration_s=1.6, fps=25, frame_count=40)


def test_moov_atom_comes_before_mdat_for_fast_start(clip):
    boxes = top_level_boxes(clip[0].read_bytes())
    assert b"moov" in boxes and b"mdat" in boxes
    assert boxes.index(b"moov") < boxes.index(b"mdat")


def test_video_has_no_container_or_stream_tags(clip):
    report = probe_media(clip[0])
    assert set(report.tags) <= NEUTRAL_CONTAINER_TAGS
    assert "encoder" not in report.tags
    assert "creation_time" not in report.tags
    assert len(report.streams) == 1  # no audio, no data streams
    for stream in report.streams:
        assert stream.tags.items() <= NEUTRAL_STREAM_TAGS.items()


def test_no_encoder_signature_anywhere_in_the_video_bytes(clip):
    data = clip[0].read_bytes()
    for needle in FORBIDDEN:
        assert needle not in data, needle


def test_plain_libx264_output_would_carry_the_signature(tmp_path):
    """Guards the test above: without the SEI filter and bitexact flags the strings are there."""
    path = tmp_path / "plain.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i, (_, rgb) in enumerate(moving_bar(5, 64, 64)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 25)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    data = path.read_bytes()
    assert b"x264" in data and b"Lavf" in data


def test_downscales_to_max_height_keeping_aspect_and_even_sizes(tmp_path):
    info = encode_video(moving_bar(3, 1001, 721), tmp_path / "big.mp4", max_height=360)
    assert info.height == 360
    assert info.width % 2 == 0
    assert abs(info.width / info.height - 1001 / 721) < 0.01
    report = probe_media(tmp_path / "big.mp4")
    assert (report.width, report.height) == (info.width, info.height)


def test_odd_sizes_are_cropped_to_even_without_scaling(tmp_path):
    info = encode_video(moving_bar(3, 401, 303), tmp_path / "odd.mp4")
    assert (info.width, info.height) == (400, 302)


def test_variable_rate_input_becomes_constant_rate(tmp_path):
    # Frames at irregular times, as from a phone: 0.00, 0.10, 0.13, 0.50 s, each a distinct
    # grey level. Slot i/25 shows the latest frame at or before it; the last frame is held
    # for as long as the gap before it (0.37 s).
    times = [0.0, 0.10, 0.13, 0.50]
    levels = [30, 90, 150, 210]
    frames = [(t, np.full((32, 32, 3), v, np.uint8)) for t, v in zip(times, levels, strict=True)]
    info = encode_video(iter(frames), tmp_path / "vfr.mp4")
    decoded = [rgb.mean() for _, rgb in iter_video_frames(tmp_path / "vfr.mp4")]
    expected = []
    for slot in range(info.frame_count):
        latest = max(i for i, t in enumerate(times) if t <= slot / 25 + 1e-9)
        expected.append(levels[latest])
    assert info.frame_count == 22  # slots 0 .. 0.84 s, i.e. before 0.50 + 0.37
    assert np.allclose(decoded, expected, atol=4)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    gaps=st.lists(st.sampled_from([0.0, 0.01, 0.02, 0.04, 0.05, 0.1, 0.3]), min_size=1, max_size=9)
)
def test_every_output_slot_shows_the_latest_input_frame(tmp_path, gaps):
    times = [0.0]
    for gap in gaps:
        times.append(round(times[-1] + gap, 6))
    levels = [20 + 22 * i for i in range(len(times))]
    frames = [(t, np.full((16, 16, 3), v, np.uint8)) for t, v in zip(times, levels, strict=True)]
    path = tmp_path / f"prop-{len(list(tmp_path.iterdir()))}.mp4"
    info = encode_video(iter(frames), path)
    decoded = [rgb.mean() for _, rgb in iter_video_frames(path)]
    assert len(decoded) == info.frame_count >= 1
    for slot, value in enumerate(decoded):
        latest = max(i for i, t in enumerate(times) if t <= slot / 25 + 1e-6)
        assert abs(value - levels[latest]) < 6, (slot, times)


def test_rejects_frames_out_of_time_order(tmp_path):
    frames = [(0.5, np.zeros((8, 8, 3), np.uint8)), (0.2, np.zeros((8, 8, 3), np.uint8))]
    with pytest.raises(ValueError, match="time order"):
        encode_video(iter(frames), tmp_path / "bad.mp4")
    assert not list(tmp_path.glob("*.mp4")), "a failed encode must not leave a file behind"


def test_rejects_empty_input(tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        encode_video(iter([]), tmp_path / "empty.mp4")
    assert not any(tmp_path.iterdir())


def test_iter_video_frames_round_trips_colours(clip):
    frames = list(iter_video_frames(clip[0]))
    assert frames[0][0] == 0.0
    _, first = frames[0]
    _, original = next(moving_bar(1, 320, 240))
    # Compare away from the bar's edges: CRF 23 keeps flat colours within a few levels.
    assert np.abs(first[:, 100:300].astype(int) - original[:, 100:300].astype(int)).mean() < 4


def source_jpeg_with_metadata() -> Image.Image:
    """A camera-like JPEG with EXIF (make, software, orientation), an ICC profile and a
    comment, read back so Pillow sees it exactly as an upload."""
    img = Image.new("RGB", (400, 200), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "GenTool 9000"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    icc = b"\x00\x00\x02\x0cfake-icc-profile" + b"\x00" * 64
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), icc_profile=icc, comment=b"made with GenTool")
    buf.seek(0)
    return Image.open(buf)


def test_jpeg_output_keeps_pixels_only(tmp_path):
    src = source_jpeg_with_metadata()
    assert "exif" in src.info and "icc_profile" in src.info and "comment" in src.info
    dst = tmp_path / "photo.jpg"
    info = encode_image(src, dst)
    data = dst.read_bytes()
    report = probe_media(dst)
    assert report.tags == {}
    assert report.exif == {}
    assert report.icc_profile_bytes == 0
    assert set(report.jpeg_markers) <= ALLOWED_JPEG_MARKERS
    assert "SOF0" in report.jpeg_markers  # baseline, not progressive
    for needle in (b"SpyCam", b"GenTool", b"Exif", b"ICC_PROFILE", b"fake-icc"):
        assert needle not in data
    # The orientation was applied before the EXIF went: a portrait 200x400 image.
    assert info == ImageInfo(width=200, height=400)
    with Image.open(dst) as out:
        assert out.mode == "RGB"
        assert out.size == (200, 400)


def test_jpeg_downscales_to_max_side_and_flattens_alpha(tmp_path):
    rgba = np.zeros((900, 1800, 4), np.uint8)
    rgba[..., 3] = 0  # fully transparent: becomes white
    info = encode_image(rgba, tmp_path / "wide.jpg", max_side=1280)
    assert (info.width, info.height) == (1280, 640)
    with Image.open(tmp_path / "wide.jpg") as out:
        assert np.asarray(out).mean() > 250


def test_poster_is_a_normalised_jpeg_of_the_right_frame(tmp_path):
    frames = [(i / 25, np.full((48, 64, 3), 10 * i, np.uint8)) for i in range(25)]
    video = tmp_path / "ramp.mp4"
    encode_video(iter(frames), video)
    render_poster(video, tmp_path / "poster.jpg", at_s=0.4)
    report = probe_media(tmp_path / "poster.jpg")
    assert (report.width, report.height) == (64, 48)
    assert set(report.jpeg_markers) <= ALLOWED_JPEG_MARKERS
    with Image.open(tmp_path / "poster.jpg") as poster:
        assert abs(np.asarray(poster).mean() - 100) < 6  # frame 10 of the ramp
    assert not any(needle in (tmp_path / "poster.jpg").read_bytes() for needle in FORBIDDEN)
