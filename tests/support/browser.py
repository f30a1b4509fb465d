"""Debian Chromium driven by Playwright, as the browser tests use it."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def chromium_page(timeout_ms: int = 10_000, **context_options: Any) -> Iterator[Any]:
    """A fresh page in a fresh headless Chromium (Japanese locale, laptop viewport unless told otherwise).

    Fails, never skips, when Chromium is missing: the test command installs it."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/ensure-chromium")
    from playwright.sync_api import sync_playwright

    options = {"viewport": {"width": 1280, "height": 900}, "locale": "ja-JP", **context_options}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(**options)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def screenshot(page: Any, name: str, tmp_path: Path) -> None:
    """Save a full-page screenshot in $LINECOMM_SCREENSHOTS (or the test's tmp folder) to look at."""
    folder = Path(os.environ.get("LINECOMM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
