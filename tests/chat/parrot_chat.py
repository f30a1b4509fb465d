"""A throwaway feature for the router tests: one keyword and one button, registered from its own module
as a real feature's `chat.py` does (imported by the tests only, into a copy of the router)."""
from __future__ import annotations

from typing import Any

from linecomm.chat import router
from linecomm.chat.context import EventContext


@router.keyword(("オウム", "parrot"))
def repeat(ctx: EventContext, member: Any) -> None:
    ctx.reply([{"type": "text", "text": f"オウムです。「{ctx.text}」"}])


@router.postback("parrot")
def on_parrot_button(ctx: EventContext, member: Any) -> None:
    ctx.reply([{"type": "text", "text": f"オウムのボタンです（{ctx.postback.get('color', '')}）。"}])
