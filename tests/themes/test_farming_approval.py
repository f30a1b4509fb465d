"""A moderator has the last word on farming: a repeated theme answer (signed webhooks) earns 0 points and
is queued as farming; approving it from the moderation queue (the admin route) pays the rule's amount once,
through the ledger's keys (the 0 grant settled by a 0 reversal, then `action:<id>:1`), whatever is clicked
again; the member's history shows it. Hiding an unapproved farmed answer takes nothing (it paid 0), and a
cleared answer hidden then restored is paid again, not judged anew."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.moderation import ngwords
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentDecision, ContentItem, ContentState, ReviewReason
from linecomm.points import farming, ledger, rules
from linecomm.points import service as points
from linecomm.points.models import EntryKind, PointEntry
from linecomm.staff.models import StaffUser
from tests.admin.console import Console
from tests.support.liff import liff_client  # noqa: F401  (fixture)
from tests.themes.talk import Talk

ANSWER = "朝は白湯を一杯飲んでから、ストレッチをしています。"
DUPLICATE = farming.REASONS[farming.DUPLICATE]


def _entries(talk: Talk, member_id: int) -> list[tuple[str, str, int, str | None]]:
    with talk.community.reader() as s:
        return [(e.key, e.kind, e.amount, e.reason) for e in s.scalars(
            select(PointEntry).where(PointEntry.member_id == member_id).order_by(PointEntry.id))]


def _balance(talk: Talk, member_id: int) -> int:
    with talk.community.reader() as s:
        return points.balance_of(s, member_id).balance


def _farmed(talk: Talk, body: str) -> int:
    with talk.community.reader() as s:
        item = s.scalars(select(ContentItem).where(ContentItem.body == body).order_by(ContentItem.id.desc())).first()
        assert item is not None and item.state == ContentState.PUBLISHED
        assert item.in_queue and item.review_reason == ReviewReason.FARMING
        return item.id


def test_approving_a_farmed_answer_pays_it_once(talk: Talk, liff_client) -> None:  # noqa: F811
    hana = talk.member("はな")
    talk.theme()
    talk.say(hana, ANSWER)
    talk.say(hana, ANSWER)  # the same words again: farming
    hana_id = talk.member_id(hana)
    assert _balance(talk, hana_id) == 10
    content_id = _farmed(talk, ANSWER)
    [(first_key, _, _, _), (withheld_key, _, withheld, reason)] = _entries(talk, hana_id)
    assert (withheld, reason) == (0, DUPLICATE)
    action_id = int(withheld_key.split(":")[1])

    moderator = Console(talk.community).client("moderator")
    queue = moderator.get("/admin/moderation?reason=farming").get_data(as_text=True)
    assert f'id="item-{content_id}"' in queue
    decided = moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"})
    assert decided.status_code == 303
    assert _balance(talk, hana_id) == 10 + 10  # the rule's amount, paid now
    settled = [(first_key, EntryKind.GRANT, 10, None), (withheld_key, EntryKind.GRANT, 0, DUPLICATE),
               (f"reverse:{action_id}:0", EntryKind.REVERSAL, 0, farming.CLEARED),
               (f"action:{action_id}:1", EntryKind.GRANT, 10, None)]
    assert _entries(talk, hana_id) == settled
    with talk.community.reader() as s:
        item = s.get(ContentItem, content_id)
        assert item is not None and item.state == ContentState.PUBLISHED and not item.in_queue

    # Approved again (a second click, another moderator): no change.
    assert moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"}).status_code == 303
    assert _balance(talk, hana_id) == 20 and _entries(talk, hana_id) == settled
    # The clear heard again (a redelivery): the ledger's keys pay once.
    with talk.community.session() as s:
        item = s.get(ContentItem, content_id)
        assert item is not None
        points.on_flag_cleared(s, item, ReviewReason.FARMING, utcnow())
    assert _balance(talk, hana_id) == 20 and _entries(talk, hana_id) == settled

    page = liff_client(hana.user_id).get("/liff/points").get_data(as_text=True)
    assert f"テーマへの回答（{farming.CLEARED}）" in page and f"テーマへの回答（{DUPLICATE}）" in page
    assert page.count("テーマへの回答 <strong>+10pt</strong>") == 2

    # Hidden, it gives the 10 back once; restored, it is paid again (the moderator's word stands).
    moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "hide"})
    moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "hide"})
    assert _balance(talk, hana_id) == 10
    moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"})
    assert _balance(talk, hana_id) == 20
    assert _entries(talk, hana_id)[len(settled):] == [
        (f"reverse:{action_id}:1", EntryKind.REVERSAL, -10, "非表示"),
        (f"action:{action_id}:2", EntryKind.GRANT, 10, None)]


def test_hiding_a_farmed_answer_takes_nothing(talk: Talk) -> None:
    hana = talk.member("はな")
    talk.theme()
    talk.say(hana, ANSWER)
    talk.say(hana, "。")
    hana_id = talk.member_id(hana)
    content_id = _farmed(talk, "。")
    moderator = Console(talk.community).client("moderator")
    for _ in range(2):
        assert moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "hide"}).status_code == 303
    assert _balance(talk, hana_id) == 10
    entries = _entries(talk, hana_id)
    assert [(kind, amount) for _, kind, amount, _ in entries] == [
        (EntryKind.GRANT, 10), (EntryKind.GRANT, 0), (EntryKind.REVERSAL, 0)]
    assert entries[-1][3] == "非表示"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_daily_cap_is_counted_on_the_approval_day(talk: Talk) -> None:
    with talk.community.session() as s:
        rules.set_rule(s, ActionKind.THEME_ANSWER, 10, 10, None, "m@example.com")
    hana = talk.member("はな")
    talk.theme()
    talk.say(hana, ANSWER)
    talk.say(hana, ANSWER)  # farming; today's cap is used up by the first answer anyway
    hana_id = talk.member_id(hana)
    content_id = _farmed(talk, ANSWER)
    tomorrow = utcnow() + timedelta(days=1)
    email = Console(talk.community).staff("moderator")
    with talk.community.session() as s:
        item = s.get(ContentItem, content_id)
        staff_id = s.scalar(select(StaffUser.id).where(StaffUser.email == email))
        assert item is not None and staff_id is not None
        moderation.approve(s, item, staff_id, now=tomorrow)
    assert _balance(talk, hana_id) == 20
    with talk.community.reader() as s:
        paid = s.scalar(select(PointEntry).where(PointEntry.key.like("action:%:1")))
        assert paid is not None and paid.amount == 10
        assert paid.created_at >= ledger.jst_day_start(tomorrow)  # dated, and capped, on the approval's day


def test_a_farmed_answer_reported_later_is_paid_when_a_moderator_approves_it(talk: Talk) -> None:
    """A report rewrites the queue's reason; the approval still settles what farming withheld."""
    hana, taro = talk.member("はな"), talk.member("たろう")
    talk.theme()
    talk.say(hana, ANSWER)
    talk.say(hana, ANSWER)
    content_id = _farmed(talk, ANSWER)
    with talk.community.session() as s:
        assert moderation.report(s, content_id, talk.member_id(taro), "同じ内容です") == \
            moderation.ReportResult.ACCEPTED
    with talk.community.reader() as s:
        assert s.get(ContentItem, content_id).review_reason == ReviewReason.REPORTED  # type: ignore[union-attr]
    moderator = Console(talk.community).client("moderator")
    assert moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"}).status_code == 303
    assert _balance(talk, talk.member_id(hana)) == 20


def test_an_answer_queued_for_an_ng_word_and_judged_farming_shows_why_and_is_paid_on_approval(talk: Talk) -> None:
    """Queued first for an NG word (flagged, still published), then judged farming: its history says points
    were withheld, and approving it pays them."""
    with talk.community.session() as s:
        ngwords.add(s, "ストレッチ", "flag")
    hana = talk.member("はな")
    talk.theme()
    talk.say(hana, ANSWER)
    talk.say(hana, ANSWER)
    with talk.community.reader() as s:
        item = s.scalars(select(ContentItem).where(ContentItem.body == ANSWER).order_by(ContentItem.id.desc())).first()
        assert item is not None and item.in_queue and item.review_reason == ReviewReason.FLAGGED
        notes = [d.note for d in s.scalars(select(ContentDecision).where(ContentDecision.content_id == item.id))]
        content_id = item.id
    assert DUPLICATE in " ".join(n or "" for n in notes), notes
    moderator = Console(talk.community).client("moderator")
    assert moderator.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"}).status_code == 303
    assert _balance(talk, talk.member_id(hana)) == 20
