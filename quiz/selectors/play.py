"""What a student's pages read: quizzes and assignments to play, the attempt's rounds in its
own order and with its own sides (quiz.shuffle) and their media under the attempt's own names,
feedback artifacts, an attempt's summary and the student's progress (from the aggregate
tables)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from hmac import compare_digest
from pathlib import PurePosixPath
from typing import Any

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet, Sum

from accounts.models import Classroom, School, User
from quiz import categories, rows, shuffle, spot
from quiz.keys import keyed_hmac
from quiz.models import (
    Answer,
    Artifact,
    Assignment,
    Attempt,
    Clip,
    LiveGame,
    LivePlayer,
    Quiz,
    QuizItem,
    StatCell,
)
from quiz.stats.metrics import (
    CONFIDENCE_BINS,
    Counts,
    Summary,
    answer_counts,
    confidence_bin,
    summarize,
)


def assignments_for_student(user: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(classroom__students=user)
        .select_related("quiz", "classroom", "quiz__practice_goal")
        .annotate(
            attempts_used=Count("attempts", filter=Q(attempts__user=user), distinct=True),
            attempts_finished=Count(
                "attempts",
                filter=Q(attempts__user=user, attempts__finished_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("due_at")
    )


def results_withheld_until(user: User, now: datetime) -> datetime | None:
    """The latest due time of a running test the user has answered in, if any."""
    return (
        Assignment.objects.filter(
            attempts__user=user,
            attempts__answers__isnull=False,
            feedback=Assignment.Feedback.AFTER_DUE,
            due_at__gt=now,
        )
        .order_by("-due_at")
        .values_list("due_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    status: str  # upcoming, open, in_progress, done, closed
    can_start: bool
    attempts_left: int
    # Every class that set this quiz for the student (one row, however many classes).
    classes: tuple[str, ...] = ()


# Which of a quiz's assignments a student's one row starts: what they are in the middle of,
# then what is still to do, then what opens later, then what they have done.
_ROW_FIRST = {"in_progress": 0, "open": 1, "upcoming": 2, "done": 3, "closed": 4}


def student_assignment_rows(user: User, now: datetime) -> list[AssignmentRow]:
    """The student's assignments, one row per quiz: a student in two classes that both set a
    quiz sees it once, with both classes named; the row plays the assignment that matters
    most now (_ROW_FIRST), and the next one once that is done."""
    by_quiz: dict[int, list[AssignmentRow]] = {}
    for row in _assignment_rows(user, now):
        by_quiz.setdefault(row.assignment.quiz_id, []).append(row)
    rows = []
    for group in by_quiz.values():
        first = min(group, key=lambda r: (_ROW_FIRST[r.status], r.assignment.due_at))
        names = tuple(dict.fromkeys(r.assignment.classroom.name for r in group))
        rows.append(replace(first, classes=names))
    return sorted(rows, key=lambda r: r.assignment.due_at)


def _assignment_rows(user: User, now: datetime) -> list[AssignmentRow]:
    rows = []
    for a in assignments_for_student(user):
        in_progress = a.attempts_used > a.attempts_finished
        left = max(0, a.attempts_allowed - a.attempts_used)
        if now < a.opens_at:
            status = "upcoming"
        elif now >= a.due_at:
            status = "closed"
        elif in_progress:
            status = "in_progress"
        elif a.attempts_finished:
            status = "done"
        else:
            status = "open"
        can_start = a.is_open(now) and (in_progress or left > 0)
        rows.append(AssignmentRow(a, status, can_start, left))
    return rows


def quiz_rounds(quiz_id: int) -> list[shuffle.Round]:
    """The quiz's rounds as the shuffle sees them: (item id, is pair), in position order."""
    return [
        (pk, kind == QuizItem.Kind.PAIR)
        for pk, kind in QuizItem.objects.filter(quiz_id=quiz_id)
        .order_by("position")
        .values_list("pk", "kind")
    ]


# What attempt_read loads beside the attempt: (alias, model, join). The attempt's user comes
# along only when the caller has not loaded them.
_READ_WITH: tuple[tuple[str, type[Model], str], ...] = (
    ("q", Quiz, "JOIN {table} q ON q.id = t.quiz_id"),
    ("s", Assignment, "LEFT JOIN {table} s ON s.id = t.assignment_id"),
    ("c", Classroom, "LEFT JOIN {table} c ON c.id = s.classroom_id"),
    ("h", School, "LEFT JOIN {table} h ON h.id = c.school_id"),
)
_READ_USER: tuple[tuple[str, type[Model], str], ...] = (
    ("u", User, "JOIN {table} u ON u.id = t.user_id"),
    ("uh", School, "LEFT JOIN {table} uh ON uh.id = u.school_id"),
)


def attempt_read(
    attempt_id: int, *, user: User | None, live: bool, lock: bool = False
) -> Attempt | None:
    """The attempt with its quiz and its assignment's class and school; only `user`'s attempt
    when `user` is given (with their school as loaded), else with its own user and their
    school; with `live`, the id of an open live game it is played in (live_game_id, else
    None); with `lock`, its row locked (a submit: quiz.services.play). None for no such
    attempt.

    One statement, written out (quiz.rows): building it with the ORM (select_related four
    deep, the live game's query) took the web worker five times as long as this
    (bench/submit.py); a round's page reads the attempt so too."""
    quote = connection.ops.quote_name
    joined = (("t", Attempt, ""),) + _READ_WITH + (() if user else _READ_USER)
    selected = [c for alias, model, _join in joined for c in rows.columns(alias, model)]
    joins = " ".join(
        join.format(table=quote(model._meta.db_table)) for _alias, model, join in joined[1:]
    )
    params: list[Any] = []
    live_game = "NULL"
    if live:
        live_game = (
            f"(SELECT p.game_id FROM {quote(LivePlayer._meta.db_table)} p "  # noqa: S608
            f"JOIN {quote(LiveGame._meta.db_table)} g ON g.id = p.game_id "
            "WHERE p.attempt_id = t.id AND g.state <> %s ORDER BY p.joined_at, p.id LIMIT 1)"
        )
        params.append(LiveGame.State.ENDED)
    where = "t.id = %s"
    params.append(attempt_id)
    if user is not None:
        where += " AND t.user_id = %s"
        params.append(user.pk)
    locked = lock and connection.features.has_select_for_update_of
    with rows.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(selected)}, {live_game} "  # noqa: S608 (names from models)
            f"FROM {quote(Attempt._meta.db_table)} t {joins} WHERE {where}"
            + (" FOR UPDATE OF t" if locked else ""),
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return None
    found = dict(
        zip(
            (alias for alias, _m, _j in joined),
            rows.models_from(row, *(m for _a, m, _j in joined)),
            strict=True,
        )
    )
    attempt = found["t"]
    assert isinstance(attempt, Attempt)
    attempt.quiz = found["q"]
    attempt.assignment = found["s"]
    if attempt.assignment is not None:
        attempt.assignment.classroom = found["c"]
        attempt.assignment.classroom.school = found["h"]
    if user is None:
        user = found["u"]
        user.school = found["uh"]
    attempt.user = user
    attempt.live_game_id = row[-1]
    return attempt


def attempt_layout(attempt: Attempt) -> shuffle.Layout:
    """The attempt's order of rounds and sides of pairs (one query)."""
    return attempt.layout(quiz_rounds(attempt.quiz_id))


def round_key(attempt: Attempt, item_id: int) -> str:
    """The round's name in this attempt's URLs. Opaque on purpose: item ids follow the quiz's
    position order, so an id in a form's address would tell a student where the round sits in
    the quiz, and a quiz built in a pattern would give its answers away. Keyed with the site's
    secret, so nobody can work the ids back out of it."""
    return keyed_hmac("quiz.play.round", f"{attempt.pk}:{item_id}").hexdigest()[:16]


# Which clip of a round a per-attempt media name stands for, in the item's terms (not the
# sides shown, so a name keeps its file whichever side the clip is on), and which of its files.
ROUND_CLIPS = ("clip", "other_clip")
ROUND_FILES = ("media", "poster")
# A per-attempt media name: media_key's hex digits and the stored file's suffix.
MEDIA_NAME_PATTERN = re.compile(r"[0-9a-f]{32}\.(mp4|jpg)")


def media_key(attempt_id: int, item_id: int, which: str, file: str) -> str:
    """The name a round's file goes by in one attempt's URLs (before its suffix). A stable
    name would let a table of name -> label, built from the feedback of one attempt, answer
    every later attempt of the same clips; so every attempt gets names of its own, the same
    on every reload (the browser's cache keeps working within the attempt). Keyed with the
    site's secret like round_key, so nothing (clip, item, file) can be read out of a name and
    no name can be made up; the media view finds the file by computing the attempt's names."""
    return keyed_hmac("quiz.play.media", f"{attempt_id}:{item_id}:{which}:{file}").hexdigest()[:32]


@dataclass(frozen=True)
class RoundClip:
    """A round's clip as one attempt serves it: its media and poster under that attempt's own
    names (media_key plus the stored file's suffix), never the clip's stored names."""

    clip: Clip
    media: str  # e.g. "3f0c….mp4", for the quiz:attempt_media URL of the attempt
    poster: str  # "…jpg", or "" for a clip without a poster


def round_clip(attempt_id: int, item: QuizItem, which: str) -> RoundClip:
    """The item's clip `which` (one of ROUND_CLIPS) under the attempt's media names."""
    clip = getattr(item, which)
    names = {}
    for file in ROUND_FILES:
        stored = getattr(clip, file).name
        # The stored suffix (.mp4 or .jpg) stays, so the content type follows the name.
        names[file] = (
            media_key(attempt_id, item.pk, which, file) + PurePosixPath(stored).suffix
            if stored
            else ""
        )
    return RoundClip(clip=clip, media=names["media"], poster=names["poster"])


@dataclass(frozen=True)
class ShownRound:
    """A round as this attempt shows it: its place in the attempt's order and, for a pair,
    which clip is on the left as "A". Never put `correct_option` in a page before the
    answer."""

    item: QuizItem
    number: int  # from 1, in the attempt's order
    swapped: bool  # a pair shown with the item's other_clip as A
    key: str  # its name in the attempt's URLs (round_key)
    attempt_id: int

    @property
    def clip_a(self) -> Clip:
        if self.swapped and self.item.other_clip is not None:
            return self.item.other_clip
        return self.item.clip

    @property
    def clip_b(self) -> Clip | None:
        return self.item.clip if self.swapped else self.item.other_clip

    @property
    def media_a(self) -> RoundClip:
        """Clip A (a single round's only clip) under the attempt's own media names."""
        swapped = self.swapped and self.item.other_clip is not None
        return round_clip(self.attempt_id, self.item, "other_clip" if swapped else "clip")

    @property
    def media_b(self) -> RoundClip | None:
        if self.item.other_clip is None:
            return None
        return round_clip(self.attempt_id, self.item, "clip" if self.swapped else "other_clip")

    def correct_option(self) -> str:
        """The right answer in the terms the student sees ("a" is the clip on the left)."""
        return shuffle.swap_side(self.item.correct_option(), swapped=self.swapped)


def _shown(attempt: Attempt, layout: shuffle.Layout, item: QuizItem) -> ShownRound:
    return ShownRound(
        item=item,
        number=layout.number_of(item.pk),
        swapped=item.pk in layout.swapped,
        key=round_key(attempt, item.pk),
        attempt_id=attempt.pk,
    )


def _items(ids: list[int]) -> dict[int, QuizItem]:
    return QuizItem.objects.select_related("clip", "other_clip").in_bulk(ids)


def attempt_rounds(attempt: Attempt) -> list[ShownRound]:
    """Every round of the attempt, in its order (two queries)."""
    layout = attempt_layout(attempt)
    items = _items(list(layout.order))
    return [_shown(attempt, layout, items[item_id]) for item_id in layout.order]


def attempt_next_round(attempt: Attempt) -> ShownRound | None:
    """The first round of the attempt's order not answered yet; None when all are."""
    layout = attempt_layout(attempt)
    answered = set(attempt.answers.values_list("item_id", flat=True))
    for item_id in layout.order:
        if item_id not in answered:
            item = _items([item_id]).get(item_id)
            return None if item is None else _shown(attempt, layout, item)
    return None


def attempt_next_round_to_play(attempt: Attempt) -> tuple[ShownRound, AttemptProgress] | None:
    """attempt_next_round with its clips loaded, and attempt_progress showing it; None when
    every round is answered. Two statements written out (attempt_state and
    with_clips_and_artifacts, as a submit reads them): each round's page asks this, and the
    five ORM queries it replaces took the web worker longer than the rest of the page."""
    state = attempt_state(attempt)
    shown = state.next_round(attempt)
    if shown is None:
        return None
    with_clips_and_artifacts(shown.item)
    return shown, state.progress(showing=shown)


def attempt_round(attempt: Attempt, item: QuizItem, *, answer: Answer | None = None) -> ShownRound:
    """The item (one of the attempt's quiz) as the attempt shows it; with its answer, the sides
    the answer was given on (frozen on it)."""
    shown = _shown(attempt, attempt_layout(attempt), item)
    if answer is not None and answer.swapped != shown.swapped:
        shown = replace(shown, swapped=answer.swapped)
    return shown


def attempt_round_by_key(attempt: Attempt, key: str) -> ShownRound | None:
    """The round a URL names (round_key), or None for a key of no round of this attempt."""
    layout = attempt_layout(attempt)
    for item_id in layout.order:
        if compare_digest(round_key(attempt, item_id), key):
            item = _items([item_id]).get(item_id)
            return None if item is None else _shown(attempt, layout, item)
    return None


@dataclass(frozen=True)
class AttemptState:
    """An attempt's rounds as they stand: its layout, the quiz's items as read (each a row
    of QuizItem's columns, made a model when a round is shown; without their clips:
    `with_clips_and_artifacts` loads a round's) and the points of each round answered so
    far, read in one query (attempt_state); what a submit and its feedback need."""

    layout: shuffle.Layout
    items: dict[int, tuple[Any, ...]]  # item id -> the item's row (rows.columns of QuizItem)
    answered: dict[int, int]  # item id -> the answer's points

    def shown(self, attempt: Attempt, item_id: int) -> ShownRound:
        item = rows.models_from(self.items[item_id], QuizItem)[0]
        assert isinstance(item, QuizItem)
        return _shown(attempt, self.layout, item)

    def by_key(self, attempt: Attempt, key: str) -> ShownRound | None:
        """The round a URL names (round_key), or None for a key of no round of this attempt."""
        for item_id in self.layout.order:
            if compare_digest(round_key(attempt, item_id), key):
                return self.shown(attempt, item_id) if item_id in self.items else None
        return None

    def next_round(self, attempt: Attempt) -> ShownRound | None:
        """The first round of the attempt's order not answered yet (its clips not loaded);
        None when all are."""
        for item_id in self.layout.order:
            if item_id not in self.answered:
                return self.shown(attempt, item_id) if item_id in self.items else None
        return None

    def with_answer(self, item_id: int, points: int) -> AttemptState:
        return replace(self, answered={**self.answered, item_id: points})

    def progress(self, *, showing: ShownRound) -> AttemptProgress:
        """The same figures as attempt_progress, from what is loaded."""
        return AttemptProgress(
            answered=len(self.answered),
            total=len(self.items),
            points=sum(self.answered.values()),
            round_number=showing.number,
        )


def attempt_state(attempt: Attempt) -> AttemptState:
    """The attempt's AttemptState (one query). Inside the transaction that holds the
    attempt's lock, `answered` is every answer of the attempt (services.play).

    Plain SQL, and no models but the shown round's: a submit reads every round of the quiz
    but plays one, and building the ORM query and a model for each round and clip of a
    50-round quiz cost more than the rest of the submit together (bench/submit.py)."""
    items, answers = (connection.ops.quote_name(m._meta.db_table) for m in (QuizItem, Answer))
    fields = QuizItem._meta.concrete_fields
    pk_at, kind_at = fields.index(QuizItem._meta.pk), fields.index(QuizItem._meta.get_field("kind"))
    with rows.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(rows.columns('i', QuizItem))}, a.points "  # noqa: S608
            f"FROM {items} i LEFT JOIN {answers} a ON a.item_id = i.id AND a.attempt_id = %s "
            "WHERE i.quiz_id = %s ORDER BY i.position",
            [attempt.pk, attempt.quiz_id],
        )
        found = cursor.fetchall()
    return AttemptState(
        layout=attempt.layout([(r[pk_at], r[kind_at] == QuizItem.Kind.PAIR) for r in found]),
        items={r[pk_at]: r[:-1] for r in found},
        answered={r[pk_at]: r[-1] for r in found if r[-1] is not None},
    )


def with_clips_and_artifacts(item: QuizItem) -> tuple[QuizItem, dict[int, list[Artifact]]]:
    """The item with its clip (and a pair's other clip) loaded, and item_artifacts of it, in
    one statement written out (quiz.rows): a submit reads both, and building two queries
    with the ORM cost it more than running them."""
    ids = [item.clip_id] + ([item.other_clip_id] if item.other_clip_id else [])
    quote = connection.ops.quote_name
    clip_columns, artifact_columns = rows.columns("c", Clip), rows.columns("a", Artifact)
    with rows.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(clip_columns + artifact_columns)} "  # noqa: S608 (model names)
            f"FROM {quote(Clip._meta.db_table)} c "
            f"LEFT JOIN {quote(Artifact._meta.db_table)} a ON a.clip_id = c.id "
            f"WHERE c.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY a.start_s, a.id",
            ids,
        )
        found = cursor.fetchall()
    clips: dict[int, Clip] = {}
    artifacts: dict[int, list[Artifact]] = {clip_id: [] for clip_id in ids}
    pk_at = Clip._meta.concrete_fields.index(Clip._meta.pk)
    for row in found:
        clip_id = row[pk_at]
        if clip_id not in clips:
            clips[clip_id] = rows.models_from(row[: len(clip_columns)], Clip)[0]
        artifact = rows.models_from(row[len(clip_columns) :], Artifact)[0]
        if artifact is not None:
            artifacts[clip_id].append(artifact)
    item.clip = clips[item.clip_id]
    if item.other_clip_id:
        item.other_clip = clips[item.other_clip_id]
    return item, artifacts


def attempt_media_file(attempt: Attempt, name: str) -> str | None:
    """The stored name of the file that `name` (a media name of this attempt, media_key plus
    suffix) stands for: the media or poster of a clip of one of the attempt's quiz's rounds;
    None for any other name (two queries)."""
    if not MEDIA_NAME_PATTERN.fullmatch(name):
        return None
    key = name.partition(".")[0]
    for item_id, is_pair in quiz_rounds(attempt.quiz_id):
        for which in ROUND_CLIPS if is_pair else ROUND_CLIPS[:1]:
            for file in ROUND_FILES:
                if compare_digest(media_key(attempt.pk, item_id, which, file), key):
                    item = _items([item_id]).get(item_id)
                    if item is None or getattr(item, which) is None:
                        return None
                    served = round_clip(attempt.pk, item, which)
                    if not compare_digest(getattr(served, file), name):
                        return None  # a wrong suffix
                    return getattr(served.clip, file).name
    return None


@dataclass(frozen=True)
class AttemptProgress:
    answered: int
    total: int
    points: int
    # The round on screen: the next one to answer, or the one whose feedback is shown.
    round_number: int


def attempt_progress(attempt: Attempt, *, showing: ShownRound | None = None) -> AttemptProgress:
    totals = attempt.answers.aggregate(answered=Count("id"), points=Sum("points"))
    total = attempt.quiz.items.count()
    # Without a round on screen: the next one to answer.
    round_number = showing.number if showing is not None else min(totals["answered"] + 1, total)
    return AttemptProgress(
        answered=totals["answered"],
        total=total,
        points=totals["points"] or 0,
        round_number=round_number,
    )


@dataclass(frozen=True)
class ReviewRow:
    number: int  # the round's place in the attempt
    key: str
    answer: Answer


def attempt_review(attempt: Attempt) -> list[ReviewRow]:
    """The attempt's answers in the attempt's order of rounds, for the summary's links."""
    layout = attempt_layout(attempt)
    rows = [
        ReviewRow(layout.number_of(a.item_id), round_key(attempt, a.item_id), a)
        # An answered round is always one of the quiz's: answers freeze the quiz's rounds.
        for a in attempt.answers.all()
    ]
    return sorted(rows, key=lambda row: (row.number, row.answer.pk))


def item_artifacts(item: QuizItem) -> dict[int, list[Artifact]]:
    """Artifacts of the item's clip(s), by clip id, in time order."""
    clip_ids = [item.clip_id] + ([item.other_clip_id] if item.other_clip_id else [])
    found: dict[int, list[Artifact]] = {clip_id: [] for clip_id in clip_ids}
    for artifact in Artifact.objects.filter(clip_id__in=clip_ids):
        found[artifact.clip_id].append(artifact)
    return found


@dataclass(frozen=True)
class CalibrationBin:
    low: int
    high: int
    n: int
    mean_confidence: float | None
    accuracy: float | None


@dataclass(frozen=True)
class MissedCategory:
    category: categories.Category
    missed: int
    seen: int


@dataclass(frozen=True)
class AttemptSummary:
    summary: Summary
    calibration: list[CalibrationBin]
    # Tells on generated clips that were not caught, and decoys on real clips that fooled.
    missed_categories: list[MissedCategory]
    fooled_by: list[MissedCategory]


def _calibration(bins: dict[int, Counts]) -> list[CalibrationBin]:
    result = []
    for low, high in CONFIDENCE_BINS:
        c = bins.get(low, Counts())
        result.append(
            CalibrationBin(
                low=low,
                high=high,
                n=c.n,
                mean_confidence=c.confidence_sum / 100 / c.n if c.n else None,
                accuracy=c.correct / c.n if c.n else None,
            )
        )
    return result


def attempt_summary(attempt: Attempt) -> AttemptSummary:
    """Figures for one attempt, computed from its own answers (a handful of rows)."""
    answers = list(attempt.answers.select_related("item__clip", "item__other_clip"))
    total = Counts()
    bins: dict[int, Counts] = {}
    for answer in answers:
        c = answer_counts_of(answer)
        total = total + c
        low = confidence_bin(answer.confidence)
        bins[low] = bins.get(low, Counts()) + c
    return AttemptSummary(
        summarize(total),
        _calibration(bins),
        missed_categories=_missed(answers, tells=True),
        fooled_by=_missed(answers, tells=False),
    )


def _missed(answers: list[Answer], *, tells: bool) -> list[MissedCategory]:
    """Categories on the clips answered wrongly: tells of generated clips that were not
    caught (tells=True), or decoys of real clips called fake in single rounds (False)."""
    clips = {
        a.item.generated_clip().pk if tells else a.item.clip_id: a
        for a in answers
        # A spot round says its clip is generated: a missed mark is not a missed fake.
        if not a.item.is_spot and (tells or (not a.item.is_pair and not a.item.clip.is_generated))
    }
    codes = categories.TELL_CODES if tells else categories.DECOY_CODES
    by_clip: dict[int, set[str]] = {}
    for clip_id, code in Artifact.objects.filter(clip_id__in=clips, category__in=codes).values_list(
        "clip_id", "category"
    ):
        by_clip.setdefault(clip_id, set()).add(code)
    seen: dict[str, int] = {}
    missed: dict[str, int] = {}
    for clip_id, answer in clips.items():
        for code in by_clip.get(clip_id, ()):
            seen[code] = seen.get(code, 0) + 1
            if not answer.is_correct:
                missed[code] = missed.get(code, 0) + 1
    return sorted(
        (MissedCategory(categories.BY_CODE[code], n, seen[code]) for code, n in missed.items()),
        key=lambda m: (-m.missed, m.category.code),
    )


def answer_counts_of(answer: Answer) -> Counts:
    """The counts one stored answer adds (its item and clip loaded)."""
    return answer_counts(
        is_pair=answer.item.is_pair,
        clip_is_generated=answer.item.clip.is_generated,
        guess=answer.guess,
        confidence_pct=answer.confidence,
        is_correct=answer.is_correct,
        points=answer.points,
        is_spot=answer.item_kind == QuizItem.Kind.SPOT,
        is_feed=answer.item_kind == QuizItem.Kind.FEED,
    )


@dataclass(frozen=True)
class CategoryProgress:
    category: categories.Category
    counts: Counts

    @property
    def rate(self) -> float | None:
        """Share right on clips carrying the category (tells: caught; decoys: not fooled)."""
        return self.counts.correct / self.counts.n if self.counts.n else None


@dataclass(frozen=True)
class UserProgress:
    summary: Summary
    calibration: list[CalibrationBin]
    tells: list[CategoryProgress]
    decoys: list[CategoryProgress]
    to_practise: list[CategoryProgress]


def user_progress(user: User) -> UserProgress:
    """The learner's own figures, read from the aggregate tables (one query)."""
    overall = Counts()
    bins: dict[int, Counts] = {}
    per_category: dict[str, Counts] = {}
    for cell in StatCell.objects.filter(
        scope=StatCell.Scope.USER,
        scope_id=user.pk,
        dimension__in=["overall", "conf_bin", "category"],
    ):
        counts = Counts.from_mapping(cell.counts())
        if cell.dimension == "overall":
            overall = counts
        elif cell.dimension == "conf_bin":
            bins[int(cell.key)] = counts
        elif cell.key in categories.BY_CODE:
            per_category[cell.key] = counts
    tells = [
        CategoryProgress(c, per_category[c.code])
        for c in categories.TELLS
        if c.code in per_category
    ]
    decoys = [
        CategoryProgress(c, per_category[c.code])
        for c in categories.DECOYS
        if c.code in per_category
    ]
    # The weakest tells and decoys, worst first: what a learner should look at next.
    to_practise = sorted(
        (p for p in tells + decoys if p.rate is not None and p.rate < 0.75),
        key=lambda p: (p.rate, p.category.code),
    )[:4]
    return UserProgress(summarize(overall), _calibration(bins), tells, decoys, to_practise)


# --- Spot rounds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpotFeedback:
    """What a spot round's feedback says about the learner's mark (no query).

    `x`, `y`: the mark in percent of the frame; `seconds`: its moment (None for an image).
    On a miss, `nearest` is the nearest giveaway, `off_s` how far the moment was outside its
    time (negative: too early) and `degree`, `side` where it was seen from the mark
    (quiz.spot.direction)."""

    hit: bool
    x: float
    y: float
    seconds: float | None
    nearest: Artifact | None
    off_s: float
    degree: str
    side: str
    # How far the mark was from the nearest giveaway's box, as a share of the frame.
    gap: float = 0.0

    @property
    def off_abs(self) -> float:
        return abs(self.off_s)

    @property
    def gap_pct(self) -> int:
        return round(self.gap * 100)


def spot_mark(answer: Answer) -> spot.Mark | None:
    if answer.spot_x is None or answer.spot_y is None:
        return None
    return spot.Mark(answer.spot_x, answer.spot_y, answer.spot_ms)


def spot_feedback(answer: Answer, artifacts: list[Artifact]) -> SpotFeedback | None:
    """The feedback on a spot answer's mark against the clip's artifacts; None when the
    answer has no mark (not a spot round)."""
    mark = spot_mark(answer)
    if mark is None:
        return None
    regions = [
        spot.Region(a.box_x, a.box_y, a.box_w, a.box_h, a.start_s, a.end_s) for a in artifacts
    ]
    found = spot.nearest(mark, regions)
    degree, side = spot.direction(found) if found else ("", "")
    return SpotFeedback(
        hit=bool(answer.spot_hit),
        x=round(mark.x / 10, 1),
        y=round(mark.y / 10, 1),
        seconds=mark.seconds,
        nearest=artifacts[found.index] if found else None,
        off_s=found.seconds if found else 0.0,
        degree=degree,
        side=side,
        gap=(found.dx**2 + found.dy**2) ** 0.5 if found else 0.0,
    )
