from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Classroom, School, User


@admin.register(User)
class SecondLookUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Second Look", {"fields": ("role", "school")}))
    list_display = ("username", "first_name", "last_name", "role", "school", "is_staff")
    list_filter = ("role", "school", "is_staff")


admin.site.register(School)
admin.site.register(Classroom)
