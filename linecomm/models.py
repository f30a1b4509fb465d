"""Every table, imported in one place so Alembic and tests see the whole schema."""
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
from linecomm.staff.models import LoginAttempt, StaffSession, StaffUser
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
    "MemberSanction",
    "MemberTag",
    "ModerationPolicy",
    "NgWord",
    "OutboundMessage",
    "PushPolicy",
    "StaffSession",
    "StaffUser",
    "StepMessage",
    "StepSkip",
    "Tag",
    "TestRecipient",
    "ThemeAnswer",
    "ThemePost",
    "ThemeReaction",
    "ThemeVote",
    "WebhookEvent",
]
