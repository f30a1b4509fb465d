"""Q&A's condition for push segments: "asked or answered a question" (published ones), registered with
linecomm.pushes.segments (which names this module in CONDITION_MODULES and never imports it)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from linecomm.pushes.segments import RegisteredCondition, register_condition
from linecomm.qa.service import asked_or_answered


def _describe(_session: Session | None, _value: Any) -> str:
    return "質問または回答を投稿したことがある"


def _problems(_session: Session, _value: Any) -> list[str]:
    return []


register_condition(RegisteredCondition("asked_or_answered", lambda _value: asked_or_answered(), _describe, _problems))
