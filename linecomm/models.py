"""Every table, imported in one place so Alembic and tests see the whole schema."""
from linecomm.db import Base
from linecomm.members.models import Consent, InviteCode, InviteRedemption, Member
from linecomm.outbox.models import OutboundMessage
from linecomm.webhooks.models import ChatGroup, WebhookEvent

__all__ = [
    "Base",
    "ChatGroup",
    "Consent",
    "InviteCode",
    "InviteRedemption",
    "Member",
    "OutboundMessage",
    "WebhookEvent",
]
