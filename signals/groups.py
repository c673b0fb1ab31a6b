"""Groups of unmet questions: many ways of asking the same missing thing shown as one.

Redacted texts are turned into Dutch character n-gram and stemmed-word TF-IDF vectors
(robust to typos, compounds and inflection), grouped by agglomerative clustering on cosine
distance (scikit-learn, which Rasa already installs), and each group is named by its most
telling words: those far more frequent in the group than in all texts. The distance threshold
is the one with the best adjusted Rand index on `tests/fixtures/unmet_dev.yml`;
`tests/fixtures/unmet_questions.yml` checks it.

Known limit: these features see words, not meaning. "taxi", "busje" and "vervoer" share
nothing, so rephrasings without a shared word can land in different groups (measured in
docs/signals.md). A Dutch sentence-embedding model could fix that; the multilingual one
found on the package registries (USE v3) grouped worse than words (docs/signals.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Sequence, Tuple

import numpy as np

from steunpunt import settings

#: Average cosine distance below which texts join one group, and the weight of the stemmed
#: words against the character n-grams (steunpunt/settings.py GROUP_THRESHOLD and
#: GROUP_WORD_WEIGHT).
DISTANCE_THRESHOLD = settings.GROUP_THRESHOLD
WORD_WEIGHT = settings.GROUP_WORD_WEIGHT
_PLACEHOLDER = re.compile(r"\[[a-z]+\]")
_EXTRA_STOP_WORDS = {
    "kind",
    "zoon",
    "dochter",
    "mijn",
    "onze",
    "school",
    "wat",
    "hoe",
    "kan",
    "moet",
    "mag",
    "wel",
    "niet",
    "nu",
    "gewoon",
    "eigenlijk",
    "iemand",
    "vraag",
}


@dataclass(frozen=True)
class Group:
    label: str
    size: int
    examples: Tuple[str, ...]
    signal_ids: Tuple[str, ...]


def clean(text: str) -> str:
    """A text as it is grouped: placeholders such as [naam] out, lower case, single spaces."""
    return " ".join(_PLACEHOLDER.sub(" ", text).lower().split())


@lru_cache(maxsize=1)
def _stop_words() -> Tuple[str, ...]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    return tuple(sorted(set(STOP_WORDS) | _EXTRA_STOP_WORDS))


_WORD = re.compile(r"(?u)\b[^\W\d_]{3,}\b")


def _stems(text: str) -> List[str]:
    """Dutch Snowball stems of the content words: 'gepest', 'pesten' -> 'pest'."""
    import snowballstemmer

    stemmer, stop = snowballstemmer.stemmer("dutch"), set(_stop_words())
    return [stemmer.stemWord(w) for w in _WORD.findall(text) if w not in stop]


def features(texts: Sequence[str], word_weight: float = WORD_WEIGHT):
    """The grouping's features of cleaned texts (`clean`): (the matrix clustered on, the
    label-word counts, their vocabulary). The one place to add other features, e.g. sentence
    embeddings (evaluation/grouping_report.py measures them)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    words = TfidfVectorizer(analyzer=_stems, sublinear_tf=True)
    labels = TfidfVectorizer(analyzer="word", stop_words=list(_stop_words()), token_pattern=_WORD.pattern)
    char_matrix = normalize(chars.fit_transform(texts))
    try:
        word_matrix = words.fit_transform(texts)
        label_matrix = labels.fit_transform(texts)
    except ValueError:  # only stop words: no vocabulary
        return char_matrix, None, []
    combined = hstack([char_matrix, word_weight * normalize(word_matrix)]).tocsr()
    return normalize(combined), label_matrix, labels.get_feature_names_out()


def group(items: Sequence[Tuple[str, str]], threshold: float = DISTANCE_THRESHOLD) -> List[Group]:
    """Group (signal id, redacted text) pairs; largest group first."""
    items = [(i, t) for i, t in items if t and clean(t)]
    if not items:
        return []
    texts = [clean(t) for _, t in items]
    if len(items) == 1:
        return [Group(label=texts[0][:60], size=1, examples=(items[0][1],), signal_ids=(items[0][0],))]
    matrix, word_matrix, vocabulary = features(texts)
    labels = cluster_labels(matrix, threshold)
    groups = []
    for label in set(labels):
        members = np.flatnonzero(labels == label)
        centroid = np.asarray(matrix[members].mean(axis=0)).ravel()
        closest = members[np.argsort(-(matrix[members] @ centroid))]
        groups.append(
            Group(
                label=_name(word_matrix, vocabulary, members, texts),
                size=len(members),
                examples=tuple(dict.fromkeys(items[i][1] for i in closest))[:3],  # distinct
                signal_ids=tuple(items[i][0] for i in members),
            )
        )
    return sorted(groups, key=lambda g: (-g.size, g.label))


def cluster_labels(matrix, threshold: float = DISTANCE_THRESHOLD) -> np.ndarray:
    """A group number per row: average-linkage agglomerative clustering on cosine distance."""
    from sklearn.cluster import AgglomerativeClustering

    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    return AgglomerativeClustering(
        n_clusters=None, distance_threshold=threshold, affinity="cosine", linkage="average"
    ).fit_predict(dense)


def _name(word_matrix, vocabulary, members, texts, words: int = 3) -> str:
    """The words that set this group apart: high in the group, low elsewhere."""
    if word_matrix is None or not len(vocabulary):
        return texts[members[0]][:60]
    inside = np.asarray(word_matrix[members].mean(axis=0)).ravel()
    overall = np.asarray(word_matrix.mean(axis=0)).ravel()
    score = inside - 0.5 * overall
    best = [vocabulary[i] for i in np.argsort(-score)[:words] if inside[i] > 0]
    return ", ".join(best) or texts[members[0]][:60]


def unmet_groups(store, period) -> List[Group]:
    """Groups of the unmet questions in a period: turns the bot could not answer, a person was
    asked for, a ticket's description, or 'this did not help' in the user's own words."""
    from signals.record import UNMET_KINDS

    rows = store.rows(period.since, period.until, kinds=UNMET_KINDS, with_text=True)
    return group([(row["id"], row["text"]) for row in rows if row["reason"] != "being_checked"])
