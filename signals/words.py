"""Dutch word forms for grouping unmet questions (issue 29): lemmas and compound parts.

- Lemmas from simplemma's Dutch table (MIT; `simplemma` on PyPI): "ging" -> "gaan",
  "kinderen" -> "kind", "mocht" -> "mogen". Only the forms whose lemma has another Snowball stem
  are kept: for the rest the stemmer (signals/groups.py) already does the same.
- Compound parts: a word is split in two when both parts are common Dutch words (pyspellchecker's
  Dutch frequency list, which redaction already installs, at least `MIN_FREQUENCY`), neither is a
  stop word, the head is at least 4 letters, and the tail is no suffix ("-ling", "-lijk"); a
  linking "s", "e" or "en" may join them. "schoolvervoer" -> "school" + "vervoer",
  "huiswerkbegeleiding" -> "huiswerk" + "begeleiding", "leerlingenvervoer" -> "leerling" +
  "vervoer". Of several splits the longest tail (the Dutch head word) wins.

Both tables are small once derived (about 68,000 forms and 31,000 words, some 16 MB in memory)
but deriving them loads the full tables (150 MB, 45 s): `python -m signals warm` (set-up) writes
them once into the virtualenv, and a process only reads that file. The compound splitter on PyPI
(`compound-split`) was measured too: it takes 1 GB of memory (docs/signals.md).
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Tuple

log = logging.getLogger(__name__)

#: A compound part must be at least this frequent in pyspellchecker's Dutch list (its floor is
#: 50, shared by 90% of its 343,000 words, many of them typos; from 100 on 31,000 words remain).
MIN_FREQUENCY = 100
_LINKS = ("", "s", "en", "e")
#: Endings that are words of their own but no head of a compound ("vluchte-ling", "makke-lijk").
_SUFFIXES = frozenset(
    {"lijk", "ling", "lingen", "heid", "eren", "isch", "baar", "loos", "maal", "schap", "sing", "ming", "tje"}
    | {"ster", "ing", "en", "er"}
)
#: Bump when the way the tables are derived changes: the file name carries it.
_VERSION = 1

Tables = Tuple[Dict[str, str], FrozenSet[str]]


def _versions() -> str:
    from importlib.metadata import version

    return f"v{_VERSION}-simplemma{version('simplemma')}-pyspellchecker{version('pyspellchecker')}"


def table_path() -> Path:
    """Where set-up keeps the derived tables: beside the packages they come from."""
    return Path(sys.prefix) / "share" / "steunpunt" / f"nl-words-{_versions()}.json.gz"


def derive() -> Tables:
    """The lemma table and the compound-part words, from the installed packages (slow)."""
    import snowballstemmer
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory
    from spacy.lang.nl.stop_words import STOP_WORDS
    from spellchecker import SpellChecker

    stem = snowballstemmer.stemmer("dutch").stemWord
    lemmas = {}
    for form, entry in DefaultDictionaryFactory(cache_max_size=0).get_dictionary("nl").items():
        if form.isalpha() and form.islower():
            lemma = entry.replace("_", "").lower()  # separable verbs: "over_gaan"
            if stem(form) != stem(lemma):
                lemmas[form] = lemma
    frequency = SpellChecker(language="nl").word_frequency.dictionary
    words = frozenset(
        w for w, n in frequency.items() if n >= MIN_FREQUENCY and w.isalpha() and w not in STOP_WORDS
    )
    return lemmas, words


def warm() -> Path:
    """Derive the tables and write them for every later process (set-up calls this)."""
    lemmas, words = derive()
    path = table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"lemmas": lemmas, "words": sorted(words)}, ensure_ascii=False)
    part = path.with_suffix(".part")
    part.write_bytes(gzip.compress(data.encode("utf-8")))
    part.replace(path)
    return path


@lru_cache(maxsize=1)
def tables() -> Tables:
    """(form -> lemma, compound-part words), read once per process."""
    path = table_path()
    if not path.exists():
        log.warning("no Dutch word tables at %s yet: deriving them now (python -m signals warm)", path)
        try:
            warm()
        except OSError:  # a read-only virtualenv: keep them in memory only
            return derive()
    data = json.loads(gzip.decompress(path.read_bytes()))
    return data["lemmas"], frozenset(data["words"])


def lemma(word: str, lemmas: Dict[str, str]) -> str:
    return lemmas.get(word, word)


def compound_parts(word: str, words: FrozenSet[str]) -> List[str]:
    """The two parts of a compound when both are known words, else []."""
    best: Tuple[int, str, str] = (0, "", "")
    for n in range(4, len(word) - 2):
        head, tail = word[:n], word[n:]
        if tail in _SUFFIXES or tail not in words:
            continue
        for link in _LINKS:
            if head.endswith(link):
                first = head[: len(head) - len(link)]
                if len(first) >= 4 and first in words and len(tail) > best[0]:
                    best = (len(tail), first, tail)
    return [best[1], best[2]] if best[0] else []
