"""Topics are declared once, in content/: the NLU intents and routing rules follow from it.

Why: a topic used to be declared three times (its content file, an intent in domain.yml and
a rule block in data/rules.yml: 40 near-identical blocks), and adding one meant editing all
three. Now `scripts/train.py` writes the topic intents and their rules from the topic files
into build/training/ before each training; adding a topic is its content file plus its
examples in data/nlu/. A topic file that is broken right now still has its intent, so the
model does not change with a typo (the library then serves "being checked").
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from library.model import intent_for_topic
from steunpunt import settings
from steunpunt.regions import region_folders

#: The action every topic question goes to (actions/respond.py).
TOPIC_ACTION = "action_respond"


def topic_ids_on_disk(topics_dir: Optional[Path] = None, regions_dir: Optional[Path] = None) -> List[str]:
    """Every topic of every region by its file name: the national topics and each region's
    topics of its own, sorted."""
    topics_dir = Path(topics_dir or settings.CONTENT_DIR)
    regions_dir = Path(regions_dir or settings.REGIONS_DIR)
    ids = {path.stem for path in topics_dir.glob("*.md")}
    for region in region_folders(regions_dir):
        ids |= {path.stem for path in (regions_dir / region / "topics").glob("*.md")}
    return sorted(ids)


def topic_intents(topic_ids: List[str]) -> List[str]:
    return [intent_for_topic(topic) for topic in topic_ids]


def nlu_draft(topic_id: str, texts: List[str]) -> str:
    """Rasa NLU training data (YAML, `intent: info_<id>`) for review, before anything goes into
    data/nlu/: the analysts' download and the editors' draft topics (`staff.cli export-drafts`)."""
    examples = "".join(f"    - {' '.join(t.split())}\n" for t in dict.fromkeys(texts) if t.strip())
    header = (
        "# CONCEPT - eerst nakijken. Voorbeeldvragen uit signalen (geanonimiseerd).\n"
        "# Vervang aanduidingen als [naam] door gewone woorden of haal ze weg, en zet\n"
        "# alleen goede voorbeelden in data/nlu/ (nooit uit tests/heldout/).\n"
    )
    body = yaml.safe_dump(
        {"version": "3.1", "nlu": [{"intent": intent_for_topic(topic_id), "examples": "PLACEHOLDER"}]},
        allow_unicode=True,
        sort_keys=False,
    )
    return header + body.replace("examples: PLACEHOLDER\n", "examples: |\n" + examples)


def intents_with_examples(nlu_dir: Path) -> set:
    """The intents that have training examples in the repository's data/nlu/: a draft topic
    "wacht op training" until its intent is one of them (and the model is trained on it)."""
    found = set()
    for path in sorted(Path(nlu_dir).glob("**/*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for block in data.get("nlu") or [] if isinstance(data, dict) else []:
            if isinstance(block, dict) and block.get("intent") and block.get("examples"):
                found.add(str(block["intent"]))
    return found


def domain_part(intents: List[str]) -> Dict:
    return {"version": "3.1", "intents": list(intents)}


def rules_part(intents: List[str]) -> Dict:
    return {
        "version": "3.1",
        "rules": [
            {"rule": f"{intent} -> {TOPIC_ACTION}", "steps": [{"intent": intent}, {"action": TOPIC_ACTION}]}
            for intent in intents
        ],
    }


def write_training_files(root: Path, out: Path) -> Tuple[Path, Path]:
    """Write `out/domain/` (domain.yml plus the topic intents) and `out/topic_rules.yml`.
    Returns (domain folder, rules file), the paths to give `rasa train` and `rasa data
    validate` besides `data/`."""
    intents = topic_intents(topic_ids_on_disk())
    domain_dir = out / "domain"
    if domain_dir.exists():
        shutil.rmtree(domain_dir)
    domain_dir.mkdir(parents=True)
    shutil.copyfile(root / "domain.yml", domain_dir / "domain.yml")
    header = "# Generated from content/ by library/training.py: do not edit.\n"
    (domain_dir / "topics.yml").write_text(
        header + yaml.safe_dump(domain_part(intents), sort_keys=False, allow_unicode=True)
    )
    rules = out / "topic_rules.yml"
    rules.write_text(header + yaml.safe_dump(rules_part(intents), sort_keys=False, allow_unicode=True))
    return domain_dir, rules
