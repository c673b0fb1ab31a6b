"""Leave one topic out: how often does a question about a topic the model does not know get
another topic's answer?

For every topic: train without that topic's examples, then ask that topic's unseen questions
(tests/unseen and tests/heldout, where present) and, as a second and larger sample, its own
training examples (which the model did not see either). A question "goes wrong" when the bot
would answer it with content (any content is another topic's); a clarifying question or the
offer of a person is fine. The threshold is the system's own, chosen by cross-validation on the
training data (evaluation/quality_report.py). Target: at most 5% wrong, mean over all topics.

The unseen questions only report; choices compare the second sample (each topic's own
training examples), which is training data.

    .venv/bin/python -m evaluation.leave_one_topic_out --threshold 0.6 [--ambiguity 0.2]
        [--system tfidf-lr] [--topics a,b,c]

prints per topic and writes nothing; evaluation/quality_report.py puts the summary in
docs/quality.md and the per-topic table in docs/loto.md.
"""

from __future__ import annotations

import argparse
import json
from statistics import mean
from typing import Dict, List, Optional, Sequence

from evaluation import quiet_rasa
from evaluation.systems import OUT_OF_SCOPE, ROOT, System, candidates, outcome_for, question_set, topic_splits
from library import ContentLibrary

UNSEEN_SETS = [ROOT / "tests" / "unseen" / "questions.yml", ROOT / "tests" / "heldout" / "questions.yml"]
TARGET = 0.05


def loto_rankings(system: System, topics: Optional[Sequence[str]] = None) -> List[Dict]:
    """Per left-out topic: the rankings of its questions and of its own training examples,
    by the system trained without that topic. Judged at any threshold by `judge`."""
    questions = [q for path in UNSEEN_SETS for q in question_set(path) if q["expect"] != OUT_OF_SCOPE]
    runs = []
    for topic, train, own in topic_splits(topics):
        asked = [q["text"] for q in questions if q["expect"] == topic]
        runs.append(
            {
                "topic": topic,
                "questions": len(asked),
                "examples": len(own),
                "rankings": system.rank(train, asked + own),
            }
        )
    return runs


def judge(runs: List[Dict], threshold: float, ambiguity: float) -> List[Dict]:
    """Per left-out topic: how many of its questions and examples got content (wrong)."""
    known = ContentLibrary().topics().keys()
    results = []
    for run in runs:
        got = [outcome_for(r, threshold, ambiguity, known).content_id for r in run["rankings"]]
        wrong = [g not in (None, run["topic"]) for g in got]
        asked = run["questions"]
        results.append(
            {
                "topic": run["topic"],
                "questions": asked,
                "wrong": sum(wrong[:asked]),
                "examples": run["examples"],
                "examples_wrong": sum(wrong[asked:]),
                "answered_with": sorted({g for g, w in zip(got, wrong, strict=True) if w and g is not None}),
            }
        )
    return results


def loto(
    system: System, threshold: float, ambiguity: float, topics: Optional[Sequence[str]] = None
) -> List[Dict]:
    """Per left-out topic: questions asked and how many got content (wrong)."""
    return judge(loto_rankings(system, topics), threshold, ambiguity)


def loto_summary(results: List[Dict]) -> Dict:
    with_questions = [r for r in results if r["questions"]]
    example_shares = [r["examples_wrong"] / r["examples"] for r in results if r["examples"]]
    return {
        "topics": len(results),
        "mean_wrong": mean(r["wrong"] / r["questions"] for r in with_questions) if with_questions else None,
        "pooled_wrong": (
            sum(r["wrong"] for r in with_questions) / max(sum(r["questions"] for r in with_questions), 1)
        ),
        "mean_examples_wrong": mean(example_shares) if example_shares else None,
        "worst": max(with_questions, key=lambda r: r["wrong"] / r["questions"])["topic"]
        if with_questions
        else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system", default="tfidf-lr", choices=sorted(candidates()))
    parser.add_argument("--threshold", type=float, required=True)
    parser.add_argument("--ambiguity", type=float, default=0.0)
    parser.add_argument("--topics", help="comma-separated topic ids (default: all)")
    args = parser.parse_args()
    quiet_rasa()
    system = candidates()[args.system]
    results = loto(system, args.threshold, args.ambiguity, args.topics.split(",") if args.topics else None)
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    print(json.dumps(loto_summary(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
