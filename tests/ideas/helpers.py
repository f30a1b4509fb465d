"""What idea tests share: posting an idea through the LIFF page and reading rows back."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from linecomm.ideas.models import Idea, IdeaSupport
from tests.support.community import Community


def post_idea(client: Any, title: str = "詰め替えボトルの目盛り", description: str = "残量がひと目で分かると便利です。",
              category: str = "商品") -> int:
    """Post an idea through POST /liff/ideas/new; its id (from the redirect)."""
    sent = client.post("/liff/ideas/new", data={"title": title, "description": description, "category": category})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    found = re.search(r"/liff/ideas/(\d+)", sent.headers["Location"])
    assert found
    return int(found.group(1))


def idea_row(community: Community, idea_id: int) -> Idea:
    with community.reader() as s:
        idea = s.get(Idea, idea_id)
        assert idea is not None
        s.expunge(idea)
        return idea


def support_rows(community: Community, idea_id: int) -> int:
    with community.reader() as s:
        return int(s.scalar(select(func.count()).where(IdeaSupport.idea_id == idea_id)) or 0)
