"""The owner appoints from the candidates page (the marketer cannot): one active appointment per member and
role, the title badge awarded once, one LINE notice (held through quiet hours), audited; revoking ends the
appointment and takes the badge back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from linecomm.ambassadors import copy
from linecomm.ambassadors.models import Appointment, AppointmentRole
from linecomm.db import utcnow
from linecomm.outbox.models import OutboundMessage, OutboundStatus
from linecomm.points import badges
from linecomm.points.badge_models import MemberBadge
from linecomm.pushes import policy
from linecomm.timezones import to_jst
from tests.admin.console import Console
from tests.support.community import Community


def _titles(community: Community, member_id: int) -> list[str]:
    with community.reader() as s:
        return [b.code for b in badges.badges_of(s, member_id) if b.kind == "title"]


def test_owner_appoints_and_revokes_and_the_marketer_cannot(community: Community, console: Console,
                                                            liff_member, liff_client) -> None:
    with community.session() as s:
        policy.update(s, quiet_start="00:00", quiet_end="00:00")  # no quiet hours: the notice goes at once
    hana = liff_member(nickname="はな")
    marketer = console.client("marketer")
    assert marketer.get("/admin/appointments").status_code == 403
    assert marketer.post(f"/admin/appointments/members/{hana.member_id}",
                         {"role": AppointmentRole.AMBASSADOR}).status_code == 403

    owner = console.client("owner")
    page = owner.get("/admin/appointments").get_data(as_text=True)
    assert f'data-candidate="{hana.member_id}"' in page  # the default rules: every member in good standing
    appoint = {"role": AppointmentRole.AMBASSADOR}
    done = owner.post(f"/admin/appointments/members/{hana.member_id}", appoint)
    assert done.status_code == 303
    assert copy.APPOINTED.format(nickname="はな", title="公認アンバサダー") in owner.follow(done).get_data(as_text=True)
    again = owner.post(f"/admin/appointments/members/{hana.member_id}", appoint)  # a double submit
    assert copy.ALREADY.format(nickname="はな", title="公認アンバサダー") in owner.follow(again).get_data(as_text=True)
    assert owner.post(f"/admin/appointments/members/{hana.member_id}", {"role": "king"}).status_code == 303
    assert owner.post("/admin/appointments/members/999999", appoint).status_code == 404

    community.drain()
    texts = [m["text"] for m in community.fake.messages_to(hana.line_user_id)]
    assert len(texts) == 1 and "公認アンバサダー" in texts[0]
    assert _titles(community, hana.member_id) == ["ambassador"]
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(Appointment)) == 1
        assert s.scalar(select(func.count()).select_from(MemberBadge)) == 1
    [row] = console.audit_rows("appointments.appoint")
    assert '"role": "ambassador"' in (row.after or "")
    my_page = liff_client(hana.line_user_id).get("/liff/me").get_data(as_text=True)
    assert "data-my-titles" in my_page and "公認アンバサダー" in my_page and "data-moderate-link" not in my_page

    with community.reader() as s:
        appointment_id = s.scalar(select(Appointment.id))
    assert marketer.post(f"/admin/appointments/{appointment_id}/revoke", {}).status_code == 403
    revoked = owner.post(f"/admin/appointments/{appointment_id}/revoke", {"reason": "ご本人のご希望"})
    assert copy.REVOKED.format(nickname="はな", title="公認アンバサダー") in owner.follow(revoked).get_data(
        as_text=True)
    twice = owner.post(f"/admin/appointments/{appointment_id}/revoke", {})
    assert copy.NOT_APPOINTED in owner.follow(twice).get_data(as_text=True)
    assert _titles(community, hana.member_id) == []
    assert len(console.audit_rows("appointments.revoke")) == 1
    assert "data-my-titles" not in liff_client(hana.line_user_id).get("/liff/me").get_data(as_text=True)

    # Appointed again later: a new appointment, the badge restored, a second notice (a new appointment's key).
    assert owner.post(f"/admin/appointments/members/{hana.member_id}", appoint).status_code == 303
    community.drain()
    assert len(community.fake.messages_to(hana.line_user_id)) == 2
    assert _titles(community, hana.member_id) == ["ambassador"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_notice_waits_for_quiet_hours_to_end(community: Community, console: Console, liff_member) -> None:
    local = to_jst(utcnow())
    assert local is not None
    start, end = (local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=1)).strftime("%H:%M")
    with community.session() as s:
        policy.update(s, quiet_start=start, quiet_end=end)  # it is quiet now
    sora = liff_member(nickname="そら")
    owner = console.client("owner")
    done = owner.post(f"/admin/appointments/members/{sora.member_id}", {"role": AppointmentRole.MEMBER_MODERATOR})
    assert "配信停止時間の終了後" in owner.follow(done).get_data(as_text=True)
    community.drain()
    assert community.fake.messages_to(sora.line_user_id) == []
    with community.reader() as s:
        [row] = s.scalars(select(OutboundMessage).where(OutboundMessage.member_id == sora.member_id))
        assert row.status == OutboundStatus.PENDING and row.idempotency_key.startswith("appointment:")
        assert row.not_before is not None and row.not_before > utcnow()
        assert f"https://liff.line.me/{community.settings.liff_id}/moderate" in row.messages


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_owner_sets_the_candidate_rules(community: Community, console: Console, liff_member) -> None:
    hana = liff_member(nickname="はな")
    owner = console.client("owner")
    form = {"min_lifetime_points": "500", "min_active_months": "3", "active_window_months": "6",
            "badge": "first_review", "no_sanctions": "1", "moderator_daily_limit": "5"}
    saved = owner.post("/admin/appointments/rules", form)
    page = owner.follow(saved).get_data(as_text=True)
    assert copy.RULES_SAVED in page and f'data-candidate="{hana.member_id}"' not in page  # no points, no badge
    [row] = console.audit_rows("appointments.rules")
    assert '"min_lifetime_points": 500' in row.after and '"required_badges": "first_review"' in row.after
    for bad in ({**form, "min_active_months": "たくさん"}, {**form, "moderator_daily_limit": "0"},
                {**form, "badge": "no_such_badge"}):
        refused = owner.follow(owner.post("/admin/appointments/rules", bad)).get_data(as_text=True)
        assert "adm-flash--error" in refused
    assert len(console.audit_rows("appointments.rules")) == 1
    assert console.client("marketer").post("/admin/appointments/rules", form).status_code == 403
