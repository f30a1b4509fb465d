"""The privacy registry: every table that holds rows about a member is covered by exactly one feature's
hook, and the registry calls the hooks in a safe order."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from linecomm.models import Base
from linecomm.privacy.features import registry
from linecomm.privacy.registry import PrivacyHook, PrivacyRegistry


def _hook(name: str, *tables: str, export: dict[str, Any] | None = None,
          erase: Any = None) -> PrivacyHook:
    return PrivacyHook(name=name, tables=tables, export_member=lambda session, member: dict(export or {}),
                       erase_member=erase or (lambda session, member, now: None))


def test_every_table_with_a_member_column_is_covered_by_a_feature() -> None:
    assert registry.uncovered_member_tables(Base.metadata) == []
    assert registry.unknown_tables(Base.metadata) == []  # every hook names tables that exist


def test_each_covered_table_has_exactly_one_owner() -> None:
    owners = [table for hook in registry.hooks for table in hook.tables]
    assert len(owners) == len(set(owners))
    assert registry.owner_of["members"] == "members"
    assert registry.owner_of["theme_votes"] == registry.owner_of["theme_reactions"] == "themes"
    assert registry.owner_of["invite_code_attempts"] == "members"
    assert registry.owner_of["push_step_skips"] == "pushes"
    assert "staff_sessions" not in registry.owner_of  # staff data, not member data


def test_a_feature_left_out_of_the_registry_names_its_tables() -> None:
    without_themes = PrivacyRegistry(h for h in registry.hooks if h.name != "themes")
    # theme_answer_images hold no member column: their answer does.
    assert without_themes.uncovered_member_tables(Base.metadata) == ["theme_answers", "theme_reactions",
                                                                     "theme_votes"]


def test_a_new_table_with_a_member_column_fails_until_a_hook_covers_it() -> None:
    metadata = MetaData()
    Table("members", metadata, Column("id", Integer, primary_key=True))
    Table("stamps", metadata, Column("id", Integer, primary_key=True), Column("member_id", Integer))
    Table("gifts", metadata, Column("id", Integer, primary_key=True), Column("giver", ForeignKey("members.id")))
    Table("referrals", metadata, Column("id", Integer, primary_key=True), Column("invited_member_id", Integer))
    Table("shops", metadata, Column("id", Integer, primary_key=True), Column("staff_id", Integer))
    members_only = PrivacyRegistry([_hook("members", "members")])
    assert members_only.uncovered_member_tables(metadata) == ["gifts", "referrals", "stamps"]
    covered = PrivacyRegistry([_hook("members", "members"), _hook("stamps", "stamps", "gifts", "referrals")])
    assert covered.uncovered_member_tables(metadata) == []


def test_two_hooks_covering_one_table_are_refused() -> None:
    with pytest.raises(ValueError, match="consents is covered by both members and surveys"):
        PrivacyRegistry([_hook("members", "members", "consents"), _hook("surveys", "consents")])
    with pytest.raises(ValueError, match="two privacy hooks are named 'themes'"):
        PrivacyRegistry([_hook("themes", "a"), _hook("themes", "b")])


def test_two_hooks_giving_the_same_export_section_are_refused() -> None:
    twice = PrivacyRegistry([_hook("a", "a", export={"posts": []}), _hook("b", "b", export={"posts": []})])
    with pytest.raises(ValueError, match="export section 'posts' is given twice"):
        twice.export(None, None)  # type: ignore[arg-type]


class _Session:
    def flush(self) -> None:
        pass


def test_erase_anonymises_the_member_row_last_and_reports_counts_in_listed_order() -> None:
    seen: list[tuple[str, str]] = []
    member = type("M", (), {"line_user_id": "U1"})()

    def erase_member_row(session: Any, m: Any, now: datetime) -> dict[str, Any]:
        seen.append(("members", m.line_user_id))
        m.line_user_id = "deleted:1"
        return {"status": "member"}

    def erase_outbox(session: Any, m: Any, now: datetime) -> dict[str, Any]:
        seen.append(("outbox", m.line_user_id))
        return {"outgoing_messages": 2}

    listed = PrivacyRegistry([_hook("members", "members", erase=erase_member_row),
                              _hook("outbox", "outbound_messages", erase=erase_outbox)])
    counts = listed.erase(_Session(), member, datetime(2026, 12, 1))  # type: ignore[arg-type]
    assert seen == [("outbox", "U1"), ("members", "U1")]  # the outbox still found the member's LINE id
    assert list(counts.items()) == [("status", "member"), ("outgoing_messages", 2)]
