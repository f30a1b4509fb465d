"""The migrations build exactly the schema the models declare: a model changed without its migration (or a
migration without its model change) fails here, on both databases, not in production."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from linecomm import migrate
from linecomm.models import Base

# PostgreSQL-only trigram indexes for the member search (migration 0002): pg_trgm's GIN operator classes
# have no SQLite counterpart, so the models leave them to the migration.
MIGRATION_ONLY_INDEXES = {"ix_members_display_name_trgm", "ix_members_nickname_key_trgm"}


def _declared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def _differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": _declared})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_the_migrated_postgresql_schema_is_the_models_schema(pg_database: str) -> None:
    assert _differences(pg_database) == []


def test_the_migrated_sqlite_schema_is_the_models_schema(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "schema.sqlite3"
    shutil.copy(sqlite_template, path)
    assert _differences(f"sqlite:///{path}") == []


def test_the_migrations_have_one_head_and_go_down_and_up_again(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    assert len(script.get_heads()) == 1
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    migrate.upgrade(url)
    assert _differences(url) == []

