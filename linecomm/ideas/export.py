"""Every idea as a CSV file for a spreadsheet: UTF-8 with a BOM, one row per idea (stage, support count,
momentum, comments, moderation state, author's nickname, times in Japan time). Member text is kept as text
(the themes export's `cell`: a cell a spreadsheet would read as a formula gets a leading apostrophe). Rows
are read by keyset in chunks and written as they come, so 100,000 ideas are never loaded whole."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.ideas import copy
from linecomm.ideas.models import Idea
from linecomm.members.models import Member
from linecomm.moderation.models import ContentItem
from linecomm.themes.export import BOM, cell
from linecomm.timezones import format_jst

CHUNK = 1000
HEADER = ["アイデアID", "タイトル", "内容", "カテゴリ", "ステージ", "応援数", "直近7日の応援", "コメント数", "目標",
          "公開状態", "投稿者", "投稿日時（日本時間）", "募集期限（日本時間）"]


def filename(now: datetime) -> str:
    return f"ideas-{format_jst(now, '%Y%m%d-%H%M')}.csv"


def ideas_csv(session: Session, stage: str | None = None) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    yield BOM + out.getvalue()
    after = 0
    while True:
        stmt = (select(Idea, Member.nickname, ContentItem.state)
                .join(ContentItem, ContentItem.id == Idea.content_id)
                .outerjoin(Member, Member.id == Idea.member_id)
                .where(Idea.id > after).order_by(Idea.id).limit(CHUNK))
        if stage:
            stmt = stmt.where(Idea.stage == stage)
        rows = session.execute(stmt).all()
        if not rows:
            return
        out = io.StringIO()
        writer = csv.writer(out)
        for idea, nickname, state in rows:
            writer.writerow([idea.id, cell(idea.title), cell(idea.description), cell(idea.category),
                             copy.STAGE_LABELS.get(idea.stage, idea.stage), idea.support_count, idea.momentum,
                             idea.comment_count, idea.threshold, state, cell(nickname),
                             format_jst(idea.created_at), format_jst(idea.window_ends_at)])
        after = rows[-1][0].id
        yield out.getvalue()
