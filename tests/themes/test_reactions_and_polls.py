"""Reaction and poll buttons under a delivered post: the taps the pushes engine's quick replies send back
are counted once per member and acknowledged once; a second vote for another option moves the vote."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from linecomm.actions.models import MemberAction
from linecomm.actions.service import ActionKind
from linecomm.db import utcnow
from linecomm.members.models import MemberStatus
from linecomm.pushes import policy as policies
from linecomm.themes import posts
from linecomm.themes.content import Choice
from linecomm.themes.models import ThemePost, ThemeReaction, ThemeVote
from tests.themes.talk import Talk

REACTIONS = (Choice("like", "👍 いいね"), Choice("wow", "😮 すごい"))
POLL = (Choice("a", "A案：ミント"), Choice("b", "B案：ゆず"))


def test_reactions_count_once_per_member_and_reaction(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    guest = talk.member("まだ参加前", status=MemberStatus.FOLLOWER)
    post_id = talk.theme(choice_kind="reactions", choices=REACTIONS)
    like = next(a for a in hana.quick_replies() if a["label"] == "👍 いいね")  # as the member sees the post
    assert like["data"] == f"action=react&post={post_id}&r=like"

    assert talk.tap(hana, like["data"]) == ["「👍 いいね」をお送りしました。ありがとうございます！"]
    assert talk.tap(hana, like["data"]) == []  # counted and thanked once
    wow = talk.tap(hana, f"action=react&post={post_id}&r=wow")
    assert wow == ["「😮 すごい」をお送りしました。ありがとうございます！"]
    assert len(talk.tap(taro, like["data"])) == 1
    assert "メンバーの方のみ" in talk.tap(guest, like["data"])[0]
    assert "ご利用いただけません" in talk.tap(hana, f"action=react&post={post_id}&r=nope")[0]
    assert "ご利用いただけません" in talk.tap(hana, f"action=vote&post={post_id}&o=like")[0]  # not a poll
    assert "ご利用いただけません" in talk.tap(hana, "action=react&post=99999&r=like")[0]

    with talk.community.reader() as s:
        counts = dict(s.execute(select(ThemeReaction.reaction, func.count()).group_by(ThemeReaction.reaction)).all())
    assert counts == {"like": 2, "wow": 1}
    assert _actions(talk, post_id) == [ActionKind.REACTION] * 3  # one member action per member and reaction


def test_a_vote_counts_once_moves_when_changed_and_closes_with_the_answer_window(talk: Talk) -> None:
    hana, taro = talk.member("はなまる"), talk.member("たろう")
    post_id = talk.theme(choice_kind="poll", choices=POLL, closes=timedelta(seconds=30))
    a, b = (x["data"] for x in hana.quick_replies())
    assert (a, b) == (f"action=vote&post={post_id}&o=a", f"action=vote&post={post_id}&o=b")

    assert talk.tap(hana, a) == ["「A案：ミント」に投票しました。ご協力ありがとうございます！"]
    assert talk.tap(hana, a) == []
    assert talk.tap(hana, b) == ["投票を「B案：ゆず」に変更しました。"]
    assert len(talk.tap(taro, a)) == 1
    with talk.community.reader() as s:
        votes = dict(s.execute(select(ThemeVote.option_key, func.count()).group_by(ThemeVote.option_key)).all())
    assert votes == {"a": 1, "b": 1}
    assert _actions(talk, post_id) == [ActionKind.VOTE] * 2  # once per member and post: a moved vote is not new

    with talk.community.session() as s:  # the window ends
        s.get(ThemePost, post_id).answers_close_at = utcnow() - timedelta(seconds=1)
    assert "投票の受付は終了しました" in talk.tap(taro, b)[0]
    with talk.community.reader() as s:
        assert s.scalar(select(ThemeVote.option_key).where(ThemeVote.member_id == talk.member_id(taro))) == "a"


def test_buttons_of_a_test_send_are_not_counted(talk: Talk) -> None:
    staff = talk.member("スタッフ")
    post_id = talk.desk.post(choice_kind="poll", choices=POLL)
    with talk.community.session() as s:
        policies.add_test_recipient(s, staff.user_id, "スタッフ")
    with talk.community.session() as s:
        posts.test_send(s, post_id)
    talk.community.drain()
    data = staff.quick_replies()[0]["data"]
    assert talk.tap(staff, data) == ["（テスト配信）このボタンの操作は集計されません。"]
    with talk.community.reader() as s:
        assert s.scalar(select(func.count()).select_from(ThemeVote)) == 0


def _actions(talk: Talk, post_id: int) -> list[str]:
    with talk.community.reader() as s:
        return list(s.scalars(select(MemberAction.kind).where(MemberAction.ref == f"theme:{post_id}")))
