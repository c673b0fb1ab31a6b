"""The run scripts take their defaults from steunpunt/settings.py, not from defaults of their own."""

import os
import re
import subprocess
import sys
from pathlib import Path

from steunpunt.settings import Settings, shell_assignments

ROOT = Path(__file__).resolve().parent.parent


def test_shell_assignments_quote_values_and_follow_the_environment():
    settings = Settings.from_env({"STEUNPUNT_PORT": "6001", "STEUNPUNT_VAR_DIR": "/srv/een map; rm -rf x"})
    lines = shell_assignments(["PORT", "VAR_DIR"], settings).splitlines()
    assert lines[0] == "STEUNPUNT_PORT=6001"
    assert lines[1] == "STEUNPUNT_VAR_DIR='/srv/een map; rm -rf x'"


def test_bash_reads_the_settings_defaults_and_an_override_wins(tmp_path):
    script = (
        'eval "$("$PY" -m steunpunt.settings PORT SITE_PORT VAR_DIR)"; '
        'echo "$STEUNPUNT_PORT|$STEUNPUNT_SITE_PORT|$STEUNPUNT_VAR_DIR"'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEUNPUNT_")}
    env.update(
        PY=sys.executable,
        PYTHONPATH=str(ROOT),
        STEUNPUNT_PORT="6123",
        STEUNPUNT_VAR_DIR=str(tmp_path / "a b"),
    )
    out = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    default_site = Settings.from_env({}).SITE_PORT
    assert out.stdout.strip() == f"6123|{default_site}|{tmp_path / 'a b'}"


def test_an_unknown_setting_is_refused():
    out = subprocess.run(
        [sys.executable, "-m", "steunpunt.settings", "PROT"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0 and "PROT" in out.stderr


def test_the_run_scripts_repeat_no_port_default():
    for name in ("run.sh", "run_scaled.sh"):
        text = (ROOT / "scripts" / name).read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert not re.search(r"STEUNPUNT_(?:HOST|PORT|ACTION_PORT|STAFF_PORT|SITE_PORT|VAR_DIR):-", code), (
            name
        )
