"""The privacy hook each feature offers for its own rows, and the registry that calls them all.

A hook names the tables it answers for. Its `export_member` returns the export's sections (name → JSON-ready
value) about one member; its `erase_member` erases or anonymises that member's personal data in those tables
(flush only) and returns counts for the audit log, never personal data.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import MetaData, Table
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from linecomm.members.models import Member

MEMBER_TABLE = "members"


class MemberRecord(Protocol):
    """What a hook of a feature below `members` (the outbox, the webhook inbox) reads of the member: their
    id and LINE user id, without importing the members package."""

    id: int
    line_user_id: str | None

Sections = dict[str, Any]
Export = Callable[[Session, "Member"], Sections]
Erase = Callable[[Session, "Member", datetime], dict[str, Any] | None]


@dataclass(frozen=True)
class PrivacyHook:
    """What one feature holds about a member: its tables, how to export them and how to erase them."""

    name: str
    tables: tuple[str, ...]
    export_member: Export
    erase_member: Erase


def plain(value: Any) -> Any:
    """A stored value as JSON would carry it (times as ISO 8601)."""
    return value.isoformat() if isinstance(value, datetime) else value


class PrivacyRegistry:
    """Every feature's hook; a table is covered by one hook at most."""

    def __init__(self, hooks: Iterable[PrivacyHook]):
        self.hooks = tuple(hooks)
        owner: dict[str, str] = {}
        for hook in self.hooks:
            if hook.name in {h.name for h in self.hooks if h is not hook}:
                raise ValueError(f"two privacy hooks are named {hook.name!r}")
            for table in hook.tables:
                if table in owner:
                    raise ValueError(f"table {table} is covered by both {owner[table]} and {hook.name}")
                owner[table] = hook.name
        self.owner_of = owner

    def export(self, session: Session, member: Member) -> Sections:
        """Every hook's sections, in the order the hooks are listed."""
        data: Sections = {}
        for hook in self.hooks:
            for section, value in hook.export_member(session, member).items():
                if section in data:
                    raise ValueError(f"export section {section!r} is given twice (again by {hook.name})")
                data[section] = value
        return data

    def erase(self, session: Session, member: Member, now: datetime) -> dict[str, Any]:
        """Run every hook's erase; the one covering the member row runs last, so the others still see the
        member as stored (their LINE user id above all). Returns the hooks' counts, in listed order."""
        counts: dict[str, dict[str, Any]] = {}
        for hook in sorted(self.hooks, key=lambda h: MEMBER_TABLE in h.tables):
            counts[hook.name] = hook.erase_member(session, member, now) or {}
        session.flush()
        return {key: value for hook in self.hooks for key, value in counts[hook.name].items()}

    def uncovered_member_tables(self, metadata: MetaData) -> list[str]:
        """Tables of `metadata` holding a member column that no hook covers (see `has_member_column`)."""
        return sorted(t.name for t in metadata.tables.values() if has_member_column(t) and t.name not in self.owner_of)

    def unknown_tables(self, metadata: MetaData) -> list[str]:
        """Tables named by a hook that `metadata` does not have (a renamed or dropped table)."""
        return sorted(set(self.owner_of) - set(metadata.tables))


def has_member_column(table: Table) -> bool:
    """Whether a table holds rows about a member: a foreign key to members.id, or a column named member_id
    or *_member_id."""
    for column in table.columns:
        if column.name == "member_id" or column.name.endswith("_member_id"):
            return True
        if any(fk.target_fullname == f"{MEMBER_TABLE}.id" for fk in column.foreign_keys):
            return True
    return False
