"""Choose which topics the bot offers as buttons when it is not sure (`plausible_topics`).

When the served classifier is not sure enough to answer, `actions.outcome.decide` asks which
topic is meant, with buttons for the plausible topics, or, with none plausible, says it cannot
answer and offers a person. Two settings decide what is plausible (steunpunt/settings.py):
`CLARIFY_MIN_CONFIDENCE` and `CLARIFY_OUT_OF_SCOPE_RATIO` (a topic needs at least that share of
the out-of-scope confidence). Too strict, and a question whose topic the model ranked second
reaches a person instead of a button; too loose, and a question about something else gets a
row of unrelated buttons before the offer of a person.

Rule, on 5-fold cross-validation rankings of the served classifier on the training data only
(never tests/unseen, tests/heldout or tests/tuning), with the served answer thresholds: take
every setting whose share of questions with the right topic shown or one click away is within
`NEAR` of the best; of those, the one that shows buttons to the fewest out-of-scope questions;
then the highest minimum confidence. Writes docs/clarify-cv.md.

    .venv/bin/python -m evaluation.tune_clarify
"""

from __future__ import annotations

import argparse
import sys
from typing import Dict, List

from evaluation import quiet_rasa
from evaluation.systems import (
    OUT_OF_SCOPE,
    ROOT,
    candidates,
    cv_rows,
    outcome_rows,
    summary,
    training_examples,
)
from library import topic_for_intent
from steunpunt import clock, settings

MIN_CONFIDENCES = [0.2, 0.15, 0.1, 0.075, 0.05, 0.03, 0.02]
OUT_OF_SCOPE_RATIOS = [0.0, 0.5, 1.0]
#: Settings this close to the best "shown or one click away" count as equally good.
NEAR = 0.01
REPORT = ROOT / "docs" / "clarify-cv.md"


def curve(
    questions: List[dict], rankings: List[list], threshold: float, ambiguity: float, trained
) -> List[Dict]:
    """Every (minimum confidence, out-of-scope ratio) replayed through the bot's decision."""
    points = []
    served = settings.CLARIFY_MIN_CONFIDENCE, settings.CLARIFY_OUT_OF_SCOPE_RATIO
    try:
        for ratio in OUT_OF_SCOPE_RATIOS:
            for minimum in MIN_CONFIDENCES:
                settings.CLARIFY_MIN_CONFIDENCE, settings.CLARIFY_OUT_OF_SCOPE_RATIO = minimum, ratio
                rows = outcome_rows(questions, rankings, threshold, ambiguity, trained)
                shares = summary(rows)
                asked = [r for r in rows if r["outcome"] == "clarify"]
                points.append(
                    {
                        "min_confidence": minimum,
                        "out_of_scope_ratio": ratio,
                        **{k: shares[k] for k in ("right", "wrong", "shown_or_one_click", "not_understood")},
                        "oos_clarified": shares["oos_clarified_n"] / max(shares["out_of_scope"], 1),
                        "buttons": sum(len(r["candidates"]) for r in asked) / max(len(asked), 1),
                    }
                )
    finally:
        settings.CLARIFY_MIN_CONFIDENCE, settings.CLARIFY_OUT_OF_SCOPE_RATIO = served
    return points


def choose(points: List[Dict]) -> Dict:
    best = max(p["shown_or_one_click"] for p in points)
    near = [p for p in points if p["shown_or_one_click"] >= best - NEAR]
    return min(near, key=lambda p: (p["oos_clarified"], -p["min_confidence"], p["out_of_scope_ratio"]))


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    quiet_rasa()
    from evaluation.quality_report import served_config

    served = served_config()
    rows = cv_rows(candidates()[served["classifier"]])
    questions = [
        {
            "text": r["text"],
            "expect": OUT_OF_SCOPE if r["intent"] == OUT_OF_SCOPE else topic_for_intent(r["intent"]),
        }
        for r in rows
    ]
    kept = [(q, r["ranking"]) for q, r in zip(questions, rows, strict=True) if q["expect"]]
    trained = {intent for _, intent in training_examples()}
    points = curve(
        [q for q, _ in kept], [r for _, r in kept], served["threshold"], served["ambiguity"], trained
    )
    chosen = choose(points)
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = [
        "# Clarification buttons: which topics are offered (chosen on cross-validation)",
        "",
        f"- date: {clock.today()}; rerun: `.venv/bin/python -m evaluation.tune_clarify`",
        f"- rankings: 5-fold cross-validation of the served classifier ({served['classifier']}) "
        f"on the training data; answer threshold {served['threshold']}, ambiguity "
        f"{served['ambiguity']} (config.yml)",
        f"- rule: within {pct(NEAR)} of the best 'shown or one click away', the fewest "
        "out-of-scope questions shown buttons, then the highest minimum confidence",
        f"- chosen: **minimum confidence {chosen['min_confidence']}, out-of-scope ratio "
        f"{chosen['out_of_scope_ratio']}** (steunpunt/settings.py: "
        f"{settings.CLARIFY_MIN_CONFIDENCE}, {settings.CLARIFY_OUT_OF_SCOPE_RATIO})",
        "",
        "| minimum confidence | out-of-scope ratio | right | wrong | shown or one click away | "
        "not understood | out-of-scope shown buttons | buttons per question |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in points:
        mark = "**" if p is chosen else ""
        lines.append(
            f"| {mark}{p['min_confidence']}{mark} | {p['out_of_scope_ratio']} | {pct(p['right'])} | "
            f"{pct(p['wrong'])} | {pct(p['shown_or_one_click'])} | {pct(p['not_understood'])} | "
            f"{pct(p['oos_clarified'])} | {p['buttons']:.2f} |"
        )
    lines += [
        "",
        "Cross-validation questions are the training examples themselves, deliberately "
        "hard, so every share here is lower than on real questions; the effect on "
        "tests/unseen is in docs/quality.md.",
    ]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"chosen: {chosen['min_confidence']} / {chosen['out_of_scope_ratio']}; wrote {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
