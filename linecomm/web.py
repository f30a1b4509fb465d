"""The Flask app: wiring of blueprints, templates and the runtime."""
from __future__ import annotations

import logging
import secrets

from flask import Flask, Request, jsonify, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from linecomm.config import Settings
from linecomm.line.client import LineClient
from linecomm.paths import static_dir, templates_dir
from linecomm.queue import JobQueue
from linecomm.request_checks import check_requests, use_row_ids
from linecomm.runtime import Runtime
from linecomm.timezones import format_jst
from linecomm.web_runtime import EXTENSION_KEY
from linecomm.webhooks.views import WEBHOOK_PATH

log = logging.getLogger(__name__)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (the admin console's sign-in), except on LINE's webhook: LINE sends
    no cookie and reads none, and opening and saving an empty session costs ~0.04 ms of every delivery.
    Flask gives those requests a null session and saves nothing."""

    sessionless_paths = frozenset({WEBHOOK_PATH})  # by path: Flask opens the session before routing

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path in self.sessionless_paths:
            return None
        return super().open_session(app, request)


def build_app(
    settings: Settings | None = None, *, line: LineClient | None = None, queue: JobQueue | None = None
) -> Flask:
    """Create the app for `settings` (default: the environment). Refuses unsafe production settings."""
    settings = settings or Settings.from_env()
    settings.check()
    app = Flask(
        "linecomm",
        template_folder=str(templates_dir()),
        static_folder=str(static_dir()),
        instance_path=str(settings.instance_path),
    )
    app.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    app.session_interface = CookieSessions()
    app.config["LINECOMM_SETTINGS"] = settings
    use_row_ids(app)  # `<int:id>` stops at INTEGER's largest value: beyond it, 404 (before any route is added)
    if settings.trusted_proxies:
        # Behind a load balancer every request arrives from the proxy; believe exactly that many hops of
        # X-Forwarded-For (and -Proto) so request.remote_addr, and so the per-address login throttle, is
        # the client's. A client can prepend forged hops, but never past the ones the proxies appended.
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.jinja_env.filters["jst"] = format_jst
    if settings.is_sqlite:
        settings.instance_path.mkdir(parents=True, exist_ok=True)

    runtime = Runtime.build(settings, line=line, queue=queue)
    app.extensions[EXTENSION_KEY] = runtime
    if runtime.uses_embedded_queue:
        from linecomm.sweeper import schedule_embedded_sweeps

        schedule_embedded_sweeps(runtime)

    from linecomm import admin, health, liff
    from linecomm.admin.blueprint import bp as admin_bp
    from linecomm.admin.blueprint import error_page as admin_error_page
    from linecomm.webhooks import views as webhook_views

    app.register_blueprint(health.bp)
    app.register_blueprint(webhook_views.bp)
    admin.init_app(app, settings)
    liff.init_app(app, settings)
    from linecomm.surveys import views as survey_views

    app.register_blueprint(survey_views.bp)  # members' survey pages (/liff/surveys), my page's answers block
    from linecomm.ideas import views as idea_views

    app.register_blueprint(idea_views.bp)  # members' ideas (/liff/ideas), my page's 「わたしのアイデア」
    from linecomm.qa import views as qa_views

    app.register_blueprint(qa_views.bp)  # members' Q&A and FAQ (/liff/qa), my page's questions block
    from linecomm.reviews import views as review_views

    app.register_blueprint(review_views.bp)  # members' reviews (/liff/reviews), my page's 「わたしのレビュー」
    from linecomm.referrals import views as referral_views

    app.register_blueprint(referral_views.bp)  # invite page and newcomers' landing (/liff/invite), my page block
    from linecomm.points import views as point_views

    app.register_blueprint(point_views.bp)  # members' points history (/liff/points), my page's 「ポイント」
    from linecomm.points import leaderboard_views

    app.register_blueprint(leaderboard_views.bp)  # leaderboards (/liff/leaderboard), my page's 「ランキング」
    from linecomm.ambassadors import liff_views as appointment_views
    from linecomm.points import badge_views  # noqa: F401  (my page's 「バッジ」 block; no routes of its own)

    app.register_blueprint(appointment_views.bp)  # member-moderators' page (/liff/moderate), my page's 「称号」
    if settings.is_demo or settings.env == "development":
        from linecomm.demo import views as demo_views

        app.register_blueprint(demo_views.bp)
    # Control characters are refused (400) on every blueprint's routes; LINE's webhook checks its own body.
    check_requests(app, except_blueprints={webhook_views.bp.name})

    @app.get("/favicon.ico", endpoint="favicon")
    def _favicon():  # type: ignore[no-untyped-def]
        return app.send_static_file("favicon.ico")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if request.url_rule is None and request.path.startswith(f"{admin_bp.url_prefix}/"):
            return admin_error_page(exc)  # an /admin URL no route matched: the console's page, not JSON
        if request.method == "GET" and request.path.startswith("/liff/"):
            return liff.error_page(exc)  # a member in the LINE app sees a page in Japanese, not JSON
        return jsonify(error=exc.description or exc.name), exc.code or 500

    return app
