"""System checks of the accounts settings (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

W_OPEN_SIGNUP = "accounts.W001"


@checks.register(checks.Tags.security, deploy=True)
def teacher_signup_open(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """TEACHER_SIGNUP=open makes anyone who signs up a verified teacher, who then reads every
    label and explanation of the library: a private install only."""
    if settings.TEACHER_SIGNUP != "open":
        return []
    return [
        checks.Warning(
            "TEACHER_SIGNUP is 'open': anyone can sign up as a teacher and read every answer "
            "of the clip library.",
            hint="Use TEACHER_SIGNUP=approval (the default) or invite on a public site.",
            id=W_OPEN_SIGNUP,
        )
    ]
