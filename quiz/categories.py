"""The artifact taxonomy of docs/artifacts.md: stable codes, names and what to look for.

Codes are stored in packs, exports and statistics; add codes, never rename one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    look_for: str
    is_decoy: bool


TELLS = [
    Category(
        "anatomy",
        _("Bodies and anatomy"),
        _(
            "extra, missing or merged limbs, fingers, paws, teeth; faces that melt at the edges "
            "(but motion blur and wide lenses make real bodies look odd too)"
        ),
        False,
    ),
    Category(
        "count",
        _("Objects appear, vanish or multiply"),
        _(
            "the number of things changes; things pop into or out of existence (but real things "
            "come out from behind others, in from the edge of the frame or after a cut)"
        ),
        False,
    ),
    Category(
        "physics",
        _("Physics and solidity"),
        _(
            "gravity or direction wrong; solid things pass through each other (but wind, water "
            "and camera angles make real motion look strange too)"
        ),
        False,
    ),
    Category(
        "causality",
        _("Cause without effect"),
        _(
            "actions leave no trace or the wrong one (but a real effect can happen out of frame "
            "or between two cuts)"
        ),
        False,
    ),
    Category(
        "motion",
        _("Impossible motion"),
        _(
            "walking or running the wrong way, feet sliding, motion that does not match the body "
            "(but speed changes and wheels that seem to turn backwards happen in real video too)"
        ),
        False,
    ),
    Category(
        "morphing",
        _("Morphing and warping"),
        _(
            "shapes, faces, textures or identities that drift or melt between frames (but a fast "
            "camera pan, heat shimmer and wide lenses bend real footage too, usually a whole band "
            "of it)"
        ),
        False,
    ),
    Category(
        "text",
        _("Text, signs and symbols"),
        _(
            "gibberish lettering, letters that change between frames, clocks with wrong hands "
            "(but real writing can be blurred, steeply angled or messy, and it stays the same)"
        ),
        False,
    ),
    Category(
        "lighting",
        _("Light, shadows, reflections"),
        _(
            "shadows or reflections that disagree with the light in the scene (but real scenes "
            "often have several lights, and shadows in photos converge with perspective)"
        ),
        False,
    ),
    Category(
        "geometry",
        _("Space and perspective"),
        _(
            "impossible architecture, things that move wrongly for their distance, perspective "
            "that does not add up (but wide lenses and mirrors fool the eye in real footage too)"
        ),
        False,
    ),
    Category(
        "compositing",
        _("Pasted-together look"),
        _(
            "subjects lit or scaled differently from their background, a cut-out look (but "
            "studio light, flash and green screens make real subjects stand out too)"
        ),
        False,
    ),
    Category(
        "temporal",
        _("Flicker and popping"),
        _(
            "detail that flickers or re-forms from frame to frame, textures that boil (but real "
            "footage shimmers too: heat haze, a video saved at low quality, fine stripes that "
            "shimmer on a screen)"
        ),
        False,
    ),
    Category(
        "provenance",
        _("Provenance signals"),
        _(
            "a visible watermark, a Content Credential naming a generator, metadata (a clue, not "
            "proof: a watermark is easy to paste on or blur off, and most real files carry no "
            "credential)"
        ),
        False,
    ),
]

DECOYS = [
    Category(
        "compression",
        _("Compression blocks and smearing"),
        _(
            "a video saved at low quality turns detail into blocks or smudges, mostly where "
            "things move"
        ),
        True,
    ),
    Category(
        "motion_blur", _("Motion blur"), _("fast movement blurs in the direction of motion"), True
    ),
    Category(
        "rolling_shutter",
        _("Rolling shutter"),
        _("straight lines lean or wobble when the camera pans fast"),
        True,
    ),
    Category(
        "lens",
        _("Lens effects"),
        _(
            "bright streaks from a light, darker corners, coloured edges, straight lines that "
            "bend near the edge of the picture"
        ),
        True,
    ),
    Category("noise", _("Low-light noise"), _("grain and colour speckle in dark scenes"), True),
    Category(
        "editing",
        _("Ordinary editing"),
        _("cuts, a shaky shot made steady, changed colours, slow or fast motion"),
        True,
    ),
    Category("filter", _("Filters"), _("beauty or stylising filters applied by an app"), True),
]

BY_CODE: dict[str, Category] = {c.code: c for c in TELLS + DECOYS}
CHOICES = [(c.code, c.name) for c in TELLS + DECOYS]
TELL_CODES = frozenset(c.code for c in TELLS)
DECOY_CODES = frozenset(c.code for c in DECOYS)

# The bit of each code in quiz.Answer.categories (which categories a round's clips carried
# when it was answered). Give a new code the next free bit; never renumber or reuse one,
# stored answers keep theirs.
BITS: dict[str, int] = {
    "anatomy": 0,
    "count": 1,
    "physics": 2,
    "causality": 3,
    "motion": 4,
    "morphing": 5,
    "text": 6,
    "lighting": 7,
    "geometry": 8,
    "compositing": 9,
    "temporal": 10,
    "provenance": 11,
    "compression": 12,
    "motion_blur": 13,
    "rolling_shutter": 14,
    "lens": 15,
    "noise": 16,
    "editing": 17,
    "filter": 18,
}


def mask(codes: Iterable[str]) -> int:
    """The bits of the given category codes (unknown codes are an error)."""
    value = 0
    for code in codes:
        value |= 1 << BITS[code]
    return value
