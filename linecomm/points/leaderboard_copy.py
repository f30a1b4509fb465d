"""Japanese copy for the leaderboards (丁寧語), and the chat reply: a Flex carousel of two compact bubbles
(this month's top 10, the all-time top 10, each with the member's own position), built with line-bot-sdk's
models. Rows are short and fixed in shape (nicknames are at most 40 characters), so a bubble stays far
within LINE's 30 KB per bubble and 50 KB per carousel (the fake platform checks both, as LINE does)."""
from __future__ import annotations

from typing import Any

from linebot.v3.messaging import (
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexCarousel,
    FlexComponent,
    FlexMessage,
    FlexSeparator,
    FlexText,
    URIAction,
)

from linecomm.points.leaderboard import ALL_TIME, MONTHLY, Board, Position

TITLE = "ランキング"
TABS = {MONTHLY: "今月", ALL_TIME: "累計"}
EMPTY = "まだランキングに載っている方はいません。"
OPTED_OUT = "ランキングに表示しない設定です。順位はあなたにだけ表示されています。"
SHOW_ME = "ランキングに表示する"
HIDE_ME = "ランキングに表示しない"
SHOWN_NOW = "ランキングにニックネームが表示されるようにしました。"
HIDDEN_NOW = "ランキングに表示しないようにしました。順位はあなたにだけ表示されます。"
BAD_CHOICE = "設定を読み取れませんでした。もう一度お試しください。"
EXPLAIN = ("今月のランキングは、日本時間で今月に獲得したポイント（取り消し分を差し引いたもの）の合計です。"
           "累計ランキングは、これまでに獲得したポイントの合計です（有効期限切れの分も含みます）。"
           "同じポイントの方は同じ順位です。")


def points(n: int) -> str:
    return f"{n:,}pt"


def month_label(month: str) -> str:
    """"2026-12" → 「12月」."""
    return f"{int(month[5:7])}月"


def board_title(board: Board) -> str:
    if board.kind == MONTHLY:
        return f"今月のランキング（{month_label(board.month)}）"
    return "累計ランキング"


def my_line(me: Position | None) -> str:
    if me is None or me.rank is None:
        return "あなた：まだ順位はありません"
    return f"あなた：{me.rank:,}位・{points(me.points)}"


def _row(rank: int, nickname: str, amount: int, mine: bool) -> FlexBox:
    color = "#06C755" if mine else "#333333"
    return FlexBox(layout="baseline", spacing="sm", contents=[
        FlexText(text=f"{rank}位", size="sm", color="#666666", flex=0),
        FlexText(text=nickname, size="sm", color=color, weight="bold" if mine else "regular", flex=1, wrap=False),
        FlexText(text=points(amount), size="sm", color=color, align="end", flex=0),
    ])


def _bubble(board: Board, member_id: int, url: str | None) -> FlexBubble:
    rows: list[FlexComponent] = [FlexText(text=board_title(board), weight="bold", size="md")]
    if board.standings:
        rows += [_row(s.rank, s.nickname, s.points, s.member_id == member_id) for s in board.standings]
    else:
        rows.append(FlexText(text=EMPTY, size="sm", color="#666666", wrap=True))
    rows.append(FlexSeparator(margin="md"))
    rows.append(FlexText(text=my_line(board.me), size="sm", weight="bold", margin="md", wrap=True))
    if board.me is not None and board.me.hidden:
        rows.append(FlexText(text=OPTED_OUT, size="xs", color="#666666", wrap=True))
    bubble = FlexBubble(size="kilo", body=FlexBox(layout="vertical", spacing="sm", contents=rows))
    if url:
        bubble.footer = FlexBox(layout="vertical", contents=[FlexButton(
            style="link", height="sm", action=URIAction(label="ランキングを見る", uri=url))])
    return bubble


def chat_message(boards: list[Board], member_id: int, url: str | None) -> dict[str, Any]:
    """The reply to 「ランキング」: one bubble per board (this month first)."""
    first = boards[0]
    alt = f"{board_title(first)}　{my_line(first.me)}"
    message = FlexMessage(alt_text=alt, contents=FlexCarousel(contents=[_bubble(b, member_id, url) for b in boards]))
    return message.to_dict()
