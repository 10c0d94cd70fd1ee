from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Classroom, School, User


@admin.register(User)
class SecondLookUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Second Look", {"fields": ("role", "school")}))
    list_display = ("username", "first_name", "last_name", "role", "school", "is_staff")
    list_filter = ("role", "school", "is_staff")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """Staff add the educators who oversee a school (besides those whose own school it is)."""

    list_display = ("name", "time_zone")
    search_fields = ("name",)
    filter_horizontal = ("educators",)


admin.site.register(Classroom)
