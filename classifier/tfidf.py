"""TF-IDF + logistic regression intent model, in plain scikit-learn.

One class used both by the Rasa graph component (classifier/component.py) and by the
measuring scripts, so what is measured is exactly what is served. Features: TF-IDF over
character n-grams within word boundaries (2-5, for Dutch compounds and typos such as
"toelaatbaarheidsverklaring", "ontwikkelingsperspectiefplan") and over words and word pairs
(1-2), after a misspelt word unknown to the training data and the Dutch dictionary has been
replaced by its nearest training word (classifier/spelling.py). A logistic regression over
all intents gives probabilities; the FallbackClassifier after it turns a low or ambiguous top
probability into nlu_fallback.

Persisted without pickle: the vocabularies, idf weights and coefficients go into a JSON
file and a NumPy .npz, which load back into the same scikit-learn objects.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np
from scipy import sparse
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from classifier.spelling import Speller

DEFAULTS = {
    "char_ngram": [2, 5],
    "word_ngram": [1, 2],
    "C": 10.0,
    "class_weight": "balanced",
    "sublinear_tf": True,
    "max_iter": 1000,
    "solver": "newton-cg",  # same optimum as lbfgs here, about 3 times faster
    # "softmax": one multinomial model, probabilities sum to 1. "ovr": one yes/no model per
    # intent, each probability on its own (a question unlike every intent gets low ones).
    "probability": "softmax",
    # Extra weight of the out_of_scope class on top of `class_weight` (1.0: none). With
    # "balanced" every intent weighs the same in total, however many examples it has, so more
    # out-of-scope examples only spread its weight; this factor raises it (issue 30).
    "out_of_scope_weight": 1.0,
    # Correct a word unknown to the training vocabulary and the Dutch dictionary to the
    # nearest training word before classifying (classifier/spelling.py; issue 30: 7 points more
    # right first time on cross-validation with typos added, 0.2 on the plain examples).
    "spelling": True,
}
OUT_OF_SCOPE = "out_of_scope"
_SPACES = re.compile(r"\s+")
#: A word for the word n-grams; unlike scikit-learn's default, one character is a word too ("6").
_WORD = r"(?u)\b\w+\b"


def normalise(text: str) -> str:
    """Lower case, accents folded (é -> e), whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text).strip()


class TfidfIntentModel:
    """fit(texts, intents) then rank(texts): intent rankings with probabilities."""

    def __init__(self, **config):
        unknown = set(config) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        self.config = {**DEFAULTS, **config}
        self.vectorizers = self._vectorizers()
        self.clf: Optional[LogisticRegression] = None
        self.speller: Optional[Speller] = None

    def _vectorizers(self) -> List[TfidfVectorizer]:
        c = self.config
        return [
            TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=tuple(c["char_ngram"]),
                sublinear_tf=c["sublinear_tf"],
                lowercase=False,
                dtype=np.float32,
            ),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=tuple(c["word_ngram"]),
                sublinear_tf=c["sublinear_tf"],
                lowercase=False,
                token_pattern=_WORD,
                dtype=np.float32,
            ),
        ]

    def features(self, texts: Iterable[str], fit: bool = False) -> sparse.csr_matrix:
        texts = [normalise(t) for t in texts]
        if fit:
            parts = [v.fit_transform(texts) for v in self.vectorizers]
            self._speller()
        else:
            if self.speller is not None:
                texts = [self.speller.correct(t) for t in texts]
            parts = [v.transform(texts) for v in self.vectorizers]
        return sparse.hstack(parts, format="csr")

    def _speller(self) -> None:
        """The spelling corrector over the word vectorizer's single words (idf as rank)."""
        if not self.config["spelling"]:
            self.speller = None
            return
        words = self.vectorizers[1]
        idf = words.idf_
        self.speller = Speller({w: float(idf[i]) for w, i in words.vocabulary_.items() if " " not in w})

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> TfidfIntentModel:
        if len(set(intents)) < 2:
            raise ValueError("need examples of at least two intents")
        X = self.features(texts, fit=True)
        self.clf = LogisticRegression(
            C=self.config["C"],
            class_weight=self._class_weight(intents),
            max_iter=self.config["max_iter"],
            solver=self.config["solver"],
            multi_class="ovr" if self.config["probability"] == "ovr" else "multinomial",
        )
        with warnings.catch_warnings():  # newton-cg may stop a last line search at the optimum
            warnings.filterwarnings("ignore", message="Line Search failed")
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
            self.clf.fit(X, list(intents))
        return self

    def _class_weight(self, intents: Sequence[str]):
        """The configured class weight, with out_of_scope's multiplied by its own factor."""
        weight, factor = self.config["class_weight"], float(self.config["out_of_scope_weight"])
        if factor == 1.0 or OUT_OF_SCOPE not in intents:
            return weight
        counts: Dict[str, int] = {}
        for intent in intents:
            counts[intent] = counts.get(intent, 0) + 1
        if weight == "balanced":  # scikit-learn's rule: n / (classes * count)
            table = {i: len(intents) / (len(counts) * n) for i, n in counts.items()}
        else:
            table = {i: (weight or {}).get(i, 1.0) for i in counts}
        table[OUT_OF_SCOPE] *= factor
        return table

    def _trained(self) -> LogisticRegression:
        if self.clf is None:
            raise RuntimeError("the model is not trained")
        return self.clf

    @property
    def intents(self) -> List[str]:
        return [str(c) for c in self._trained().classes_]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        clf = self._trained()
        X = self.features(texts)
        if clf.coef_.shape[0] == 1:  # two intents: scikit-learn's own binary rule
            return clf.predict_proba(X)
        decision = _decision(clf, X)
        if self.config["probability"] == "ovr":  # sklearn would rescale these to sum to 1
            return expit(decision)
        return softmax(decision, axis=1)  # what predict_proba does for a multinomial model

    def rank(self, texts: Sequence[str], limit: int = 10) -> List[List[Dict]]:
        """Per text, the `limit` most likely intents: [{"name", "confidence"}], best first."""
        names = self.intents
        rankings = []
        for row in self.probabilities(texts):
            order = np.argsort(-row)[:limit] if limit else np.argsort(-row)
            rankings.append([{"name": names[i], "confidence": float(row[i])} for i in order])
        return rankings

    # --- persistence (no pickle) ---------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        clf = self._trained()
        vocabularies = [{k: int(i) for k, i in v.vocabulary_.items()} for v in self.vectorizers]
        meta = {"config": self.config, "intents": self.intents, "vocabularies": vocabularies}
        (directory / "tfidf_model.json").write_text(json.dumps(meta, ensure_ascii=False))
        np.savez_compressed(
            directory / "tfidf_model.npz",
            coef=clf.coef_,
            intercept=clf.intercept_,
            **{f"idf{i}": v.idf_ for i, v in enumerate(self.vectorizers)},
        )

    @classmethod
    def load(cls, directory: Path) -> TfidfIntentModel:
        directory = Path(directory)
        meta = json.loads((directory / "tfidf_model.json").read_text())
        arrays = np.load(directory / "tfidf_model.npz", allow_pickle=False)
        model = cls(**meta["config"])
        pairs = zip(model.vectorizers, meta["vocabularies"], strict=True)
        for i, (vectorizer, vocabulary) in enumerate(pairs):
            vectorizer.vocabulary_ = vocabulary
            vectorizer.idf_ = arrays[f"idf{i}"]
        model._speller()
        model.clf = LogisticRegression(C=model.config["C"])
        model.clf.classes_ = np.array(meta["intents"])
        model.clf.coef_ = arrays["coef"]
        model.clf.intercept_ = arrays["intercept"]
        return model


def _decision(clf: LogisticRegression, X: sparse.csr_matrix) -> np.ndarray:
    """clf.decision_function(X), computed from the columns of the weights that the text uses.

    Why: a question uses a few hundred of the ~40 000 n-gram columns, but scikit-learn's sparse
    product walks the whole weight matrix, ~4 ms per question in the single Rasa process (half
    of a whole parse, measured with cProfile). Gathering the used columns gives the same numbers
    in ~0.1 ms (tests/test_classifier.py compares both)."""
    coef, rows = clf.coef_, []
    for i in range(X.shape[0]):
        start, end = X.indptr[i], X.indptr[i + 1]
        rows.append(coef[:, X.indices[start:end]] @ X.data[start:end].astype(np.float64))
    return np.vstack(rows) + clf.intercept_ if rows else np.zeros((0, coef.shape[0]))
