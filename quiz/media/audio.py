"""Video with sound: the normalised picture of quiz.media.encode, plus the source's sound as
AAC, for the uploads whose uploader chose to keep it.

The sound is encoded the same way for every clip (AAC-LC, 48 kHz stereo, 128 kbit/s) with
"+bitexact", so it carries no encoder signature, and is muxed with encode_video's container
treatment: no tags, no "Lavf"/"Lavc", fast start. Plain media code, no Django.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from quiz.media.encode import VideoInfo, encode_video
from quiz.media.probe import VIDEO_FORMATS, open_container

# Kept sound is re-encoded the same way for every clip: AAC-LC, 48 kHz stereo, 128 kbit/s.
AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
AUDIO_BIT_RATE = 128_000

# FFmpeg's AV_CODEC_FLAG_BITEXACT: without it the AAC encoder writes "Lavc<version>" into
# the first frame's fill element, an encoder signature like x264's SEI.
_BITEXACT_OPTIONS = {"flags": "+bitexact"}
_MP4_OPTIONS = {"movflags": "+faststart", "fflags": "+bitexact"}


class SoundUnreadable(Exception):
    """The picture is fine but the sound the uploader asked to keep cannot be decoded."""


def _encode_sound(source: Path, dst: Path, *, start_s: float, duration_s: float) -> int:
    """Write the first audio stream of `source` to `dst` as AAC in MP4, re-timed so that 0 is
    `start_s` on the source's timeline (where the first video frame is) and cut at
    `duration_s`; return how many samples were written (0: no sound at all)."""
    wanted = max(0, round(duration_s * AUDIO_RATE))
    written = 0
    skip: int | None = None  # at the start: samples to drop (> 0) or silence to add (< 0)
    resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
    with (
        open_container(source, VIDEO_FORMATS) as container,
        av.open(str(dst), mode="w", format="mp4", container_options=_MP4_OPTIONS) as output,
    ):
        output.metadata.clear()
        stream = output.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
        stream.bit_rate = AUDIO_BIT_RATE
        stream.options = dict(_BITEXACT_OPTIONS)
        stream.metadata.clear()

        def emit(samples: np.ndarray) -> None:
            nonlocal written
            samples = samples[:, : max(0, wanted - written)]
            if not samples.shape[1]:
                return
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples, dtype=np.float32),
                format="fltp",
                layout=AUDIO_LAYOUT,
            )
            frame.sample_rate = AUDIO_RATE
            frame.pts = written
            frame.time_base = Fraction(1, AUDIO_RATE)
            output.mux(stream.encode(frame))
            written += samples.shape[1]

        try:
            for decoded in container.decode(container.streams.audio[0]):
                if skip is None:
                    first = decoded.time if decoded.time is not None else start_s
                    skip = round((start_s - first) * AUDIO_RATE)
                    if skip < 0:
                        emit(np.zeros((2, -skip), dtype=np.float32))
                for chunk in resampler.resample(decoded):
                    samples = chunk.to_ndarray()
                    if skip > 0:
                        dropped = min(skip, samples.shape[1])
                        samples, skip = samples[:, dropped:], skip - dropped
                    emit(samples)
                if written >= wanted:
                    break
            for chunk in resampler.resample(None):
                emit(chunk.to_ndarray()[:, max(0, skip or 0) :])
        except (av.error.FFmpegError, ValueError) as error:
            raise SoundUnreadable(str(error)) from error
        output.mux(stream.encode(None))
    return written


def _packet_time(packet: av.Packet) -> float:
    stamp = packet.dts if packet.dts is not None else packet.pts
    return float(stamp * packet.time_base) if stamp is not None and packet.time_base else 0.0


def _interleave(
    picture: Iterator[tuple[av.Packet, Any]], sound: Iterator[tuple[av.Packet, Any]]
) -> Iterator[tuple[av.Packet, Any]]:
    """(packet, output stream) pairs of both inputs in time order, so the file plays (and
    streams over range requests) without jumping back and forth."""
    pending = next(sound, None)
    for pair in picture:
        while pending is not None and _packet_time(pending[0]) <= _packet_time(pair[0]):
            yield pending
            pending = next(sound, None)
        yield pair
    while pending is not None:
        yield pending
        pending = next(sound, None)


def encode_video_with_audio(
    frames: Iterable[tuple[float, np.ndarray]],
    dst: Path,
    *,
    audio_source: Path,
    audio_start_s: float = 0.0,
    fps: int = 25,
    max_height: int = 720,
) -> VideoInfo:
    """encode_video, with the first audio stream of `audio_source` kept as AAC.

    The picture is encoded by encode_video itself, so it is normalised and stripped exactly
    like every other clip; the sound is encoded once the same way for every clip (AAC-LC,
    48 kHz stereo, 128 kbit/s); then both are copied packet for packet into one MP4 with
    encode_video's container treatment: no container or stream tags, "+bitexact" (no
    "Lavf"/"Lavc" signatures), fast start. Raises SoundUnreadable if the sound cannot be
    decoded. Written beside `dst` and renamed, so `dst` is complete or untouched.
    """
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    picture = dst.with_name(f".{dst.stem}-{token}-picture.mp4")
    sound = dst.with_name(f".{dst.stem}-{token}-sound.mp4")
    joined = dst.with_name(f".{dst.stem}-{token}-joined.mp4")
    try:
        info = encode_video(frames, picture, fps=fps, max_height=max_height)
        samples = _encode_sound(
            audio_source, sound, start_s=audio_start_s, duration_s=info.duration_s
        )
        if not samples:
            # An audio stream with nothing in it: the clip is silent, like a dropped one.
            os.replace(picture, dst)
            return info
        with (
            av.open(str(picture)) as picture_in,
            av.open(str(sound)) as sound_in,
            av.open(str(joined), mode="w", format="mp4", container_options=_MP4_OPTIONS) as output,
        ):
            output.metadata.clear()
            picture_stream = picture_in.streams.video[0]
            sound_stream = sound_in.streams.audio[0]
            picture_out = output.add_stream_from_template(picture_stream)
            sound_out = output.add_stream_from_template(sound_stream)
            picture_out.metadata.clear()
            sound_out.metadata.clear()
            for packet, target in _interleave(
                ((p, picture_out) for p in picture_in.demux(picture_stream) if p.size),
                ((p, sound_out) for p in sound_in.demux(sound_stream) if p.size),
            ):
                packet.stream = target
                output.mux(packet)
        os.replace(joined, dst)
    finally:
        for leftover in (picture, sound, joined):
            leftover.unlink(missing_ok=True)
    return info


__all__ = [
    "AUDIO_BIT_RATE",
    "AUDIO_LAYOUT",
    "AUDIO_RATE",
    "SoundUnreadable",
    "encode_video_with_audio",
]
