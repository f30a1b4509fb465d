"""Joining the closed community in chat: follow → 参加する → invite code → consent → nickname."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from linecomm.members import invites
from linecomm.members.models import Consent, InviteCode, Member, MemberStatus
from tests.support.community import ChatUser, Community


def _code(community: Community, cohort: str = "0期生", max_uses: int = 50, expires: date | None = None) -> str:
    with community.session() as s:
        return invites.create_code(s, cohort, max_uses, expires or date.today() + timedelta(days=30)).code


def _member(community: Community, user: ChatUser) -> Member:
    with community.session() as s:
        return s.scalars(select(Member).where(Member.line_user_id == user.user_id)).one()


def _step(community: Community, user: ChatUser, action, *args) -> str:  # type: ignore[no-untyped-def]
    assert action(*args).status == 200
    community.drain()
    return user.last_text()


def join(community: Community, user: ChatUser, code: str, nickname: str) -> str:
    _step(community, user, user.follow)
    _step(community, user, user.tap_quick_reply, "参加する")
    _step(community, user, user.say, code)
    _step(community, user, user.tap_quick_reply, "同意する")
    return _step(community, user, user.say, nickname)


def test_follow_greets_with_a_reply_and_offers_to_join(community: Community) -> None:
    user = community.user("佐藤 花子")
    _step(community, user, user.follow)
    texts = user.texts()
    assert "佐藤 花子さん、友だち追加ありがとうございます。" in texts[0]
    assert [a["label"] for a in user.quick_replies()] == ["参加する", "ヘルプ"]
    assert [r.path for r in community.fake.requests if r.path.startswith("/v2/bot/message")] == [
        "/v2/bot/message/reply"
    ]
    member = _member(community, user)
    assert (member.display_name, member.status, member.is_following) == ("佐藤 花子", MemberStatus.FOLLOWER, True)


def test_the_whole_join_flow_with_a_wrong_code_first(community: Community) -> None:
    code = _code(community, cohort="0期生")
    user = community.user()
    _step(community, user, user.follow)
    assert "招待コードを入力してください" in _step(community, user, user.tap_quick_reply, "参加する")
    assert "見つかりませんでした" in _step(community, user, user.say, "NOPE1234")
    assert "プライバシーポリシー" in _step(community, user, user.say, code.lower())
    assert "ニックネーム" in _step(community, user, user.tap_quick_reply, "同意する")
    welcome = _step(community, user, user.say, "はなまる")
    assert "はなまるさん、ようこそ" in welcome and "0期生" in welcome

    member = _member(community, user)
    assert (member.status, member.nickname, member.cohort) == (MemberStatus.MEMBER, "はなまる", "0期生")
    assert member.joined_at is not None and member.joined_at.tzinfo is not None
    with community.session() as s:
        consent = s.scalars(select(Consent).where(Consent.member_id == member.id)).one()
        used = s.scalar(select(InviteCode.used_count).where(InviteCode.code == code))
    assert consent.notice_version == community.settings.privacy_notice_version
    assert used == 1


def test_codes_are_matched_regardless_of_width_case_and_hyphens(community: Community) -> None:
    code = _code(community)
    user = community.user()
    _step(community, user, user.follow)
    _step(community, user, user.tap_quick_reply, "参加する")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code[:4].lower()) + "-" + code[4:]
    assert "プライバシーポリシー" in _step(community, user, user.say, fullwidth)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("expired", "有効期限が切れています"),
        ("used_up", "利用可能な人数に達しました"),
        ("disabled", "現在ご利用いただけません"),
    ],
)
def test_unusable_codes_get_a_polite_explanation(community: Community, setup: str, expected: str) -> None:
    with community.session() as s:
        row = invites.create_code(s, "1期生", 1, date.today() + timedelta(days=1))
        if setup == "expired":
            row.expires_at = invites.end_of_day_jst(date.today() - timedelta(days=1))
        elif setup == "used_up":
            row.used_count = 1
        else:
            from linecomm.db import utcnow

            row.disabled_at = utcnow()
        code = row.code
    user = community.user()
    _step(community, user, user.follow)
    _step(community, user, user.tap_quick_reply, "参加する")
    assert expected in _step(community, user, user.say, code)
    assert _member(community, user).status == MemberStatus.JOINING


def test_a_code_with_one_use_left_admits_only_one_member(community: Community) -> None:
    code = _code(community, max_uses=1)
    first, second = community.user(), community.user()
    assert "ようこそ" in join(community, first, code, "いちばん")
    _step(community, second, second.follow)
    _step(community, second, second.tap_quick_reply, "参加する")
    assert "人数に達しました" in _step(community, second, second.say, code)


def test_a_taken_or_too_long_nickname_is_refused_politely(community: Community) -> None:
    code = _code(community)
    join(community, community.user(), code, "ことり")
    user = community.user()
    assert "すでに使われています" in join(community, user, code, "コトリ ")  # same nickname to a reader
    assert "20文字まで" in _step(community, user, user.say, "あ" * 21)
    assert "URL" in _step(community, user, user.say, "https://spam.example")
    assert "ようこそ" in _step(community, user, user.say, "すずめ")


def test_declining_consent_cancels_the_join(community: Community) -> None:
    code = _code(community)
    user = community.user()
    _step(community, user, user.follow)
    _step(community, user, user.tap_quick_reply, "参加する")
    _step(community, user, user.say, code)
    assert "同意いただけない場合" in _step(community, user, user.tap_quick_reply, "同意しない")
    assert _member(community, user).status == MemberStatus.FOLLOWER


@pytest.mark.parametrize("keyword", ["ヘルプ", "へるぷ", "ﾍﾙﾌﾟ", "ヘルプ！", "ＨＥＬＰ"])
def test_help_keyword_is_recognised_in_any_width_or_kana(community: Community, keyword: str) -> None:
    user = community.user()
    _step(community, user, user.follow)
    assert "参加する：招待コードで参加手続きを始めます" in _step(community, user, user.say, keyword)


def test_other_text_from_a_non_member_gets_guidance(community: Community) -> None:
    user = community.user()
    _step(community, user, user.follow)
    assert "招待コードをご用意のうえ" in _step(community, user, user.say, "こんにちは！")


def test_leaving_needs_confirmation_and_keeps_the_data(community: Community) -> None:
    code = _code(community)
    user = community.user()
    join(community, user, code, "たびびと")
    assert "退会しますか" in _step(community, user, user.say, "退会")
    assert "取りやめました" in _step(community, user, user.tap_quick_reply, "やめる")
    assert _member(community, user).status == MemberStatus.MEMBER
    _step(community, user, user.say, "たいかい")
    assert "退会の手続きが完了しました" in _step(community, user, user.tap_quick_reply, "退会する")
    member = _member(community, user)
    assert (member.status, member.nickname) == (MemberStatus.LEFT, "たびびと")
    assert "現在コミュニティには参加されていません" in _step(community, user, user.say, "退会")


def test_unfollow_stops_messages_and_refollow_welcomes_a_member_back(community: Community) -> None:
    code = _code(community)
    user = community.user()
    join(community, user, code, "もどりびと")
    _step(community, user, user.unfollow)
    assert _member(community, user).is_following is False
    before = len(user.received())
    _step(community, user, user.follow, True)
    assert "おかえりなさい" in user.last_text()
    assert len(user.received()) == before + 1
    assert _member(community, user).is_following is True


def test_unblocking_the_account_is_thanked_as_such(community: Community) -> None:
    user = community.user("戻った 人")
    _step(community, user, user.follow)
    _step(community, user, user.unfollow)
    _step(community, user, user.follow, True)
    assert "ブロック解除ありがとうございます" in user.texts()[-2]
