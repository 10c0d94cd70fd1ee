"""The clip library, included by the site under "library/"."""

from __future__ import annotations

from django.urls import path

from quiz.views import library, packs

app_name = "library"

urlpatterns = [
    path("", library.library_index, name="index"),
    path("clips/<int:clip_id>/", library.clip_detail, name="clip_detail"),
    path("clips/<int:clip_id>/retire/", library.clip_retire, name="clip_retire"),
    path("clips/<int:clip_id>/artifacts/", library.artifact_create, name="artifact_create"),
    path(
        "clips/<int:clip_id>/artifacts/<int:artifact_id>/",
        library.artifact_edit,
        name="artifact_edit",
    ),
    path(
        "clips/<int:clip_id>/artifacts/<int:artifact_id>/delete/",
        library.artifact_delete,
        name="artifact_delete",
    ),
    path("packs/import/", packs.pack_import, name="pack_import"),
    path("packs/export/", packs.pack_export, name="pack_export"),
    path("packs/jobs/<int:job_id>/", packs.pack_job, name="pack_job"),
    path("packs/jobs/<int:job_id>/download/", packs.pack_download, name="pack_download"),
]
