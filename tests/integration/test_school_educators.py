"""Staff let an educator oversee another school in the admin; the educator then reads that
school's insights, and still no other."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import School, User

pytestmark = pytest.mark.django_db


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_add_an_educator_to_a_school_in_the_admin():
    home, other, third = (School.objects.create(name=n) for n in ("Home", "Other", "Third"))
    educator = User.objects.create_user("edu", password="x", role="educator", school=home)
    admin = User.objects.create_superuser("root", password="x")
    overview = reverse("insights:school_overview", args=[other.pk])
    educator_client = _signed_in(educator)
    assert educator_client.get(overview).status_code == 404

    change = reverse("admin:accounts_school_change", args=[other.pk])
    page = _signed_in(admin).get(change)
    assert page.status_code == 200 and 'name="educators"' in page.content.decode()
    response = _signed_in(admin).post(
        change,
        {"name": "Other", "time_zone": other.time_zone, "educators": [educator.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    assert educator_client.get(overview).status_code == 200
    assert (
        educator_client.get(reverse("insights:school_overview", args=[home.pk])).status_code == 200
    )
    third_overview = reverse("insights:school_overview", args=[third.pk])
    assert educator_client.get(third_overview).status_code == 404
