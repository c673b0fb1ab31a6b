"""Quality side by side: our pipeline, Rasa's default pipeline and a TF-IDF retrieval baseline.

All three answer the same held-out questions through the bot's own decision
(`actions.outcome.decide`), so the figures compare what users would get. Thresholds: ours
from the tuning set (config.yml); Rasa's default keeps its own (0.3 / 0.1); the TF-IDF
baseline's similarity threshold is tuned by 5-fold cross-validation on the training data
only. Also replays our 5-fold cross-validation rankings (scripts/tune_thresholds.py --source
cv) at our thresholds. Writes docs/quality.md.

    .venv/bin/python scripts/quality_report.py
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import OUT_OF_SCOPE, classify, load_questions, pipeline_description, run, summarise  # noqa: E402
from train import ROOT, model_path  # noqa: E402
from tune_thresholds import folds, rankings_for, replay, training_examples  # noqa: E402

sys.path.insert(0, str(ROOT))
from actions.content import ContentLibrary, intent_for_topic  # noqa: E402
from actions.outcome import FALLBACK_INTENT, decide  # noqa: E402

RASA = Path(sys.executable).with_name("rasa")
# What `rasa init` writes: no pipeline, so Rasa fills in its default one (WhitespaceTokenizer,
# CountVectors word + char_wb 1-4, DIETClassifier 100 epochs, FallbackClassifier 0.3 / 0.1 ...).
DEFAULT_CONFIG = "recipe: default.v1\nlanguage: nl\npipeline:\npolicies:\n"


# --- Rasa's default pipeline -------------------------------------------------------------------
def default_pipeline_model() -> Path:
    """Train (once per data version) an NLU model with Rasa's default pipeline."""
    digest = hashlib.sha256(DEFAULT_CONFIG.encode())
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        digest.update(path.read_bytes())
    target = ROOT / "models" / f"baseline-rasa-default-{digest.hexdigest()[:12]}.tar.gz"
    if not target.exists():
        config = ROOT / "build" / "config.rasa-default.yml"
        config.write_text(DEFAULT_CONFIG)
        print("[quality] training Rasa's default pipeline (several minutes) ...", file=sys.stderr)
        subprocess.run([str(RASA), "train", "nlu", "--config", str(config), "--nlu", "data/nlu",
                        "--out", "models", "--fixed-model-name", target.name[:-7]],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return target


# --- TF-IDF retrieval baseline -----------------------------------------------------------------
class TfidfBaseline:
    """Nearest neighbour by TF-IDF cosine over training examples and content texts."""

    def __init__(self, examples, threshold: float = 0.0):
        self.threshold = threshold
        texts = [t for t, _ in examples]
        self.intents = [i for _, i in examples]
        for topic in ContentLibrary().topics().values():  # the vetted content is evidence too
            for text in filter(None, (topic.title, topic.parent_text, topic.youth_text)):
                texts.append(text)
                self.intents.append(intent_for_topic(topic.id))
        self.vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(lowercase=True, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ])
        self.matrix = self.vectorizer.fit_transform(texts)

    def ranking(self, text: str):
        similarity = (self.matrix @ self.vectorizer.transform([text]).T).toarray().ravel() / 2
        best = {}
        for intent, score in zip(self.intents, similarity):
            best[intent] = max(best.get(intent, 0.0), float(score))
        return sorted(({"name": i, "confidence": s} for i, s in best.items()),
                      key=lambda r: r["confidence"], reverse=True)

    def parse(self, text: str):
        ranking = self.ranking(text)
        top = ranking[0]["name"] if ranking[0]["confidence"] >= self.threshold else FALLBACK_INTENT
        return top, ranking


def tune_tfidf_threshold(k: int = 5) -> float:
    """Cross-validated on training data: most right answers with at most 2% wrong ones."""
    rows = []
    for index, held in enumerate(folds(training_examples(), k)):
        train = [e for j, part in enumerate(folds(training_examples(), k)) if j != index for e in part]
        model = TfidfBaseline(train)
        rows += [{"text": t, "intent": i, "ranking": model.ranking(t)[:5]} for t, i in held]
    curve = [replay(rows, t / 100, 0.0) for t in range(10, 80, 5)]
    allowed = [c for c in curve if c["wrong"] <= 0.02] or curve
    return max(allowed, key=lambda c: (c["right"], c["threshold"]))["threshold"]


def tfidf_rows(questions, threshold):
    model = TfidfBaseline(training_examples(), threshold)
    known = ContentLibrary().topics().keys()
    rows = []
    for question in questions:
        intent, ranking = model.parse(question["text"])
        outcome = decide(intent, ranking, None, known)
        rows.append({"text": question["text"], "expect": question["expect"], "intent": intent,
                     "confidence": round(ranking[0]["confidence"], 3), "outcome": outcome.kind,
                     "content_id": outcome.content_id, "candidates": list(outcome.candidates),
                     "result": classify(question["expect"], outcome)})
    return rows


# --- report ---------------------------------------------------------------------------------------
def confusions(rows, limit=15):
    pairs = Counter((r["expect"], r["content_id"]) for r in rows if r["result"] == "wrong")
    return pairs.most_common(limit)


def matched_operating_points(questions, models, ours) -> list:
    """Both neural pipelines replayed at the same fallback settings, from their raw rankings:
    a fair comparison needs the same trade-off between right answers and caution."""
    examples = [(q["text"], q["expect"] if q["expect"] == OUT_OF_SCOPE else intent_for_topic(q["expect"]))
                for q in questions]
    settings = [(0.3, 0.1, "Rasa's default"), (*ours, "ours"), (0.7, 0.2, "cautious")]
    lines = ["", "## The same fallback settings for both pipelines", "",
             "| pipeline | threshold / ambiguity | right | wrong | clarify or person | out-of-scope answered |",
             "| --- | --- | --- | --- | --- | --- |"]
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    for name, model in models.items():
        rows = asyncio.run(rankings_for(model, examples))
        for threshold, ambiguity, label in settings:
            r = replay(rows, threshold, ambiguity)
            lines.append(f"| {name} | {threshold} / {ambiguity} ({label}) | {pct(r['right'])} | "
                         f"{pct(r['wrong'])} | {pct(r['unsure'])} | {pct(r['oos_answered'])} |")
    return lines


def main() -> int:
    questions = load_questions()
    ours = model_path()
    if not ours.is_file():
        raise SystemExit("train first: .venv/bin/python scripts/train.py")
    threshold = tune_tfidf_threshold()
    default = default_pipeline_model()
    systems = {
        "ours (config.yml)": asyncio.run(run(ours, questions)),
        "Rasa default pipeline (rasa init)": asyncio.run(run(default, questions)),
        f"TF-IDF retrieval (threshold {threshold})": tfidf_rows(questions, threshold),
    }
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    lines = ["# Answer quality: ours against two baselines", "",
             f"- date: {date.today().isoformat()}; spaCy pipeline of our model: {pipeline_description(ours)}",
             f"- held-out set `tests/heldout/questions.yml`: {sum(q['expect'] != OUT_OF_SCOPE for q in questions)} "
             f"in-scope and {sum(q['expect'] == OUT_OF_SCOPE for q in questions)} out-of-scope questions",
             "- every system goes through the bot's own decision (answer / clarify / offer a person)",
             "- rerun: `.venv/bin/python scripts/quality_report.py`", "",
             "| system | right | wrong | clarify asked | not understood | out-of-scope answered |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, rows in systems.items():
        s = summarise(rows)
        lines.append(f"| {name} | {pct(s['accuracy'])} | {pct(s['wrong_answer_rate'])} | "
                     f"{pct(s['clarify_rate'])} | {pct(s['not_understood'])} | "
                     f"{s['oos_answered_with_content']} of {s['out_of_scope']} |")
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    lines += matched_operating_points(questions, {"ours": ours, "Rasa default pipeline": default},
                                      (fallback["threshold"], fallback["ambiguity_threshold"]))
    cv_file = ROOT / "build" / "rankings-cv.json"
    if cv_file.exists():
        cv_rows = json.loads(cv_file.read_text())
        cv = replay(cv_rows, fallback["threshold"], fallback["ambiguity_threshold"])
        lines += ["", f"5-fold cross-validation of our pipeline on the training data ({len(cv_rows)} "
                      f"examples, from the last `tune_thresholds.py --source cv`; at threshold "
                      f"{fallback['threshold']}, ambiguity {fallback['ambiguity_threshold']}): right "
                      f"{pct(cv['right'])}, wrong {pct(cv['wrong'])}, clarify or person {pct(cv['unsure'])}, "
                      f"out-of-scope answered {pct(cv['oos_answered'])}. The training examples were written "
                      "to be hard (neighbouring topics' words), so this is a pessimistic figure; full curve "
                      "in [thresholds-cv.md](thresholds-cv.md)."]
    for name, rows in systems.items():
        lines += ["", f"## Most frequent confusions: {name}", "", "| expected | answered with | count |",
                  "| --- | --- | --- |"]
        lines += [f"| {expected} | {got} | {n} |" for (expected, got), n in confusions(rows)] or ["| – | – | 0 |"]
    lines += ["", "Per-topic precision and recall of our pipeline: [evaluation.md](evaluation.md)."]
    out = ROOT / "docs" / "quality.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:14]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
