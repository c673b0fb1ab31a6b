"""Choose and install the spaCy pipeline, and write the configuration to train with.

Order: the wheel or folder named by STEUNPUNT_SPACY_MODEL (offline installs), an installed
nl_core_news_sm, the official release wheel. When none can be had (machines that reach only
package registries), say so in one line and use spaCy's blank Dutch pipeline instead.

Writes build/spacy/pipeline.json (which pipeline, recorded for training and reports) and
build/config.yml (config.yml with that pipeline filled in).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
PIPELINE_FILE = BUILD / "spacy" / "pipeline.json"
EFFECTIVE_CONFIG = BUILD / "config.yml"
FALLBACK_DIR = BUILD / "spacy" / "nl_blank"
MODEL_NAME = "nl_core_news_sm"
MODEL_VERSION = "3.4.0"  # the nl_core_news_sm release for spaCy 3.4, which Rasa 3.6.21 uses
OFFICIAL_WHEEL = (
    "https://github.com/explosion/spacy-models/releases/download/"
    f"{MODEL_NAME}-{MODEL_VERSION}/{MODEL_NAME}-{MODEL_VERSION}-py3-none-any.whl"
)
ENV_VAR = "STEUNPUNT_SPACY_MODEL"


def say(line: str) -> None:
    print(f"[spacy] {line}", file=sys.stderr)


def pip_install(target: str, verbose: bool = True) -> bool:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--retries",
        "0",
        "--timeout",
        "20",
        target,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 and verbose:
        say(f"pip could not install {target}:\n{result.stderr.strip()}")
    importlib.invalidate_caches()
    return result.returncode == 0


def installed_model() -> dict | None:
    if importlib.util.find_spec(MODEL_NAME) is None:
        return None
    import spacy.util

    meta = spacy.util.get_package_version(MODEL_NAME)
    return {
        "id": f"{MODEL_NAME}-{meta}",
        "model": MODEL_NAME,
        "vectors": True,
        "description": f"spaCy {MODEL_NAME} {meta}",
    }


def model_folder(path: Path) -> dict:
    meta = json.loads((path / "meta.json").read_text())
    name = f"{meta.get('lang')}_{meta.get('name')}"
    return {
        "id": f"{name}-{meta.get('version')}",
        "model": str(path.resolve()),
        "vectors": True,
        "description": f"spaCy {name} {meta.get('version')} from folder {path}",
    }


def from_environment(value: str) -> dict:
    path = Path(value).expanduser()
    if path.is_dir() and (path / "config.cfg").exists() and (path / "meta.json").exists():
        return model_folder(path)
    if path.exists() and pip_install(str(path)):
        found = installed_model()
        if found:
            return found
    raise SystemExit(
        f"[spacy] {ENV_VAR}={value} is not an installable {MODEL_NAME} wheel/sdist or a "
        "spaCy model folder (with config.cfg and meta.json). Fix the path or unset it."
    )


def blank_dutch() -> dict:
    import spacy

    if not (FALLBACK_DIR / "config.cfg").exists():
        FALLBACK_DIR.parent.mkdir(parents=True, exist_ok=True)
        nlp = spacy.blank("nl")
        nlp.meta.update(
            {
                "name": "blank_steunpunt",
                "version": spacy.__version__,
                "description": "spacy.blank('nl'): Dutch tokenizer, stop words, "
                "lexical attributes; no tagger, no vectors",
            }
        )
        nlp.to_disk(FALLBACK_DIR)
    return {
        "id": f"blank-nl-spacy-{spacy.__version__}",
        "model": str(FALLBACK_DIR.relative_to(ROOT)),
        "vectors": False,
        "description": f"spacy.blank('nl') (spaCy {spacy.__version__}); {MODEL_NAME} was not obtainable",
    }


def choose_pipeline() -> dict:
    if os.environ.get(ENV_VAR):
        return from_environment(os.environ[ENV_VAR])
    found = installed_model()
    if found:
        return found
    if pip_install(OFFICIAL_WHEEL, verbose=False):
        found = installed_model()
        if found:
            return found
    pipeline = blank_dutch()
    say(
        f"NOTE: {MODEL_NAME} is not obtainable here (no access to spaCy's release site and "
        f"{ENV_VAR} not set); continuing with spaCy's blank Dutch pipeline. Set {ENV_VAR} "
        "to a local wheel or model folder for the full pipeline."
    )
    return pipeline


def effective_config(pipeline: dict) -> dict:
    """config.yml with the chosen pipeline; without vectors SpacyFeaturizer adds nothing."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    components = []
    for component in config["pipeline"]:
        if component["name"] == "SpacyFeaturizer" and not pipeline["vectors"]:
            continue
        if component["name"] == "SpacyNLP":
            components.append({**component, "model": pipeline["model"]})
        else:
            components.append(component)
    config["pipeline"] = components
    return config


def main() -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # spaCy's thinc imports TensorFlow
    pipeline = choose_pipeline()
    PIPELINE_FILE.parent.mkdir(parents=True, exist_ok=True)
    PIPELINE_FILE.write_text(json.dumps(pipeline, indent=2) + "\n")
    header = (
        f"# GENERATED by scripts/spacy_pipeline.py from config.yml; do not edit.\n"
        f"# spaCy pipeline: {pipeline['description']}\n"
    )
    EFFECTIVE_CONFIG.write_text(header + yaml.safe_dump(effective_config(pipeline), sort_keys=False))
    say(f"pipeline: {pipeline['description']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
