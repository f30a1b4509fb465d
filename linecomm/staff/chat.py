"""「スタッフ連携 12345678」 in chat links the sender's LINE account to the staff member who issued the code
in the console (linecomm.staff.line_link). Any LINE user may send it: only a live code links, every other
attempt gets a polite reply, and wrong codes are throttled (linecomm.staff.link_attempts). Registered with
linecomm.chat.router when imported (listed in linecomm.chat.features). It is a step just before the
keywords, since the code follows the word."""
from __future__ import annotations

import re
from typing import Any

from linecomm.audit import service as audit
from linecomm.chat import router
from linecomm.chat.context import EventContext
from linecomm.staff import line_copy as copy
from linecomm.staff import line_link
from linecomm.text.normalise import keyword_key

STAFF_LINK = 150  # in the walk: after a joining conversation, before the keywords
_COMMAND = re.compile(r"すたっふ連携(\d*)")  # keyword_key form: kana folded, spaces and punctuation gone


@router.message(STAFF_LINK)
def link_staff_account(ctx: EventContext, member: Any) -> bool:
    """Answer 「スタッフ連携」 with or without a code; anything else walks on."""
    match = _COMMAND.fullmatch(keyword_key(ctx.text or ""))
    if match is None:
        return False
    code = match.group(1)
    if not code:
        ctx.reply([copy.text(copy.link_how())])
        return True
    if len(code) != line_link.CODE_DIGITS:
        ctx.reply([copy.text(copy.link_code_refused())])
        return True
    try:
        staff = line_link.redeem_in_chat(ctx.session, code, member.id, member.line_user_id, ctx.webhook_event_id,
                                         ctx.now)
    except line_link.LinkRefused as refused:
        ctx.reply([copy.text(str(refused))])
        return True
    audit.record(ctx.session, audit.Actor(staff.id, staff.email, "LINE"), "staff.line_link", "staff", staff.id,
                 after={"linked": True}, now=ctx.now)
    ctx.reply([copy.text(copy.linked(staff.display_name))])
    return True
