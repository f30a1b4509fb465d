"""Demo ideas for `linecomm demo`: one gathering supporters, one in review (it reached the threshold) and
one adopted with the brand's answer, posted and supported by the demo members through the ideas service,
so a newcomer can support, comment and (in the console) move an idea. Only once: demo edits stay."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.ideas import service
from linecomm.ideas.models import Idea, IdeaStage
from linecomm.members.models import Member

DEMO_IDEAS = [  # (author's nickname, title, description, category, supporters)
    ("はなこ", "詰め替えパックに目盛りを", "残りの量がひと目で分かると、買い足すタイミングに迷いません。", "商品",
     ("いちろう",)),
    ("いちろう", "朝活オンラインイベント", "月に一度、みんなで朝の過ごし方を話せる会があると嬉しいです。", "イベント",
     ("はなこ", "みさき")),
]


def seed(session: Session) -> None:
    if session.scalar(select(Idea.id).limit(1)) is not None:
        return
    now = utcnow()
    ids = {name: mid for name, mid in session.execute(select(Member.nickname, Member.id))}
    for author, title, description, category, fans in DEMO_IDEAS:
        if author not in ids:
            continue
        idea = service.submit(session, ids[author], service.Draft.read(title, description, category), now)
        for fan in fans:
            if fan in ids:
                service.support(session, idea.id, ids[fan], now, "")
    first = session.scalar(select(Idea).order_by(Idea.id).limit(1))
    if first is not None and first.stage == IdeaStage.OPEN:
        first.stage = IdeaStage.REVIEW  # shown in the console's review list
