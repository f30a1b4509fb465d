"""A throwaway feature for the router tests that claims 「ﾍﾙﾌﾟ」, which folds to the members feature's ヘルプ."""
from __future__ import annotations

from typing import Any

from linecomm.chat import router
from linecomm.chat.context import EventContext


@router.keyword(("ﾍﾙﾌﾟ",))
def my_help(ctx: EventContext, member: Any) -> None:
    ctx.reply([{"type": "text", "text": "別の機能のヘルプです。"}])
