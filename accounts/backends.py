"""Signing in with a username and password, as Django's own backend does."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class UserWithSchoolBackend(ModelBackend):
    """Django's ModelBackend, whose signed-in user comes with their school in the same
    query: every signed-in page reads the school (its time zone and language,
    accounts.middleware), which would otherwise cost each request a query of its own.

    Django's ModelBackend is listed after it (settings) only so that sessions it signed in
    before stay signed in: a password this backend refuses is refused for good, not checked
    (and hashed) a second time there."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: object,
    ) -> AbstractBaseUser | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # stops Django trying the next backend
        return user

    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        users = get_user_model()._default_manager.select_related("school")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


PATH = f"{UserWithSchoolBackend.__module__}.{UserWithSchoolBackend.__qualname__}"
