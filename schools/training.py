"""What training learns from the school directories (issue 28): the entities of a question about
schools, as Rasa NLU data written before each training (scripts/train.py).

- `school_kind`: every wording of schools/words.py KIND_WORDS as a lookup table, and each
  mapped to its kind by a synonym (EntitySynonymMapper), so "mavo" arrives as "vmbo-t";
- `place`: the places and gemeenten of every region's schools;
- `school_name`: the schools' names, and the part of each that says which school it is.

RegexEntityExtractor (config.yml) finds them; the intent `ask_schools` and its examples with
marked entities are hand-written in data/nlu/schools.yml. The action checks every entity
against the region's own directory, so a name or place learned from another region never
brings that region's schools into an answer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, List

import yaml

from schools.model import Directory, read_directory
from schools.words import KIND_WORDS, short_names
from steunpunt import settings


def directories(folder: Path | None = None) -> List[Directory]:
    """Every region's imported directory (the region's own additions are not needed here)."""
    folder = Path(folder or settings.SCHOOLS_DIR)
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found.append(read_directory(path, {}))
        except ValueError:
            continue  # a broken file is reported by `python -m schools show`; training goes on
    return found


def nlu_data(found: Iterable[Directory]) -> dict:
    found = list(found)
    places = sorted({p for d in found for s in d.schools for p in (s.place, s.gemeente) if p})
    names = sorted({n for d in found for s in d.schools for n in short_names(s)})
    nlu: list = [{"lookup": "school_kind", "examples": _items(sorted(KIND_WORDS))}]
    by_kind: dict = {}
    for word, kind in KIND_WORDS.items():
        by_kind.setdefault(kind, []).append(word)
    nlu += [{"synonym": kind, "examples": _items(sorted(words))} for kind, words in sorted(by_kind.items())]
    if places:
        nlu.append({"lookup": "place", "examples": _items(places)})
    if names:
        nlu.append({"lookup": "school_name", "examples": _items(names)})
    return {"version": "3.1", "nlu": nlu}


def _items(values: Iterable[str]) -> str:
    """Rasa's list of examples: one "- value" line each, the value as it is (no quotes: Rasa
    would take them as part of the value); line breaks in a value cannot occur in DUO's names."""
    return "".join(f"- {' '.join(value.split())}\n" for value in values if value.strip())


def write_training_file(out: Path, folder: Path | None = None) -> Path:
    """Write `out/schools_nlu.yml` anew; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "schools_nlu.yml"
    header = "# Generated from the school directories by schools/training.py: do not edit.\n"
    path.write_text(
        header + yaml.safe_dump(nlu_data(directories(folder)), sort_keys=False, allow_unicode=True)
    )
    return path
