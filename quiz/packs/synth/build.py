"""Build the demo pack: every recipe in a fixed order, the checks, and the manifest.

build_demo_media() is the entry point; fingerprint.py fingerprints a finished build for
tests/unit/test_synth.py, which compares it with DEMO_FINGERPRINT.json.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from quiz.categories import DECOY_CODES, TELL_CODES
from quiz.generator_names import GENERATOR_CAMERA, GENERATOR_SYNTH
from quiz.media.provenance import STATES
from quiz.packs.format import PACK_FORMAT, PACK_VERSION, artifact_problems
from quiz.packs.synth.credentials import ORIGINALS
from quiz.packs.synth.german import GERMAN, german_credit, german_licence
from quiz.packs.synth.items import RECIPES, Recipe
from quiz.packs.synth.recipes import (
    edits,
    footage_edits,
    footage_edits_photos,
    photo_moves,
    real_photos,
    street,
    street_haze,
    street_jello,
    street_physics,
    street_walker,
    twins,
    warps,
)

# Importing a recipe module registers its recipes (quiz.packs.synth.items.recipe).
RECIPE_MODULES = (
    edits,
    footage_edits,
    footage_edits_photos,
    photo_moves,
    real_photos,
    street,
    street_haze,
    street_jello,
    street_physics,
    street_walker,
    twins,
    warps,
)

# Bump whenever the output changes (new items, different rendering, new texts): a cached
# build with another version is rebuilt.
SYNTH_VERSION = 15

# The title says what the generated items are: edits of real footage and photographs made by
# our own synthesizer, not output of a text-to-video model (DESIGN.md: the site labels the
# demo pack honestly).
PACK_TITLE = "Second Look demo pack: camera originals and synthesized edits of them"


# Every random choice derives from these constants, so two builds produce the same pack.
SHUFFLE_SEED = 20240215

# Every recipe, by key. The playing order is a seeded shuffle of positions in this tuple, so
# the pack's items, their numbers and its bytes follow from it and from SHUFFLE_SEED alone,
# never from the order in which modules are imported or recipes registered. Reordering it,
# or adding a recipe, reshuffles the pack: bump SYNTH_VERSION and record a new fingerprint
# (`python -m quiz.packs.synth --record`).
#
# Every generated item is an edit of real footage or a real photograph, and has a real twin
# from the same source (the same shot or the same camera move over the same photograph),
# listed beside it here; the real decoys follow.
RECIPE_ORDER = (
    # Pans and push-ins over photographs: generated, then its real twin.
    "demo-espresso-handle-drifts",
    "demo-espresso-push-in",
    "demo-coins-count-changes",
    "demo-coins-head-changes",
    "demo-coins-push-in",
    "demo-deep-field-new-galaxy",
    "demo-deep-field-pan",
    "demo-cat-fur-boils",
    "demo-cat-push-in",
    "demo-cat-third-eye",
    "demo-cat-closeup",
    # Street footage: generated edits, then the same shots untouched.
    "demo-van-melts",
    "demo-van-passes-close",
    "demo-street-bollard-appears",
    "demo-street-cobbles-reroll",
    "demo-street-wiped-watermark",
    "demo-street-bollard-slides",
    "demo-street-legs-glide",
    "demo-railing-pavement",
    "demo-railing-pavement-right",
    "demo-railing-pavement-left",
    "demo-street-cars-pass-through",
    "demo-railing-cars",
    "demo-formulas-symbols-change",
    "demo-formulas-push-in",
    # Real decoys: camera, editing and app effects that invite false alarms.
    "demo-railing-street-vintage",
    "demo-street-time-lapse",
    "demo-street-interlaced",
    "demo-street-logo",
    "demo-street-low-bitrate",
    "demo-street-jello",
    "demo-street-heat-haze",
)

# Each generated item's real twin: the same shot or the same camera move over the same
# photograph, untouched, at the same size and duration (tests/unit/test_synth.py compares
# them frame by frame; the demo quiz pairs some of them).
TWINS = {
    "demo-espresso-handle-drifts": "demo-espresso-push-in",
    "demo-coins-count-changes": "demo-coins-push-in",
    "demo-coins-head-changes": "demo-coins-push-in",
    "demo-deep-field-new-galaxy": "demo-deep-field-pan",
    "demo-cat-fur-boils": "demo-cat-push-in",
    "demo-cat-third-eye": "demo-cat-closeup",
    "demo-van-melts": "demo-van-passes-close",
    "demo-street-bollard-appears": "demo-railing-pavement",
    "demo-street-cobbles-reroll": "demo-railing-pavement",
    "demo-street-wiped-watermark": "demo-railing-pavement",
    "demo-street-bollard-slides": "demo-railing-pavement",
    "demo-street-legs-glide": "demo-railing-pavement",
    "demo-street-cars-pass-through": "demo-railing-cars",
    "demo-formulas-symbols-change": "demo-formulas-push-in",
}

# Tells that cannot be shown honestly by editing real footage offline (an object forming from
# another material, a bite with no mark, several lights that disagree, a pasted-in subject):
# the README names them as what curated packs of real generator output are for.
TELLS_FOR_CURATED_PACKS = frozenset({"causality", "lighting", "compositing"})
# Tells that have no item yet. Every tell in neither set is shown by a generated item
# (tests/unit/test_synth.py); an item that shows one of these must take it out of this set.
# (Geometry, an object with the wrong parallax, is shown by demo-street-bollard-slides: a
# bollard further back that crosses the pavement pan as fast as the near one; motion by
# demo-street-legs-glide: a passer-by's legs that stop mid-stride while they glide on.)
TELLS_NOT_YET_SHOWN: frozenset[str] = frozenset()

_MEDIA_NAME = re.compile(r"^\d{4}\.(mp4|jpg)$")


def ordered_recipes() -> list[Recipe]:
    """Every registered recipe, in RECIPE_ORDER; fails if the two disagree."""
    unlisted = sorted(set(RECIPES) - set(RECIPE_ORDER))
    unknown = sorted(set(RECIPE_ORDER) - set(RECIPES))
    if unlisted or unknown or len(set(RECIPE_ORDER)) != len(RECIPE_ORDER):
        raise RuntimeError(
            f"RECIPE_ORDER and the registered recipes disagree: not listed {unlisted}, "
            f"not registered {unknown}, or a key is listed twice"
        )
    return [RECIPES[key] for key in RECIPE_ORDER]


def _playing_order(recipes: list[Recipe]) -> list[Recipe]:
    """A fixed shuffle that interleaves real and generated items.

    A plain shuffle can produce long runs of one kind, which teaches learners to guess from
    the sequence instead of looking. This draws from the two piles at random in proportion
    to what is left, never allowing three of a kind in a row while the other pile has items,
    and from the larger pile whenever it holds more than twice what the other does (so the
    smaller pile does not run out early and leave a long run at the end).
    """
    rng = np.random.default_rng(SHUFFLE_SEED)
    piles = {
        kind: [
            recipes[i]
            for i in rng.permutation([i for i, r in enumerate(recipes) if r.is_generated == kind])
        ]
        for kind in (False, True)
    }
    order: list[Recipe] = []
    while piles[False] or piles[True]:
        run = order[-2:]
        forced = None
        if len(run) == 2 and run[0].is_generated == run[1].is_generated:
            other = not run[0].is_generated
            if piles[other]:
                forced = other
        if forced is None:
            n_real, n_gen = len(piles[False]), len(piles[True])
            forced = bool(rng.random() < n_gen / (n_real + n_gen))
            # A pile more than twice the size of the other must be drawn from now, or the
            # order ends in a run of its kind once the other pile is empty.
            if max(n_real, n_gen) > 2 * min(n_real, n_gen):
                forced = n_gen > n_real
            if not piles[forced]:
                forced = not forced
        order.append(piles[forced].pop(0))
    return order


def cached_items(out_dir: Path) -> list[dict[str, Any]] | None:
    """The items of an existing build made by this SYNTH_VERSION, if it is complete."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != PACK_FORMAT
        or manifest.get("version") != PACK_VERSION
        or manifest.get("synth_version") != SYNTH_VERSION
        or not isinstance(manifest.get("items"), list)
    ):
        return None
    items = manifest["items"]
    if len(items) != len(RECIPE_ORDER):
        return None
    if not all(isinstance(i, dict) and (out_dir / str(i.get("file", ""))).is_file() for i in items):
        return None
    return items


def _check(item: dict[str, Any]) -> None:
    """Fail the build, not the import, if an item breaks the pack's rules."""
    # Generated items carry only tells, real ones only decoys: a real clip annotated with
    # a "tell" would teach the wrong lesson.
    allowed = TELL_CODES if item["is_generated"] else DECOY_CODES
    for artifact in item["artifacts"]:
        if artifact["category"] not in allowed:
            raise ValueError(f"{item['key']}: category {artifact['category']!r} not allowed")
        # The synthesizer knows its videos' exact length: no slack for re-encoding.
        problems = artifact_problems(
            box=artifact["box"],
            start_s=artifact["start_s"],
            end_s=artifact["end_s"],
            media_kind=item["media_kind"],
            duration_s=item.get("duration_s"),
            time_slack_s=1e-6,
        )
        if item["media_kind"] == "video" and None in (artifact["start_s"], artifact["end_s"]):
            problems.append("a video's artifact needs its start and end")
        if problems:
            raise ValueError(f"{item['key']}: {artifact}: {problems}")
    # Only generated items carry credentials here, and a demo credential that reads
    # differently than planned (a library change, a broken CA) must stop the build.
    provenance = item.get("provenance")
    if provenance is not None and (
        not item["is_generated"] or provenance.get("state") not in STATES
    ):
        raise ValueError(f"{item['key']}: unexpected provenance {provenance!r}")


def _add_german(item: dict[str, Any]) -> None:
    """The item's texts in German (german.py) as the pack format's `translations`; an item
    whose artifacts and German texts do not line up is a bug, and fails the build."""
    texts = GERMAN.get(item["key"])
    if texts is None:
        return
    german = {f: texts[f] for f in ("description", "explanation") if texts.get(f)}
    german["credit"] = german_credit(item["credit"])
    if german_licence(item["license"]) != item["license"]:
        german["license"] = german_licence(item["license"])
    item["translations"] = {"de": german}
    artifacts = item.get("artifacts", [])
    for artifact, text in zip(artifacts, texts.get("artifacts", []), strict=True):
        artifact["translations"] = {"de": {"explanation": text}}


def build_demo_media(out_dir: Path) -> list[dict[str, Any]]:
    """Build the demo pack's media into out_dir/media/ and its manifest.json; return items.

    Steps: reuse a complete build of the same SYNTH_VERSION if there is one; otherwise put
    the recipes in their fixed playing order, render each into media/NNNN.mp4|jpg (names
    say nothing but the position), drop stale numbered files, then write the manifest last
    and atomically, so an interrupted build is never mistaken for a finished one.

    Three generated items also leave their signed originals in originals/ and the demo
    certificate authority that signed them in ca/ (made here, at build time); their
    manifest entries carry what `read_provenance` found, with the demo root as the trust
    anchor. The served media in media/ carry no credential, like every served file.
    """
    out_dir = Path(out_dir)
    cached = cached_items(out_dir)
    if cached is not None:
        return cached
    media = out_dir / "media"
    media.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, Any]] = []
    for number, recipe in enumerate(_playing_order(ordered_recipes()), start=1):
        ext = "mp4" if recipe.media_kind == "video" else "jpg"
        rel = f"media/{number:04d}.{ext}"
        fields = recipe.build(out_dir / rel)
        item = {
            "file": rel,
            "key": recipe.key,
            "media_kind": recipe.media_kind,
            "is_generated": recipe.is_generated,
            "generator": GENERATOR_SYNTH if recipe.is_generated else GENERATOR_CAMERA,
            **fields,
        }
        _add_german(item)
        _check(item)
        items.append(item)
    keep = {Path(i["file"]).name for i in items}
    for path in media.iterdir():
        if _MEDIA_NAME.match(path.name) and path.name not in keep:
            path.unlink()
    # Originals belong to the item now at their number; older builds may have left others.
    signed = {Path(i["file"]).stem for i in items if "provenance" in i}
    originals = out_dir / ORIGINALS
    if originals.is_dir():
        for path in originals.iterdir():
            if path.is_file() and path.name.split(".")[0].split("-")[0] not in signed:
                path.unlink()
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "title": PACK_TITLE,
        "synth_version": SYNTH_VERSION,
        "items": items,
    }
    tmp = out_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "manifest.json")
    return items
