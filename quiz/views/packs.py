"""Clip packs from the library pages: import a pack (staff), export the library's filtered
clips as a pack (everyone who may use the library), and follow each job as a worker runs it.

Who may do what, and why imports are for staff only, is quiz.services.packs' docstring. The
import page works in two ways, like the upload page: with JavaScript, static/js/pack_upload.js
sends the file with XMLHttpRequest (an upload progress bar) and the answer is JSON naming the
job's page; without it, the plain form posts and lands on the job's page. The job's page
shows the worker's stage and a progress bar, polled by htmx every second until the job is
done or failed (without JavaScript, a link reloads it); then the clips created, every
problem, or the download.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import library_required
from quiz.forms.packs import PackExportForm, PackImportForm
from quiz.media.files import clean_original_name, file_size_words
from quiz.models import Clip, PackJob
from quiz.responses import UploadSizeLimit, page_or_partial, wants_json, wants_partial
from quiz.selectors.library import filter_library, library_generators, library_uploaders
from quiz.selectors.packs import (
    JobProgress,
    export_file,
    job_created_clips,
    job_progress,
    may_import_packs,
    pack_jobs_for,
)
from quiz.services.packs import (
    PackRefused,
    pack_export_create,
    pack_import_create,
    pack_too_big_message,
    pack_upload_limit,
)

IMPORT_TEMPLATE = "quiz/packs/import.html"
JOB_TEMPLATE = "quiz/packs/job.html"
# The jobs listed on the import page.
RECENT_JOBS = 20
# What the file picker offers; the import decides by content whatever is chosen.
ACCEPT = ".zip,application/zip,application/x-zip-compressed"


def _own_job(request: HttpRequest, job_id: int) -> PackJob:
    """One of the user's own jobs; anyone else's is a 404 (whether or not it exists)."""
    return get_object_or_404(pack_jobs_for(request.user), pk=job_id)


# --- Import, and the list of jobs -----------------------------------------------------------


def _jobs_context(request: HttpRequest) -> dict[str, Any]:
    recent = list(pack_jobs_for(request.user)[:RECENT_JOBS])
    return {
        "jobs": [(job, job_progress(job)) for job in recent],
        "any_active": any(not job.is_finished for job in recent),
    }


def _render_import(
    request: HttpRequest, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    if request.method == "GET":
        # An htmx poll of the job list gets the list alone (the same URL, Vary: HX-Request).
        return page_or_partial(request, IMPORT_TEMPLATE, "jobs", _import_context(request))
    response = render(request, IMPORT_TEMPLATE, _import_context(request, errors), status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _import_context(request: HttpRequest, errors: list[str] | None = None) -> dict[str, Any]:
    limit = pack_upload_limit()
    return {
        "may_import": may_import_packs(request.user),
        "errors": errors or [],
        "max_bytes": limit,
        "max_size": file_size_words(limit),
        "accept": ACCEPT,
        **_jobs_context(request),
    }


@csrf_exempt  # checked by _pack_import, once the size limit is in place (see upload_page)
@library_required
@require_http_methods(["GET", "POST"])
def pack_import(request: HttpRequest) -> HttpResponse:
    """GET: the import form (staff) and the user's recent jobs. POST: a pack to import."""
    limit: UploadSizeLimit | None = None
    if request.method == "POST":
        if not may_import_packs(request.user):
            raise PermissionDenied
        # The CSRF check reads the body, so the size limit must be installed before it runs.
        limit = UploadSizeLimit(request, pack_upload_limit(), clean_original_name)
        request.upload_handlers.insert(0, limit)
    return _pack_import(request, limit)


@csrf_protect
def _pack_import(request: HttpRequest, limit: UploadSizeLimit | None) -> HttpResponse:
    if request.method != "POST":
        return _render_import(request)
    errors: list[str] = []
    job = None
    files = request.FILES  # parses the body: the size limit has had its say after this
    if limit is not None and limit.refused:
        errors.append(pack_too_big_message(limit.limit))
    else:
        form = PackImportForm(request.POST, files)
        if form.is_valid():
            job = pack_import_create(owner=request.user, upload=form.cleaned_data["file"])
        else:
            errors = [e["message"] for e in form.errors.get_json_data().get("file", [])]
    if job is None:
        if wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        return _render_import(request, errors=errors, status=400)
    url = reverse("library:pack_job", args=[job.pk])
    if wants_json(request):
        return JsonResponse({"job": job.pk, "job_url": url}, status=201)
    return redirect(url)


# --- Export --------------------------------------------------------------------------------


@library_required
@require_POST
def pack_export(request: HttpRequest) -> HttpResponse:
    """Export the ready clips the library's filters (in the query string, as on the library
    page) show the user; then follow the job on its page."""
    visible = Clip.objects.visible_to(request.user)
    form = PackExportForm(
        request.GET or None,
        generators=library_generators(visible),
        uploaders=library_uploaders(visible),
        user=request.user,
    )
    clips = filter_library(visible, **form.filters())
    try:
        job = pack_export_create(owner=request.user, clips=clips)
    except PackRefused as refusal:
        messages.error(request, str(refusal))
        query = form.query_string()
        return redirect(reverse("library:index") + (f"?{query}" if query else ""))
    return redirect("library:pack_job", job_id=job.pk)


# --- A job ----------------------------------------------------------------------------------


def _seen(job: PackJob) -> str:
    """What the page last told a screen reader: the status and stage, not the counts (a new
    count every second would drown everything else out)."""
    return f"{job.status}-{job.stage}" if job.stage else job.status


def _announcement(job: PackJob, progress: JobProgress) -> str:
    if job.status == PackJob.Status.DONE and job.kind == PackJob.Kind.IMPORT:
        return _("Import finished: %(created)d clips created, %(skipped)d already present.") % {
            "created": len(job.report.get("created", [])),
            "skipped": len(job.report.get("skipped", [])),
        }
    if job.status == PackJob.Status.DONE:
        return _("Export finished: the pack is ready to download.")
    if job.status == PackJob.Status.FAILED and job.kind == PackJob.Kind.IMPORT:
        return _("The pack was not imported; nothing changed. The problems are listed.")
    if job.status == PackJob.Status.FAILED:
        return _("The export failed. The problems are listed.")
    return progress.stage


def _job_context(request: HttpRequest, job: PackJob) -> dict[str, Any]:
    progress = job_progress(job)
    created = (
        job_created_clips(job, request.user)
        if job.kind == PackJob.Kind.IMPORT and job.status == PackJob.Status.DONE
        else []
    )
    created_count = len(job.report.get("created", []))
    return {
        "job": job,
        "progress": progress,
        "seen": _seen(job),
        "announce": _announcement(job, progress),
        "created": created,
        "created_count": created_count,
        "created_more": max(0, created_count - len(created)),
        "skipped_count": len(job.report.get("skipped", [])),
        "download": export_file(job) is not None,
    }


@library_required
@require_safe
def pack_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress, then its result. htmx polls the status region (with `seen`, what it
    last announced) and gets it alone, with an announcement when the stage changed."""
    job = _own_job(request, job_id)
    context = _job_context(request, job)
    if wants_partial(request):
        context["speak"] = request.GET.get("seen") != context["seen"]
    response = page_or_partial(request, JOB_TEMPLATE, "status", context)
    response["Cache-Control"] = "no-store"
    return response


@library_required
@require_safe
def pack_download(request: HttpRequest, job_id: int) -> FileResponse:
    """The written pack of the user's own finished export, as an attachment."""
    job = _own_job(request, job_id)
    path = export_file(job)
    if path is None:
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.result_name or "clip-pack.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
