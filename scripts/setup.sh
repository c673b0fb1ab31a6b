#!/usr/bin/env bash
# Set-up shared by run.sh and test.sh: Python 3.10, .venv with pinned packages, the spaCy
# pipeline, the site's built assets, and a trained model. Each step is skipped when already done, so a second run is
# quick. Source it; it leaves MODEL (path of the model to serve) and PY (venv python) set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Rasa's telemetry would send usage data and error reports (with parts of conversations) to a
# third party (sentry.io): never from a steunpunt.
export RASA_TELEMETRY_ENABLED=false

say() { echo "[setup] $*" >&2; }

# Rasa 3.6 runs on Python 3.8-3.10 only; look for a 3.10 that really starts (a pyenv shim
# named python3.10 may exist without that version being active).
find_python() {
  local candidates=() c
  [ -n "${STEUNPUNT_PYTHON:-}" ] && candidates+=("$STEUNPUNT_PYTHON")
  candidates+=(python3.10 python3)
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root)"
  for c in "$pyenv_root"/versions/3.10*/bin/python3.10; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
      "$c" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

venv_ok() { [ -x .venv/bin/python ] && .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

if ! venv_ok; then
  if ! BASE_PY="$(find_python)"; then
    say "ERROR: Python 3.10 not found (Rasa 3.6 supports Python 3.8-3.10 only)."
    say "Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv',"
    say "or point STEUNPUNT_PYTHON at a python3.10 executable, then run this command again."
    exit 1
  fi
  say "creating .venv with $BASE_PY"
  rm -rf .venv
  "$BASE_PY" -m venv .venv
fi
PY="$ROOT/.venv/bin/python"

stamp="$(cat requirements.txt constraints.txt | sha256sum | cut -c1-16)"
if [ "$(cat .venv/.installed 2>/dev/null)" != "$stamp" ]; then
  say "installing pinned dependencies (first time: a few minutes, ~2.7 GB) ..."
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
  echo "$stamp" > .venv/.installed
fi
# The static gate's tools (ruff, mypy: requirements-dev.txt), skipped when already installed.
"$ROOT/scripts/check.sh" --install

"$PY" scripts/spacy_pipeline.py
# The example region's fictional schools (content/regions/voorbeeld/duo/, FICTIEF) into
# var/schools/voorbeeld.json, so the demo has a school directory; skipped while those files and
# the importer are unchanged (docs/schools.md).
"$PY" -m schools import --region voorbeeld --if-changed content/regions/voorbeeld/duo/*.csv >&2
# deduce builds its lookup structures once (1-2 minutes) and caches them in the venv: do it here,
# never inside a request.
"$PY" -m signals warm
# The public site's widget and styles (npm + esbuild), rebuilt only when their sources changed.
"$ROOT/scripts/build_site.sh"
MODEL="$("$PY" scripts/train.py)"
export MODEL PY
