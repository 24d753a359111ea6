"""Browser fixtures: Debian's Chromium driven by Playwright's sync API (never a downloaded browser)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and no calls home: the machine has no network beyond loopback.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# Module scope, not session: while Playwright's sync API is alive it marks its own
# event loop as running, and every pytest-asyncio test after it would fail.
@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """One Chromium per test module; tests using it must be plain (not async) functions."""
    if not CHROMIUM.is_file():
        pytest.fail(f"Browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
