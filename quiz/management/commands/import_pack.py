from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quiz.packs.format import PackError
from quiz.packs.importer import import_pack
from quiz.services.library import artifact_replays_queue_missing


class Command(BaseCommand):
    help = (
        "Import a clip pack (a .zip, or a folder with manifest.json) all or nothing. Clips "
        "whose key is already in the library are skipped, so running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the pack: a .zip or a folder")
        parser.add_argument(
            "--no-replays",
            action="store_true",
            help="Do not queue the magnified replays of the imported artifacts.",
        )

    def handle(self, *args: Any, path: Path, no_replays: bool = False, **options: Any) -> None:
        try:
            report = import_pack(path)
        except PackError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(
                ngettext(
                    "The pack was not imported (%(count)d problem above); nothing changed.",
                    "The pack was not imported (%(count)d problems above); nothing changed.",
                    len(error.problems),
                )
                % {"count": len(error.problems)}
            ) from None
        self.stdout.write(
            _("Imported %(created)d clips (%(skipped)d already present).")
            % {"created": len(report.created), "skipped": len(report.skipped)}
        )
        if not no_replays:
            queued = artifact_replays_queue_missing()
            self.stdout.write(_("%(count)d magnified replays queued.") % {"count": queued})
