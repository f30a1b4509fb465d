"""A small hand-built community whose KPI figures are known (see `EXPECTED`), written straight into the
tables the metrics read. Day D is 2026-11-10 (Japan time).

  A  1期  joined Oct 5; on D: a theme answer (action + published reply), a hidden comment, 2 invite shares,
          NPS 10; referred B.
  B  1期  joined on D; on D: a chat message, an idea support, NPS 9.
  C  2期  joined Oct 20; on D: a reaction, then left on D (not a member at the end of D).
  E  2期  joined Sep 1, left Oct 1, came back on D+1 (the row keeps only the rejoin).
  F  1期  joined Oct 1; on D: a published review, NPS 2; erased under the APPI by the test (on D+2).
  H  1期  joined Oct 1; received the push, did nothing (ROM).
  X  no cohort: followed Oct 1, never joined, blocked (unfollowed) on D.
A push batch LINE accepted on D went to A, B and H.
"""
from __future__ import annotations

from datetime import date, datetime

from linecomm.actions.models import MemberAction
from linecomm.members.models import InviteCode, Member, MemberStatus
from linecomm.moderation.models import ContentItem, ContentState
from linecomm.pushes.models import Delivery, DeliveryBatch
from linecomm.referrals.models import Referral, ReferralShare
from linecomm.surveys.models import QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from linecomm.timezones import JST
from linecomm.webhooks.models import WebhookEvent

D = date(2026, 11, 10)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=JST)


def oct_(d: int) -> datetime:
    return at(date(2026, 10, d))


def build(session) -> dict[str, int]:  # noqa: ANN001
    def member(key: str, cohort: str | None, joined: datetime | None, *, left: datetime | None = None,
               status: str = MemberStatus.MEMBER, followed: datetime | None = None,
               unfollowed: datetime | None = None) -> Member:
        m = Member(line_user_id=f"U{key}kpi", cohort=cohort, status=status, joined_at=joined, left_at=left,
                   nickname=f"{key}さん" if joined else None, nickname_key=f"{key}-kpi" if joined else None,
                   followed_at=followed or joined, unfollowed_at=unfollowed, is_following=unfollowed is None)
        session.add(m)
        session.flush()
        return m

    session.add_all([InviteCode(code="KPI1", cohort="1期", max_uses=10),
                     InviteCode(code="KPI2", cohort="2期", max_uses=10)])
    a = member("A", "1期", oct_(5))
    b = member("B", "1期", at(D, 10))
    c = member("C", "2期", oct_(20), left=at(D, 15), status=MemberStatus.LEFT)
    e = member("E", "2期", at(date(2026, 11, 11), 9), followed=at(date(2026, 9, 1)))
    f = member("F", "1期", oct_(1))
    h = member("H", "1期", oct_(1))
    x = member("X", None, None, status=MemberStatus.FOLLOWER, followed=oct_(1), unfollowed=at(D, 20))

    def action(m: Member, kind: str, key: str, when: datetime) -> None:
        session.add(MemberAction(member_id=m.id, kind=kind, key=key, occurred_at=when))

    def content(m: Member, kind: str, state: str, when: datetime) -> None:
        session.add(ContentItem(member_id=m.id, kind=kind, body="本文", state=state, created_at=when))

    action(a, "theme_answer", "kpi:a:answer", at(D, 9))
    content(a, "theme_reply", ContentState.PUBLISHED, at(D, 9))
    content(a, "comment", ContentState.HIDDEN, at(D, 11))
    session.add(WebhookEvent(webhook_event_id="kpi-b-chat", event_type="message", source_type="user",
                             user_id=b.line_user_id, payload="{}", status="done", received_at=at(D, 13)))
    action(b, "idea_supported", "kpi:b:support", at(D, 14))
    action(c, "reaction", "kpi:c:reaction", at(D, 11))
    content(f, "review", ContentState.PUBLISHED, at(D, 16))
    action(h, "helpful_received", "kpi:h:helpful", at(D, 17))  # received, not done: H stays inactive
    # E's earlier membership (Sep 1 - Oct 1) left no trace on the row; an action from then:
    action(e, "vote", "kpi:e:vote", at(date(2026, 9, 15)))

    delivery = Delivery(kind="post", occurrence_key="kpi-push", messages="[]", status="sent",
                        recipients=3, started_at=at(D, 10), finished_at=at(D, 10))
    session.add(delivery)
    session.flush()
    session.add(DeliveryBatch(delivery_id=delivery.id, batch_no=1, retry_key="kpi-retry-1",
                              member_ids=[a.id, b.id, h.id], size=3, status="sent", sent_count=3,
                              finished_at=at(D, 10)))

    survey = Survey(title="満足度", published_at=oct_(1))
    session.add(survey)
    session.flush()
    question = SurveyQuestion(survey_id=survey.id, position=1, kind=QuestionKind.NPS, prompt="おすすめ度")
    session.add(question)
    session.flush()
    for m, score in ((a, 10), (b, 9), (f, 2)):
        response = SurveyResponse(survey_id=survey.id, member_id=m.id, submission_key=f"kpi{m.id}",
                                  submitted_at=at(D, 18), updated_at=at(D, 18))
        session.add(response)
        session.flush()
        session.add(SurveyAnswer(response_id=response.id, question_id=question.id, number=score))

    session.add_all([ReferralShare(member_id=a.id, shared_at=at(D, 8)),
                     ReferralShare(member_id=a.id, shared_at=at(D, 9)),
                     Referral(referrer_member_id=a.id, referred_member_id=b.id, attributed_at=at(D, 10))])
    session.flush()
    return {"A": a.id, "B": b.id, "C": c.id, "E": e.id, "F": f.id, "H": h.id, "X": x.id, "survey": survey.id}


# (metric, cohort) -> value on day D ('' = everyone, '-' = no cohort)
EXPECTED = {
    ("members", ""): 4, ("members", "1期"): 4, ("members", "2期"): 0,
    ("joined", ""): 1, ("joined", "1期"): 1,
    ("left", ""): 1, ("left", "2期"): 1,
    ("followers", ""): 6,  # A, B, C (left, still follows), F, H, and E (following since Sep)
    ("unfollows", ""): 1, ("unfollows", "-"): 1,
    ("active_7d", ""): 3, ("active_30d", ""): 3,  # A (answer), B (chat), F (review); C left, H did nothing
    ("pushed_30d", ""): 3, ("rom_30d", ""): 1, ("rom_30d", "1期"): 1,
    ("ugc.theme_reply", ""): 1, ("ugc.review", ""): 1, ("ugc.comment", ""): 0,  # the hidden comment
    ("idea_supporters", ""): 1, ("idea_submitters", ""): 0,
    ("survey_responses", ""): 3,
    ("nps.promoters", ""): 2, ("nps.passives", ""): 0, ("nps.detractors", ""): 1,
    ("referral_invites", ""): 2, ("referral_joins", ""): 1,
}
