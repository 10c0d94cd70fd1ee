"""The demo pack in the database: enough items of each kind, idempotent, via Celery too,
with its three Content Credential examples on the clips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from quiz.models import Artifact, Clip, Quiz, QuizItem
from quiz.packs import synth
from quiz.packs.format import source_family
from quiz.packs.importer import import_pack

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Clip.objects.values_list("key", "media", "poster", "is_generated")),
        sorted(Artifact.objects.values_list("clip__key", "category", "start_s", "box_x")),
        sorted(QuizItem.objects.values_list("quiz__slug", "position", "clip__key", "kind")),
        sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    )


def test_demo_pack_meets_the_foundation_minimums(demo_pack):
    clips = Clip.objects.all()
    assert clips.count() >= 16
    assert clips.filter(media_kind="video").count() >= 6
    assert clips.filter(is_generated=False).count() >= 8
    generated = clips.filter(is_generated=True)
    assert generated.count() >= 8
    categories = set(
        Artifact.objects.filter(clip__is_generated=True).values_list("category", flat=True)
    )
    assert len(categories) >= 6
    assert not generated.filter(artifacts__isnull=True).exists()
    for clip in clips.filter(is_generated=False):
        assert clip.credit and clip.license, clip.key
    assert set(clips.values_list("status", flat=True)) == {"ready"}
    assert "synthesizer" in demo_pack.description


def test_the_demo_credentials_reach_the_clips_for_the_feedback(demo_pack, demo_build_dir):
    items = synth.build_demo_media(demo_build_dir)
    expected = {i["key"]: i["provenance"] for i in items if "provenance" in i}
    assert {p["state"] for p in expected.values()} == {"trusted", "invalid", "none"}
    stored = dict(Clip.objects.filter(key__in=expected).values_list("key", "provenance"))
    assert stored == expected
    trusted = next(p for p in stored.values() if p["state"] == "trusted")
    assert trusted["claim_generator"] == "Second Look synthesizer"
    # Every other clip was never checked: an empty record, which the feedback leaves out.
    assert not Clip.objects.exclude(key__in=expected).exclude(provenance={}).exists()


def test_the_demo_credentials_survive_an_export_and_import(demo_pack, tmp_path):
    before = dict(Clip.objects.exclude(provenance={}).values_list("key", "provenance"))
    assert len(before) == 3
    out = tmp_path / "demo.zip"
    call_command("export_pack", str(out), "--title", "Demo round trip", stdout=io.StringIO())
    QuizItem.objects.all().delete()
    Quiz.objects.all().delete()
    Clip.objects.all().delete()
    import_pack(out)
    assert dict(Clip.objects.exclude(provenance={}).values_list("key", "provenance")) == before


def test_running_the_build_twice_changes_nothing(demo_pack, demo_build_dir, settings, capsys):
    settings.DEMO_BUILD_DIR = demo_build_dir
    before = _snapshot()
    call_command("build_demo_pack", "--no-replays")
    assert "0 clips created" in capsys.readouterr().out
    assert _snapshot() == before


def test_every_pair_round_has_one_generated_and_one_real_clip(demo_pack):
    for item in demo_pack.items.filter(kind="pair").select_related("clip", "other_clip"):
        assert item.clip.is_generated != item.other_clip.is_generated
        assert item.clip.media_kind == item.other_clip.media_kind


def test_demo_pairs_are_twins_and_no_single_has_its_twin_in_the_quiz(demo_pack):
    """A pair shows a generated item beside its untouched real twin (same source, size and
    length), so only the giveaway decides it; and a single round never has its twin
    elsewhere in the quiz, so no round is answered by remembering another."""
    twins = synth.build.TWINS
    items = list(demo_pack.items.select_related("clip", "other_clip"))
    kinds = [item.kind for item in items]
    assert (kinds.count("single"), kinds.count("pair"), kinds.count("spot")) == (9, 3, 3)
    for item in items:
        if item.is_pair:
            generated, real = sorted((item.clip, item.other_clip), key=lambda c: not c.is_generated)
            assert twins[generated.key] == real.key
            assert source_family(generated.credit) == source_family(real.credit)
            assert (generated.width, generated.height) == (real.width, real.height)
    singles = {item.clip.key for item in items if not item.is_pair}
    for generated_key, real_key in twins.items():
        assert not {generated_key, real_key} <= singles, generated_key
    truths = [item.clip.is_generated for item in items if item.kind == "single"]
    assert abs(truths.count(True) - truths.count(False)) <= 1


def test_the_demo_quiz_has_three_spot_rounds_on_items_shown_nowhere_else(demo_pack):
    """A spot round says its clip is generated: a generated item with a marked giveaway that
    no other round of the quiz shows, spread among the other rounds."""
    items = list(demo_pack.items.select_related("clip", "other_clip").order_by("position"))
    spots = [item for item in items if item.is_spot]
    assert len(spots) == 3
    others = {clip.pk for item in items if not item.is_spot for clip in item.clips}
    for item in spots:
        assert item.clip.is_generated and item.other_clip is None
        assert item.clip.artifacts.exists()
        assert item.clip.pk not in others
    positions = [item.position for item in spots]
    assert positions[0] > 1 and positions[-1] - positions[0] >= 6


def test_posters_exist_for_every_video(demo_pack):
    for clip in Clip.objects.filter(media_kind="video"):
        assert clip.poster and (Path(settings.MEDIA_ROOT) / clip.poster.name).stat().st_size > 0


@pytest.mark.integration
def test_the_build_runs_as_a_celery_task_on_a_real_worker(celery_worker, demo_build_dir, settings):
    from quiz.tasks import demo_pack_build

    settings.DEMO_BUILD_DIR = demo_build_dir
    result = demo_pack_build.delay().get(timeout=300)
    assert result["created"] == Clip.objects.count() >= 16
    assert Quiz.objects.filter(slug="demo").exists()
    again = demo_pack_build.delay().get(timeout=300)
    assert again == {"created": 0, "skipped": result["created"], "quizzes_created": 0}
