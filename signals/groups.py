"""Groups of unmet questions: many ways of asking the same missing thing shown as one.

Redacted texts are turned into Dutch character n-gram and stemmed-word TF-IDF vectors
(robust to typos, compounds and inflection; the words also as their lemmas and compound
parts, signals/words.py: "ging" as "gaan", "schoolvervoer" also as "vervoer"), grouped by
agglomerative clustering on cosine distance (scikit-learn, which Rasa already installs), and
each group is named by its most telling words: those far more frequent in the group than in
all texts. The distance threshold is the one with the best adjusted Rand index on
`tests/fixtures/unmet_dev.yml`; `tests/fixtures/unmet_eval.yml` only measures it.

Analysts steer the groups (issue 29): they name a group, merge two, or move a question to
another one (signals/store.py, kept in `named_groups`). A named group keeps its questions, and a
group of later questions joins the nearest named group whose centre (its named and merged
questions) is closer to the group's centre than `NAMED_THRESHOLD`, a threshold of its own,
tuned on the development fixtures (docs/signals.md). So the words cannot join "taxi" and
"busje", but an analyst can, once.

Known limit: these features see words, not meaning. "taxi", "busje" and "vervoer" share
nothing, so rephrasings without a shared word can land in different groups (measured in
docs/signals.md). A Dutch sentence-embedding model could fix that; the multilingual one
found on the package registries (USE v3) grouped worse than words (docs/signals.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from steunpunt import settings

#: Average cosine distance below which texts join one group, and the weight of the stemmed
#: words against the character n-grams (steunpunt/settings.py GROUP_THRESHOLD and
#: GROUP_WORD_WEIGHT).
DISTANCE_THRESHOLD = settings.GROUP_THRESHOLD
WORD_WEIGHT = settings.GROUP_WORD_WEIGHT
#: The Dutch word forms added to the stems (signals/words.py; GROUP_WORD_FORMS).
WORD_FORMS: Tuple[str, ...] = settings.GROUP_WORD_FORMS
#: Centroid distance below which later questions join a named group (GROUP_NAMED_THRESHOLD).
NAMED_THRESHOLD = settings.GROUP_NAMED_THRESHOLD
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
    #: The analysts' named group this is (its name is the label), else None.
    named: Optional[int] = None
    #: signals.split: "onderwijs" (shown first) or "buiten" (folded).
    side: str = "onderwijs"
    #: Every question of the group (id, text), for moving one to another group.
    questions: Tuple[Tuple[str, str], ...] = ()


def clean(text: str) -> str:
    """A text as it is grouped: placeholders such as [naam] out, lower case, single spaces."""
    return " ".join(_PLACEHOLDER.sub(" ", text).lower().split())


@lru_cache(maxsize=1)
def _stop_words() -> Tuple[str, ...]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    return tuple(sorted(set(STOP_WORDS) | _EXTRA_STOP_WORDS))


_WORD = re.compile(r"(?u)\b[^\W\d_]{3,}\b")


def _stems(text: str, forms: Sequence[str] = WORD_FORMS) -> List[str]:
    """Dutch Snowball stems of the content words: 'gepest', 'pesten' -> 'pest'. With "lemma"
    in `forms` a word is stemmed as its lemma ('ging' -> 'gaan'); with "compound" the parts of
    a compound follow it ('schoolvervoer' -> 'schoolvervoer', 'vervoer'; 'school' is a stop
    word here)."""
    import snowballstemmer

    from signals import words

    stem, stop = snowballstemmer.stemmer("dutch").stemWord, set(_stop_words())
    lemmas, known = words.tables() if forms else ({}, frozenset())
    base = (lambda w: words.lemma(w, lemmas)) if "lemma" in forms else (lambda w: w)
    terms = []
    for found in _WORD.findall(text):
        if found in stop:
            continue
        word = base(found)
        terms.append(stem(word))
        if "compound" in forms:
            terms += [stem(base(p)) for p in words.compound_parts(word, known) if p not in stop]
    return terms


def features(texts: Sequence[str], word_weight: float = WORD_WEIGHT, forms: Sequence[str] = WORD_FORMS):
    """The grouping's features of cleaned texts (`clean`): (the matrix clustered on, the
    label-word counts, their vocabulary). The one place to add other features, e.g. sentence
    embeddings (evaluation/grouping_report.py measures them)."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    words = TfidfVectorizer(analyzer=lambda text: _stems(text, tuple(forms)), sublinear_tf=True)
    labels = TfidfVectorizer(analyzer="word", stop_words=list(_stop_words()), token_pattern=_WORD.pattern)
    char_matrix = normalize(chars.fit_transform(texts))
    try:
        word_matrix = words.fit_transform(texts)
        label_matrix = labels.fit_transform(texts)
    except ValueError:  # only stop words: no vocabulary
        return char_matrix, None, []
    combined = hstack([char_matrix, word_weight * normalize(word_matrix)]).tocsr()
    return normalize(combined), label_matrix, labels.get_feature_names_out()


def group(
    items: Sequence[Tuple[str, str]],
    threshold: float = DISTANCE_THRESHOLD,
    named: Sequence[Mapping] = (),
    anchors: Optional[Mapping[str, str]] = None,
    named_threshold: float = NAMED_THRESHOLD,
) -> List[Group]:
    """Group (signal id, redacted text) pairs; largest group first.

    `named`: the analysts' named groups ({"id", "name", "members": signal ids}); `anchors`: the
    texts of their members by id (also of other periods). An item that is a member stays in its
    named group; a group of the others joins the nearest named group whose centre is closer to
    its centre than `named_threshold`, else it stays a group of its own."""
    items = [(i, t) for i, t in items if t and clean(t)]
    anchors = {i: t for i, t in (anchors or {}).items() if t and clean(t)}
    pinned = {sid: g["id"] for g in named for sid in g["members"]}
    by_named: Dict[int, List[int]] = {}
    if not items:
        return []
    # the features are fitted on the questions and the named groups' questions together
    # (a member among the items is its own anchor: the same text twice would weigh its words)
    present = {i for i, _ in items}
    anchor_ids = [sid for sid in anchors if sid in pinned and sid not in present]
    texts = [clean(t) for _, t in items] + [clean(anchors[sid]) for sid in anchor_ids]
    matrix, word_matrix, vocabulary = features(texts) if len(texts) > 1 else (None, None, [])
    for n, (sid, _) in enumerate(items):
        if sid in pinned:
            by_named.setdefault(pinned[sid], []).append(n)
    free_rows = [n for n, (sid, _) in enumerate(items) if sid not in pinned]
    clusters: List[List[int]] = []
    if len(free_rows) == 1:
        clusters = [free_rows]
    elif free_rows:
        labels = cluster_labels(matrix[free_rows], threshold)
        clusters = [[free_rows[k] for k in np.flatnonzero(labels == label)] for label in set(labels)]
    centroids = {}
    for g in named:  # a group's centre: its named and merged questions, not those moved in
        about = set(g.get("anchors", g["members"]))
        rows = [n for n, (sid, _) in enumerate(items) if sid in about]
        rows += [len(items) + k for k, sid in enumerate(anchor_ids) if sid in about]
        if rows and matrix is not None:
            centroids[g["id"]] = np.asarray(matrix[rows].mean(axis=0)).ravel()
    unnamed = []
    for members in clusters:
        if centroids and matrix is not None:
            mean = np.asarray(matrix[members].mean(axis=0)).ravel()
            distance, nearest = min((1 - float(mean @ c), gid) for gid, c in centroids.items())
            if distance < named_threshold:
                by_named.setdefault(nearest, []).extend(members)
                continue
        unnamed.append(members)
    names = {g["id"]: g["name"] for g in named}
    groups = [_made(items, texts, matrix, word_matrix, vocabulary, m) for m in unnamed]
    groups += [
        replace(_made(items, texts, matrix, word_matrix, vocabulary, m), label=names[gid], named=gid)
        for gid, m in by_named.items()
    ]
    return sorted(groups, key=lambda g: (-g.size, g.label))


def _made(items, texts, matrix, word_matrix, vocabulary, members: Sequence[int]) -> Group:
    """One group of these rows of `items`: examples closest to its centre first."""
    rows = np.asarray(sorted(members))
    if matrix is None:
        closest = rows
    else:
        centroid = np.asarray(matrix[rows].mean(axis=0)).ravel()
        closest = rows[np.argsort(-(matrix[rows] @ centroid))]
    return Group(
        label=_name(word_matrix, vocabulary, rows, texts),
        size=len(rows),
        examples=tuple(dict.fromkeys(items[i][1] for i in closest))[:3],  # distinct
        signal_ids=tuple(items[i][0] for i in rows),
        questions=tuple(items[i] for i in closest),
    )


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


def unmet_rows(store, period) -> List[Dict]:
    """The unmet questions of a period: turns the bot could not answer, a person was asked for,
    a ticket's description, "this did not help" in the user's own words, the question behind
    "Iets anders" after a clarify, and a clarify followed by no choice (its signal was never
    settled, signals.store.SignalStore.settle_clarify). Content being checked is not unmet: it
    exists."""
    from signals.record import UNMET_KINDS

    rows = store.rows(period.since, period.until, kinds=UNMET_KINDS + ("clarify",), with_text=True)
    return [
        row
        for row in rows
        if row["reason"] != "being_checked" and (row["kind"] != "clarify" or row["reason"] is None)
    ]


def unmet_groups(store, period) -> List[Group]:
    """Groups of the unmet questions in a period, education needs first (signals.split). The
    questions are grouped together first and a group goes to the side of most of its questions
    (a tie: education): grouping each side apart split subjects whose questions lack a field
    word ("een laptop met spellingcontrole" beside the dyslexia group). The analysts' named
    groups take in their questions and the groups like them."""
    from signals.split import EDUCATION, OUTSIDE, side_of

    rows = unmet_rows(store, period)
    named = store.named_groups()
    members = [sid for g in named for sid in g["members"]]
    anchors = {row["id"]: row["text"] for row in store.by_ids(members)} if members else {}
    sides = {row["id"]: side_of(row) for row in rows}
    found = []
    for g in group([(row["id"], row["text"]) for row in rows], named=named, anchors=anchors):
        education = sum(1 for i in g.signal_ids if sides[i] == EDUCATION)
        found.append(replace(g, side=EDUCATION if 2 * education >= g.size else OUTSIDE))
    order = {EDUCATION: 0, OUTSIDE: 1}
    return sorted(found, key=lambda g: (order[g.side], -g.size, g.label))
