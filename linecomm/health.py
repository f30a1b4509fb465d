"""Health endpoints for load balancers."""
from __future__ import annotations

from flask import Blueprint, jsonify

from linecomm.web_runtime import get_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is alive (no dependency is checked)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Ready to take traffic: the database and the queue both answer."""
    rt = get_runtime()
    checks = {"database": rt.database_ok(), "queue": rt.queue.ping()}
    ready = all(checks.values())
    return jsonify(status="ready" if ready else "unavailable", checks=checks), 200 if ready else 503
