"""Camera originals on video: street and car footage as shot, compressed, filtered or slowed,
and slow pans and zooms over real photographs. They carry decoys only: camera and editing
effects that look odd but are not tells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from quiz.media.encode import encode_video
from quiz.packs.synth.camera import Move, View
from quiz.packs.synth.items import WHOLE, artifact, recipe, video_fields
from quiz.packs.synth.sources import clip, photo_image, real
from quiz.packs.synth.toolkit import FPS, Frames, f32, frame_box, timeline, u8, vignette_mask


@recipe("demo-city-street-montage", "video", generated=False)
def _city_street(dst: Path) -> dict[str, Any]:
    # The first three shots of the bikes footage: a top-down pavement, a man among parked
    # cars with blurred headlights, a van with a cyclist as traffic passes.
    info = encode_video(clip("bikes.mp4", 0.0, 5.44), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **real("bikes"),
        "description": "A short montage of city street scenes: pavement from above, a man "
        "walking between parked cars, a cyclist behind a van",
        "explanation": "Ordinary camera footage, edited into a montage. The hard cuts between "
        "shots, the big soft discs of out-of-focus lights and the smeared car that crosses "
        "the frame are all normal camera and editing effects, not generator glitches. Nothing "
        "changes shape, count or physics within a shot.",
        "artifacts": [
            artifact(
                "editing",
                1.2,
                1.4,
                WHOLE,
                "A cut to a new shot: editing, not an object popping into existence.",
            ),
            artifact("editing", 3.04, 3.24, WHOLE, "Another ordinary cut between shots."),
            artifact(
                "lens",
                1.2,
                3.0,
                frame_box(0, 0, w, h * 0.75, w, h),
                "The round blobs of light are out-of-focus highlights (bokeh) from a lens with "
                "shallow depth of field.",
            ),
            artifact(
                "motion_blur",
                3.1,
                3.9,
                frame_box(230, 40, w, h, w, h),
                "A car passing close to the camera is smeared along its direction of travel: "
                "motion blur from the exposure time.",
            ),
        ],
        **video_fields(info),
    }


@recipe("demo-car-passenger", "video", generated=False)
def _car_passenger(dst: Path) -> dict[str, Any]:
    info = encode_video(clip("carphone_pristine.mp4", 0.0, 10.0), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a moving car",
        "explanation": "Real footage from a standard video test sequence. The view through the "
        "side window is bright and streaked because the landscape rushes past during each "
        "exposure; his face and hands move naturally and stay the same person throughout.",
        "artifacts": [
            artifact(
                "motion_blur",
                0.0,
                info.duration_s,
                frame_box(0.72 * w, 0, w, 0.72 * h, w, h),
                "The landscape outside the window is blurred by motion, as it is in any "
                "footage shot from a moving car.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-car-passenger-low-bitrate", "video", generated=False)
def _car_passenger_compressed(dst: Path) -> dict[str, Any]:
    info = encode_video(clip("carphone_distorted.mp4", 0.0, 10.0), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a moving car",
        "explanation": "Real footage, badly compressed. The blocks and smears on his face "
        "when he moves come from a low bitrate, as in a video that has been re-shared many "
        "times. Compression damage is not evidence of generation: look for what the content "
        "does, not how clean the pixels are.",
        "artifacts": [
            artifact(
                "compression",
                0.0,
                info.duration_s,
                frame_box(0.18 * w, 0, 0.8 * w, 0.9 * h, w, h),
                "Blocky, smeared detail on the face is low-bitrate compression, strongest "
                "when he moves his head.",
            )
        ],
        **video_fields(info),
    }


def _visible_span(move: Move, rect: tuple, min_share: float = 0.5) -> tuple[float, float] | None:
    """First and last time at which at least min_share of a source rect is in frame."""
    times = []
    for t in timeline(move.duration):
        x0, y0, x1, y1 = move.rect(t, *rect)
        inside = max(0.0, min(x1, move.width) - max(x0, 0)) * max(
            0.0, min(y1, move.height) - max(y0, 0)
        )
        if inside >= min_share * (x1 - x0) * (y1 - y0):
            times.append(t)
    return (times[0], times[-1] + 1 / FPS) if times else None


def _ken_burns_item(
    dst: Path, source: str, move: Move, decoys: list[tuple[str, tuple, str]]
) -> tuple[Any, list[dict[str, Any]]]:
    info = encode_video(move.frames(photo_image(source)), dst, fps=FPS)
    artifacts = [
        artifact(
            "editing",
            0.0,
            info.duration_s,
            WHOLE,
            "The slow zoom and pan is an edit applied to a still photograph, as in any "
            "documentary.",
        )
    ]
    for category, rect, text in decoys:
        span = _visible_span(move, rect)
        if span is None:
            continue
        box = frame_box(*move.union(span[0], span[1], rect), move.width, move.height)
        artifacts.append(artifact(category, span[0], span[1], box, text))
    return info, artifacts


@recipe("demo-deep-field-zoom", "video", generated=False)
def _deep_field_zoom(dst: Path) -> dict[str, Any]:
    move = Move(View(500, 436, 1000), View(650, 540, 520), 640, 360, 6.0)
    info, artifacts = _ken_burns_item(
        dst,
        "hubble",
        move,
        [
            (
                "lens",
                (725, 550, 785, 606),
                "The four-pointed star is a diffraction spike from the telescope's mirror "
                "supports, a property of the optics.",
            )
        ],
    )
    return {
        **real("hubble"),
        "description": "A slow zoom into a deep-space photograph crowded with galaxies",
        "explanation": "A real photograph with a slow zoom added in editing. The Hubble image "
        "itself is stacked from many exposures and coloured from several filters; that "
        "processing and the spiky stars look unusual but are standard astronomy, not "
        "generation. The galaxies keep their shapes and positions as the view moves.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-rocket-dusk-tilt", "video", generated=False)
def _rocket_tilt(dst: Path) -> dict[str, Any]:
    move = Move(View(320, 190, 540), View(320, 247, 640), 640, 360, 5.0)
    info, artifacts = _ken_burns_item(
        dst,
        "rocket",
        move,
        [
            (
                "lens",
                (70, 330, 470, 427),
                "The star-shaped flares around the floodlights come from the lens aperture "
                "blades; real cameras make them with bright points of light.",
            )
        ],
    )
    return {
        **real("rocket"),
        "description": "A rocket stands on a launch pad at dusk between lightning towers, "
        "the view slowly tilting down",
        "explanation": "A real launch photograph, slowly zoomed out and tilted in editing. "
        "Symmetric starbursts around lights and the deep blue dusk sky can look too perfect, "
        "but they are ordinary lens and exposure effects. The towers' lattices stay straight "
        "and consistent throughout.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-espresso-push-in", "video", generated=False)
def _espresso_push_in(dst: Path) -> dict[str, Any]:
    move = Move(View(300, 200, 600), View(292, 188, 470), 640, 360, 5.0)
    info, artifacts = _ken_burns_item(
        dst,
        "coffee",
        move,
        [
            (
                "lens",
                (0, 0, 190, 110),
                "The blurred, darker corner is shallow depth of field and vignetting from "
                "the lens.",
            )
        ],
    )
    return {
        **real("coffee"),
        "description": "A slow push in on an espresso cup and spoon on a wooden table",
        "explanation": "A real photograph with a gentle push-in added in editing. The "
        "glossy reflections on the cup and spoon match the light from the window, and the "
        "soft background is just the lens focusing on the cup.",
        "artifacts": artifacts,
        **video_fields(info),
    }


@recipe("demo-van-passes-close", "video", generated=False)
def _van_passes_close(dst: Path) -> dict[str, Any]:
    # The third shot of the bikes footage: a cyclist waits while a white van sweeps past
    # close to the camera.
    info = encode_video(clip("bikes.mp4", 3.04, 5.44), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **real("bikes"),
        "description": "A cyclist waits at a crossing behind a grey van as traffic passes",
        "explanation": "Ordinary footage of traffic passing close to the camera. The white "
        "van is smeared along its direction of travel, and its upright rear edge leans to one "
        "side as it sweeps past. Both are how video cameras record fast movement: the smear "
        "comes from the exposure time, the lean from a sensor that reads the picture line by "
        "line from top to bottom while the van moves on.",
        "artifacts": [
            artifact(
                "motion_blur",
                0.08,
                1.0,
                frame_box(0.36 * w, 0, w, h, w, h),
                "The passing van is smeared along its direction of travel: motion blur.",
            ),
            artifact(
                "rolling_shutter",
                0.6,
                1.0,
                frame_box(0.45 * w, 0, w, 0.8 * h, w, h),
                "The van's upright rear edge leans as it passes: rolling shutter, because the "
                "sensor reads the frame top to bottom while the van keeps moving.",
            ),
        ],
        **video_fields(info),
    }


@recipe("demo-deep-field-grain", "video", generated=False)
def _deep_field_grain(dst: Path) -> dict[str, Any]:
    # A slow pan at about twice the photo's own resolution over its lower left.
    move = Move(View(180, 560, 300), View(300, 600, 300), 640, 360, 6.0)
    info, artifacts = _ken_burns_item(dst, "hubble", move, [])
    artifacts.append(
        artifact(
            "noise",
            0.0,
            info.duration_s,
            WHOLE,
            "The fine, coloured speckle in the black sky is noise: the telescope gathered "
            "very little light from these regions, and what is left after stacking the "
            "exposures shows as grain when magnified.",
        )
    )
    return {
        **real("hubble"),
        "description": "A slow, close pan across dark sky scattered with tiny galaxies",
        "explanation": "A real photograph, magnified and panned in editing. The grainy, "
        "colour-speckled black is noise from collecting very faint light, the same grain a "
        "phone shows in a dark room. Noise is not a sign of generation; if anything, "
        "generated images tend to be too clean.",
        "artifacts": artifacts,
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
        for t, frame in clip("bikes.mp4", 5.48, 7.48):
            yield t, _vintage_filter(frame, vignette)

    info = encode_video(frames(), dst, fps=FPS)
    return {
        **real("bikes"),
        "description": "Cars pass a city street behind a green iron railing with a parked "
        "bicycle, in warm faded colours",
        "explanation": "Real street footage with a 'vintage' filter on top, applied here the "
        "way a phone app does it: faded blacks, a warm cast, muted colours and dark corners. "
        "Filters change how footage looks, not what happens in it: the cars, the railing and "
        "the houses all behave normally.",
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


@recipe("demo-cobbles-passerby", "video", generated=False)
def _cobbles_passerby(dst: Path) -> dict[str, Any]:
    info = encode_video(clip("bikes.mp4", 7.52, 9.64), dst, fps=FPS)
    w, h = info.width, info.height
    return {
        **real("bikes"),
        "description": "Someone walks past a bicycle parked by a doorstep on a cobbled street",
        "explanation": "Ordinary low-angle footage. The legs of the passer-by are smeared "
        "because they move fast and close to the camera during each exposure, while the "
        "bicycle, the bollard and the doorstep stay sharp and keep their shapes as the "
        "camera drifts.",
        "artifacts": [
            artifact(
                "motion_blur",
                0.2,
                1.05,
                frame_box(0.3 * w, 0, w, h, w, h),
                "The walking legs are blurred by motion, as in any footage of quick movement.",
            )
        ],
        **video_fields(info),
    }


@recipe("demo-car-passenger-slow-motion", "video", generated=False)
def _car_passenger_slow(dst: Path) -> dict[str, Any]:
    # Half speed: every frame of the test sequence is shown twice.
    slow = ((2 * t, frame) for t, frame in clip("carphone_pristine.mp4", 0.0, 4.0))
    info = encode_video(slow, dst, fps=FPS)
    return {
        **real("carphone"),
        "description": "A man in a suit and bow tie talks in the passenger seat of a car",
        "explanation": "Real footage slowed to half speed in editing. Each frame is shown "
        "twice, so his movements look floaty and slightly jerky. Speed changes are ordinary "
        "editing; generated clips are often slow and dreamy too, so slowness alone decides "
        "nothing.",
        "artifacts": [
            artifact(
                "editing",
                0.0,
                info.duration_s,
                WHOLE,
                "Slowed down in editing: each frame is held twice, so motion steps and floats.",
            )
        ],
        **video_fields(info),
    }
