"""LINE's sample webhook events (line-bot-sdk v3's test fixture), and the id shapes LINE documents."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).parents[1] / "fixtures" / "line-platform" / "webhook-events-sdk-fixture.json"
# LINE's documented ids: a user "U", a group "C", a room "R", each followed by 32 lowercase hex digits.
ID_SHAPES = {"userId": re.compile(r"U[0-9a-f]{32}"), "groupId": re.compile(r"C[0-9a-f]{32}"),
             "roomId": re.compile(r"R[0-9a-f]{32}")}


def _written_out(value: Any) -> Any:
    if isinstance(value, list):
        return [_written_out(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key in ID_SHAPES and isinstance(item, str) and not ID_SHAPES[key].fullmatch(item):
            item = item[0] + hashlib.md5(item.encode()).hexdigest()  # "C4af4980629..." -> "C" + 32 hex
        out[key] = _written_out(item)
    return out


def lines_sample_events() -> list[dict[str, Any]]:
    """The sample body's events, with the ids it abbreviates ("C4af4980629...") written out in LINE's shape,
    as LINE sends them: linecomm refuses ids of any other shape."""
    return _written_out(json.loads(FIXTURE.read_text())["events"])
