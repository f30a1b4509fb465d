"""Announcing a survey from its admin page: the push engine delivers the text and a 「回答する」 button
with the survey's LIFF link to the survey's target segment (now, or at a Japan time), the announcement
follows its delivery's status, and a scheduled one can be cancelled before it opens."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.pushes.models import Delivery
from linecomm.pushes.segments import Segment, measure
from linecomm.surveys.models import SurveyAnnouncement
from tests.admin.console import Console
from tests.pushes.desk import Desk
from tests.support.community import Community
from tests.surveys.factories import make_survey


@pytest.fixture
def console(community: Community) -> Console:
    return Console(community)


def _announcements(community: Community, survey_id: int) -> list[SurveyAnnouncement]:
    with community.reader() as s:
        return list(s.scalars(select(SurveyAnnouncement).where(SurveyAnnouncement.survey_id == survey_id)
                              .order_by(SurveyAnnouncement.id)))


def test_an_announcement_reaches_the_survey_segment_through_the_delivery_engine(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours()
    second = desk.members(2, cohort="2期生")
    desk.members(3, cohort="1期生")
    with community.session() as s:
        made = make_survey(s, title="2期生アンケート", segment=Segment(cohorts=("2期生",)),
                           questions=[{"kind": "nps", "prompt": "おすすめ度"}])
    marketer = console.client("marketer")
    page = marketer.get(f"/admin/surveys/{made.id}").get_data(as_text=True)
    assert "お知らせを配信する" in page

    sent = marketer.post(f"/admin/surveys/{made.id}/announce",
                         {"kind": "now", "message": "2期生のみなさん、アンケートにご協力ください。"})
    assert sent.status_code == 303
    assert "お知らせの配信を開始します（現時点の対象 2人）" in marketer.follow(sent).get_data(as_text=True)

    def finished() -> SurveyAnnouncement | None:
        rows = _announcements(community, made.id)
        return rows[0] if rows and rows[0].status == "sent" else None

    announcement = desk.wait_for(finished)
    with community.reader() as s:
        delivery = s.get(Delivery, announcement.delivery_id)
        assert delivery.kind == "survey" and delivery.recipients == 2
    assert sorted(desk.accepted_recipients()) == sorted(second)
    url = f"https://liff.line.me/{community.settings.liff_id}/surveys/{made.id}"
    for user in second:
        text, button = community.fake.messages_to(user)
        assert text == {"type": "text", "text": "2期生のみなさん、アンケートにご協力ください。"}
        assert button["type"] == "template" and button["template"]["type"] == "buttons"
        assert button["template"]["text"] == "アンケート「2期生アンケート」"
        assert button["template"]["actions"] == [{"type": "uri", "label": "回答する", "uri": url}]
    [audit] = console.audit_rows("survey.announce")
    assert audit.target_id == str(made.id) and '"recipients": 2' in audit.after
    page = marketer.get(f"/admin/surveys/{made.id}").get_data(as_text=True)
    assert f'data-announcement="{announcement.id}"' in page and "配信済み" in page
    with community.reader() as s:  # an announcement is a push like any other: it counts toward the weekly cap
        assert measure(s, Segment(), cap=1).over_cap == 2


def test_a_scheduled_announcement_waits_and_can_be_cancelled(console: Console) -> None:
    community = console.community
    desk = Desk(community)
    desk.no_quiet_hours()
    desk.members(2)
    with community.session() as s:
        made = make_survey(s, title="予約するアンケート", questions=[{"kind": "text", "prompt": "ご意見"}],
                           closes_at=None)
    marketer = console.client("marketer")
    marketer.post(f"/admin/surveys/{made.id}/announce",
                  {"kind": "once", "at": "2031-01-05T10:00", "message": "来月のアンケートです。"})
    [scheduled] = _announcements(community, made.id)
    assert scheduled.status == "scheduled" and scheduled.delivery_id is None
    assert scheduled.scheduled_at.isoformat().startswith("2031-01-05T01:00")
    community.drain()
    assert _announcements(community, made.id)[0].delivery_id is None  # not due yet

    cancelled = marketer.post(f"/admin/surveys/announcements/{scheduled.id}/cancel")
    assert "取り消しました" in marketer.follow(cancelled).get_data(as_text=True)
    assert _announcements(community, made.id)[0].status == "cancelled"
    assert console.audit_count("survey.announce_cancel") == 1


def test_bad_announcements_are_refused_in_japanese(console: Console) -> None:
    community = console.community
    with community.session() as s:
        draft = make_survey(s, title="下書き", published=False, questions=[{"kind": "text", "prompt": "ご意見"}])
        open_ = make_survey(s, title="受付中", questions=[{"kind": "text", "prompt": "ご意見"}])
    marketer = console.client("marketer")
    cases = [
        (draft.id, {"kind": "now", "message": "お願いします"},
         "公開中で、受付が終わっていないアンケートだけお知らせできます。"),
        (open_.id, {"kind": "now", "message": "  "}, "お知らせの本文を1〜1,000文字で入力してください。"),
        (open_.id, {"kind": "later", "message": "お願いします"}, "配信のタイミングを選んでください。"),
        (open_.id, {"kind": "once", "at": "あした", "message": "お願いします"}, "配信する日時を入力してください"),
        (open_.id, {"kind": "once", "at": "2020-01-01T10:00", "message": "お願いします"},
         "過去の日時には予約できません。"),
        (open_.id, {"kind": "once", "at": "2035-01-01T10:00", "message": "お願いします"},
         "回答期間が終わったあとには予約できません。"),
    ]
    for survey_id, data, message in cases:
        response = marketer.post(f"/admin/surveys/{survey_id}/announce", data)
        assert response.status_code == 303
        assert message in marketer.follow(response).get_data(as_text=True), data
    assert not _announcements(community, draft.id) and not _announcements(community, open_.id)
    assert console.audit_count("survey.announce") == 0
