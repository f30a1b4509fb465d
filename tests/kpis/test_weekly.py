"""The weekly summary to staff: a staff member links their LINE account with a one-time code sent in chat
(expired or used codes refused politely), opts in and out on the account page, loses the link when disabled;
the summary goes out once per staff member per week as a Flex bubble LINE accepts."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from linecomm.kpis import weekly
from linecomm.outbox.models import OutboundMessage
from linecomm.staff import line_copy, line_link
from linecomm.staff import service as staff_service
from linecomm.staff.line_link import StaffLineLink, StaffLinkCode
from linecomm.staff.models import StaffUser
from tests.admin.console import Console
from tests.support.community import Community

# Monday 7 December 2026, 09:00 JST
MONDAY_9 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


def _staff_id(community: Community, email: str) -> int:
    with community.reader() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.email == email))


def _link(community: Community, staff_id: int, line_user_id: str, weekly_summary: bool = True) -> None:
    with community.session() as s:
        code = line_link.issue_code(s, staff_id).code
        line_link.redeem(s, code, line_user_id)
        line_link.set_weekly_summary(s, staff_id, weekly_summary)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_staff_link_their_line_account_with_a_one_time_code_and_opt_in(community: Community) -> None:
    console = Console(community)
    console.emails["owner"] = console.staff("owner", name="山田 花子")
    owner = console.client("owner")
    staff_id = _staff_id(community, owner.email)
    page = owner.post("/admin/account/line/code").get_data(as_text=True)
    code = re.search(r"スタッフ連携 (\d{8})", page).group(1)
    with community.reader() as s:
        stored = s.scalar(select(StaffLinkCode).where(StaffLinkCode.staff_id == staff_id))
        assert stored.code_hash != code and stored.expires_at - stored.created_at == timedelta(minutes=15)

    phone = community.user("スタッフ本人")
    phone.follow()
    phone.say(f"ｽﾀｯﾌ連携　{code}")  # half-width kana and a full-width space are folded
    community.drain()
    assert phone.last_text().startswith("山田 花子さんのスタッフアカウントと、このLINEアカウントを連携しました")
    assert console.audit_count("staff.line_link") == 1

    stranger = community.user("ほかの人")
    stranger.follow()
    stranger.say(f"スタッフ連携 {code}")  # the same code again: used up
    community.drain()
    assert stranger.last_text() == line_copy.link_code_refused()
    owner.post("/admin/account/line/code")
    with community.session() as s:  # a fresh code, but expired
        s.execute(update(StaffLinkCode).where(StaffLinkCode.used_at.is_(None))
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    page = owner.post("/admin/account/line/code").get_data(as_text=True)
    fresh = re.search(r"スタッフ連携 (\d{8})", page).group(1)
    with community.session() as s:
        s.execute(update(StaffLinkCode).where(StaffLinkCode.used_at.is_(None))
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    stranger.say(f"スタッフ連携 {fresh}")
    stranger.say("スタッフ連携")
    community.drain()
    assert stranger.texts()[-2:] == [line_copy.link_code_refused(), line_copy.link_how()]
    with community.reader() as s:
        link = s.scalar(select(StaffLineLink))
        assert (link.staff_id, link.line_user_id, link.weekly_summary) == (staff_id, phone.user_id, False)

    owner.post("/admin/account/line/weekly", {"weekly": "on"})
    assert "週次サマリーの受け取りを停止する" in owner.get("/admin/account").get_data(as_text=True)
    owner.post("/admin/account/line/weekly", {"weekly": "off"})
    assert "週次サマリーを受け取る</button>" in owner.get("/admin/account").get_data(as_text=True)
    assert console.audit_count("staff.weekly_summary") == 2
    owner.post("/admin/account/line/unlink")
    with community.reader() as s:
        assert s.scalar(select(StaffLineLink)) is None
    response = owner.post("/admin/account/line/weekly", {"weekly": "on"})
    assert "LINEアカウントが連携されていません" in owner.follow(response).get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_disabling_a_staff_member_forgets_their_line_account(community: Community) -> None:
    console = Console(community)
    staff_id = _staff_id(community, console.staff("marketer"))
    _link(community, staff_id, "U" + "a" * 32)
    with community.session() as s:
        staff_service.update(s, s.get(StaffUser, staff_id), is_active=False)
    with community.reader() as s:
        assert s.scalar(select(StaffLineLink).where(StaffLineLink.staff_id == staff_id)) is None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_summary_is_queued_once_per_staff_member_per_week(community: Community) -> None:
    console = Console(community)
    wants, declines, gone = (_staff_id(community, console.staff(r)) for r in ("owner", "marketer", "moderator"))
    _link(community, wants, "U" + "1" * 32)
    _link(community, declines, "U" + "2" * 32, weekly_summary=False)
    _link(community, gone, "U" + "3" * 32)
    with community.session() as s:
        s.execute(update(StaffUser).where(StaffUser.id == gone).values(is_active=False))

    def queue(at: datetime) -> list[int]:
        with community.session() as s:
            return weekly.queue_summaries(s, at)

    assert queue(MONDAY_9 - timedelta(minutes=1)) != []  # still the week before: its summary was due
    assert queue(MONDAY_9 - timedelta(minutes=1)) == []
    first = queue(MONDAY_9)
    assert len(first) == 1 and queue(MONDAY_9 + timedelta(days=3)) == []
    assert len(queue(MONDAY_9 + timedelta(days=7))) == 1
    with community.reader() as s:
        keys = s.scalars(select(OutboundMessage.idempotency_key).order_by(OutboundMessage.id)).all()
        assert keys == [f"kpi-weekly:{wants}:2026-11-30", f"kpi-weekly:{wants}:2026-12-07",
                        f"kpi-weekly:{wants}:2026-12-14"]
        message = s.get(OutboundMessage, first[0])
        assert message.to == "U" + "1" * 32 and message.reply_token is None


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_the_weekly_job_sends_once_in_a_worker_process(community: Community) -> None:
    """The sweeper enqueues it (PERIODIC_JOBS); a fresh `linecomm worker --burst` runs it and sends the Flex
    bubble, which the fake LINE platform validates; the next pass sends nothing more."""
    from linecomm.sweeper import SWEEP_JOB

    community.run_jobs_in_worker_processes()
    console = Console(community)
    staff_id = _staff_id(community, console.staff("owner"))
    staff_line = "U" + "5" * 32
    community.fake.add_user(staff_line, "スタッフ")
    _link(community, staff_id, staff_line)
    community.runtime.queue.enqueue(SWEEP_JOB)
    community.drain()
    community.runtime.queue.enqueue(weekly.RUN_JOB)  # the next pass, retried: nothing more to send
    community.drain()
    logs = "\n".join(community.worker_logs)
    assert "linecomm.kpis.weekly.run_weekly_summaries(" in logs, logs
    assert "Traceback" not in logs, logs
    received = community.fake.messages_to(staff_line)
    assert [m["type"] for m in received] == ["flex"], received
    assert received[0]["altText"].startswith("週次サマリー")
    pushes = [r for r in community.fake.requests if r.path == "/v2/bot/message/push"]
    assert [r.status for r in pushes] == [200]
