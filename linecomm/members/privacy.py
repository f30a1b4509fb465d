"""APPI requests for one member: export everything held about them, or erase their personal data.

Erasing keeps the member row (anonymised: status `deleted`, no LINE id, names or profile) and the rows
that point at it, so aggregate counts (members per cohort, code uses, posts, reports) keep working;
post bodies, inbox events and outgoing messages lose their contents.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members import invites
from linecomm.members.models import Consent, InviteCode, InviteRedemption, Member, MemberStatus, MemberTag, Tag
from linecomm.moderation.models import (
    ContentDecision,
    ContentItem,
    ContentReport,
    ContentState,
    MemberSanction,
)
from linecomm.outbox import retention as outbox_retention
from linecomm.themes import service as themes
from linecomm.webhooks import retention as inbox_retention

MEMBER_FIELDS = (
    "id", "line_user_id", "display_name", "picture_url", "language", "status", "is_following", "cohort",
    "nickname", "created_at", "followed_at", "unfollowed_at", "joined_at", "left_at", "last_active_at",
)


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def export(session: Session, member: Member) -> dict[str, Any]:
    """Everything held about the member, as plain JSON-ready values."""
    code = session.get(InviteCode, member.invite_code_id) if member.invite_code_id else None
    redemption = session.scalar(select(InviteRedemption).where(InviteRedemption.member_id == member.id))
    return {
        "member": {f: _value(getattr(member, f)) for f in MEMBER_FIELDS},
        "invite": {"code": code.code, "cohort": code.cohort,
                   "redeemed_at": _value(redemption.redeemed_at) if redemption else None} if code else None,
        "consents": [
            {"notice_version": c.notice_version, "agreed_at": _value(c.agreed_at),
             "withdrawn_at": _value(c.withdrawn_at), "channel": c.channel}
            for c in session.scalars(select(Consent).where(Consent.member_id == member.id).order_by(Consent.id))
        ],
        "tags": list(session.scalars(
            select(Tag.name).join(MemberTag, MemberTag.tag_id == Tag.id).where(MemberTag.member_id == member.id)
            .order_by(Tag.name)
        )),
        "posts": [
            {"id": i.id, "kind": i.kind, "ref": i.ref, "body": i.body, "state": i.state,
             "created_at": _value(i.created_at)}
            for i in session.scalars(select(ContentItem).where(ContentItem.member_id == member.id)
                                     .order_by(ContentItem.id))
        ],
        "reports_made": [
            {"content_id": r.content_id, "reason": r.reason, "created_at": _value(r.created_at)}
            for r in session.scalars(select(ContentReport).where(ContentReport.reporter_member_id == member.id)
                                     .order_by(ContentReport.id))
        ],
        "notices_from_moderators": [
            {"kind": s.kind, "reason": s.reason, "created_at": _value(s.created_at)}
            for s in session.scalars(select(MemberSanction).where(MemberSanction.member_id == member.id)
                                     .order_by(MemberSanction.id))
        ],
        "wrong_invite_codes_at": [_value(at) for at in invites.attempts_of(session, member.id)],
        "messages_sent_to_us": inbox_retention.events_of(session, member.line_user_id),
        "messages_we_sent": outbox_retention.messages_to(session, member.line_user_id),
    }


def export_csv(data: dict[str, Any]) -> str:
    """The export flattened to rows of (section, index, field, value) for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "index", "field", "value"])
    for section, value in data.items():
        if isinstance(value, dict):
            for key, item in value.items():
                writer.writerow([section, "", key, _cell(item)])
        elif isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    for key, item in entry.items():
                        writer.writerow([section, index, key, _cell(item)])
                else:
                    writer.writerow([section, index, "", _cell(entry)])
        elif value is not None:
            writer.writerow([section, "", "", _cell(value)])
    return "\ufeff" + out.getvalue()  # a BOM so Excel in Japan opens it as UTF-8


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    # Cells starting with these are formulas to spreadsheet programs; member text must stay text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def erase(session: Session, member: Member, now: datetime | None = None) -> dict[str, Any]:
    """Erase the member's personal data in place; returns what it was before, for the audit log
    (no personal data: status, cohort and counts only)."""
    if member.status == MemberStatus.DELETED:
        raise ValueError("member already deleted")
    now = now or utcnow()
    before = {"status": member.status, "cohort": member.cohort}
    line_user_id = member.line_user_id
    posts = list(session.scalars(select(ContentItem).where(ContentItem.member_id == member.id)))
    for item in posts:
        if item.state in (ContentState.PUBLISHED, ContentState.HELD):
            session.add(ContentDecision(content_id=item.id, action="erased", from_state=item.state,
                                        to_state=ContentState.HIDDEN, note="メンバーデータ削除", at=now))
            item.state = ContentState.HIDDEN
        item.body, item.ng_terms, item.in_queue, item.redacted_at = "", None, False, now
    session.execute(delete(MemberTag).where(MemberTag.member_id == member.id))
    invites.erase_attempts(session, member.id)
    images = themes.erase_member_images(session, member.id)  # photos sent as theme answers
    session.execute(update(ContentReport).where(ContentReport.reporter_member_id == member.id).values(reason=None))
    inbox = inbox_retention.erase_user(session, line_user_id)
    outbox = outbox_retention.erase_recipient(session, line_user_id)
    member.line_user_id = f"deleted:{member.id}"
    member.display_name = member.picture_url = member.language = None
    member.nickname = member.nickname_key = None
    member.join_step = None
    member.pending_invite_code_id = None
    member.leave_requested_at = member.profile_fetched_at = None
    member.is_following = False
    member.status = MemberStatus.DELETED
    member.left_at = member.left_at or now
    session.flush()
    return {**before, "posts": len(posts), "images": images, "inbox_events": inbox, "outgoing_messages": outbox}
