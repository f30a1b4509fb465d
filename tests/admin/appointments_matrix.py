"""The appointment routes in the role matrix (tests/admin/test_role_matrix.py): the owner alone sets the
candidate rules, appoints and revokes; a member appointed コミュニティモデレーター to revoke."""
from __future__ import annotations

from typing import Any

from linecomm.ambassadors import service
from linecomm.ambassadors.models import AppointmentRole
from tests.admin.console import Console, make_member

OWNER = {"owner"}
WORLD_KEYS = ("appointee", "appointment")


def world(console: Console) -> dict[str, Any]:
    with console.community.session() as s:
        appointee = make_member(s, nickname="みまもるひと")
        made = service.appoint(s, appointee.id, AppointmentRole.MEMBER_MODERATOR, by="owner@example.com")
        return {"appointee": appointee.id, "appointment": made.appointment.id}


def cases(w: dict[str, Any], case: Any) -> list[Any]:
    return [
        case("GET", "admin.appointments", "/admin/appointments", OWNER),
        case("POST", "admin.appointment_rules", "/admin/appointments/rules", OWNER,
             {"min_lifetime_points": "0", "min_active_months": "0", "active_window_months": "6",
              "no_sanctions": "1", "moderator_daily_limit": "10"}),
        case("POST", "admin.appointment_create", f"/admin/appointments/members/{w['appointee']}", OWNER,
             {"role": AppointmentRole.AMBASSADOR}),
        case("POST", "admin.appointment_revoke", f"/admin/appointments/{w['appointment']}/revoke", OWNER,
             {"reason": "任期満了"}),
    ]
