from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import TIME_ZONE_UNKNOWN, Classroom, School, User


@admin.register(User)
class SecondLookUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Second Look",
            {
                "fields": (
                    "role",
                    "school",
                    "school_admin",
                    "verified_at",
                    "verified_by",
                    "pending_classroom",
                )
            },
        ),
    )
    raw_id_fields = ("verified_by", "pending_classroom")
    list_display = (
        "username", "first_name", "last_name", "role", "school", "school_admin", "verified_at",
        "is_staff",
    )  # fmt: skip
    list_filter = ("role", "school_admin", "school", "is_staff")


class SchoolAdminForm(forms.ModelForm):
    """The time zone is a select of IANA names. A school whose stored name is unknown (from
    before names were checked) starts on an empty choice, never silently on the first zone."""

    class Meta:
        model = School
        fields = ("name", "time_zone", "educators")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("time_zone")
        if field is None:
            return
        field.error_messages["invalid_choice"] = TIME_ZONE_UNKNOWN
        stored = self.instance.time_zone if self.instance.pk else None
        if stored and stored not in {zone for zone, _ in field.choices}:
            field.choices = [("", f"Unknown time zone “{stored}”: choose one"), *field.choices]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """Staff add the educators who oversee a school (besides those whose own school it is)."""

    form = SchoolAdminForm
    list_display = ("name", "time_zone")
    search_fields = ("name",)
    filter_horizontal = ("educators",)


admin.site.register(Classroom)
