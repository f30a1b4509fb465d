"""A theme post's answers as a CSV file for a spreadsheet: UTF-8 with a BOM (Excel in Japan opens it as
UTF-8), one row per answer, times in Japan time, and member text kept as text (a cell a spreadsheet
would take for a formula gets a leading apostrophe). Rows are read in chunks and written as they come,
so a post with many answers is never loaded whole."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.themes.content import POLL, choices_from_json
from linecomm.themes.models import AnswerKind, ThemeAnswer, ThemePost, ThemeVote
from linecomm.timezones import format_jst

BOM = "\ufeff"
CHUNK = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
KIND_LABELS = {AnswerKind.TEXT: "テキスト", AnswerKind.IMAGE: "写真"}


def cell(value: Any) -> str:
    """A value as spreadsheet text: never read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def answers_csv(session: Session, post: ThemePost, state_labels: dict[str, str]) -> Iterator[str]:
    """The CSV text of the post's answers, oldest first, in pieces of up to CHUNK rows (the first piece
    starts with the BOM and the header). `state_labels` names the moderation states as staff read them."""
    poll = post.choice_kind == POLL
    options = {c.key: c.label for c in choices_from_json(post.choices)} if poll else {}
    header = ["回答ID", "日時（日本時間）", "ニックネーム", "種類", "回答", "状態", "ピックアップ"]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header + (["投票"] if poll else []))
    stmt = (
        select(ThemeAnswer.id, ThemeAnswer.created_at, Member.nickname, ThemeAnswer.kind, ContentItem.body,
               ContentItem.state, ContentItem.redacted_at, ThemeAnswer.featured_at, ThemeAnswer.quoted_in_post_id,
               ThemeVote.option_key)
        .join(ContentItem, ContentItem.id == ThemeAnswer.content_id)
        .outerjoin(Member, Member.id == ThemeAnswer.member_id)
        .outerjoin(ThemeVote, and_(ThemeVote.post_id == ThemeAnswer.post_id,
                                   ThemeVote.member_id == ThemeAnswer.member_id))
        .where(ThemeAnswer.post_id == post.id)
        .order_by(ThemeAnswer.id)
        .execution_options(yield_per=CHUNK)
    )
    for n, (answer_id, at, nickname, kind, body, state, redacted_at, featured_at, quoted_in,
            vote) in enumerate(session.execute(stmt), start=1):
        if redacted_at is not None:
            text = "（削除済み）"
        elif kind == AnswerKind.IMAGE:
            text = "（写真）"
        else:
            text = body
        featured = "投稿で紹介済み" if quoted_in else "ピックアップ中" if featured_at else ""
        row = [answer_id, format_jst(at), nickname or "", KIND_LABELS.get(kind, kind), text,
               state_labels.get(state, state), featured]
        writer.writerow([cell(v) for v in row + ([options.get(vote, vote or "")] if poll else [])])
        if n % CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
