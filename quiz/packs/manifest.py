"""manifest.json of a clip pack: parse it, validate it against manifest.schema.json, and
check the rules a schema cannot express (safe paths, each file listed once, unique keys, the
artifact rule of quiz.packs.format). No files, no database: every pack meets these checks
before a byte of it is unpacked, and every export meets them before it is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from quiz.media.files import shown
from quiz.packs.format import (
    MANIFEST_NAME,
    MAX_PROBLEMS,
    PACK_FORMAT,
    PACK_VERSION,
    ArtifactProblem,
    PackError,
    artifact_problems,
    item_label,
    number_words,
)

SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
_DRIVE = re.compile(r"^[A-Za-z]:")


def folded(name: str) -> str:
    """A file name as macOS and Windows compare them: names that differ only in case or
    Unicode form are one file there."""
    return unicodedata.normalize("NFKC", name).casefold()


def path_problem(name: str) -> str | None:
    """Why `name` is not a safe relative path inside a pack, or None."""
    if "\x00" in name:
        return _("the path contains a NUL character")
    if "\\" in name:
        return _("the path contains a backslash; use forward slashes")
    if name.startswith("/") or _DRIVE.match(name):
        return _("the path is absolute; paths must be relative to the pack")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        return _("the path contains control characters")
    parts = name.removesuffix("/").split("/")
    if ".." in parts:
        return _("the path contains '..', which would leave the pack")
    if "" in parts or "." in parts:
        return _("the path has an empty or '.' segment")
    return None


# --------------------------------------------------------------------------------------------
# The manifest: parse, schema, the rules a schema cannot express
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(load_schema())


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently; a manifest that says "file" twice is
    # ambiguous, and which one wins must not be a guess.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    # NaN slips through "minimum"/"maximum" checks (every comparison with it is false).
    raise ValueError(name)


def parse_manifest(raw: bytes) -> Any:
    """Parse manifest.json, refusing what json would accept silently (NaN, repeated keys)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackError(
            [_("manifest.json is not UTF-8 text (byte %(offset)d)") % {"offset": error.start}]
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except json.JSONDecodeError as error:
        message = _(
            "manifest.json is not valid JSON: %(error)s at line %(line)d, column %(column)d"
        )
        raise PackError(
            [message % {"error": error.msg, "line": error.lineno, "column": error.colno}]
        ) from None
    except _DuplicateKey as error:
        message = _("manifest.json is not valid: the key %(key)s appears twice in one object")
        raise PackError([message % {"key": json.dumps(shown(str(error)))}]) from None
    except ValueError as error:
        # NaN/Infinity, or an integer with more digits than Python will parse.
        message = _("manifest.json is not valid JSON: %(error)s is not allowed")
        raise PackError([message % {"error": shown(str(error), 60)}]) from None
    except RecursionError:
        raise PackError([_("manifest.json is not valid: it is nested too deeply")]) from None


_BOX_PARTS = ("x", "y", "width", "height")


def _where(path: list[Any]) -> str:
    """A schema error's place in words: "artifact 2, box width" rather than a JSON pointer."""
    words: list[str] = []
    index = 0
    while index < len(path):
        part = path[index]
        following = path[index + 1] if index + 1 < len(path) else None
        if part == "artifacts" and isinstance(following, int):
            words.append(_("artifact %(number)d") % {"number": following + 1})
            index += 2
        elif part == "box" and isinstance(following, int) and following < len(_BOX_PARTS):
            words.append(f"box {_BOX_PARTS[following]}")
            index += 2
        else:
            words.append(f"[{part}]" if isinstance(part, int) else str(part))
            index += 1
    return ", ".join(words)


def _schema_message(error: ValidationError) -> str:
    field = error.absolute_path[-1] if error.absolute_path else None
    if error.validator == "enum" and field == "category":
        codes = ", ".join(
            _validator().schema["$defs"]["artifact"]["properties"]["category"]["enum"]
        )
        return _("unknown category %(value)s (known: %(codes)s)") % {
            "value": shown(json.dumps(error.instance), 40),
            "codes": codes,
        }
    if error.validator == "pattern":
        if field == "file":
            return path_problem(error.instance) or _(
                "the path must be relative, with forward slashes and no control characters"
            )
        if field == "key":
            return _("a key may only contain letters, digits, '-' and '_'")
        if field == "source_url":
            return _("source_url must be empty or an http(s) URL")
    if error.validator == "maxLength":
        return _("is too long: %(length)d characters, at most %(limit)d") % {
            "length": len(error.instance),
            "limit": error.validator_value,
        }
    if error.validator == "maxItems":
        return _("has %(count)d entries, at most %(limit)d") % {
            "count": len(error.instance),
            "limit": error.validator_value,
        }
    # jsonschema's own wording ("1.2 is greater than the maximum of 1") is clear, but it
    # starts with the value, which may be huge.
    text = error.message
    value = repr(error.instance)
    if len(value) > 60 and text.startswith(value):
        text = shown(value, 40) + text[len(value) :]
    return shown(text, 300)


def _error_order(error: ValidationError) -> list[tuple[int, int | str]]:
    return [(0, p) if isinstance(p, int) else (1, str(p)) for p in error.absolute_path]


def check_manifest(
    data: Any, *, label: Callable[[int, dict[str, Any]], str] = item_label
) -> list[str]:
    """Every problem with a parsed manifest (schema first, then the cross-field rules);
    empty if it is a valid v1 manifest. No files, no database."""
    if not isinstance(data, dict):
        return [_("manifest.json must hold a JSON object with format, version, title and items")]
    if data.get("format") != PACK_FORMAT:
        return [
            _('this is not a Second Look pack: format is %(value)s, expected "%(expected)s"')
            % {"value": shown(json.dumps(data.get("format")), 60), "expected": PACK_FORMAT}
        ]
    version = data.get("version")
    if isinstance(version, bool) or version != PACK_VERSION:
        # Nothing else about a pack of another version can be judged by the v1 rules.
        return [
            _("this pack is format version %(value)s; this Second Look reads version %(ours)d")
            % {"value": shown(json.dumps(version), 20), "ours": PACK_VERSION}
        ]
    errors = sorted(_validator().iter_errors(data), key=_error_order)
    if errors:
        problems = []
        items = data.get("items")
        for error in errors[:MAX_PROBLEMS]:
            path = list(error.absolute_path)
            if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
                where = label(path[1], items[path[1]])
                if len(path) > 2:
                    where = f"{where}, {_where(path[2:])}"
            else:
                where = _where(path) or "manifest.json"
            problems.append(f"{where}: {_schema_message(error)}")
        if len(errors) > MAX_PROBLEMS:
            more = len(errors) - MAX_PROBLEMS
            problems.append(_("… and %(count)d more problems") % {"count": more})
        return problems
    return _cross_field_problems(data["items"], label)


def _cross_field_problems(
    items: list[dict[str, Any]], label: Callable[[int, dict[str, Any]], str]
) -> list[str]:
    problems: list[str] = []
    files: dict[str, int] = {}
    keys: dict[str, int] = {}
    for index, item in enumerate(items):
        where = label(index, item)
        file = item["file"]
        unsafe = path_problem(file)
        if unsafe:
            problems.append(f"{where}: {unsafe}")
        elif file == MANIFEST_NAME:
            problems.append(f"{where}: " + _("manifest.json is not a media file"))
        first = files.setdefault(folded(file), index)
        if first != index:
            problems.append(
                f"{where}: "
                + _("the file is already listed by item %(number)d") % {"number": first + 1}
            )
        if "key" in item:
            first = keys.setdefault(item["key"], index)
            if first != index:
                problems.append(
                    f"{where}: "
                    + _("the key %(key)s is already used by item %(number)d")
                    % {"key": item["key"], "number": first + 1}
                )
        for number, artifact in enumerate(item.get("artifacts", []), start=1):
            problems.extend(
                artifact_pack_problems(
                    f"{where}, " + _("artifact %(number)d") % {"number": number},
                    artifact,
                    media_kind=item.get("media_kind"),
                )
            )
    return problems


def checked_manifest(raw: bytes) -> dict[str, Any]:
    """manifest.json parsed and checked; PackError with every problem otherwise."""
    data = parse_manifest(raw)
    problems = check_manifest(data)
    if problems:
        raise PackError(problems)
    return data


def _pack_words(problem: ArtifactProblem) -> str:
    """An artifact problem in the pack format's own terms (box x + width, start_s, ...)."""
    params = problem.params
    if problem.code == "past_right_edge":
        return _("box x + width is %(sum)s, more than 1 (the box leaves the frame)") % {
            "sum": number_words(params["sum"])
        }
    if problem.code == "past_bottom_edge":
        return _("box y + height is %(sum)s, more than 1 (the box leaves the frame)") % {
            "sum": number_words(params["sum"])
        }
    if problem.code == "image_has_times":
        return _("an image has no timeline: leave start_s and end_s out (or null)")
    if problem.code == "end_before_start":
        return _("end_s (%(end)s s) is before start_s (%(start)s s)") % {
            "end": number_words(params["end"]),
            "start": number_words(params["start"]),
        }
    if problem.code == "after_clip":
        return _("%(field)s is %(value)s s, but the video lasts %(duration)s s") % {
            "field": problem.field,
            "value": number_words(params["value"]),
            "duration": number_words(params["duration"]),
        }
    # The schema refuses the rest (a box value outside 0..1, a negative time) first.
    return problem.message


def artifact_pack_problems(
    where: str,
    artifact: dict[str, Any],
    *,
    media_kind: str | None,
    duration_s: float | None = None,
) -> list[str]:
    """The artifact rule (quiz.packs.format.artifact_problems) on one artifact of a pack, in
    the format's words, each prefixed with `where`. `media_kind` None means not yet known
    (decided by the file's content later); `duration_s` is the measured length."""
    problems = artifact_problems(
        box=artifact["box"],
        start_s=artifact.get("start_s"),
        end_s=artifact.get("end_s"),
        media_kind=media_kind,
        duration_s=duration_s,
    )
    return [f"{where}: {_pack_words(problem)}" for problem in problems]


__all__ = [
    "SCHEMA_PATH",
    "artifact_pack_problems",
    "check_manifest",
    "checked_manifest",
    "folded",
    "load_schema",
    "parse_manifest",
    "path_problem",
]
