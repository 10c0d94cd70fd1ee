"""Camera originals on video: the street footage as shot, and as editing, cameras and apps change
it (speed, interlacing, a pasted logo, a filter, heavy compression). They carry decoys only:
effects that look odd but are not tells.

Three stretches are shared with generated items so that each of those has an untouched twin:
VAN_SHOT (the van at a crossing, cropped so that no person is in frame, as in the melting
van), SEGMENT (the railing and the pavement pan, as in the footage edits) and RAILING_SHOT
(the railing alone, as in street_physics).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from quiz.media.encode import encode_video, iter_video_frames
from quiz.packs.synth.delivery import VIDEO_SIZE, deliver_video, delivered_box
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.sources import clip, real
from quiz.packs.synth.toolkit import FPS, Box, Frames, f32, frame_box, u8, vignette_mask, watermark

BIKES_SIZE = (640, 272)
# The third shot of the bikes footage (a grey van waits at a crossing while traffic passes),
# cropped to its left part: the cyclist waiting beside the van stays out of frame.
VAN_SHOT = (3.04, 5.44)
VAN_CROP = (0, 0, 368, 196)
# The railing shot and the pavement pan (the same stretch as footage_edits.SEGMENT).
SEGMENT = (5.48, 9.68)
# The railing shot alone (the first two seconds of SEGMENT, up to the cut).
RAILING_SHOT = (5.48, 7.48)
# What the railing shot and the pavement pan show (SEGMENT), for every item made from them.
RAILING_PAVEMENT = (
    "A street seen through a green railing, then a slow pan along a pavement with a bollard "
    "and a parked bicycle"
)
# What the railing shot shows, for it and for the generated item made from it.
RAILING_CARS = (
    "A street seen through a green railing, with a lamp post and a parked bicycle in front "
    "and cars driving away down the road"
)


def van_frames() -> Frames:
    """The van shot, cropped (the delivery scales it to the pack's size)."""
    x0, y0, x1, y1 = VAN_CROP
    for t, frame in clip("bikes.mp4", *VAN_SHOT):
        yield t, frame[y0:y1, x0:x1]


def van_box(x0: float, y0: float, x1: float, y1: float) -> Box:
    """A pixel rectangle of the cropped van shot as a box of the delivered frame."""
    w, h = VAN_CROP[2] - VAN_CROP[0], VAN_CROP[3] - VAN_CROP[1]
    return frame_box(x0, y0, x1, y1, w, h)


def bikes_box(
    x0: float, y0: float, x1: float, y1: float, focus: tuple[float, float] = (0.5, 0.5)
) -> Box:
    """A pixel rectangle of a full bikes frame as a box of the delivered frame (cropped
    around `focus`, centred by default)."""
    w, h = BIKES_SIZE
    return delivered_box(frame_box(x0, y0, x1, y1, w, h), BIKES_SIZE, VIDEO_SIZE, focus)


@recipe("demo-van-passes-close", "video", generated=False)
def _van_passes_close(dst: Path) -> dict[str, Any]:
    info = deliver_video(van_frames(), dst)
    return {
        **real("bikes"),
        "description": "A grey van waits at a crossing as traffic passes behind it",
        "explanation": "Ordinary street footage. The camera pans gently, the van's rear "
        "window, lights and frame keep their shapes, and the reflections in its glass slide "
        "across it as the light changes. The cars passing behind are smeared along their "
        "direction of travel: motion blur from the exposure time, as in any video of "
        "traffic.",
        "artifacts": [
            artifact(
                "motion_blur",
                0.0,
                1.0,
                van_box(230, 0, 360, 120),
                "Passing traffic behind the van is smeared along its direction of travel: "
                "motion blur.",
            ),
        ],
        **video_fields(info),
    }


# The right part of a bikes frame, as delivered.
RIGHT = (1.0, 0.5)


def _segment_decoys(focus: tuple[float, float] = (0.5, 0.5)) -> list[dict[str, Any]]:
    """What looks odd in the railing shot and the pavement pan, framed around `focus`: the
    cut between them and the passer-by's blurred legs."""
    return [
        artifact("editing", 1.96, 2.16, WHOLE, "A cut to a new shot: ordinary editing."),
        artifact(
            "motion_blur",
            2.24,
            3.1,
            bikes_box(190, 0, 640, 272, focus),
            "The walking legs are blurred by motion, as in any footage of quick movement.",
        ),
    ]


def _segment_item(
    dst: Path, explanation: str, *, focus: tuple[float, float] = (0.5, 0.5), framed: str = ""
) -> dict[str, Any]:
    """The railing shot and the pavement pan untouched, framed around `focus`."""
    info = deliver_video(clip("bikes.mp4", *SEGMENT), dst, focus=focus)
    return {
        **real("bikes", framed),
        "description": RAILING_PAVEMENT,
        "explanation": explanation,
        "artifacts": _segment_decoys(focus),
        **video_fields(info),
    }


@recipe("demo-railing-pavement", "video", generated=False)
def _railing_pavement(dst: Path) -> dict[str, Any]:
    return _segment_item(
        dst,
        "Ordinary street footage in two shots. Behind the railing, cars pass and the houses "
        "stay put; in the second shot the camera slides sideways, so the bollard, the bicycle "
        "and the paving stones all move together and keep their shapes and number. The legs "
        "of the passer-by are smeared because they move fast and close to the camera during "
        "each exposure.",
    )


@recipe("demo-railing-pavement-right", "video", generated=False)
def _railing_pavement_right(dst: Path) -> dict[str, Any]:
    # The same two shots framed on their right part: the pavement pan is where most of the
    # generated street items happen, so it has more than one untouched item to be seen in.
    return _segment_item(
        dst,
        "Ordinary street footage in two shots, framed on the right part of the picture. "
        "Behind the railing the cars drive off and get smaller as they go; in the second shot "
        "the camera slides sideways, and the nearer a thing is, the faster it crosses the "
        "picture: the bollard in front races past, the bicycle and the wall behind it move "
        "more slowly, and everything stays the same size and shape. The legs of the passer-by "
        "are smeared because they move fast and close to the camera during each exposure.",
        focus=RIGHT,
        framed="framed on the right part of the picture",
    )


# The left part of a bikes frame, as delivered.
LEFT = (0.0, 0.5)


@recipe("demo-railing-pavement-left", "video", generated=False)
def _railing_pavement_left(dst: Path) -> dict[str, Any]:
    # The same two shots framed on their left part, where the passer-by walks in: the
    # pavement pan's passer-by is where the motion item happens, so their walk as shot is
    # seen whole in an untouched item too.
    return _segment_item(
        dst,
        "Ordinary street footage in two shots, framed on the left part of the picture. Behind "
        "the railing, cars pass and the houses stay put; in the second shot a passer-by walks "
        "along behind the bollard and out of the picture, one foot on the ground while the other "
        "leg swings forward, step after step. The camera slides sideways, so the bollard in "
        "front passes faster than the doorway and the wall behind it. The legs are smeared "
        "because they move fast and close to the camera during each exposure.",
        focus=LEFT,
        framed="framed on the left part of the picture",
    )


@recipe("demo-railing-cars", "video", generated=False)
def _railing_cars(dst: Path) -> dict[str, Any]:
    info = deliver_video(clip("bikes.mp4", *RAILING_SHOT), dst)
    return {
        **real("bikes"),
        "description": RAILING_CARS,
        "explanation": "Ordinary street footage. A black car and then a white car drive away "
        "from the camera in the same lane, one behind the other, and the railing, the lamp "
        "post and the parked bicycle hide parts of them as they pass. Further down the road "
        "the black car passes a dark car and hides the part of it that is behind it: where "
        "real cars overlap in the picture, the nearer one covers the farther one completely. "
        "Close to the camera the black car is smeared along its way: motion blur.",
        "artifacts": [
            artifact(
                "motion_blur",
                0.0,
                0.4,
                bikes_box(64, 80, 300, 230),
                "The black car close to the camera is smeared along its direction of travel: "
                "motion blur from the exposure time.",
            ),
        ],
        **video_fields(info),
    }


def _vintage_filter(frame: np.ndarray, vignette: np.ndarray) -> np.ndarray:
    """A typical app filter: faded blacks, soft highlights, warm cast, less colour, dark
    corners."""
    img = f32(frame)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * 0.7
    img = 0.10 + 0.80 * img - 0.12 * (img - 0.5) ** 2
    img *= np.array([1.08, 1.0, 0.84], dtype=np.float32)
    return u8(img * vignette + np.array([0.03, 0.02, 0.0], dtype=np.float32))


@recipe("demo-railing-street-vintage", "video", generated=False)
def _railing_vintage(dst: Path) -> dict[str, Any]:
    vignette = vignette_mask(640, 272, 0.45)

    def frames() -> Frames:
        for t, frame in clip("bikes.mp4", *SEGMENT):
            yield t, _vintage_filter(frame, vignette)

    info = deliver_video(frames(), dst)
    return {
        **real("bikes", "filter applied by Second Look"),
        "description": RAILING_PAVEMENT,
        "explanation": "Real street footage with a 'vintage' filter on top, applied here the "
        "way a phone app does it: faded blacks, a warm cast, muted colours and dark corners. "
        "Filters change how footage looks, not what happens in it: the cars, the railing, "
        "the houses and the bicycle all behave normally. Generators can imitate such looks too, film grain "
        "included, so a look decides nothing either way.",
        "artifacts": [
            artifact(
                "filter",
                0.0,
                info.duration_s,
                WHOLE,
                "The faded, warm, dark-cornered look is an app filter on real footage.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-street-time-lapse", "video", generated=False)
def _street_time_lapse(dst: Path) -> dict[str, Any]:
    # Every other frame of the railing shot and the pavement pan: twice the speed. The same
    # stretch as the generated street items, so the picture alone does not say "real".
    frames = (
        (t / 2, frame) for n, (t, frame) in enumerate(clip("bikes.mp4", *SEGMENT)) if n % 2 == 0
    )
    info = deliver_video(frames, dst)
    return {
        **real("bikes", "sped up by Second Look (every other frame)"),
        "description": RAILING_PAVEMENT,
        "explanation": "Real street footage sped up twice in editing, by keeping only every "
        "other frame. The cars behind the railing hurry away, and in the pan a passer-by "
        "crosses the frame in a few jerky steps. Speed changes, time-lapse and jump cuts are "
        "ordinary editing: strange-looking motion is a tell only when it could not happen at "
        "any speed (walking backwards while moving forwards, feet sliding). Sped up or not, "
        "the bollard, the bicycle and the paving stones move together and keep their number.",
        "artifacts": [
            artifact(
                "editing",
                0.0,
                info.duration_s,
                WHOLE,
                "Sped up twice in editing: every other frame is kept, so motion hurries and jumps.",
            ),
            artifact("editing", 0.93, 1.13, WHOLE, "A cut to a new shot: ordinary editing."),
        ],
        **video_fields(info),
    }


def _weave(upper: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """One interlaced frame: even lines from one moment, odd lines from the next."""
    out = upper.copy()
    out[1::2] = lower[1::2]
    return out


@recipe("demo-street-interlaced", "video", generated=False)
def _street_interlaced(dst: Path) -> dict[str, Any]:
    # An interlaced camera records the even and the odd lines of a frame one field (here a
    # frame of the footage) apart; shown without deinterlacing, moving edges comb.
    frames = list(clip("bikes.mp4", *SEGMENT))

    def woven() -> Frames:
        for (t, a), (_, b) in zip(frames, frames[1:] + frames[-1:], strict=True):
            yield t, _weave(a, b)

    info = deliver_video(woven(), dst)
    return {
        **real("bikes", "interlacing simulated by Second Look from consecutive frames"),
        "description": RAILING_PAVEMENT,
        "explanation": "Real street footage, shown the way an older kind of video "
        "(interlaced video) looks on a screen that does not convert it. Such cameras and TV "
        "broadcasts record every other line of a picture first and the lines in between a "
        "moment later, so the edges of the passing cars, and of everything once the camera "
        "pans, break into fine comb teeth, while what stands still stays clean. "
        "(The comb is simulated here from two consecutive frames of the footage.) Combing, "
        "stutter from a frame-rate conversion and wheels that seem to turn backwards all "
        "come from how cameras sample time, not from a generator.",
        "artifacts": [
            artifact(
                "editing",
                0.0,
                info.duration_s,
                WHOLE,
                "Comb teeth on every moving edge (the passing cars, then the whole pan): the "
                "two halves of each picture, every other line, were recorded a moment apart.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-street-logo", "video", generated=False)
def _street_logo(dst: Path) -> dict[str, Any]:
    mark = watermark(110, 26)
    x, y = 640 - 80 - 124, 272 - 40  # bottom right of the delivered (centre-cropped) frame

    def frames() -> Frames:
        for t, frame in clip("bikes.mp4", *SEGMENT):
            img = f32(frame)
            region = img[y : y + mark.shape[0], x : x + mark.shape[1]]
            region[:] = region * (1 - 0.6 * mark[:, :, None]) + 0.6 * mark[:, :, None]
            yield t, u8(img)

    info = deliver_video(frames(), dst)
    return {
        **real("bikes", "logo added by Second Look"),
        "description": RAILING_PAVEMENT,
        "explanation": "Real street footage with a generator-style logo pasted on it "
        "afterwards, as pranksters and some re-uploaders do. A visible watermark is a clue, "
        "not proof: it takes seconds to paste one onto real footage, and seconds to blur one "
        "off a generated clip. Everything else here is ordinary: the pan moves the whole "
        "scene together, and the passer-by's legs are blurred by motion.",
        "artifacts": [
            artifact(
                "editing",
                0.0,
                info.duration_s,
                bikes_box(x - 4, y - 4, x + mark.shape[1] + 4, y + mark.shape[0] + 4),
                "A logo added on top of the footage after it was filmed.",
            )
        ],
        **video_fields(info),
    }


def _recompressed(frames: Frames, work: Path) -> Frames:
    """The frames after a trip through a starved encode (90 kbit/s at full size), as a clip
    shared and re-shared on messaging apps ends up."""
    starved = work.with_name(f".{work.stem}.lowrate.mp4")
    try:
        encode_video(frames, starved, fps=FPS, bit_rate=90_000)
        yield from iter_video_frames(starved)
    finally:
        starved.unlink(missing_ok=True)


@recipe("demo-street-low-bitrate", "video", generated=False)
def _street_low_bitrate(dst: Path) -> dict[str, Any]:
    # The stretch of the generated street items, so the picture alone does not say "real".
    info = deliver_video(_recompressed(clip("bikes.mp4", *SEGMENT), dst), dst)
    return {
        **real("bikes", "re-compressed by Second Look"),
        "description": RAILING_PAVEMENT,
        "explanation": "Real street footage that has been compressed far too hard, as happens "
        "to a video shared and re-shared on messaging apps. Detail turns into blocks and "
        "smudges, worst where things move: the cars behind the railing, then the whole "
        "picture once the camera pans. Compression damage is not evidence of generation, and "
        "it can hide real tells too: look at what happens in the clip, not at how clean the "
        "pixels are. Here nothing does what it could not: the bollard, the bicycle and the "
        "paving stones move together and keep their number.",
        "artifacts": [
            artifact(
                "compression",
                0.0,
                info.duration_s,
                WHOLE,
                "Blocky, smeared detail everywhere, strongest on moving things: low-bitrate "
                "compression.",
            ),
            artifact("editing", 1.96, 2.16, WHOLE, "A cut to a new shot: ordinary editing."),
        ],
        **video_fields(info),
    }
