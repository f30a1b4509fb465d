"""Operators drive pushes with `linecomm push ...` until the admin console has its pages."""
from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from linecomm.cli import main as cli
from linecomm.config import Settings
from tests.pushes.desk import Desk
from tests.pushes.processes import worker_env


@pytest.fixture
def run(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for key, value in worker_env(settings).items():
        if key.startswith(("LINE", "DATABASE", "REDIS")):
            monkeypatch.setenv(key, value)

    def invoke(*args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, ["push", *args], catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result

    return invoke


def test_an_operator_targets_previews_tests_and_sends_a_post(desk: Desk, run) -> None:  # type: ignore[no-untyped-def]
    members = desk.members(7)
    desk.members(3, cohort="2期生")
    staff = "U" + "c" * 32
    desk.fake.add_user(staff, "運営スタッフ")
    post_id = int(run("create", "--title", "週末のテーマ", "--text", "週末はどう過ごしますか？",
                      "--poll", "home:おうちで,out:おでかけ", "--cohort", "1期生").stdout)
    assert run("count", "--cohort", "1期生").output.strip() == "7"
    preview = run("preview", str(post_id)).output
    assert "配信（課金）7通" in preview and "action=vote&post=" in preview and "まだテスト配信をしていません" in preview
    run("staff", "add", staff, "--label", "運営")
    run("test", str(post_id))
    desk.wait_for(lambda: desk.fake.messages_to(staff))
    assert f"post {post_id} scheduled" in run("schedule", str(post_id), "--now").output
    delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
    desk.finish(delivery_id)
    assert all(len(desk.fake.messages_to(u)) == 1 for u in members)
    report = run("report", str(delivery_id)).output
    assert "配信済み" in report and "配信 7" in report
    assert "sent 7" in run("progress", str(delivery_id)).output
    assert f"#{post_id}" in run("list").output


def test_the_cli_refuses_a_send_over_the_quota_in_japanese(desk: Desk, run) -> None:  # type: ignore[no-untyped-def]
    desk.members(7)
    desk.fake.set_monthly_quota(3)
    post_id = run("create", "--title", "お知らせ", "--text", "新しい期の募集を始めました").stdout.strip()
    refused = run("schedule", post_id, "--now", ok=False)
    assert "配信対象は7人ですが、今月の残り配信可能数は3通です。" in refused.output
    bad = run("schedule", post_id, "--weekly", "someday", "--time", "10:00", ok=False)
    assert "曜日は mon〜sun" in bad.output


def test_the_operator_sets_quiet_hours_the_cap_and_step_messages(desk: Desk, run) -> None:  # type: ignore[no-untyped-def]
    assert "quiet hours 22:00-08:00 JST, at most 2 pushes a week" in run("policy", "--quiet", "22:00-08:00",
                                                                          "--cap", "2").output
    assert "at most 2 pushes a week" in run("policy").output
    assert "24時間表記" in run("policy", "--quiet", "25:00-08:00", ok=False).output
    step_id = run("step", "add", "--name", "1日目", "--days", "1", "--time", "12:00",
                  "--text", "ようこそ").output.strip()
    assert f"#{step_id}" in run("step", "list").output and "on  day 1" in run("step", "list").output
    run("step", "disable", step_id)
    assert "off day 1" in run("step", "list").output
    assert "見つかりません" in run("step", "disable", "999", ok=False).output
