from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import throttle


def client_address(request: object) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and trusting it would let anyone dodge the throttle.
    return getattr(request, "META", {}).get("REMOTE_ADDR", "") or "unknown"


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-ins. Wait %(minutes)d minutes, then try again, or ask your "
            "teacher to reset your password."
        ),
    }

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        if throttle.is_blocked(username, address):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_THROTTLE_WINDOW // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, address)
            raise
        throttle.clear(username)
        return cleaned
