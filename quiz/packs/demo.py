"""The demo pack: synthesized offline, imported idempotently, with two ready-made quizzes."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from quiz.models import Clip, Quiz, QuizItem
from quiz.packs import synth
from quiz.packs.importer import ImportReport, import_items

DEMO_QUIZ_SLUG = "demo"
PRACTICE_QUIZ_SLUG = "demo-practice"
DEMO_SINGLE_ROUNDS = 9
DEMO_PAIR_ROUNDS = 3
DEMO_SPOT_ROUNDS = 3

# Stored in the database, translated when shown (see templates: quiz titles go through
# the "translate" filter of the catalogue).
DEMO_TITLE = gettext_noop("Demo quiz: real or generated?")
DEMO_DESCRIPTION = gettext_noop(
    "Fifteen rounds from the demo pack, three of them asking where the giveaway is. Its "
    "generated items are real footage and photographs "
    "edited by Second Look's own synthesizer to show the giveaways; real text-to-video clips "
    "come in curated packs."
)
PRACTICE_TITLE = gettext_noop("Practice: the whole demo library")
PRACTICE_DESCRIPTION = gettext_noop(
    "Every clip of the demo pack, one at a time. The generated items come from Second "
    "Look's synthesizer, which puts one kind of giveaway into real footage or a real "
    "photograph; every one of them has an untouched twin among the real clips."
)


@dataclass(frozen=True)
class DemoReport:
    clips: ImportReport
    quizzes_created: int

    def as_dict(self) -> dict[str, int]:
        return {**self.clips.as_dict(), "quizzes_created": self.quizzes_created}


def demo_pack_install(build_dir: Path | None = None) -> DemoReport:
    """Synthesize the demo media (cached) and import it; running it again changes nothing."""
    build_dir = build_dir or Path(settings.DEMO_BUILD_DIR)
    items = synth.build_demo_media(build_dir)
    report = import_items(items, root=build_dir)
    keys = [item["key"] for item in items]
    created = 0
    for slug, title, description, builder in (
        (DEMO_QUIZ_SLUG, DEMO_TITLE, DEMO_DESCRIPTION, demo_rounds),
        (PRACTICE_QUIZ_SLUG, PRACTICE_TITLE, PRACTICE_DESCRIPTION, practice_rounds),
    ):
        if Quiz.objects.filter(slug=slug).exists():
            continue
        clips = {clip.key: clip for clip in Clip.objects.filter(key__in=keys)}
        # A concurrent run may create the same quiz first (IntegrityError on the slug); then
        # it exists, which is all we want.
        with contextlib.suppress(IntegrityError), transaction.atomic():
            quiz = Quiz.objects.create(
                slug=slug, title=title, description=description, is_public=True
            )
            QuizItem.objects.bulk_create(
                QuizItem(quiz=quiz, position=position, kind=kind, clip=a, other_clip=b)
                for position, (kind, a, b) in enumerate(builder(keys, clips), start=1)
            )
            created += 1
    return DemoReport(report, created)


Round = tuple[str, Clip, Clip | None]


# Pair rounds put a generated item beside its real twin: the same footage or the same camera
# move over the same photograph, untouched. Only the giveaway tells them apart.
DEMO_PAIRS = (
    ("demo-van-melts", "demo-van-passes-close"),
    ("demo-cat-third-eye", "demo-cat-closeup"),
    ("demo-street-cobbles-reroll", "demo-railing-pavement"),
)
# Spot rounds ("Where is the giveaway?"): generated items the other rounds do not show, each
# with its giveaway's time and region known exactly (the synthesizer put it there).
DEMO_SPOTS = (
    "demo-cat-fur-boils",
    "demo-street-bollard-appears",
    "demo-coins-count-changes",
)
# Single rounds: generated and real items from different photographs and shots (never both
# twins of a pair, nor the twin of a spot round's item: the spot round says it is generated),
# so no round can be answered by remembering another.
DEMO_SINGLES = (
    "demo-espresso-handle-drifts",
    "demo-railing-street-vintage",
    "demo-deep-field-new-galaxy",
    "demo-street-time-lapse",
    "demo-formulas-symbols-change",
    "demo-street-interlaced",
    "demo-street-wiped-watermark",
    "demo-street-logo",
    "demo-street-low-bitrate",
)


def demo_rounds(keys: list[str], clips: dict[str, Clip]) -> list[Round]:
    """A balanced, fixed quiz: curated pairs of twins, curated singles and three spot rounds
    on generated items shown nowhere else in it.

    Each attempt plays the rounds in its own shuffled order with its own sides
    (quiz.shuffle), so the order here carries nothing. If the synthesizer no longer makes
    one of the curated items, any unused item of the same side takes its place.
    """
    rng = random.Random(20261121)  # fixed: every installation gets the same demo quiz
    ordered = [clips[k] for k in keys]
    unused = {c.key: c for c in ordered}

    def take(key: str, generated: bool, video: bool | None = None) -> Clip:
        clip = unused.pop(key, None)
        if clip is not None and clip.is_generated == generated:
            return clip
        if clip is not None:
            unused[key] = clip
        spare = next(
            c
            for c in unused.values()
            if c.is_generated == generated and (video is None or c.is_video == video)
        )
        return unused.pop(spare.key)

    pairs: list[Round] = []
    for generated_key, real_key in DEMO_PAIRS:
        g = take(generated_key, True)
        r = take(real_key, False, g.is_video)
        a, b = (g, r) if rng.random() < 0.5 else (r, g)
        pairs.append(("pair", a, b))
    singles: list[Round] = []
    for key in DEMO_SINGLES:
        clip = clips.get(key)
        singles.append(("single", take(key, clip.is_generated if clip else True), None))
    # Taken last, so a missing curated spot item is replaced by a generated item no other
    # round uses (every generated demo item carries its annotated giveaway).
    spots: list[Round] = [("spot", take(key, True), None) for key in DEMO_SPOTS]
    return (
        singles[:3]
        + pairs[:1]
        + spots[:1]
        + singles[3:6]
        + pairs[1:2]
        + spots[1:2]
        + singles[6:]
        + pairs[2:]
        + spots[2:]
    )


def practice_rounds(keys: list[str], clips: dict[str, Clip]) -> list[Round]:
    return [("single", clips[k], None) for k in keys]
