"""Tests never touch the checkout's var/ (its databases, secret key and conversations): every
default path a test process or a process it starts would use points into a folder of the run
(tests/conftest.py), and the run fails if var/ changed (conftest.var_untouched)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ISOLATED, ROOT, VAR

SHOW_PATHS = (
    "import json; from steunpunt import settings; print(json.dumps([str(settings.VAR_DIR), "
    "settings.DATABASE_URL, settings.TRACKER_DB, str(settings.SECRET_KEY_FILE)]))"
)


def outside_var(value: str) -> bool:
    path = Path(value.split("sqlite:///", 1)[-1]).resolve()
    return VAR.resolve() != path and VAR.resolve() not in path.parents


def test_every_default_path_of_a_started_process_is_outside_var():
    """A server started with os.environ (as python_module and assistant() do) and this process."""
    started = subprocess.run(
        [sys.executable, "-c", SHOW_PATHS],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    from steunpunt import settings

    here = [str(settings.VAR_DIR), settings.DATABASE_URL, settings.TRACKER_DB, str(settings.SECRET_KEY_FILE)]
    for value in json.loads(started.stdout) + here:
        assert outside_var(value), value
    assert all(name in os.environ for name in ISOLATED)


def test_the_run_scripts_keep_their_files_in_the_var_folder_they_are_given():
    for script in ("run.sh", "run_scaled.sh"):
        text = (ROOT / "scripts" / script).read_text()
        assert "$ROOT/var" not in text.replace("${STEUNPUNT_VAR_DIR:-$ROOT/var}", ""), script
