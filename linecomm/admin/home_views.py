"""The console's home page: what each role checks first. Marketers and owners see members, joins this week,
answers today and the next scheduled send; moderators see how many posts wait for them."""
from __future__ import annotations

from typing import Any

from flask import render_template

from linecomm.admin import security
from linecomm.admin.blueprint import bp, db
from linecomm.admin.security import signed_in
from linecomm.db import utcnow
from linecomm.kpis import service as kpis
from linecomm.moderation import service as moderation
from linecomm.staff.roles import Permission


@bp.get("/")
@signed_in
def dashboard() -> Any:
    queue_size = moderation.queue_size(db()) if security.can(Permission.MODERATION) else None
    numbers = None
    if security.can(Permission.PUSHES):
        numbers = kpis.daily_numbers(db(), utcnow())
    return render_template("admin/dashboard.html", queue_size=queue_size, numbers=numbers)
