"""Every table, imported in one place so Alembic and tests see the whole schema."""
from linecomm.actions.models import MemberAction
from linecomm.audit.models import AuditEntry
from linecomm.db import Base
from linecomm.ideas.models import Idea, IdeaAnswer, IdeaComment, IdeaSettings, IdeaSupport
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
from linecomm.points.models import MemberPoints, PointEntry, PointRule, PointsJobState
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
    "AuditEntry",
    "Base",
    "ChatGroup",
    "Consent",
    "ContentDecision",
    "ContentItem",
    "ContentReport",
    "Delivery",
    "DeliveryBatch",
    "InviteCode",
    "InviteCodeAttempt",
    "MemberPoints",
    "PointEntry",
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
    "MemberAction",
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
