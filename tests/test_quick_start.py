"""The quick start (`make run` without DATABASE_URL) runs on SQLite: every migration must
apply there too, PostgreSQL-only indexes and SQL included (they are skipped or written
portably). The suite itself runs on PostgreSQL, so nothing else would notice."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_migration_applies_on_the_quick_starts_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'quick.sqlite3'}", DEBUG="true", REDIS_URL="")
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Applying customers.0001_initial... OK" in done.stdout
    assert (tmp_path / "quick.sqlite3").stat().st_size > 0
