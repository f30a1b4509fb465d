"""Who a push goes to: a segment of community members, as SQL conditions over the members table.

Every segment is limited to members who follow the account and are in the community; on top of that a
marketer narrows by cohort, tags, join date (Japan-time days) and last activity, and by what other features
know of members (answered survey X, with choice Y): those conditions are registered here by the feature that
owns the rows (`register_condition`; CONDITION_MODULES names them, imported on first use, so pushes never
imports them). Counting and freezing recipients are single set-based statements: nothing here loads members
into Python.
"""
from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal, or_, select, true
from sqlalchemy.orm import Session

from linecomm.db import dialect_name, utcnow
from linecomm.members.models import Member, MemberStatus, MemberTag, Tag
from linecomm.pushes.errors import PushError
from linecomm.pushes.models import BatchStatus, Delivery, DeliveryBatch, DeliveryKind, DeliveryStatus
from linecomm.pushes.schedule import jst_day_start

CAP_WINDOW = timedelta(days=7)
# The modules that register conditions over their own rows (by module path, like linecomm.chat.features).
CONDITION_MODULES: tuple[str, ...] = ("linecomm.surveys.segments", "linecomm.reviews.segments",
                                      "linecomm.ideas.segments", "linecomm.qa.segments",
                                      "linecomm.points.segments")


class SegmentError(PushError):
    """A segment that cannot be used; the message is Japanese, for the marketer."""


@dataclass(frozen=True)
class Segment:
    """Filters combined with AND; within `cohorts` and `tags`, any one matches. Empty: every member."""

    cohorts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    joined_from: date | None = None  # Japan-time day, inclusive
    joined_to: date | None = None  # Japan-time day, inclusive
    active_within_days: int | None = None  # did something in the community in the last N days
    inactive_for_days: int | None = None  # nothing for N days (or never)
    answered_surveys: tuple[int, ...] = ()  # survey ids: answered any one of them
    answered_choices: tuple[int, ...] = ()  # survey choice ids: picked any one of them
    reviewed_products: tuple[int, ...] = ()  # product ids: a published review of any one of them
    supported_an_idea: bool = False  # supports (or supported) at least one idea
    asked_or_answered: bool = False  # a published question or answer in member Q&A
    rank_at_least: int | None = None  # points rank level (on the current ladder) or above
    points_at_least: int | None = None  # a points balance of at least this many

    def __post_init__(self) -> None:
        if self.joined_from and self.joined_to and self.joined_from > self.joined_to:
            raise SegmentError("入会日の範囲は、開始日が終了日より前になるよう指定してください。")
        for value in (self.active_within_days, self.inactive_for_days):
            if value is not None and value < 1:
                raise SegmentError("最終アクティブの日数は1以上で指定してください。")
        if self.rank_at_least is not None and self.rank_at_least < 0:
            raise SegmentError("ランクの指定を読み取れませんでした。")
        if self.points_at_least is not None and self.points_at_least < 0:
            raise SegmentError("ポイント残高は0以上で指定してください。")

    def to_json(self) -> str:
        data = {k: (v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v)
                for k, v in asdict(self).items() if v not in (None, (), False)}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Segment:
        data = json.loads(text or "{}")
        return cls(
            cohorts=tuple(data.get("cohorts", ())),
            tags=tuple(data.get("tags", ())),
            exclude_tags=tuple(data.get("exclude_tags", ())),
            joined_from=date.fromisoformat(data["joined_from"]) if data.get("joined_from") else None,
            joined_to=date.fromisoformat(data["joined_to"]) if data.get("joined_to") else None,
            active_within_days=data.get("active_within_days"),
            inactive_for_days=data.get("inactive_for_days"),
            answered_surveys=tuple(int(v) for v in data.get("answered_surveys", ())),
            answered_choices=tuple(int(v) for v in data.get("answered_choices", ())),
            reviewed_products=tuple(int(v) for v in data.get("reviewed_products", ())),
            supported_an_idea=bool(data.get("supported_an_idea", False)),
            asked_or_answered=bool(data.get("asked_or_answered", False)),
            rank_at_least=int(data["rank_at_least"]) if data.get("rank_at_least") is not None else None,
            points_at_least=int(data["points_at_least"]) if data.get("points_at_least") is not None else None,
        )

    def describe(self, session: Session | None = None) -> str:
        """A one-line Japanese summary for previews and reports (with a session, registered conditions name
        what they point at: a survey's title rather than its number)."""
        parts = ["参加中でブロックしていないメンバー"]
        if self.cohorts:
            parts.append("期: " + "・".join(self.cohorts))
        if self.tags:
            parts.append("タグ: " + "・".join(self.tags) + "（いずれか）")
        if self.exclude_tags:
            parts.append("除外タグ: " + "・".join(self.exclude_tags))
        if self.joined_from or self.joined_to:
            parts.append(f"入会日: {self.joined_from or ''}〜{self.joined_to or ''}")
        if self.active_within_days:
            parts.append(f"{self.active_within_days}日以内にアクティブ")
        if self.inactive_for_days:
            parts.append(f"{self.inactive_for_days}日以上アクティブなし")
        for name in REGISTERED_FIELDS:
            values = getattr(self, name)
            if values:
                parts.append(registered_condition(name).describe(session, values))
        return " / ".join(parts)


# -- conditions other features register -------------------------------------------------------------------

# Segment fields whose condition another feature registers: tuples of ids, flags (True: the condition holds),
# or numbers (a threshold; unset or 0: no condition).
REGISTERED_FIELDS = ("answered_surveys", "answered_choices", "reviewed_products", "supported_an_idea",
                     "asked_or_answered", "rank_at_least", "points_at_least")


@dataclass(frozen=True)
class RegisteredCondition:
    """A condition on `members` over another feature's rows, for one Segment field (a tuple of ids, or a
    flag: the callables are given the field's value, only when it is set)."""

    field: str
    where: Callable[[Any], ColumnElement[bool]]  # correlated to `Member.id`
    describe: Callable[[Session | None, Any], str]  # Japanese, for previews
    problems: Callable[[Session, Any], list[str]]  # Japanese: ids that point at nothing


_REGISTERED: dict[str, RegisteredCondition] = {}
_loading = threading.Lock()


def register_condition(condition: RegisteredCondition) -> None:
    """Called by the owning feature when imported; a field is registered once."""
    if condition.field not in REGISTERED_FIELDS:
        raise ValueError(f"Segment has no registered field {condition.field!r}")
    held = _REGISTERED.get(condition.field)
    if held is not None and held != condition:
        raise ValueError(f"segment field {condition.field!r} is already registered")
    _REGISTERED[condition.field] = condition


def registered_condition(field: str) -> RegisteredCondition:
    """The condition registered for `field`, importing CONDITION_MODULES first. A segment that uses a field
    nobody registered is refused rather than silently widened to everyone."""
    if field not in _REGISTERED:
        with _loading:
            for name in CONDITION_MODULES:
                importlib.import_module(name)
    if field not in _REGISTERED:
        raise SegmentError("この配信対象の条件は使えません（機能が見つかりません）。")
    return _REGISTERED[field]


def segment_problems(session: Session, segment: Segment) -> list[str]:
    """Japanese problems with what the segment points at (a survey or choice that does not exist)."""
    found: list[str] = []
    for name in REGISTERED_FIELDS:
        values = getattr(segment, name)
        if values:
            found.extend(registered_condition(name).problems(session, values))
    return found


def reachable() -> ColumnElement[bool]:
    """In the community and following the account: the only members a push may reach."""
    return and_(Member.status == MemberStatus.MEMBER, Member.is_following.is_(true()))


def _tagged(names: tuple[str, ...]) -> ColumnElement[bool]:
    return exists(
        select(literal(1))
        .select_from(MemberTag)
        .join(Tag, Tag.id == MemberTag.tag_id)
        .where(MemberTag.member_id == Member.id, Tag.name.in_(names))
    )


def conditions(segment: Segment, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE conditions on `members` for this segment (always including `reachable()`)."""
    return [reachable(), *narrowing(segment, now)]


def narrowing(segment: Segment, now: datetime) -> list[ColumnElement[bool]]:
    """The segment's own conditions on `members`, without `reachable()` (a LIFF page asks who may see a
    survey: a suspended member may read it, a push never reaches them)."""
    where: list[ColumnElement[bool]] = []
    if segment.cohorts:
        where.append(Member.cohort.in_(segment.cohorts))
    if segment.tags:
        where.append(_tagged(segment.tags))
    if segment.exclude_tags:
        where.append(~_tagged(segment.exclude_tags))
    if segment.joined_from:
        where.append(Member.joined_at >= jst_day_start(segment.joined_from))
    if segment.joined_to:
        where.append(Member.joined_at < jst_day_start(segment.joined_to + timedelta(days=1)))
    if segment.active_within_days:
        where.append(Member.last_active_at >= now - timedelta(days=segment.active_within_days))
    if segment.inactive_for_days:
        cutoff = now - timedelta(days=segment.inactive_for_days)
        where.append(or_(Member.last_active_at.is_(None), Member.last_active_at < cutoff))
    for name in REGISTERED_FIELDS:
        values = getattr(segment, name)
        if values:
            where.append(registered_condition(name).where(values))
    return where


def unknown_tags(session: Session, segment: Segment) -> list[str]:
    """Tag names in the segment that do not exist (a typo would otherwise silently match nobody)."""
    wanted = set(segment.tags) | set(segment.exclude_tags)
    if not wanted:
        return []
    known = set(session.scalars(select(Tag.name).where(Tag.name.in_(wanted))))
    return sorted(wanted - known)


def count_recipients(session: Session, segment: Segment, now: datetime | None = None) -> int:
    """How many members the segment matches right now: one COUNT over `members`."""
    stmt = select(func.count()).select_from(Member).where(*conditions(segment, now or utcnow()))
    return int(session.scalar(stmt) or 0)


def batch_member_ids(session: Session, *where: ColumnElement[bool]) -> Any:
    """A subquery of `member_id`, one row per recipient of each batch matching `where` (batches joined
    with their deliveries): the arrays unnested on PostgreSQL, the JSON arrays on SQLite."""
    if dialect_name(session) == "postgresql":
        ids = select(func.unnest(DeliveryBatch.member_ids).label("member_id")).select_from(DeliveryBatch)
    else:
        each = func.json_each(DeliveryBatch.member_ids).table_valued("value")
        ids = select(each.c.value.label("member_id")).select_from(DeliveryBatch).join(each, true())
    return ids.join(Delivery, Delivery.id == DeliveryBatch.delivery_id).where(*where).subquery()


def over_cap_members(session: Session, cap: int, now: datetime) -> Select[Any]:
    """Member ids who already got `cap` or more pushes (of every owner: posts, step messages, survey
    announcements...; not test sends) in the last 7 days, counting batches LINE accepted and batches of
    deliveries still under way."""
    since = now - CAP_WINDOW
    received = batch_member_ids(
        session,
        Delivery.kind != DeliveryKind.TEST,
        or_(
            and_(DeliveryBatch.status == BatchStatus.SENT, DeliveryBatch.finished_at >= since),
            and_(
                DeliveryBatch.status == BatchStatus.PENDING,
                Delivery.status.in_((DeliveryStatus.SENDING, DeliveryStatus.PAUSED)),
            ),
        ),
    )
    return select(received.c.member_id).group_by(received.c.member_id).having(func.count() >= cap)


@dataclass(frozen=True)
class Audience:
    """A segment's size now: matched, of whom over the weekly cap, and so billable."""

    matched: int
    over_cap: int

    @property
    def billable(self) -> int:
        return self.matched - self.over_cap


def measure(session: Session, segment: Segment, cap: int | None, now: datetime | None = None) -> Audience:
    """Count the segment and, in the same statement, how many of it the weekly cap leaves out."""
    now = now or utcnow()
    where = conditions(segment, now)
    if cap is None:
        return Audience(count_recipients(session, segment, now), 0)
    capped = Member.id.in_(over_cap_members(session, cap, now))
    row = session.execute(
        select(func.count(), func.count().filter(capped)).select_from(Member).where(*where)
    ).one()
    return Audience(int(row[0] or 0), int(row[1] or 0))
