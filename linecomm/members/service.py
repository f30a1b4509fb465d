"""The member lifecycle: follow, unfollow, the join flow (code → consent → nickname) and leaving."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from enum import Enum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from linecomm.db import dialect_name, insert_ignoring_conflicts, insert_rows_ignoring_conflicts, one_of, utcnow
from linecomm.line.client import Profile
from linecomm.line.limits import utf16_units
from linecomm.members import invites
from linecomm.members.invites import CodeCheck
from linecomm.members.models import Consent, InviteCode, JoinStep, Member, MemberStatus
from linecomm.text.normalise import nickname_key

NICKNAME_MAX = 20
# Rules a nickname must pass besides its shape and uniqueness, each True when it refuses the name. The
# features that own them add them (moderation's NG words and personal-data rule: linecomm.moderation.chat),
# so members never imports them: moderation reads members, not the other way round.
NicknameRule = Callable[[Session, str], bool]
NICKNAME_RULES: list[NicknameRule] = []
_URLISH = re.compile(r"(https?://|www\.|\.com\b|\.jp\b|@)", re.IGNORECASE)
# Called in the transaction where someone joins, leaves or is erased, or staff change their standing
# (suspension and its lifting: linecomm.moderation.sanctions), with the LINE user id they had; the features
# that follow membership add theirs (rich menus: linecomm.richmenu.hooks; leaderboards, referrals), so
# members never imports them. A listener reads the member's status as it is now, only flushes or asks for
# work after commit, and must take being told again without a change in what it follows.
MembershipListener = Callable[[Session, Member, str], None]
MEMBERSHIP_LISTENERS: list[MembershipListener] = []


def membership_changed(session: Session, member: Member, line_user_id: str | None = None) -> None:
    for listener in MEMBERSHIP_LISTENERS:
        listener(session, member, line_user_id or member.line_user_id)


def get_or_create(session: Session, line_user_id: str, now: datetime | None = None) -> Member:
    """The member row for a LINE user, created if new, locked for this transaction on PostgreSQL so two
    events of one user are handled one after the other."""
    now = now or utcnow()
    session.execute(
        insert_ignoring_conflicts(session, Member.__table__, ["line_user_id"]).values(
            line_user_id=line_user_id,
            status=MemberStatus.FOLLOWER,
            is_following=True,
            created_at=now,
            followed_at=now,
        )
    )
    stmt = select(Member).where(Member.line_user_id == line_user_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    member = session.scalars(stmt.execution_options(populate_existing=True)).one()
    return member


def get_or_create_many(session: Session, line_user_ids: list[str], now: datetime) -> dict[str, Member]:
    """`get_or_create` for a batch of LINE users: the known ones locked with one statement, and only if
    some are new, those inserted and locked with two more.

    Rows are locked in line_user_id order, so two batches that share users wait for each other instead
    of deadlocking (and should they ever, the batch's savepoint fallback handles its events one by one)."""
    ids = sorted(set(line_user_ids))
    if not ids:
        return {}
    found = _lock_members(session, ids)
    missing = [user_id for user_id in ids if user_id not in found]
    if missing:
        insert_rows_ignoring_conflicts(
            session,
            Member.__table__,
            [{"line_user_id": user_id, "status": MemberStatus.FOLLOWER, "is_following": True,
              "created_at": now, "followed_at": now} for user_id in missing],
            ["line_user_id"],
            "id",
        )
        found.update(_lock_members(session, missing))
    return found


def _lock_members(session: Session, line_user_ids: list[str]) -> dict[str, Member]:
    stmt = select(Member).where(one_of(session, Member.line_user_id, line_user_ids)).order_by(Member.line_user_id)
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update()
    return {m.line_user_id: m for m in session.scalars(stmt.execution_options(populate_existing=True))}


def reachable_among(session: Session, line_user_ids: list[str]) -> set[str]:
    """The ids among `line_user_ids` we may message: all but members who no longer follow the account."""
    if not line_user_ids:
        return set()
    gone = set(session.scalars(
        select(Member.line_user_id).where(
            one_of(session, Member.line_user_id, line_user_ids), Member.is_following.is_(False)
        )
    ))
    return {user_id for user_id in line_user_ids if user_id not in gone}


def touch_many(session: Session, members: list[Member], now: datetime) -> None:
    """`touch` for a batch: one UPDATE, and the loaded rows brought up to date without being marked
    changed (so the session does not write each of them again)."""
    stale = [m for m in members if m.last_active_at is None or m.last_active_at < now]
    if not stale:
        return
    session.execute(
        update(Member).where(one_of(session, Member.id, [m.id for m in stale])).values(last_active_at=now),
        execution_options={"synchronize_session": False},
    )
    for member in stale:
        set_committed_value(member, "last_active_at", now)


def touch(member: Member, now: datetime) -> None:
    if member.last_active_at is None or member.last_active_at < now:
        member.last_active_at = now


def record_follow(member: Member, profile: Profile | None, now: datetime) -> None:
    """Mark the member as following (again, after a block or unfollow) and refresh their LINE profile."""
    member.is_following = True
    member.followed_at = now
    if profile is not None:
        member.display_name = profile.display_name[:200]
        member.picture_url = profile.picture_url
        member.language = profile.language
        member.profile_fetched_at = now


def record_unfollow(member: Member, now: datetime) -> None:
    """They blocked or removed the account: nothing more is sent; their data stays until deleted."""
    member.is_following = False
    member.unfollowed_at = now
    if member.status == MemberStatus.JOINING:
        member.status, member.join_step = MemberStatus.FOLLOWER, None


def start_join(member: Member) -> bool:
    """Begin the join flow. False when they are already a member."""
    if member.status in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        return False
    member.status, member.join_step = MemberStatus.JOINING, JoinStep.CODE
    return True


def cancel_join(member: Member) -> None:
    member.status, member.join_step, member.pending_invite_code_id = _status_before_join(member), None, None


def _status_before_join(member: Member) -> str:
    return MemberStatus.LEFT if member.left_at is not None else MemberStatus.FOLLOWER


def submit_code(session: Session, member: Member, raw: str, now: datetime) -> invites.CodeAttempt:
    """Check the code they typed and move on to consent. No use is taken yet: that happens when the join
    completes, so a cancelled or declined join keeps none (`complete_join`)."""
    attempt = invites.try_code(session, member.id, raw, now)
    if attempt.result is CodeCheck.OK and attempt.code is not None:
        member.pending_invite_code_id = attempt.code.id
        member.join_step = JoinStep.CONSENT
    return attempt


def record_consent(session: Session, member: Member, version: str, now: datetime) -> None:
    """Record agreement to privacy notice `version` (once per version) and move on to the nickname."""
    session.execute(
        insert_ignoring_conflicts(session, Consent.__table__, ["member_id", "notice_version"]).values(
            member_id=member.id, notice_version=version, agreed_at=now, channel="chat"
        )
    )
    member.join_step = JoinStep.NICKNAME


class NicknameProblem(Enum):
    EMPTY = "ニックネームが入力されていません。"
    TOO_LONG = f"ニックネームは{NICKNAME_MAX}文字までです。"
    LINK = "ニックネームにURLやメールアドレスは使えません。"
    TAKEN = "そのニックネームはすでに使われています。"
    CHARACTERS = "ニックネームに使えない文字が含まれています。"
    NOT_ALLOWED = "ニックネームに、お使いいただけない表現や電話番号などの個人情報が含まれています。"


def clean_nickname(raw: str) -> tuple[str | None, NicknameProblem | None]:
    """Validate a nickname; returns the cleaned nickname or the reason it cannot be used."""
    nickname = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not nickname:
        return None, NicknameProblem.EMPTY
    if utf16_units(nickname) > NICKNAME_MAX * 2 or len(nickname) > NICKNAME_MAX:
        return None, NicknameProblem.TOO_LONG
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in nickname):
        return None, NicknameProblem.CHARACTERS
    if _URLISH.search(nickname):
        return None, NicknameProblem.LINK
    return nickname, None


def _nickname_refused(session: Session, member: Member, nickname: str) -> NicknameProblem | None:
    """The rules a clean nickname must still pass: the features' rules (NG words, personal data), then
    nobody else holding it."""
    if any(refuses(session, nickname) for refuses in NICKNAME_RULES):  # e.g. NG words, personal data
        return NicknameProblem.NOT_ALLOWED
    holder = session.scalar(
        select(Member.id).where(Member.nickname_key == nickname_key(nickname), Member.id != member.id))
    return NicknameProblem.TAKEN if holder is not None else None


def _acceptable_nickname(session: Session, member: Member, raw_nickname: str
                         ) -> tuple[str | None, NicknameProblem | None]:
    """The nickname as it would be stored, or None and the problem (the join flow's rules)."""
    nickname, problem = clean_nickname(raw_nickname)
    if problem or nickname is None:
        return None, problem
    problem = _nickname_refused(session, member, nickname)
    return (None, problem) if problem is not None else (nickname, None)


def change_nickname(session: Session, member: Member, raw_nickname: str) -> NicknameProblem | None:
    """A member renames themselves (my page), under the join flow's rules. Returns the problem, or None
    when the new nickname is set (flushed)."""
    nickname, problem = _acceptable_nickname(session, member, raw_nickname)
    if nickname is None:
        return problem
    try:
        with session.begin_nested():
            member.nickname, member.nickname_key = nickname, nickname_key(nickname)
            session.flush()
    except IntegrityError:  # someone took the nickname in the same instant
        session.refresh(member)
        return NicknameProblem.TAKEN
    return None


class _CodeGone(Exception):
    def __init__(self, result: CodeCheck):
        self.result = result


def complete_join(
    session: Session, member: Member, raw_nickname: str, now: datetime
) -> NicknameProblem | CodeCheck | None:
    """Set the nickname, take the invite code's use and make them a member of the code's cohort. Returns
    a problem to explain, or None. When the code was used up (or disabled, or expired) since they typed
    it, they go back to the code step and the CodeCheck says why."""
    nickname, problem = _acceptable_nickname(session, member, raw_nickname)
    if nickname is None:
        return problem
    key = nickname_key(nickname)
    code = session.get(InviteCode, member.pending_invite_code_id) if member.pending_invite_code_id else None
    try:
        with session.begin_nested():  # the changes are made inside it, so a rollback undoes only them
            if code is not None:
                claimed = invites.claim_use(session, member.id, code.id, now)
                if claimed is not CodeCheck.OK:
                    raise _CodeGone(claimed)
            member.nickname, member.nickname_key = nickname, key
            member.status, member.join_step = MemberStatus.MEMBER, None
            member.invite_code_id = member.pending_invite_code_id
            member.pending_invite_code_id = None
            member.cohort = code.cohort if code else member.cohort
            member.joined_at, member.left_at = now, None
            session.flush()
    except _CodeGone as gone:
        member.join_step, member.pending_invite_code_id = JoinStep.CODE, None
        return gone.result
    except IntegrityError:  # someone took the nickname in the same instant
        session.refresh(member)
        return NicknameProblem.TAKEN
    membership_changed(session, member)
    return None


def leave(member: Member, now: datetime) -> bool:
    """Leave the community (退会). Data stays until an operator deletes it. False if not a member."""
    if member.status not in (MemberStatus.MEMBER, MemberStatus.SUSPENDED):
        return False
    member.status, member.left_at, member.leave_requested_at = MemberStatus.LEFT, now, None
    session = object_session(member)
    if session is not None:
        membership_changed(session, member)
    return True
