"""A コミュニティモデレーター hides reported content pending review from LIFF: within the owner's daily limit
(the next one refused politely), never their own post, audited with the member as the actor; the item goes
to the staff queue, where restoring it works as usual; anyone else, or a revoked moderator, gets 403."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from linecomm.ambassadors import copy, service
from linecomm.ambassadors.models import Appointment, AppointmentRole
from linecomm.audit.models import AuditEntry
from linecomm.moderation import service as moderation
from linecomm.moderation.models import ContentItem, ContentState, ReviewReason
from tests.ambassadors.helpers import reported_post
from tests.support.community import Community


def _appoint(community: Community, member_id: int, limit: int = 2) -> int:
    with community.session() as s:
        service.set_rules(s, {**service.rules_dict(service.read_rules(s)), "required_badges": [],
                              "moderator_daily_limit": limit}, "owner@example.com")
        return service.appoint(s, member_id, AppointmentRole.MEMBER_MODERATOR, by="owner@example.com").appointment.id


def _state(community: Community, content_id: int) -> tuple[str, bool, str | None]:
    with community.reader() as s:
        item = s.get(ContentItem, content_id)
        return item.state, item.in_queue, item.review_reason


def test_member_moderator_hides_within_the_daily_limit(community: Community, liff_member, liff_client) -> None:
    mod, author, reporter = (liff_member(nickname=n) for n in ("みまもり", "かきて", "つうほう"))
    posts = [reported_post(community, author.member_id, reporter.member_id, f"投稿その{i}です。") for i in range(3)]
    own = reported_post(community, mod.member_id, reporter.member_id, "わたしの投稿です。")
    untouched = reported_post(community, author.member_id, reporter.member_id, "もうひとつの投稿です。")
    appointment_id = _appoint(community, mod.member_id, limit=2)

    # Not a moderator: refused in Japanese, on the page and on the action.
    other = liff_client(reporter.line_user_id)
    refused = other.get("/liff/moderate")
    assert refused.status_code == 403 and copy.NOT_MODERATOR in refused.get_data(as_text=True)
    denied = other.post(f"/liff/moderate/{posts[0]}/hide")
    assert denied.status_code == 403 and denied.get_json()["error"] == copy.NOT_MODERATOR

    client = liff_client(mod.line_user_id)
    page = client.get("/liff/moderate").get_data(as_text=True)
    assert all(f'data-item="{p}"' in page for p in posts) and f'data-item="{own}"' not in page
    assert "data-moderate-link" in client.get("/liff/me").get_data(as_text=True)

    with community.session() as s:  # a post with no member behind it (the brand's, or its author's row gone)
        s.get(ContentItem, untouched).member_id = None
    assert f'data-item="{untouched}"' not in client.get("/liff/moderate").get_data(as_text=True)
    official = client.post(f"/liff/moderate/{untouched}/hide")
    assert official.status_code == 403 and official.get_json()["error"] == copy.OFFICIAL_CONTENT
    with community.session() as s:
        s.get(ContentItem, untouched).member_id = author.member_id
    mine = client.post(f"/liff/moderate/{own}/hide")
    assert mine.status_code == 403 and mine.get_json()["error"] == copy.OWN_CONTENT
    for content_id in posts[:2]:
        done = client.post(f"/liff/moderate/{content_id}/hide")
        assert done.status_code == 303 and "done=1" in done.headers["Location"]
        assert _state(community, content_id) == (ContentState.HIDDEN, True, ReviewReason.REPORTED)
    assert client.post(f"/liff/moderate/{posts[0]}/hide").get_json()["error"] == copy.GONE  # already hidden
    over = client.post(f"/liff/moderate/{posts[2]}/hide")
    assert over.status_code == 429 and over.get_json()["error"] == copy.LIMIT_REACHED.format(limit=2)
    assert _state(community, posts[2])[0] == ContentState.PUBLISHED
    assert "本日の非表示：2 / 2件" in client.get("/liff/moderate").get_data(as_text=True)

    with community.reader() as s:
        audited = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "content.member_hide")
                                 .order_by(AuditEntry.id)))
        assert [(a.staff_id, a.staff_email, a.target_id) for a in audited] == [
            (None, f"member:{mod.member_id}", str(p)) for p in posts[:2]]
        queued = [e.item.id for e in moderation.queue(s, ReviewReason.REPORTED)]
        assert posts[0] in queued and posts[1] in queued

    # Revoked: the right ends at once.
    with community.session() as s:
        service.revoke(s, appointment_id, by="owner@example.com")
    gone = client.post(f"/liff/moderate/{untouched}/hide")
    assert gone.status_code == 403 and gone.get_json()["error"] == copy.NOT_MODERATOR
    assert client.get("/liff/moderate").status_code == 403
    with community.reader() as s:
        assert s.scalar(select(Appointment.ended_at).where(Appointment.id == appointment_id)) is not None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_staff_restore_a_member_hidden_item_from_the_queue(community: Community, console, liff_member,
                                                           liff_client) -> None:
    mod, author, reporter = (liff_member(nickname=n) for n in ("みまもり", "かきて", "つうほう"))
    content_id = reported_post(community, author.member_id, reporter.member_id)
    _appoint(community, mod.member_id)
    assert liff_client(mod.line_user_id).post(f"/liff/moderate/{content_id}/hide").status_code == 303
    staff = console.client("moderator")
    restored = staff.post(f"/admin/moderation/{content_id}/decide", {"action": "approve"})
    assert restored.status_code == 303
    assert _state(community, content_id) == (ContentState.PUBLISHED, False, None)
    with community.reader() as s:
        actions = [d.action for d in moderation.history(s, content_id)]
    assert actions[-2:] == ["member_hidden", "approved"]
    # Restored by staff: not offered to member-moderators again.
    assert f'data-item="{content_id}"' not in liff_client(mod.line_user_id).get("/liff/moderate").get_data(as_text=True)
