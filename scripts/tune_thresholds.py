"""Choose the FallbackClassifier thresholds from a measured wrong-answer curve.

Uses only the training data (never the held-out test set): k-fold cross-validation trains
on k-1 folds and records the full intent ranking for each example of the remaining fold.
Then every (threshold, ambiguity) pair is replayed through `actions.outcome.decide`, the
bot's own decision, to show how often it would answer right, answer wrong, or ask/offer a
person. Writes docs/thresholds.md.

    .venv/bin/python scripts/tune_thresholds.py [--folds 5] [--reuse]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from actions.content import topic_for_intent  # noqa: E402
from actions.outcome import FALLBACK_INTENT, decide  # noqa: E402

RANKINGS = ROOT / "build" / "cv_rankings.json"
CONFIG = ROOT / "build" / "config.yml"
THRESHOLDS = [round(0.3 + 0.05 * i, 2) for i in range(13)]
AMBIGUITIES = [0.0, 0.05, 0.1, 0.15, 0.2]
MAX_WRONG = 0.02  # target: at most 2% of in-scope questions answered with wrong content


def training_examples() -> list[tuple[str, str]]:
    examples = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.startswith("- "):
                    examples.append((line[2:].strip(), block["intent"]))
    return examples


def folds(examples, k: int, seed: int = 7):
    """Stratified: every intent spread evenly over the folds."""
    by_intent = defaultdict(list)
    for example in examples:
        by_intent[example[1]].append(example)
    parts = [[] for _ in range(k)]
    rng = random.Random(seed)
    for intent in sorted(by_intent):
        items = by_intent[intent]
        rng.shuffle(items)
        for index, item in enumerate(items):
            parts[index % k].append(item)
    return parts


def write_nlu(path: Path, examples) -> None:
    grouped = defaultdict(list)
    for text, intent in examples:
        grouped[intent].append(text)
    nlu = [{"intent": i, "examples": "".join(f"- {t}\n" for t in texts)} for i, texts in grouped.items()]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True))


async def rankings_for(model: Path, examples) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    rows = []
    for text, intent in examples:
        parsed = await agent.parse_message(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK_INTENT]
        rows.append({"text": text, "intent": intent,
                     "ranking": [{"name": r["name"], "confidence": r["confidence"]} for r in ranking[:5]]})
    return rows


def cross_validate(k: int) -> list[dict]:
    rasa = Path(sys.executable).with_name("rasa")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        parts = folds(training_examples(), k)
        for index, held in enumerate(parts):
            train = [e for j, part in enumerate(parts) if j != index for e in part]
            write_nlu(Path(tmp) / "train.yml", train)
            name = f"fold{index}"
            print(f"[tune] fold {index + 1}/{k}: training on {len(train)} examples", file=sys.stderr)
            subprocess.run([str(rasa), "train", "nlu", "--config", str(CONFIG), "--nlu",
                            str(Path(tmp) / "train.yml"), "--out", tmp, "--fixed-model-name", name],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            rows += asyncio.run(rankings_for(Path(tmp) / f"{name}.tar.gz", held))
    return rows


def replay(rows, threshold: float, ambiguity: float) -> dict:
    """What the bot would do with these rankings under these FallbackClassifier settings."""
    known = {topic_for_intent(r["intent"]) for r in rows if topic_for_intent(r["intent"])}
    right = wrong = unsure = oos_answered = in_scope = oos = 0
    for row in rows:
        ranking = row["ranking"]
        top = ranking[0]
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        unsure_nlu = top["confidence"] < threshold or top["confidence"] - second < ambiguity
        outcome = decide(FALLBACK_INTENT if unsure_nlu else top["name"], ranking, None, known)
        expected = topic_for_intent(row["intent"])
        if expected:
            in_scope += 1
            if outcome.content_id == expected:
                right += 1
            elif outcome.content_id:
                wrong += 1
            else:
                unsure += 1
        elif row["intent"] == "out_of_scope":
            oos += 1
            oos_answered += bool(outcome.content_id)
    return {"threshold": threshold, "ambiguity": ambiguity, "right": right / in_scope,
            "wrong": wrong / in_scope, "unsure": unsure / in_scope,
            "oos_answered": oos_answered / max(oos, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="replay the last recorded rankings")
    args = parser.parse_args()
    if args.reuse and RANKINGS.exists():
        rows = json.loads(RANKINGS.read_text())
    else:
        rows = cross_validate(args.folds)
        RANKINGS.write_text(json.dumps(rows, ensure_ascii=False))
    curve = [replay(rows, t, a) for t in THRESHOLDS for a in AMBIGUITIES]
    allowed = [c for c in curve if c["wrong"] <= MAX_WRONG and c["oos_answered"] <= MAX_WRONG]
    best = max(allowed or curve, key=lambda c: (c["right"], -c["wrong"]))
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = ["# Fallback thresholds from cross-validation", "",
             f"{args.folds}-fold cross-validation on the training data only ({len(rows)} examples); "
             f"config `build/config.yml`. Rerun: `.venv/bin/python scripts/tune_thresholds.py`.", "",
             f"Chosen: threshold {best['threshold']}, ambiguity {best['ambiguity']}: the most right "
             f"answers with at most {pct(MAX_WRONG)} wrong answers and out-of-scope answered.", "",
             "| threshold | ambiguity | right | wrong | clarify or person | out-of-scope answered |",
             "| --- | --- | --- | --- | --- | --- |"]
    for c in curve:
        mark = " **(chosen)**" if c is best else ""
        lines.append(f"| {c['threshold']}{mark} | {c['ambiguity']} | {pct(c['right'])} | "
                     f"{pct(c['wrong'])} | {pct(c['unsure'])} | {pct(c['oos_answered'])} |")
    out = ROOT / "docs" / "thresholds.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(json.dumps(best))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
