"""Ideas' condition for push segments: "supported an idea", registered with linecomm.pushes.segments
(which names this module in CONDITION_MODULES and never imports it). An EXISTS over idea_supports,
correlated to `members.id` (linecomm.ideas.service.supported_an_idea)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from linecomm.ideas.service import supported_an_idea
from linecomm.pushes.segments import RegisteredCondition, register_condition


def _describe(_session: Session | None, _value: Any) -> str:
    return "アイデアを応援したことがある"


def _problems(_session: Session, _value: Any) -> list[str]:
    return []


register_condition(RegisteredCondition("supported_an_idea", lambda _value: supported_an_idea(), _describe, _problems))
