"""The clip library: browse and filter clips, a clip's page with its provenance and artifacts,
annotating artifacts (create, edit, delete) and retiring clips.

Every page works without JavaScript (GET forms, POST and redirect); htmx swaps only the region
that changed: the results list on the index, the artifact list, the overlay and the editor on
a clip's page. Who may do what lives in Clip.objects.visible_to and
quiz.selectors.library_selectors.clip_editable_by: library pages are for staff, teachers
and educators (others 403); a clip the user may not see is a 404; a clip they may see but not
change (the shared library for teachers, everything for educators) answers writes with 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap, retarget

from accounts.decorators import library_required
from quiz import categories
from quiz.forms.library import ArtifactForm, LibraryFilterForm
from quiz.models import Artifact, Clip
from quiz.responses import page_or_partial
from quiz.selectors import library as library_selectors
from quiz.services import library as library_services
from quiz.services.library import ArtifactRefused

INDEX_TEMPLATE = "quiz/library/index.html"
DETAIL_TEMPLATE = "quiz/library/clip_detail.html"
PAGE_SIZE = 24


def _visible_clip(request: HttpRequest, clip_id: int) -> Clip:
    """A clip the user may see; any other is a 404 (whether or not it exists)."""
    return get_object_or_404(
        Clip.objects.visible_to(request.user).select_related("uploaded_by", "school"),
        pk=clip_id,
    )


def _editable_clip(request: HttpRequest, clip_id: int) -> Clip:
    """A clip the user may annotate: not visible is a 404, visible but not theirs a 403."""
    clip = _visible_clip(request, clip_id)
    if not library_selectors.clip_editable_by(request.user, clip):
        raise PermissionDenied
    return clip


# --- The library --------------------------------------------------------------------------


@library_required
@require_safe
def library_index(request: HttpRequest) -> HttpResponse:
    visible = Clip.objects.visible_to(request.user)
    form = LibraryFilterForm(
        request.GET or None,
        generators=library_selectors.library_generators(visible),
        uploaders=library_selectors.library_uploaders(visible),
        user=request.user,
    )
    clips = library_selectors.for_library_list(
        library_selectors.filter_library(visible, **form.filters())
    )
    page = Paginator(clips, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    library_selectors.attach_category_list(page.object_list)
    context = {"form": form, "page": page, "query": form.query_string()}
    return page_or_partial(request, INDEX_TEMPLATE, "results", context)


def _detail_context(
    request: HttpRequest,
    clip: Clip,
    *,
    form: ArtifactForm | None = None,
    editing: Artifact | None = None,
    **extra: Any,
) -> dict[str, Any]:
    can_edit = library_selectors.clip_editable_by(request.user, clip)
    if can_edit and form is None:
        form = ArtifactForm.for_artifact(editing) if editing else ArtifactForm()
    return {
        "clip": clip,
        "artifacts": list(clip.artifacts.all()),
        "can_edit": can_edit,
        "form": form,
        "box_fields": [form[name] for name in ("x", "y", "w", "h")] if form else [],
        "time_fields": [form["start_s"], form["end_s"]] if form else [],
        "editing": editing,
        "tells": categories.TELLS,
        "decoys": categories.DECOYS,
        **extra,
    }


@library_required
@require_safe
def clip_detail(request: HttpRequest, clip_id: int) -> HttpResponse:
    """A clip's details and artifacts; for editors also the annotation editor, filled with
    an artifact's values when `?edit=<artifact id>` (htmx then swaps only the editor)."""
    clip = _visible_clip(request, clip_id)
    editing = None
    wanted = request.GET.get("edit", "")
    if wanted and library_selectors.clip_editable_by(request.user, clip):
        # ASCII digits only: "²".isdigit() is true, and int() refuses it.
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
            return HttpResponseBadRequest()
        editing = get_object_or_404(clip.artifacts, pk=int(wanted))
    context = _detail_context(request, clip, editing=editing)
    if "edit" in request.GET and context["can_edit"]:
        return page_or_partial(request, DETAIL_TEMPLATE, "editor_response", context)
    return page_or_partial(request, DETAIL_TEMPLATE, None, context)


def _refused(
    request: HttpRequest, clip: Clip, form: ArtifactForm, editing: Artifact | None
) -> HttpResponse:
    """The editor again with its errors: alone for htmx, else the whole page."""
    context = _detail_context(request, clip, form=form, editing=editing, refused=True)
    if request.htmx:
        response = render(request, f"{DETAIL_TEMPLATE}#editor_response", context, status=422)
        # The form targets the artifact list; an error belongs in the editor instead.
        return reswap(retarget(response, "#editor"), "outerHTML")
    return render(request, DETAIL_TEMPLATE, context, status=422)


def _written(
    request: HttpRequest, clip: Clip, notice: str, *, saved: Artifact | None = None
) -> HttpResponse:
    """After a write: the artifact list, overlay, a fresh editor and the spoken notice for
    htmx; otherwise back to the clip's page (POST, redirect, GET)."""
    if request.htmx:
        context = _detail_context(request, clip, notice=notice, saved=saved)
        return render(request, f"{DETAIL_TEMPLATE}#after_write", context)
    messages.success(request, notice)
    url = reverse("library:clip_detail", args=[clip.pk])
    return redirect(f"{url}#artifact-{saved.pk}" if saved else f"{url}#artifacts")


@library_required
@require_POST
def artifact_create(request: HttpRequest, clip_id: int) -> HttpResponse:
    clip = _editable_clip(request, clip_id)
    form = ArtifactForm(request.POST)
    if form.is_valid():
        try:
            artifact = library_services.artifact_create(clip=clip, **form.values())
        except ArtifactRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            return _written(request, clip, _("Artifact saved."), saved=artifact)
    return _refused(request, clip, form, None)


@library_required
@require_POST
def artifact_edit(request: HttpRequest, clip_id: int, artifact_id: int) -> HttpResponse:
    clip = _editable_clip(request, clip_id)
    artifact = get_object_or_404(clip.artifacts, pk=artifact_id)
    form = ArtifactForm(request.POST)
    if form.is_valid():
        try:
            artifact = library_services.artifact_update(
                clip=clip, artifact=artifact, **form.values()
            )
        except ArtifactRefused as refused:
            form.add_error(refused.field, refused.message)
        else:
            return _written(request, clip, _("Artifact saved."), saved=artifact)
    return _refused(request, clip, form, artifact)


@library_required
@require_POST
def artifact_delete(request: HttpRequest, clip_id: int, artifact_id: int) -> HttpResponse:
    clip = _editable_clip(request, clip_id)
    artifact = get_object_or_404(clip.artifacts, pk=artifact_id)
    library_services.artifact_delete(clip=clip, artifact=artifact)
    return _written(request, clip, _("Artifact deleted."))


@library_required
@require_POST
def clip_keep_for_tests(request: HttpRequest, clip_id: int) -> HttpResponse:
    """`kept=1` keeps the clip for tests, `kept=0` gives it back to the learning modes."""
    clip = _editable_clip(request, clip_id)
    wanted = request.POST.get("kept")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest()
    library_services.clip_keep_for_tests(clip=clip, kept=wanted == "1")
    if clip.kept_for_tests:
        messages.success(
            request,
            _("Kept for tests: lessons, practice and feeds no longer show this clip."),
        )
    else:
        messages.success(request, _("Lessons, practice and feeds may show this clip again."))
    return redirect("library:clip_detail", clip_id=clip.pk)


@library_required
@require_POST
def clip_retire(request: HttpRequest, clip_id: int) -> HttpResponse:
    """`retired=1` retires the clip, `retired=0` brings it back."""
    clip = _editable_clip(request, clip_id)
    wanted = request.POST.get("retired")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest()
    library_services.clip_retire(clip=clip, retired=wanted == "1")
    if clip.retired_at:
        messages.success(
            request, _("Clip retired: new quizzes leave it out; past results still show it.")
        )
    else:
        messages.success(request, _("Clip back in use: new quizzes may pick it again."))
    return redirect("library:clip_detail", clip_id=clip.pk)
