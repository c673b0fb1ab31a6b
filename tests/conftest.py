"""Shared fixtures. The model is trained at most once per test run (scripts/train.py reuses
a model whose inputs did not change); test.sh passes its path in STEUNPUNT_MODEL.

The repository root is importable through pytest's `pythonpath` (pyproject.toml); test
support is in tests/support/."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
import yaml

#: tests/support/report.py: outside services skipped or required, time per module at the end;
#: pytester: for the tests of that plugin (tests/test_support.py).
pytest_plugins = ("tests.support.report", "pytester")

ROOT = Path(__file__).resolve().parent.parent
SHARED_TOPICS = ROOT.parent / "shared" / "topics.yml"
#: The fourteen topics the issue on deeper content added: checked exactly like topics.yml.
SHARED_MORE_TOPICS = ROOT.parent / "shared" / "topics-more.yml"


@pytest.fixture(scope="session")
def model_path() -> Path:
    if os.environ.get("STEUNPUNT_MODEL"):
        return Path(os.environ["STEUNPUNT_MODEL"])
    from scripts.train import train

    return train()


@pytest.fixture(scope="session")
def required_topic_ids() -> list:
    if not (SHARED_TOPICS.exists() and SHARED_MORE_TOPICS.exists()):
        pytest.skip("../shared/topics.yml and topics-more.yml are not beside this checkout")
    return [topic for path in (SHARED_TOPICS, SHARED_MORE_TOPICS)
            for topic in yaml.safe_load(path.read_text())["topics"]]


def topic_text(topic_id: str, parent: str = "Tekst voor ouders.", youth: str | None = None,
               reviewed_on: str = "2026-01-10", review_by: str = "2027-01-10",
               url: str = "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs",
               phases: str = "[po, vo]", related: str | None = None) -> str:
    """A valid topic file's text, for tests that build their own content folder."""
    youth_part = f"\n## Jongeren\n{youth}\n" if youth else ""
    return (
        f"---\nid: {topic_id}\ntitle: Titel van {topic_id}\nlabel: Label {topic_id}\n"
        f"sources:\n  - title: Passend onderwijs\n    url: {url}\n"
        f"phases: {phases}\n" + (f"related: {related}\n" if related else "")
        + f"reviewed_on: {reviewed_on}\nreview_by: {review_by}\n---\n"
        f"## Ouders\n{parent}\n{youth_part}"
    )


@pytest.fixture
def content_dir(tmp_path: Path):
    """An empty topics folder plus a regio.yml; returns (topics_dir, regio_file)."""
    topics = tmp_path / "topics"
    topics.mkdir()
    facts = tmp_path / "regio.yml"
    facts.write_text('steunpunt_telefoon: "[telefoonnummer]"\nswv_naam: "SWV Test"\n')
    return topics, facts


TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def signals_db(tmp_path, monkeypatch):
    """Every test that records signals writes them to a database of its own, never var/."""
    from signals import record
    from signals.store import SignalStore
    from store.db import engine_for

    store = SignalStore(engine_for(f"sqlite:///{tmp_path / 'signals.db'}"))
    monkeypatch.setattr(record, "_store", store)
    return store
