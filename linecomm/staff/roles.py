"""Roles and permissions. Every admin view names the permission it needs; this table is the one place
that says which role has it."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"  # everything, staff management, settings
    MARKETER = "marketer"  # members, tags, invite codes (pushes, surveys, KPIs as they arrive)
    MODERATOR = "moderator"  # moderation queue, member reports, warnings and suspensions


ROLE_LABELS = {Role.OWNER: "オーナー", Role.MARKETER: "マーケター", Role.MODERATOR: "モデレーター"}


class Permission(StrEnum):
    MEMBERS_READ = "members.read"  # member list, search, detail
    MEMBERS_TAG = "members.tag"  # create tags, assign and remove them
    MEMBERS_PRIVACY = "members.privacy"  # APPI: export a member's data, delete a member
    MEMBERS_SANCTION = "members.sanction"  # warn, suspend, lift a suspension
    INVITES = "invites.manage"
    MODERATION = "moderation.review"  # the queue: approve, hide
    NG_WORDS = "moderation.ng_words"
    STAFF = "staff.manage"
    AUDIT = "audit.read"
    SETTINGS = "settings.manage"
    PUSHES = "pushes.manage"  # theme posts, deliveries, step messages, quiet hours, test recipients
    THEMES = "themes.curate"  # members' answers to theme posts, poll and reaction results, featuring
    SURVEYS_READ = "surveys.read"  # survey list and live results (free-text answers with their moderation state)
    SURVEYS = "surveys.manage"  # build, publish, close and announce surveys; export their responses
    QA_READ = "qa.read"  # Q&A questions and the unanswered list
    QA_ANSWER = "qa.answer"  # answer a question as the brand (公式)
    QA_FAQ = "qa.faq"  # promote a solved question to the FAQ, edit and withdraw FAQ entries
    IDEAS_READ = "ideas.read"  # members' ideas by stage, an idea's page with its supporters count and comments
    IDEAS = "ideas.manage"  # change an idea's stage with an official answer, thresholds, CSV export
    REVIEWS = "reviews.manage"  # the product catalogue for reviews (add, edit, archive) and each product's reviews
    REFERRALS_READ = "referrals.read"  # referrals: invites shared, joins attributed, top referrers
    POINTS = "points.manage"  # points rules per action, grants and deductions by hand (one member or a segment)
    APPOINTMENTS = "appointments.manage"  # candidate rules, appointing and revoking ambassadors and member-moderators
    KPIS = "kpis.read"  # the KPI dashboard: members, activity, UGC, co-creation, NPS, referrals (CSV downloads)


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MARKETER: frozenset({Permission.MEMBERS_READ, Permission.MEMBERS_TAG, Permission.INVITES,
                              Permission.PUSHES, Permission.THEMES, Permission.SURVEYS_READ, Permission.SURVEYS,
                              Permission.QA_READ, Permission.QA_ANSWER, Permission.QA_FAQ,
                              Permission.IDEAS_READ, Permission.IDEAS, Permission.REVIEWS,
                              Permission.REFERRALS_READ, Permission.POINTS, Permission.KPIS}),
    Role.MODERATOR: frozenset(
        {Permission.MEMBERS_READ, Permission.MEMBERS_SANCTION, Permission.MODERATION, Permission.NG_WORDS,
         Permission.SURVEYS_READ, Permission.QA_READ, Permission.QA_ANSWER, Permission.IDEAS_READ}
    ),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValueError(f"unknown role {value!r}; use one of {', '.join(r.value for r in Role)}") from None


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
