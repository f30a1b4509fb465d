"""A plain `pip install .` ships templates/ and migrations/ inside the package, and the app finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_wheel_ships_templates_and_migrations_and_the_app_finds_them(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("linecomm-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "linecomm/templates/base.html" in names or any(n.startswith("linecomm/templates/") for n in names)
    assert "linecomm/migrations/env.py" in names
    # the default rich menu images and what they show (linecomm.richmenu.images)
    assert {"linecomm/richmenu/images/join.png", "linecomm/richmenu/images/community.png",
            "linecomm/richmenu/images/manifest.json"} <= names
    # LIFF pages: their templates, shared script and style, and the stand-in SDK the demo serves
    assert {"linecomm/templates/liff/base.html", "linecomm/static/liff/pages.js", "linecomm/static/liff/liff.css",
            "linecomm/liff/standin_sdk.js"} <= names
    assert any(n.startswith("linecomm/migrations/versions/0001_") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = "import linecomm.paths as p, sys; print(p.templates_dir()); print(p.migrations_dir())"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    templates, migrations = out.stdout.split()
    assert templates == str(site / "linecomm" / "templates")
    assert migrations == str(site / "linecomm" / "migrations")


def test_migrations_have_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    from linecomm.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, heads
