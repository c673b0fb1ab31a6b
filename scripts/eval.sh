#!/usr/bin/env bash
# Quality evaluation in one command (set-up and training as needed), reports in docs/:
#   evaluation.md       held-out set: accuracy, wrong answers, clarify rate, per topic, misses
#   thresholds-*.md     fallback threshold curves (tuning set; --cv adds cross-validation)
#   clarify-cv.md       which topics become clarification buttons (cross-validation)
#   quality.md          every candidate classifier measured the same way
#   answer-rules.md     whether an extra answer condition beats the threshold alone (training data)
#   signals.md          how well unmet questions are grouped (fixtures)
# The load benchmark is separate: .venv/bin/python scripts/load_benchmark.py
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
"$PY" scripts/evaluate.py
"$PY" scripts/tune_thresholds.py --source tuning
if [ "${1:-}" = "--cv" ]; then "$PY" scripts/tune_thresholds.py --source cv; fi
"$PY" scripts/tune_clarify.py
"$PY" scripts/quality_report.py
"$PY" scripts/answer_rules.py
"$PY" scripts/grouping_report.py
