"""Clip packs in Chromium: a curator imports a pack (an upload progress bar, then the job's
progress bar polled by htmx while a real Celery worker runs it, then the clips created), and a
teacher exports the library's filtered clips and downloads the pack."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import School, User
from quiz.media.encode import encode_video
from quiz.models import Clip, PackJob
from quiz.packs.archive import read_pack
from quiz.services import packs as pack_services
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import _check
from tests.integration.test_packs import (
    Media,
    _foreign_video,
    _frames,
    _good_files,
    _good_manifest,
    _jpeg,
    write_zip,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def pack_site(transactional_db, live_server, celery_worker, settings, tmp_path_factory):
    settings.PACK_WORK_DIR = tmp_path_factory.mktemp("pack-work")
    User.objects.create_user(
        "curator", password="look-again-5", role="teacher", is_staff=True, first_name="Cara"
    )
    school = School.objects.create(name="Riverside School")
    User.objects.create_user(
        "msrivers", password="look-again-2", role="teacher", school=school, first_name="Ms"
    )
    return live_server


@pytest.fixture
def pack_file(tmp_path) -> Path:
    _foreign_video(tmp_path / "foreign.mp4")
    encode_video(_frames(), tmp_path / "ours.mp4")
    media = Media(
        video=(tmp_path / "foreign.mp4").read_bytes(),
        h264=(tmp_path / "ours.mp4").read_bytes(),
        photo=_jpeg((200, 120, 40)),
        other_photo=_jpeg((20, 90, 160)),
    )
    return write_zip(tmp_path / "wildlife-pack.zip", _good_files(media), _good_manifest())


@pytest.fixture
def slow_worker(monkeypatch) -> None:
    """Each stored step of the worker takes a moment, so the bar can be seen moving (the worker
    is a thread of this process, so it runs the patched function)."""
    real = pack_services.job_progress_record

    def slowly(**kwargs) -> None:
        real(**kwargs)
        time.sleep(0.4)

    monkeypatch.setattr(pack_services, "job_progress_record", slowly)


def test_curator_imports_a_pack_and_sees_progress_then_the_clips(
    page: Page, pack_site, pack_file, slow_worker
):
    base = pack_site.url
    sign_in(page, base, "curator", "look-again-5")
    page.goto(f"{base}/library/")
    page.get_by_role("link", name="Clip packs: import and export").click()
    expect(page.get_by_role("heading", name="Clip packs", exact=True)).to_be_visible()
    _check(page, "clip packs page")

    page.get_by_label("Clip pack (.zip)").set_input_files(str(pack_file))
    expect(page.get_by_text("wildlife-pack.zip")).to_be_visible()
    # A slow connection, so the upload's own progress bar shows before the job page opens.
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1500},
    )
    page.get_by_role("button", name="Import the pack").click()
    expect(page.get_by_label("Sending the pack")).to_be_visible()
    expect(page.locator("[data-pack-state]")).to_contain_text("Sending the pack")

    page.wait_for_url(re.compile(r"/library/packs/jobs/\d+/$"), timeout=30_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(page.get_by_role("heading", name="Import of wildlife-pack.zip")).to_be_visible()
    # The worker's progress, polled by htmx: a bar and the stage in words.
    expect(page.locator("#pack-job progress")).to_be_visible()
    expect(page.locator("#pack-job-stage")).to_contain_text(
        re.compile(r"Checking|Encoding|Saving|Waiting")
    )
    _check(page, "import in progress")

    expect(page.get_by_role("heading", name="Imported")).to_be_visible(timeout=60_000)
    expect(page.locator("#pack-job progress")).to_have_count(0)
    expect(page.locator(".pack-result")).to_contain_text("3 clips created")
    created = page.locator(".pack-created li a")
    expect(created).to_have_count(3)
    # Screen readers heard the end of the job in the page's live region.
    expect(page.locator("#announce")).to_contain_text("Import finished: 3 clips created")
    _check(page, "import finished")

    job = PackJob.objects.get()
    assert (job.status, job.progress_done, job.progress_total) == ("done", 3, 3)
    created.first.click()
    expect(page).to_have_url(re.compile(r"/library/clips/\d+/$"))

    # The import is listed on the packs page, done.
    page.goto(f"{base}/library/packs/import/")
    expect(page.locator(f"#pack-job-{job.pk}")).to_contain_text("3 clips created")


def test_teacher_exports_the_filtered_clips_and_downloads_the_pack(
    page: Page, pack_site, pack_file, tmp_path
):
    from quiz.packs.importer import import_pack

    import_pack(pack_file)
    base = pack_site.url
    sign_in(page, base, "msrivers", "look-again-2")
    page.goto(f"{base}/library/")
    page.get_by_label("Real or generated", exact=True).select_option("real")
    expect(page.locator("#results-title")).to_have_text("2 clips")
    page.get_by_role("button", name="Export these clips as a pack").click()

    page.wait_for_url(re.compile(r"/library/packs/jobs/\d+/$"))
    download_link = page.get_by_role("link", name=re.compile(r"^Download second-look-clips-"))
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator(".pack-result")).to_have_text("The pack holds 2 clips.")
    _check(page, "export finished")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"second-look-clips-[a-z0-9-]+\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workdir = tmp_path / "check"
    workdir.mkdir()
    manifest = read_pack(saved, workdir)
    real = Clip.objects.filter(is_generated=False).values_list("key", flat=True)
    assert sorted(item["key"] for item in manifest.items) == sorted(real)
