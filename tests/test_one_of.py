"""`db.one_of` is `col IN (values)` for any number of values on both databases: SQLite caps a statement at
32,766 parameters, so many values travel there as one JSON array (a segment grant passes 100,000 ids)."""
from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select
from sqlalchemy.orm import Session

from linecomm.db import one_of


def test_one_of_takes_more_values_than_sqlite_has_parameters() -> None:
    metadata = MetaData()
    rows = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("name", String))
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(rows), [{"id": i, "name": f"n{i}"} for i in range(1, 50_001)])
        wanted = list(range(2, 100_001, 2))  # 50,000 ids, half of them present
        assert session.scalar(select(func.count()).where(one_of(session, rows.c.id, wanted))) == 25_000
        names = [f"n{i}" for i in range(1, 40_001)]
        assert session.scalar(select(func.count()).where(one_of(session, rows.c.name, names))) == 40_000
        assert session.scalar(select(func.count()).where(one_of(session, rows.c.id, [1, 3]))) == 2
