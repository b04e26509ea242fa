"""Debian's Chromium under Playwright, as the browser tests drive it (Playwright's own download fails here)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def chromium_path() -> str:
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    if "browser" in os.environ.get("MEDIA_TESTS_REQUIRE", "").split(","):
        pytest.fail(f"MEDIA_TESTS_REQUIRE=browser, but there is no Chromium at {CHROMIUM}")
    pytest.skip("no Chromium: apt-get install chromium")


def chromium_page(playwright):
    """A laptop-sized page in a fresh headless Chromium, with waits long enough for a 2-core machine,
    which renders the first pages slowly."""
    from playwright.sync_api import expect

    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(60_000)
    expect.set_options(timeout=60_000)
    return page
