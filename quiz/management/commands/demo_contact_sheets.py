from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Write contact sheets of the demo pack (built or reused in DEMO_BUILD_DIR) into OUT: "
        "six frames of each item with its artifact boxes, generated and real items apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="Folder for the PNG sheets.")
        parser.add_argument(
            "--pack",
            type=Path,
            help="A pack folder with manifest.json to draw instead of the demo pack.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from quiz.packs.contact_sheets import write_contact_sheets

        pack: Path | None = options["pack"]
        if pack is None:
            from quiz.packs import synth

            root = Path(settings.DEMO_BUILD_DIR)
            items = synth.build_demo_media(root)
        else:
            manifest = pack / "manifest.json"
            if not manifest.is_file():
                raise CommandError(f"{pack} has no manifest.json.")
            root, items = pack, json.loads(manifest.read_text())["items"]
        written = write_contact_sheets(root, items, options["out"])
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(f"{len(written)} contact sheets written for {len(items)} items.")
