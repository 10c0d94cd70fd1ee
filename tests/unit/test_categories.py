"""quiz.categories implements the taxonomy of docs/artifacts.md: they must agree."""

from __future__ import annotations

import re
from pathlib import Path

from quiz import categories

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_MD = ROOT / "docs" / "artifacts.md"


def test_codes_match_artifacts_md():
    text = ARTIFACTS_MD.read_text(encoding="utf-8")
    tells_part, decoys_part = text.split("## Decoys", 1)
    code = re.compile(r"^\| `([a-z_]+)` \|", re.MULTILINE)
    assert set(code.findall(tells_part)) == categories.TELL_CODES
    assert set(code.findall(decoys_part)) == categories.DECOY_CODES


def test_every_category_has_a_name_and_a_hint():
    for category in categories.TELLS + categories.DECOYS:
        assert str(category.name) and str(category.look_for)
        assert category.is_decoy == (category.code in categories.DECOY_CODES)
