"""Held-out accuracy: what would the bot do with questions it never saw in training?

Each question of tests/heldout/questions.yml goes through the trained NLU model and then
through `actions.outcome.decide`, the same decision the action server makes. So the figures
are about outcomes users get: the right answer, a wrong answer, a clarifying question, or the
offer of a person. Writes docs/evaluation.md (and .json) naming the model and spaCy pipeline.
It only reports: nothing is chosen on these figures (tests/heldout leaked into development,
issue 14 point 7; see `evaluation` for the rule).

    .venv/bin/python -m evaluation.evaluate [--model models/x.tar.gz] [--out docs/evaluation.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections import Counter
from pathlib import Path

import yaml

from actions.outcome import ANSWER, CLARIFY, HANDOFF, decide
from evaluation import quiet_rasa
from library import ContentLibrary
from steunpunt import clock

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "heldout" / "questions.yml"
OUT_OF_SCOPE = "out_of_scope"


def load_questions(path: Path = HELDOUT) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def classify(expected: str, outcome) -> str:
    """right / wrong / clarify_right / clarify_other / declined for one question."""
    if outcome.kind in (ANSWER, HANDOFF) and outcome.content_id:  # both send that content
        return "right" if outcome.content_id == expected else "wrong"
    if expected != OUT_OF_SCOPE and outcome.kind == CLARIFY:
        return "clarify_right" if expected in outcome.candidates else "clarify_other"
    return "right" if expected == OUT_OF_SCOPE else "declined"


async def run(model: Path, questions: list[dict]) -> list[dict]:
    """Each question through the model and `decide`, with what the action also gives `decide`
    from the words alone: another language, a life area outside school (actions/respond.py)."""
    from rasa.core.agent import Agent

    from steunpunt.language import other_language
    from steunpunt.near_domain import outside_school

    agent = Agent.load(str(model))
    known = ContentLibrary().topics().keys()
    rows = []
    for question in questions:
        parsed = await agent.parse_message(question["text"])
        outcome = decide(
            parsed["intent"].get("name"),
            parsed.get("intent_ranking", []),
            None,
            known,
            other_language=other_language(question["text"]),
            outside_school=outside_school(question["text"]),
        )
        rows.append(
            {
                "text": question["text"],
                "expect": question["expect"],
                "intent": parsed["intent"].get("name"),
                "confidence": round(parsed["intent"].get("confidence") or 0.0, 3),
                "outcome": outcome.kind,
                "content_id": outcome.content_id,
                "candidates": list(outcome.candidates),
                "result": classify(question["expect"], outcome),
            }
        )
    return rows


def summarise(rows: list[dict]) -> dict:
    in_scope = [r for r in rows if r["expect"] != OUT_OF_SCOPE]
    oos = [r for r in rows if r["expect"] == OUT_OF_SCOPE]
    count = Counter(r["result"] for r in in_scope)
    n = len(in_scope) or 1  # a set of out-of-scope questions only (tests/unseen/near-domain.yml)
    return {
        "questions": len(rows),
        "in_scope": len(in_scope),
        "out_of_scope": len(oos),
        "accuracy": count["right"] / n,
        "wrong_answer_rate": count["wrong"] / n,
        "clarify_rate": (count["clarify_right"] + count["clarify_other"]) / n,
        "answered_after_clarify": count["clarify_right"] / n,
        "not_understood": (count["declined"] + count["clarify_other"]) / n,
        "within_one_click": (count["right"] + count["clarify_right"]) / n,
        "oos_answered_with_content": sum(r["result"] == "wrong" for r in oos),
        "oos_shown_topic_buttons": sum(r.get("outcome") == CLARIFY for r in oos),
    }


def per_topic(rows: list[dict]) -> list[tuple]:
    """Precision and recall of answering with content, per topic."""
    answered = Counter(r["content_id"] for r in rows if r["content_id"])
    right = Counter(r["expect"] for r in rows if r["result"] == "right" and r["content_id"])
    expected = Counter(r["expect"] for r in rows if r["expect"] != OUT_OF_SCOPE)
    table = []
    for topic in sorted(expected):
        precision = right[topic] / answered[topic] if answered[topic] else float("nan")
        table.append((topic, expected[topic], right[topic] / expected[topic], precision))
    return table


def pipeline_description(model: Path) -> str:
    pipeline_file = ROOT / "build" / "spacy" / "pipeline.json"
    if pipeline_file.exists():
        return json.loads(pipeline_file.read_text())["description"]
    return "unknown"


def report(model: Path, rows: list[dict], questions: Path = HELDOUT) -> str:
    """The figures, per topic and (for a set that leaked already) the questions not answered
    right. A frozen set (tests/unseen) only reports: its questions are never listed, so nobody
    tunes on its failures."""
    s = summarise(rows)
    frozen = "unseen" in questions.parts
    name = questions.relative_to(ROOT) if questions.is_relative_to(ROOT) else questions
    rerun = "" if questions == HELDOUT else f" --questions {name} --out <this file>"
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = [
        "# Evaluation of the served model" if questions != HELDOUT else "# Held-out evaluation",
        "",
        f"- date: {clock.today().isoformat()}",
        f"- model: `{model.name}`",
        f"- spaCy pipeline: {pipeline_description(model)}",
        f"- test set: `{name}`, {s['in_scope']} in-scope and "
        f"{s['out_of_scope']} out-of-scope questions, never used for training"
        + (" (frozen: it only reports; its questions are not listed here)" if frozen else ""),
        f"- rerun: `.venv/bin/python -m evaluation.evaluate{rerun}`",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| in-scope answered with the right content (accuracy) | {pct(s['accuracy'])} |",
        f"| in-scope answered with wrong content | {pct(s['wrong_answer_rate'])} |",
        f"| in-scope: clarifying question asked | {pct(s['clarify_rate'])} |",
        f"| in-scope: right topic among the clarify buttons | {pct(s['answered_after_clarify'])} |",
        f"| in-scope: not understood (person offered, or clarify without the right topic) "
        f"| {pct(s['not_understood'])} |",
        f"| in-scope: right at once or after one click | {pct(s['within_one_click'])} |",
        f"| out-of-scope answered with content | {s['oos_answered_with_content']} of {s['out_of_scope']} |",
        f"| out-of-scope shown topic buttons | {s['oos_shown_topic_buttons']} of {s['out_of_scope']} |",
        "",
        "Outcome classes as in Gem's pilot: answered first time "
        f"{pct(s['accuracy'])}, after one clarifying question {pct(s['answered_after_clarify'])}, "
        f"not understood or wrong {pct(s['not_understood'] + s['wrong_answer_rate'])}.",
        "",
        "## Per topic",
        "",
        "| topic | questions | recall | precision |",
        "| --- | --- | --- | --- |",
    ]
    for topic, n, recall, precision in per_topic(rows):
        lines.append(f"| {topic} | {n} | {pct(recall)} | {pct(precision)} |")
    if frozen:
        return "\n".join(lines) + "\n"
    misses = [r for r in rows if r["result"] not in ("right",)]
    lines += [
        "",
        "## Not answered right",
        "",
        "| question | expected | outcome | got |",
        "| --- | --- | --- | --- |",
    ]
    for r in misses:
        got = r["content_id"] or ", ".join(r["candidates"]) or r["intent"]
        text = r["text"].replace("|", "/")
        lines.append(f"| {text} | {r['expect']} | {r['result']} | {got} ({r['confidence']}) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model archive (default: the current one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "evaluation.md")
    parser.add_argument(
        "--questions",
        type=Path,
        default=HELDOUT,
        help="question set (default tests/heldout/questions.yml; e.g. tests/unseen/questions.yml)",
    )
    args = parser.parse_args()
    quiet_rasa()
    logging.basicConfig(level=logging.WARNING)
    if args.model is None:
        from scripts.train import model_path

        args.model = model_path()
    if not args.model.is_file():
        parser.error(f"no model at {args.model} (train first: .venv/bin/python -m scripts.train)")
    questions = args.questions.resolve()
    rows = asyncio.run(run(args.model, load_questions(questions)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(args.model, rows, questions), encoding="utf-8")
    args.out.with_suffix(".json").write_text(
        json.dumps(
            {"model": args.model.name, "summary": summarise(rows), "rows": rows}, indent=1, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    print(json.dumps(summarise(rows), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
