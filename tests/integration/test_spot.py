"""Spot rounds ("Where is the giveaway?") through the views and services: the round page
keeps the giveaway secret, marks are graded on the server (METRICS.md spot hit), bad marks
are refused with a clear 4xx, the feedback shows the mark and the boxes, and the statistics
count spot answers towards the spot rate only, folded and rebuilt alike."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.urls import reverse

from accounts.models import User
from quiz import spot
from quiz.models import Answer, Artifact, Attempt, Clip, Quiz, QuizItem, StatCell
from quiz.scoring import points_for
from quiz.selectors import play as selectors
from quiz.selectors.builder import spot_ready_clips
from quiz.services import builder
from quiz.services import play as services
from quiz.stats import aggregation
from tests import spot_answers, stats_reference

pytestmark = pytest.mark.django_db

VIDEO_KEY = "demo-coins-count-changes"  # two "count" giveaways, 1.5-1.9 s and 3.1-3.5 s
IMAGE_KEY = "demo-cat-third-eye"


@pytest.fixture
def spot_quiz(demo_pack) -> Quiz:
    quiz = Quiz.objects.create(slug="spot-test", title="Spot test", is_public=True)
    for key in (VIDEO_KEY, IMAGE_KEY):
        builder.spot_item_create(quiz=quiz, clip=Clip.objects.get(key=key))
    return quiz


def _item(quiz: Quiz, key: str) -> QuizItem:
    return quiz.items.select_related("clip").get(clip__key=key)


def _start(client, quiz: Quiz) -> Attempt:
    response = client.post(reverse("quiz:attempt_start", args=[quiz.slug]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _url(attempt: Attempt, item: QuizItem, name: str = "quiz:answer_submit") -> str:
    return reverse(name, args=[attempt.pk, selectors.round_key(attempt, item.pk)])


def _post(client, attempt, item, data, **extra):
    return client.post(_url(attempt, item), {"confidence": "80", **data}, **extra)


# --- the round page ---


def test_the_round_says_the_clip_is_generated_but_not_where_the_giveaway_is(
    student_client, spot_quiz
):
    attempt = _start(student_client, spot_quiz)
    html = student_client.get(reverse("quiz:attempt_play", args=[attempt.pk])).content.decode()
    assert "Where is the giveaway?" in html
    assert "was made by AI" in html
    assert 'name="spot_cell"' in html and 'name="spot_x"' in html
    # Nothing of the artifacts before the answer: no boxes, times, categories or texts.
    assert "artifact-box" not in html and "data-start=" not in html
    shown = selectors.attempt_next_round(attempt)
    for artifact in Artifact.objects.filter(clip=shown.item.clip):
        assert artifact.explanation[:40] not in html
        assert str(artifact.category_info.name) not in html
    assert shown.item.clip.key not in html


# --- grading ---


def test_a_mark_on_the_giveaway_at_its_moment_is_a_spot_hit(student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    result = services.answer_submit(
        attempt=attempt, item=item, guess="spot", confidence=90, mark=spot_answers.hit_mark(item)
    )
    answer = result.answer
    assert answer.spot_hit is True and answer.is_correct is True
    assert answer.points == points_for(90, True) == 99
    assert answer.guess == "spot" and answer.item_kind == "spot"
    assert answer.spot_ms == spot_answers.hit_mark(item).ms


def test_the_right_place_at_the_wrong_moment_is_a_miss(student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    on_the_box = spot_answers.hit_mark(item)
    # Between the two giveaways (1.9 s and 3.1 s), more than 0.5 s from both.
    mark = spot.Mark(on_the_box.x, on_the_box.y, 2500)
    regions = [services.artifact_region(a) for a in Artifact.objects.filter(clip=item.clip)]
    assert all(r.start_s is not None for r in regions)
    answer = services.answer_submit(
        attempt=attempt, item=item, guess="spot", confidence=100, mark=mark
    ).answer
    assert answer.spot_hit is False and answer.points == 0


def test_an_image_needs_no_moment_and_ignores_one(student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    item = _item(spot_quiz, IMAGE_KEY)
    hit = spot_answers.hit_mark(item)
    answer = services.answer_submit(
        attempt=attempt, item=item, guess="spot", confidence=50, mark=spot.Mark(hit.x, hit.y, 99)
    ).answer
    assert answer.spot_hit is True and answer.spot_ms is None
    assert answer.points == points_for(50, True)


def test_the_grid_without_javascript_marks_the_centre_of_its_square(student_client, spot_quiz):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    response = _post(student_client, attempt, item, {"spot_cell": "2-5", "spot_s": "1.7"})
    assert response.status_code == 302
    answer = Answer.objects.get(attempt=attempt, item=item)
    assert (answer.spot_x, answer.spot_y, answer.spot_ms) == (*spot.grid_centre(2, 5), 1700)


# --- feedback ---


def test_the_feedback_shows_the_mark_and_every_box_at_the_marked_moment(student_client, spot_quiz):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    mark = spot_answers.hit_mark(item)
    response = _post(student_client, attempt, item, spot_answers.form_data(mark), follow=True)
    html = response.content.decode()
    assert "Your mark is on a giveaway." in html
    assert "data-spot-drawn" in html
    assert html.count('class="artifact-box"') == Artifact.objects.filter(clip=item.clip).count()
    assert f'data-start-at="{mark.ms / 1000:f}"' in html
    for artifact in Artifact.objects.filter(clip=item.clip):
        assert artifact.explanation.splitlines()[0][:40] in html


def test_a_miss_says_how_far_in_time_and_where_the_giveaway_was(student_client, spot_quiz):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    first = min(Artifact.objects.filter(clip=item.clip), key=lambda a: a.start_s)
    # 0.8 s before the first giveaway, to the left of its box and level with it.
    x = max(0, round((first.box_x - 0.3) * 1000))
    y = round((first.box_y + first.box_h / 2) * 1000)
    seconds = round(first.start_s - 0.8, 3)
    data = {"spot_x": str(x), "spot_y": str(y), "spot_s": f"{seconds}", "htmx": "1"}
    response = _post(student_client, attempt, item, data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your mark missed the giveaway." in html
    assert "You were 0.8\u00a0s too early for the nearest giveaway." in html
    assert "to the right of your mark" in html


# --- refusals ---


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"spot_x": "1001", "spot_y": "500", "spot_s": "1"}, "inside the picture"),
        ({"spot_x": "-1", "spot_y": "500", "spot_s": "1"}, "inside the picture"),
        ({"spot_x": "abc", "spot_y": "500", "spot_s": "1"}, "Mark where the giveaway is"),
        ({"spot_s": "1"}, "Mark where the giveaway is"),
        ({"spot_cell": "9-9", "spot_s": "1"}, "squares of the grid"),
        ({"spot_x": "500", "spot_y": "500", "spot_s": "soon"}, "number of seconds"),
        ({"spot_x": "500", "spot_y": "500", "spot_s": "-2"}, "before the start"),
    ],
)
def test_impossible_marks_are_refused_with_a_message(student_client, spot_quiz, data, message):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    response = _post(student_client, attempt, item, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_a_video_mark_without_a_moment_is_refused(student_client, spot_quiz):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, VIDEO_KEY)
    response = _post(student_client, attempt, item, {"spot_x": "500", "spot_y": "500"})
    assert response.status_code == 409
    assert "Pause the video at the giveaway" in response.content.decode()
    late = _post(student_client, attempt, item, {"spot_x": "5", "spot_y": "5", "spot_s": "999"})
    assert late.status_code == 409
    assert "That moment is not in the video." in late.content.decode()
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_a_spot_answer_to_another_kind_of_round_is_refused(student_client, student, demo_pack):
    attempt = _start(student_client, demo_pack)
    single = next(
        shown.item
        for shown in selectors.attempt_rounds(attempt)
        if shown.item.kind == QuizItem.Kind.SINGLE
    )
    response = _post(
        student_client, attempt, single, {"guess": "spot", "spot_x": "500", "spot_y": "500"}
    )
    assert response.status_code == 422
    with pytest.raises(services.AnswerRejected, match="does not ask where"):
        services.answer_submit(
            attempt=attempt, item=single, guess="real", confidence=60, mark=spot.Mark(1, 1)
        )
    with pytest.raises(services.AnswerRejected):
        services.answer_submit(attempt=attempt, item=single, guess="spot", confidence=60)
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_a_spot_round_without_a_mark_is_refused_by_the_service(student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    with pytest.raises(services.AnswerRejected, match="Mark where"):
        services.answer_submit(
            attempt=attempt, item=_item(spot_quiz, IMAGE_KEY), guess="spot", confidence=60
        )


def test_a_second_answer_returns_the_first(student_client, spot_quiz):
    attempt = _start(student_client, spot_quiz)
    item = _item(spot_quiz, IMAGE_KEY)
    first = spot_answers.form_data(spot_answers.hit_mark(item))
    assert _post(student_client, attempt, item, first).status_code == 302
    again = _post(student_client, attempt, item, spot_answers.form_data(spot.Mark(0, 0)))
    assert again.status_code == 200
    assert "already answered" in again.content.decode()
    assert Answer.objects.get(attempt=attempt, item=item).spot_hit is True


def test_someone_elses_attempt_is_not_found(client, student, other_student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    item = _item(spot_quiz, IMAGE_KEY)
    client.force_login(other_student)
    response = _post(client, attempt, item, spot_answers.form_data(spot_answers.hit_mark(item)))
    assert response.status_code == 404
    assert not Answer.objects.exists()


# --- building ---


def test_only_generated_clips_with_an_artifact_to_find_are_spot_ready(demo_pack):
    ready = set(spot_ready_clips().values_list("key", flat=True))
    # A giveaway as large as the frame (the espresso's credential that no longer matches its
    # file) would make any mark a hit: that clip is kept out of spot rounds.
    whole = {
        a.clip.key
        for a in Artifact.objects.select_related("clip")
        if not spot.has_a_place(a.box_w, a.box_h)
    }
    assert "demo-espresso-handle-drifts" in whole
    assert (
        ready
        == set(
            Clip.objects.filter(is_generated=True, artifacts__isnull=False).values_list(
                "key", flat=True
            )
        )
        - whole
    )
    assert not Clip.objects.filter(key__in=ready, is_generated=False).exists()
    bare = Clip.objects.get(key=VIDEO_KEY)
    bare.artifacts.all().delete()
    assert not spot_ready_clips().filter(pk=bare.pk).exists()


def test_adaptive_practice_draws_no_spot_round_on_a_clip_any_mark_would_hit(student, demo_pack):
    from quiz.selectors import practice

    pool = practice.practice_state(student).pool
    spot_clips = {c.clip_id for group in pool.spot.values() for c in group}
    generated = {c.clip_id for group in pool.generated.values() for c in group}
    espresso = Clip.objects.get(key="demo-espresso-handle-drifts").pk
    assert espresso in generated and espresso not in spot_clips
    assert Clip.objects.get(key="demo-coins-count-changes").pk in spot_clips


def test_spot_rounds_need_a_generated_clip_with_a_giveaway(teacher, demo_pack):
    quiz = builder.quiz_create(teacher=teacher, title="Spots")
    real = Clip.objects.filter(is_generated=False).first()
    with pytest.raises(builder.QuizEditRefused, match="marked giveaway"):
        builder.quiz_set_items(quiz=quiz, rounds=[("spot", real.pk, None)])
    with pytest.raises(builder.QuizEditRefused, match="marked giveaway"):
        builder.spot_item_create(quiz=quiz, clip=real)
    generated = Clip.objects.get(key=VIDEO_KEY)
    with pytest.raises(builder.QuizEditRefused, match="single round shows one clip"):
        builder.quiz_set_items(quiz=quiz, rounds=[("spot", generated.pk, real.pk)])
    builder.quiz_set_items(quiz=quiz, rounds=[("spot", generated.pk, None)])
    assert list(quiz.items.values_list("kind", "other_clip")) == [("spot", None)]
    with pytest.raises(builder.QuizEditRefused, match="already in this quiz"):
        builder.spot_item_create(quiz=quiz, clip=generated)
    added = builder.spot_item_create(quiz=quiz, clip=Clip.objects.get(key=IMAGE_KEY))
    assert (added.position, added.kind) == (2, "spot")


def test_a_quiz_with_answers_takes_no_new_spot_round(student, spot_quiz):
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    item = _item(spot_quiz, IMAGE_KEY)
    services.answer_submit(
        attempt=attempt, item=item, guess="spot", confidence=60, mark=spot_answers.hit_mark(item)
    )
    with pytest.raises(builder.QuizAnswered):
        builder.spot_item_create(quiz=spot_quiz, clip=Clip.objects.get(key="demo-cat-fur-boils"))


# --- statistics ---


def test_spot_answers_count_towards_the_spot_rate_only_folded_and_rebuilt(spot_quiz, demo_pack):
    rng = random.Random(7)
    students = [User.objects.create_user(f"s{i}", role="student") for i in range(4)]
    for student in students:
        for quiz in (spot_quiz, demo_pack):
            attempt = services.attempt_start(user=student, quiz=quiz)
            for shown in selectors.attempt_rounds(attempt):
                services.answer_submit(
                    attempt=attempt,
                    item=shown.item,
                    confidence=rng.randrange(50, 101),
                    **spot_answers.random_kwargs(shown.item, rng),
                )
    aggregation.fold_all()
    expected_cells, expected_students = stats_reference.reference()
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students
    spot_answers_ = Answer.objects.filter(item_kind="spot")
    overall = StatCell.objects.get(scope="all", scope_id=0, dimension="overall", key="")
    assert overall.spot_n == spot_answers_.count() > 0
    assert overall.spot_hits == spot_answers_.filter(spot_hit=True).count()
    assert overall.n == Answer.objects.exclude(item_kind="spot").count()
    assert (
        overall.correct == Answer.objects.exclude(item_kind="spot").filter(is_correct=True).count()
    )
    spot_kind = StatCell.objects.get(scope="all", scope_id=0, dimension="item_kind", key="spot")
    assert (spot_kind.n, spot_kind.correct, spot_kind.confidence_sum, spot_kind.brier_sum) == (
        0,
        0,
        0,
        0,
    )
    assert spot_kind.students == 0
    count_cells = StatCell.objects.filter(scope="all", dimension="cat_spot", key="count")
    assert count_cells.get().students == len(students)
    aggregation.rebuild()
    assert stats_reference.stored_cells() == expected_cells
    assert stats_reference.stored_students() == expected_students


# --- the builder page ---


def _builder_post(client, quiz, action, rounds, **extra):
    from tests.integration.test_builder import _post

    return _post(client, quiz, action, rounds, **extra)


def test_the_builder_turns_a_round_into_a_spot_round_and_saves_it(client, teacher, demo_pack):
    from tests.integration.test_builder import _draft_in

    client.force_login(teacher)
    quiz = builder.quiz_create(teacher=teacher, title="Spots")
    fake = Clip.objects.get(key=VIDEO_KEY)
    real = Clip.objects.filter(is_generated=False, media_kind="video").first()
    page = client.get(reverse("build:quiz_edit", args=[quiz.slug]))
    assert page.status_code == 200
    draft = [("single", fake.pk, None), ("single", real.pk, None)]
    shown = _builder_post(client, quiz, "add:0", draft).content.decode()
    assert shown.count('<option value="spot"') == 1  # offered for the generated clip only
    response = _builder_post(client, quiz, "pair:1", draft, **{"round-1-partner": "spot"})
    html = response.content.decode()
    assert "Round 1 now asks where the giveaway is." in html
    assert "Round 1: where is the giveaway?" in html
    spotted = _draft_in(html)
    assert spotted == [("spot", fake.pk, None), ("single", real.pk, None)]
    refused = _builder_post(client, quiz, "pair:2", spotted, **{"round-2-partner": "spot"})
    assert refused.status_code in (409, 422)
    assert "marked giveaway" in refused.content.decode()
    saved = _builder_post(client, quiz, "save", spotted)
    assert saved.status_code in (200, 302)
    assert [(i.kind, i.clip_id) for i in quiz.items.order_by("position")] == [
        ("spot", fake.pk),
        ("single", real.pk),
    ]
    back = _builder_post(client, quiz, "pair:1", spotted, **{"round-1-partner": ""})
    assert _draft_in(back.content.decode())[0] == ("single", fake.pk, None)


def test_a_balanced_quiz_can_hold_spot_rounds(client, teacher, demo_pack):
    from tests.integration.test_builder import _draft_in

    client.force_login(teacher)
    quiz = builder.quiz_create(teacher=teacher, title="Balanced spots")
    numbers = {
        "balanced-n": "10",
        "balanced-generated": "50",
        "balanced-pairs": "0",
        "balanced-spots": "30",
    }
    response = _builder_post(client, quiz, "balance", [], **numbers)
    assert response.status_code == 200
    rounds = _draft_in(response.content.decode())
    spots = [clip for kind, clip, _other in rounds if kind == "spot"]
    assert len(rounds) == 10 and len(spots) == 3
    assert set(spots) <= set(spot_ready_clips().values_list("pk", flat=True))
    assert len({clip for _kind, clip, _other in rounds}) == 10
    ready = spot_ready_clips().count()
    too_many = _builder_post(
        client,
        quiz,
        "balance",
        [],
        **{**numbers, "balanced-n": str(ready + 1), "balanced-spots": "100"},
    )
    assert too_many.status_code == 422
    assert "marked giveaway for spot rounds" in too_many.content.decode()


# --- assignments and the teacher's report ---


def test_a_spot_quiz_is_assigned_played_and_reported_mark_against_truth(
    client, student, other_student, spot_quiz
):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services as account_services
    from accounts.models import Enrollment, School
    from quiz.services import teach as teach_services

    school = School.objects.create(name="Spot school")
    teacher = User.objects.create_user("spot-t", password="x", role="teacher", school=school)
    classroom = account_services.classroom_create(teacher=teacher, name="9S")
    for learner in (student, other_student):
        Enrollment.objects.create(classroom=classroom, student=learner)
    now = timezone.now()
    (assignment,) = teach_services.assignment_create(
        teacher=teacher,
        quiz=spot_quiz,
        classrooms=[classroom],
        opens_at=now - timedelta(hours=1),
        due_at=now + timedelta(days=1),
        attempts_allowed=1,
        feedback="each",
    )
    for learner, right in ((student, True), (other_student, False)):
        attempt = services.attempt_start(user=learner, quiz=spot_quiz, assignment=assignment)
        for shown in selectors.attempt_rounds(attempt):
            services.answer_submit(
                attempt=attempt,
                item=shown.item,
                confidence=70,
                **spot_answers.submit_kwargs(shown.item, right=right),
            )
    aggregation.fold_all()
    client.force_login(teacher)
    html = client.get(reverse("teach:assignment_report", args=[assignment.pk])).content.decode()
    assert "giveaways found: 2 of 2" in html and "giveaways found: 0 of 2" in html
    assert html.count("Marked the giveaway: hit") == 2
    assert html.count("Marked: missed (") == 2
    assert "Giveaway found: 1 of 2" in html
    assert "(spot round)" in html
    # The report's figures: the spot rate with its interval, beside the usual ones.
    assert "Giveaways found in spot rounds" in html and "spot rate 50 %" in html
    live = client.get(reverse("teach:assignment_live", args=[assignment.pk])).content.decode()
    # Both students answered both rounds, spot rounds counting as answered.
    assert live.count(">2<") >= 2


# --- the educators' category page ---


def test_the_category_page_shows_the_spot_rate_with_its_interval_and_hides_small_groups(
    client, educator, spot_quiz, settings
):
    from accounts.models import Classroom, School
    from quiz import categories
    from quiz.stats import drilldowns
    from quiz.stats.metrics import wilson_interval

    settings.STATS_MIN_GROUP = 5
    school = School.objects.create(name="Spotfield")
    school.educators.add(educator)
    classroom = Classroom.objects.create(school=school, name="10S")
    learners = [
        User.objects.create_user(f"spotter-{n}", role="student", school=school) for n in range(6)
    ]
    classroom.students.add(*learners)
    video, image = _item(spot_quiz, VIDEO_KEY), _item(spot_quiz, IMAGE_KEY)
    for n, learner in enumerate(learners):
        attempt = services.attempt_start(user=learner, quiz=spot_quiz)
        # Everyone marks the video (4 of 6 on its giveaway); only 2 mark the picture.
        services.answer_submit(
            attempt=attempt,
            item=video,
            confidence=80,
            **spot_answers.submit_kwargs(video, right=n < 4),
        )
        if n < 2:
            services.answer_submit(
                attempt=attempt,
                item=image,
                confidence=80,
                **spot_answers.submit_kwargs(image, right=True),
            )
    aggregation.fold_all()
    rows = {row.category.code: row for row in drilldowns.spot_rows(school)}
    video_codes = set(Artifact.objects.filter(clip=video.clip).values_list("category", flat=True))
    image_codes = set(Artifact.objects.filter(clip=image.clip).values_list("category", flat=True))
    assert set(rows) == (video_codes | image_codes) & {c.code for c in categories.TELLS}
    count = rows["count"]
    assert (count.answers, count.figures.students, count.figures.suppressed) == (6, 6, False)
    assert count.rate == pytest.approx(4 / 6)
    assert count.interval == wilson_interval(4, 6)
    assert rows["anatomy"].figures.suppressed and rows["anatomy"].rate is None
    client.force_login(educator)
    html = client.get(reverse("insights:categories", args=[school.pk])).content.decode()
    assert "Spot rate per giveaway category" in html
    low, high = wilson_interval(4, 6)
    assert f"{round(4 / 6 * 100)} %" in html
    assert f"({round(low * 100)} %–{round(high * 100)} %)" in html
    assert "Hidden: fewer than 5 students" in html
    export = client.get(reverse("insights:spot_rates_csv", args=[school.pk]))
    assert export.status_code == 200
    lines = list(csv.DictReader(io.StringIO(export.content.decode().lstrip("\ufeff"))))
    by_code = {line["category"]: line for line in lines}
    assert by_code["count"]["spot_answers"] == "6" and by_code["count"]["spot_hits"] == "4"
    assert float(by_code["count"]["spot_rate_low"]) == pytest.approx(low, abs=1e-6)
    anatomy = by_code["anatomy"]
    assert anatomy["suppressed"] == "true"
    assert anatomy["students"] == anatomy["spot_answers"] == anatomy["spot_rate"] == ""
    # Another school's educator gets nothing.
    stranger = User.objects.create_user("edu-2", role="educator")
    client.force_login(stranger)
    assert client.get(reverse("insights:spot_rates_csv", args=[school.pk])).status_code in (
        403,
        404,
    )


def test_the_builder_offers_no_spot_round_on_a_clip_any_mark_would_hit(demo_pack):
    from quiz.selectors import builder as builder_selectors

    espresso = Clip.objects.get(key="demo-espresso-handle-drifts")
    coins = Clip.objects.get(key="demo-coins-count-changes")
    found = builder_selectors.library_clips_by_id([espresso.pk, coins.pk])
    assert found[espresso.pk].whole_frame_giveaway and not found[coins.pk].whole_frame_giveaway
    assert not builder.spot_fits(builder_selectors.clip_info(found[espresso.pk], ["morphing"]))
    assert builder.spot_fits(builder_selectors.clip_info(found[coins.pk], ["count"]))
