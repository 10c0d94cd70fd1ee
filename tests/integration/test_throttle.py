"""Sign-in and join-code throttling under concurrency, per (username, address) and per
address, behind trusted proxies, and a teacher's unlock (issue 11 §4)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services
from accounts.forms import client_address
from accounts.models import School, User

LOGIN = "/accounts/login/"


@pytest.fixture
def school(db):
    return School.objects.create(name="Hillside School")


@pytest.fixture
def teacher(school):
    return User.objects.create_user("teach", password="pw-teach", role="teacher", school=school)


@pytest.fixture
def classroom(teacher):
    return services.classroom_create(teacher=teacher, name="8B", grade="Year 8")


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def bump(self) -> int:
        with self._lock:
            self.count += 1
            return self.count


@pytest.fixture
def password_checks(monkeypatch) -> Counter:
    """Counts every password check (the auth backend's authenticate), thread-safely."""
    counter = Counter()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        counter.bump()
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return counter


def _in_threads(jobs: list[Callable[[], object]]) -> list[object]:
    """Run the jobs at once (a barrier), each thread with the test's cache namespace and its
    own database connection, closed at the end."""
    prefix = cache.key_prefix
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], object]) -> object:
        cache.key_prefix = prefix  # the cache object is per thread
        try:
            barrier.wait(timeout=30)
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _sign_in(username: str, password: str, **extra: str) -> Callable[[], tuple[int, bool, str]]:
    def job() -> tuple[int, bool, str]:
        client = Client(**extra)
        response = client.post(LOGIN, {"username": username, "password": password})
        return response.status_code, "_auth_user_id" in client.session, response.content.decode()

    return job


@pytest.mark.usefixtures("transactional_db")
def test_a_burst_of_wrong_passwords_checks_at_most_the_limit(student, password_checks, settings):
    assert settings.LOGIN_THROTTLE_ATTEMPTS == 5
    results = _in_threads([_sign_in("stu", f"wrong-{i}") for i in range(60)])
    assert password_checks.count <= 5
    assert not any(signed_in for _status, signed_in, _page in results)
    assert sum("Too many wrong passwords" in page for *_rest, page in results) >= 55


@pytest.mark.usefixtures("transactional_db")
def test_a_right_password_inside_the_burst_does_not_get_in(student, monkeypatch, settings):
    """The slots are all taken by wrong guesses still being checked when the right password
    arrives (the race the old read-then-write count lost): it is refused unchecked."""
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    checks = Counter()
    slots_taken, done = threading.Event(), threading.Event()
    original = ModelBackend.authenticate

    def held(self, request, username=None, password=None, **kwargs):
        if checks.bump() >= limit:
            slots_taken.set()
        done.wait(timeout=20)  # keep the checks in flight until the right password is tried
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", held)
    outcome: dict[str, tuple[int, bool, str]] = {}

    def right_password() -> None:
        try:
            slots_taken.wait(timeout=20)
            outcome["right"] = _sign_in("stu", "pw-stu")()
        finally:
            done.set()

    results = _in_threads([_sign_in("stu", f"wrong-{i}") for i in range(59)] + [right_password])
    assert checks.count <= limit
    _status, signed_in, page = outcome["right"]
    assert not signed_in
    assert "Too many wrong passwords. Wait 15 minutes or ask your teacher" in page
    assert not any(r and r[1] for r in results)


@pytest.mark.django_db
def test_made_up_usernames_do_not_lock_out_a_real_user_on_the_same_address(
    client, student, other_student, password_checks
):
    for name in ("aaa", "bbb", "ccc", "ddd", "eee"):
        client.post(LOGIN, {"username": name, "password": "guess"})
    # one pupil's typos lock that pupil only, not a classmate on the same address
    for _ in range(6):
        client.post(LOGIN, {"username": "other", "password": "typo"})
    assert password_checks.count == 10
    response = client.post(LOGIN, {"username": "stu", "password": "pw-stu"})
    assert response.status_code == 302
    locked = Client().post(LOGIN, {"username": "other", "password": "pw-other"})
    assert "Too many wrong passwords" in locked.content.decode()


@pytest.mark.django_db
def test_an_address_is_locked_at_its_own_higher_limit(client, student, settings):
    settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 8
    for i in range(8):
        client.post(LOGIN, {"username": f"made-up-{i}", "password": "guess"})
    response = client.post(LOGIN, {"username": "stu", "password": "pw-stu"})
    assert "Too many wrong passwords" in response.content.decode()
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert elsewhere.post(LOGIN, {"username": "stu", "password": "pw-stu"}).status_code == 302


@pytest.mark.django_db
def test_successful_sign_ins_do_not_use_up_the_address(client, student, settings):
    settings.LOGIN_THROTTLE_ADDRESS_ATTEMPTS = 3
    for _ in range(6):
        assert Client().post(LOGIN, {"username": "stu", "password": "pw-stu"}).status_code == 302


def test_x_forwarded_for_needs_a_trusted_proxy(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"  # what our proxy appended
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_address(request) == "10.0.0.1"  # fewer entries than proxies: trust none
    bare = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert client_address(bare) == "10.0.0.1"


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_sign_in_throttle_uses_the_forwarded_address_only_behind_a_proxy(
    student, settings, proxies
):
    settings.TRUSTED_PROXY_COUNT = proxies
    for i in range(5):
        Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.1").post(
            LOGIN, {"username": "stu", "password": "nope"}
        )
    # the same pupil from another school's address
    other = Client(HTTP_X_FORWARDED_FOR="203.0.113.99")
    response = other.post(LOGIN, {"username": "stu", "password": "pw-stu"})
    if proxies:
        assert response.status_code == 302
    else:  # a forged header does not dodge the lock
        assert "Too many wrong passwords" in response.content.decode()


@pytest.mark.usefixtures("transactional_db")
def test_concurrent_join_code_guesses_check_at_most_the_limit(classroom, student, monkeypatch):
    checks = Counter()
    original = services.classroom_join

    def counting(**kwargs):
        checks.bump()
        return original(**kwargs)

    monkeypatch.setattr(services, "classroom_join", counting)
    clients = []
    for _ in range(30):
        client = Client()
        client.force_login(student)
        clients.append(client)

    def guess(client: Client, code: str) -> Callable[[], str]:
        return lambda: client.post(
            reverse("accounts:join"), {"code": code}, follow=True
        ).content.decode()

    pages = _in_threads([guess(c, f"ZZZZZ{i:02d}") for i, c in enumerate(clients)])
    assert checks.count <= 10
    assert sum("Too many wrong codes" in page for page in pages) >= 20
    # still locked for the right code
    page = clients[0].post(reverse("accounts:join"), {"code": classroom.join_code}, follow=True)
    assert "Too many wrong codes" in page.content.decode()
    assert checks.count <= 10
    assert not classroom.students.exists()


@pytest.mark.django_db
def test_a_teacher_unlocks_their_student(classroom, student, teacher, school):
    classroom.students.add(student)
    for _ in range(5):
        Client().post(LOGIN, {"username": "stu", "password": "nope"})
    locked = Client().post(LOGIN, {"username": "stu", "password": "pw-stu"})
    assert "Too many wrong passwords" in locked.content.decode()

    url = reverse("accounts:student_unlock", args=[classroom.pk, student.pk])
    teacher_client = Client()
    teacher_client.force_login(teacher)
    page = teacher_client.get(reverse("accounts:classroom_detail", args=[classroom.pk]))
    assert url in page.content.decode()
    assert teacher_client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)
    assert strict.post(url).status_code == 403

    response = teacher_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "accounts:classroom_detail", args=[classroom.pk]
    )
    assert "can sign in again now" in response.content.decode()
    assert Client().post(LOGIN, {"username": "stu", "password": "pw-stu"}).status_code == 302


@pytest.mark.django_db
def test_a_teacher_cannot_unlock_another_teachers_student(classroom, student, school):
    classroom.students.add(student)
    other = User.objects.create_user("other-t", password="x", role="teacher", school=school)
    own = services.classroom_create(teacher=other, name="9C")
    client = Client()
    client.force_login(other)
    for classroom_id in (classroom.pk, own.pk):
        url = reverse("accounts:student_unlock", args=[classroom_id, student.pk])
        assert client.post(url).status_code == 404
    student_client = Client()
    student_client.force_login(student)
    url = reverse("accounts:student_unlock", args=[classroom.pk, student.pk])
    assert student_client.post(url).status_code in {302, 403}
