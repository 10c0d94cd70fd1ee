"""Live lessons (issue 15): the teacher starts a game and runs it from the projector; players
join by PIN (or with one click from their home page) and answer on their own devices.

Every page reads the game's state from PostgreSQL. Changes reach the open pages as
Server-Sent Events (`game_events`, an async view under the ASGI server) fed by Redis pub/sub:
an event only says "changed", and the page fetches its own fragment again, so a reconnect
shows the current state. Without JavaScript every page works by reloading.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import segno
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import teacher_required
from accounts.models import Classroom
from quiz import live_events
from quiz.forms.live import JoinForm, SettingsForm, StartForm
from quiz.forms.play import AnswerForm, SpotAnswerForm
from quiz.models import Answer, Artifact, Clip, LiveGame, LivePlayer, Quiz, QuizItem
from quiz.selectors import live as selectors
from quiz.selectors import play as play_selectors
from quiz.selectors import teach as teach_selectors
from quiz.selectors.play import round_clip
from quiz.services import live as services

PROJECTOR = "quiz/live/projector.html"
DEVICE = "quiz/live/device.html"


# --- Access -----------------------------------------------------------------------------------


def _teacher_game(request: HttpRequest, game_id: int) -> LiveGame:
    """A game the teacher may run (their own or their class's); any other is a 404."""
    game = get_object_or_404(selectors.games_taught_by(request.user), pk=game_id)
    return services.game_refresh(game)


def _remember(request: HttpRequest, player: LivePlayer) -> None:
    remembered = dict(request.session.get(selectors.SESSION_KEY, {}))
    remembered[str(player.game_id)] = player.pk
    request.session[selectors.SESSION_KEY] = remembered


def _player(request: HttpRequest, game_id: int) -> tuple[LiveGame, LivePlayer]:
    """The game and this browser's player in it (its signed-in user's, or the guest the
    session remembers); a 404 for anyone else."""
    game = get_object_or_404(
        LiveGame.objects.select_related("quiz", "classroom__school"), pk=game_id
    )
    player = selectors.device_player(
        game,
        user=request.user if request.user.is_authenticated else None,
        player_id=selectors.session_player_id(request.session, game_id),
    )
    if player is None:
        raise Http404
    return services.game_refresh(game), player


# --- Starting ---------------------------------------------------------------------------------


@teacher_required
@require_http_methods(["GET", "POST"])
def game_new(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Run live in class" on a quiz: choose the class (or anyone with the PIN)."""
    quiz = get_object_or_404(Quiz.objects.assignable_by(request.user), slug=slug)
    return _start(request, quiz=quiz, assignment=None)


@teacher_required
@require_http_methods(["GET", "POST"])
def game_new_for_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """ "Run live in class" on an assignment: its class plays, its answers are the
    assignment's."""
    assignment = get_object_or_404(
        teach_selectors.assignments_for_teacher(request.user), pk=assignment_id
    )
    return _start(request, quiz=assignment.quiz, assignment=assignment)


def _start(request: HttpRequest, *, quiz: Quiz, assignment) -> HttpResponse:
    if assignment is not None:
        classrooms = Classroom.objects.filter(pk=assignment.classroom_id)
    else:
        classrooms = Classroom.objects.taught_by(request.user).active().order_by("name")
    form = StartForm(
        request.POST if request.method == "POST" else None,
        classrooms=classrooms,
        fixed=assignment is not None,
        initial={"players": str(classrooms[0].pk)} if classrooms else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            game = services.game_start(
                teacher=request.user,
                quiz=quiz,
                classroom=form.cleaned_classroom(),
                assignment=assignment,
                timer_s=form.cleaned_timer(),
                leaderboard=form.cleaned_data["leaderboard"],
            )
        except services.LiveRefused as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("live:projector", game_id=game.pk)
    running = selectors.games_taught_by(request.user).exclude(state=LiveGame.State.ENDED)
    return render(
        request,
        "quiz/live/new.html",
        {
            "form": form,
            "quiz": quiz,
            "assignment": assignment,
            "running": running,
            # Said before the teacher fills in the form (a feed or a test cannot run live).
            "refusal": "" if form.errors else services.start_refusal(quiz, assignment),
            "open_tests": teach_selectors.open_tests_sharing_clips(
                quiz, request.user, timezone.now(), besides=assignment
            ),
        },
        status=422 if form.errors else 200,
    )


# --- The projector ---------------------------------------------------------------------------


def _media_id(shown: selectors.LiveRound, side: str) -> str:
    """The id of a round's media element: its own per round, so the projector keeps the
    playing element across a reveal's steps (hx-preserve) and never keeps it into the next
    round. Named by the round's number in the game, never by its item or clip: a device shows
    it before the answer, and a database id seen there would name the same clip elsewhere."""
    return f"live-{shown.number}-{side}"


def _clips(
    shown: selectors.LiveRound,
    url: Callable[[str, Clip], str],
    artifacts: list[Artifact] | None = None,
    marks: list[selectors.ClassMark] | None = None,
) -> list[dict]:
    """The round's clips in the game's order (A, B), each with its URLs (`url(file, clip)`
    for "media" and "poster") and, for the generated one once they are shown, the
    outlines of its giveaways (and, on a spot round's truth, the class's marks)."""
    found = (
        [(shown.clip_a, "a"), (shown.clip_b, "b")]
        if shown.item.is_pair
        else [(shown.item.clip, "a")]
    )
    labels = (
        {"a": _("Clip A"), "b": _("Clip B")}
        if shown.item.is_pair
        else {"a": _("The clip") if shown.item.is_spot else _("The clip to judge")}
    )
    return [
        {
            "clip": clip,
            "src": url("media", clip) if clip.media else "",
            "poster": url("poster", clip) if clip.poster else "",
            "label": labels[side],
            "media_id": _media_id(shown, side),
            "artifacts": artifacts if clip.is_generated else None,
            "marks": marks if clip.is_generated else None,
        }
        for clip, side in found
    ]


def _stored_url(file: str, clip: Clip) -> str:
    return reverse("quiz:media", args=[getattr(clip, file).name])


def _join_url(request: HttpRequest, game: LiveGame) -> str:
    return request.build_absolute_uri(reverse("live:join") + f"?pin={game.pin}")


def _projector_context(request: HttpRequest, game: LiveGame) -> dict:
    shown = selectors.live_round(game)
    context: dict = {
        "game": game,
        "shown": shown,
        # The projector's clip is kept playing across the stage's swaps (quiz/live/_clip.html).
        "preserve_media": True,
        "players": selectors.players(game),
        "answered": selectors.answered_count(game),
        "settings_form": SettingsForm(
            initial={"timer": str(game.timer_s or ""), "leaderboard": game.leaderboard}
        ),
    }
    if game.state == LiveGame.State.LOBBY or game.is_ended:
        join_url = _join_url(request, game)
        context["join_url"] = join_url
        context["qr"] = segno.make(join_url, error="m").svg_inline(
            scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None
        )
    if shown is not None:
        artifacts_shown: list[Artifact] = []
        outlined: list[Artifact] = []
        marks: list[selectors.ClassMark] | None = None
        if game.state == LiveGame.State.OPEN and game.timer_s and game.round_opened_at:
            context["deadline"] = game.round_opened_at + timedelta(seconds=game.timer_s)
        if game.state == LiveGame.State.REVEALED:
            context["distribution"] = selectors.distribution(game, shown)
            artifacts = selectors.round_artifacts(shown)
            artifacts_shown = artifacts[: max(0, game.reveal_step - 1)]
            outlined = artifacts_shown
            if shown.item.is_spot and game.reveal_step >= 1:
                # A spot round's truth is where the giveaways are: every box at once, with
                # the class's marks as dots (no names); then each giveaway explained.
                outlined = artifacts
                marks = selectors.round_marks(game, shown)
                context["marks"] = marks
            context["artifacts_shown"] = artifacts_shown
            context["generated_clip"] = shown.item.generated_clip()
            on_left = not shown.item.is_pair or shown.clip_a.is_generated
            context["generated_media_id"] = _media_id(shown, "a" if on_left else "b")
            context["more_steps"] = game.reveal_step + 1 < 2 + len(artifacts)
            context["is_last_round"] = game.round_index + 1 >= game.round_count
            if game.leaderboard:
                context["board"] = selectors.leaderboard(game)
        context["clips"] = _clips(shown, _stored_url, outlined, marks)
    if game.is_ended:
        context["summary"] = selectors.class_summary(game)
    return context


@teacher_required
@require_safe
def projector(request: HttpRequest, game_id: int) -> HttpResponse:
    """The projector page: PIN and QR code in the lobby, the round large, the reveal step by
    step, the class summary at the end; controls for the teacher below."""
    game = _teacher_game(request, game_id)
    return render(request, PROJECTOR, _projector_context(request, game))


@teacher_required
@require_safe
def projector_part(request: HttpRequest, game_id: int, part: str) -> HttpResponse:
    """One region of the projector page, fetched again when an event says it changed: the
    stage (a 204 when its version is the one shown), the answer count or the players."""
    if part not in ("stage", "count", "players"):
        raise Http404
    game = _teacher_game(request, game_id)
    if part == "stage" and request.GET.get("v") == str(game.version):
        return HttpResponse(status=204)
    return render(request, f"{PROJECTOR}#{part}", _projector_context(request, game))


CONTROLS = {
    "open": services.round_open,
    "reveal": services.round_reveal,
    "step": services.reveal_next,
    "end": services.game_end,
    "reopen": services.game_reopen,
}


@teacher_required
@require_POST
def projector_control(request: HttpRequest, game_id: int) -> HttpResponse:
    """Start / next round, reveal, next reveal step, end, reopen. Without htmx a redirect to
    the projector page. From htmx the page stays (a reload would restart the clip): the
    answer only says a refusal (or clears the last one) and asks the stage to fetch itself
    again (HX-Trigger), as the game's event does: the stage's one request at a time
    (hx-sync) swaps it with the playing clip kept (hx-preserve)."""
    game = _teacher_game(request, game_id)
    action = CONTROLS.get(request.POST.get("action", ""))
    refusal = ""
    if action is None:
        refusal = _("Unknown action.")
    else:
        try:
            action(game=game)
        except services.LiveRefused as refused:
            refusal = str(refused)
    if request.htmx:
        response = render(request, f"{PROJECTOR}#refusal", {"refusal": refusal, "oob": True})
        response["HX-Trigger"] = "live-stage"
        return response
    if refusal:
        messages.error(request, refusal)
    return redirect("live:projector", game_id=game.pk)


@teacher_required
@require_POST
def projector_settings(request: HttpRequest, game_id: int) -> HttpResponse:
    game = _teacher_game(request, game_id)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.game_settings(
                game=game,
                leaderboard=form.cleaned_data["leaderboard"],
                timer_s=form.cleaned_timer(),
            )
            messages.success(request, _("Settings saved."))
        except services.LiveRefused as refused:
            messages.error(request, str(refused))
    else:
        messages.error(request, _("Choose no timer, 30, 60 or 90 seconds."))
    return redirect("live:projector", game_id=game.pk)


@teacher_required
@require_safe
def game_list(request: HttpRequest) -> HttpResponse:
    """The teacher's live games, open ones first: where a closed projector is reopened."""
    games = selectors.games_taught_by(request.user).order_by("-created_at")[:30]
    return render(request, "quiz/live/game_list.html", {"games": games})


@teacher_required
@require_safe
def game_report(request: HttpRequest, game_id: int) -> HttpResponse:
    """A game's answers for the teacher: by player, by round, by giveaway. A class's game
    for the class's teachers, a game for anyone with the PIN for the teacher who ran it;
    any other is a 404. A game of an assignment is in the assignment's report."""
    game = get_object_or_404(selectors.games_reported_to(request.user), pk=game_id)
    if game.assignment_id is not None and (
        teach_selectors.assignments_for_teacher(request.user).filter(pk=game.assignment_id).exists()
    ):
        return redirect("teach:assignment_report", assignment_id=game.assignment_id)
    return render(
        request,
        "quiz/live/report.html",
        {
            "game": game,
            "report": selectors.game_report(game),
            "summary": selectors.class_summary(game),
            "guest_days": settings.LIVE_GUEST_KEEP_DAYS,
        },
    )


# --- Devices ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Join a game by its PIN (public: guests join games open to anyone with a nickname)."""
    form = JoinForm(
        request.POST if request.method == "POST" else None,
        initial={"pin": request.GET.get("pin", "")[:6]},
    )
    if request.method == "POST" and form.is_valid():
        game = selectors.open_game_by_pin(form.cleaned_data["pin"])
        user = request.user if request.user.is_authenticated else None
        if game is None:
            form.add_error("pin", _("No game is running with this PIN. Check the projector."))
        elif user is None and not game.for_anyone:
            form.add_error(None, _("This game is for a class: sign in with your account first."))
        elif user is None and not form.cleaned_data["nickname"]:
            form.add_error("nickname", _("Choose a nickname to join."))
        else:
            return _joined(request, game, user, form)
    return render(
        request, "quiz/live/join.html", {"form": form}, status=422 if form.errors else 200
    )


def _joined(request: HttpRequest, game: LiveGame, user, form: JoinForm) -> HttpResponse:
    existing = selectors.session_player_id(request.session, game.pk)
    if user is None and existing is not None:
        return redirect("live:device", game_id=game.pk)
    try:
        player = services.player_join(game=game, user=user, nickname=form.cleaned_data["nickname"])
    except services.LiveRefused as refused:
        form.add_error(None, str(refused))
        return render(request, "quiz/live/join.html", {"form": form}, status=422)
    if player.is_guest:
        _remember(request, player)
    return redirect("live:device", game_id=game.pk)


@require_POST
def join_class_game(request: HttpRequest, game_id: int) -> HttpResponse:
    """One click from a student's home page into their class's game."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('live:join')}")
    game = get_object_or_404(LiveGame, pk=game_id, classroom__students=request.user)
    try:
        services.player_join(game=game, user=request.user)
    except services.LiveRefused as refused:
        messages.error(request, str(refused))
        return redirect("live:join")
    return redirect("live:device", game_id=game.pk)


@dataclass(frozen=True)
class _Served:
    """A round's clip on a device under its attempt's own names, as quiz/_media.html (and so
    the spot round's partial) takes it: `media_url` and `poster_url` given."""

    clip: Clip
    media: str
    poster: str
    media_url: str
    poster_url: str


def _answer_form(item: QuizItem, data: Any = None) -> AnswerForm | SpotAnswerForm:
    """The round's form: a spot round asks where (and when), the others real or generated."""
    return SpotAnswerForm(data) if item.is_spot else AnswerForm(data, item=item)


def _spot_context(
    game: LiveGame, player: LivePlayer, shown: selectors.LiveRound, answer: Answer | None
) -> dict:
    """A spot round on the device: the clip under the attempt's names (for the marking
    partial and, once revealed, the player's own mark against every giveaway's box)."""
    served = round_clip(player.attempt_id, shown.item, "clip")

    def url(name: str) -> str:
        return reverse("live:media", args=[game.pk, name]) if name else ""

    on_device = _Served(
        served.clip, served.media, served.poster, url(served.media), url(served.poster)
    )
    context: dict = {"spot_round": {"media_a": on_device}, "spot_served": on_device}
    if game.state == LiveGame.State.REVEALED or game.is_ended:
        artifacts = selectors.round_artifacts(shown)
        context["spot_artifacts"] = artifacts
        if answer is not None:
            context["spot"] = play_selectors.spot_feedback(answer, artifacts)
    return context


def _device_context(
    game: LiveGame,
    player: LivePlayer,
    form: AnswerForm | SpotAnswerForm | None = None,
    refusal: str = "",
    shown: selectors.LiveRound | None = None,
) -> dict:
    """What the device's panel shows; `shown`: the current round, if read already."""
    if shown is None or shown.item.pk != game.current_item_id:
        shown = selectors.live_round(game)
    result = selectors.player_result(game, player)
    context: dict = {
        "game": game,
        "player": player,
        "shown": shown,
        "result": result,
        "refusal": refusal,
    }
    if shown is not None:
        sides = {
            shown.clip_a.pk: shown.which_a,
            shown.clip_b.pk if shown.clip_b else 0: shown.which_b,
        }

        def url(file: str, clip: Clip) -> str:
            served = round_clip(player.attempt_id, shown.item, sides[clip.pk])
            return reverse("live:media", args=[game.pk, getattr(served, file)])

        context["clips"] = _clips(shown, url)
        if shown.item.is_spot:
            context.update(_spot_context(game, player, shown, result.answer))
        if game.state == LiveGame.State.OPEN and game.timer_s and game.round_opened_at:
            context["deadline"] = game.round_opened_at + timedelta(seconds=game.timer_s)
        if game.state == LiveGame.State.OPEN and result.answer is None:
            context["form"] = form or _answer_form(shown.item)
        if result.answer is not None and game.state != LiveGame.State.OPEN:
            context["own_right"] = result.answer.is_correct
    return context


@require_safe
def device(request: HttpRequest, game_id: int) -> HttpResponse:
    game, player = _player(request, game_id)
    return render(request, DEVICE, _device_context(game, player))


@require_safe
def device_panel(request: HttpRequest, game_id: int) -> HttpResponse:
    """The device's panel, fetched again when an event says the game changed (a 204 when
    the version asked for is the one shown: a reconnect mid-answer keeps the choice)."""
    game, player = _player(request, game_id)
    if request.GET.get("v") == str(game.version):
        return HttpResponse(status=204)
    return render(request, f"{DEVICE}#panel", _device_context(game, player))


@require_POST
def device_answer(request: HttpRequest, game_id: int) -> HttpResponse:
    """The player's answer to the open round (the player is this browser's, never one a
    form names); a refusal (the round closed, answered already) is said on the panel."""
    game, player = _player(request, game_id)
    shown = selectors.live_round(game)
    form = _answer_form(shown.item, request.POST) if shown else None
    refusal, status = "", 200
    if form is None:
        refusal, status = _("No round is open."), 409
    elif form.is_valid():
        try:
            round_index = int(request.POST.get("round", "-1"))
        except ValueError:
            round_index = -1
        try:
            services.live_answer(
                game=game,
                player=player,
                round_index=round_index,
                guess="spot" if shown.item.is_spot else form.cleaned_data["guess"],
                confidence=form.cleaned_data["confidence"],
                item=shown.item,
                mark=form.cleaned_data.get("mark"),
            )
        except services.LiveRefused as refused:
            refusal, status = str(refused), 409
            game.refresh_from_db()  # what closed the round, or the answer given before
        form = None
    else:
        status = 422
    if not request.htmx:
        if refusal:
            messages.error(request, refusal)
        if status != 422:
            return redirect("live:device", game_id=game.pk)
    context = _device_context(game, player, form, refusal, shown)
    return render(request, f"{DEVICE}#panel", context, status=status)


# --- Events -----------------------------------------------------------------------------------


def _listener(request: HttpRequest, game_id: int) -> tuple[int, bool]:
    """(game id, is the projector) for a teacher of the game or one of its players."""
    try:
        return _may_listen(request, game_id)
    finally:
        # An open stream is a request that never ends, so Django would keep its database
        # connection for as long: 100 open devices would take every connection PostgreSQL
        # has. The stream reads the database rarely; it opens one when it does.
        connections.close_all()


def _may_listen(request: HttpRequest, game_id: int) -> tuple[int, bool]:
    user = request.user
    if (
        user.is_authenticated
        and user.is_teacher
        and selectors.games_taught_by(user).filter(pk=game_id).exists()
    ):
        return game_id, True
    _player(request, game_id)
    return game_id, False


def _version(game_id: int, projector: bool) -> int:
    """The game's version (the projector's stream also applies the timer), read on a
    connection closed again at once (see _listener)."""
    try:
        game = LiveGame.objects.get(pk=game_id)
        if projector:
            game = services.game_refresh(game)
        return game.version
    finally:
        connections.close_all()


async def _stream(game_id: int, projector: bool) -> AsyncIterator[bytes]:
    yield b"retry: 2000\n\n"
    async for news in live_events.listen(game_id, projector=projector):
        if news is None:
            yield b": still here\n\n"
        elif news[0] == live_events.READY:
            # Subscribed first, then read: no change can fall between the two.
            version = await sync_to_async(_version)(game_id, projector)
            yield live_events.sse(live_events.STATE, str(version), event_id=version)
        else:
            yield live_events.sse(news[0], str(news[1]))


def _stream_blocking(game_id: int, projector: bool) -> Iterator[bytes]:
    yield b"retry: 2000\n\n"
    for news in live_events.listen_blocking(game_id, projector=projector):
        if news is None:
            yield b": still here\n\n"
        elif news[0] == live_events.READY:
            version = _version(game_id, projector)
            yield live_events.sse(live_events.STATE, str(version), event_id=version)
        else:
            yield live_events.sse(news[0], str(news[1]))


async def game_events(request: HttpRequest, game_id: int) -> HttpResponseBase:
    """The game's events for the projector (state, answers, players) or a device (state):
    the current version on (re)connect, then every change as it is published."""
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    game_id, projector = await sync_to_async(_listener)(request, game_id)
    if isinstance(request, ASGIRequest):
        content = _stream(game_id, projector)
    else:  # a WSGI server (runserver, the tests' live server): one thread per stream
        content = _stream_blocking(game_id, projector)
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    # nginx would otherwise buffer the stream (README, Production).
    response["X-Accel-Buffering"] = "no"
    return response
