"""Deliveries, step messages and pushes settings in the console: pause, resume and stop a delivery under
way, live numbers as JSON, steps added and switched, quiet hours and the weekly cap — all audited."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from linecomm.db import utcnow
from linecomm.pushes import freeze, occurrences
from linecomm.pushes import policy as policies
from linecomm.pushes.models import PushPolicy, StepMessage
from linecomm.themes.models import ThemePost
from linecomm.timezones import JST
from tests.admin.console import Console
from tests.pushes.desk import Desk


def test_pause_resume_and_stop_a_delivery_waiting_out_quiet_hours(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.members(7)
    client = console.client("marketer")
    # Quiet all day but the minute before last: the delivery opens, freezes, and then waits a day.
    now = utcnow().astimezone(JST)
    start, end = (now - timedelta(minutes=1)).strftime("%H:%M"), (now - timedelta(minutes=2)).strftime("%H:%M")
    saved = client.post("/admin/push-settings",
                        {"op": "policy", "quiet_start": start, "quiet_end": end, "weekly_cap": "5"})
    assert "配信ルールを保存しました" in client.follow(saved).get_data(as_text=True)
    post_id = desk.post()
    page = client.follow(client.post(f"/admin/posts/{post_id}/schedule", {"kind": "now"})).get_data(as_text=True)
    assert "配信しない時間帯" in page and "に配信を始めます" in page
    with community.session() as s:
        post = s.get(ThemePost, post_id)
        opened = occurrences.open_due(s, post.next_send_at + timedelta(seconds=1), 5)
        (delivery_id,) = opened.delivery_ids
        freeze.freeze(s, delivery_id, None, utcnow())

    live = client.get(f"/admin/deliveries/{delivery_id}/progress.json").get_json()
    assert (live["status"], live["status_label"], live["recipients"], live["pending"], live["finished"]) == (
        "sending", "再開待ち", 7, 7, False)  # sending, but quiet hours hold it back: the page says until when
    assert live["waiting"] and live["notice"].startswith("配信しない時間帯のため、")
    assert live["notice"].endswith(f"{end}に再開します。")
    page = client.get(f"/admin/deliveries/{delivery_id}").get_data(as_text=True)
    assert f'data-progress-url="/admin/deliveries/{delivery_id}/progress.json"' in page
    assert "配信しない時間帯のため" in page

    for op, status, message in (("pause", "paused", "一時停止しました"), ("resume", "sending", "再開しました"),
                                ("stop", "cancelled", "中止しました")):
        done = client.follow(client.post(f"/admin/deliveries/{delivery_id}/control", {"op": op}))
        assert message in done.get_data(as_text=True), op
        assert client.get(f"/admin/deliveries/{delivery_id}/progress.json").get_json()["status"] == status
    again = client.follow(client.post(f"/admin/deliveries/{delivery_id}/control", {"op": "pause"}))
    assert "一時停止できません" in again.get_data(as_text=True)
    assert client.post(f"/admin/deliveries/{delivery_id}/control", {"op": "explode"}).status_code == 400
    assert [e.action for e in console.audit_rows("delivery.pause") + console.audit_rows("delivery.resume")
            + console.audit_rows("delivery.stop")] == ["delivery.pause", "delivery.resume", "delivery.stop"]
    report = client.get(f"/admin/deliveries/{delivery_id}").get_data(as_text=True)
    assert "取り消し" in report and "中止で送らなかった方" in report
    assert desk.multicasts() == []
    assert client.get("/admin/deliveries/99999").status_code == 404


def test_steps_and_pushes_settings(console: Console) -> None:
    client = console.client("marketer")
    bad = client.post("/admin/steps", {"name": "3日目", "days": "3", "time_of_day": "9時", "text": "x"})
    assert "24時間表記" in bad.get_data(as_text=True) and 'value="3日目"' in bad.get_data(as_text=True)
    bad = client.post("/admin/steps", {"name": "3日目", "days": "400", "time_of_day": "09:00", "text": "x"})
    assert "0〜365日" in bad.get_data(as_text=True)
    added = client.post("/admin/steps", {"name": "3日目のフォロー<b>", "days": "3", "time_of_day": "09:30",
                                         "text": "参加から3日、いかがですか？\n困ったら「ヘルプ」と送ってください。"})
    page = client.follow(added).get_data(as_text=True)
    assert "ステップ配信「3日目のフォロー&lt;b&gt;」を追加しました" in page
    assert "参加3日後 09:30" in page and "配信中" in page
    with console.community.session() as s:
        (step,) = s.scalars(select(StepMessage)).all()
        assert (step.days_after_join, step.time_of_day, step.active) == (3, "09:30", True)
    client.post(f"/admin/steps/{step.id}", {"op": "disable"})
    assert "停止中" in client.get("/admin/steps").get_data(as_text=True)
    client.post(f"/admin/steps/{step.id}", {"op": "enable"})
    assert client.post("/admin/steps/9999", {"op": "enable"}).status_code == 404
    assert [e.action for e in console.audit_rows("step.create") + console.audit_rows("step.disable")
            + console.audit_rows("step.enable")] == ["step.create", "step.disable", "step.enable"]

    saved = client.follow(client.post("/admin/push-settings", {"op": "policy", "quiet_start": "22:00",
                                                               "quiet_end": "08:00", "weekly_cap": "2"}))
    assert "配信ルールを保存しました" in saved.get_data(as_text=True)
    refused = client.follow(client.post("/admin/push-settings", {"op": "policy", "quiet_start": "22:00",
                                                                 "quiet_end": "08:00", "weekly_cap": "0"}))
    assert "1〜100回" in refused.get_data(as_text=True)
    with console.community.session() as s:
        row = s.get(PushPolicy, 1)
        assert (row.quiet_start, row.quiet_end, row.weekly_cap) == ("22:00", "08:00", 2)
    (entry,) = console.audit_rows("push.policy")
    assert '"weekly_cap": 2' in entry.after
    staff_id = "U" + "a" * 32
    client.post("/admin/push-settings", {"op": "add_recipient", "line_user_id": staff_id, "label": "<店長>"})
    assert "&lt;店長&gt;" in client.get("/admin/push-settings").get_data(as_text=True)
    client.post("/admin/push-settings", {"op": "remove_recipient", "line_user_id": staff_id})
    with console.community.session() as s:
        assert policies.test_recipients(s) == []
    missing = client.follow(client.post("/admin/push-settings", {"op": "remove_recipient", "line_user_id": staff_id}))
    assert "登録されていません" in missing.get_data(as_text=True)
    assert console.audit_count("push.test_recipient_add") == console.audit_count("push.test_recipient_remove") == 1
