"""The pack manifest (format v1): the JSON Schema and the rules a schema cannot express.

No database and no media: these are the checks every pack meets before a byte of it is
unpacked, so each message must name the item and what is wrong.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from quiz.categories import BY_CODE
from quiz.packs.format import MAX_PROBLEMS, PackError
from quiz.packs.manifest import check_manifest, load_schema, parse_manifest


def _artifact(**extra: Any) -> dict[str, Any]:
    return {
        "category": "physics",
        "start_s": 1.0,
        "end_s": 2.0,
        "box": [0.1, 0.2, 0.3, 0.4],
        "explanation": "the snow rises",
        **extra,
    }


def _item(file: str = "media/0001.mp4", **extra: Any) -> dict[str, Any]:
    return {
        "file": file,
        "is_generated": True,
        "media_kind": "video",
        "artifacts": [_artifact()],
        **extra,
    }


def _manifest(*items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "format": "second-look-pack",
        "version": 1,
        "title": "Test pack",
        "items": list(items) or [_item()],
        **extra,
    }


def _one(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


# --- the schema itself ----------------------------------------------------------------------


def test_the_schema_is_valid_draft_2020_12():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_the_schema_knows_exactly_the_categories_of_the_taxonomy():
    enum = load_schema()["$defs"]["artifact"]["properties"]["category"]["enum"]
    assert sorted(enum) == sorted(BY_CODE)


def test_the_example_of_the_design_document_is_valid():
    example = {
        "format": "second-look-pack",
        "version": 1,
        "title": "Sora 2 launch clips vs. stock footage",
        "items": [
            {
                "file": "media/0007.mp4",
                "is_generated": True,
                "generator": "Sora 2",
                "prompt": "a man rides a horse that stands on another horse",
                "credit": "OpenAI, sora.com",
                "license": "for education, see source",
                "source_url": "https://example.org/clip",
                "explanation": "what this clip teaches, shown after the answer",
                "artifacts": [
                    {
                        "category": "physics",
                        "start_s": 3.2,
                        "end_s": 4.0,
                        "box": [0.41, 0.22, 0.18, 0.30],
                        "explanation": "the rider's leg passes through the horse's neck",
                    }
                ],
            }
        ],
    }
    assert check_manifest(example) == []


def test_the_demo_build_manifest_is_valid(demo_build_dir):
    data = json.loads((demo_build_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "synth_version" in data
    assert check_manifest(data) == []


def test_a_minimal_item_needs_only_a_file_and_the_truth():
    assert check_manifest(_manifest({"file": "a.jpg", "is_generated": False})) == []


# --- what the schema refuses ----------------------------------------------------------------


def test_another_format_version_is_refused_with_one_clear_message():
    problem = _one(check_manifest(_manifest(version=2)))
    assert "format version 2" in problem
    assert "version 1" in problem


@pytest.mark.parametrize("version", [True, "1", None])
def test_a_version_that_only_looks_like_1_is_refused(version):
    assert "format version" in _one(check_manifest(_manifest(version=version)))


def test_a_wrong_format_string_is_refused():
    problem = _one(check_manifest(_manifest(format="zip-of-videos")))
    assert "not a Second Look pack" in problem
    assert "zip-of-videos" in problem


def test_a_manifest_that_is_not_an_object_is_refused():
    assert "JSON object" in _one(check_manifest([_item()]))


def test_an_unknown_category_is_named_with_the_item():
    data = _manifest(_item(artifacts=[_artifact(category="vibes")]))
    problem = _one(check_manifest(data))
    assert problem.startswith("item 1 (media/0001.mp4), artifact 1")
    assert 'unknown category "vibes"' in problem
    assert "anatomy" in problem  # lists what is known


def test_a_box_value_outside_0_to_1_is_refused():
    data = _manifest(_item(), _item("media/0002.mp4", artifacts=[_artifact(box=[0, 0, 1.2, 0.5])]))
    problem = _one(check_manifest(data))
    assert problem.startswith("item 2 (media/0002.mp4), artifact 1, box width")
    assert "1.2 is greater than the maximum of 1" in problem


@pytest.mark.parametrize("box", [[0, 0, 0, 0.5], [-0.1, 0, 0.5, 0.5], [0, 0, 0.5], [0, 0, 1, 1, 1]])
def test_an_empty_negative_or_misshapen_box_is_refused(box):
    assert check_manifest(_manifest(_item(artifacts=[_artifact(box=box)])))


def test_unknown_properties_are_refused_at_every_level():
    data = _manifest(_item(label="fake", artifacts=[_artifact(colour="red")]), comment="hello")
    problems = check_manifest(data)
    assert len(problems) == 3
    assert any("'comment' was unexpected" in p for p in problems)
    assert any(p.startswith("item 1 (media/0001.mp4): ") and "'label'" in p for p in problems)
    assert any("artifact 1" in p and "'colour'" in p for p in problems)


def test_the_truth_is_required():
    problem = _one(check_manifest(_manifest({"file": "a.mp4"})))
    assert problem == "item 1 (a.mp4): 'is_generated' is a required property"


def test_every_schema_problem_is_reported_not_just_the_first():
    data = _manifest(
        _item("a.mp4", generator="x" * 101),
        _item("b.mp4", artifacts=[_artifact(category="nope")]),
        _item("c.mp4", is_generated="yes"),
    )
    problems = check_manifest(data)
    assert [p.split(":")[0].split(",")[0] for p in problems] == [
        "item 1 (a.mp4)",
        "item 2 (b.mp4)",
        "item 3 (c.mp4)",
    ]
    assert "is too long" in problems[0]


def test_a_flood_of_problems_is_capped():
    data = _manifest(*[_item(f"{i}.mp4", is_generated="yes") for i in range(200)])
    problems = check_manifest(data)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "… and 150 more problems"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("generator", 100), ("credit", 300), ("description", 300), ("prompt", 5000)],
)
def test_text_fields_have_length_limits(field, limit):
    assert check_manifest(_manifest(_item(**{field: "x" * limit}))) == []
    problem = _one(check_manifest(_manifest(_item(**{field: "x" * (limit + 1)}))))
    assert (
        problem
        == f"item 1 (media/0001.mp4), {field}: is too long: {limit + 1} characters, at most {limit}"
    )


@pytest.mark.parametrize("url", ["", "https://example.org/clip", "http://a.b/c?d=e"])
def test_a_source_url_is_empty_or_http(url):
    assert check_manifest(_manifest(_item(source_url=url))) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "example.org"])
def test_a_source_url_that_is_not_http_is_refused(url):
    problem = _one(check_manifest(_manifest(_item(source_url=url))))
    assert "source_url must be empty or an http(s) URL" in problem


def test_a_key_must_be_a_slug():
    problem = _one(check_manifest(_manifest(_item(key="../etc"))))
    assert "a key may only contain letters, digits" in problem


def test_an_empty_item_list_is_refused():
    data = _manifest()
    data["items"] = []
    assert "items" in _one(check_manifest(data))


# --- the rules beyond the schema ------------------------------------------------------------


def test_a_box_leaving_the_frame_to_the_right_is_refused():
    data = _manifest(_item(artifacts=[_artifact(), _artifact(box=[0.9, 0.1, 0.3, 0.2])]))
    assert _one(check_manifest(data)) == (
        "item 1 (media/0001.mp4), artifact 2: box x + width is 1.2, more than 1 "
        "(the box leaves the frame)"
    )


def test_a_box_leaving_the_frame_at_the_bottom_is_refused():
    data = _manifest(_item(artifacts=[_artifact(box=[0.1, 0.75, 0.2, 0.5])]))
    assert "box y + height is 1.25, more than 1" in _one(check_manifest(data))


def test_a_box_filling_the_frame_exactly_is_fine():
    data = _manifest(_item(artifacts=[_artifact(box=[0.7, 0.6, 0.3, 0.4])]))
    assert check_manifest(data) == []


@given(
    st.tuples(
        st.floats(0, 1), st.floats(0, 1), st.floats(0, 1, exclude_min=True), st.floats(0, 1)
    ).filter(lambda b: b[3] > 0)
)
def test_a_box_is_accepted_exactly_when_it_lies_inside_the_frame(box):
    data = _manifest(_item(artifacts=[_artifact(box=list(box))]))
    x, y, w, h = box
    inside = x + w <= 1 + 1e-9 and y + h <= 1 + 1e-9
    assert (check_manifest(data) == []) == inside


def test_an_end_before_the_start_is_refused():
    data = _manifest(_item(artifacts=[_artifact(start_s=3.0, end_s=2.5)]))
    assert _one(check_manifest(data)) == (
        "item 1 (media/0001.mp4), artifact 1: end_s (2.5 s) is before start_s (3 s)"
    )


def test_an_open_ended_time_range_is_fine_on_a_video():
    data = _manifest(_item(artifacts=[_artifact(end_s=None), _artifact(start_s=None)]))
    assert check_manifest(data) == []


def test_times_on_an_image_are_refused():
    data = _manifest(_item("a.jpg", media_kind="image", artifacts=[_artifact()]))
    assert "an image has no timeline" in _one(check_manifest(data))


def test_an_image_artifact_without_times_is_fine():
    artifact = _artifact(start_s=None, end_s=None)
    del artifact["start_s"]
    data = _manifest(_item("a.jpg", media_kind="image", artifacts=[artifact]))
    assert check_manifest(data) == []


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("../x.mp4", "'..'"),
        ("media/../../x.mp4", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/clips/x.mp4", "absolute"),
        ("media\\x.mp4", "backslash"),
        ("media//x.mp4", "empty or '.' segment"),
        ("./x.mp4", "empty or '.' segment"),
        ("media/x\u202egpj.mp4", "control characters"),
        ("manifest.json", "not a media file"),
    ],
)
def test_unsafe_file_paths_are_refused(file, words):
    problems = check_manifest(_manifest(_item(file)))
    assert problems, file
    assert any(words in p for p in problems), problems


def test_a_file_listed_twice_is_refused_even_in_another_case():
    data = _manifest(_item("media/Clip.mp4"), _item("media/clip.mp4"))
    problem = _one(check_manifest(data))
    assert problem.startswith("item 2 (media/clip.mp4): the file is already listed by item 1")


def test_a_key_used_twice_is_refused():
    data = _manifest(_item("a.mp4", key="same"), _item("b.mp4", key="same"))
    assert "the key same is already used by item 1" in _one(check_manifest(data))


def test_names_from_the_pack_are_printed_without_control_characters():
    problem = _one(check_manifest(_manifest(_item("a\x1b[31m.mp4"))))
    assert "\x1b" not in problem
    assert "\\x1b" in problem


def test_check_manifest_does_not_change_its_input():
    data = _manifest(_item())
    before = copy.deepcopy(data)
    check_manifest(data)
    assert data == before


# --- parsing --------------------------------------------------------------------------------


def test_malformed_json_is_reported_with_line_and_column():
    with pytest.raises(PackError) as refused:
        parse_manifest(b'{\n  "format": "second-look-pack",\n  "version": 1,,\n}')
    assert refused.value.problems == [
        "manifest.json is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 3, column 16"
    ]


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_refused(constant):
    with pytest.raises(PackError) as refused:
        parse_manifest(b'{"box": [' + constant + b", 0, 0.1, 0.1]}")
    assert "is not allowed" in refused.value.problems[0]


def test_a_key_repeated_in_one_object_is_refused():
    with pytest.raises(PackError) as refused:
        parse_manifest(b'{"file": "a.mp4", "file": "b.mp4"}')
    assert 'the key "file" appears twice' in refused.value.problems[0]


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(PackError) as refused:
        parse_manifest('{"title": "caf\u00e9"}'.encode("latin-1"))
    assert "not UTF-8" in refused.value.problems[0]


def test_deep_nesting_is_refused_without_crashing():
    with pytest.raises(PackError) as refused:
        parse_manifest(b"[" * 100_000 + b"]" * 100_000)
    assert "nested too deeply" in refused.value.problems[0]


def test_a_byte_order_mark_is_accepted():
    assert parse_manifest(b"\xef\xbb\xbf" + json.dumps(_manifest()).encode()) == _manifest()


def test_pack_error_keeps_every_problem_and_caps_them():
    error = PackError([f"problem {i}" for i in range(60)])
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1] == "… and 10 more problems"
    assert str(error).startswith("problem 0\nproblem 1\n")
