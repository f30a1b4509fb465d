"""A marketer opens the KPI dashboard in Chromium (Playwright), changes the date range and the cohort, sees
the charts and tables follow, and downloads a table as a CSV file (UTF-8 with a BOM)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from linecomm.kpis import snapshot
from tests.admin.console import PASSWORD, Console
from tests.kpis.builder import D, at, build
from tests.support.browser import chromium_page, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page() -> Iterator[object]:
    with chromium_page(timeout_ms=15_000, accept_downloads=True) as page:
        yield page


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_marketer_filters_the_dashboard_and_downloads_a_csv(  # type: ignore[no-untyped-def]
        console: Console, browser_page, tmp_path: Path) -> None:
    page = browser_page
    community = console.community
    with community.session() as s:
        build(s)
    with community.session() as s:
        snapshot.snapshot_day(s, D, at(D + timedelta(days=1)))
    email = console.staff("marketer", name="分析")
    page.goto(community.base_url + "/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=KPI")
    page.wait_for_selector("[data-kpi-range]")
    page.fill("input[name=from]", (D - timedelta(days=6)).isoformat())
    page.fill("input[name=to]", D.isoformat())
    page.click("[data-kpi-filters] button[type=submit]")
    page.wait_for_selector("text=2026-11-04 〜 2026-11-10（日本時間）・全体")
    assert page.locator("svg.kpi-chart").count() >= 8
    page.select_option("select[name=cohort]", "2期")
    page.click("[data-kpi-filters] button[type=submit]")
    page.wait_for_selector("text=2026-11-04 〜 2026-11-10（日本時間）・2期")
    assert "cohort=2%E6%9C%9F" in page.url
    page.click("[data-table=members-daily] summary")
    cells = page.locator("[data-table=members-daily] tbody tr").last.locator("td").all_text_contents()
    assert cells == ["2026-11-10", "0", "0", "1"]  # 2期 on D: no members, no joins, C left
    screenshot(page, "kpi-dashboard", tmp_path)
    with page.expect_download() as info:
        page.click("[data-csv=members-daily]")
    download = info.value
    path = tmp_path / "members.csv"
    download.save_as(path)
    data = path.read_bytes()
    assert download.suggested_filename == "kpi-members-daily-2026-11-04-2026-11-10.csv"
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").splitlines()[-1] == "2026-11-10,0,0,1"
