"""A dashboard table as a CSV file for a spreadsheet: UTF-8 with a BOM (Excel in Japan opens it as UTF-8),
CRLF lines, and every cell kept as text (a cell a spreadsheet would take for a formula, such as a
member's nickname starting with '=', gets a leading apostrophe: the same `cell` as the other exports;
numbers, negative NPS included, stay numbers).
A figure that was not computed is an empty cell, never 0."""
from __future__ import annotations

import csv
import io

from linecomm.kpis.dashboard import Table
from linecomm.themes.export import BOM, cell


def table_csv(table: Table) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([v if isinstance(v, int | float) else cell(v) for v in row])
    return out.getvalue()


def filename(table: Table, start: str, end: str) -> str:
    return f"kpi-{table.key}-{start}-{end}.csv"
