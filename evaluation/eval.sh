#!/usr/bin/env bash
# Quality evaluation in one command (set-up and training as needed), reports in docs/:
#   evaluation.md       held-out set: accuracy, wrong answers, clarify rate, per topic, misses
#   thresholds-*.md     fallback threshold curves (tuning set; --cv adds cross-validation)
#   clarify-cv.md       which topics become clarification buttons (cross-validation)
#   quality.md          every candidate classifier measured the same way
#   answer-rules.md     whether an extra answer condition beats the threshold alone (training data)
#   signals.md          how well unmet questions are grouped (fixtures)
# Each step is `python -m evaluation.<name>` (see evaluation/__init__.py). The load benchmark
# is separate: .venv/bin/python -m evaluation.load_benchmark
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh"
"$PY" -m evaluation.evaluate
"$PY" -m evaluation.tune_thresholds --source tuning
if [ "${1:-}" = "--cv" ]; then "$PY" -m evaluation.tune_thresholds --source cv; fi
"$PY" -m evaluation.tune_clarify
"$PY" -m evaluation.quality_report
"$PY" -m evaluation.answer_rules
"$PY" -m evaluation.grouping_report
