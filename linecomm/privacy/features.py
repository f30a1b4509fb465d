"""The features whose rows hold member data, each by its privacy hook: a new feature adds its line here."""
from __future__ import annotations

from linecomm.actions import privacy as actions
from linecomm.ambassadors import privacy as ambassadors
from linecomm.ideas import privacy as ideas
from linecomm.members import privacy as members
from linecomm.moderation import privacy as moderation
from linecomm.outbox import privacy as outbox
from linecomm.points import badge_privacy as badges
from linecomm.points import leaderboard_privacy as leaderboards
from linecomm.points import privacy as points
from linecomm.privacy.registry import PrivacyRegistry
from linecomm.pushes import privacy as pushes
from linecomm.qa import privacy as qa
from linecomm.referrals import privacy as referrals
from linecomm.reviews import privacy as reviews
from linecomm.staff import privacy as staff
from linecomm.surveys import privacy as surveys
from linecomm.themes import privacy as themes
from linecomm.uploads import privacy as uploads
from linecomm.webhooks import privacy as webhooks

# The export's sections follow this order.
registry = PrivacyRegistry([
    members.hook,
    moderation.hook,
    themes.hook,
    surveys.hook,
    ideas.hook,
    webhooks.hook,
    outbox.hook,
    pushes.hook,
    actions.hook,
    points.hook,
    badges.hook,
    leaderboards.hook,
    qa.hook,
    reviews.hook,
    uploads.hook,
    referrals.hook,
    ambassadors.hook,
    staff.hook,
])
