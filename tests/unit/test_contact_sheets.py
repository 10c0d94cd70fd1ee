"""`manage.py demo_contact_sheets OUT`: generated and real items on their own sheets, six
frames of a video, and each artifact's box drawn where and when it was annotated."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from quiz.packs import contact_sheets as cs

GREY = (128, 128, 128)


def _write_video(path: Path, *, frames: int = 50, size: tuple[int, int] = (96, 64)) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for _ in range(frames):
            rgb = np.full((size[1], size[0], 3), GREY, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.fixture
def tiny_pack(tmp_path) -> Path:
    pack = tmp_path / "pack"
    (pack / "media").mkdir(parents=True)
    _write_video(pack / "media/0001.mp4")
    Image.new("RGB", (96, 64), GREY).save(pack / "media/0002.jpg")
    items = [
        {
            "key": "t-generated",
            "file": "media/0001.mp4",
            "media_kind": "video",
            "is_generated": True,
            "generator": "test",
            "duration_s": 2.0,
            # Visible from 1.0 s: only in the frames at 1.17, 1.50 and 1.83 s.
            "artifacts": [{"category": "anatomy", "box": [0.25, 0.25, 0.5, 0.5], "start_s": 1.0}],
        },
        {
            "key": "t-real",
            "file": "media/0002.jpg",
            "media_kind": "image",
            "is_generated": False,
            "generator": "",
            "artifacts": [],
        },
    ]
    for item in items:
        item["artifacts"] = [{"end_s": 2.0, **a} for a in item["artifacts"]]
    (pack / "manifest.json").write_text(json.dumps({"format": 1, "items": items}))
    return pack


def _is_box(pixel) -> bool:
    return all(abs(int(c) - b) <= 40 for c, b in zip(pixel, cs.BOX_COLOUR, strict=True))


def test_the_command_writes_a_sheet_per_side_with_the_boxes(tiny_pack, tmp_path):
    out = tmp_path / "sheets"
    call_command("demo_contact_sheets", str(out), "--pack", str(tiny_pack))
    assert sorted(p.name for p in out.iterdir()) == ["generated-01.png", "real-01.png"]

    generated = Image.open(out / "generated-01.png").convert("RGB")
    assert generated.size == (cs.SHEET_W, 2 * cs.MARGIN + cs.ROW_H)
    # 96x64 frames fill the 192x128 cell at twice the size: the box's left edge runs at
    # x = 48 from y = 32 to 96 in every frame after 1.0 s, and in none before.
    for col, t in enumerate(cs.sample_times(2.0)):
        x0, y0 = cs.tile_origin(0, col)
        assert _is_box(generated.getpixel((x0 + 48, y0 + 64))) == (t >= 1.0), (col, t)
        assert not _is_box(generated.getpixel((x0 + 20, y0 + 64)))

    real = np.asarray(Image.open(out / "real-01.png").convert("RGB"))
    assert not any(_is_box(p) for p in real.reshape(-1, 3)[::7])


def test_the_frames_cover_a_short_artifact():
    times = cs.frame_times(6.0, [{"start_s": 1.2, "end_s": 1.4, "box": [0, 0, 1, 1]}])
    assert len(times) == cs.FRAMES_PER_VIDEO
    assert any(1.2 <= t <= 1.4 for t in times)
    assert cs.frame_times(6.0, []) == cs.sample_times(6.0)


def test_a_folder_without_a_manifest_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"manifest\.json"):
        call_command("demo_contact_sheets", str(tmp_path / "out"), "--pack", str(tmp_path))
