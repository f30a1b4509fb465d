"""Demo data for Q&A, called from linecomm.demo.seed: a solved question promoted to the FAQ, an open one
with an answer, and one still waiting, asked and answered by the demo members through the service. Only
once: a demo user's changes stay when the demo starts again."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members.models import Member
from linecomm.qa import faq, service
from linecomm.qa.models import QaQuestion

DEMO_TITLE = "水筒のパッキンの洗い方"


def seed(session: Session) -> None:
    if session.scalar(select(QaQuestion.id).where(QaQuestion.title == DEMO_TITLE)) is not None:
        return
    ids = dict(session.execute(select(Member.nickname, Member.id).where(Member.nickname.in_(
        ("はなこ", "いちろう", "みさき")))).all())
    hanako, ichiro, misaki = ids.get("はなこ"), ids.get("いちろう"), ids.get("みさき")
    if not (hanako and ichiro and misaki):
        return
    now = utcnow()
    solved = service.ask(session, hanako, DEMO_TITLE, "パッキンの溝の汚れが落ちません。皆さんどうしていますか？",
                         "usage", now - timedelta(days=3)).question
    best = service.answer(session, solved.id, ichiro, "酸素系漂白剤に30分ほどつけ置きすると、溝まできれいになります。",
                          now - timedelta(days=2)).answer
    service.answer(session, solved.id, misaki, "細いブラシを使っています。", now - timedelta(days=2))
    assert solved is not None and best is not None
    service.choose_best(session, solved.id, best.id, by_member_id=hanako, now=now - timedelta(days=1))
    entry = faq.FaqDraft("水筒のパッキンの汚れを落とすには",
                         "酸素系漂白剤に30分ほどつけ置きしてから、やわらかいブラシで洗ってください。", "usage")
    faq.promote(session, solved.id, entry, None, now - timedelta(days=1))
    opened = service.ask(session, misaki, "冬におすすめの保温ボトルのサイズは？", "通勤用に探しています。",
                         "product", now - timedelta(hours=5)).question
    assert opened is not None
    service.answer(session, opened.id, ichiro, "350mlが鞄に入れやすくて便利です。", now - timedelta(hours=4))
    service.ask(session, ichiro, "ギフト包装はできますか？", "友人への贈り物にしたいです。", "order",
                now - timedelta(days=2))
