"""Choose the FallbackClassifier thresholds from a measured wrong-answer curve.

Never uses tests/unseen or tests/heldout. Two sources of intent rankings:
- `tuning` (default): the trained model on tests/tuning/questions.yml, realistic questions
  written separately from both the training data and the test sets (its questions that are
  training examples are left out);
- `cv`: k-fold cross-validation on the training data (its examples are deliberately hard,
  so this curve is pessimistic).
Every (threshold, ambiguity) pair is replayed through `actions.outcome.decide`, the bot's own
decision, to show how often it would answer right, answer wrong, or ask/offer a person.
Writes docs/thresholds-<source>.md. The served thresholds (config.yml) follow `choose` on
cross-validation: `evaluation.quality_report` applies it to every candidate; the tuning-set
curve is shown for comparison only.

    .venv/bin/python -m evaluation.tune_thresholds [--source tuning|cv] [--folds 5] [--reuse]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import yaml

from actions.outcome import FALLBACK_INTENT, decide
from evaluation import quiet_rasa
from evaluation.evaluate import OUT_OF_SCOPE, load_questions
from library import intent_for_topic, topic_for_intent
from steunpunt.near_domain import outside_school

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "build" / "config.yml"
TUNING_SET = ROOT / "tests" / "tuning" / "questions.yml"
THRESHOLDS = [round(0.3 + 0.05 * i, 2) for i in range(13)]
#: Thresholds shown in trade-off tables: the rule's grid and one more cautious step.
REPORTED_THRESHOLDS = THRESHOLDS + [0.95]
AMBIGUITIES = [0.0, 0.05, 0.1, 0.15, 0.2]
MAX_WRONG = 0.02  # target: at most 2% of in-scope questions answered with wrong content
MAX_OOS_ANSWERED = 0.05  # and at most 5% of out-of-scope questions answered with content
#: A wrong answer harms more than a clarifying question: take the most cautious setting whose
#: right-answer rate is within this distance of the best one.
CAUTION = 0.02


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
    parts: list[list] = [[] for _ in range(k)]
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
        rows.append(
            {
                "text": text,
                "intent": intent,
                "ranking": [{"name": r["name"], "confidence": r["confidence"]} for r in ranking[:5]],
            }
        )
    return rows


def tuning_rankings() -> list[dict]:
    from scripts.train import model_path

    if not model_path().is_file():
        raise SystemExit(f"no model at {model_path()}; train first (python -m scripts.train)")
    # tuning questions that are also training examples (issue 14, point 7) say nothing new
    key = lambda text: " ".join(re.findall(r"\w+", text.lower()))  # noqa: E731
    training = {key(t) for t, _ in training_examples()}
    examples = [
        (q["text"], q["expect"] if q["expect"] == OUT_OF_SCOPE else intent_for_topic(q["expect"]))
        for q in load_questions(TUNING_SET)
        if key(q["text"]) not in training
    ]
    return asyncio.run(rankings_for(model_path(), examples))


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
            subprocess.run(
                [
                    str(rasa),
                    "train",
                    "nlu",
                    "--config",
                    str(CONFIG),
                    "--nlu",
                    str(Path(tmp) / "train.yml"),
                    "--out",
                    tmp,
                    "--fixed-model-name",
                    name,
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            rows += asyncio.run(rankings_for(Path(tmp) / f"{name}.tar.gz", held))
    return rows


def replay(rows, threshold: float, ambiguity: float) -> dict:
    """What the bot would do with these rankings under these FallbackClassifier settings."""
    known = {t for r in rows if (t := topic_for_intent(r["intent"]))}
    right = wrong = unsure = oos_answered = in_scope = oos = 0
    for row in rows:
        ranking = row["ranking"]
        top = ranking[0]
        second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
        unsure_nlu = top["confidence"] < threshold or top["confidence"] - second < ambiguity
        outcome = decide(
            FALLBACK_INTENT if unsure_nlu else top["name"],
            ranking,
            None,
            known,
            outside_school=outside_school(row.get("text") or ""),
        )
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
    return {
        "threshold": threshold,
        "ambiguity": ambiguity,
        "right": right / in_scope,
        "wrong": wrong / in_scope,
        "unsure": unsure / in_scope,
        "oos_answered": oos_answered / max(oos, 1),
    }


def choose(curve):
    """The setting to use, and whether any setting met the limits.

    Within the limits (wrong answers, out-of-scope answered): the most cautious setting whose
    right-answer rate is within CAUTION of the best. Outside them: the safest setting."""
    allowed = [c for c in curve if c["wrong"] <= MAX_WRONG and c["oos_answered"] <= MAX_OOS_ANSWERED]
    if not allowed:
        return min(curve, key=lambda c: (c["wrong"] + c["oos_answered"], -c["right"])), False
    top = max(c["right"] for c in allowed)
    near = [c for c in allowed if c["right"] >= top - CAUTION]
    return max(near, key=lambda c: (c["threshold"], c["ambiguity"])), True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("tuning", "cv"), default="tuning")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="replay the last recorded rankings")
    args = parser.parse_args()
    quiet_rasa()
    rankings = ROOT / "build" / f"rankings-{args.source}.json"
    if args.reuse and rankings.exists():
        rows = json.loads(rankings.read_text())
    else:
        rows = tuning_rankings() if args.source == "tuning" else cross_validate(args.folds)
        rankings.write_text(json.dumps(rows, ensure_ascii=False))
    curve = [replay(rows, t, a) for t in THRESHOLDS for a in AMBIGUITIES]
    best, allowed = choose(curve)
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    source = (
        f"the tuning set `tests/tuning/questions.yml` ({len(rows)} questions, not used for "
        "training or testing) with the trained model"
        if args.source == "tuning"
        else f"{args.folds}-fold cross-validation on the training data ({len(rows)} examples)"
    )
    lines = [
        f"# Fallback thresholds ({args.source})",
        "",
        f"Rankings from {source}; pipeline config `build/config.yml`. Rerun: "
        f"`.venv/bin/python -m evaluation.tune_thresholds --source {args.source}`.",
        "",
        f"Best: threshold {best['threshold']}, ambiguity {best['ambiguity']}: the most cautious "
        f"setting within {pct(CAUTION)} of the most right answers, with at most "
        f"{pct(MAX_WRONG)} wrong answers and at most {pct(MAX_OOS_ANSWERED)} of out-of-scope "
        f"questions answered ({'met' if allowed else 'not reachable; safest setting shown'}).",
        "",
        "| threshold | ambiguity | right | wrong | clarify or person | out-of-scope answered |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in curve:
        mark = " **(best)**" if c is best else ""
        lines.append(
            f"| {c['threshold']}{mark} | {c['ambiguity']} | {pct(c['right'])} | "
            f"{pct(c['wrong'])} | {pct(c['unsure'])} | {pct(c['oos_answered'])} |"
        )
    out = ROOT / "docs" / f"thresholds-{args.source}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(json.dumps(best))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
