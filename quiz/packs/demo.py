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

# Stored in the database, translated when shown (see templates: quiz titles go through
# the "translate" filter of the catalogue).
DEMO_TITLE = gettext_noop("Demo quiz: real or generated?")
DEMO_DESCRIPTION = gettext_noop(
    "Twelve rounds from the demo pack. Its generated items were made by Second Look's own "
    "synthesizer to illustrate the giveaways; real text-to-video clips come in curated packs."
)
PRACTICE_TITLE = gettext_noop("Practice: the whole demo library")
PRACTICE_DESCRIPTION = gettext_noop(
    "Every clip of the demo pack, one at a time. The generated items come from Second "
    "Look's synthesizer, which injects each kind of giveaway into real photographs, real "
    "footage and rendered scenes."
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


# Pair rounds compare clips of one kind built from the same or a similar source, so the
# learner has to find the giveaway rather than tell two unrelated scenes apart.
DEMO_PAIRS = (
    ("demo-van-melts", "demo-city-street-montage"),
    ("demo-coins-count-changes", "demo-espresso-push-in"),
    ("demo-cat-third-eye", "demo-cat-closeup"),
)


def demo_rounds(keys: list[str], clips: dict[str, Clip]) -> list[Round]:
    """A balanced, fixed quiz: curated pairs, then singles alternating real and generated."""
    rng = random.Random(20261121)  # fixed: every installation gets the same demo quiz
    ordered = [clips[k] for k in keys]
    generated = [c for c in ordered if c.is_generated]
    real = [c for c in ordered if not c.is_generated]
    pairs: list[Round] = []
    for generated_key, real_key in DEMO_PAIRS:
        g, r = clips.get(generated_key), clips.get(real_key)
        if g is None or r is None or g not in generated or r not in real:
            # The synthesizer changed: fall back to any two clips of one media kind.
            g = next(c for c in generated if c.media_kind == "video")
            r = next(c for c in real if c.media_kind == g.media_kind)
        generated.remove(g)
        real.remove(r)
        a, b = (g, r) if rng.random() < 0.5 else (r, g)
        pairs.append(("pair", a, b))
    singles: list[Round] = []
    take_generated = rng.random() < 0.5
    while len(singles) < DEMO_SINGLE_ROUNDS and (generated or real):
        pool = generated if (take_generated and generated) or not real else real
        # Prefer video so that the demo shows off the time-coded feedback.
        pick = next((c for c in pool if c.is_video), pool[0])
        pool.remove(pick)
        singles.append(("single", pick, None))
        take_generated = not take_generated
    return singles[:3] + pairs[:1] + singles[3:6] + pairs[1:2] + singles[6:] + pairs[2:]


def practice_rounds(keys: list[str], clips: dict[str, Clip]) -> list[Round]:
    return [("single", clips[k], None) for k in keys]
