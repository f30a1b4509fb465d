"""Answers that arrive together (one webhook body, handled as one batch) are decided one by one and
stored together when the batch ends: each is stored once, a single-answer post still takes one answer per
member, a photo in the batch is fetched, and a LINE message taken before (a replay under a new event id)
adds nothing, whether it was taken in an earlier batch or earlier in this one."""
from __future__ import annotations

import copy
import logging
import uuid

import pytest
from sqlalchemy import func, select

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.line.simulator import image_event, text_event
from linecomm.moderation import ngwords
from linecomm.moderation.models import ContentDecision, ContentItem, ContentState
from linecomm.points.models import PointEntry
from linecomm.themes.models import AnswerMode, ImageStatus, ThemeAnswer
from tests.themes.talk import Talk

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def _replayed(event: dict) -> dict:
    """The same LINE message under another webhook event id (what an operator's replay looks like)."""
    again = copy.deepcopy(event)
    again["webhookEventId"] = uuid.uuid4().hex[:26].upper()
    again["replyToken"] = uuid.uuid4().hex
    return again


def test_a_batch_of_answers_is_stored_once_each_with_its_moderation_record(
    talk: Talk, caplog: pytest.LogCaptureFixture
) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    with talk.community.session() as s:
        ngwords.add(s, "ばか", "block")
    post_id = talk.theme(title="朝の習慣")
    talk.community.fake.add_content("910000000000000001", JPEG, "image/jpeg")

    hana_text = text_event(hana.user_id, "朝は白湯です")
    events = [
        hana_text,
        text_event(taro.user_id, "ばかみたい"),
        image_event(hana.user_id, "910000000000000001"),
        text_event(taro.user_id, "朝は散歩です"),
        _replayed(hana_text),  # the same message again, in the same batch
    ]
    caplog.set_level(logging.WARNING, logger="linecomm.webhooks.batch")
    assert talk.community.post_events(events).status == 200
    talk.community.drain()
    talk.community.drain()  # the photo's job
    assert not [r for r in caplog.records if "one by one" in r.getMessage()]  # handled as one batch

    # (The photo is stored at once, for its job; the texts when the batch ends: ids say nothing of order.)
    assert sorted(talk.answers(post_id)) == sorted([
        ("はなまる", "text", ContentState.PUBLISHED, "朝は白湯です"),
        ("たろう", "text", ContentState.BLOCKED, "ばかみたい"),
        ("はなまる", "image", ContentState.HELD, "（画像）"),
        ("たろう", "text", ContentState.PUBLISHED, "朝は散歩です"),
    ])
    with talk.community.reader() as s:
        items = s.scalars(select(ContentItem.id).where(ContentItem.ref == f"theme:{post_id}")).all()
        assert len(items) == 4  # the replay added no item
        decisions = s.execute(select(ContentDecision.content_id, ContentDecision.action, ContentDecision.to_state)
                              .where(ContentDecision.content_id.in_(items))).all()
        assert sorted(d[0] for d in decisions) == sorted(items)  # one "submitted" decision per item
        assert {d[1] for d in decisions} == {"submitted"}
        image = s.scalar(select(ThemeAnswer).where(ThemeAnswer.line_message_id == "910000000000000001"))
        assert image is not None and image.image_status == ImageStatus.STORED
    # Every event was answered, the replay with the same thanks as the first time.
    thanks = [t for t in hana.texts() if "ご回答ありがとうございます" in t]
    assert len(thanks) == 2
    assert any("掲載できませんでした" in t for t in taro.texts())

    # Replayed again in a later batch: still nothing new.
    assert talk.community.post_events([_replayed(hana_text)]).status == 200
    talk.community.drain()
    with talk.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(ThemeAnswer).where(ThemeAnswer.post_id == post_id)) == 4
        # Each answer is one member action (points pay the published ones: the held photo and the blocked
        # text earn nothing until a moderator publishes them).
        recorded = s.execute(select(MemberAction.key, MemberAction.kind).where(MemberAction.ref == f"theme:{post_id}")
                             ).all()
        assert sorted(recorded) == sorted((f"theme-answer:{m}", ActionKind.THEME_ANSWER) for m in
                                          s.scalars(select(ThemeAnswer.line_message_id)
                                                    .where(ThemeAnswer.post_id == post_id)))
        paid = s.execute(select(PointEntry.member_id, func.sum(PointEntry.amount)).group_by(PointEntry.member_id)
                         ).all()
        assert sorted(amount for _, amount in paid) == [10, 10]


def test_a_single_answer_post_takes_one_answer_per_member_even_within_one_batch(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    with talk.community.session() as s:
        ngwords.add(s, "ばか", "block")
    post_id = talk.theme(title="ひとこと", answer_mode=AnswerMode.SINGLE)
    events = [
        text_event(hana.user_id, "朝は白湯です"),
        text_event(taro.user_id, "ばかみたい"),  # refused: not their answer
        text_event(hana.user_id, "やっぱりコーヒーです"),
        text_event(taro.user_id, "朝は散歩です"),
    ]
    assert talk.community.post_events(events).status == 200
    talk.community.drain()
    assert [(a[0], a[2], a[3]) for a in talk.answers(post_id)] == [
        ("はなまる", ContentState.PUBLISHED, "朝は白湯です"),
        ("たろう", ContentState.BLOCKED, "ばかみたい"),
        ("たろう", ContentState.PUBLISHED, "朝は散歩です"),
    ]
    assert "お一人さま1回まで" in hana.last_text()
