"""An idea with a photo: re-encoded by linecomm.uploads (no GPS kept), held for a moderator under the image
policy, published (its window started, IDEA_SUBMITTED recorded) when approved, served only while the idea
is visible; a file that is not a photo is refused beside the field and nothing is stored."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from linecomm.actions.models import MemberAction
from linecomm.ideas.models import Idea
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem
from linecomm.uploads.models import UploadedPhoto
from tests.support.community import Community
from tests.uploads import images


def _form(photo: bytes, name: str = "x.jpg") -> dict[str, object]:
    return {"title": "写真つきのアイデア", "description": "こんな形の容器がほしいです。", "category": "商品",
            "photo": (io.BytesIO(photo), name)}


def test_photo_idea_is_held_then_published_and_served(community: Community, liff_member, liff_client) -> None:
    author = liff_member(nickname="あきこ")
    other = liff_client(liff_member(nickname="ゆうた").line_user_id)
    writer = liff_client(author.line_user_id)

    refused = writer.post("/liff/ideas/new", data=_form(images.gif_bytes(), "x.gif"))
    assert refused.status_code == 400 and 'data-error-for="photo"' in refused.get_data(as_text=True)
    with community.reader() as s:
        assert s.scalar(select(func.count()).select_from(UploadedPhoto)) == 0
        assert s.scalar(select(func.count()).select_from(Idea)) == 0

    sent = writer.post("/liff/ideas/new", data=_form(images.jpeg_bytes(gps=True)))
    assert sent.status_code == 303 and "notice=held" in sent.headers["Location"]
    idea_id = int(sent.headers["Location"].split("/liff/ideas/")[1].split("?")[0])
    own = writer.get(f"/liff/ideas/{idea_id}").get_data(as_text=True)
    assert "data-held" in own and "data-idea-photo" in own
    assert other.get(f"/liff/ideas/{idea_id}").status_code == 404
    assert other.get(f"/liff/ideas/{idea_id}/photo").status_code == 404

    with community.session() as s:
        idea = s.get(Idea, idea_id)
        assert idea.published_at is None
        item = s.get(ContentItem, idea.content_id)
        moderation.approve(s, item, None)  # type: ignore[arg-type]
    with community.reader() as s:
        idea = s.get(Idea, idea_id)
        assert idea.published_at is not None and idea.window_ends_at is not None
        assert s.scalar(select(func.count()).where(MemberAction.key == f"idea-submitted:{idea_id}")) == 1
    photo = other.get(f"/liff/ideas/{idea_id}/photo")
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert not images.exif_of(photo.get_data()).get_ifd(0x8825)  # no GPS
