"""The teacher's quiz builder: creating, editing, balancing and copying quizzes, the library's
filters, who may do what, and hostile input (none of it may cause a 500 or save anything)."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from quiz.models import Clip, Quiz
from quiz.packs.format import source_family
from quiz.selectors import builder as builder_selectors
from quiz.selectors.play import attempt_next_round
from quiz.services import builder
from quiz.services import play as services
from quiz.stats import aggregation

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
DRAFT_FIELD = re.compile(r'name="(round-\d+-(?:kind|clip|other))" value="([^"]*)"')


@pytest.fixture
def other_teacher(db):
    return User.objects.create_user("other-t", password="x", role="teacher")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def teacher_client(teacher):
    return _client_for(teacher)


@pytest.fixture
def quiz(teacher):
    return builder.quiz_create(teacher=teacher, title="Week 1: street scenes")


def _clip(key: str) -> Clip:
    return Clip.objects.get(key=key)


@pytest.fixture
def clips(demo_pack) -> dict[str, Clip]:
    """Demo clips by role: generated and real videos, a generated and a real image."""
    return {
        "fake_video": _clip("demo-van-melts"),
        "fake_video_2": _clip("demo-coins-count-changes"),
        "real_video": _clip("demo-railing-pavement"),
        "real_video_2": _clip("demo-espresso-push-in"),
        "fake_image": _clip("demo-cat-third-eye"),
        "real_image": _clip("demo-cat-closeup"),
    }


def _edit_url(quiz: Quiz) -> str:
    return reverse("build:quiz_edit", args=[quiz.slug])


def _draft(rounds) -> dict[str, str]:
    data = {}
    for number, (kind, clip, other) in enumerate(rounds, start=1):
        data[f"round-{number}-kind"] = kind
        data[f"round-{number}-clip"] = str(clip)
        data[f"round-{number}-other"] = "" if other is None else str(other)
    return data


def _draft_in(html: str) -> list[tuple[str, int, int | None]]:
    """The draft the page carries in its hidden inputs."""
    fields = dict(DRAFT_FIELD.findall(html))
    rounds = []
    number = 1
    while f"round-{number}-kind" in fields:
        other = fields[f"round-{number}-other"]
        rounds.append(
            (
                fields[f"round-{number}-kind"],
                int(fields[f"round-{number}-clip"]),
                int(other) if other else None,
            )
        )
        number += 1
    return rounds


def _post(client, quiz, action, rounds=(), headers=None, **extra):
    data = {"action": action, "title": quiz.title, **_draft(rounds), **extra}
    return client.post(_edit_url(quiz), data, headers=headers or {})


def _saved(quiz: Quiz) -> list[tuple[str, int, int | None]]:
    return [(i.kind, i.clip_id, i.other_clip_id) for i in quiz.items.order_by("position")]


def _answer_one_round(quiz: Quiz, student: User) -> None:
    attempt = services.attempt_start(user=student, quiz=quiz)
    shown = attempt_next_round(attempt)
    services.answer_submit(
        attempt=attempt, item=shown.item, guess=shown.correct_option(), confidence=80
    )


# --- Creating and editing -------------------------------------------------------------------


def test_teacher_creates_a_quiz_and_lands_on_its_builder(teacher_client, teacher, demo_pack):
    response = teacher_client.post(
        reverse("build:quiz_new"), {"title": "Week 1", "description": "Street scenes"}
    )
    quiz = Quiz.objects.get(title="Week 1")
    assert response.status_code == 302 and response.url == _edit_url(quiz)
    assert quiz.created_by == teacher and not quiz.is_public
    assert re.fullmatch(r"week-1-[0-9a-f]{6}", quiz.slug)
    html = teacher_client.get(response.url).content.decode()
    assert "Clip library" in html and "No rounds yet" in html


def test_equal_titles_get_different_slugs_and_odd_titles_a_plain_one(teacher):
    a = builder.quiz_create(teacher=teacher, title="Same")
    b = builder.quiz_create(teacher=teacher, title="Same")
    odd = builder.quiz_create(teacher=teacher, title="😀 ✨")
    assert a.slug != b.slug
    assert re.fullmatch(r"quiz-[0-9a-f]{6}", odd.slug)


@pytest.mark.parametrize(
    "data", [{}, {"title": ""}, {"title": "   "}, {"title": "x" * 10000}], ids=repr
)
def test_a_new_quiz_needs_a_title_of_at_most_200_characters(teacher_client, data):
    response = teacher_client.post(reverse("build:quiz_new"), data)
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert not Quiz.objects.exists()


def test_service_refuses_blank_and_overlong_titles(teacher):
    for title in ("", "  \n ", "x" * 201):
        with pytest.raises(builder.QuizEditRefused):
            builder.quiz_create(teacher=teacher, title=title)
    assert not Quiz.objects.exists()


def test_markup_in_titles_is_shown_escaped(teacher_client, teacher, demo_pack):
    quiz = builder.quiz_create(teacher=teacher, title='<script>alert("x")</script><b>bold</b>')
    for url in (reverse("build:quiz_index"), _edit_url(quiz)):
        html = teacher_client.get(url).content.decode()
        assert "<script>alert" not in html and "<b>bold</b>" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_adding_clips_builds_a_draft_that_save_stores_in_order(teacher_client, quiz, clips):
    first, second = clips["fake_video"], clips["real_image"]
    response = _post(teacher_client, quiz, f"add:{first.pk}")
    assert response.status_code == 200
    draft = _draft_in(response.content.decode())
    assert draft == [("single", first.pk, None)]
    response = _post(teacher_client, quiz, f"add:{second.pk}", draft)
    draft = _draft_in(response.content.decode())
    assert draft == [("single", first.pk, None), ("single", second.pk, None)]
    assert not quiz.items.exists()  # a draft until saved

    response = _post(teacher_client, quiz, "save", draft, title="Week 1, revised")
    assert response.status_code == 302 and response.url == _edit_url(quiz)
    assert _saved(quiz) == draft
    quiz.refresh_from_db()
    assert quiz.title == "Week 1, revised"
    html = teacher_client.get(response.url).content.decode()
    assert "Saved: 2 rounds." in html
    assert _draft_in(html) == draft


def test_a_clip_already_in_the_draft_is_marked_and_not_added_twice(teacher_client, quiz, clips):
    clip = clips["real_video"]
    draft = [("single", clip.pk, None)]
    html = _post(teacher_client, quiz, "refresh", draft).content.decode()
    assert re.search(rf'id="add-{clip.pk}"[^>]*aria-disabled="true"[^>]*>In round 1', html)
    response = _post(teacher_client, quiz, f"add:{clip.pk}", draft)
    assert response.status_code == 422
    assert "already in round 1" in response.content.decode()
    assert _draft_in(response.content.decode()) == draft


def test_moving_and_removing_rounds_changes_the_draft_only(teacher_client, quiz, clips):
    a, b, c = clips["fake_video"], clips["real_video"], clips["fake_image"]
    builder.quiz_set_items(
        quiz=quiz, rounds=[("single", a.pk, None), ("single", b.pk, None), ("single", c.pk, None)]
    )
    saved = _saved(quiz)
    moved = _draft_in(_post(teacher_client, quiz, "up:3", saved).content.decode())
    assert [r[1] for r in moved] == [a.pk, c.pk, b.pk]
    moved = _draft_in(_post(teacher_client, quiz, "down:1", moved).content.decode())
    assert [r[1] for r in moved] == [c.pk, a.pk, b.pk]
    removed = _draft_in(_post(teacher_client, quiz, "remove:2", moved).content.decode())
    assert [r[1] for r in removed] == [c.pk, b.pk]
    assert _saved(quiz) == saved
    _post(teacher_client, quiz, "save", removed)
    assert [r[1] for r in _saved(quiz)] == [c.pk, b.pk]
    assert list(quiz.items.values_list("position", flat=True)) == [1, 2]


def test_pairing_merges_the_partners_round_and_saves_a_pair(teacher_client, quiz, clips):
    fake, real = clips["fake_video"], clips["real_video"]
    draft = [("single", fake.pk, None), ("single", clips["fake_image"].pk, None)]
    draft.append(("single", real.pk, None))
    html = _post(teacher_client, quiz, "refresh", draft).content.decode()
    # The first round may pair with real videos only: not the image, not a generated video.
    select = re.search(r'<select name="round-1-partner".*?</select>', html, re.S).group(0)
    offered = {int(v) for v in re.findall(r'value="(\d+)"', select)}
    assert real.pk in offered
    assert offered <= set(
        Clip.objects.filter(is_generated=False, media_kind="video").values_list("pk", flat=True)
    )
    # Most alike first: clips of the same footage lead the list, other sources follow.
    order = [int(v) for v in re.findall(r'value="(\d+)"', select)]
    families = [source_family(Clip.objects.get(pk=pk).credit) for pk in order]
    same = source_family(fake.credit)
    assert families[0] == same
    assert families == sorted(families, key=lambda f: f != same)

    response = _post(teacher_client, quiz, "pair:1", draft, **{"round-1-partner": str(real.pk)})
    assert response.status_code == 200
    paired = _draft_in(response.content.decode())
    assert paired == [("pair", fake.pk, real.pk), ("single", clips["fake_image"].pk, None)]
    swapped = _draft_in(_post(teacher_client, quiz, "swap:1", paired).content.decode())
    assert swapped[0] == ("pair", real.pk, fake.pk)
    _post(teacher_client, quiz, "save", swapped)
    item = quiz.items.get(position=1)
    assert item.is_pair and item.clip == real and item.other_clip == fake

    single_again = _draft_in(
        _post(teacher_client, quiz, "pair:1", swapped, **{"round-1-partner": ""}).content.decode()
    )
    assert single_again[:2] == [("single", real.pk, None), ("single", fake.pk, None)]


def test_pairing_with_a_clip_that_does_not_fit_is_refused(teacher_client, quiz, clips):
    draft = [("single", clips["fake_video"].pk, None)]
    for partner in (clips["fake_video_2"].pk, clips["real_image"].pk, "abc", "99999999"):
        response = _post(teacher_client, quiz, "pair:1", draft, **{"round-1-partner": partner})
        assert response.status_code == 422, partner
        assert _draft_in(response.content.decode()) == draft


def test_balanced_build_fills_the_draft_from_the_filtered_library(teacher_client, quiz, clips):
    response = _post(
        teacher_client,
        quiz,
        "balance",
        **{"balanced-n": "8", "balanced-generated": "50", "balanced-pairs": "25"},
    )
    assert response.status_code == 200
    draft = _draft_in(response.content.decode())
    assert len(draft) == 8 and sum(1 for r in draft if r[0] == "pair") == 2
    used = builder.rounds_clip_ids(draft)
    assert len(used) == len(set(used))
    # A pair is never decided by two unrelated looks: both clips come from one source.
    for kind, a, b in draft:
        if kind == "pair":
            first, second = Clip.objects.get(pk=a), Clip.objects.get(pk=b)
            assert source_family(first.credit) == source_family(second.credit)
    builder.rounds_check(draft)  # a draft the service accepts as it is
    _post(teacher_client, quiz, "save", draft)
    assert len(_saved(quiz)) == 8

    images = _draft_in(
        _post(
            teacher_client,
            quiz,
            "balance",
            media_kind="image",
            **{"balanced-n": "2", "balanced-generated": "50", "balanced-pairs": "0"},
        ).content.decode()
    )
    assert len(images) == 2
    assert set(
        Clip.objects.filter(pk__in=[r[1] for r in images]).values_list("media_kind", flat=True)
    ) == {"image"}


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({"balanced-n": "90"}, "needs"),  # more rounds than the demo library has clips
        ({"balanced-n": "ten"}, "Check the numbers"),
        ({"balanced-n": "1000"}, "Check the numbers"),
        ({"balanced-generated": "-5"}, "Check the numbers"),
    ],
)
def test_an_impossible_balanced_quiz_says_why_and_keeps_the_draft(
    teacher_client, quiz, clips, numbers, message
):
    draft = [("single", clips["real_video"].pk, None)]
    data = {"balanced-n": "8", "balanced-generated": "50", "balanced-pairs": "0", **numbers}
    response = _post(teacher_client, quiz, "balance", draft, **data)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert _draft_in(html) == draft


# --- Copies and copy-on-edit -----------------------------------------------------------------


def test_copying_the_demo_makes_a_private_editable_copy(teacher_client, teacher, demo_pack):
    response = teacher_client.post(reverse("build:quiz_copy", args=[demo_pack.slug]))
    copy = Quiz.objects.get(created_by=teacher)
    assert response.status_code == 302 and response.url == _edit_url(copy)
    assert copy.title == "Copy of Demo quiz: real or generated?"
    assert not copy.is_public and copy.slug != demo_pack.slug
    assert _saved(copy) == _saved(demo_pack)
    total = demo_pack.items.count()
    assert list(copy.items.values_list("position", flat=True)) == list(range(1, total + 1))
    html = teacher_client.get(response.url).content.decode()
    assert 'id="builder"' in html and "This is your copy" in html


def test_a_copy_of_a_long_title_stays_within_200_characters(teacher, quiz):
    quiz.title = "t" * 200
    quiz.save()
    assert len(builder.quiz_copy(teacher=teacher, quiz=quiz).title) == 200


def test_a_quiz_with_answers_cannot_be_changed_and_offers_a_copy(
    teacher_client, teacher, quiz, clips, student
):
    rounds = [("single", clips["fake_video"].pk, None), ("single", clips["real_video"].pk, None)]
    builder.quiz_set_items(quiz=quiz, rounds=rounds)
    _answer_one_round(quiz, student)

    html = teacher_client.get(_edit_url(quiz)).content.decode()
    assert "already has answers" in html and "Edit a copy" in html
    assert 'id="builder"' not in html

    response = _post(teacher_client, quiz, "save", list(reversed(rounds)), title="Changed")
    assert response.status_code == 409
    response = _post(teacher_client, quiz, "add:1", rounds, headers=HTMX)
    assert response.headers["HX-Redirect"] == _edit_url(quiz)
    with pytest.raises(builder.QuizEditRefused, match="already has answers; edit a copy"):
        builder.quiz_set_items(quiz=quiz, rounds=list(reversed(rounds)))
    quiz.refresh_from_db()
    assert _saved(quiz) == rounds and quiz.title == "Week 1: street scenes"

    response = teacher_client.post(reverse("build:quiz_copy", args=[quiz.slug]))
    copy = Quiz.objects.exclude(pk=quiz.pk).get(created_by=teacher)
    assert response.url == _edit_url(copy) and _saved(copy) == rounds
    _post(teacher_client, copy, "save", list(reversed(rounds)))
    assert _saved(copy) == list(reversed(rounds))


# --- The library and its filters ---------------------------------------------------------------


def _shown_clip_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<li class="card" id="clip-(\d+)"', html)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"label": "generated"}, {"is_generated": True}),
        ({"label": "real"}, {"is_generated": False}),
        ({"media_kind": "image"}, {"media_kind": "image"}),
        ({"generator": "camera"}, {"generator": "camera"}),
        ({"category": "anatomy"}, {"artifacts__category": "anatomy"}),
        ({"label": "real", "media_kind": "video"}, {"is_generated": False, "media_kind": "video"}),
    ],
)
def test_each_library_filter_narrows_the_list(teacher_client, quiz, demo_pack, params, expected):
    wanted = set(Clip.objects.ready().filter(**expected).values_list("pk", flat=True))
    assert 0 < len(wanted) < Clip.objects.ready().count()
    assert set(builder_selectors.library_clips(**params).values_list("pk", flat=True)) == wanted
    response = teacher_client.get(_edit_url(quiz), params)
    assert _shown_clip_ids(response.content.decode()) == wanted
    # The same filters posted with a draft (no JavaScript) give the same list.
    response = _post(teacher_client, quiz, "filter", **params)
    assert _shown_clip_ids(response.content.decode()) == wanted


@pytest.mark.parametrize(
    "change",
    [{"status": Clip.Status.PROCESSING}, {"status": Clip.Status.FAILED}, {"retired_at": "now"}],
    ids=["processing", "failed", "retired"],
)
def test_only_ready_clips_in_use_can_be_picked(teacher_client, quiz, clips, change):
    clip = clips["fake_video"]
    if change.get("retired_at"):
        change = {"retired_at": timezone.now()}
    Clip.objects.filter(pk=clip.pk).update(**change)
    html = teacher_client.get(_edit_url(quiz)).content.decode()
    assert clip.pk not in _shown_clip_ids(html)
    response = _post(teacher_client, quiz, f"add:{clip.pk}")
    assert response.status_code == 422 and "not available" in response.content.decode()
    response = _post(teacher_client, quiz, "save", [("single", clip.pk, None)])
    assert response.status_code == 422 and "not ready or retired" in response.content.decode()
    assert not quiz.items.exists()


def test_difficulty_comes_from_the_aggregate_table(teacher_client, quiz, demo_pack, student):
    singles = list(demo_pack.items.filter(kind="single").order_by("position")[:2])
    easy, hard = singles[0].clip, singles[1].clip
    attempt = services.attempt_start(user=student, quiz=demo_pack)
    for item, right in ((singles[0], True), (singles[1], False)):
        guess = (
            item.correct_option()
            if right
            else next(o for o in item.options() if o != item.correct_option())
        )
        services.answer_submit(attempt=attempt, item=item, guess=guess, confidence=90)
    aggregation.fold_all()

    annotated = {c.pk: c for c in builder_selectors.library_clips()}
    assert annotated[easy.pk].difficulty == 0 and annotated[hard.pk].difficulty == 1
    # unanswered clips stay in without a difficulty filter
    assert len(annotated) == Clip.objects.in_use().count()
    assert set(
        builder_selectors.library_clips(min_difficulty=0.5).values_list("pk", flat=True)
    ) == {hard.pk}
    assert set(
        builder_selectors.library_clips(max_difficulty=0.5).values_list("pk", flat=True)
    ) == {easy.pk}
    html = teacher_client.get(_edit_url(quiz), {"min_difficulty": "50"}).content.decode()
    assert _shown_clip_ids(html) == {hard.pk}
    assert "missed in 100 % of 1 answer" in html


@pytest.mark.parametrize(
    "params",
    [
        {"label": "<script>x</script>"},
        {"generator": "nobody"},
        {"media_kind": "hologram"},
        {"category": "' OR 1=1 --"},
        {"min_difficulty": "abc"},
        {"min_difficulty": "70", "max_difficulty": "20"},
        {"max_difficulty": "1" * 400},
        {"page": "-1"},
        {"page": "9" * 40},
        {"page": "99999"},
    ],
    ids=repr,
)
def test_odd_filters_are_reported_and_ignored_never_a_500(teacher_client, quiz, demo_pack, params):
    response = teacher_client.get(_edit_url(quiz), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert _shown_clip_ids(html)  # still a usable list
    response = _post(teacher_client, quiz, "filter", **params)
    assert response.status_code == 200


def test_the_library_is_paged(teacher_client, quiz, demo_pack, monkeypatch):
    monkeypatch.setattr("quiz.views.builder.LIBRARY_PAGE_SIZE", 10)
    first = _shown_clip_ids(teacher_client.get(_edit_url(quiz)).content.decode())
    response = _post(teacher_client, quiz, "page:3", headers=HTMX)
    third = _shown_clip_ids(response.content.decode())
    expected_third = min(10, max(0, Clip.objects.in_use().count() - 20))
    assert len(first) == 10 and len(third) == expected_third and not first & third


# --- htmx ---------------------------------------------------------------------------------------


def test_htmx_gets_the_changed_region_and_an_announcement(teacher_client, quiz, clips):
    response = _post(teacher_client, quiz, f"add:{clips['real_video'].pk}", headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and "Save the quiz" in html
    assert re.search(r'hx-swap-oob="innerHTML:#announce">Clip \d+ added as round 1', html)

    response = _post(teacher_client, quiz, "filter", headers=HTMX, label="real")
    html = response.content.decode()
    assert "<html" not in html and "Save the quiz" not in html  # the library alone
    assert re.search(r'hx-swap-oob="innerHTML:#announce">\d+ clips match', html)


def test_htmx_save_shows_the_saved_quiz_in_place(teacher_client, quiz, clips):
    draft = [("single", clips["real_video"].pk, None)]
    response = _post(teacher_client, quiz, "save", draft, headers=HTMX)
    assert response.status_code == 200
    assert "Saved: 1 round." in response.content.decode()
    assert _saved(quiz) == draft


def test_builder_page_queries_do_not_grow_with_the_draft(
    teacher_client, quiz, clips, django_assert_max_num_queries
):
    one = [("single", clips["real_video"].pk, None)]
    many = builder.balanced_rounds(
        builder_selectors.clip_infos(builder_selectors.library_clips()),
        n=12,
        generated_share=0.5,
        pair_share=0.25,
        rng=random.Random(3),
    )
    with django_assert_max_num_queries(14) as few:
        _post(teacher_client, quiz, "refresh", one)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _post(teacher_client, quiz, "refresh", many)


# --- Who may do what -----------------------------------------------------------------------------


def _builder_urls_for(quiz: Quiz) -> list[str]:
    return [
        reverse("build:quiz_index"),
        reverse("build:quiz_new"),
        _edit_url(quiz),
    ]


@pytest.mark.parametrize("role", ["student", "educator"])
def test_builder_refuses_other_roles_with_403(quiz, role, student, educator):
    client = _client_for(student if role == "student" else educator)
    for url in _builder_urls_for(quiz):
        assert client.get(url).status_code == 403, url
    assert client.post(_edit_url(quiz), {"action": "save"}).status_code == 403
    assert client.post(reverse("build:quiz_copy", args=[quiz.slug])).status_code == 403
    assert client.post(reverse("build:quiz_new"), {"title": "Mine"}).status_code == 403
    assert Quiz.objects.count() == 1


def test_strangers_are_sent_to_sign_in(client, quiz):
    for url in _builder_urls_for(quiz):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_another_teachers_private_quiz_is_not_found(quiz, other_teacher, clips):
    client = _client_for(other_teacher)
    assert client.get(_edit_url(quiz)).status_code == 404
    draft = [("single", clips["real_video"].pk, None)]
    assert _post(client, quiz, "save", draft).status_code == 404
    assert client.post(reverse("build:quiz_copy", args=[quiz.slug])).status_code == 404
    assert "Week 1" not in client.get(reverse("build:quiz_index")).content.decode()
    assert not quiz.items.exists()
    assert not Quiz.objects.filter(created_by=other_teacher).exists()


def test_a_public_quiz_can_be_viewed_and_copied_but_not_edited(teacher_client, demo_pack):
    before = _saved(demo_pack)
    response = teacher_client.get(_edit_url(demo_pack))
    html = response.content.decode()
    assert response.status_code == 200
    assert "only its author can change it" in html and 'id="builder"' not in html
    assert "Edit a copy" in html
    rounds = [("single", before[0][1], None)]
    assert _post(teacher_client, demo_pack, "save", rounds).status_code == 403
    assert _saved(demo_pack) == before


def test_writes_need_post_and_pages_refuse_other_methods(teacher_client, quiz):
    assert teacher_client.get(reverse("build:quiz_copy", args=[quiz.slug])).status_code == 405
    assert teacher_client.post(reverse("build:quiz_index")).status_code == 405
    assert teacher_client.put(_edit_url(quiz)).status_code == 405
    assert teacher_client.delete(_edit_url(quiz)).status_code == 405


def test_unknown_quizzes_are_not_found(teacher_client):
    assert teacher_client.get("/teach/quizzes/no-such-quiz/").status_code == 404
    assert teacher_client.post("/teach/quizzes/no-such-quiz/copy/").status_code == 404


def test_index_lists_own_and_shared_quizzes_with_their_state(
    teacher_client, teacher, other_teacher, quiz, clips, student
):
    answered = builder.quiz_create(teacher=teacher, title="Answered one")
    builder.quiz_set_items(quiz=answered, rounds=[("single", clips["real_video"].pk, None)])
    _answer_one_round(answered, student)
    builder.quiz_create(teacher=other_teacher, title="Someone else's")
    html = teacher_client.get(reverse("build:quiz_index")).content.decode()
    assert "Week 1: street scenes" in html and "Answered: frozen" in html
    assert "Someone else" not in html
    assert "Demo quiz: real or generated?" in html  # shared
    assert f'href="/teach/assign/{answered.slug}/"' in html
    assert f'href="/teach/assign/{quiz.slug}/"' not in html  # nothing to assign yet
    assert f'action="/teach/quizzes/{answered.slug}/copy/"' in html


# --- Hostile drafts --------------------------------------------------------------------------------


def _hostile_drafts(clips: dict[str, Clip]) -> list[tuple[str, dict[str, str], str, int]]:
    fake, real = clips["fake_video"].pk, clips["real_video"].pk
    fake_2, real_image = clips["fake_video_2"].pk, clips["real_image"].pk
    return [
        ("forged clip id", _draft([("single", 987654321, None)]), "not in the library", 422),
        ("18-digit id", _draft([("single", int("9" * 18), None)]), "not in the library", 422),
        (
            "a clip twice",
            _draft([("single", fake, None), ("single", fake, None)]),
            "already in round 1",
            422,
        ),
        ("clip twice in a pair", _draft([("pair", fake, fake)]), "two different clips", 422),
        ("two generated", _draft([("pair", fake, fake_2)]), "exactly one generated", 422),
        ("video with image", _draft([("pair", fake, real_image)]), "two videos or two images", 422),
        ("triple", _draft([("triple", fake, real)]), "not “triple”", 422),
        ("single with two", _draft([("single", fake, real)]), "shows one clip", 422),
        ("pair with one", _draft([("pair", fake, None)]), "two different clips", 422),
        ("no rounds", {}, "at least one round", 422),
        ("101 rounds", _draft([("single", fake, None)] * 101), "at most 100 rounds", 422),
        (
            "non-numeric id",
            {"round-1-kind": "single", "round-1-clip": "abc", "round-1-other": ""},
            "could not be read",
            400,
        ),
        (
            "negative id",
            {"round-1-kind": "single", "round-1-clip": "-3", "round-1-other": ""},
            "could not be read",
            400,
        ),
        (
            "float id",
            {"round-1-kind": "single", "round-1-clip": "1e3", "round-1-other": ""},
            "could not be read",
            400,
        ),
        (
            "huge id",
            {"round-1-kind": "single", "round-1-clip": "9" * 30, "round-1-other": ""},
            "could not be read",
            400,
        ),
        ("missing clip", {"round-1-kind": "single"}, "could not be read", 400),
        (
            "odd other",
            {"round-1-kind": "pair", "round-1-clip": str(fake), "round-1-other": "x"},
            "could not be read",
            400,
        ),
        (
            "long kind",
            {"round-1-kind": "k" * 5000, "round-1-clip": str(fake), "round-1-other": ""},
            "could not be read",
            400,
        ),
    ]


def test_hostile_drafts_get_a_clear_message_and_nothing_is_saved(teacher_client, quiz, clips):
    builder.quiz_set_items(quiz=quiz, rounds=[("single", clips["real_video"].pk, None)])
    before = _saved(quiz)
    for name, draft, message, status in _hostile_drafts(clips):
        data = {"action": "save", "title": "Changed", **draft}
        for headers in ({}, HTMX):
            response = teacher_client.post(_edit_url(quiz), data, headers=headers)
            assert response.status_code == status, name
            assert message in response.content.decode(), name
        assert _saved(quiz) == before, name
        quiz.refresh_from_db()
        assert quiz.title == "Week 1: street scenes", name


def test_service_refuses_every_hostile_draft(quiz, clips):
    for name, draft, message, status in _hostile_drafts(clips):
        if status == 400:
            continue  # unreadable drafts never reach the service
        rounds = [
            (
                draft[f"round-{n}-kind"],
                int(draft[f"round-{n}-clip"]),
                int(draft[f"round-{n}-other"]) if draft[f"round-{n}-other"] else None,
            )
            for n in range(1, len(draft) // 3 + 1)
        ]
        with pytest.raises(builder.QuizEditRefused, match=message):
            builder.quiz_set_items(quiz=quiz, rounds=rounds)
        assert not quiz.items.exists(), name


@pytest.mark.parametrize(
    "action",
    ["explode", "add:abc", "add:-1", "add:", "up:0", "remove:" + "9" * 40, "save; drop", ""],
)
def test_unknown_or_malformed_actions_change_nothing(teacher_client, quiz, clips, action):
    draft = [("single", clips["real_video"].pk, None)]
    response = _post(teacher_client, quiz, action, draft)
    assert response.status_code in (400, 422)
    assert _draft_in(response.content.decode()) == draft
    assert not quiz.items.exists()


@pytest.mark.parametrize(
    "action", ["up:5", "down:5", "remove:5", "swap:1", "pair:5", "add:987654321"]
)
def test_actions_on_rounds_or_clips_that_do_not_exist_are_refused(
    teacher_client, quiz, clips, action
):
    draft = [("single", clips["real_video"].pk, None)]
    response = _post(teacher_client, quiz, action, draft)
    assert response.status_code == 422
    assert re.search("no round 5|not a pair|not in the library", response.content.decode())
    assert _draft_in(response.content.decode()) == draft


def test_an_overlong_title_on_save_is_refused_and_nothing_saved(teacher_client, quiz, clips):
    draft = [("single", clips["real_video"].pk, None)]
    response = _post(teacher_client, quiz, "save", draft, title="x" * 10000)
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    assert not quiz.items.exists()
    quiz.refresh_from_db()
    assert quiz.title == "Week 1: street scenes"


# --- Another school's private uploads ---------------------------------------------------------


@pytest.fixture
def foreign_upload(clips) -> Clip:
    """A ready clip uploaded by a teacher of another school: private to that school."""
    from accounts.models import School

    elsewhere = School.objects.create(name="Hillside")
    uploader = User.objects.create_user("up", password="x", role="teacher", school=elsewhere)
    like = clips["real_video"]
    return Clip.objects.create(
        media_kind=like.media_kind,
        status=Clip.Status.READY,
        is_generated=False,
        generator="camera",
        media=like.media.name,
        poster=like.poster.name,
        width=like.width,
        height=like.height,
        duration_s=like.duration_s,
        uploaded_by=uploader,
        school=elsewhere,
        description="another school's private upload",
        explanation="THE-FOREIGN-ANSWER-KEY",
    )


def test_another_schools_private_upload_is_not_in_the_builders_library(
    teacher_client, quiz, foreign_upload
):
    html = _post(teacher_client, quiz, "filter").content.decode()
    assert f'id="add-{foreign_upload.pk}"' not in html
    assert "another school&#x27;s private upload" not in html
    html = teacher_client.get(_edit_url(quiz) + "?label=real").content.decode()
    assert f'id="add-{foreign_upload.pk}"' not in html
    assert "THE-FOREIGN-ANSWER-KEY" not in html


def test_another_schools_private_upload_is_refused_by_add_pair_and_save(
    teacher_client, quiz, clips, foreign_upload
):
    response = _post(teacher_client, quiz, f"add:{foreign_upload.pk}")
    assert response.status_code == 422
    assert _draft_in(response.content.decode()) == []

    draft = [("single", clips["fake_video"].pk, None)]
    response = _post(
        teacher_client, quiz, "pair:1", draft, **{"round-1-partner": str(foreign_upload.pk)}
    )
    assert response.status_code == 422
    assert _draft_in(response.content.decode()) == draft

    for hostile in (
        [("single", foreign_upload.pk, None)],
        [("pair", clips["fake_video"].pk, foreign_upload.pk)],
    ):
        response = _post(teacher_client, quiz, "save", hostile)
        assert response.status_code == 422, hostile
        assert "THE-FOREIGN-ANSWER-KEY" not in response.content.decode()
    assert not quiz.items.exists()


def test_a_quiz_holding_another_schools_upload_cannot_be_assigned(
    teacher, teacher_client, quiz, clips, foreign_upload
):
    from accounts import services as account_services
    from accounts.models import School
    from quiz.models import Assignment, QuizItem

    teacher.school = School.objects.create(name="Lakeside")
    teacher.save()
    classroom = account_services.classroom_create(teacher=teacher, name="8A")
    # Saved before the builder checked (the service alone does not know the teacher).
    QuizItem.objects.create(quiz=quiz, position=1, kind="single", clip=foreign_upload)
    url = reverse("teach:assignment_create", args=[quiz.slug])
    response = teacher_client.get(url)
    assert response.status_code == 302 and response.url == _edit_url(quiz)
    response = teacher_client.post(
        url,
        {
            "classrooms": [classroom.pk],
            "opens_at": "2026-11-23T08:30",
            "due_at": "2026-11-30T23:59",
            "attempts_allowed": 1,
            "feedback": "each",
        },
    )
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    listing = teacher_client.get(reverse("teach:assignment_list")).content.decode()
    assert f"/teach/assign/{quiz.slug}/" not in listing


def test_a_public_quiz_holding_another_schools_upload_is_hidden(
    teacher_client, clips, foreign_upload
):
    public = Quiz.objects.create(title="Shared by staff", slug="shared-by-staff", is_public=True)
    from quiz.models import QuizItem

    QuizItem.objects.create(quiz=public, position=1, kind="single", clip=foreign_upload)
    assert teacher_client.get(_edit_url(public)).status_code == 404
    assert teacher_client.post(reverse("build:quiz_copy", args=[public.slug])).status_code == 404
    assert (
        teacher_client.get(reverse("teach:assignment_create", args=[public.slug])).status_code
        == 404
    )
    index = teacher_client.get(reverse("build:quiz_index")).content.decode()
    assert "Shared by staff" not in index
