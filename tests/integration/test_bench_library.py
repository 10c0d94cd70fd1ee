"""The benchmarks' shared library (bench/library.py) makes what they measure against: ready
clips, every other one generated, with one or two artifacts on each generated one."""

from __future__ import annotations

import pytest

from bench.library import CATEGORY_CODES, bench_clips
from quiz.models import Artifact, Clip

pytestmark = pytest.mark.django_db


def test_bench_clips_are_ready_half_generated_and_annotated():
    clips = bench_clips(8, description="A bench clip")
    assert Clip.objects.filter(status="ready").count() == 8
    assert sum(c.is_generated for c in clips) == 4
    assert {c.media_kind for c in clips} == {"video", "image"}
    assert all(c.description == "A bench clip" for c in clips)
    artifacts = Artifact.objects.all()
    assert {a.clip.is_generated for a in artifacts} == {True}
    assert artifacts.count() == sum(1 + k % 2 for k in range(8) if k % 2 == 0)
    assert {a.category for a in artifacts} <= set(CATEGORY_CODES)
