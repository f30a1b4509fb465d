"""Every table, imported in one place so Alembic and tests see the whole schema."""
from linecomm.actions.models import MemberAction
from linecomm.audit.models import AuditEntry
from linecomm.db import Base
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
from linecomm.pushes.models import (
    Delivery,
    DeliveryBatch,
    PushPolicy,
    StepMessage,
    StepSkip,
    TestRecipient,
)
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
    "InviteRedemption",
    "LoginAttempt",
    "Member",
    "MemberAction",
    "MemberSanction",
    "MemberTag",
    "ModerationPolicy",
    "NgWord",
    "OutboundMessage",
    "PushPolicy",
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
    "WebhookEvent",
]
