"""A newcomer arrives through a member's invite link (LIFF), then joins in chat through signed webhooks:
the join is attributed to the referrer once and their action recorded once, whatever is redelivered;
self-referral, loops, re-joins, unknown codes and codes of members who left or are suspended are refused."""
from __future__ import annotations

import html
from typing import Any

from sqlalchemy import func, select, update

from linecomm.members.models import Member, MemberStatus
from linecomm.referrals import service
from linecomm.referrals.models import ArrivalOutcome, Referral, ReferralArrival
from tests.referrals.support import (
    code_from_page,
    counts,
    invite_code,
    join_in_chat,
    member_id_of,
    newcomer,
    step,
)
from tests.support.community import Community


def _code_of(liff_client: Any, line_user_id: str) -> str:
    return code_from_page(liff_client(line_user_id).get("/liff/invite").get_data(as_text=True))


def _text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_newcomer_through_the_link_is_attributed_once_even_when_the_join_is_redelivered(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    code = _code_of(liff_client, hana.line_user_id)
    new = newcomer(community)
    visitor = liff_client(new.user_id)  # not even a friend of the account yet
    landing = visitor.get(f"/liff/invite/join?ref={code}")
    assert landing.status_code == 200
    assert "はなさんから、コミュニティへのご招待が届いています。" in _text(landing)
    assert counts(community, hana.member_id) == (0, 0, 0)  # opening the page stores nothing
    accepted = visitor.post("/liff/invite/join", data={"ref": code})
    assert accepted.status_code == 200 and "紹介を受け付けました" in _text(accepted)
    assert "「参加」と送ってください" in _text(accepted)
    assert visitor.post("/liff/invite/join", data={"ref": code}).status_code == 200  # tapped twice: one arrival
    assert counts(community, hana.member_id) == (0, 0, 1)

    welcome = join_in_chat(community, new, invite_code(community), "しんじん")
    assert "しんじんさん、ようこそ" in welcome
    new_id = member_id_of(community, new.user_id)
    assert counts(community, hana.member_id) == (1, 1, 1)
    with community.session() as s:
        assert s.scalar(select(Referral.referred_member_id)) == new_id
        arrival = s.scalars(select(ReferralArrival)).one()
        assert arrival.outcome == ArrivalOutcome.ATTRIBUTED and arrival.settled_at is not None

    for event in list(new.sent):  # LINE redelivers every event of the join flow
        redelivered = dict(event, deliveryContext={"isRedelivery": True})
        assert community.post_events([redelivered]).status == 200
    community.drain()
    step(community, new, new.say, "しんじん")  # the nickname sent again, as a new message
    assert counts(community, hana.member_id) == (1, 1, 1)
    page = liff_client(hana.line_user_id).get("/liff/invite").get_data(as_text=True)
    assert "data-joins>1<" in page


def test_a_member_who_leaves_and_joins_again_is_not_counted_again(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    code = _code_of(liff_client, hana.line_user_id)
    new = newcomer(community)
    liff_client(new.user_id).post("/liff/invite/join", data={"ref": code})
    cohort_code = invite_code(community)
    join_in_chat(community, new, cohort_code, "しんじん")
    assert counts(community, hana.member_id) == (1, 1, 1)
    assert "退会" in step(community, new, new.say, "退会")
    step(community, new, new.tap_quick_reply, "退会する")
    with community.session() as s:
        assert s.scalar(select(Member.status).where(Member.line_user_id == new.user_id)) == MemberStatus.LEFT
    # Back through the link: a former member is told the invite is not for them, nothing is stored.
    again = liff_client(new.user_id).post("/liff/invite/join", data={"ref": code})
    assert "以前ご参加いただいていた方は、紹介の対象外です" in _text(again)
    assert "招待コード" in step(community, new, new.say, "参加")
    step(community, new, new.say, cohort_code)
    step(community, new, new.tap_quick_reply, "同意する")
    step(community, new, new.say, "しんじん")
    with community.session() as s:
        assert s.scalar(select(Member.status).where(Member.line_user_id == new.user_id)) == MemberStatus.MEMBER
    assert counts(community, hana.member_id) == (1, 1, 1)


def test_self_referral_loops_members_and_former_members_are_refused_politely(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    code = _code_of(liff_client, hana.line_user_id)
    own = liff_client(hana.line_user_id)
    assert "ご自分を紹介することはできません" in _text(own.get(f"/liff/invite/join?ref={code}"))
    assert "ご自分を紹介することはできません" in _text(own.post("/liff/invite/join", data={"ref": code}))

    new = newcomer(community)
    liff_client(new.user_id).post("/liff/invite/join", data={"ref": code})
    join_in_chat(community, new, invite_code(community), "しんじん")
    new_code = _code_of(liff_client, new.user_id)
    loop = own.post("/liff/invite/join", data={"ref": new_code})  # B cannot refer A, who referred B
    assert "あなたの紹介で参加された方" in _text(loop)

    taro = liff_member(nickname="たろ")
    assert "すでにコミュニティのメンバーです" in _text(liff_client(taro.line_user_id).post(
        "/liff/invite/join", data={"ref": code}))
    gone = liff_member(nickname="いた人", status=MemberStatus.LEFT)
    assert "紹介の対象外です" in _text(liff_client(gone.line_user_id).get(f"/liff/invite/join?ref={code}"))
    assert counts(community, hana.member_id) == (1, 1, 1)
    assert counts(community, new_id := member_id_of(community, new.user_id)) == (0, 0, 0)
    assert new_id


def test_unknown_and_garbage_codes_get_a_clear_message_and_store_nothing(
        community: Community, liff_client: Any) -> None:
    new = newcomer(community)
    visitor = liff_client(new.user_id)
    for raw in ("nosuchcode1234", "<script>", "../../etc", "", "x" * 500, "ａｂｃ１２３４５６７８"):
        page = visitor.get("/liff/invite/join", query_string={"ref": raw})
        assert page.status_code == 404, raw
        assert "この招待リンクは無効です" in _text(page)
        posted = visitor.post("/liff/invite/join", data={"ref": raw})
        assert posted.status_code == 404 and "<script>" not in posted.get_data(as_text=True)
    with community.session() as s:
        assert s.scalar(select(func.count()).select_from(ReferralArrival)) == 0
    anonymous = liff_client(None).post("/liff/invite/join", data={"ref": "nosuchcode1234"})
    assert anonymous.status_code == 401 and anonymous.get_json()["reauth"] is True
    assert visitor.post("/liff/invite/join", data={"ref": "x"}, origin="https://evil.example").status_code == 403


def test_a_code_of_a_suspended_or_departed_member_does_not_count(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    taro = liff_member(nickname="たろ")
    with community.session() as s:
        hana_code, taro_code = service.code_for(s, hana.member_id), service.code_for(s, taro.member_id)
        s.execute(update(Member).where(Member.id == hana.member_id).values(status=MemberStatus.SUSPENDED))
    new = newcomer(community)
    refused = liff_client(new.user_id).post("/liff/invite/join", data={"ref": hana_code})
    assert "この招待リンクは現在ご利用いただけません" in _text(refused)

    # Accepted while taro was a member, but taro left before the newcomer joined: not attributed.
    assert "紹介を受け付けました" in _text(liff_client(new.user_id).post("/liff/invite/join", data={"ref": taro_code}))
    with community.session() as s:
        s.execute(update(Member).where(Member.id == taro.member_id).values(status=MemberStatus.LEFT))
    join_in_chat(community, new, invite_code(community), "しんじん")
    assert counts(community, taro.member_id) == (0, 0, 1)
    with community.session() as s:
        assert s.scalar(select(ReferralArrival.outcome)) == ArrivalOutcome.REFERRER_INACTIVE


def test_settling_twice_attributes_once(community: Community, liff_member: Any, liff_client: Any) -> None:
    hana = liff_member(nickname="はな")
    code = _code_of(liff_client, hana.line_user_id)
    new = newcomer(community)
    liff_client(new.user_id).post("/liff/invite/join", data={"ref": code})
    join_in_chat(community, new, invite_code(community), "しんじん")
    with community.session() as s:
        member = s.scalars(select(Member).where(Member.line_user_id == new.user_id)).one()
        s.execute(update(ReferralArrival).values(settled_at=None, outcome=None))  # as if the listener ran again
        assert service.settle(s, member, new.user_id, member.joined_at) == ArrivalOutcome.ALREADY
        assert service.settle(s, member, new.user_id, member.joined_at) is None
    assert counts(community, hana.member_id) == (1, 1, 1)


def test_the_same_invite_accepted_three_times_at_once_is_stored_once(
        community: Community, liff_member: Any, liff_client: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    hana = liff_member(nickname="はな")
    code = _code_of(liff_client, hana.line_user_id)
    new = newcomer(community)
    clients = [liff_client(new.user_id) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(lambda c: c.post("/liff/invite/join", data={"ref": code}), clients))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("紹介を受け付けました" in _text(a) for a in answers)
    assert counts(community, hana.member_id) == (0, 0, 1)
