"""The KPI dashboard in the console: marketers and owners only; the range and cohort filter every section;
a day without a snapshot says so instead of showing 0; bad parameters get the page with a Japanese
message (400), never a 500; every table downloads as CSV (UTF-8 with a BOM, formula-like cells kept as
text, numbers as numbers)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import update

from linecomm.kpis import snapshot
from linecomm.members.models import Member
from tests.admin.console import Console
from tests.kpis.builder import D, at, build
from tests.support.community import Community

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
RANGE = f"from={(D - timedelta(days=2)).isoformat()}&to={D.isoformat()}"


def stored_community(community: Community) -> dict[str, int]:
    with community.session() as s:
        ids = build(s)
        s.execute(update(Member).where(Member.id == ids["A"]).values(nickname="=HYPERLINK(\"x\")"))
    with community.session() as s:
        snapshot.snapshot_day(s, D, at(D + timedelta(days=1)))
    return ids


def test_only_marketers_and_owners_see_it(community: Community, console: Console) -> None:
    page = console.client("marketer").get("/admin/kpis")
    assert page.status_code == 200 and "アクティブ" in page.get_data(as_text=True)
    assert console.client("owner").get("/admin/kpis").status_code == 200
    assert console.client("moderator").get("/admin/kpis").status_code == 403
    assert console.client("moderator").get("/admin/kpis/members-daily.csv").status_code == 403
    assert console.anonymous().get("/admin/kpis").status_code in (302, 303)
    home = console.client("marketer").get("/admin/").get_data(as_text=True)
    assert 'href="/admin/kpis"' in home


def test_the_range_and_cohort_filter_the_sections(community: Community, console: Console) -> None:
    stored_community(community)
    marketer = console.client("marketer")
    html = marketer.get(f"/admin/kpis?{RANGE}").get_data(as_text=True)
    assert "2026-11-08 〜 2026-11-10（日本時間）・全体" in html
    assert html.count("未集計") >= 3  # Nov 8 and 9 have no snapshot: not shown as 0
    assert "<svg" in html and 'role="img"' in html and "<title id=\"kpi-members-t\">メンバー数の推移</title>" in html
    assert "期間のNPS：<strong>33</strong>" in html
    second = marketer.get(f"/admin/kpis?{RANGE}&cohort=2期").get_data(as_text=True)
    assert "・2期" in second and "期間のNPS：<span class=\"kpi-missing\">回答がありません" in second


BAD = [
    ("from=2026-13-01", "開始日の日付は「2026-04-01」の形で"),
    ("from=yesterday", "開始日の日付は"),
    ("to=2999-01-01", "未来の日付"),
    ("from=2026-11-10&to=2026-11-01", "開始日は終了日より前"),
    ("from=2020-01-01&to=2026-11-01", "期間は731日以内"),
    ("cohort=%3Cscript%3E", "選んだ期が見つかりません"),
]


def test_bad_parameters_get_a_japanese_message(community: Community, console: Console) -> None:
    marketer = console.client("marketer")
    for query, message in BAD:
        response = marketer.get(f"/admin/kpis?{query}")
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body and "<script>" not in body, query
        csv_response = marketer.get(f"/admin/kpis/members-daily.csv?{query}")
        assert csv_response.status_code == 400 and message in csv_response.get_data(as_text=True), query


def test_every_table_downloads_as_csv_with_a_bom(community: Community, console: Console) -> None:
    stored_community(community)
    marketer = console.client("marketer")
    html = marketer.get(f"/admin/kpis?{RANGE}").get_data(as_text=True)
    keys = ["members-daily", "members-blocks", "members-retention", "activity-daily", "ugc-daily", "ugc-posts",
            "cocreation-daily", "cocreation-surveys", "cocreation-stages", "nps-weekly", "referrals-daily",
            "referrals-top"]
    for key in keys:
        assert f'data-csv="{key}"' in html, key
        response = marketer.get(f"/admin/kpis/{key}.csv?{RANGE}")
        assert response.status_code == 200 and response.mimetype == "text/csv", key
        assert response.data.startswith(b"\xef\xbb\xbf"), key
    daily = marketer.get(f"/admin/kpis/members-daily.csv?{RANGE}").data.decode("utf-8-sig")
    members = list(csv.reader(io.StringIO(daily)))
    assert members[0] == ["日付（日本時間）", "メンバー数", "参加", "退会"]
    assert members[1:] == [["2026-11-08", "", "", ""], ["2026-11-09", "", "", ""], ["2026-11-10", "4", "1", "1"]]
    surveys = marketer.get(f"/admin/kpis/cocreation-surveys.csv?{RANGE}").data.decode("utf-8-sig").splitlines()
    assert surveys[1].endswith(",満足度,3,4,75.0%")  # 3 responses, 4 members at the end of the range
    top = marketer.get(f"/admin/kpis/referrals-top.csv?{RANGE}").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in top and "\r\n" in top
    for key in ("cost_monthly", "cost_daily"):  # the cost section's tables (linecomm/kpis/cost.py) go the same way
        response = marketer.get(f"/admin/kpis/{key}.csv?{RANGE}")
        assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf"), key
    assert marketer.get(f"/admin/kpis/nothing-here.csv?{RANGE}").status_code == 404
    assert marketer.get(f"/admin/kpis/members-nothing.csv?{RANGE}").status_code == 404
