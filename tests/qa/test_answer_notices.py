"""The asker hears of answers in chat: one push per question per window (counted at the fake LINE
platform), none for their own replies, held through quiet hours and sent by the sweeper when they end; the
brand's answer (公式) tells them too."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.pushes import policy
from linecomm.qa import copy
from linecomm.qa.models import QaAnswer
from linecomm.sweeper import sweep
from tests.qa.conftest import answer, answer_ids, ask, tomorrow_at


def _pushes(community, user_id: str) -> list[str]:
    return [m["text"] for m in community.fake.messages_to(user_id)]


def test_the_asker_is_told_once_per_window_however_many_answers_come(community, liff_member, liff_client, clock):
    jobs = clock(tomorrow_at(12, 0))  # midday in Japan: outside the default quiet hours (21:00–09:00)
    window = community.settings.qa_notice_window_minutes
    hana, sora, riku = (liff_member(nickname=n) for n in ("はな", "そら", "りく"))
    asker = liff_client(hana.line_user_id)
    question_id = ask(asker, "傘の乾かし方")
    answer(asker, question_id, "補足です：折りたたみ傘です")  # the asker's own words: nobody to tell
    community.drain()
    assert _pushes(community, hana.line_user_id) == []

    answer(liff_client(sora.line_user_id), question_id, "広げて陰干しです")
    jobs.advance(minutes=window - 1)
    answer(liff_client(riku.line_user_id), question_id, "タオルで拭いてから")
    community.drain()
    pushes = _pushes(community, hana.line_user_id)
    url = f"https://liff.line.me/{community.settings.liff_id}/qa/{question_id}"
    assert pushes == [copy.answer_notice("傘の乾かし方", url)[0]["text"]]
    assert _pushes(community, sora.line_user_id) == [] and _pushes(community, riku.line_user_id) == []

    jobs.advance(minutes=2)  # the window has passed: the next answer is told
    answer(liff_client(sora.line_user_id), question_id, "もうひとつ：風通しのよい場所で")
    community.drain()
    assert len(_pushes(community, hana.line_user_id)) == 2


def test_a_notice_during_quiet_hours_waits_for_their_end(community, liff_member, liff_client, clock):
    with community.session() as s:
        policy.update(s, quiet_start="21:00", quiet_end="09:00")
    clock(tomorrow_at(23, 30))
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    question_id = ask(liff_client(hana.line_user_id))
    answer(liff_client(sora.line_user_id), question_id, "夜中の回答です")
    community.drain()
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    assert _pushes(community, hana.line_user_id) == []
    with community.session() as s:
        row = s.scalar(select(OutboundMessage).where(OutboundMessage.to == hana.line_user_id))
        assert row.status == OutboundStatus.PENDING
        assert row.not_before == tomorrow_at(9, 0) + timedelta(days=1)  # the morning after, 09:00 JST
        # The night passes: the hold is over (the sender compares it with the real clock).
        s.execute(update(OutboundMessage).where(OutboundMessage.id == row.id)
                  .values(not_before=row.created_at - timedelta(seconds=1)))
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    assert len(_pushes(community, hana.line_user_id)) == 1
    sweep(community.runtime, grace_seconds=0)
    community.drain()
    assert len(_pushes(community, hana.line_user_id)) == 1  # sent once


def test_the_brand_answers_as_公式_and_the_asker_is_told(community, liff_member, liff_client, console, clock):
    clock(tomorrow_at(10, 0))
    hana = liff_member(nickname="はな")
    asker = liff_client(hana.line_user_id)
    question_id = ask(asker, "保証期間は？")
    marketer = console.client("marketer")
    empty = marketer.post(f"/admin/qa/{question_id}/answer", data={"body": "  "})
    assert empty.status_code == 422 and copy.ANSWER_REQUIRED in empty.get_data(as_text=True)
    assert marketer.post(f"/admin/qa/{question_id}/answer", data={"body": "お買い上げから1年です。"}).status_code == 303
    (answer_id,) = answer_ids(community, question_id)
    with community.reader() as s:
        row = s.get(QaAnswer, answer_id)
        assert row.is_official and row.member_id is None and row.staff_id is not None and row.content_id is None
    page = asker.get(f"/liff/qa/{question_id}").get_data(as_text=True)
    assert f'data-official>{copy.OFFICIAL}</span>' in page and "運営チーム" in page
    assert len(console.audit_rows("qa.brand_answer")) == 1
    community.drain()
    assert len(_pushes(community, hana.line_user_id)) == 1


def test_a_held_answer_reaches_the_asker_once_a_moderator_approves_it(community, liff_member, liff_client,
                                                                       console, clock):
    from linecomm.moderation import ngwords

    clock(tomorrow_at(14, 0))
    with community.session() as s:
        ngwords.add(s, "激安", "hold")
    hana, sora = liff_member(nickname="はな"), liff_member(nickname="そら")
    asker = liff_client(hana.line_user_id)
    question_id = ask(asker)
    held = liff_client(sora.line_user_id).post(f"/liff/qa/{question_id}/answers", data={"body": "激安店で買えます"})
    assert held.status_code == 200 and copy.HELD in held.get_data(as_text=True)
    community.drain()
    assert _pushes(community, hana.line_user_id) == []
    assert "激安店" not in asker.get(f"/liff/qa/{question_id}").get_data(as_text=True)
    (answer_id,) = answer_ids(community, question_id)
    with community.reader() as s:
        content_id = s.get(QaAnswer, answer_id).content_id
    moderator = console.client("moderator")
    assert moderator.post(f"/admin/moderation/{content_id}/decide", data={"action": "approve"}).status_code == 303
    community.drain()
    assert len(_pushes(community, hana.line_user_id)) == 1
    assert "激安店" in asker.get(f"/liff/qa/{question_id}").get_data(as_text=True)
