"""The teacher's quiz builder: their quizzes, new quizzes, the builder page and copies.

The builder page keeps its unsaved draft in the page itself (hidden inputs `round-<i>-kind`,
`round-<i>-clip`, `round-<i>-other`) and every control is a button of one POST form, so it
works without JavaScript: each press sends the draft, the server applies the change and
renders the page again. htmx only swaps the region that changed. Save hands the draft to
`builder.quiz_set_items`, which is the one judge of what a valid quiz is.

Who may do what: teachers only (others 403). A teacher edits the quizzes they created;
public quizzes (the demo) can be viewed and copied but not changed (their builder page is
read-only, and a POST to it is a 403); another teacher's private quiz is a 404.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from accounts.decorators import teacher_required
from quiz.forms.builder import CLIP_ID, DESCRIPTION_MAX, BalancedForm, BuilderFilterForm, QuizForm
from quiz.models import Answer, Clip, Quiz
from quiz.responses import redirect_or_client_redirect
from quiz.selectors import builder as builder_selectors
from quiz.selectors.builder import ClipInfo
from quiz.services import builder
from quiz.services.builder import QuizEditRefused, Round

TEMPLATE = "quiz/builder/edit.html"
LIBRARY_PAGE_SIZE = 24
PARTNERS_SHOWN = 40
# The draft's fields as the page writes them; anything else in a draft is tampering.
ROUND_KIND_FIELD = re.compile(r"^round-(\d{1,4})-kind$")
ACTION = re.compile(
    r"^(?P<verb>refresh|filter|save|balance)$"
    r"|^(?P<step>page|add|up|down|remove|pair|swap):(?P<arg>[1-9][0-9]{0,17})$"
)


# --- Access -------------------------------------------------------------------------------


def _visible_quiz(request: HttpRequest, slug: str) -> Quiz:
    """A quiz the teacher made, or a public one they may see; any other is a 404. Feeds and
    lesson checks are made on their own pages (quiz.views.feed, quiz.views.learn), not
    edited here."""
    return get_object_or_404(
        Quiz.objects.visible_to(request.user).filter(mode=Quiz.Mode.QUIZ), slug=slug
    )


def _is_own(request: HttpRequest, quiz: Quiz) -> bool:
    return quiz.created_by_id == request.user.pk


def _pickable(request: HttpRequest) -> QuerySet[Clip]:
    """The clips this teacher may put in a quiz: ready, not retired, and visible to them in
    the library (another school's private upload is neither offered nor accepted)."""
    return builder_selectors.pickable_clips().visible_to(request.user)


# --- The draft ----------------------------------------------------------------------------


class DraftUnreadable(Exception):
    """The posted draft is not what the page writes (tampered or truncated)."""


def _draft_from(data: QueryDict) -> list[Round]:
    """The draft's rounds in page order. Clip numbers must be numbers; whether the rounds make
    sense (kinds, clips, pairs) is left to builder.rounds_check, which explains its refusals."""
    numbers = sorted(int(match.group(1)) for key in data if (match := ROUND_KIND_FIELD.match(key)))
    rounds: list[Round] = []
    for number in numbers:
        kind = data.get(f"round-{number}-kind", "")
        clip = data.get(f"round-{number}-clip", "")
        other = data.get(f"round-{number}-other", "")
        if len(kind) > 20 or not CLIP_ID.match(clip) or (other and not CLIP_ID.match(other)):
            raise DraftUnreadable
        rounds.append((kind, int(clip), int(other) if other else None))
    return rounds


def _saved_rounds(quiz: Quiz) -> list[Round]:
    return [
        (item.kind, item.clip_id, item.other_clip_id) for item in quiz.items.order_by("position")
    ]


def _info(clip: Clip) -> ClipInfo:
    return builder_selectors.clip_info(clip, clip.category_codes)


@dataclass
class RoundRow:
    """One round of the draft as the page shows it."""

    number: int
    kind: str
    clip_id: int
    other_id: int | None
    clip: Clip | None
    other: Clip | None
    partners: list[Clip] = field(default_factory=list)
    is_last: bool = False

    @property
    def is_pair(self) -> bool:
        return self.kind == builder.PAIR

    @property
    def is_spot(self) -> bool:
        return self.kind == builder.SPOT

    @property
    def can_spot(self) -> bool:
        """The round's clip can make a spot round (generated, with a marked giveaway)."""
        return self.clip is not None and builder.spot_fits(_info(self.clip))


def _round_rows(rounds: list[Round], clips: dict[int, Clip], library: list[Clip]) -> list[RoundRow]:
    """Rows with the partners each round could be paired with: clips of single rounds and of
    the library page on screen, of the same media kind and the other truth."""
    in_draft = set(builder.rounds_clip_ids(rounds))
    singles = [clips[a] for kind, a, b in rounds if kind == builder.SINGLE and a in clips]
    offered = singles + [c for c in library if c.pk not in in_draft]
    rows = []
    for number, (kind, a, b) in enumerate(rounds, start=1):
        clip, other = clips.get(a), clips.get(b) if b is not None else None
        partners: list[Clip] = []
        if clip is not None:
            # Most alike first (same source, categories, size): the list is cut below.
            partners = builder.rank_partners(
                _info(clip), ((_info(c), c) for c in offered if c.pk != b)
            )
        # A long draft would otherwise repeat a hundred options in every round's list.
        partners = partners[:PARTNERS_SHOWN]
        if other is not None:
            partners.insert(0, other)
        rows.append(
            RoundRow(number, kind, a, b, clip, other, partners, is_last=number == len(rounds))
        )
    return rows


# --- The builder page ---------------------------------------------------------------------


@dataclass
class Outcome:
    """What an action did, for the status line and the screen reader's live region."""

    notice: str = ""
    error: str = ""
    status: int = 200


def _library_page(
    filter_form: BuilderFilterForm, page_number: int | None, pool: QuerySet[Clip]
) -> Page:
    clips = builder_selectors.library_clips(available=pool, **filter_form.filters())
    page = Paginator(clips, LIBRARY_PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    builder_selectors.attach_categories(page.object_list)
    return page


def _context(
    quiz: Quiz,
    *,
    pool: QuerySet[Clip],
    rounds: list[Round],
    filter_form: BuilderFilterForm,
    page_number: int | None,
    details_form: QuizForm,
    balanced_form: BalancedForm,
    outcome: Outcome,
) -> dict[str, Any]:
    page = _library_page(filter_form, page_number, pool)
    clips = builder_selectors.library_clips_by_id(builder.rounds_clip_ids(rounds), available=pool)
    rows = _round_rows(rounds, clips, page.object_list)
    round_of_clip = {
        clip_id: number
        for number, (_kind, a, b) in enumerate(rounds, start=1)
        for clip_id in (a, b)
        if clip_id is not None
    }
    for clip in page.object_list:
        clip.in_round = round_of_clip.get(clip.pk)
    try:
        builder.rounds_check(rounds, available=pool)
        problem = ""
    except QuizEditRefused as refused:
        problem = str(refused)
    return {
        "quiz": quiz,
        "editable": True,
        "library": page,
        "filter_form": filter_form,
        "rows": rows,
        "problem": problem,
        "details_form": details_form,
        "balanced_form": balanced_form,
        "outcome": outcome,
        "max_rounds": builder.MAX_ROUNDS,
    }


def _render_builder(
    request: HttpRequest, context: dict[str, Any], *, partial: str = "workspace"
) -> HttpResponse:
    template = f"{TEMPLATE}#{partial}" if request.htmx else TEMPLATE
    context["library_only"] = partial == "library"
    return render(request, template, context, status=context["outcome"].status)


def _render_locked(request: HttpRequest, quiz: Quiz, *, answered: bool) -> HttpResponse:
    """The read-only page of a quiz the teacher cannot change, offering an editable copy."""
    if request.method == "POST" and request.htmx:
        # The quiz was answered while this teacher was editing it: the whole page changes
        # (no editor any more), so load the read-only page, which says why.
        messages.warning(request, _("This quiz already has answers; edit a copy"))
        return HttpResponseClientRedirect(reverse("build:quiz_edit", args=[quiz.slug]))
    rounds = _saved_rounds(quiz)
    # Show every clip of the quiz as it is, retired ones included: nothing here is picked.
    clips = builder_selectors.library_clips_by_id(
        builder.rounds_clip_ids(rounds), available=Clip.objects.all()
    )
    context = {
        "quiz": quiz,
        "editable": False,
        "answered": answered,
        "rows": _round_rows(rounds, clips, []),
    }
    return render(request, TEMPLATE, context, status=409 if request.method == "POST" else 200)


def _apply(
    data: QueryDict, verb: str, number: int, rounds: list[Round], pool: QuerySet[Clip]
) -> tuple[list[Round], str]:
    """Apply one round or library button to the draft: the new draft and what happened.
    Refusals (QuizEditRefused) leave the draft as it was."""
    if verb == "add":
        clip = builder_selectors.library_clips_by_id([number], available=pool).get(number)
        if clip is None:
            raise QuizEditRefused(
                _("Clip %(clip)s is not available (not in the library, not ready or retired).")
                % {"clip": number}
            )
        changed = builder.rounds_add(rounds, _info(clip))
        return changed, _("Clip %(clip)s added as round %(n)d.") % {
            "clip": number,
            "n": len(changed),
        }
    if verb in ("up", "down"):
        changed = builder.rounds_move(rounds, number, -1 if verb == "up" else 1)
        if changed == rounds:
            return rounds, _("Round %(n)d cannot move further.") % {"n": number}
        return changed, _("Moved: now round %(n)d.") % {
            "n": number - 1 if verb == "up" else number + 1
        }
    if verb == "remove":
        return builder.rounds_remove(rounds, number), _("Round %(n)d removed.") % {"n": number}
    if verb == "swap":
        return builder.rounds_swap(rounds, number), _("Clips A and B of round %(n)d swapped.") % {
            "n": number
        }
    if verb == "pair":
        return _apply_pair(rounds, number, data.get(f"round-{number}-partner", ""), pool)
    return rounds, ""


def _apply_pair(
    rounds: list[Round], number: int, posted: str, pool: QuerySet[Clip]
) -> tuple[list[Round], str]:
    if posted == builder.SPOT:
        return _apply_spot(rounds, number, pool)
    if posted and not CLIP_ID.match(posted):
        raise QuizEditRefused(_("Choose a partner clip from the list."))
    partner = int(posted) if posted else None
    if not 1 <= number <= len(rounds):
        raise QuizEditRefused(_("There is no round %(n)d.") % {"n": number})
    ids = [rounds[number - 1][1]] + ([partner] if partner is not None else [])
    found = builder_selectors.library_clips_by_id(ids, available=pool)
    infos = {pk: _info(clip) for pk, clip in found.items()}
    changed = builder.rounds_pair(rounds, number, partner, infos)
    if partner is None:
        return changed, _("Round %(n)d shows one clip.") % {"n": number}
    new_number = next(i for i, r in enumerate(changed, start=1) if r[2] == partner)
    return changed, _("Round %(n)d is now a pair.") % {"n": new_number}


def _apply_spot(rounds: list[Round], number: int, pool: QuerySet[Clip]) -> tuple[list[Round], str]:
    """Make the round a spot round on its clip (the "Kind of round" list offers it for a
    generated clip with a marked giveaway)."""
    if not 1 <= number <= len(rounds):
        raise QuizEditRefused(_("There is no round %(n)d.") % {"n": number})
    clip_id = rounds[number - 1][1]
    clip = builder_selectors.library_clips_by_id([clip_id], available=pool).get(clip_id)
    if clip is None:
        raise QuizEditRefused(
            _("Clip %(clip)s is not available (not in the library, not ready or retired).")
            % {"clip": clip_id}
        )
    changed = builder.rounds_spot(rounds, number, _info(clip))
    return changed, _("Round %(n)d now asks where the giveaway is.") % {"n": number}


def _apply_balance(
    data: QueryDict, draft: list[Round], pool: QuerySet[Clip]
) -> tuple[list[Round], Outcome, BalancedForm]:
    """Replace the draft with a balanced quiz drawn from the library as filtered (or keep it
    and say why not)."""
    form = BalancedForm(data, prefix="balanced")
    if not form.is_valid():
        return draft, Outcome(error=_("Check the numbers for the balanced quiz."), status=422), form
    generators = builder_selectors.library_generators(available=pool)
    filters = BuilderFilterForm(data, generators=generators).filters()
    clips = builder_selectors.clip_infos(builder_selectors.library_clips(available=pool, **filters))
    try:
        rounds = builder.balanced_rounds(
            clips,
            n=form.cleaned_data["n"],
            generated_share=form.cleaned_data["generated"] / 100,
            pair_share=form.cleaned_data["pairs"] / 100,
            rng=random.Random(),
            spot_share=(form.cleaned_data.get("spots") or 0) / 100,
        )
    except ValueError as error:
        form.add_error(None, str(error))
        return draft, Outcome(error=str(error), status=422), form
    outcome = Outcome(
        _("The draft now has %(n)d balanced rounds. Check them, then save.") % {"n": len(rounds)}
    )
    return rounds, outcome, form


@teacher_required
@require_safe
def quiz_index(request: HttpRequest) -> HttpResponse:
    quizzes = Quiz.objects.annotate(
        round_count=Count("items", distinct=True),
        has_answers=Exists(Answer.objects.filter(item__quiz=OuterRef("pk"))),
    )
    return render(
        request,
        "quiz/builder/index.html",
        {
            "own": quizzes.filter(created_by=request.user, mode=Quiz.Mode.QUIZ).order_by(
                "-created_at"
            ),
            "public": quizzes.filter(is_public=True, pk__in=Quiz.objects.visible_to(request.user))
            .exclude(created_by=request.user)
            .order_by("title"),
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest) -> HttpResponse:
    form = QuizForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = builder.quiz_create(teacher=request.user, **form.cleaned_data)
        except QuizEditRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Quiz created. Add clips from the library, then save."))
            return redirect("build:quiz_edit", slug=quiz.slug)
    status = 422 if form.is_bound else 200
    return render(request, "quiz/builder/new.html", {"form": form}, status=status)


@teacher_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = _visible_quiz(request, slug)
    if not _is_own(request, quiz):
        if request.method == "POST":
            raise PermissionDenied  # public: anyone may look and copy, only its owner edits
        return _render_locked(request, quiz, answered=builder.quiz_has_answers(quiz))
    if builder.quiz_has_answers(quiz):
        return _render_locked(request, quiz, answered=True)
    pool = _pickable(request)
    generators = builder_selectors.library_generators(available=pool)
    if request.method == "GET":
        filter_form = BuilderFilterForm(request.GET or None, generators=generators)
        context = _context(
            quiz,
            pool=pool,
            rounds=_saved_rounds(quiz),
            filter_form=filter_form,
            page_number=_page_of(request.GET),
            details_form=QuizForm(initial={"title": quiz.title, "description": quiz.description}),
            balanced_form=BalancedForm(prefix="balanced"),
            outcome=Outcome(),
        )
        return _render_builder(request, context)
    return _edit_post(request, quiz, pool, generators)


def _page_of(data: QueryDict) -> int | None:
    """The library page asked for; anything odd means the first (Paginator clamps the rest)."""
    page = data.get("page", "")
    return int(page) if CLIP_ID.match(page) else None


def _edit_post(
    request: HttpRequest, quiz: Quiz, pool: QuerySet[Clip], generators: list[str]
) -> HttpResponse:
    """One press of a builder button: apply it to the posted draft and show the result."""
    data = request.POST
    action = ACTION.match(data.get("action", "refresh"))
    filter_form = BuilderFilterForm(data, generators=generators)
    page_number = _page_of(data)
    details_form = QuizForm(
        initial={
            "title": data.get("title", quiz.title)[: builder.TITLE_MAX * 2],
            "description": data.get("description", quiz.description)[: DESCRIPTION_MAX * 2],
        }
    )
    balanced_form: BalancedForm | None = None
    partial = "workspace"
    try:
        rounds = _draft_from(data)
    except DraftUnreadable:
        rounds = _saved_rounds(quiz)
        outcome = Outcome(
            error=_(
                "The draft sent could not be read, so nothing was changed. This is the saved quiz."
            ),
            status=400,
        )
    else:
        if action is None:
            outcome = Outcome(
                error=_("That is not a button this page offers; nothing was changed."), status=400
            )
        elif action["verb"] == "save":
            return _save(request, quiz, rounds, pool, filter_form, page_number)
        elif action["verb"] == "filter" or action["step"] == "page":
            page_number = int(action["arg"]) if action["step"] == "page" else 1
            partial = "library"
            outcome = Outcome()
        elif action["verb"] == "balance":
            rounds, outcome, balanced_form = _apply_balance(data, rounds, pool)
        else:
            try:
                rounds, notice = _apply(
                    data, action["verb"] or action["step"], int(action["arg"] or 0), rounds, pool
                )
                outcome = Outcome(notice)
            except QuizEditRefused as refused:
                outcome = Outcome(error=str(refused), status=422)
    context = _context(
        quiz,
        pool=pool,
        rounds=rounds,
        filter_form=filter_form,
        page_number=page_number,
        details_form=details_form,
        balanced_form=balanced_form or BalancedForm(prefix="balanced"),
        outcome=outcome,
    )
    if partial == "library" and request.htmx and not outcome.error:
        # Said aloud after the swap; a full page shows the count in the library already.
        count = context["library"].paginator.count
        outcome.notice = ngettext("%(count)d clip matches.", "%(count)d clips match.", count) % {
            "count": count
        }
    return _render_builder(request, context, partial=partial)


def _save(
    request: HttpRequest,
    quiz: Quiz,
    rounds: list[Round],
    pool: QuerySet[Clip],
    filter_form: BuilderFilterForm,
    page_number: int | None,
) -> HttpResponse:
    details_form = QuizForm(request.POST)
    outcome = Outcome()
    if not details_form.is_valid():
        outcome = Outcome(error=_("Check the quiz's title and description."), status=422)
    else:
        try:
            with transaction.atomic():
                builder.quiz_update(quiz=quiz, **details_form.cleaned_data)
                builder.quiz_set_items(quiz=quiz, rounds=rounds, available=pool)
        except builder.QuizAnswered:
            quiz.refresh_from_db()
            return _render_locked(request, quiz, answered=True)
        except QuizEditRefused as refused:
            quiz.refresh_from_db()
            outcome = Outcome(error=str(refused), status=422)
    if outcome.error:
        context = _context(
            quiz,
            pool=pool,
            rounds=rounds,
            filter_form=filter_form,
            page_number=page_number,
            details_form=details_form,
            balanced_form=BalancedForm(prefix="balanced"),
            outcome=outcome,
        )
        return _render_builder(request, context)
    saved = ngettext("Saved: %(n)d round.", "Saved: %(n)d rounds.", len(rounds)) % {
        "n": len(rounds)
    }
    if not request.htmx:
        # Post/redirect/get: a reload must not post the draft again.
        messages.success(request, saved)
        url = reverse("build:quiz_edit", args=[quiz.slug]) + filter_form.query_string()
        return redirect(url)
    context = _context(
        quiz,
        pool=pool,
        rounds=_saved_rounds(quiz),
        filter_form=filter_form,
        page_number=page_number,
        details_form=QuizForm(initial={"title": quiz.title, "description": quiz.description}),
        balanced_form=BalancedForm(prefix="balanced"),
        outcome=Outcome(saved),
    )
    return _render_builder(request, context)


@teacher_required
@require_POST
def quiz_copy(request: HttpRequest, slug: str) -> HttpResponse:
    """Copy a quiz the teacher may see (their own or a public one) and open the copy."""
    quiz = _visible_quiz(request, slug)
    copy = builder.quiz_copy(teacher=request.user, quiz=quiz)
    messages.success(request, _("This is your copy. Change it as you like, then save."))
    return redirect_or_client_redirect(request, reverse("build:quiz_edit", args=[copy.slug]))
