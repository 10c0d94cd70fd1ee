"""The clip library: browse and filter clips, a clip's page with its provenance and artifacts,
annotating artifacts (create, edit, delete) and retiring clips.

Every page works without JavaScript (GET forms, POST and redirect); htmx swaps only the region
that changed: the results list on the index, the artifact list, the overlay and the editor on
a clip's page. Who may do what lives in quiz.library: library pages are for staff, teachers
and educators (others 403); a clip the user may not see is a 404; a clip they may see but not
change (the shared library for teachers, everything for educators) answers writes with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from quiz import categories, library
from quiz.forms import ClipFilterForm
from quiz.library import ArtifactRefused
from quiz.models import Artifact, Clip

INDEX_TEMPLATE = "quiz/library/index.html"
DETAIL_TEMPLATE = "quiz/library/clip_detail.html"
PAGE_SIZE = 24


def library_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff, teachers and educators; students get 403, strangers the sign-in page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not library.may_use_library(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _visible_clip(request: HttpRequest, clip_id: int) -> Clip:
    """A clip the user may see; any other is a 404 (whether or not it exists)."""
    return get_object_or_404(
        library.clips_visible_to(request.user).select_related("uploaded_by", "school"),
        pk=clip_id,
    )


def _editable_clip(request: HttpRequest, clip_id: int) -> Clip:
    """A clip the user may annotate: not visible is a 404, visible but not theirs a 403."""
    clip = _visible_clip(request, clip_id)
    if not library.clip_editable_by(request.user, clip):
        raise PermissionDenied
    return clip


# --- Forms (they read and convert; quiz.library decides what is valid) ---------------------


class LibraryFilterForm(ClipFilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any status")),
            ("ready", gettext_lazy("Ready (in use)")),
            ("retired", gettext_lazy("Retired")),
            ("processing", gettext_lazy("Processing")),
            ("failed", gettext_lazy("Failed")),
        ],
    )
    uploader = forms.ChoiceField(label=gettext_lazy("Uploaded by"), required=False)
    unannotated = forms.BooleanField(
        label=gettext_lazy("Only clips without annotated artifacts"), required=False
    )

    def __init__(
        self, *args: Any, generators: list[str], uploaders: list[User], user: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, generators=generators, **kwargs)
        self.fields["uploader"].choices = [
            ("", _("Anyone")),
            (library.SHARED, _("Shared library")),
            *((str(u.pk), _("You") if u.pk == user.pk else u.display_name) for u in uploaders),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for library.filter_library from the valid fields (an invalid
        field is shown with its error and does not filter)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        found: dict[str, Any] = {
            name: data[name]
            for name in ("label", "generator", "media_kind", "category", "status", "uploader")
            if data.get(name)
        }
        if data.get("unannotated"):
            found["unannotated_only"] = True
        return found

    def query_string(self) -> str:
        """The valid filters as URL parameters, for the pagination links."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return urlencode({k: ("1" if v is True else v) for k, v in self.cleaned_data.items() if v})


def _category_choices() -> list[tuple[Any, Any]]:
    return [
        ("", gettext_lazy("Choose a category")),
        (gettext_lazy("Tells"), [(c.code, c.name) for c in categories.TELLS]),
        (gettext_lazy("Decoys"), [(c.code, c.name) for c in categories.DECOYS]),
    ]


def _percent(label: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "100"}),
        error_messages={"required": gettext_lazy("Draw the region or type its value.")},
    )


class ArtifactForm(forms.Form):
    """An artifact as the editor sends it: the region in percent of the frame, times in
    seconds. Fractions and every rule are quiz.library's business."""

    x = _percent(gettext_lazy("Left (%)"))
    y = _percent(gettext_lazy("Top (%)"))
    w = _percent(gettext_lazy("Width (%)"))
    h = _percent(gettext_lazy("Height (%)"))
    start_s = forms.FloatField(label=gettext_lazy("Start (s)"), required=False)
    end_s = forms.FloatField(label=gettext_lazy("End (s)"), required=False)
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=_category_choices,
        error_messages={"required": gettext_lazy("Choose a category from the list.")},
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": library.EXPLANATION_MAX}),
        help_text=gettext_lazy("What the learner should see here, in a sentence or two."),
    )

    @classmethod
    def for_artifact(cls, artifact: Artifact) -> ArtifactForm:
        box = artifact.box_percent
        return cls(
            initial={
                "x": box["x"],
                "y": box["y"],
                "w": box["w"],
                "h": box["h"],
                "start_s": artifact.start_s,
                "end_s": artifact.end_s,
                "category": artifact.category,
                "explanation": artifact.explanation,
            }
        )

    def values(self) -> dict[str, Any]:
        """Keyword arguments for library.artifact_create / artifact_update."""
        data = self.cleaned_data
        return {
            "category": data["category"],
            "box": tuple(data[name] / 100 for name in ("x", "y", "w", "h")),
            "start_s": data["start_s"],
            "end_s": data["end_s"],
            "explanation": data["explanation"],
        }


# --- The library --------------------------------------------------------------------------


def _wants_partial(request: HttpRequest) -> bool:
    # A history restore asks for the whole page even though htmx sends it.
    return bool(request.htmx) and not request.htmx.history_restore_request


@library_required
@require_safe
def library_index(request: HttpRequest) -> HttpResponse:
    visible = library.clips_visible_to(request.user)
    form = LibraryFilterForm(
        request.GET or None,
        generators=library.library_generators(visible),
        uploaders=library.library_uploaders(visible),
        user=request.user,
    )
    clips = library.for_library_list(library.filter_library(visible, **form.filters()))
    page = Paginator(clips, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    library.attach_category_list(page.object_list)
    context = {"form": form, "page": page, "query": form.query_string()}
    template = f"{INDEX_TEMPLATE}#results" if _wants_partial(request) else INDEX_TEMPLATE
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_context(
    request: HttpRequest,
    clip: Clip,
    *,
    form: ArtifactForm | None = None,
    editing: Artifact | None = None,
    **extra: Any,
) -> dict[str, Any]:
    can_edit = library.clip_editable_by(request.user, clip)
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
    if wanted and library.clip_editable_by(request.user, clip):
        if not wanted.isdigit():
            return HttpResponseBadRequest()
        editing = get_object_or_404(clip.artifacts, pk=int(wanted))
    context = _detail_context(request, clip, editing=editing)
    if _wants_partial(request) and "edit" in request.GET and context["can_edit"]:
        response = render(request, f"{DETAIL_TEMPLATE}#editor_response", context)
    else:
        response = render(request, DETAIL_TEMPLATE, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _refused(
    request: HttpRequest, clip: Clip, form: ArtifactForm, editing: Artifact | None
) -> HttpResponse:
    """The editor again with its errors: alone for htmx, else the whole page."""
    context = _detail_context(request, clip, form=form, editing=editing, refused=True)
    if request.htmx:
        response = render(request, f"{DETAIL_TEMPLATE}#editor_response", context, status=422)
        # The form targets the artifact list; an error belongs in the editor instead.
        response["HX-Retarget"] = "#editor"
        response["HX-Reswap"] = "outerHTML"
        return response
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
            artifact = library.artifact_create(clip=clip, **form.values())
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
            artifact = library.artifact_update(clip=clip, artifact=artifact, **form.values())
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
    library.artifact_delete(clip=clip, artifact=artifact)
    return _written(request, clip, _("Artifact deleted."))


@library_required
@require_POST
def clip_retire(request: HttpRequest, clip_id: int) -> HttpResponse:
    """`retired=1` retires the clip, `retired=0` brings it back."""
    clip = _editable_clip(request, clip_id)
    wanted = request.POST.get("retired")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest()
    library.clip_retire(clip=clip, retired=wanted == "1")
    if clip.retired_at:
        messages.success(
            request, _("Clip retired: new quizzes leave it out; past results still show it.")
        )
    else:
        messages.success(request, _("Clip back in use: new quizzes may pick it again."))
    return redirect("library:clip_detail", clip_id=clip.pk)
