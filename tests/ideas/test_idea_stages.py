"""An idea's life from the console and the jobs: reaching the threshold puts it in the review list and tells
its author once (after the quiet hours when they are on), the marketer moves it to 採用 with an official
answer that the delivery engine sends to the author and every supporter once each (cost shown first, quiet
hours respected), thresholds are settings, the CSV export is audited and safe for spreadsheets, and a
missed window expires the idea once in a real `linecomm worker --burst` process."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from linecomm.actions.models import MemberAction
from linecomm.db import utcnow
from linecomm.ideas import stages
from linecomm.ideas.jobs import PASS_JOB
from linecomm.ideas.models import Idea, IdeaAnswer, IdeaStage
from linecomm.outbox.models import OutboundMessage
from linecomm.pushes import jobs as push_jobs
from linecomm.pushes import policy as policies
from linecomm.timezones import JST
from tests.admin.console import Console
from tests.ideas.helpers import idea_row, post_idea
from tests.pushes.desk import Desk
from tests.support.community import Community


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


def _quiet_hours_around_now(community: Community) -> tuple[str, str]:
    """Quiet hours from an hour ago to two hours ahead (Japan time): now is inside them."""
    now = utcnow().astimezone(JST)
    start, end = (now - timedelta(hours=1)).strftime("%H:00"), (now + timedelta(hours=2)).strftime("%H:00")
    with community.session() as s:
        policies.update(s, quiet_start=start, quiet_end=end, weekly_cap=50)
    return start, end


def _reached_notices(community: Community, idea_id: int) -> list[OutboundMessage]:
    with community.reader() as s:
        key = f"idea-reached:{idea_id}"
        return list(s.scalars(select(OutboundMessage).where(OutboundMessage.idempotency_key == key)))


def _run_pass(community: Community, when=None) -> stages.Pass:  # type: ignore[no-untyped-def]
    with community.session() as s:
        return stages.run_pass(s, when or utcnow(), community.settings.liff_id or "")


def test_threshold_setting_review_list_and_author_told_once(console: Console, liff_member, liff_client) -> None:
    community = console.community
    Desk(community).no_quiet_hours()
    marketer, moderator = console.client("marketer"), console.client("moderator")
    bad = marketer.post("/admin/ideas/settings", {"threshold": "0", "window_days": "30"})
    assert bad.status_code == 422 and "1〜100,000" in bad.get_data(as_text=True)
    assert moderator.post("/admin/ideas/settings", {"threshold": "2", "window_days": "30"}).status_code == 403
    saved = marketer.post("/admin/ideas/settings", {"threshold": "2", "window_days": "30"})
    assert saved.status_code == 303
    [audit] = console.audit_rows("idea.settings")
    assert '"threshold": 2' in audit.after and '"threshold": 100' in audit.before

    author = liff_member(nickname="あきこ")
    idea_id = post_idea(liff_client(author.line_user_id), title="=HYPERLINK(\"x\")")
    fans = [liff_client(liff_member(nickname=f"応援{i}").line_user_id) for i in range(3)]
    fans[0].post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})
    assert idea_row(community, idea_id).stage == IdeaStage.OPEN
    fans[1].post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})
    idea = idea_row(community, idea_id)
    assert idea.stage == IdeaStage.REVIEW and idea.reached_at is not None and idea.threshold == 2
    community.drain()
    told = [m for m in community.fake.messages_to(author.line_user_id) if "応援2件に達しました" in m.get("text", "")]
    assert len(told) == 1
    fans[2].post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})  # still in review: supportable
    fans[1].post(f"/liff/ideas/{idea_id}/support", data={"action": "withdraw"})
    _run_pass(community)
    community.drain()
    assert len(_reached_notices(community, idea_id)) == 1
    assert sum("応援2件に達しました" in m.get("text", "") for m in community.fake.messages_to(author.line_user_id)) == 1

    listed = moderator.get("/admin/ideas").get_data(as_text=True)  # the review list (検討中), moderators read
    assert f'data-idea="{idea_id}"' in listed and "2 / 2" in listed
    page = moderator.get(f"/admin/ideas/{idea_id}").get_data(as_text=True)
    assert "data-change-stage" not in page and "2人 / 目標 2人" in page

    assert moderator.get("/admin/ideas.csv").status_code == 403
    csv = marketer.get("/admin/ideas.csv")
    body = csv.get_data()
    assert csv.status_code == 200 and body.startswith("\ufeff".encode())
    text = body.decode("utf-8")
    assert "'=HYPERLINK" in text and ",検討中,2," in text
    assert len(console.audit_rows("idea.export")) == 1


def test_adopted_with_an_official_answer_reaches_author_and_supporters_once_after_quiet_hours(
        console: Console, liff_member, liff_client) -> None:
    community = console.community
    desk = Desk(community)
    author = liff_member(nickname="あきこ")
    supporters = [liff_member(nickname=f"応援{i}") for i in range(2)]
    bystander = liff_member(nickname="見ているだけ")
    idea_id = post_idea(liff_client(author.line_user_id))
    for person in supporters:
        liff_client(person.line_user_id).post(f"/liff/ideas/{idea_id}/support", data={"action": "support"})
    _start, end = _quiet_hours_around_now(community)

    community.fake.set_monthly_quota(1000)
    marketer = console.client("marketer")
    page = marketer.get(f"/admin/ideas/{idea_id}").get_data(as_text=True)
    assert "送信先（投稿者と応援した人）: <strong>3人</strong>（課金対象のメッセージ 3通）" in page
    assert "今月の残り配信数: 1,000通" in page
    missing = marketer.follow(marketer.post(f"/admin/ideas/{idea_id}/stage", {"stage": "adopted", "answer": " "}))
    assert "公式回答をご記入ください" in missing.get_data(as_text=True)
    assert idea_row(community, idea_id).stage == IdeaStage.OPEN
    answer = "ご提案ありがとうございます。<b>来春</b>の新商品に採用します。"
    sent = marketer.post(f"/admin/ideas/{idea_id}/stage", {"stage": "adopted", "answer": answer})
    assert sent.status_code == 303
    flashed = marketer.follow(sent).get_data(as_text=True)
    assert "「採用」に変更し、公式回答の配信を開始します（現時点の対象 3人）" in flashed
    assert "配信しない時間帯" in flashed
    assert idea_row(community, idea_id).stage == IdeaStage.ADOPTED
    with community.reader() as s:
        [adopted] = s.scalars(select(MemberAction).where(MemberAction.kind == "idea_adopted")).all()
        assert adopted.member_id == author.member_id and adopted.key == f"idea-adopted:{idea_id}"

    # Inside the quiet hours nothing opens.
    push_jobs.sweep(community.runtime)
    community.drain()
    assert desk.multicasts() == []
    # After they end the answer goes out once to the author and each supporter.
    after = utcnow().astimezone(JST).replace(hour=int(end[:2]), minute=5, second=0, microsecond=0)
    if after < utcnow():
        after += timedelta(days=1)
    desk.use_clock(after)
    push_jobs.sweep(community.runtime)

    def sent_answer() -> IdeaAnswer | None:
        with community.reader() as s:
            row = s.scalar(select(IdeaAnswer).where(IdeaAnswer.idea_id == idea_id))
            return row if row is not None and row.status == "sent" else None

    done = desk.wait_for(sent_answer)
    push_jobs.sweep(community.runtime)
    community.drain()
    received = desk.accepted_recipients()
    assert received == Counter({p.line_user_id: 1 for p in [author, *supporters]})
    assert bystander.line_user_id not in received
    [message] = community.fake.messages_to(supporters[0].line_user_id)
    assert answer in message["text"] and "「採用」" in message["text"]
    assert f"https://liff.line.me/{community.settings.liff_id}/ideas/{idea_id}" in message["text"]
    assert done.delivery_id is not None
    # Members see the official answer (as text) on the idea page; the stage cannot change again.
    shown = liff_client(bystander.line_user_id).get(f"/liff/ideas/{idea_id}").get_data(as_text=True)
    assert "data-official-answer" in shown and "&lt;b&gt;来春&lt;/b&gt;" in shown
    again = marketer.follow(marketer.post(f"/admin/ideas/{idea_id}/stage", {"stage": "declined", "answer": "x"}))
    assert "変更できません" in again.get_data(as_text=True)
    [audit, *_] = console.audit_rows("idea.stage")
    assert '"stage": "adopted"' in audit.after and '"recipients": 3' in audit.after


def test_author_told_after_quiet_hours_by_the_pass(console: Console, liff_member, liff_client) -> None:
    community = console.community
    with community.session() as s:
        stages.save_thresholds(s, 1, 60, "test", utcnow())
    author = liff_member(nickname="あきこ")
    idea_id = post_idea(liff_client(author.line_user_id))
    _start, end = _quiet_hours_around_now(community)
    liff_client(liff_member(nickname="応援").line_user_id).post(f"/liff/ideas/{idea_id}/support",
                                                               data={"action": "support"})
    idea = idea_row(community, idea_id)
    assert idea.stage == IdeaStage.REVIEW and idea.author_told_at is None
    assert _run_pass(community).told == 0 and _reached_notices(community, idea_id) == []
    after = utcnow().astimezone(JST).replace(hour=int(end[:2]), minute=1, second=0, microsecond=0)
    if after < utcnow():
        after += timedelta(days=1)
    assert _run_pass(community, after).told == 1
    assert _run_pass(community, after).told == 0
    community.drain()
    assert len(_reached_notices(community, idea_id)) == 1
    assert sum("に達しました" in m.get("text", "") for m in community.fake.messages_to(author.line_user_id)) == 1


@pytest.mark.parametrize("backend", ["postgres"])
def test_window_missed_expires_once_in_a_worker_process(community: Community, liff_member, liff_client) -> None:
    author = liff_member(nickname="あきこ")
    client = liff_client(author.line_user_id)
    missed, alive = post_idea(client, title="期限切れになる"), post_idea(client, title="まだ募集中")
    with community.session() as s:
        s.execute(update(Idea).where(Idea.id == missed).values(window_ends_at=utcnow() - timedelta(minutes=1)))
    community.run_jobs_in_worker_processes()
    community.runtime.queue.enqueue(PASS_JOB)
    community.drain()
    first = idea_row(community, missed)
    assert first.stage == IdeaStage.EXPIRED and first.expired_at is not None
    assert idea_row(community, alive).stage == IdeaStage.OPEN
    community.runtime.queue.enqueue(PASS_JOB)
    community.drain()
    assert idea_row(community, missed).expired_at == first.expired_at
    logs = "\n".join(community.worker_logs)
    assert f"{PASS_JOB}(" in logs and "Traceback" not in logs, logs
    page = client.get(f"/liff/ideas/{missed}").get_data(as_text=True)
    assert "期限切れ" in page and "data-support>" not in page
