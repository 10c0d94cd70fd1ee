"""A small public quiz of rows only, for tests that play answers but never a file: generated
and real single rounds with giveaways and a decoy, and pair rounds (no demo build needed)."""

from __future__ import annotations

from quiz.models import Clip, Quiz, QuizItem

ROUNDS = 6


def tiny_quiz(slug: str = "tiny") -> Quiz:
    quiz = Quiz.objects.create(title="Tiny quiz", slug=slug, is_public=True)
    clips = []
    for n, (generated, generator, category) in enumerate(
        [
            (True, "model-a", "anatomy"),
            (False, "camera", "noise"),
            (True, "model-b", "physics"),
            (False, "camera", None),
            (True, "model-a", "count"),
            (False, "camera", None),
        ]
    ):
        clip = Clip.objects.create(
            key=f"{slug}-{n}",
            media_kind="video" if n % 2 else "image",
            status=Clip.Status.READY,
            is_generated=generated,
            generator=generator,
        )
        if category:
            clip.artifacts.create(
                category=category, box_x=0.1, box_y=0.1, box_w=0.2, box_h=0.2, explanation="x"
            )
        clips.append(clip)
    for position, clip in enumerate(clips[:4], start=1):
        QuizItem.objects.create(quiz=quiz, position=position, kind="single", clip=clip)
    QuizItem.objects.create(quiz=quiz, position=5, kind="pair", clip=clips[4], other_clip=clips[5])
    QuizItem.objects.create(quiz=quiz, position=6, kind="pair", clip=clips[3], other_clip=clips[0])
    return quiz
