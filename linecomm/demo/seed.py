"""Demo data: an invite code everyone can use, a few members who have already joined, the shipped
NG-word list, and an open survey two of the members have answered (so its results page has something)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linecomm.db import utcnow
from linecomm.members import invites
from linecomm.members.models import Consent, InviteCode, Member, MemberStatus
from linecomm.text.normalise import nickname_key

DEMO_CODE = "WELCOME1"
DEMO_STAFF_PASSWORD = "linecomm-demo"  # demo only: LINECOMM_ENV=production never runs this seed
DEMO_STAFF = [
    ("owner@demo.example.com", "デモ 店長", "owner"),
    ("marketer@demo.example.com", "デモ マーケター", "marketer"),
    ("moderator@demo.example.com", "デモ モデレーター", "moderator"),
]
DEMO_COHORT = "0期生"
DEMO_MEMBERS = [  # LINE's shape ("U" + 32 lowercase hex digits): the webhook refuses any other
    ("Ude0000000000000000000000000000a1", "佐藤 花子", "はなこ"),
    ("Ude0000000000000000000000000000a2", "鈴木 一郎", "いちろう"),
    ("Ude0000000000000000000000000000a3", "高橋 美咲", "みさき"),
]


def seed(session: Session, privacy_version: str) -> str:
    """Create the demo invite code and members unless they exist. Returns the invite code."""
    code = session.scalar(select(InviteCode).where(InviteCode.code == DEMO_CODE))
    if code is None:
        code = invites.create_code(
            session, DEMO_COHORT, 100, date.today() + timedelta(days=365), code=DEMO_CODE, created_by="demo"
        )
    now = utcnow()
    for user_id, display_name, nickname in DEMO_MEMBERS:
        # A demo database from before these ids were in LINE's shape ("Udemo…") keeps its members under them.
        legacy_id = "Udemo" + user_id[len("Ude00"):]
        session.execute(update(Member).where(Member.line_user_id == legacy_id).values(line_user_id=user_id))
        if session.scalar(select(Member.id).where(Member.line_user_id == user_id)):
            continue
        member = Member(
            line_user_id=user_id,
            display_name=display_name,
            status=MemberStatus.MEMBER,
            is_following=True,
            cohort=DEMO_COHORT,
            nickname=nickname,
            nickname_key=nickname_key(nickname),
            invite_code_id=code.id,
            followed_at=now,
            joined_at=now,
            last_active_at=now,
            created_at=now,
        )
        session.add(member)
        session.flush()
        session.add(Consent(member_id=member.id, notice_version=privacy_version, agreed_at=now))
        code.used_count += 1
    seed_staff(session)
    seed_ng_words(session)
    seed_survey(session)
    from linecomm.ideas import demo as ideas_demo

    ideas_demo.seed(session)  # ideas: one in review, one gathering supporters
    from linecomm.qa import demo as qa_demo

    qa_demo.seed(session)  # Q&A: a solved question in the FAQ, an answered one, one waiting
    from linecomm.reviews import demo as reviews_demo

    reviews_demo.seed(session)  # reviews: three products, a few reviews, one marked helpful
    from linecomm.referrals import demo as referrals_demo

    referrals_demo.seed(session)  # referrals: はなこ's invite link, shared twice; みさき joined through it
    from linecomm.points import demo as points_demo

    points_demo.seed(session, [user_id for user_id, _, _ in DEMO_MEMBERS])  # points: a welcome grant each
    from linecomm.points import badge_demo

    badge_demo.seed(session, [user_id for user_id, _, _ in DEMO_MEMBERS])  # badges: a manual one, earned ones
    from linecomm.points import leaderboard_demo

    leaderboard_demo.seed(session, [user_id for user_id, _, _ in DEMO_MEMBERS])  # leaderboards: an order
    from linecomm.points import rank_demo

    rank_demo.seed(session)  # ranks: the default ladder; いちろう 20 points short of ブロンズ
    from linecomm.ambassadors import demo as ambassadors_demo

    ambassadors_demo.seed(session)  # はなこ 公認アンバサダー, いちろう コミュニティモデレーター with a report to check
    from linecomm.kpis import demo as kpis_demo

    kpis_demo.seed(session)  # KPI dashboard: the last week's snapshots (after every other feature's data)
    return DEMO_CODE


def seed_ng_words(session: Session) -> None:
    """The shipped NG-word list, so the demo community is moderated like a real one from the start. Only
    into an empty list: words a demo user deleted stay deleted when the demo starts again."""
    from linecomm.moderation import ngwords
    from linecomm.moderation.models import NgWord

    if session.scalar(select(NgWord.id).limit(1)) is None:
        ngwords.load_defaults(session, created_by="demo")


def seed_staff(session: Session) -> None:
    """One admin console account per role, so a newcomer can sign in without creating one."""
    from linecomm.staff import service as staff
    from linecomm.staff.models import StaffUser

    for email, name, role in DEMO_STAFF:
        if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None:
            staff.create_user(session, email, name, role, DEMO_STAFF_PASSWORD)


DEMO_SURVEY_TITLE = "朝の過ごし方アンケート"
DEMO_ANSWERS = {  # member's nickname → (choice position on Q1, rating, NPS, free text)
    "はなこ": (1, 5, 10, "白湯を飲むと一日が軽く始まります。"),
    "いちろう": (3, 3, 7, ""),
}


def seed_survey(session: Session) -> None:
    """An open survey built with the admin page's builder (branching, a tag per choice, NPS), answered by two
    demo members through the members' own service: みさき has not answered, so opening it as みさき in the
    chat console (rich menu 「アンケート」) shows the form. Only once: a demo user's edits stay."""
    from linecomm.surveys import builder
    from linecomm.surveys import service as surveys
    from linecomm.surveys.models import QuestionKind, Survey

    if session.scalar(select(Survey.id).where(Survey.title == DEMO_SURVEY_TITLE)) is not None:
        return
    now = utcnow()
    choice = builder.ChoiceDraft
    draft = builder.SurveyDraft(
        title=DEMO_SURVEY_TITLE,
        description="新商品づくりの参考にさせていただきます。1分ほどで終わります。",
        thank_you_message="ご回答ありがとうございました。いただいたご意見は商品づくりに活かしてまいります。",
        closes_at=now + timedelta(days=30),
        questions=(
            builder.QuestionDraft(QuestionKind.SINGLE, "朝いちばんに飲むものは何ですか？", choices=(
                choice("白湯・お水", "朝は白湯派"), choice("コーヒー", "コーヒー好き"), choice("お茶"),
                choice("その他"))),
            builder.QuestionDraft(QuestionKind.TEXT, "「その他」の内容を教えてください。", required=False,
                                  show_if=(1, 4)),
            builder.QuestionDraft(QuestionKind.RATING, "朝の時間にどのくらい満足していますか？"),
            builder.QuestionDraft(QuestionKind.NPS, "このコミュニティを友人にすすめる可能性はどのくらいですか？"),
            builder.QuestionDraft(QuestionKind.TEXT, "朝のひと工夫があれば教えてください。", required=False),
        ),
    )
    survey, _ = builder.create_survey(session, draft, created_by="demo", now=now)
    builder.publish(session, survey.id, now=now)
    questions = [q for q, _ in builder.questions_of(session, survey.id)]
    choices = {q.id: cs for q, cs in builder.questions_of(session, survey.id)}
    for nickname, (picked, rating, nps, text) in DEMO_ANSWERS.items():
        member_id = session.scalar(select(Member.id).where(Member.nickname == nickname))
        if member_id is None:
            continue
        raw = {questions[0].id: [str(choices[questions[0].id][picked - 1].id)], questions[2].id: [str(rating)],
               questions[3].id: [str(nps)], questions[4].id: [text] if text else []}
        surveys.submit(session, survey.id, member_id, raw, submission_key=f"demo-seed-{member_id:012d}", now=now)
