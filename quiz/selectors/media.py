"""Who may fetch which media file: the one access check behind every served clip, poster,
thumbnail and replay."""

from __future__ import annotations

import re

from django.db.models import Q

from accounts.models import User
from quiz.models import Assignment, Clip, QuizItem
from quiz.selectors.play import quizzes_playable_by

# A thumbnail of the annotation editor's strip is named after its clip's poster.
THUMBNAIL_NAME = re.compile(r"^(clips/[A-Za-z0-9_-]+)-t\d+(\.jpg)$")


def clip_for_media_name(user: User, name: str) -> Clip | None:
    """The clip whose media, poster, thumbnail or artifact replay is `name`, if the user may
    see it; else None. Replays reach students only inside feedback, after the answer."""

    match = Q(media=name) | Q(poster=name) | Q(artifacts__replay=name)
    if thumbnail := THUMBNAIL_NAME.match(name):
        match |= Q(poster=thumbnail.group(1) + thumbnail.group(2))
    clip = Clip.objects.filter(match).first()
    if clip is None:
        return None
    if Clip.objects.visible_to(user).filter(pk=clip.pk).exists():
        return clip
    # Anyone (a teacher too) may see the clips of quizzes they may play.
    assigned = Assignment.objects.filter(classroom__students=user).values("quiz_id")
    in_playable_quiz = QuizItem.objects.filter(
        Q(clip=clip) | Q(other_clip=clip),
        Q(quiz__in=quizzes_playable_by(user)) | Q(quiz__in=assigned),
    ).exists()
    return clip if in_playable_quiz else None
