"""Spelling correction before classification: a misspelt word becomes the training word it
was meant to be ("leerlingevervoer" -> "leerlingenvervoer", "hoogbegaaft" -> "hoogbegaafd").

Only a word unknown to both the training vocabulary and pyspellchecker's Dutch dictionary is
corrected, and only to a word of the training vocabulary: a field abbreviation the training
data uses (tlv, opp, mdo, sbo, vso) is known and never touched, and a correct Dutch word the
training data lacks stays as it is. Candidates lie within one edit (words of 4 characters or
more) or two edits (8 or more; an edit is an insertion, deletion, substitution or swap of two
neighbouring characters), found through an index of deletions (the SymSpell idea), closest
first, then the most frequent in the training data (lowest idf).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, Iterable, List, Mapping, Optional, Set

_TOKEN = re.compile(r"\w+")
CACHE_SIZE = 50_000


@lru_cache(maxsize=1)
def dutch_words() -> frozenset:
    """pyspellchecker's Dutch word list (343k words, a dependency already: signals/redact.py)."""
    from spellchecker import SpellChecker

    words = SpellChecker(language="nl", distance=1).word_frequency.dictionary
    return frozenset(_fold(w) for w in words)


def _fold(word: str) -> str:
    """Accents folded, as classifier.tfidf.normalise does to every text."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def max_edits(word: str) -> int:
    return 2 if len(word) >= 8 else 1 if len(word) >= 4 else 0


def _deletes(word: str, depth: int) -> Set[str]:
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a
    substring); any value above `limit` is reported as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: List[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


class Speller:
    """Corrects unknown words of a normalised text towards `vocabulary` {word: rank}, a lower
    rank meaning a more frequent training word."""

    def __init__(self, vocabulary: Mapping[str, float], dictionary: Optional[Iterable[str]] = None):
        self.rank = {w: r for w, r in vocabulary.items() if not w.isdigit()}
        self.dictionary = dutch_words() if dictionary is None else frozenset(dictionary)
        self.index: Dict[str, List[str]] = {}
        for word in self.rank:
            for deleted in _deletes(word, max_edits(word)):
                self.index.setdefault(deleted, []).append(word)
        self.cache: Dict[str, str] = {}

    def known(self, word: str) -> bool:
        return word in self.rank or word in self.dictionary or word.isdigit() or len(word) < 4

    def word(self, word: str) -> str:
        if self.known(word):
            return word
        if word not in self.cache:
            if len(self.cache) > CACHE_SIZE:  # a long-running server sees many unknown words
                self.cache.clear()
            limit = max_edits(word)
            candidates = {c for d in _deletes(word, limit) for c in self.index.get(d, ())}
            scored = []
            for candidate in candidates:
                distance = edit_distance(word, candidate, limit)
                if distance <= min(limit, max_edits(candidate)):
                    scored.append((distance, self.rank[candidate], candidate))
            self.cache[word] = min(scored)[2] if scored else word
        return self.cache[word]

    def correct(self, text: str) -> str:
        return _TOKEN.sub(lambda m: self.word(m.group(0)), text)
