"""The admin console: a server-rendered Flask blueprint under /admin for owners, marketers and
moderators. `init_app` registers it and configures the session cookie it signs in with."""
from __future__ import annotations

from flask import Flask

from linecomm.config import Settings


def init_app(app: Flask, settings: Settings) -> None:
    # Importing the view modules attaches their routes to `bp`.
    from linecomm.admin import (  # noqa: F401
        answer_views,
        auth_views,
        badge_views,
        delivery_views,
        farming_views,
        home_views,
        idea_views,
        invite_views,
        kpi_views,
        member_views,
        moderation_views,
        ngword_views,
        owner_views,
        points_views,
        post_views,
        qa_views,
        rank_views,
        referral_views,
        review_views,
        security,
        staff_line_views,
        step_views,
        survey_results_views,
        survey_views,
    )
    from linecomm.admin.blueprint import bp
    from linecomm.ambassadors import admin_views as appointment_views  # noqa: F401  (the owner's appointments)

    security.configure_session_cookie(app, settings)
    app.register_blueprint(bp)
