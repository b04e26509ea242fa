"""What an operator sees in the Dagster UI, in a real browser: `media-lake ui` on a lake the CLI filled,
opened in headless Chromium (Debian's package, driven by Playwright; browser downloads fail here). Set
MEDIA_UI_SCREENSHOTS=DIR to keep the pages as PNG files (the README's screenshots come from this test)."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from media_pipelines.cli import main
from media_pipelines.defs.renditions.checks import DESCRIPTIONS, LOUDNESS_CHECK
from media_pipelines_tests.chromium import chromium_page
from media_pipelines_tests.conftest import REPO, deliver, free_port

TITLE = "edits"


def _wait_until_serving(url: str, server: subprocess.Popen, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.poll() is None, "media-lake ui exited"
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} not serving after {timeout_s} s")


@pytest.fixture
def ui(project, media):
    """A title run by the CLI, then `media-lake ui` on the same instance; yields the UI's base URL."""
    shutil.copy(REPO / "workspace.yaml", project / "workspace.yaml")
    deliver(project / "data" / "landing", TITLE, media["edits"])
    assert main(["run"]) == 0
    port = free_port()
    log = (project / "ui.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "media_pipelines.cli", "ui", "--port", str(port)],
        cwd=project, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_until_serving(f"http://127.0.0.1:{port}/server_info", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a code server may wait out its 60 s grace for open calls
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()
    output = (project / "ui.log").read_text()
    assert "temporary" not in output.lower(), output  # dagster dev ran on the persistent instance


def test_an_operator_sees_the_pipeline_a_titles_checks_and_its_previews(ui):
    from playwright.sync_api import expect, sync_playwright

    shots_dir = os.environ.get("MEDIA_UI_SCREENSHOTS")
    with sync_playwright() as playwright:
        page = chromium_page(playwright)

        def shoot(name: str) -> None:
            if shots_dir:
                page.screenshot(path=str(Path(shots_dir) / f"{name}.png"))

        # Dagster's first-visit newsletter prompt opens a second after a page renders, over whatever the
        # test is about to click; Playwright dismisses it whenever it shows up before an action or check.
        page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())

        # The asset graph: the pipeline's three groups and its stages.
        page.goto(f"{ui}/asset-groups")
        for group in ("ingest", "analysis", "media_table"):
            expect(page.get_by_text(group, exact=True).first).to_be_visible()
        expect(page.get_by_text("fetching statuses")).to_have_count(0)
        shoot("lineage")

        # A title's checks: each with its description, the latest result of this title.
        page.goto(f"{ui}/assets/renditions?view=checks")
        page.get_by_text(LOUDNESS_CHECK, exact=True).first.click()
        expect(page.get_by_text(DESCRIPTIONS[LOUDNESS_CHECK]).first).to_be_visible()
        latest = page.get_by_role("row").filter(has_text="title_id")
        expect(latest.first).to_contain_text(TITLE)  # the result says which title it judged
        shoot("checks")

        # The per-title view: the summary's page for the title, with every stage and its previews.
        page.goto(f"{ui}/assets/title_summary?view=partitions&partition={TITLE}")
        expect(page.get_by_text("qc_status").first).to_be_visible()
        expect(page.get_by_text("stages", exact=True).first).to_be_visible()
        expect(page.get_by_text("timeline", exact=True).first).to_be_visible()
        stages = page.get_by_role("row").filter(has_text="subtitle_alignment")
        expect(stages.first).to_be_visible()  # the stage table is shown inline, not behind a button
        expect(page.get_by_text("contact_sheet", exact=False).first).to_be_visible()
        page.get_by_text("stages", exact=True).first.evaluate("cell => cell.scrollIntoView({block: 'start'})")
        shoot("title")
        page.context.browser.close()
