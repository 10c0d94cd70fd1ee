"""A bench library shared by the benchmarks: the arguments that name the services they run
on, and `count` ready clips (every other one generated, one in four an image) and the
artifacts of the generated ones, made with bulk inserts after Django is set up
(bench/aggregate.py, bench/submit.py)."""

from __future__ import annotations

import argparse
import os
from typing import Any


def add_service_arguments(parser: argparse.ArgumentParser, *, redis_db: int | None) -> None:
    """--server (the PostgreSQL server, BENCH_DATABASE_SERVER) and, with `redis_db`, --redis
    (BENCH_REDIS_URL, that database of the local Redis by default)."""
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432"),
    )
    if redis_db is not None:
        parser.add_argument(
            "--redis",
            default=os.environ.get("BENCH_REDIS_URL", f"redis://127.0.0.1:6379/{redis_db}"),
        )


GENERATORS = ["Sora 2", "Veo 3", "Runway Gen-4", "Kling 2", "Demo synthesizer"]
CATEGORY_CODES = ["anatomy", "physics", "text", "lighting", "morphing", "count", "motion"]


def bench_clips(count: int, **extra: Any) -> list:
    """Create the clips and their artifacts; `extra` fields go on every clip (e.g. texts)."""
    from quiz.models import Artifact, Clip

    clips = Clip.objects.bulk_create(
        [
            Clip(
                key=f"bench-{k}",
                media_kind="video" if k % 4 else "image",
                status="ready",
                is_generated=k % 2 == 0,
                generator=GENERATORS[k % len(GENERATORS)] if k % 2 == 0 else "camera",
                media=f"clips/bench{k}.mp4",
                **extra,
            )
            for k in range(count)
        ]
    )
    Artifact.objects.bulk_create(
        [
            Artifact(
                clip=clip,
                category=CATEGORY_CODES[(k + j) % len(CATEGORY_CODES)],
                start_s=0.5,
                end_s=1.5,
                box_x=0.1,
                box_y=0.1,
                box_w=0.2,
                box_h=0.2,
                explanation="A giveaway to look for.",
            )
            for k, clip in enumerate(clips)
            if clip.is_generated
            for j in range(1 + k % 2)
        ]
    )
    return clips
