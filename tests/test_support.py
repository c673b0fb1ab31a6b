"""The suite's own machinery: skipped or required outside services, the time per module,
readiness asked over HTTP, and no environment changed by importing a tool."""

import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.servers import rasa_ready

ROOT = Path(__file__).resolve().parent.parent

NEEDS_A_MISSING_SERVICE = """
from tests.support.services import needs

pytestmark = needs("FAKE_REQUIRE_FLAG", {"fake-service": None, "present": "/usr/bin/x"})


def test_needs_the_service():
    raise AssertionError("must not run without its service")
"""


def run_inner(pytester, monkeypatch, required: bool):
    if required:
        monkeypatch.setenv("FAKE_REQUIRE_FLAG", "1")
    else:
        monkeypatch.delenv("FAKE_REQUIRE_FLAG", raising=False)
    pytester.makepyfile(test_needs=NEEDS_A_MISSING_SERVICE, test_plain="def test_plain():\n    assert True\n")
    return pytester.runpytest("-p", "tests.support.report")


def test_a_missing_service_skips_its_tests_and_the_end_of_the_run_says_so_loudly(pytester, monkeypatch):
    result = run_inner(pytester, monkeypatch, required=False)
    result.assert_outcomes(passed=1, skipped=1)
    output = result.stdout.str()
    assert "1 tests did NOT run: a service they need is missing" in output
    assert "missing service: fake-service (with FAKE_REQUIRE_FLAG=1 this fails instead)" in output
    assert "present" not in output.split("did NOT run")[1]


def test_a_required_missing_service_fails_its_tests_and_the_rest_still_runs(pytester, monkeypatch):
    result = run_inner(pytester, monkeypatch, required=True)
    result.assert_outcomes(passed=1, errors=1)  # failed in setup, before any fixture started
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert (
        "missing service: fake-service (FAKE_REQUIRE_FLAG=1: this test must run here)" in result.stdout.str()
    )
    assert "did NOT run" not in result.stdout.str()


def test_the_end_of_the_run_shows_the_time_per_module(pytester):
    pytester.makepyfile(
        test_slow="import time\n\ndef test_a():\n    time.sleep(0.3)\n\ndef test_b():\n    pass\n",
        test_fast="def test_c():\n    pass\n",
    )
    result = pytester.runpytest("-p", "tests.support.report")
    result.assert_outcomes(passed=3)
    lines = result.stdout.str().split("time per test module")[1].splitlines()
    rows = [line.split() for line in lines[2:5]]
    assert [row[2] for row in rows] == ["test_slow.py", "test_fast.py", "total"]
    assert float(rows[0][0]) >= 0.3 and [row[1] for row in rows] == ["2", "1", "3"]


class _Answer(http.server.BaseHTTPRequestHandler):
    status, body, content_type = 200, b"", "application/json"

    def do_GET(self):
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(
    "status, body, content_type, ready",
    [
        (200, json.dumps({"ready": True}).encode(), "application/json", True),
        (200, json.dumps({"ready": False}).encode(), "application/json", False),
        (502, b"<html>502 Bad Gateway</html>", "text/html", False),  # nginx before Rasa is up
        (200, b"<html>not json</html>", "text/html", False),
    ],
)
def test_rasa_readiness_is_asked_over_http_whatever_the_log_level(status, body, content_type, ready):
    handler = type("Handler", (_Answer,), {"status": status, "body": body, "content_type": content_type})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert rasa_ready(f"http://127.0.0.1:{server.server_address[1]}") is ready
    finally:
        server.shutdown()
        server.server_close()
    closed = server.server_address[1]
    assert rasa_ready(f"http://127.0.0.1:{closed}") is False  # nothing listens any more


def test_importing_the_evaluation_tools_and_test_support_changes_no_environment_variable():
    """evaluation/systems.py once set LOG_LEVEL=WARNING when imported; collecting the suite
    imported it, and every Rasa server a later test started then logged nothing at INFO."""
    modules = sorted(f"evaluation.{path.stem}" for path in (ROOT / "evaluation").glob("*.py"))
    modules += ["tests.support.servers", "tests.support.services", "scripts.train", "scripts.spacy_pipeline"]
    code = (
        "import os, importlib, sys; before = dict(os.environ)\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print(changed); sys.exit(1 if changed else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]


def test_the_test_script_fails_when_pytest_collects_no_tests(tmp_path):
    """pytest exits 5 when it collects nothing (a path or -k that matches no test): scripts/test.sh
    must fail then and say why, or a CI run that tested nothing would pass. The script runs as it
    is; the set-up it sources first (scripts/setup.sh: .venv, spaCy pipeline, site assets, a
    trained model, minutes on a fresh checkout) is replaced by a stand-in that leaves what
    set-up leaves: PY and MODEL."""
    import shlex
    import shutil

    scripts, tests = tmp_path / "scripts", tmp_path / "tests"
    scripts.mkdir()
    tests.mkdir()
    shutil.copy(ROOT / "scripts" / "test.sh", scripts / "test.sh")
    model = tmp_path / "model.tar.gz"
    model.write_bytes(b"")
    (scripts / "setup.sh").write_text(
        f'ROOT={shlex.quote(str(tmp_path))}\ncd "$ROOT"\n'
        f"MODEL={shlex.quote(str(model))}\nPY={shlex.quote(sys.executable)}\n"
    )
    small = tests / "test_small.py"
    small.write_text("def test_one():\n    pass\n")
    # a test path as argument: test.sh then skips the static gate
    path = str(small.relative_to(tmp_path))

    def run_test_sh(*arguments):
        return subprocess.run(
            ["bash", str(scripts / "test.sh"), path, "-p", "no:cacheprovider", *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run_test_sh().returncode == 0  # the stand-in is enough for a run that finds its test
    done = run_test_sh("-k", "no_such_test")
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, done.stdout + done.stderr
    assert "[test] pytest collected no tests" in done.stderr
