"""Magnified replays: the artifact's region, enlarged and slowed, with nothing but pixels in it.

A synthetic clip has a bright square that moves inside the annotated box during the artifact's
time range; the replay must show it several times larger, moving, for (range + context) x slow
seconds, in the site's normalised encoding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from quiz.media.encode import (
    NEUTRAL_CONTAINER_TAGS,
    NEUTRAL_STREAM_TAGS,
    encode_image,
    encode_video,
    iter_video_frames,
)
from quiz.media.probe import probe_media
from quiz.media.replay import CONTEXT_S, crop_region, output_size, render_replay

FORBIDDEN = (b"x264", b"Lavf", b"Lavc", b"libx264")
WIDTH, HEIGHT, FPS, SECONDS = 320, 240, 25, 3.0
# The artifact: a 12 px square sliding right inside this box between 1.0 s and 2.0 s.
BOX = (0.5, 0.5, 0.25, 0.25)
START, END = 1.0, 2.0
SQUARE = 12


def _square_at(t: float) -> tuple[int, int] | None:
    """Top-left pixel of the bright square at time t, or None outside the artifact's range."""
    if not START <= t <= END:
        return None
    progress = (t - START) / (END - START)
    x0 = int(BOX[0] * WIDTH) + 4 + round(progress * (BOX[2] * WIDTH - SQUARE - 8))
    return x0, int(BOX[1] * HEIGHT) + 20


def _scene(n: int):
    for i in range(n):
        t = i / FPS
        frame = np.full((HEIGHT, WIDTH, 3), 50, np.uint8)
        frame[:, : WIDTH // 2] = 90  # a second grey so the crop's position is visible
        at = _square_at(t)
        if at is not None:
            x, y = at
            frame[y : y + SQUARE, x : x + SQUARE] = 250
        yield t, frame


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "clip.mp4"
    encode_video(_scene(int(SECONDS * FPS)), path)
    return path


@pytest.fixture(scope="module")
def replay(source, tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("replay-out") / "replay.mp4"
    render_replay(source, dst, box=BOX, start_s=START, end_s=END)
    return dst


def _bright_extent(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(rgb.mean(axis=2) > 200)
    if not len(xs):
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def test_replay_shows_the_square_enlarged_and_moving(replay):
    region = crop_region(BOX, WIDTH, HEIGHT)
    scale = 360 / max(region[2] - region[0], region[3] - region[1])
    assert scale > 3
    extents = [e for _, rgb in iter_video_frames(replay) if (e := _bright_extent(rgb))]
    assert extents, "the square never shows in the replay"
    for left, top, right, bottom in extents:
        assert right - left == pytest.approx(SQUARE * scale, rel=0.2)
        assert bottom - top == pytest.approx(SQUARE * scale, rel=0.2)
    lefts = [e[0] for e in extents]
    assert lefts[-1] - lefts[0] > 10 * scale  # it moves, in magnified pixels
    assert lefts == sorted(lefts)


def test_replay_long_side_is_the_requested_size_with_even_sides(replay):
    report = probe_media(replay)
    assert max(report.width, report.height) == 360
    assert report.width % 2 == 0 and report.height % 2 == 0
    region = crop_region(BOX, WIDTH, HEIGHT)
    aspect = (region[2] - region[0]) / (region[3] - region[1])
    assert report.width / report.height == pytest.approx(aspect, rel=0.05)


def test_replay_is_slowed_over_the_range_with_context(replay):
    expected = (END - START + 2 * CONTEXT_S) * 2.0
    assert probe_media(replay).duration_s == pytest.approx(expected, abs=0.15)
    frames = list(iter_video_frames(replay))
    # Half speed at 25 fps: every source frame is shown twice.
    assert len(frames) == pytest.approx(expected * FPS, abs=3)
    # The square is absent in the leading context and appears about 0.3 s x 2 in.
    first_seen = next(t for t, rgb in frames if _bright_extent(rgb))
    assert first_seen == pytest.approx(CONTEXT_S * 2.0, abs=0.1)


def test_context_is_clamped_at_the_start_of_the_clip(source, tmp_path):
    dst = tmp_path / "early.mp4"
    render_replay(source, dst, box=BOX, start_s=0.0, end_s=0.5, slow=2.0)
    assert probe_media(dst).duration_s == pytest.approx((0.5 + CONTEXT_S) * 2.0, abs=0.15)


def test_context_is_clamped_at_the_end_of_the_clip(source, tmp_path):
    dst = tmp_path / "late.mp4"
    render_replay(source, dst, box=BOX, start_s=2.5, end_s=SECONDS, slow=1.0)
    assert probe_media(dst).duration_s == pytest.approx(SECONDS - 2.5 + CONTEXT_S, abs=0.1)


def test_replay_carries_no_metadata_or_encoder_signature(replay):
    report = probe_media(replay)
    assert report.codec == "h264" and report.pix_fmt == "yuv420p"
    assert report.fps == 25
    assert set(report.tags) <= NEUTRAL_CONTAINER_TAGS
    assert len(report.streams) == 1
    for stream in report.streams:
        assert stream.tags.items() <= NEUTRAL_STREAM_TAGS.items()
    data = replay.read_bytes()
    for needle in FORBIDDEN:
        assert needle not in data, needle


def test_a_range_outside_the_clip_is_refused_and_writes_nothing(source, tmp_path):
    dst = tmp_path / "none.mp4"
    with pytest.raises(ValueError, match="no frames"):
        render_replay(source, dst, box=BOX, start_s=10.0, end_s=11.0)
    assert not dst.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "box",
    [(0.9, 0.0, 0.2, 0.5), (0.0, 0.0, 0.0, 0.5), (-0.1, 0.0, 0.5, 0.5), (0, 0, float("nan"), 1)],
)
def test_boxes_outside_the_frame_are_refused(source, tmp_path, box):
    with pytest.raises(ValueError):
        render_replay(source, tmp_path / "bad.mp4", box=box, start_s=START, end_s=END)


def test_image_replay_is_a_still_crop_enlarged_without_metadata(tmp_path):
    picture = np.full((200, 400, 3), 40, np.uint8)
    picture[100:120, 300:320] = (250, 30, 30)  # a red mark inside the box below
    source = tmp_path / "photo.jpg"
    encode_image(picture, source)
    dst = tmp_path / "replay.jpg"
    render_replay(source, dst, box=(0.7, 0.4, 0.15, 0.3), start_s=None, end_s=None)
    report = probe_media(dst)
    assert report.format == "JPEG"
    assert max(report.width, report.height) == 360
    assert report.exif == {} and not report.icc_profile_bytes
    assert set(report.jpeg_markers) <= {"SOI", "APP0", "DQT", "SOF0", "DHT", "DRI", "SOS"}
    with Image.open(dst) as out:
        rgb = np.asarray(out.convert("RGB")).astype(int)
    red = (rgb[:, :, 0] > 180) & (rgb[:, :, 1] < 90)
    ys, xs = np.nonzero(red)
    region = crop_region((0.7, 0.4, 0.15, 0.3), 400, 200)
    scale = 360 / max(region[2] - region[0], region[3] - region[1])
    assert xs.max() - xs.min() + 1 == pytest.approx(20 * scale, rel=0.2)
    assert ys.max() - ys.min() + 1 == pytest.approx(20 * scale, rel=0.2)


@given(
    x=st.floats(0, 0.999),
    y=st.floats(0, 0.999),
    w=st.floats(0.001, 1),
    h=st.floats(0.001, 1),
    width=st.integers(2, 4000),
    height=st.integers(2, 4000),
)
def test_crop_region_lies_in_the_frame_covers_the_box_and_has_even_sides(x, y, w, h, width, height):
    w, h = min(w, 1 - x), min(h, 1 - y)
    if w <= 0 or h <= 0:
        return
    left, top, right, bottom = crop_region((x, y, w, h), width, height)
    assert 0 <= left < right <= width and 0 <= top < bottom <= height
    assert (right - left) % 2 == 0 and (bottom - top) % 2 == 0
    # Covers the box; only an odd frame side filled edge to edge loses its last pixel.
    assert left <= x * width + 1e-6 and right >= (x + w) * width - 1 - 1e-6
    assert top <= y * height + 1e-6 and bottom >= (y + h) * height - 1 - 1e-6


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(2, 1000))
def test_output_size_has_the_requested_long_side_and_even_sides(cw, ch, size):
    out_w, out_h = output_size(cw, ch, size)
    assert max(out_w, out_h) == size // 2 * 2
    assert out_w % 2 == 0 and out_h % 2 == 0 and min(out_w, out_h) >= 2
