"""Feeds: a realistic feed of short clips where generated ones are rare (issue 14 §4).

A feed is a Quiz of mode FEED whose rounds are feed clips (QuizItem.Kind.FEED), played as an
ordinary attempt, so it is assigned, reported and aggregated like a quiz. How it is built:

- the teacher (or, for practice, the student's home page) picks a length, the share of
  generated clips (10-30 %) and the seconds each clip shows;
- exactly round(share x length) generated clips (half rounded up) and the rest real ones are
  drawn at random from the pool the person may use (a teacher: their library's clips in use,
  a student: Clip.objects.for_learning; never clips kept for tests);
- the rounds are stored in a random order, and every attempt plays its own shuffle of them
  (quiz.shuffle), so neither the quiz's order nor a neighbour's gives anything away.

Each clip is answered once: flagged ("generated") or let pass ("real"), with no confidence
and no points (quiz.services.play stores 50 and 0; the statistics count the answer as a hit,
miss, false alarm or correct rejection only).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import User
from quiz.models import Attempt, Clip, FeedSettings, Quiz, QuizItem
from quiz.selectors.feed import (
    DEFAULT_PERCENT,
    DEFAULT_SECONDS,
    MAX_LENGTH,
    MAX_PERCENT,
    MIN_LENGTH,
    MIN_PERCENT,
    PRACTICE_LENGTH,
    SECONDS_CHOICES,
    generated_count,
    pool_size,
    practice_feed_open,
)
from quiz.services.play import attempt_start


class FeedRefused(Exception):
    """The feed cannot be built; the message is safe to show the person."""


def _draw(pool: QuerySet[Clip], *, generated: bool, count: int) -> list[int]:
    ids = list(pool.filter(is_generated=generated).values_list("pk", flat=True))
    return secrets.SystemRandom().sample(ids, count)


def _check_choices(length: int, percent: int, seconds: int) -> None:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise FeedRefused(
            _("A feed has %(low)d to %(high)d clips.") % {"low": MIN_LENGTH, "high": MAX_LENGTH}
        )
    if not MIN_PERCENT <= percent <= MAX_PERCENT:
        raise FeedRefused(
            _("The share of generated clips must be %(low)d to %(high)d %%.")
            % {"low": MIN_PERCENT, "high": MAX_PERCENT}
        )
    if seconds not in SECONDS_CHOICES:
        raise FeedRefused(_("Choose how many seconds each clip shows."))


def feed_create(
    *,
    owner: User,
    pool: QuerySet[Clip],
    title: str,
    length: int,
    percent: int,
    seconds: int,
) -> Quiz:
    """A new feed of `length` clips from `pool`, exactly generated_count(length, percent) of
    them generated, stored in a random order. Raises FeedRefused when the choices are out of
    range or the pool is too small (the message says how long a feed it can hold)."""
    _check_choices(length, percent, seconds)
    wanted = generated_count(length, percent)
    size = pool_size(pool)
    if wanted > size.generated or length - wanted > size.real:
        longest = size.longest_feed(percent)
        message = _(
            "A feed of %(length)d clips at %(percent)d %% needs %(generated)d generated and "
            "%(real)d real clips; the clips you may use hold %(have_generated)d generated and "
            "%(have_real)d real ones."
        ) % {
            "length": length,
            "percent": percent,
            "generated": wanted,
            "real": length - wanted,
            "have_generated": size.generated,
            "have_real": size.real,
        }
        if longest:
            message += " " + ngettext(
                "Choose at most %(n)d clip.", "Choose at most %(n)d clips.", longest
            ) % {"n": longest}
        raise FeedRefused(message)
    clip_ids = _draw(pool, generated=True, count=wanted) + _draw(
        pool, generated=False, count=length - wanted
    )
    secrets.SystemRandom().shuffle(clip_ids)
    with transaction.atomic():
        quiz = Quiz.objects.create(
            title=title,
            slug=f"feed-{get_random_string(12).lower()}",
            mode=Quiz.Mode.FEED,
            created_by=owner,
        )
        FeedSettings.objects.create(quiz=quiz, seconds=seconds, generated_percent=percent)
        QuizItem.objects.bulk_create(
            QuizItem(quiz=quiz, position=position, kind=QuizItem.Kind.FEED, clip_id=clip_id)
            for position, clip_id in enumerate(clip_ids, start=1)
        )
    return quiz


def practice_feed_start(*, student: User) -> Attempt:
    """The student's open practice feed, or a new one: PRACTICE_LENGTH clips (fewer when
    the pool is small) at DEFAULT_PERCENT from the student's learning pool, each shown for
    DEFAULT_SECONDS."""
    with transaction.atomic():
        # One start at a time per student: a double click resumes the feed the first made.
        User.objects.select_for_update().filter(pk=student.pk).first()
        open_attempt = practice_feed_open(student)
        if open_attempt is not None:
            return open_attempt
        pool = Clip.objects.for_learning(student)
        length = pool_size(pool).longest_feed(DEFAULT_PERCENT, at_most=PRACTICE_LENGTH)
        if not length:
            raise FeedRefused(_("There are not enough clips for a feed yet. Ask your teacher."))
        quiz = feed_create(
            owner=student,
            pool=pool,
            # Stored untranslated: pages translate a quiz's title in the reader's language.
            title=gettext_noop("Practice feed"),
            length=length,
            percent=DEFAULT_PERCENT,
            seconds=DEFAULT_SECONDS,
        )
        return attempt_start(user=student, quiz=quiz)
