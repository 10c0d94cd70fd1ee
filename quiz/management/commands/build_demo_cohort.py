from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from quiz.demo_cohort import DemoCohortError, demo_cohort_build
from quiz.stats import aggregation


class Command(BaseCommand):
    help = (
        "Create (once) simulated classes in the demo school that have played a pre- and a "
        "post-test, so the demo educator's insight pages have figures to show."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_cohort_build()
        except DemoCohortError as error:
            raise CommandError(str(error)) from error
        # Fold now rather than wait for a worker, so the pages show the cohort at once
        # (folding is safe alongside a worker that does the same).
        aggregation.fold_all()
        if report.classes_created:
            self.stdout.write(
                f"Demo cohort: {report.classes_created} simulated classes, "
                f"{report.answers} answers."
            )
        else:
            self.stdout.write("Demo cohort: already there.")
