"""Measure the redaction on a table of annotated Dutch messages: recall and precision per kind,
field terms kept, and time per message.

    .venv/bin/python -m evaluation.redaction_report       # frozen test table -> docs/redaction.md
    .venv/bin/python -m evaluation.redaction_report tests/redaction/dev.yml --misses

A piece of personal data counts as caught when every letter and digit of it lies inside a
redacted span (whatever placeholder it got). The table's authors could include a school's type
word and article in its name ("Openbare Basisschool De Wilgen"); those words identify nobody,
so "identifying recall" leaves them out, and the strict recall counts them too. A redacted span
counts as right when it overlaps annotated personal data. A field term counts as kept when it is
still in the output verbatim.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Set

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEST_TABLE = ROOT / "tests" / "redaction" / "messages.yml"


@dataclass
class Result:
    caught: Counter = field(default_factory=Counter)
    strict: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    predicted: Counter = field(default_factory=Counter)
    kept: int = 0
    terms: int = 0
    messages: int = 0
    seconds: float = 0.0
    misses: List[str] = field(default_factory=list)

    def recall(self, kind=None) -> float:
        caught = self.caught[kind] if kind else sum(self.caught.values())
        total = self.total[kind] if kind else sum(self.total.values())
        return caught / total if total else 1.0

    def strict_recall(self, kind=None) -> float:
        caught = self.strict[kind] if kind else sum(self.strict.values())
        total = self.total[kind] if kind else sum(self.total.values())
        return caught / total if total else 1.0

    def precision(self, kind=None) -> float:
        right = self.right[kind] if kind else sum(self.right.values())
        predicted = self.predicted[kind] if kind else sum(self.predicted.values())
        return right / predicted if predicted else 1.0

    @property
    def kept_share(self) -> float:
        return self.kept / self.terms if self.terms else 1.0


#: Words inside an annotated school name that identify nobody.
GENERIC_WORDS = {
    "de",
    "het",
    "'t",
    "school",
    "basisschool",
    "openbare",
    "christelijke",
    "katholieke",
    "obs",
    "cbs",
    "pcbs",
    "rkbs",
    "montessorischool",
    "daltonschool",
    "jenaplanschool",
    "praktijkschool",
    "sbo",
    "so",
    "vso",
    "college",
    "lyceum",
    "gymnasium",
    "scholengemeenschap",
}


def occurrences(text: str, part: str):
    start = text.find(part)
    while start >= 0:
        yield start, start + len(part)
        start = text.find(part, start + 1)


def measure(messages: List[Dict], redactor) -> Result:
    from signals.redact import apply

    result = Result()
    for item in messages:
        text = item["text"]
        started = time.perf_counter()
        spans = redactor.spans(text)
        result.seconds += time.perf_counter() - started
        result.messages += 1
        covered: Set[int] = set()
        for span in spans:
            covered.update(range(span.start, span.end))
        pii_ranges = []
        for pii in item.get("pii") or []:
            kind = pii["kind"]
            ranges = list(occurrences(text, pii["text"]))
            pii_ranges += ranges
            result.total[kind] += 1
            letters = [i for start, end in ranges for i in range(start, end) if text[i].isalnum()]
            identifying = [
                i
                for start, end in ranges
                for word in re.finditer(r"[\w'-]+", text[start:end])
                if word.group().lower() not in GENERIC_WORDS
                for i in range(start + word.start(), start + word.end())
                if text[i].isalnum()
            ]
            result.strict[kind] += all(i in covered for i in letters)
            if all(i in covered for i in identifying):
                result.caught[kind] += 1
            else:
                result.misses.append(f"missed {kind} {pii['text']!r} in: {apply(text, spans)}")
        for span in spans:
            result.predicted[span.kind] += 1
            if any(span.start < end and start < span.end for start, end in pii_ranges):
                result.right[span.kind] += 1
            else:
                result.misses.append(f"extra {span.kind} {text[span.start : span.end]!r} in: {text}")
        output = apply(text, spans)
        for term in item.get("keep") or []:
            result.terms += 1
            if term in output:
                result.kept += 1
            else:
                result.misses.append(f"lost term {term!r}: {output}")
    return result


def report(result: Result, table: Path) -> str:
    lines = [
        f"# Redaction of personal data: measured on `{table.relative_to(ROOT)}`",
        "",
        f"{result.messages} messages; made by `python -m evaluation.redaction_report` "
        "(deduce plus the rules in `signals/redact.py`).",
        "",
        "| kind | annotated | caught | identifying recall | strict recall | redacted as this kind "
        "| precision |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in sorted(set(result.total) | set(result.predicted)):
        lines.append(
            f"| {kind} | {result.total[kind]} | {result.caught[kind]} | "
            f"{result.recall(kind):.1%} | {result.strict_recall(kind):.1%} | "
            f"{result.predicted[kind]} | {result.precision(kind):.1%} |"
        )
    lines += [
        f"| **all** | {sum(result.total.values())} | {sum(result.caught.values())} | "
        f"**{result.recall():.1%}** | {result.strict_recall():.1%} | {sum(result.predicted.values())} | "
        f"**{result.precision():.1%}** |",
        "",
        f"Field terms kept: **{result.kept} of {result.terms} ({result.kept_share:.1%})**. "
        f"Time: {1000 * result.seconds / max(1, result.messages):.1f} ms per message.",
        "",
        "Targets: recall at least 98% over all personal data, at least 95% of field terms kept.",
        "",
        "## What was missed or redacted too much",
        "",
    ]
    lines += [f"- {line}" for line in result.misses] or ["- nothing"]
    return "\n".join(lines) + "\n"


def load(table: Path) -> List[Dict]:
    return yaml.safe_load(table.read_text(encoding="utf-8"))["messages"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("table", nargs="?", type=Path, default=TEST_TABLE)
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument(
        "--write", type=Path, help="write the report here (default for the test table: docs/redaction.md)"
    )
    args = parser.parse_args()
    from signals.redact import Redactor

    table = args.table.resolve()
    result = measure(load(table), Redactor())
    text = report(result, table)
    target = args.write or (ROOT / "docs" / "redaction.md" if table == TEST_TABLE else None)
    if target:
        target.write_text(text)
    print(text if args.misses else text.split("## What was missed")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
