"""Near-duplicate questions between the training data and the evaluation sets.

A question measured after a near copy of it was trained on is not an unseen question. Two
questions with the same label count as near copies when, after lower-casing and dropping
punctuation, they differ by at most one word (swapped, added or left out), or share most of
their words, or are nearly the same string (a typo). Questions of different labels are never
leaks: "wat is een tlv" and "wat is een opp" are two questions, not one.

    .venv/bin/python -m evaluation.leaks      # every near copy between every pair of sets
    .venv/bin/python -m evaluation.leaks --training-only
        # only the training examples to delete, without the evaluation questions they copy:
        # for whoever writes training data, who must not read the evaluation sets
"""
from __future__ import annotations

import re
import sys
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import yaml

from library import topic_for_intent

ROOT = Path(__file__).resolve().parent.parent

EVALUATION_SETS = {name: ROOT / "tests" / name / "questions.yml" for name in ("tuning", "heldout", "unseen")}
SHARED_WORDS = 0.7   # Jaccard share of words from which two questions count as one
SAME_STRING = 0.9    # difflib ratio from which two texts count as one with typos


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


def training_set() -> List[Tuple[str, str]]:
    """(text, label) of every NLU example; a topic intent's label is its topic id."""
    rows = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                label = topic_for_intent(block["intent"]) or block["intent"]
                rows += [(line[2:].strip(), label) for line in block["examples"].splitlines()
                         if line.startswith("- ")]
    return rows


def evaluation_set(path: Path) -> List[Tuple[str, str]]:
    return [(q["text"], q["expect"]) for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]]


def all_sets() -> Dict[str, List[Tuple[str, str]]]:
    sets = {"training": training_set()}
    sets.update({name: evaluation_set(path) for name, path in EVALUATION_SETS.items() if path.exists()})
    return sets


def leaks(sets: Dict[str, List[Tuple[str, str]]]) -> Iterator[Tuple[str, str, str, str]]:
    """(set A, set B, text in A, text in B) for every near copy with the same label."""
    for (name_a, rows_a), (name_b, rows_b) in combinations(sets.items(), 2):
        by_label: Dict[str, List[str]] = {}
        for text, label in rows_b:
            by_label.setdefault(label, []).append(text)
        for text, label in rows_a:
            for other in by_label.get(label, []):
                if near_copy(text, other):
                    yield name_a, name_b, text, other


def main(argv: List[str] = sys.argv[1:]) -> int:
    found = list(leaks(all_sets()))
    if "--training-only" in argv:
        to_delete = sorted({text for name_a, _, text, _ in found if name_a == "training"})
        for text in to_delete:
            print(f"training example to delete: {text!r}")
        print(f"{len(to_delete)} training examples copy an evaluation question; "
              f"{len(found) - sum(a == 'training' for a, *_ in found)} near copies between evaluation sets")
        return 1 if found else 0
    for name_a, name_b, text, other in found:
        print(f"{name_a} / {name_b}: {text!r} ~ {other!r}")
    print(f"{len(found)} near copies")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
