"""Clip packs, format v1 (DESIGN.md "Clip packs"): the names, numbers and rules every part of
the pack code shares, and the one rule on an artifact's place in its clip.

A pack is a zip (or a folder) holding manifest.json and the media it lists; the manifest is
checked by quiz.packs.manifest, the zip by quiz.packs.archive, and quiz.packs.importer and
quiz.packs.exporter move clips in and out. `artifact_problems` is the rule that an
artifact's box lies inside the frame and its times inside the clip: the manifest check, the
library's annotation editor and the demo-pack builder all ask it, and the database's
Artifact constraints hold the same rule with the same slack.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from quiz.media.files import shown
from quiz.media.probe import MediaLimits

PACK_FORMAT = "second-look-pack"
PACK_VERSION = 1
MANIFEST_NAME = "manifest.json"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
# An item's optional text fields, as the manifest names them and Clip stores them.
TEXT_FIELDS = (
    "generator",
    "prompt",
    "credit",
    "license",
    "source_url",
    "description",
    "explanation",
)
# Texts a pack may carry in other languages, per item and per artifact, as
# "translations": {"de": {"explanation": "…"}} (optional; packs without it read as before).
ITEM_TRANSLATED = ("description", "explanation", "credit", "license")
ARTIFACT_TRANSLATED = ("explanation",)


def translations_of(value: object, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """A translations object cleaned for storing: known fields, non-empty text only."""
    if not isinstance(value, dict):
        return {}
    cleaned: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if isinstance(texts, dict):
            kept = {
                f: texts[f] for f in fields if isinstance(texts.get(f), str) and texts[f].strip()
            }
            if kept:
                cleaned[str(language)] = kept
    return cleaned


# Enough to act on, few enough to read: a pack with 5000 bad items gets the first 50.
MAX_PROBLEMS = 50
# The same slack as the Artifact "artifact_box_inside_frame" constraint, so whatever passes
# here also passes the database.
BOX_SLACK = 1e-9
# A pack's artifact times were set on the original; re-encoding to constant 25 fps can move
# the clip's end by a frame or two.
TIME_SLACK_S = 0.25

# Stages an import or export reports to its `progress` hook, in the order they come, as
# progress(stage, done, total). Keys, not words: whoever shows them translates them for the
# person watching (quiz.selectors.packs), not for the worker's language.
STAGE_MANIFEST = "manifest"  # reading and checking manifest.json, unpacking (0 of 0)
STAGE_CHECKING = "checking"  # probing each file by its content (n of items)
STAGE_ENCODING = "encoding"  # re-encoding each new file (n of new items)
STAGE_SAVING = "saving"  # placing media and creating the clips (0 of n, then n of n)
STAGE_WRITING = "writing"  # export: writing each clip into the zip (n of clips)
Progress = Callable[[str, int, int], None]


# A generated item's credit names what it was built on: "<generator> (built on: <source>)".
_BUILT_ON = re.compile(r"^.*?\(built on:\s*(?P<source>.*)\)\s*$", re.DOTALL)


def source_family(credit: str) -> str:
    """The footage or photograph an item comes from, read from its credit (a manifest's
    `credit` field; no field of its own, so packs of any age carry it).

    A real item's credit names its source, and what follows a ";" (who edited it, how) is
    not part of it; a generated item made from real material is credited "<generator>
    (built on: <source credit>)", and belongs to the family of its first source. Items of one family show the same kind of footage, so a pair of them
    cannot be told apart by look alone. "" when the credit says nothing.
    """
    text = " ".join(str(credit or "").split())
    match = _BUILT_ON.match(text)
    if match:
        text = match.group("source")
    return text.split(";")[0].strip().casefold()


def no_progress(stage: str, done: int, total: int) -> None:
    return None


class PackError(Exception):
    """A pack was refused; `problems` says, item by item, what is wrong. Nothing changed."""

    def __init__(self, problems: Iterable[str]) -> None:
        problems = list(problems)
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            problems = [
                *problems[:MAX_PROBLEMS],
                _("… and %(count)d more problems") % {"count": more},
            ]
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Limits:
    """What a pack may cost; each from settings, with a default that suits a classroom."""

    max_bytes: int
    max_files: int
    max_image_pixels: int
    max_video_seconds: float
    max_video_side: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.PACK_MAX_BYTES,
            max_files=settings.PACK_MAX_FILES,
            max_image_pixels=settings.PACK_MAX_IMAGE_PIXELS,
            max_video_seconds=settings.PACK_MAX_VIDEO_SECONDS,
            max_video_side=settings.PACK_MAX_VIDEO_SIDE,
        )

    def for_media(self) -> MediaLimits:
        """The limits on one file, as the probe takes them."""
        return MediaLimits(
            max_image_pixels=self.max_image_pixels,
            max_video_side=self.max_video_side,
            max_video_seconds=self.max_video_seconds,
        )


# --------------------------------------------------------------------------------------------
# Words in messages
# --------------------------------------------------------------------------------------------


def number_words(value: float) -> str:
    return f"{round(value, 6):g}"


def size_words(n: int) -> str:
    """A size in binary units, as the pack limits are given ("2.0 GiB")."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GiB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MiB"
    return f"{n} B"


def item_label(index: int, item: Any) -> str:
    """How messages name an item: "item 3 (media/0003.mp4)", counted from 1 like a person."""
    file = item.get("file") if isinstance(item, dict) else None
    if isinstance(file, str):
        return _("item %(number)d (%(file)s)") % {"number": index + 1, "file": shown(file)}
    return _("item %(number)d") % {"number": index + 1}


# --------------------------------------------------------------------------------------------
# The artifact rule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactProblem:
    """One way an artifact breaks the rule.

    `field` is the value at fault ("x", "y", "w", "h", "start_s", "end_s") or None for the
    artifact as a whole; `code` is stable, for callers that word problems their own way;
    `params` hold the numbers; `message` is a translated sentence for a person editing the
    artifact."""

    field: str | None
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


BOX_FIELDS = ("x", "y", "w", "h")


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _box_problems(box: Sequence[object]) -> list[ArtifactProblem]:
    if len(box) != 4:
        return [ArtifactProblem(None, "box_shape", _("The region needs a position and a size."))]
    numbers = [_finite(value) for value in box]
    problems = [
        ArtifactProblem(name, "not_a_number", _("Enter a number."))
        for name, number in zip(BOX_FIELDS, numbers, strict=True)
        if number is None
    ]
    if problems:
        return problems
    x, y, w, h = (float(n) for n in numbers)  # type: ignore[arg-type]
    if w <= 0:
        problems.append(
            ArtifactProblem("w", "empty_width", _("The region needs a width above zero."))
        )
    if h <= 0:
        problems.append(
            ArtifactProblem("h", "empty_height", _("The region needs a height above zero."))
        )
    for value, name in zip((x, y, w, h), BOX_FIELDS, strict=True):
        if not 0 <= value <= 1:
            problems.append(
                ArtifactProblem(
                    name,
                    "outside_frame",
                    _("The region must lie within the frame."),
                    {"value": value},
                )
            )
    if x + w > 1 + BOX_SLACK:
        problems.append(
            ArtifactProblem(
                "w",
                "past_right_edge",
                _(
                    "The region runs past the right edge of the frame: move it left or make "
                    "it narrower."
                ),
                {"sum": x + w},
            )
        )
    if y + h > 1 + BOX_SLACK:
        problems.append(
            ArtifactProblem(
                "h",
                "past_bottom_edge",
                _("The region runs past the bottom of the frame: move it up or make it shorter."),
                {"sum": y + h},
            )
        )
    return problems


def _time_problems(
    start_s: object, end_s: object, media_kind: str | None, duration_s: float | None, slack: float
) -> list[ArtifactProblem]:
    if media_kind == "image":
        if start_s is not None or end_s is not None:
            return [
                ArtifactProblem(
                    None,
                    "image_has_times",
                    _("An image has no time range: leave start and end empty."),
                )
            ]
        return []
    times: dict[str, float | None] = {}
    problems = []
    for name, value in (("start_s", start_s), ("end_s", end_s)):
        times[name] = None if value is None else _finite(value)
        if value is not None and times[name] is None:
            problems.append(ArtifactProblem(name, "not_a_number", _("Enter a number.")))
    if problems:
        return problems
    start, end = times["start_s"], times["end_s"]
    if start is not None and start < 0:
        problems.append(
            ArtifactProblem(
                "start_s", "before_clip", _("The start cannot be before the clip begins.")
            )
        )
    if end is not None and end < 0:
        problems.append(
            ArtifactProblem("end_s", "before_clip", _("The end cannot be before the clip begins."))
        )
    if start is not None and end is not None and end < start:
        problems.append(
            ArtifactProblem(
                "end_s",
                "end_before_start",
                _("The end must come after the start."),
                {"start": start, "end": end},
            )
        )
    if media_kind == "video" and duration_s is not None:
        for name, value in (("end_s", end), ("start_s", start)):
            if value is not None and value > duration_s + slack:
                # Translated only when needed: the demo synthesizer checks its items without
                # Django (python -m quiz.packs.synth), and a valid item needs no message.
                message = (
                    _("The end is after the clip ends (%(duration)s s).")
                    if name == "end_s"
                    else _("The start is after the clip ends (%(duration)s s).")
                )
                problems.append(
                    ArtifactProblem(
                        name,
                        "after_clip",
                        message % {"duration": f"{duration_s:.1f}"},
                        {"value": value, "duration": duration_s},
                    )
                )
    return problems


def artifact_problems(
    *,
    box: Sequence[object],
    start_s: object,
    end_s: object,
    media_kind: str | None,
    duration_s: float | None,
    time_slack_s: float = TIME_SLACK_S,
) -> list[ArtifactProblem]:
    """Every way an artifact's place breaks the rule, most basic first; empty if it holds.

    The rule: the box [x, y, w, h] (fractions of the frame) has a size above zero and lies
    inside the frame (BOX_SLACK, as the database allows); an image has no times; a video's
    times, where given, are not before 0, the end is not before the start (the database's
    "artifact_end_after_start"), and neither is after `duration_s` + `time_slack_s`.

    `media_kind` None means "not known yet" (a pack's file whose kind its content decides),
    `duration_s` None "not measured": those checks wait. Whether a video's times must be
    given, and whether a range may be a single moment, is the caller's to decide (the
    annotation editor asks for both ends of a range; the pack format does not).
    """
    return [
        *_box_problems(box),
        *_time_problems(start_s, end_s, media_kind, duration_s, time_slack_s),
    ]


__all__ = [
    "BOX_FIELDS",
    "BOX_SLACK",
    "KEY_PATTERN",
    "MANIFEST_NAME",
    "MAX_PROBLEMS",
    "PACK_FORMAT",
    "PACK_VERSION",
    "STAGE_CHECKING",
    "STAGE_ENCODING",
    "STAGE_MANIFEST",
    "STAGE_SAVING",
    "STAGE_WRITING",
    "TEXT_FIELDS",
    "TIME_SLACK_S",
    "ArtifactProblem",
    "Limits",
    "PackError",
    "Progress",
    "artifact_problems",
    "item_label",
    "no_progress",
    "number_words",
    "size_words",
]
