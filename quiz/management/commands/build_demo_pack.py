from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Build the demo pack offline (deterministic, cached) and import it with its quizzes. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-replays",
            action="store_true",
            help="Do not queue the magnified replays of the demo's artifacts.",
        )
        parser.add_argument(
            "--celery",
            action="store_true",
            help="Queue the build as a Celery task and wait for a worker to finish it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["celery"]:
            from quiz.tasks import demo_pack_build

            result = demo_pack_build.delay().get(timeout=600)
        else:
            from quiz.packs.demo import demo_pack_install

            result = demo_pack_install().as_dict()
        self.stdout.write(
            "Demo pack: {created} clips created, {skipped} already present, "
            "{quizzes_created} quizzes created.".format(**result)
        )
        if not options["no_replays"]:
            from quiz.services.library import artifact_replays_queue_missing

            # Rendered by the worker in the background; the feedback shows each when ready.
            queued = artifact_replays_queue_missing()
            self.stdout.write(f"{queued} magnified replays queued.")
