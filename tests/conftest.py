"""Shared fixtures. The model is trained at most once per test run (scripts/train.py reuses
a model whose inputs did not change); test.sh passes its path in STEUNPUNT_MODEL.

No test depends on the calendar: the whole run lives at `FROZEN_NOW` (the day after the real
content's newest review), this process and every process it starts, and the review dates of
fixture topics count from `TODAY`.

The repository root is importable through pytest's `pythonpath` (pyproject.toml); test
support is in tests/support/."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

#: tests/support/report.py: outside services skipped or required, time per module at the end;
#: pytester: for the tests of that plugin (tests/test_support.py).
pytest_plugins = ("tests.support.report", "pytester")

ROOT = Path(__file__).resolve().parent.parent
#: The checkout's own databases, secret key and conversations: no test may touch them.
VAR = ROOT / "var"
#: Where every path a process of ours uses by default points during the tests (settings.py).
ISOLATED = (
    "STEUNPUNT_VAR_DIR",
    "STEUNPUNT_DATABASE_URL",
    "STEUNPUNT_TRACKER_DB",
    "STEUNPUNT_SECRET_KEY_FILE",
)


def _isolate() -> Path:
    """Before anything imports the settings: every default path (settings.py) into a folder of
    this run, for this process and every process a test starts (they inherit the environment).
    A test that starts a server still gives it folders of its own; this is what it gets when
    it forgets one (the staff app once pruned the checkout's var/trackers.db)."""
    if "steunpunt.settings" in sys.modules:
        raise RuntimeError("steunpunt.settings was imported before tests/conftest.py set its paths")
    folder = Path(tempfile.mkdtemp(prefix="steunpunt-tests-"))
    os.environ.update(
        {
            "STEUNPUNT_VAR_DIR": str(folder),
            "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'steunpunt.db'}",
            "STEUNPUNT_TRACKER_DB": str(folder / "trackers.db"),
            "STEUNPUNT_SECRET_KEY_FILE": str(folder / "secret.key"),
        }
    )
    return folder


_ISOLATED_FOLDER = _isolate()
from steunpunt import clock  # noqa: E402
from tests.support.servers import FROZEN_NOW  # noqa: E402  (after _isolate: it reads settings)

#: The day every test lives on: the local day of FROZEN_NOW.
TODAY = clock.to_local(datetime.fromisoformat(FROZEN_NOW)).date()
#: A fixture topic's review dates: checked a while before TODAY, due well after it.
REVIEWED_ON = TODAY - timedelta(days=90)
REVIEW_BY = TODAY + timedelta(days=180)
#: A review-by day that has passed on TODAY (yesterday): such a topic is being checked.
OVERDUE = TODAY - timedelta(days=1)


def pytest_configure(config):
    config.steunpunt_folder = _ISOLATED_FOLDER


def pytest_unconfigure(config):
    folder = getattr(config, "steunpunt_folder", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _var_files():
    if not VAR.exists():
        return None
    return {
        str(path.relative_to(VAR)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(VAR.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session", autouse=True)
def var_untouched():
    """Fails the run when var/ of the checkout changed while the tests ran (a server of this
    checkout running at the same time would change it too)."""
    before = _var_files()
    yield
    after = _var_files()
    if after != before:
        changed = sorted(set((after or {}).items()) ^ set((before or {}).items()))
        pytest.fail(
            f"the tests changed {VAR} (never touch it): {sorted({name for name, _ in changed}) or 'created'}"
        )


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
    return [
        topic
        for path in (SHARED_TOPICS, SHARED_MORE_TOPICS)
        for topic in yaml.safe_load(path.read_text())["topics"]
    ]


def topic_text(
    topic_id: str,
    parent: str = "Tekst voor ouders.",
    youth: str | None = None,
    reviewed_on: date | str = REVIEWED_ON,
    review_by: date | str = REVIEW_BY,
    url: str = "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs",
    phases: str = "[po, vo]",
    related: str | None = None,
) -> str:
    """A valid topic file's text, for tests that build their own content folder."""
    youth_part = f"\n## Jongeren\n{youth}\n" if youth else ""
    return (
        f"---\nid: {topic_id}\ntitle: Titel van {topic_id}\nlabel: Label {topic_id}\n"
        f"sources:\n  - title: Passend onderwijs\n    url: {url}\n"
        f"phases: {phases}\n"
        + (f"related: {related}\n" if related else "")
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


@pytest.fixture(scope="session", autouse=True)
def frozen_clock():
    """This process's clock stands still at FROZEN_NOW for the whole run, and so does that of
    every command a test runs (they inherit the environment; tests/support/servers.py freezes the
    servers it starts as well)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEUNPUNT_FROZEN_NOW", FROZEN_NOW)
        yield


@pytest.fixture(autouse=True)
def signals_db(tmp_path, monkeypatch):
    """Every test that records signals writes them to a database of its own, never var/."""
    from signals import record
    from signals.store import SignalStore
    from store.db import engine_for

    store = SignalStore(engine_for(f"sqlite:///{tmp_path / 'signals.db'}"))
    monkeypatch.setattr(record, "_store", store)
    return store


@pytest.fixture(autouse=True)
def fresh_message_buckets():
    """Every test starts with this process's message rate limits as the settings make them,
    empty: one test's messages never count against another's (steunpunt/ratelimit.py)."""
    from steunpunt import ratelimit

    ratelimit.reset()
    yield
    ratelimit.reset()
