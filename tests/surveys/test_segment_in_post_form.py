"""The theme post composer's segment gains 「アンケートに回答した人」 and 「この選択肢を選んだ人」: offered from
the published surveys, counted live, kept with the post, and refused in Japanese when the survey or choice
does not exist (or the value is not an id)."""
from __future__ import annotations

import re

from linecomm.db import utcnow
from linecomm.pushes import policy as policies
from linecomm.pushes.segments import Segment
from linecomm.surveys import service
from linecomm.themes.models import ThemePost
from tests.admin.console import Console, make_member, post_form
from tests.support.community import Community
from tests.surveys.factories import make_survey

QUESTIONS = [{"kind": "single", "prompt": "朝食は", "choices": ["パン", "ごはん"]}]


def test_a_post_targets_members_who_picked_a_choice(community: Community) -> None:
    console = Console(community)
    with community.session() as s:
        made = make_survey(s, title="朝ごはん調査", questions=QUESTIONS)
        make_survey(s, title="下書きの調査", questions=QUESTIONS, published=False)
        for i, choice in enumerate([made.c(1, 1), made.c(1, 1), made.c(1, 2)]):
            member_id = make_member(s, nickname=f"会員{i}").id
            assert service.submit(s, made.id, member_id, {made.q(1): [str(choice)]}, f"post-form-key-{i:05d}",
                                  utcnow()).stored
        make_member(s, nickname="未回答")
        policies.current(s)  # the console's pages read the push policy; a fresh database has none yet
    marketer = console.client("marketer")
    page = marketer.get("/admin/posts/new").get_data(as_text=True)
    assert re.search(rf'name="answered_survey" value="{made.id}"', page) and "朝ごはん調査" in page
    assert f'name="answered_choice" value="{made.c(1, 2)}"' in page and "朝食は: ごはん" in page
    assert "下書きの調査" not in page

    count = marketer.get(f"/admin/posts/count.json?answered_choice={made.c(1, 1)}").get_json()
    assert count["matched"] == 2 and "「朝ごはん調査」で「パン」" in count["segment"]
    assert marketer.get(f"/admin/posts/count.json?answered_survey={made.id}").get_json()["matched"] == 3
    unknown = marketer.get(f"/admin/posts/count.json?answered_choice={made.c(1, 2) + 50}")
    assert unknown.status_code == 400 and "アンケートの選択肢" in unknown.get_json()["error"]
    crafted = marketer.get("/admin/posts/count.json?answered_survey=abc")
    assert crafted.status_code == 400 and "回答したアンケートの指定が正しくありません" in crafted.get_json()["error"]

    refused = marketer.post("/admin/posts/new", data=post_form(answered_survey=str(made.id + 50)))
    assert refused.status_code == 400 and f"アンケート（No.{made.id + 50}）が見つかりません。" in refused.get_data(
        as_text=True)
    saved = marketer.post("/admin/posts/new", data=post_form(answered_choice=str(made.c(1, 2))))
    assert saved.status_code == 303
    post_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    with community.reader() as s:
        post = s.get(ThemePost, post_id)
        assert post is not None and Segment.from_json(post.segment).answered_choices == (made.c(1, 2),)
    edit = marketer.get(f"/admin/posts/{post_id}/edit").get_data(as_text=True)
    assert re.search(rf'name="answered_choice" value="{made.c(1, 2)}" checked', edit)
    detail = marketer.get(f"/admin/posts/{post_id}").get_data(as_text=True)
    assert "「朝ごはん調査」で「ごはん」" in detail
