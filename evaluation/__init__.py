"""Evaluation and reports: how well the assistant answers, groups, redacts and holds up.

Each tool runs from the repository root as `python -m evaluation.<name>` (`--help` for its
options); `evaluation/eval.sh` runs the quality reports in one go. The tools reach the product
only through its public names (`library`, `actions.outcome`, `classifier`, `signals`,
`steunpunt.settings`) and `scripts.train` for the model's path; the load benchmark starts the
real servers with the tests' own `tests.support.servers`.

The rule for every choice (which classifier is served, its thresholds, which topics become
clarify buttons): it is made on the training data, by cross-validation (`systems.cv_rows`) or
on each topic's own training examples left out (leave-one-topic-out), never on an evaluation
set. `tests/unseen` (frozen, written without seeing `data/`) and `tests/heldout` (leaked during
development, shown for continuity) only report what the choice gives. `tests/tuning` is a
separate set on which thresholds may be compared, never the served choice. `evaluation.leaks`
keeps near copies of evaluation questions out of the training data.

- `evaluate`: the served model on tests/heldout (docs/evaluation.md)
- `tune_thresholds`: fallback threshold curves on cross-validation or the tuning set
- `tune_clarify`: which topics become clarify buttons (cross-validation)
- `quality_report`: every candidate classifier measured the same way (docs/quality.md, loto.md)
- `leave_one_topic_out`: per left-out topic, how often another topic's answer is given
- `answer_rules`: whether an extra answer condition beats the threshold (training data only)
- `grouping_report`: how well unmet questions are grouped (docs/signals.md)
- `redaction_report`: recall and precision of the redaction (docs/redaction.md)
- `leaks`: near copies between the training data and the evaluation sets
- `near_domain`: keeping near-domain questions out, variants by cross-validation (docs/near-domain.md)
- `load_benchmark`: the real servers under load (docs/benchmark.md, soak.md)
- `systems`: the candidate classifiers and the shared outcome bookkeeping (a library)
- `live_latency`, `security_tries`: the real servers for live chat delivery and the security
  checks (docs/live-latency.md, security-tries.md)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quiet_rasa() -> None:
    """Less noise from TensorFlow and Rasa in a tool's own process: call it first in `main()`
    (never at import: the environment is inherited by every server a test or tool starts)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # no per-message debug lines of Rasa's parser


def code_version() -> str:
    """The commit a report was made on, and whether tracked files differed from it."""

    def git(*arguments: str) -> str:
        found = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
        return found.stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + (
        " with uncommitted changes" if changed else ""
    )
