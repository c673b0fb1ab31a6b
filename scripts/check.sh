#!/usr/bin/env bash
# The static gate: lint (ruff check), layout (ruff format --check) and types (mypy), with the
# settings in pyproject.toml and the tool versions in requirements-dev.txt. scripts/test.sh runs
# it before the suite, so CI (.ci/run) fails on a finding before any test runs.
#
#   scripts/check.sh            check; exit 1 when any of the three finds something
#   scripts/check.sh --fix      apply ruff's safe fixes and format the tree first, then check
#   scripts/check.sh --install  only install the tools into .venv (set-up calls this)
#
# What is checked: ruff sees the whole tree (less .gitignore'd and excluded folders); mypy
# checks the packages listed under [tool.mypy] files in pyproject.toml: add a new package there.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

say() { echo "[check] $*" >&2; }

# The tools go into the project's .venv, pinned, and are installed again only when
# requirements-dev.txt or constraints.txt changed (the same stamp idea as the app's packages).
install_tools() {
  if [ ! -x "$PY" ]; then
    say "no .venv yet: run scripts/test.sh (or source scripts/setup.sh) once to create it"
    exit 2
  fi
  local stamp
  stamp="$(cat requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)"
  if [ "$(cat .venv/.installed-dev 2>/dev/null)" != "$stamp" ]; then
    say "installing the static gate's tools (requirements-dev.txt) ..."
    "$PY" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
    echo "$stamp" > .venv/.installed-dev
  fi
}

mode="${1:-check}"
case "$mode" in
  --install) install_tools; exit 0 ;;
  --fix) install_tools
         "$PY" -m ruff check --fix-only --quiet .
         "$PY" -m ruff format --quiet . ;;
  check) install_tools ;;
  *) say "usage: scripts/check.sh [--fix | --install]"; exit 2 ;;
esac

# All three run even when one fails, so one run shows everything to fix.
failed=()
say "ruff check (lint)"
"$PY" -m ruff check --output-format concise . || failed+=("ruff check")
say "ruff format --check (layout)"
"$PY" -m ruff format --check --output-format concise . || failed+=("ruff format")
say "mypy (types)"
"$PY" -m mypy || failed+=("mypy")

if [ "${#failed[@]}" -gt 0 ]; then
  list="$(printf '%s, ' "${failed[@]}")"
  say "FAILED: ${list%, }. 'scripts/check.sh --fix' fixes imports, safe lint fixes and layout;"
  say "the rest needs a hand (or, where a rule is wrong for a line, '# noqa: CODE - why')."
  exit 1
fi
say "static gate clean"
