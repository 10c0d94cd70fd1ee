"""Who may fetch which media file: the one access check behind every served clip, poster,
thumbnail and replay."""

from __future__ import annotations

import re

from django.db.models import Q

from accounts.models import User
from quiz.models import Assignment, Attempt, Clip, QuizItem
from quiz.selectors.held import quizzes_playable_by
from quiz.selectors.learn import lesson_media_file
from quiz.selectors.play import attempt_media_file

# A thumbnail of the annotation editor's strip is named after its clip's poster, and a video
# replay's poster (its first frame) after the replay (quiz.media.files.replay_poster_name).
THUMBNAIL_NAME = re.compile(r"^(clips/[A-Za-z0-9_-]+)-t\d+(\.jpg)$")
REPLAY_POSTER_NAME = re.compile(r"^(clips/[A-Za-z0-9_-]+)-p\.jpg$")


def clip_for_media_name(user: User, name: str) -> Clip | None:
    """The clip whose media, poster, thumbnail or artifact replay is `name` (its stored,
    stable name), if the user may fetch it under that name; else None.

    Library users (teachers, educators, staff) may, for the clips they see in the library.
    Players get a round's media and poster only under their attempt's own names
    (attempt_media_name): a stable name seen in one attempt would name the same clip in the
    next, so a table of name -> label from free practice would answer a test. Magnified
    replays keep their stable names for players of a quiz that holds the clip: they are
    shown only in feedback, after the answer, and never on a round's page. A replay's poster
    goes to whoever may fetch its replay."""

    replays = Q(artifacts__replay=name)
    if replay_poster := REPLAY_POSTER_NAME.match(name):
        replays |= Q(artifacts__replay=replay_poster.group(1) + ".mp4")
    match = Q(media=name) | Q(poster=name) | replays
    if thumbnail := THUMBNAIL_NAME.match(name):
        match |= Q(poster=thumbnail.group(1) + thumbnail.group(2))
    if clip := Clip.objects.visible_to(user).filter(match).first():
        return clip
    clip = Clip.objects.filter(replays).first()
    if clip is None:
        return None
    # Anyone (a teacher too) may see the replays of the clips of quizzes they may play.
    assigned = Assignment.objects.filter(classroom__students=user).values("quiz_id")
    in_playable_quiz = QuizItem.objects.filter(
        Q(clip=clip) | Q(other_clip=clip),
        Q(quiz__in=quizzes_playable_by(user)) | Q(quiz__in=assigned),
    ).exists()
    return clip if in_playable_quiz else None


def attempt_media_name(user: User, attempt_id: int, name: str) -> str | None:
    """The stored name of the file that `name` stands for in the attempt's URLs, if the
    attempt is the user's own; else None (so another person's attempt is a 404)."""
    attempt = Attempt.objects.filter(pk=attempt_id, user=user).first()
    if attempt is None:
        return None
    return attempt_media_file(attempt, name)


def lesson_media_name(user: User, name: str) -> str | None:
    """The stored name of the file that `name` stands for in the user's own lesson pages
    (a worked example's media, poster or replay: quiz.selectors.learn.lesson_media_key), if
    the clip is in their learning pool; else None."""
    return lesson_media_file(user, name)
