"""Uploading clips: the upload page, and the uploader's list of what became of each file.

The page works in two ways. With JavaScript, static/js/upload.js sends one request per file
(XMLHttpRequest, so each file gets an upload progress bar) and the answer is JSON. Without it,
the plain multipart form sends every file at once and lands on the status list. Either way
each file becomes a clip in state "processing" and the ingest task takes it from there; the
list shows its stage, polled by htmx while anything is processing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import upload_required
from quiz.forms.uploads import ClipUploadForm
from quiz.media.files import clean_original_name, duration_words, file_size_words
from quiz.models import Clip
from quiz.responses import UploadSizeLimit, bound_data, wants_json
from quiz.selectors.uploads import upload_list, upload_row, uploads_for
from quiz.services.uploads import (
    UploadLimits,
    UploadRefused,
    clip_upload_create,
    too_big_message,
)

UPLOAD_TEMPLATE = "quiz/uploads/upload.html"
STATUS_TEMPLATE = "quiz/uploads/status.html"
LIST_TEMPLATE = "quiz/uploads/_status_list.html"
CARD_TEMPLATE = "quiz/uploads/_upload_card.html"
CLIP_TEMPLATE = "quiz/uploads/clip.html"
# The list shows the newest uploads; older ones live in the clip library.
RECENT_UPLOADS = 30
# What the file picker offers; the ingest task decides by content whatever is chosen.
ACCEPT = "video/*,image/*,.mp4,.m4v,.mov,.webm,.mkv,.avif,.webp"


def _list_context(request: HttpRequest) -> dict[str, Any]:
    uploads = upload_list(request.user, limit=RECENT_UPLOADS)
    return {
        "rows": uploads.rows,
        "counts": uploads.counts,
        "any_processing": uploads.any_processing,
    }


def _limits_context() -> dict[str, Any]:
    limits = UploadLimits.from_settings()
    return {
        "limits": limits,
        "max_size": file_size_words(limits.max_bytes),
        "max_duration": duration_words(limits.max_seconds),
        "max_megapixels": f"{limits.max_image_pixels / 1e6:g}",
        "accept": ACCEPT,
    }


@csrf_exempt  # checked by _upload_page, once the size limit is in place (see upload_page)
@upload_required
@require_http_methods(["GET", "POST"])
def upload_page(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: one or more files with what the uploader says about them."""
    limit: UploadSizeLimit | None = None
    if request.method == "POST":
        # The CSRF check reads the body, so the size limit must be installed before it runs;
        # hence csrf_exempt here and csrf_protect on the function that does the work.
        limit = UploadSizeLimit(
            request, UploadLimits.from_settings().max_bytes, clean_original_name
        )
        request.upload_handlers.insert(0, limit)
    return _upload_page(request, limit)


@csrf_protect
def _upload_page(request: HttpRequest, limit: UploadSizeLimit | None) -> HttpResponse:
    form = ClipUploadForm(bound_data(request))
    if request.method != "POST":
        return _render_page(request, form)
    uploads = request.FILES.getlist("file")
    refused = [
        {"name": name, "message": too_big_message(limit.limit)}
        for name in (limit.refused if limit else [])
    ]
    if not uploads and not refused:
        # The page's file input is required, so this is a file lost on the way: Django drops
        # a part whose headers are not UTF-8 (a name in another encoding, from a script).
        form.add_error(
            None,
            _(
                "No file arrived with this upload. Choose a video or an image; if you did, "
                "rename the file using plain letters and digits and upload it again."
            ),
        )
    if not form.is_valid():
        if wants_json(request):
            errors = [e["message"] for field in form.errors.get_json_data().values() for e in field]
            return JsonResponse({"errors": errors}, status=400)
        return _render_page(request, form)

    created: list[Clip] = []
    for upload in uploads:
        try:
            created.append(
                clip_upload_create(uploader=request.user, upload=upload, **form.cleaned_data)
            )
        except UploadRefused as refusal:
            refused.append(
                {"name": clean_original_name(upload.name or ""), "message": str(refusal)}
            )

    if wants_json(request):
        return JsonResponse(
            {
                "clips": [
                    {
                        "id": clip.pk,
                        "name": clip.original_name,
                        "status_url": reverse("upload:clip_status", args=[clip.pk]),
                    }
                    for clip in created
                ],
                "errors": [f"{item['name']}: {item['message']}" for item in refused],
            },
            status=201 if created else 400,
        )
    if created:
        messages.success(
            request,
            _("%(count)d file(s) uploaded; they are being processed.") % {"count": len(created)},
        )
    for item in refused:
        messages.error(request, f"{item['name']}: {item['message']}")
    return redirect("upload:upload_status")


def _render_page(request: HttpRequest, form: ClipUploadForm) -> HttpResponse:
    context = {"form": form, **_limits_context(), **_list_context(request)}
    return render(request, UPLOAD_TEMPLATE, context)


@upload_required
@require_safe
def upload_status(request: HttpRequest) -> HttpResponse:
    """The uploader's recent clips with their stage; htmx polls the list while any is
    processing."""
    template = LIST_TEMPLATE if request.htmx else STATUS_TEMPLATE
    return render(request, template, _list_context(request))


@upload_required
@require_safe
def clip_status(request: HttpRequest, clip_id: int) -> HttpResponse:
    """One upload of the signed-in user (anyone else's is a 404); polled while processing."""
    clip = get_object_or_404(uploads_for(request.user), pk=clip_id)
    template = CARD_TEMPLATE if request.htmx else CLIP_TEMPLATE
    return render(request, template, {"row": upload_row(clip), "poll": True})
