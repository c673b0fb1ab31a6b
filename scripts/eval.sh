#!/usr/bin/env bash
# Quality evaluation in one command (set-up and training as needed), reports in docs/:
#   evaluation.md       held-out set: accuracy, wrong answers, clarify rate, per topic, misses
#   thresholds-*.md     fallback threshold curves (tuning set; --cv adds cross-validation)
#   quality.md          ours against Rasa's default pipeline and a TF-IDF baseline
# The load benchmark is separate: .venv/bin/python scripts/load_benchmark.py
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
"$PY" scripts/evaluate.py
"$PY" scripts/tune_thresholds.py --source tuning
if [ "${1:-}" = "--cv" ]; then "$PY" scripts/tune_thresholds.py --source cv; fi
"$PY" scripts/quality_report.py
