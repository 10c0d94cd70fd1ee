"""Curating the clip library (writes): annotating artifacts, rendering their magnified
replays, retiring clips. Who may do it is `quiz.selectors.library.clip_editable_by`; who sees
which clip is `Clip.objects.visible_to`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quiz import categories
from quiz.background import enqueue
from quiz.media.files import media_path, remove_media, replay_files, replay_poster_name, served_name
from quiz.media.replay import render_replay
from quiz.models import Artifact, Clip
from quiz.packs.format import artifact_problems

log = logging.getLogger(__name__)

EXPLANATION_MAX = 2000
# Seconds: a time read from the player at the very end may exceed the stored duration by a
# rounding error (the box's slack for fractions typed as percentages is the format's).
TIME_EPS = 1e-6


class ArtifactRefused(Exception):
    """The artifact cannot be saved as given; the message is safe to show the teacher.

    `field` names the form field the problem belongs to (None for the whole form)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Reads --------------------------------------------------------------------------------


# --- Artifacts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactValues:
    """An artifact's checked values: box as fractions of the frame, times in seconds."""

    category: str
    box: tuple[float, float, float, float]
    start_s: float | None
    end_s: float | None
    explanation: str
    # The explanation in other languages, {"de": "…"}; empty ones left out.
    translations: dict[str, str] = field(default_factory=dict)

    def stored_translations(self) -> dict[str, dict[str, str]]:
        """As Artifact.translations holds them: {"de": {"explanation": "…"}}."""
        return {code: {"explanation": text} for code, text in self.translations.items()}


def artifact_check(
    *,
    clip: Clip,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
    translations: dict[str, str] | None = None,
) -> ArtifactValues:
    """Validate an artifact for `clip`; raise ArtifactRefused with the first problem.
    `translations` holds the explanation in other languages ({"de": "…"}; empty = none)."""
    if clip.status != Clip.Status.READY:
        raise ArtifactRefused(_("Only clips that are ready can be annotated."))
    info = categories.BY_CODE.get(category)
    if info is None:
        raise ArtifactRefused(_("Choose a category from the list."), field="category")
    if clip.is_generated and info.is_decoy:
        raise ArtifactRefused(
            _("This clip is generated: choose a tell, not a decoy of camera footage."),
            field="category",
        )
    if not clip.is_generated and not info.is_decoy:
        raise ArtifactRefused(
            _("This clip is real camera footage: choose a decoy, not a tell."), field="category"
        )

    if clip.is_video:
        # The editor marks a range: both ends, and the end after the start (the pack format
        # also takes a single moment, or no times at all).
        if start_s is None:
            raise ArtifactRefused(_("Mark where the artifact starts."), field="start_s")
        if end_s is None:
            raise ArtifactRefused(_("Mark where the artifact ends."), field="end_s")
    problems = artifact_problems(
        box=box,
        start_s=start_s,
        end_s=end_s,
        media_kind=clip.media_kind,
        duration_s=clip.duration_s,
        time_slack_s=TIME_EPS,
    )
    if problems:
        raise ArtifactRefused(problems[0].message, field=problems[0].field)
    x, y, w, h = (float(v) for v in box)
    times: tuple[float | None, float | None] = (None, None)
    if clip.is_video:
        times = (float(start_s), float(end_s))  # type: ignore[arg-type]
        if times[1] <= times[0]:
            raise ArtifactRefused(_("The end must come after the start."), field="end_s")

    # Paragraphs are kept (the feedback shows them as typed); only the ends are trimmed.
    explanation = str(explanation).replace("\r\n", "\n").strip()
    if not explanation:
        raise ArtifactRefused(
            _("Explain what to look for, so learners can see it too."), field="explanation"
        )
    if len(explanation) > EXPLANATION_MAX:
        raise ArtifactRefused(
            _("The explanation can be at most %(max)d characters long (it has %(n)d).")
            % {"max": EXPLANATION_MAX, "n": len(explanation)},
            field="explanation",
        )
    # Stored with a precision far below a pixel, so a value typed as a percentage reads back
    # the same and the database's box check sees what was validated here.
    box = (round(x, 6), round(y, 6), round(w, 6), round(h, 6))
    return ArtifactValues(category, box, *times, explanation, _translations(translations or {}))


def _translations(texts: dict[str, str]) -> dict[str, str]:
    known = {code for code, _name in settings.LANGUAGES}
    kept = {}
    for code, text in texts.items():
        text = str(text or "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if code not in known:
            raise ArtifactRefused(_("That language is not offered on this site."))
        if len(text) > EXPLANATION_MAX:
            raise ArtifactRefused(
                _("The explanation can be at most %(max)d characters long (it has %(n)d).")
                % {"max": EXPLANATION_MAX, "n": len(text)},
                field=f"explanation_{code}",
            )
        kept[code] = text
    return kept


def _queue_replay(artifact_id: int) -> None:
    """Ask a worker for the replay; the artifact is saved either way, so a broker outage is
    only logged (re-saving the artifact, or artifact_replays_queue_missing, catches up)."""
    enqueue("quiz.tasks.artifact_replay_render", artifact_id)


def _assign(artifact: Artifact, values: ArtifactValues) -> None:
    artifact.category = values.category
    artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h = values.box
    artifact.start_s, artifact.end_s = values.start_s, values.end_s
    artifact.explanation = values.explanation
    artifact.translations = values.stored_translations()


def _region(artifact: Artifact) -> tuple[object, ...]:
    """What the replay is made from: if this is unchanged, so is the replay."""
    return (
        artifact.box_x,
        artifact.box_y,
        artifact.box_w,
        artifact.box_h,
        artifact.start_s,
        artifact.end_s,
    )


def artifact_create(
    *,
    clip: Clip,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
    translations: dict[str, str] | None = None,
) -> Artifact:
    """Add a checked artifact to the clip and queue its magnified replay after commit."""
    values = artifact_check(
        clip=clip,
        category=category,
        box=box,
        start_s=start_s,
        end_s=end_s,
        explanation=explanation,
        translations=translations,
    )
    artifact = Artifact(clip=clip)
    _assign(artifact, values)
    with transaction.atomic():
        artifact.save()
        transaction.on_commit(lambda: _queue_replay(artifact.pk))
    return artifact


def artifact_update(
    *,
    clip: Clip,
    artifact: Artifact,
    category: str,
    box: tuple[float, float, float, float],
    start_s: float | None,
    end_s: float | None,
    explanation: str,
    translations: dict[str, str] | None = None,
) -> Artifact:
    """Change an artifact of `clip`.

    A new region or time range makes the old replay wrong: it is dropped at once (learners
    never see a replay of the wrong spot) and a new one is queued after commit. A change of
    category or wording keeps the replay.
    """
    if artifact.clip_id != clip.pk:
        raise ValueError("the artifact belongs to another clip")
    values = artifact_check(
        clip=clip,
        category=category,
        box=box,
        start_s=start_s,
        end_s=end_s,
        explanation=explanation,
        translations=translations,
    )
    with transaction.atomic():
        # Locked so a replay task finishing now cannot store a render of the old region.
        current = Artifact.objects.select_for_update().get(pk=artifact.pk, clip=clip)
        before = _region(current)
        _assign(current, values)
        stale = ""
        if _region(current) != before or not current.replay:
            stale, current.replay = current.replay.name or "", ""
            transaction.on_commit(lambda: _queue_replay(current.pk))
        current.save()
        if stale:
            transaction.on_commit(lambda: remove_media(replay_files(stale)))
    return current


def artifact_delete(*, clip: Clip, artifact: Artifact) -> None:
    """Delete an artifact of `clip` and, after commit, its replay's files."""
    if artifact.clip_id != clip.pk:
        raise ValueError("the artifact belongs to another clip")
    with transaction.atomic():
        current = Artifact.objects.select_for_update().filter(pk=artifact.pk, clip=clip).first()
        if current is None:
            return  # already gone (a double click): nothing left to do
        replay = current.replay.name or ""
        current.delete()
        transaction.on_commit(lambda: remove_media(replay_files(replay)))


def artifact_replay_render(*, artifact_id: int) -> str | None:
    """Render the artifact's magnified replay and store it; return its name (None if the
    artifact, or its clip's media, is gone, or an edit overtook this render).

    Steps: read the artifact and its clip; render to a fresh random name under MEDIA_ROOT
    outside any transaction (slow), a video's poster (its first frame) beside it; then, in a short transaction with the row locked, check the
    artifact still exists with the same region and time range, point it at the new file, and
    after commit delete the previous replay. Safe to repeat or run twice at once: each run
    replaces the last one's file, so exactly one replay file per artifact remains; a run that
    lost a race to an edit or a delete throws its own file away (the edit queued a new run).
    """
    artifact = Artifact.objects.select_related("clip").filter(pk=artifact_id).first()
    if artifact is None or not artifact.clip.media:
        return None
    clip = artifact.clip
    source = media_path(clip.media.name)
    if not source.exists():
        log.warning("artifact %s: clip media %s is missing", artifact_id, clip.media.name)
        return None
    region = _region(artifact)
    # Opaque, like every served name: nothing in it says which clip or artifact it shows.
    # A video replay's poster (its first frame) is named after it and served like it.
    name = served_name(".mp4" if clip.is_video else ".jpg")
    target = media_path(name)
    poster = media_path(replay_poster_name(name)) if clip.is_video else None
    try:
        render_replay(
            source,
            target,
            box=(artifact.box_x, artifact.box_y, artifact.box_w, artifact.box_h),
            start_s=artifact.start_s if clip.is_video else None,
            end_s=artifact.end_s if clip.is_video else None,
            poster=poster,
        )
        with transaction.atomic():
            current = (
                Artifact.objects.select_for_update()
                .filter(pk=artifact_id, clip__media=clip.media.name)
                .first()
            )
            if current is None or _region(current) != region:
                remove_media(replay_files(name))
                return None
            previous = current.replay.name or ""
            current.replay = name
            current.save(update_fields=["replay"])
            transaction.on_commit(lambda: remove_media(replay_files(previous)))
    except BaseException:
        remove_media(replay_files(name))
        raise
    return name


def artifact_replays_queue_missing() -> int:
    """Queue a replay for every artifact of a ready clip that has none (artifacts imported
    from packs, or renders lost to a broker outage), or whose video replay has no poster
    (rendered before replays had posters); returns how many were queued. Safe to repeat: a
    render that finds a replay already stored just replaces it."""
    ready = Artifact.objects.filter(clip__status=Clip.Status.READY).exclude(clip__media="")
    ids = list(ready.filter(replay="").values_list("pk", flat=True))
    for artifact_id, replay in ready.filter(replay__endswith=".mp4").values_list("pk", "replay"):
        if not media_path(replay_poster_name(replay)).exists():
            ids.append(artifact_id)
    ids.sort()
    for artifact_id in ids:
        _queue_replay(artifact_id)
    return len(ids)


# --- Clips --------------------------------------------------------------------------------


def clip_keep_for_tests(*, clip: Clip, kept: bool) -> Clip:
    """Keep a clip for tests (lessons, practice and feeds never show it:
    Clip.objects.for_learning) or give it back to them. Repeating either changes nothing."""
    Clip.objects.filter(pk=clip.pk).update(kept_for_tests=kept)
    clip.refresh_from_db(fields=["kept_for_tests"])
    return clip


def clip_retire(*, clip: Clip, retired: bool) -> Clip:
    """Retire a clip (it leaves new quizzes: `Clip.objects.in_use()` skips it, while quizzes
    that hold it and past answers keep it) or bring it back. Repeating either changes nothing."""
    if retired:
        Clip.objects.filter(pk=clip.pk, retired_at__isnull=True).update(retired_at=timezone.now())
    else:
        Clip.objects.filter(pk=clip.pk).update(retired_at=None)
    clip.refresh_from_db(fields=["retired_at"])
    return clip
