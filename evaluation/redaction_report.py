"""Measure the redaction on a table of annotated Dutch messages: recall and precision per kind,
field terms kept, and time per message.

    .venv/bin/python -m evaluation.redaction_report       # both project tables -> docs/redaction.md
    .venv/bin/python -m evaluation.redaction_report tests/redaction/dev.yml --misses
    .venv/bin/python -m evaluation.redaction_report tests/redaction/independent-2026-12b.yml \
        --write docs/redaction-independent-b.md
    .venv/bin/python -m evaluation.redaction_report --record "after issue 29"  # keep the figures

Without a table it measures the project's tables, the frozen `tests/redaction/messages.yml`,
the development table `tests/redaction/dev.yml` and the independent tables that became
development data after their one blind measurement (`FORMER_BLIND_TABLES`), and writes
docs/redaction.md; any other table is only printed unless `--write` says where to.
`--record LABEL` adds this run's figures per table to evaluation/redaction_history.yml, and
every report shows those earlier runs as a before/after table for the tables it measures.

A piece of personal data counts as caught when every letter and digit of it lies inside a
redacted span (whatever placeholder it got). The table's authors could include a school's type
word and article in its name ("Openbare Basisschool De Wilgen"); those words identify nobody,
so "identifying recall" leaves them out, and the strict recall counts them too. A redacted span
counts as right when it overlaps annotated personal data. A field term counts as kept when it is
still in the output verbatim, and a clean message (`pii: []`) counts as unchanged when nothing
in it was redacted at all.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Set, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEST_TABLE = ROOT / "tests" / "redaction" / "messages.yml"
DEV_TABLE = ROOT / "tests" / "redaction" / "dev.yml"
#: The independent tables that were each measured once blind (figures in the history) and then
#: used as development data for the next round of rules (issue 29).
FORMER_BLIND_TABLES = (
    ROOT / "tests" / "redaction" / "independent-2026-12.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12b.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12c.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12d.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12e.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12f.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12g.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12h.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12i.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12j.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12k.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12l.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12m.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12n.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12o.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12p.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12q.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12r.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12s.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12t.yml",
    ROOT / "tests" / "redaction" / "independent-2026-12u.yml",
)
PROJECT_TABLES = (TEST_TABLE, DEV_TABLE, *FORMER_BLIND_TABLES)
HISTORY = ROOT / "evaluation" / "redaction_history.yml"


@dataclass
class Result:
    caught: Counter = field(default_factory=Counter)
    strict: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    predicted: Counter = field(default_factory=Counter)
    kept: int = 0
    terms: int = 0
    clean: int = 0
    clean_unchanged: int = 0
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

    @property
    def clean_share(self) -> float:
        """Of the messages without personal data, the share that came out unchanged."""
        return self.clean_unchanged / self.clean if self.clean else 1.0

    @property
    def ms_per_message(self) -> float:
        return 1000 * self.seconds / max(1, self.messages)

    def figures(self) -> Dict:
        """The headline figures, as kept in the history file: six places, so that a share
        rounded here is not rounded again to a higher one when shown (382 of 390 is 97.9%,
        not 0.9795 shown as 98.0%)."""
        return {
            "messages": self.messages,
            "pii": sum(self.total.values()),
            "recall": round(self.recall(), 6),
            "precision": round(self.precision(), 6),
            "terms_kept": round(self.kept_share, 6),
            "clean": self.clean,
            "clean_unchanged": round(self.clean_share, 6),
            "ms_per_message": round(self.ms_per_message, 1),
        }


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
    "csg",  # christelijke / regionale / openbare scholengemeenschap
    "rsg",
    "osg",
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
        if not item.get("pii"):
            result.clean += 1
            if output == text:
                result.clean_unchanged += 1
            else:
                result.misses.append(f"changed clean message: {output}")
        for term in item.get("keep") or []:
            result.terms += 1
            if term in output:
                result.kept += 1
            else:
                result.misses.append(f"lost term {term!r}: {output}")
    return result


def _name(table: Path) -> str:
    try:
        return str(table.resolve().relative_to(ROOT))
    except ValueError:
        return str(table)


def section(result: Result, table: Path, level: str = "#") -> str:
    """One table's figures per kind, and what it missed."""
    lines = [
        f"{level} Redaction of personal data: measured on `{_name(table)}`",
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
        f"Clean messages (no personal data) unchanged: **{result.clean_unchanged} of {result.clean} "
        f"({result.clean_share:.1%})**. Time: {result.ms_per_message:.1f} ms per message.",
        "",
        "Targets: at least 99% of the personal values removed, at least 98% of the messages with "
        "only field terms unchanged (issue 29).",
        "",
        f"{level}# What was missed or redacted too much",
        "",
    ]
    lines += [f"- {line}" for line in result.misses] or ["- nothing"]
    return "\n".join(lines) + "\n"


def report(result: Result, table: Path) -> str:
    """The report of one table (kept for callers that measure one)."""
    return section(result, table)


def history_lines(tables: List[Path], history: List[Dict]) -> List[str]:
    """Earlier recorded runs on these tables, oldest first: the before/after figures."""
    names = {_name(t) for t in tables}
    rows = [entry for entry in history if entry.get("table") in names]
    if not rows:
        return []
    lines = [
        "## Before and after",
        "",
        "Recorded runs (`--record`, evaluation/redaction_history.yml), oldest first.",
        "",
        "| run | table | messages | personal values | recall | precision | field terms kept "
        "| clean messages unchanged | ms per message |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in rows:
        lines.append(
            f"| {entry['label']} | `{entry['table']}` | {entry['messages']} | {entry['pii']} | "
            f"{entry['recall']:.1%} | {entry['precision']:.1%} | {entry['terms_kept']:.1%} | "
            f"{entry['clean_unchanged']:.1%} of {entry['clean']} | {entry['ms_per_message']} |"
        )
    return lines + [""]


def document(results: List[Tuple[Path, Result]], history: List[Dict]) -> str:
    """The whole report: one section per table; a summary and the history above them."""
    if len(results) == 1 and not history_lines([results[0][0]], history):
        return section(results[0][1], results[0][0])
    lines = [
        "# Redaction of personal data",
        "",
        "Made by `python -m evaluation.redaction_report` (deduce plus the rules in "
        "`signals/redact.py`). Tables measured in this run:",
        "",
        "| table | messages | personal values | recall | precision | field terms kept "
        "| clean messages unchanged | ms per message |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for table, result in results:
        lines.append(
            f"| `{_name(table)}` | {result.messages} | {sum(result.total.values())} | "
            f"**{result.recall():.1%}** | {result.precision():.1%} | {result.kept_share:.1%} | "
            f"**{result.clean_share:.1%}** of {result.clean} | {result.ms_per_message:.1f} |"
        )
    lines += [
        "",
        "`tests/redaction/dev.yml` is the development table: the rules are tuned on it, so its "
        "figures are optimistic. `tests/redaction/messages.yml` is the project's frozen table "
        "(tuned on in its first run). The `independent-2026-12*` tables listed here were each measured "
        "once blind (their figures are in the history below) and have been development data "
        "since. How the rules hold on new data is only told by a table "
        "written apart from them, measured with the same tool (`python -m "
        "evaluation.redaction_report TABLE --write DOC`) and never tuned on.",
        "",
    ]
    lines += history_lines([table for table, _ in results], history)
    body = "\n".join(lines) + "\n"
    return body + "".join("\n" + section(result, table, "##") for table, result in results)


def load_history(path: Path) -> List[Dict]:
    if not path.exists():
        return []
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def record(path: Path, label: str, results: List[Tuple[Path, Result]]) -> None:
    """Add this run's figures per table to the history file."""
    history = load_history(path)
    history += [{"label": label, "table": _name(table), **result.figures()} for table, result in results]
    header = "# Figures of earlier redaction runs: python -m evaluation.redaction_report --record LABEL\n"
    path.write_text(header + yaml.safe_dump(history, sort_keys=False, allow_unicode=True), encoding="utf-8")


def load(table: Path) -> List[Dict]:
    return yaml.safe_load(table.read_text(encoding="utf-8"))["messages"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "tables", nargs="*", type=Path, help="annotated tables (default: the project's tables)"
    )
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument(
        "--write", type=Path, help="write the report here (default for the project tables: docs/redaction.md)"
    )
    parser.add_argument("--record", metavar="LABEL", help="add this run's figures to the history file")
    parser.add_argument("--history", type=Path, default=HISTORY, help="the history file (%(default)s)")
    args = parser.parse_args()
    from signals.redact import Redactor

    tables = [t.resolve() for t in args.tables] or list(PROJECT_TABLES)
    redactor = Redactor()
    results = [(table, measure(load(table), redactor)) for table in tables]
    if args.record:
        record(args.history, args.record, results)
    text = document(results, load_history(args.history))
    project = not args.tables or tables == [TEST_TABLE]
    target = args.write or (ROOT / "docs" / "redaction.md" if project else None)
    if target:
        target.write_text(text)
    print(text if args.misses else re.sub(r"\n#+ What was missed.*?(?=\n#|\Z)", "", text, flags=re.S))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
