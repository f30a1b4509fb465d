"""「アンケート」 in chat, through signed webhooks: a member gets the surveys open for them with their LIFF
links (within LINE's limits), or a polite "none"; anyone else gets the usual guidance."""
from __future__ import annotations

from datetime import timedelta

from linecomm.db import utcnow
from linecomm.line.limits import utf16_units
from linecomm.members import copy as members_copy
from linecomm.members.models import MemberStatus
from linecomm.pushes.segments import Segment
from linecomm.surveys import copy, service
from tests.admin.console import make_member
from tests.support.community import ChatUser, Community
from tests.surveys.factories import make_survey

QUESTION = [{"kind": "single", "prompt": "好きな季節", "choices": ["春", "秋"]}]


def _say(community: Community, user: ChatUser, text: str) -> str:
    before = len(user.received())
    assert user.say(text).status == 200
    community.drain()
    assert len(user.received()) == before + 1, f"no single answer to {text!r}"
    return user.last_text()


def _member(community: Community, nickname: str, **kwargs: object) -> tuple[ChatUser, int]:
    user = community.user(display_name=f"{nickname}のLINE")
    with community.session() as s:
        return user, make_member(s, nickname=nickname, line_user_id=user.user_id, **kwargs).id  # type: ignore[arg-type]


def test_a_member_gets_the_surveys_open_for_them_with_liff_links(community: Community) -> None:
    liff = community.settings.liff_id
    user, member_id = _member(community, "さくら")
    now = utcnow()
    with community.session() as s:
        spring = make_survey(s, title="季節のアンケート", questions=QUESTION, closes_at=now + timedelta(days=2))
        answered = make_survey(s, title="回答済みのアンケート", questions=QUESTION, closes_at=now + timedelta(days=3))
        make_survey(s, title="2期生だけのアンケート", questions=QUESTION, segment=Segment(cohorts=("2期生",)))
        make_survey(s, title="終わったアンケート", questions=QUESTION, closes_at=now - timedelta(minutes=1))
        make_survey(s, title="下書きのアンケート", questions=QUESTION, published=False)
        assert service.submit(s, answered.id, member_id, {answered.q(1): [str(answered.c(1, 1))]},
                              "chat-test-key-000001", now).stored
    reply = _say(community, user, "アンケート")
    assert f"https://liff.line.me/{liff}/surveys/{spring.id}" in reply
    assert f"https://liff.line.me/{liff}/surveys/{answered.id}" in reply
    assert "「季節のアンケート」（未回答" in reply and "「回答済みのアンケート」（回答済み・修正できます" in reply
    for other in ("2期生だけ", "終わった", "下書き"):
        assert other not in reply
    assert _say(community, user, "ｱﾝｹｰﾄ") == reply  # the keyword is matched folded, as the others are


def test_many_open_surveys_fit_one_bubble_and_point_to_the_list(community: Community) -> None:
    user, _ = _member(community, "もみじ")
    with community.session() as s:
        for i in range(7):
            make_survey(s, title=f"とても長いタイトルのアンケート{i}" + "あ" * 80, questions=QUESTION)
    reply = _say(community, user, "あんけーと")
    assert reply.count("https://liff.line.me/") == copy.CHAT_LIST_MAX + 1
    assert "ほか2件のアンケートは、こちらから" in reply
    assert reply.endswith(f"https://liff.line.me/{community.settings.liff_id}/surveys")
    assert utf16_units(reply) <= 5000


def test_nothing_open_is_said_politely_and_guests_get_the_usual_guidance(community: Community) -> None:
    user, _ = _member(community, "かえで")
    with community.session() as s:
        make_survey(s, title="2期生だけのアンケート", questions=QUESTION, segment=Segment(cohorts=("2期生",)))
    assert _say(community, user, "アンケート") == copy.NO_OPEN_SURVEYS
    guest, _ = _member(community, "ゲスト", status=MemberStatus.FOLLOWER, cohort=None)
    with community.session() as s:
        make_survey(s, title="みんなのアンケート", questions=QUESTION)
    assert _say(community, guest, "アンケート") == members_copy.guest_guidance()[0]["text"]
