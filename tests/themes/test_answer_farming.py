"""Points do not reward farming: a repeated or near-repeated answer, or one with no meaning, is recorded
with 0 points and its reason, and goes to the moderators' queue while staying published. Answers arrive as
signed webhooks (one batch, the path production takes at volume); the setting is a marketer's, audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.line.simulator import text_event
from linecomm.moderation.models import ContentItem, ContentState, ReviewReason
from linecomm.points import farming
from linecomm.points.models import PointEntry
from tests.admin.console import Console
from tests.support.community import Community
from tests.themes.talk import Talk


def _grants(community: Community, member_id: int) -> list[tuple[int, str | None]]:
    with community.reader() as s:
        return [(e.amount, e.reason) for e in s.scalars(
            select(PointEntry).where(PointEntry.member_id == member_id).order_by(PointEntry.id))]


def _queued(community: Community) -> list[tuple[str, str, str | None]]:
    with community.reader() as s:
        return [(i.body, i.state, i.review_reason) for i in s.scalars(
            select(ContentItem).where(ContentItem.in_queue.is_(True)).order_by(ContentItem.id))]


def test_repeated_and_meaningless_answers_earn_nothing_and_are_queued(talk: Talk) -> None:
    hana, taro = talk.member("はな"), talk.member("たろう")
    first_post, second_post = talk.theme(), talk.theme(text="来月のテーマ：夜のリラックス方法は？")
    assert first_post != second_post
    # One webhook body: one batch. The same words from another member are not hana's repetition.
    events = [text_event(hana.user_id, "朝は白湯を一杯飲んでから、ストレッチをしています。"),
              text_event(taro.user_id, "朝は白湯を一杯飲んでから、ストレッチをしています。"),
              text_event(hana.user_id, "朝は白湯を一杯飲んでから ストレッチをしています！！"),
              text_event(hana.user_id, "。"),
              text_event(hana.user_id, "あかさたな")]
    assert talk.community.post_events(events).status == 200
    talk.community.drain()
    # A later batch: still compared with what hana wrote before.
    talk.say(hana, "朝は白湯を一杯飲んでからストレッチをしています")
    talk.say(hana, "ぬるめのお風呂にゆっくり入ります")

    hana_id, taro_id = talk.member_id(hana), talk.member_id(taro)
    duplicate, no_meaning = farming.REASONS[farming.DUPLICATE], farming.REASONS[farming.MEANINGLESS]
    assert _grants(talk.community, hana_id) == [(10, None), (0, duplicate), (0, no_meaning), (0, no_meaning),
                                                (0, duplicate), (10, None)]
    assert _grants(talk.community, taro_id) == [(10, None)]
    assert _queued(talk.community) == [
        ("朝は白湯を一杯飲んでから ストレッチをしています！！", ContentState.PUBLISHED, ReviewReason.FARMING),
        ("。", ContentState.PUBLISHED, ReviewReason.FARMING),
        ("あかさたな", ContentState.PUBLISHED, ReviewReason.FARMING),
        ("朝は白湯を一杯飲んでからストレッチをしています", ContentState.PUBLISHED, ReviewReason.FARMING),
    ]
    with talk.community.reader() as s:  # the published answer keeps the chat's usual thanks
        assert s.scalar(select(ContentItem.state).where(ContentItem.body == "。")) == ContentState.PUBLISHED


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_marketer_turns_the_rule_off_and_posts_pay_again_audited(talk: Talk) -> None:
    console = Console(talk.community)
    marketer = console.client("marketer")
    page = marketer.get("/admin/points/farming")
    assert page.status_code == 200 and "意味のない投稿" in page.get_data(as_text=True)
    bad = marketer.post("/admin/points/farming/save", {"enabled": "on", "min_chars": "2", "similarity": "20",
                                                       "lookback_days": "90"})
    assert bad.status_code == 422 and "類似度のしきい値は50〜100" in bad.get_data(as_text=True)
    assert marketer.post("/admin/points/farming/save", {"min_chars": "ｘ", "similarity": "90",
                                                        "lookback_days": "90"}).status_code == 422
    saved = marketer.post("/admin/points/farming/save", {"min_chars": "2", "similarity": "90", "lookback_days": "90"})
    assert saved.status_code == 303
    [row] = console.audit_rows("points.farming")
    assert '"enabled": true' in (row.before or "") and '"enabled": false' in (row.after or "")
    assert console.client("moderator").get("/admin/points/farming").status_code == 403

    hana = talk.member("はな")
    talk.theme()
    talk.say(hana, "あかさたな")
    assert _grants(talk.community, talk.member_id(hana)) == [(10, None)]
    assert _queued(talk.community) == []
