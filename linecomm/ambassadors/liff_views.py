"""Appointments on LIFF: my page's title block (公認アンバサダー / コミュニティモデレーター, with a link to the
review page for member-moderators) and /liff/moderate, where a member-moderator sees reported content
members still see and hides an item pending review. Anyone else gets 403 with a Japanese message."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from linecomm.ambassadors import copy, moderating, service
from linecomm.ambassadors.moderating import HideResult
from linecomm.db import utcnow
from linecomm.liff.access import SignedInMember, commit, db, member_action, member_page, refusal
from linecomm.liff.sections import register_my_page_section

bp = Blueprint("liff_ambassadors", __name__, url_prefix="/liff/moderate")


def int_arg(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None

REFUSALS = {  # result: (HTTP status, message)
    HideResult.NOT_MODERATOR: (403, copy.NOT_MODERATOR),
    HideResult.GONE: (409, copy.GONE),
    HideResult.OWN_CONTENT: (403, copy.OWN_CONTENT),
    HideResult.OFFICIAL: (403, copy.OFFICIAL_CONTENT),
}


@bp.get("", strict_slashes=False)
@member_page
def index(member: SignedInMember) -> Any:
    session = db()
    if not member.can_post or not service.is_member_moderator(session, member.member_id):
        abort(403, copy.NOT_MODERATOR)
    now = utcnow()
    limit = service.read_rules(session).moderator_daily_limit
    entries = moderating.reported(session, member.member_id, before_id=int_arg(request.args.get("before")),
                                  limit=moderating.PAGE + 1)
    more = len(entries) > moderating.PAGE
    entries = entries[:moderating.PAGE]
    return render_template("liff/moderate.html", entries=entries, copy=copy, limit=limit,
                           used=moderating.used_today(session, member.member_id, now),
                           done=request.args.get("done") == "1",
                           next_before=entries[-1].item.id if more and entries else None)


@bp.post("/<int:content_id>/hide")
@member_action
def hide(content_id: int, member: SignedInMember) -> Any:
    result = moderating.hide(db(), member.member_id, content_id, utcnow())
    if result is HideResult.LIMIT:
        db().rollback()
        return refusal(429, copy.LIMIT_REACHED.format(limit=service.read_rules(db()).moderator_daily_limit))
    if result is not HideResult.HIDDEN:
        db().rollback()
        status, message = REFUSALS[result]
        return refusal(status, message)
    commit()
    return redirect(url_for("liff_ambassadors.index", done=1), 303)


def my_title(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    """My page's block: the member's titles, and the review page's link for a member-moderator."""
    roles = service.active_roles(session, member.member_id)
    if not roles:
        return None
    return {"titles": [copy.TITLES[r] for r in roles],
            "moderator": "member_moderator" in roles and member.can_post}


register_my_page_section("appointments", 5, "liff/appointments_my_page.html", my_title)
