"""A pytest plugin for this suite (tests/conftest.py loads it):

- a test marked with `tests.support.services.needs` whose outside service is missing is
  skipped before any fixture starts a server, or failed when its require flag is 1 (CI);
- at the end, every test skipped for a missing service is listed loudly, so that "passed"
  never hides tests that did not run here;
- at the end, a table of the time spent per test module (setup, call and teardown, module
  fixtures such as started servers included), which CI's output then shows.
"""

from __future__ import annotations

from typing import Dict, Iterable, List

import pytest

from tests.support import services


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{services.MARK}(require_flag, missing): the test needs "
        "services from outside the repository (tests/support/services.py)",
    )
    config.pluginmanager.register(RunReport(), "steunpunt-run-report")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    services.check(item)


def skipped_for_missing_services(reports: Iterable) -> Dict[str, int]:
    """Reason -> number of tests, for the skips whose reason names a missing service."""
    found: Dict[str, int] = {}
    for report in reports:
        longrepr = getattr(report, "longrepr", None)
        text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        text = text.removeprefix("Skipped: ")
        if text.startswith(services.MISSING_SERVICE):
            found[text] = found.get(text, 0) + 1
    return found


def module_times(seconds: Dict[str, float], tests: Dict[str, int]) -> List[str]:
    """The lines of a table of the time per test module, slowest first, and the total."""
    lines = [f"{'seconds':>9}  {'tests':>5}  module"]
    for module, spent in sorted(seconds.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"{spent:9.1f}  {tests.get(module, 0):5d}  {module}")
    lines.append(f"{sum(seconds.values()):9.1f}  {sum(tests.values()):5d}  total")
    return lines


class RunReport:
    """What one pytest run measured (one per run, so a run inside a test keeps its own)."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = {}
        self.tests: Dict[str, int] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        module = report.nodeid.split("::")[0]
        self.seconds[module] = self.seconds.get(module, 0.0) + report.duration
        if report.when == "setup":
            self.tests[module] = self.tests.get(module, 0) + 1

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.seconds:
            terminalreporter.write_sep("=", "time per test module (setup + call + teardown)")
            for line in module_times(self.seconds, self.tests):
                terminalreporter.write_line(line)
        missing = skipped_for_missing_services(terminalreporter.stats.get("skipped", []))
        if missing:
            total = sum(missing.values())
            terminalreporter.write_sep(
                "!", f"{total} tests did NOT run: a service they need is missing", red=True, bold=True
            )
            for text, count in sorted(missing.items()):
                terminalreporter.write_line(f"{count:5d}  {text}", red=True)
            terminalreporter.write_line(
                "They passed nowhere: install what is missing to run them here (.ci/run shows how).",
                red=True,
                bold=True,
            )
