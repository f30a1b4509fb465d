"""Referral pages (LIFF): a member's invite page (their link, shared through LINE's share target picker),
the page a newcomer lands on from that link (accept the invite, then join in chat), and my page's block.

The newcomer's page is open to anyone LINE vouched for (a visitor: no member row, a follower, someone
mid-join), since the person invited is not a member yet; members and former members are told politely why
the invite is not for them. Rules in linecomm.referrals.service; an action commits once."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linecomm.liff import access
from linecomm.liff.access import SignedInMember, commit, db, member_action, member_page
from linecomm.liff.sections import register_my_page_section
from linecomm.referrals import copy, service
from linecomm.referrals.models import Referral
from linecomm.referrals.service import Verdict
from linecomm.web_runtime import get_runtime

bp = Blueprint("liff_referrals", __name__, url_prefix="/liff/invite")

CODE_MAX = 64
ACCEPTED = (Verdict.OK, Verdict.ALREADY_ACCEPTED)


def _invite_url(code: str) -> str:
    return service.invite_url(get_runtime().settings.liff_id, code, request.host_url)


@bp.get("")
@member_page
def invite(member: SignedInMember):  # type: ignore[no-untyped-def]
    code = service.existing_code(db(), member.member_id)
    if code is None and not member.can_post:  # suspended: their code would not count, so none is made
        return render_template("liff/referrals_invite.html", copy=copy, can_post=False, joins=0)
    if code is None:  # made on first use, in one short write of its own (the page itself only reads)
        with get_runtime().sessions() as session:
            code = service.code_for(session, member.member_id)
            session.commit()
    url = _invite_url(code)
    joins = db().scalar(select(func.count()).where(Referral.referrer_member_id == member.member_id)) or 0
    return render_template("liff/referrals_invite.html", copy=copy, code=code, url=url, joins=joins,
                           message=copy.share_message(member.nickname, url), can_post=member.can_post)


@bp.post("/shared")
@member_action
def shared(member: SignedInMember):  # type: ignore[no-untyped-def]
    service.record_share(db(), member.member_id)
    commit()
    return jsonify(ok=True, message=copy.SHARE_DONE)


def _join_page(checked: service.Check, code: str, accepted_now: bool = False, status: int = 200) -> Any:
    settings = get_runtime().settings
    from linecomm.members import chat as member_chat  # the join keyword members' chat listens for

    page = render_template(
        "liff/referrals_join.html", copy=copy, checked=checked, code=code, accepted=checked.verdict in ACCEPTED,
        accepted_now=accepted_now, refusal=copy.REFUSALS.get(checked.verdict), join_word=member_chat.JOIN_WORDS[0],
        add_friend_url=settings.line_add_friend_url, ok=Verdict.OK)
    return page, status


def _code_from(values: Any) -> str:
    return str(values.get("ref", ""))[:CODE_MAX]


@bp.get("/join")
def join():  # type: ignore[no-untyped-def]
    person = access.current()
    if person is None:
        return access.signin_shell()
    code = _code_from(request.args)
    checked = service.check(db(), person.line_user_id, code)
    return _join_page(checked, code, status=404 if checked.verdict is Verdict.UNKNOWN_CODE else 200)


@bp.post("/join")
def accept():  # type: ignore[no-untyped-def]
    if not access.same_origin():
        return access.refusal(403, access.copy.CROSS_ORIGIN)
    person = access.current()
    if person is None:
        return access.refusal(401, access.copy.SESSION_EXPIRED, reauth=True)
    code = _code_from(request.form)
    checked = service.accept(db(), person.line_user_id, code)
    commit()
    status = 404 if checked.verdict is Verdict.UNKNOWN_CODE else 200
    return _join_page(checked, code, accepted_now=checked.verdict is Verdict.OK, status=status)


def my_referrals(session: Session, member: SignedInMember) -> dict[str, Any] | None:
    joins = session.scalar(select(func.count()).where(Referral.referrer_member_id == member.member_id)) or 0
    return {"joins": joins, "can_post": member.can_post}


register_my_page_section("referrals", 60, "liff/referrals_my_page.html", my_referrals)
