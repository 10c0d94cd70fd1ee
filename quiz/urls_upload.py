"""Uploading clips, meant to be included under "library/upload/"."""

from __future__ import annotations

from django.urls import path

from quiz.views import upload

app_name = "upload"

urlpatterns = [
    path("", upload.upload_page, name="upload_page"),
    path("status/", upload.upload_status, name="upload_status"),
    path("status/<int:clip_id>/", upload.clip_status, name="clip_status"),
]
