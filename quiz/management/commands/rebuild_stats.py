from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from quiz.stats.aggregation import rebuild


class Command(BaseCommand):
    help = "Recompute every aggregate count table from the answers table."

    def handle(self, *args: Any, **options: Any) -> None:
        counted = rebuild()
        self.stdout.write(f"Rebuilt the statistics from {counted} answers.")
