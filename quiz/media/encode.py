"""One normalised encoding for every clip and photo Second Look serves.

Integrity rule (DESIGN.md): nothing in a served file may hint whether it is camera footage or
generated. Real and generated media therefore go through exactly the same pipeline here, and
the pipeline throws away everything except pixels: container tags, stream tags, the encoder's
own signature inside the H.264 bitstream, EXIF, ICC profiles and comments. A learner who opens
the file in a hex editor or `ffprobe` learns nothing beyond the picture itself.

This module is pure media code (PyAV, Pillow, numpy) with no Django imports, so the ingest task
and the demo-pack synthesizer share it and it is tested without a database.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps

# Constant quality rather than a bitrate: every clip gets the same visual treatment whatever
# its content, so "this one looks more compressed" cannot separate real from generated.
VIDEO_CRF = 23
# "fast" keeps a 640x360 clip well above real time on a 2-core machine while staying close to
# "medium" in quality at this CRF.
VIDEO_PRESET = "fast"
# Keyframe interval in seconds. Fixed (scene-cut detection off) so the GOP structure does not
# reveal where a source had its cuts, and seeking costs the same everywhere.
GOP_SECONDS = 2
JPEG_QUALITY = 88

# FFmpeg enum values for BT.709 primaries/transfer/matrix and limited ("MPEG") range. Tagging
# the stream the same way for every file makes browsers render colours consistently; the tag
# carries no information about a file's origin.
_AVCOL_BT709 = 1
_AVCOL_RANGE_MPEG = 1

# Time comparisons are made on float seconds from many sources (PyAV pts, synthesizer
# timelines); a microsecond of slack stops 0.12 != 3 * 0.04 from dropping a frame.
_TIME_EPS = 1e-6

# Stream tags the MP4 muxer always writes and that are identical for every file we produce
# (the muxer falls back to these when a stream has no tags of its own).
NEUTRAL_STREAM_TAGS = {"language": "und", "handler_name": "VideoHandler"}
# What the MP4 demuxer reports from the `ftyp` box: file-type brands, not metadata, and again
# the same for every file.
NEUTRAL_CONTAINER_TAGS = {"major_brand", "minor_version", "compatible_brands"}


@dataclass(frozen=True, slots=True)
class VideoInfo:
    width: int
    height: int
    duration_s: float
    fps: int
    frame_count: int


@dataclass(frozen=True, slots=True)
class ImageInfo:
    width: int
    height: int


# --------------------------------------------------------------------------------------------
# Video
# --------------------------------------------------------------------------------------------


def _output_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """Scale down to max_height (never up) and round to even numbers for yuv420p."""
    if height <= max_height:
        # No scaling: drop a stray odd row/column (the caller crops) rather than resample.
        return max(2, width // 2 * 2), max(2, height // 2 * 2)
    scaled_width = width * max_height / height
    # 4:2:0 chroma subsampling needs even dimensions; round to the nearest even, at least 2.
    return max(2, round(scaled_width / 2) * 2), max(2, max_height // 2 * 2)


def _as_rgb(array: np.ndarray) -> np.ndarray:
    """Accept HxWx3 RGB (the contract) and, leniently, grey or RGBA arrays."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"frames must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"frames must be HxWx3 RGB, got shape {array.shape}")
    return np.ascontiguousarray(array)


class _Muxer:
    """An MP4 writer whose H.264 packets pass through an SEI-stripping bitstream filter.

    x264 announces itself with a user-data SEI ("x264 - core 164 - H.264/MPEG-4 AVC codec -
    Copyleft ... options: ...") in the first access unit. It is the encoder's fingerprint and,
    worse, its options string would differ if real and generated clips were ever encoded with
    different settings. `filter_units=remove_types=6` drops every SEI NAL unit; nothing a
    browser needs lives in SEI for this stream (no HDR, no captions, no HRD).
    """

    def __init__(
        self,
        path: Path,
        *,
        width: int,
        height: int,
        fps: int,
        bit_rate: int | None = None,
        max_rate: int | None = None,
    ) -> None:
        self.fps = fps
        # fflags=+bitexact stops libavformat writing its "Lavf<version>" encoder tag;
        # faststart moves the moov atom to the front so playback starts before the whole file
        # has downloaded. These go in container_options so they are not also handed to the
        # codec (PyAV copies plain `options` into every codec context).
        self.container = av.open(
            str(path),
            mode="w",
            format="mp4",
            container_options={"movflags": "+faststart", "fflags": "+bitexact"},
        )
        self.container.metadata.clear()
        stream = self.container.add_stream("libx264", rate=fps)
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        ctx = stream.codec_context
        ctx.gop_size = GOP_SECONDS * fps
        ctx.color_primaries = _AVCOL_BT709
        ctx.color_trc = _AVCOL_BT709
        ctx.colorspace = _AVCOL_BT709
        ctx.color_range = _AVCOL_RANGE_MPEG
        keyint = GOP_SECONDS * fps
        options = {
            "crf": str(VIDEO_CRF),
            "preset": VIDEO_PRESET,
            # scenecut=0 keeps the GOP fixed (see GOP_SECONDS); min-keyint is clamped by x264
            # to keyint/2+1, which is harmless once scene cuts cannot insert keyframes.
            "x264-params": f"keyint={keyint}:min-keyint={keyint}:scenecut=0",
        }
        if bit_rate is not None:
            # Capped constant quality: a high quality (CRF 12) held under max_rate by the VBV,
            # so nearly every clip of a set ends up at about the same bits per second. One
            # encoder thread: x264's rate control under a VBV is not reproducible across
            # threads, and a set built twice must give the same bytes.
            cap = max_rate or bit_rate
            options.update(
                {
                    "crf": "12",
                    "maxrate": str(cap),
                    "bufsize": str(2 * cap),
                    "x264-params": options["x264-params"] + ":threads=1",
                }
            )
            ctx.thread_count = 1
        stream.options = options
        stream.metadata.clear()
        self.stream = stream
        # Open the codec and write the header now, so the stream's codec parameters (with the
        # SPS/PPS extradata the filter needs to parse packets) exist before the filter copies
        # them.
        self.container.start_encoding()
        self.bsf = av.bitstream.BitStreamFilterContext("filter_units=remove_types=6", stream)
        self.frames_written = 0

    def write(self, frame: av.VideoFrame) -> None:
        frame.pts = self.frames_written
        frame.time_base = Fraction(1, self.fps)
        self._mux(self.stream.encode(frame))
        self.frames_written += 1

    def _mux(self, packets: Iterable[av.Packet]) -> None:
        for packet in packets:
            for filtered in self.bsf.filter(packet):
                filtered.stream = self.stream
                self.container.mux(filtered)

    def close(self) -> None:
        self._mux(self.stream.encode(None))
        # Drain packets the filter may still hold, then close the file.
        for filtered in self.bsf.filter(None):
            filtered.stream = self.stream
            self.container.mux(filtered)
        self.container.close()

    def abort(self) -> None:
        # Closing a half-written file may fail too; the caller deletes it either way.
        with contextlib.suppress(Exception):
            self.container.close()


def encode_video(
    frames: Iterable[tuple[float, np.ndarray]],
    dst: Path,
    *,
    fps: int = 25,
    max_height: int = 720,
    bit_rate: int | None = None,
    max_rate: int | None = None,
) -> VideoInfo:
    """Encode (time_s, HxWx3 uint8 RGB) frames into the normalised web MP4 at `dst`.

    By default at constant quality (VIDEO_CRF), as for uploads. With `bit_rate` (bits per
    second) a higher quality is held under `max_rate` (default: bit_rate) over a two-second
    buffer, on one encoder thread, so most clips land near that rate: the demo pack gives
    every item the same rate control so that file size and bitrate say nothing about which
    side an item is on.

    Input may have any frame rate, even a variable one; output is constant `fps`: output slot
    i (at i/fps seconds) shows the latest input frame whose time is <= i/fps, so frames are
    duplicated or dropped as needed. Times are re-based so the first frame is at 0. The last
    input frame is held for as long as the interval before it (or one slot if it is alone), so
    a 10 fps one-second input becomes one second of output, not 0.9 s.

    Frames are streamed: only the current and previous input frames are held in memory.
    The output is written to a temporary file and renamed, so `dst` is either complete or
    untouched.
    """
    dst = Path(dst)
    if fps <= 0:
        raise ValueError("fps must be positive")
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".encode-", suffix=".mp4", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    muxer: _Muxer | None = None
    try:
        size: tuple[int, int] | None = None
        t0: float | None = None
        prev_rgb: np.ndarray | None = None
        prev_frame: av.VideoFrame | None = None  # prev_rgb converted, made on first use
        prev_t = 0.0
        last_gap = 1.0 / fps
        slot = 0

        def converted(rgb: np.ndarray) -> av.VideoFrame:
            assert size is not None
            w, h = size
            # Crop a stray odd row/column instead of resampling when no downscale is needed,
            # so even-sizing never blurs the picture.
            if rgb.shape[0] <= max_height and min(rgb.shape[:2]) >= 2:
                rgb = rgb[: rgb.shape[0] // 2 * 2, : rgb.shape[1] // 2 * 2]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            return frame.reformat(
                width=w,
                height=h,
                format="yuv420p",
                dst_colorspace="itu709",
                dst_color_range="MPEG",
                interpolation="AREA",
            )

        for t, array in frames:
            rgb = _as_rgb(array)
            if size is None:
                size = _output_size(rgb.shape[1], rgb.shape[0], max_height)
                muxer = _Muxer(
                    tmp,
                    width=size[0],
                    height=size[1],
                    fps=fps,
                    bit_rate=bit_rate,
                    max_rate=max_rate,
                )
                t0 = float(t)
            assert muxer is not None and t0 is not None
            t = float(t) - t0
            if t < prev_t - _TIME_EPS:
                raise ValueError(f"frames must be in time order ({t:.3f}s after {prev_t:.3f}s)")
            # Every slot strictly before this frame's time belongs to the previous frame.
            while prev_rgb is not None and slot / fps < t - _TIME_EPS:
                if prev_frame is None:
                    prev_frame = converted(prev_rgb)
                muxer.write(prev_frame)
                slot += 1
            if prev_rgb is not None and t - prev_t > _TIME_EPS:
                last_gap = t - prev_t
            prev_rgb, prev_frame, prev_t = rgb, None, t

        if muxer is None or prev_rgb is None:
            raise ValueError("no frames to encode")
        end = prev_t + last_gap
        while slot / fps < end - _TIME_EPS:
            if prev_frame is None:
                prev_frame = converted(prev_rgb)
            muxer.write(prev_frame)
            slot += 1
        muxer.close()
        muxer = None
        os.replace(tmp, dst)
    except BaseException:
        if muxer is not None:
            muxer.abort()
        tmp.unlink(missing_ok=True)
        raise
    assert size is not None
    return VideoInfo(
        width=size[0],
        height=size[1],
        duration_s=round(slot / fps, 6),
        fps=fps,
        frame_count=slot,
    )


def iter_video_frames(path: Path) -> Iterator[tuple[float, np.ndarray]]:
    """Decode the first video stream of any file PyAV reads into (time_s, HxWx3 RGB) frames.

    Times are re-based so the first decoded frame is at 0 (edit lists and transport streams
    often start elsewhere). A rotation flag from a phone is applied to the pixels, since the
    normalised output carries no such flag.
    """
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate or stream.guessed_rate or 25)
        t0: float | None = None
        for index, frame in enumerate(container.decode(stream)):
            t = frame.time if frame.time is not None else index / rate
            if t0 is None:
                t0 = t
            # Pass the frame's own range so full-range (JPEG-style) sources are not crushed.
            rgb = frame.to_ndarray(format="rgb24", src_color_range=frame.color_range or None)
            quarter_turns = round(frame.rotation / 90) % 4 if frame.rotation else 0
            if quarter_turns:
                # rotation is counter-clockwise; np.rot90 with k>0 also turns counter-clockwise.
                rgb = np.ascontiguousarray(np.rot90(rgb, k=quarter_turns))
            yield t - t0, rgb


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def _pixels_only(image: Image.Image | np.ndarray) -> Image.Image:
    """Return a fresh RGB image that shares nothing but pixels with the input."""
    if isinstance(image, np.ndarray):
        array = np.asarray(image)
        if array.dtype != np.uint8:
            raise ValueError(f"images must be uint8, got {array.dtype}")
        image = Image.fromarray(array)
    else:
        # Apply a camera's EXIF orientation before the EXIF is thrown away, or portrait
        # photos would come out sideways.
        image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGB")
    # Rebuilding from raw bytes drops `info` (comments, ICC, EXIF, DPI) that Pillow would
    # otherwise carry over to the saved file: Pillow writes `info["comment"]` by default.
    return Image.frombytes("RGB", image.size, image.tobytes())


def encode_image(
    image: Image.Image | np.ndarray,
    dst: Path,
    *,
    max_side: int = 1280,
) -> ImageInfo:
    """Save `image` as the normalised JPEG: baseline, quality 88, RGB, 4:2:0, no metadata."""
    dst = Path(dst)
    picture = _pixels_only(image)
    if max(picture.size) > max_side:
        scale = max_side / max(picture.size)
        size = (
            max(1, round(picture.width * scale)),
            max(1, round(picture.height * scale)),
        )
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".encode-", suffix=".jpg", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        picture.save(
            tmp,
            format="JPEG",
            quality=JPEG_QUALITY,
            subsampling="4:2:0",
            # optimize only recomputes Huffman tables; the file stays baseline (SOF0).
            optimize=True,
            progressive=False,
            exif=b"",
            icc_profile=None,
            comment=None,
        )
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ImageInfo(width=picture.width, height=picture.height)


def render_poster(video: Path, dst: Path, *, at_s: float = 0.0) -> None:
    """Write the frame shown at `at_s` (or the last frame, if the clip is shorter) as a JPEG.

    Decodes from the start rather than seeking: clips are short, and seeking to a keyframe
    then counting forward is easy to get wrong with edit lists and B-frames.
    """
    chosen: np.ndarray | None = None
    for t, rgb in iter_video_frames(video):
        if t > at_s + _TIME_EPS and chosen is not None:
            break
        chosen = rgb
    if chosen is None:
        raise ValueError(f"{video} has no video frames")
    encode_image(chosen, dst)
