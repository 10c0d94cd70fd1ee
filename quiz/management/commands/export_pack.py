from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from quiz.packs.exporter import export_pack
from quiz.packs.format import PackError


class Command(BaseCommand):
    help = (
        "Export every ready clip, with its labels, artifacts and provenance, as a clip pack "
        "zip that import_pack reads back into the same clips."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the .zip to write (replaced if present)")
        parser.add_argument("--title", default="", help="the pack's title")

    def handle(self, *args: Any, path: Path, title: str, **options: Any) -> None:
        try:
            count = export_pack(path, title=title or _("Second Look clip library"))
        except PackError as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(_("Nothing was exported.")) from None
        self.stdout.write(
            _("Exported %(count)d clips to %(path)s.") % {"count": count, "path": path}
        )
