"""How Flask views reach the runtime their app was built with."""
from __future__ import annotations

from flask import current_app

from linecomm.runtime import Runtime

EXTENSION_KEY = "linecomm"


def get_runtime() -> Runtime:
    return current_app.extensions[EXTENSION_KEY]
