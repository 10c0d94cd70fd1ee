"""Staff let an educator oversee another school in the admin; the educator then reads that
school's insights, and still no other."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import School, User
from tests import spot_answers

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


def _practise(school: School, prefix: str, count: int, quiz) -> None:
    """`count` students of the school play two rounds of free practice."""
    from quiz.selectors.play import attempt_rounds
    from quiz.services.play import answer_submit, attempt_start

    for n in range(count):
        student = User.objects.create_user(
            f"{prefix}-{n}", password="x", role="student", school=school
        )
        attempt = attempt_start(user=student, quiz=quiz)
        # Rounds whose answers enter the overview (spot rounds' count apart, METRICS.md).
        for shown in [s for s in attempt_rounds(attempt) if not s.item.is_spot][:2]:
            answer_submit(
                attempt=attempt,
                item=shown.item,
                confidence=80,
                **spot_answers.submit_kwargs(shown.item, shown.correct_option()),
            )


def _everyone(client: Client, school: School) -> dict:
    import json

    url = reverse("insights:school_overview_json", args=[school.pk])
    rows = json.loads(client.get(url).content)["rows"]
    return next(r for r in rows if r["scope"] == "all")


def test_everyone_is_hidden_when_few_students_answered_outside_the_schools_overseen(demo_pack):
    """Everyone minus the schools an educator oversees is the rest of the site: shown only
    when at least five students answered there."""
    from quiz.stats import aggregation

    home, other, third = (School.objects.create(name=n) for n in ("Home", "Other", "Third"))
    _practise(home, "h", 6, demo_pack)
    _practise(other, "o", 5, demo_pack)
    _practise(third, "t", 4, demo_pack)
    aggregation.fold_all()
    both = User.objects.create_user("edu-both", password="x", role="educator", school=home)
    other.educators.add(both)
    one = User.objects.create_user("edu-one", password="x", role="educator", school=home)

    # Outside Home and Other: the four of Third. Hidden, on both schools' pages.
    for school in (home, other):
        row = _everyone(_signed_in(both), school)
        assert row["suppressed"] is True and row["students"] is None
    # Outside Home only: Other and Third, nine students. Shown.
    row = _everyone(_signed_in(one), home)
    assert row["suppressed"] is False and row["students"] == 15
