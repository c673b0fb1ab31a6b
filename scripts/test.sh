#!/usr/bin/env bash
# Run the tests: set-up if needed (trains once, or reuses the model), then one pytest run.
# Without arguments the whole suite runs (pyproject.toml: testpaths), the scaled deployment's
# test included; given test paths or options, they go to pytest as they are.
# Without test paths the static gate (scripts/check.sh: ruff, ruff format, mypy) runs first,
# and a finding stops the run before minutes of tests.
# Tests that need a service this machine lacks (Chromium, Redis, nginx, PostgreSQL) are skipped
# and listed loudly at the end; with STEUNPUNT_REQUIRE_BROWSER=1 / STEUNPUNT_REQUIRE_SCALED=1
# (as .ci/run sets them) they fail instead. Every exit code but 0 is a failure, 5 (no tests
# collected) included.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export STEUNPUNT_MODEL="$MODEL"
if [[ " $* " != *" tests/"* ]]; then
  "$ROOT/scripts/check.sh"
fi
status=0
"$PY" -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "[test] pytest collected no tests: that is a failure (exit 5)" >&2
fi
exit "$status"
