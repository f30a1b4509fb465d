"""Theme posts in the console: compose with the live count, preview drawn like LINE, save, edit, test
send, cost against the quota, schedule, progress, cancel — each change audited, every string escaped."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from linecomm.members import tags
from linecomm.members.models import Member
from linecomm.pushes.models import Delivery
from linecomm.themes.models import PostStatus, ThemePost
from tests.admin.console import Console, post_form
from tests.pushes.desk import Desk

XSS = '<img src=x onerror="window.__xss=1">'


def _flashes(page: str) -> list[str]:
    return re.findall(r'<p class="adm-flash adm-flash--\w+">([^<]*)</p>', page)


def test_compose_counts_previews_saves_and_edits_a_post(console: Console) -> None:
    desk = Desk(console.community)
    desk.no_quiet_hours(cap=3)
    desk.members(4, cohort="0期生")
    regulars = desk.members(3, cohort="1期生")
    with console.community.session() as s:
        tag = tags.create(s, "常連")
        for member in s.scalars(select(Member).where(Member.line_user_id.in_(regulars[:2]))):
            tags.assign(s, member, tag)
    client = console.client("marketer")

    page = client.get("/admin/posts/new")
    assert page.status_code == 200
    assert "img-src 'self' data: https:" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert 'data-count-url="/admin/posts/count.json"' in html and "admin/pushes.js" in html
    assert re.search(r'data-count="matched">7<', html)

    def count(query: str) -> dict[str, object]:
        response = client.get("/admin/posts/count.json?" + query)
        return {"status": response.status_code, **response.get_json()}

    assert count("")["matched"] == 7
    assert count("cohort=1期生")["billable"] == 3
    assert count("cohort=1期生&tag=常連")["matched"] == 2
    assert count("cohort=1期生&exclude_tag=常連")["matched"] == 1
    assert count("joined_to=2000-01-01")["matched"] == 0
    assert count("tag=ない")["status"] == 400 and "存在しないタグ" in count("tag=ない")["error"]
    assert "1〜3650" in count("active_within=abc")["error"]

    # Preview: LINE bubbles, the quick replies as chips, nothing saved; member text is escaped.
    before = console.audit_count()
    preview = client.post("/admin/posts/new", post_form(
        title=XSS, text=f"今週のテーマ\n{XSS}", choice_kind="poll", choices="A案\nB案", action="preview",
        cohort="1期生", image_url="https://cdn.example.com/a.jpg"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'class="bubble bubble--text adm-phone__text">今週のテーマ\n&lt;img src=x onerror=' in html
    assert '<span class="chat-quick__item">A案</span><span class="chat-quick__item">B案</span>' in html
    assert 'src="https://cdn.example.com/a.jpg"' in html and XSS not in html
    assert re.search(r'data-count="matched">3<', html)  # the count follows the chosen segment
    assert console.audit_count() == before

    # LINE's limits are explained in Japanese and the form keeps what was typed.
    refused = client.post("/admin/posts/new", post_form(text="あ" * 5001, image_url="http://insecure.example.com/x"))
    assert refused.status_code == 400
    assert "本文が長すぎます" in refused.get_data(as_text=True)
    refused = client.post("/admin/posts/new", post_form(image_url="http://insecure.example.com/x"))
    assert "https:// で始まるURL" in refused.get_data(as_text=True)
    assert "みなさんの朝のひと手間を教えてください。" in refused.get_data(as_text=True)
    many = "\n".join(f"案{i}" for i in range(14))
    refused = client.post("/admin/posts/new", post_form(choice_kind="poll", choices=many))
    assert "13個まで" in refused.get_data(as_text=True)
    assert console.audit_count() == before

    saved = client.post("/admin/posts/new", post_form(
        title=XSS, choice_kind="reactions", choices="👍 いいね\n😍 すてき", answers_from="2030-01-01T10:00",
        answers_until="2030-01-08T10:00", cohort="1期生", tag="常連"))
    assert saved.status_code == 303
    post_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    detail = client.follow(saved).get_data(as_text=True)
    assert "下書き" in detail and XSS not in detail and "&lt;img src=x" in detail
    assert "回答の受付：2030-01-01 10:00 〜 2030-01-08 10:00" in detail
    assert "期: 1期生 / タグ: 常連（いずれか）" in detail
    assert "まだテスト配信をしていません" in detail
    with console.community.session() as s:
        post = s.get(ThemePost, post_id)
        assert (post.status, post.choice_kind) == (PostStatus.DRAFT, "reactions")
        assert post.created_by == console.emails["marketer"]
    (entry,) = console.audit_rows("post.create")
    assert entry.target_id == str(post_id) and '"choice_kind": "reactions"' in entry.after

    edit_page = client.get(f"/admin/posts/{post_id}/edit").get_data(as_text=True)
    assert 'value="2030-01-01T10:00"' in edit_page and "👍 いいね\n😍 すてき</textarea>" in edit_page
    assert 'value="常連" checked' in edit_page
    edited = client.post(f"/admin/posts/{post_id}/edit", post_form(title="朝のひと手間（改）", cohort="0期生"))
    assert edited.status_code == 303
    with console.community.session() as s:
        post = s.get(ThemePost, post_id)
        assert (post.title, post.choice_kind) == ("朝のひと手間（改）", None)
    (entry,) = console.audit_rows("post.update")
    assert "1期生" in entry.before and "0期生" in entry.after

    listing = client.get("/admin/posts").get_data(as_text=True)
    assert "朝のひと手間（改）" in listing and "下書き" in listing


def test_test_send_cost_guard_schedule_progress_and_cancel(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours(cap=3)
    members = desk.members(6)
    client = console.client("marketer")
    post_id = int(client.post("/admin/posts/new", post_form())
                  .headers["Location"].rsplit("/", 1)[1])

    # A test send needs staff LINE accounts first.
    refused = client.follow(client.post(f"/admin/posts/{post_id}/test"))
    assert "テスト配信先のスタッフが登録されていません" in refused.get_data(as_text=True)
    staff = community.user("スタッフ")
    bad = client.follow(client.post("/admin/push-settings", {"op": "add_recipient", "line_user_id": "taro"}))
    assert "LINEユーザーIDは「U」に続く32桁" in bad.get_data(as_text=True)
    client.post("/admin/push-settings", {"op": "add_recipient", "line_user_id": staff.user_id, "label": "店長"})
    sent = client.follow(client.post(f"/admin/posts/{post_id}/test"))
    assert "スタッフ1人のLINEにテスト配信しました" in sent.get_data(as_text=True)
    desk.wait_for(lambda: staff.received())
    assert staff.last_text() == "みなさんの朝のひと手間を教えてください。"
    assert all(community.fake.messages_to(u) == [] for u in members)

    # Over the month's quota: refused with the reason, unless "as many as the quota allows" is ticked.
    community.fake.set_monthly_quota(5)  # the test send used one
    detail = client.get(f"/admin/posts/{post_id}").get_data(as_text=True)
    assert "配信対象は6人ですが、今月の残り配信可能数は4通です" in detail
    refused = client.follow(client.post(f"/admin/posts/{post_id}/schedule", {"kind": "now"}))
    assert "配信対象は6人ですが、今月の残り配信可能数は4通です" in refused.get_data(as_text=True)
    with community.session() as s:
        assert s.get(ThemePost, post_id).status == PostStatus.DRAFT
    assert console.audit_count("post.schedule") == 0

    bad = client.follow(client.post(f"/admin/posts/{post_id}/schedule", {"kind": "weekly", "time_of_day": "25:00"}))
    assert "24時間表記" in bad.get_data(as_text=True)

    scheduled = client.post(f"/admin/posts/{post_id}/schedule", {"kind": "now", "allow_partial": "1"})
    page = client.follow(scheduled).get_data(as_text=True)
    assert "配信を開始します（4人" in " ".join(_flashes(page))
    assert "対象6人のうち4人に配信します" in page
    delivery_id = desk.wait_for(lambda: desk.delivery_of(post_id))
    desk.finish(delivery_id)
    live = client.get(f"/admin/posts/{post_id}/progress.json").get_json()
    assert live["post_status"] == "sent" and live["delivery_url"] == f"/admin/deliveries/{delivery_id}"
    assert {k: live["delivery"][k] for k in ("status_label", "finished", "recipients", "sent", "over_quota")} == {
        "status_label": "完了", "finished": True, "recipients": 4, "sent": 4, "over_quota": 2}
    assert client.get(f"/admin/deliveries/{delivery_id}/progress.json").get_json()["sent"] == 4
    report = client.get(f"/admin/deliveries/{delivery_id}").get_data(as_text=True)
    assert "完了" in report and "月間の上限" in report and "4 / 1件" not in report
    stopped = client.follow(client.post(f"/admin/deliveries/{delivery_id}/control", {"op": "stop"}))
    assert "のため、取り消しできません" in stopped.get_data(as_text=True)
    (entry,) = console.audit_rows("post.schedule")
    assert '"allow_partial": true' in entry.after and '"recipients": 4' in entry.after
    edit = client.follow(client.get(f"/admin/posts/{post_id}/edit"))
    assert "配信が始まった投稿は編集できません" in edit.get_data(as_text=True)

    # A post scheduled for later can be cancelled before it starts; a recurring one shows its rhythm.
    community.fake.set_monthly_quota(None)
    later = int(client.post("/admin/posts/new", post_form(title="来週のテーマ")).headers["Location"].rsplit("/", 1)[1])
    client.post(f"/admin/posts/{later}/schedule", {"kind": "once", "at": "2031-05-01T10:00"})
    weekly = int(client.post("/admin/posts/new", post_form(title="毎週のテーマ")).headers["Location"].rsplit("/", 1)[1])
    client.post(f"/admin/posts/{weekly}/schedule", {"kind": "weekly", "weekday": "2", "time_of_day": "08:30"})
    listing = client.get("/admin/posts").get_data(as_text=True)
    assert "2031-05-01 10:00" in listing and "毎週水曜日 08:30" in listing
    cancelled = client.follow(client.post(f"/admin/posts/{later}/cancel"))
    assert "「来週のテーマ」の配信を取り消しました" in cancelled.get_data(as_text=True)
    with community.session() as s:
        assert s.get(ThemePost, later).status == PostStatus.CANCELLED
        assert s.scalar(select(func.count()).select_from(Delivery).where(Delivery.post_id == later)) == 0
    assert console.audit_count("post.cancel") == 1
