#!/usr/bin/env bash
# Run all tests: set-up if needed (trains once, or reuses the model), then pytest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export STEUNPUNT_MODEL="$MODEL"
exec "$PY" -m pytest tests "$@"
