"""Delete for good the students of classes archived more than N months ago.

`--dry-run` lists the classes and students and deletes nothing. N is
STUDENT_RETENTION_MONTHS unless `--months` says otherwise; the beat runs the same rule
daily when the setting is on (quiz.tasks.students_retention_purge).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quiz.services.privacy import retention_purge


class Command(BaseCommand):
    help = (
        "Delete for good the students of classes archived more than STUDENT_RETENTION_MONTHS "
        "(or --months) months ago who are in no other class; --dry-run only lists them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted; delete nothing"
        )
        parser.add_argument(
            "--months", type=int, default=None, help="override STUDENT_RETENTION_MONTHS"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        months = options["months"] or settings.STUDENT_RETENTION_MONTHS
        if options["months"] is not None and options["months"] < 1:
            raise CommandError("--months must be 1 or more.")
        if not months:
            raise CommandError(
                "Retention is off: set STUDENT_RETENTION_MONTHS, or pass --months N."
            )
        dry_run = options["dry_run"]
        run = retention_purge(months=months, dry_run=dry_run)
        plan = run.plan
        self.stdout.write(
            f"Classes archived before {plan.cutoff:%Y-%m-%d %H:%M %Z} ({months} months): "
            f"{len(plan.classes)}"
        )
        for classroom in plan.classes:
            self.stdout.write(
                f"  class {classroom.pk} “{classroom.name}” ({classroom.school.name}), "
                f"archived {classroom.archived_at:%Y-%m-%d}"
            )
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"Students {verb}: {len(plan.students)}")
        for student in plan.students:
            self.stdout.write(f"  {student.username}")
        if plan.kept:
            self.stdout.write(
                f"Students kept (also in a class still within the period): {len(plan.kept)}"
            )
            for student in plan.kept:
                self.stdout.write(f"  {student.username}")
        if run.erased is not None:
            self.stdout.write(
                f"Deleted {run.erased.students} students, {run.erased.attempts} attempts and "
                f"{run.erased.answers} answers; the statistics were corrected."
            )
        else:
            self.stdout.write("Dry run: nothing was deleted.")
