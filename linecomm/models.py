"""Every table, imported in one place so Alembic and tests see the whole schema."""
from linecomm.actions.models import MemberAction, MemberActiveMonth
from linecomm.ambassadors.models import Appointment, CandidateRules, ModeratorHide
from linecomm.audit.models import AuditEntry
from linecomm.db import Base
from linecomm.ideas.models import Idea, IdeaAnswer, IdeaComment, IdeaSettings, IdeaSupport
from linecomm.kpis.models import KpiDaily
from linecomm.kpis.weekly import StaffWeeklySummary  # noqa: F401
from linecomm.members.models import (
    Consent,
    InviteCode,
    InviteCodeAttempt,
    InviteRedemption,
    Member,
    MemberTag,
    Tag,
)
from linecomm.moderation.models import (
    ContentDecision,
    ContentItem,
    ContentReport,
    MemberSanction,
    ModerationPolicy,
    NgWord,
)
from linecomm.outbox.models import OutboundMessage
from linecomm.points.badge_models import Badge, BadgeJobState, MemberBadge  # noqa: F401
from linecomm.points.farming_models import FarmingPolicy
from linecomm.points.leaderboard_models import LeaderboardPreference
from linecomm.points.models import MemberPoints, PointEntry, PointRule, PointsJobState
from linecomm.points.rank_models import PointRank, RankMenuSetting
from linecomm.pushes.models import (
    Delivery,
    DeliveryBatch,
    PushPolicy,
    StepMessage,
    StepSkip,
    TestRecipient,
)
from linecomm.qa.models import QaAnswer, QaFaq, QaQuestion
from linecomm.referrals.models import Referral, ReferralArrival, ReferralCode, ReferralShare
from linecomm.reviews.models import Review, ReviewHelpfulMark, ReviewProduct
from linecomm.richmenu.models import RichMenu
from linecomm.staff.line_link import StaffLineLink, StaffLinkCode  # noqa: F401
from linecomm.staff.link_attempts import StaffLinkAttempt  # noqa: F401
from linecomm.staff.models import LoginAttempt, StaffSession, StaffUser
from linecomm.surveys.models import (
    Survey,
    SurveyAnnouncement,
    SurveyAnswer,
    SurveyChoice,
    SurveyQuestion,
    SurveyResponse,
)
from linecomm.themes.models import AnswerImage, ThemeAnswer, ThemePost, ThemeReaction, ThemeVote
from linecomm.uploads.models import UploadedPhoto
from linecomm.webhooks.models import ChatGroup, WebhookEvent

__all__ = [
    "AnswerImage",
    "Appointment",
    "CandidateRules",
    "ModeratorHide",
    "AuditEntry",
    "Base",
    "ChatGroup",
    "Consent",
    "ContentDecision",
    "ContentItem",
    "ContentReport",
    "Delivery",
    "DeliveryBatch",
    "FarmingPolicy",
    "InviteCode",
    "InviteCodeAttempt",
    "LeaderboardPreference",
    "MemberPoints",
    "PointEntry",
    "PointRank",
    "RankMenuSetting",
    "PointRule",
    "PointsJobState",
    "InviteRedemption",
    "LoginAttempt",
    "Idea",
    "IdeaAnswer",
    "IdeaComment",
    "IdeaSettings",
    "IdeaSupport",
    "Member",
    "KpiDaily",
    "MemberAction",
    "MemberActiveMonth",
    "MemberSanction",
    "MemberTag",
    "ModerationPolicy",
    "NgWord",
    "OutboundMessage",
    "PushPolicy",
    "QaAnswer",
    "QaFaq",
    "QaQuestion",
    "Referral",
    "ReferralArrival",
    "ReferralCode",
    "ReferralShare",
    "Review",
    "ReviewHelpfulMark",
    "ReviewProduct",
    "RichMenu",
    "StaffSession",
    "StaffUser",
    "StepMessage",
    "StepSkip",
    "Survey",
    "SurveyAnnouncement",
    "SurveyAnswer",
    "SurveyChoice",
    "SurveyQuestion",
    "SurveyResponse",
    "Tag",
    "TestRecipient",
    "ThemeAnswer",
    "ThemePost",
    "ThemeReaction",
    "ThemeVote",
    "UploadedPhoto",
    "WebhookEvent",
]
