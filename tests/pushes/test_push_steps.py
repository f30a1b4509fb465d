"""Step messages: N days after joining, at the chosen Japan time, once per member, never after leaving."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from linecomm.db import utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.pushes import jobs, steps
from linecomm.pushes.models import Delivery, DeliveryKind
from linecomm.timezones import JST
from tests.pushes.desk import Desk


def _step_deliveries(desk: Desk) -> list[int]:
    with desk.community.reader() as s:
        return list(s.scalars(select(Delivery.id).where(Delivery.kind == DeliveryKind.STEP).order_by(Delivery.id)))


def test_members_get_each_step_once_on_their_day_and_not_after_leaving(desk: Desk) -> None:
    now = utcnow()
    with desk.community.session() as s:
        step = steps.create_step(s, name="3日目のごあいさつ", days_after_join=3, time_of_day="00:00",
                                 text="ご参加から3日たちました。今週のテーマもぜひご覧ください。",
                                 now=now - timedelta(days=30))
        step_id = step.id
    day = now.astimezone(JST).date()
    from linecomm.pushes.schedule import at_jst

    joined_3_days_ago = at_jst(day - timedelta(days=3), (now.astimezone(JST) - timedelta(minutes=1)).time())
    due = desk.members(4, joined_at=joined_3_days_ago)
    leaver = desk.members(1, joined_at=joined_3_days_ago)
    too_new = desk.members(2, joined_at=now - timedelta(days=1))
    with desk.community.session() as s:
        s.execute(update(Member).where(Member.line_user_id.in_(leaver)).values(status=MemberStatus.LEFT))

    jobs.wake_scheduler(desk.community.runtime, now)
    runs = desk.wait_for(lambda: _step_deliveries(desk))  # yesterday's (missed, caught up) and today's
    finished = [desk.finish(run) for run in runs]
    assert {(p.kind, p.status) for p in finished} == {("step", "sent")}
    assert sum(p.sent for p in finished) == 4
    assert all(len(desk.fake.messages_to(u)) == 1 for u in due)
    assert all(desk.fake.messages_to(u) == [] for u in leaver + too_new)

    jobs.wake_scheduler(desk.community.runtime, now)  # the scheduler runs again (a timer, a sweep)
    desk.community.drain()
    assert _step_deliveries(desk) == runs  # each day's run opens once
    with desk.community.session() as s:
        s.execute(update(Member).where(Member.line_user_id.in_(due)).values(joined_at=joined_3_days_ago))
        extra = steps.conditions(s, step_id, now + timedelta(days=1))
        tomorrow = s.scalar(select(Member.id).where(*extra))
    assert tomorrow is None  # nobody is due the same step again the next day


def test_a_step_message_skips_members_over_the_weekly_cap_counts_them_and_counts_toward_the_cap(
        desk: Desk) -> None:
    from linecomm.admin.push_labels import progress_json
    from linecomm.pushes.progress import report
    from linecomm.pushes.schedule import at_jst
    from linecomm.pushes.segments import Segment

    desk.no_quiet_hours(cap=1)
    now = utcnow()
    day = now.astimezone(JST).date()
    joined_3_days_ago = at_jst(day - timedelta(days=3), (now.astimezone(JST) - timedelta(minutes=1)).time())
    busy = desk.members(2, cohort="2期生", joined_at=joined_3_days_ago)
    fresh = desk.members(3, cohort="1期生", joined_at=joined_3_days_ago)
    assert desk.progress(desk.send_now(desk.post(segment=Segment(cohorts=("2期生",))))).sent == 2  # this week's
    with desk.community.session() as s:
        step_id = steps.create_step(s, name="3日目のごあいさつ", days_after_join=3, time_of_day="00:00",
                                    text="ご参加から3日たちました。", now=now - timedelta(days=30)).id

    jobs.wake_scheduler(desk.community.runtime, now)
    runs = desk.wait_for(lambda: _step_deliveries(desk))
    finished = [desk.finish(run) for run in runs]
    (today,) = [p for p in finished if p.matched]  # yesterday's run (caught up) had nobody due
    assert (today.status, today.matched, today.over_cap, today.recipients, today.sent) == ("sent", 5, 2, 3, 3)
    assert progress_json(today)["over_cap"] == 2
    with desk.community.reader() as s:
        summary = report(s, today.delivery_id)
    assert summary is not None and summary.progress.over_cap == 2
    assert all(len(desk.fake.messages_to(u)) == 1 for u in busy + fresh)  # the busy two only got the post
    with desk.community.session() as s:
        tomorrow = s.scalars(select(Member.id).where(*steps.conditions(s, step_id, now + timedelta(days=1))))
        assert list(tomorrow) == []  # skipped for good: not offered again, nor counted again, tomorrow

    everyone = desk.progress(desk.send_now(desk.post()))  # the step message counts toward the cap too
    assert (everyone.matched, everyone.over_cap, everyone.sent) == (5, 5, 0)
