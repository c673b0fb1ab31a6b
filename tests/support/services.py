"""Tests that need a service from outside the repository: Chromium, Redis, nginx, PostgreSQL.

A module (or test) declares what it needs with `needs`:

    pytestmark = needs("STEUNPUNT_REQUIRE_BROWSER", {"chromium": shutil.which("chromium")})

Without the service a local run skips each of its tests, with a reason that starts with
`MISSING_SERVICE`; the end of the run lists every such skip loudly (tests/conftest.py), so
"all passed" never hides tests that did not run. With the environment variable set to 1 (CI:
.ci/run sets STEUNPUNT_REQUIRE_BROWSER=1 and STEUNPUNT_REQUIRE_SCALED=1) each of those tests
fails instead, and the rest of the suite still runs.
"""

from __future__ import annotations

import os
from typing import Mapping, Optional

import pytest

#: Every skip for a missing service has a reason that starts with this.
MISSING_SERVICE = "missing service"
MARK = "needs_services"


def needs(require_flag: Optional[str], found: Mapping[str, object]) -> pytest.MarkDecorator:
    """A mark: the test needs every service in `found` (name -> anything true when present).
    `require_flag`: the environment variable that, set to 1, makes a missing service a failure
    (None: always a skip)."""
    missing = tuple(name for name, present in found.items() if not present)
    return getattr(pytest.mark, MARK)(require_flag=require_flag, missing=missing)


def reason(missing) -> str:
    return f"{MISSING_SERVICE}: {', '.join(missing)}"


def check(item: pytest.Item) -> None:
    """Before a test runs (conftest's pytest_runtest_setup): skip it, or fail it when its
    require flag is 1, if a service it needs is missing."""
    for mark in item.iter_markers(MARK):
        missing, flag = mark.kwargs["missing"], mark.kwargs["require_flag"]
        if not missing:
            continue
        if flag and os.environ.get(flag) == "1":
            pytest.fail(f"{reason(missing)} ({flag}=1: this test must run here)", pytrace=False)
        pytest.skip(reason(missing) + (f" (with {flag}=1 this fails instead)" if flag else ""))


def skip_unless(present: object, name: str, require_flag: Optional[str] = None) -> None:
    """Inside a test or fixture: the same as `needs`, for a service only it uses."""
    if present:
        return
    if require_flag and os.environ.get(require_flag) == "1":
        pytest.fail(f"{reason([name])} ({require_flag}=1: this test must run here)", pytrace=False)
    pytest.skip(reason([name]))
