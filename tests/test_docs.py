"""The README and docs/ as the issue on the redesign (issue 23) left them: the README a front
door of at most 250 lines, and no text that names a file of the repository that is not there.

Why a test: moving code (scripts/ into evaluation/ and tests/support/, actions/content.py into
library/) left guides and comments pointing at files that had gone, and nobody reads every
guide after every move.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The repository's own folders: a path that starts with one of them names a file here.
FOLDERS = (
    "actions channels classifier evaluation library schools scripts signals staff steunpunt store "
    "tests website deploy docs data content"
).split()
NAMED_FILE = re.compile(
    rf"(?<![\w./<>-])(?:{'|'.join(FOLDERS)})/[\w./-]*"
    r"\.(?:py|sh|md|yml|yaml|json|toml|js|mjs|css|html|txt|conf|template)\b"
)
#: Files a text may name that exist only in some deployments.
OPTIONAL = {
    "content/scholen.yml",  # the default region's SOP links (schools/model.py), when it has them
}
#: Question and redaction sets: their texts are what people typed, not references.
NOT_TEXT_ABOUT_THE_CODE = ("tests/unseen/", "tests/heldout/", "tests/tuning/", "tests/redaction/", "data/")


def named_files(text: str):
    return NAMED_FILE.findall(text)


def test_the_readme_is_a_front_door_of_at_most_250_lines():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, len(lines)


def test_the_pattern_finds_a_named_file_and_not_a_part_of_another_path():
    assert named_files("see `scripts/load_benchmark.py` and docs/operations.md.") == [
        "scripts/load_benchmark.py",
        "docs/operations.md",
    ]
    assert named_files("regions/voorbeeld/tests/x.py, <region>/data/y.yml") == []


def test_every_file_the_guides_and_the_code_name_exists():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.sh", "*.md", "*.toml", "*.yml", ".ci/run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = []
    for name in tracked:
        if name.startswith(NOT_TEXT_ABOUT_THE_CODE) or name == "tests/test_docs.py":  # its examples
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            missing += [
                f"{name}:{number}: {path}"
                for path in named_files(line)
                if path not in OPTIONAL and not (ROOT / path).exists()
            ]
    assert not missing, "\n".join(missing)
