"""Near-duplicate questions between the training data and the evaluation sets.

A question measured after a near copy of it was trained on is not an unseen question. Two
questions with the same label count as near copies when, after lower-casing and dropping
punctuation, they differ by at most one word (swapped, added or left out), or share most of
their words, or are nearly the same string (a typo). Questions of different labels are never
leaks: "wat is een tlv" and "wat is een opp" are two questions, not one.

Short questions need a rule of their own (`short_near_copy`), applied between the training
data and each evaluation set: a keyword question and its evaluation counterpart differ by more
than one word or share too few words for the rules above ("lwoo" ~ "wat is lwoo", "tlv
afgewezen" ~ "tlv afgewezen wat nu", "s.o.p." ~ "wat is een sop"). Two texts of at most
`SHORT_WORDS` content words are near copies when their content words (the words left after
the question frame: "wat", "is", "een", "hoe", ...) are the same, allowing a typo in a word,
a compound written apart ("plus klas") and an abbreviation with dots; or when a two-word
text is the other with one word added ("tlv verlengen" ~ "tlv verlengen nodig"). A bare
keyword with a word added asks something more specific ("privacy" ~ "privacy chat" is no
copy), so only the question frame may be added to a one-word text.

The evaluation sets only report (see `evaluation`): when a near copy is found, the training
example is what goes, never the frozen evaluation question.

    .venv/bin/python -m evaluation.leaks      # every near copy between every pair of sets
    .venv/bin/python -m evaluation.leaks --training-only
        # only the training examples to delete, without the evaluation questions they copy:
        # for whoever writes training data, who must not read the evaluation sets
"""

from __future__ import annotations

import argparse
import re
import sys
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import yaml

from library import topic_for_intent

ROOT = Path(__file__).resolve().parent.parent

EVALUATION_SETS = {name: ROOT / "tests" / name / "questions.yml" for name in ("tuning", "heldout", "unseen")}
EVALUATION_SETS["near-domain"] = ROOT / "tests" / "unseen" / "near-domain.yml"  # issue 30, frozen
SHARED_WORDS = 0.7  # Jaccard share of words from which two questions count as one
SAME_STRING = 0.9  # difflib ratio from which two texts count as one with typos
#: Texts with at most this many content words are compared by `short_near_copy` too.
SHORT_WORDS = 3
#: Words that only make a keyword into a question: "wat is een mdo" asks "mdo".
QUESTION_FRAME = frozenset("wat is een de het hoe zit dat dit die nu precies dan eigenlijk toch".split())
SAME_WORD = 0.85  # difflib ratio from which two words (5+ letters) count as one with a typo


def words(text: str) -> List[str]:
    return re.findall(r"\w+", text.lower())


def word_edits(a: List[str], b: List[str]) -> int:
    """Word-level edit distance (Levenshtein over words)."""
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def near_copy(a: str, b: str) -> bool:
    """Whether two questions are the same question, give or take a word or a typo."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    if min(len(wa), len(wb)) >= 3 and word_edits(wa, wb) <= 1:
        return True
    sa, sb = set(wa), set(wb)
    if len(sa & sb) / len(sa | sb) >= SHARED_WORDS:
        return True
    return SequenceMatcher(None, " ".join(wa), " ".join(wb)).ratio() >= SAME_STRING


def content_words(text: str) -> List[str]:
    """The words of a text without its question frame."""
    return [word for word in words(text) if word not in QUESTION_FRAME]


def _same_word(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and SequenceMatcher(None, a, b).ratio() >= SAME_WORD)


def _covers(these: List[str], those: List[str]) -> bool:
    return all(any(_same_word(a, b) for b in those) for a in these)


def short_near_copy(a: str, b: str) -> bool:
    """Whether two short questions are the same question: the same content words around
    another question frame (a typo, a compound written apart or dotted letters allowed), or
    a two-word text with one word added."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    shorter, longer = sorted((wa, wb), key=len)
    if len(shorter) == 2 and len(longer) == 3 and word_edits(shorter, longer) == 1:
        return True
    ca, cb = content_words(a), content_words(b)
    if not ca or not cb or max(len(ca), len(cb)) > SHORT_WORDS:
        return False
    return "".join(ca) == "".join(cb) or (_covers(ca, cb) and _covers(cb, ca))


def training_set() -> List[Tuple[str, str]]:
    """(text, label) of every NLU example; a topic intent's label is its topic id."""
    rows = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                label = topic_for_intent(block["intent"]) or block["intent"]
                rows += [
                    (line[2:].strip(), label)
                    for line in block["examples"].splitlines()
                    if line.startswith("- ")
                ]
    return rows


def evaluation_set(path: Path) -> List[Tuple[str, str]]:
    return [(q["text"], q["expect"]) for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]


def all_sets() -> Dict[str, List[Tuple[str, str]]]:
    sets = {"training": training_set()}
    sets.update({name: evaluation_set(path) for name, path in EVALUATION_SETS.items() if path.exists()})
    return sets


def leaks(sets: Dict[str, List[Tuple[str, str]]]) -> Iterator[Tuple[str, str, str, str]]:
    """(set A, set B, text in A, text in B) for every near copy with the same label; between
    the training data and an evaluation set, short near copies too."""
    for (name_a, rows_a), (name_b, rows_b) in combinations(sets.items(), 2):
        with_training = "training" in (name_a, name_b)
        by_label: Dict[str, List[str]] = {}
        for text, label in rows_b:
            by_label.setdefault(label, []).append(text)
        for text, label in rows_a:
            for other in by_label.get(label, []):
                if near_copy(text, other) or (with_training and short_near_copy(text, other)):
                    yield name_a, name_b, text, other


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.leaks", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--training-only",
        action="store_true",
        help="only the training examples to delete, not the questions they copy",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    found = list(leaks(all_sets()))
    if args.training_only:
        to_delete = sorted({text for name_a, _, text, _ in found if name_a == "training"})
        for text in to_delete:
            print(f"training example to delete: {text!r}")
        print(
            f"{len(to_delete)} training examples copy an evaluation question; "
            f"{len(found) - sum(a == 'training' for a, *_ in found)} near copies between evaluation sets"
        )
        return 1 if found else 0
    for name_a, name_b, text, other in found:
        print(f"{name_a} / {name_b}: {text!r} ~ {other!r}")
    print(f"{len(found)} near copies")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
