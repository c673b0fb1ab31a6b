"""Train the model only when its inputs changed; print the model's path.

The model's file name carries the spaCy pipeline id and a hash of everything training reads
(effective config, domain, data, Rasa version). The same inputs find the same file, so set-up,
the run command and the test suite train at most once; a changed pipeline or data set never
reuses a model trained on something else. Content files are not inputs: answers are read from
content/ at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
PIPELINE_FILE = ROOT / "build" / "spacy" / "pipeline.json"
EFFECTIVE_CONFIG = ROOT / "build" / "config.yml"
KEEP_MODELS = 3
#: Generated before each training: the topic intents and rules (library/training.py) and the
#: school entities' lookup tables (schools/training.py).
TRAINING_DIR = ROOT / "build" / "training"


def training_paths() -> tuple:
    """(domain folder, data paths) for `rasa train` and `rasa data validate`: domain.yml plus
    the topic intents, data/ plus the topic rules, all written anew from content/."""
    from library.training import write_training_files
    from schools.training import write_training_file

    domain, rules = write_training_files(ROOT, TRAINING_DIR)
    return domain, [ROOT / "data", rules, write_training_file(TRAINING_DIR)]


def training_inputs() -> list[Path]:
    # the classifier's code too: a change to it must retrain, not reuse an older model
    domain, data = training_paths()
    return [
        EFFECTIVE_CONFIG,
        *sorted(domain.glob("*.yml")),
        *sorted((ROOT / "data").rglob("*.yml")),
        *data[1:],
        *sorted((ROOT / "classifier").glob("*.py")),
    ]


def fingerprint(pipeline_id: str) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\npipeline {pipeline_id}\n".encode())
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def model_path() -> Path:
    pipeline = json.loads(PIPELINE_FILE.read_text())
    safe_id = pipeline["id"].replace(".", "_")  # Rasa cuts a fixed model name at a dot
    return MODELS / f"steunpunt-{safe_id}-{fingerprint(pipeline['id'])}.tar.gz"


def prune_old_models(keep: Path) -> None:
    models = sorted(MODELS.glob("steunpunt-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in [m for m in models if m != keep][: max(0, len(models) - KEEP_MODELS)]:
        old.unlink()


def train() -> Path:
    if not PIPELINE_FILE.exists():
        raise SystemExit("Run scripts/spacy_pipeline.py first (the set-up script does).")
    target = model_path()
    if target.exists():
        print(f"[train] model is up to date: {target.relative_to(ROOT)}", file=sys.stderr)
        return target
    print(f"[train] training {target.relative_to(ROOT)} ...", file=sys.stderr)
    rasa = Path(sys.executable).with_name("rasa")
    domain, data = training_paths()
    command = [
        str(rasa),
        "train",
        "--config",
        str(EFFECTIVE_CONFIG),
        "--domain",
        str(domain),
        "--data",
        *map(str, data),
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name[:-7],
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=sys.stderr, check=False)
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"[train] training failed (exit {result.returncode}); see the output above")
    prune_old_models(keep=target)
    return target


if __name__ == "__main__":
    print(train())
