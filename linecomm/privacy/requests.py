"""APPI requests for one member: export everything held about them, or erase their personal data.

Both go through every feature's privacy hook (`linecomm.privacy.features`). Erasing keeps the member row
(anonymised) and the rows that point at it, so aggregate counts (members per cohort, code uses, posts,
reports) keep working; post bodies, photos, inbox events and outgoing messages lose their contents.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import Member, MemberStatus
from linecomm.privacy.features import registry


def export(session: Session, member: Member) -> dict[str, Any]:
    """Everything held about the member, as plain JSON-ready values: one section per kind of row."""
    return registry.export(session, member)


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
    (no personal data: status, cohort and counts only). Raises ValueError for a member already deleted."""
    if member.status == MemberStatus.DELETED:
        raise ValueError("member already deleted")
    return registry.erase(session, member, now or utcnow())
