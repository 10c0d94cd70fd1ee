from __future__ import annotations

from django.contrib import admin

from quiz.models import Artifact, Attempt, Clip, Quiz, QuizItem


class ArtifactInline(admin.TabularInline):
    model = Artifact
    extra = 0


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ("__str__", "media_kind", "is_generated", "generator", "status")
    list_filter = ("media_kind", "is_generated", "status")
    search_fields = ("key", "generator", "prompt", "credit")
    inlines = [ArtifactInline]


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "is_public")
    inlines = [QuizItemInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("user", "quiz", "started_at", "finished_at")
