"""The demo seed (once, however often it runs) and the EXISTS conditions segments can use."""
from __future__ import annotations

from sqlalchemy import func, select

from linecomm.members.models import Member
from linecomm.referrals import demo, service
from linecomm.referrals.models import Referral, ReferralShare
from tests.admin.console import make_member
from tests.referrals.support import counts


def test_the_demo_seed_attributes_one_referral_once_and_the_segment_conditions_find_both_sides(community):
    with community.session() as s:
        ids = {nickname: make_member(s, nickname=nickname).id for nickname in ("はなこ", "いちろう", "みさき")}
    for _ in range(2):
        with community.session() as s:
            demo.seed(s)
    assert counts(community, ids["はなこ"]) == (1, 1, 1)
    with community.reader() as s:
        assert s.scalar(select(Referral.referred_member_id)) == ids["みさき"]
        assert s.scalar(select(func.count()).select_from(ReferralShare)) == 2
        assert s.scalars(select(Member.id).where(service.referred_someone())).all() == [ids["はなこ"]]
        assert s.scalars(select(Member.id).where(service.was_referred())).all() == [ids["みさき"]]
