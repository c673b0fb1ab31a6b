"""Where the action server's memory goes, and what the shared redaction worker saves (issue 29).

    .venv/bin/python -m evaluation.action_memory [--tables]

Each figure comes from a fresh process, read from /proc/<pid>/status (VmRSS: resident now):
- the action server (`python -m actions`) started as scripts/run.sh did before (the redaction
  tables loaded in it: STEUNPUNT_WARM_REDACTOR=1) and as it does now (a redaction worker on
  STEUNPUNT_REDACTION_SOCKET), once /health answers and the warm-up, if any, is done;
- the steps of loading the redaction in one process (import deduce, Deduce(), the word lists,
  the first redaction), a redaction's time, and one full garbage collection with the tables
  loaded (what every action server paid now and then);
- the redaction worker's own memory and a signal's round trip through it;
- with --tables: each of deduce's lookup tables alone, to name the large ones.

Prints Markdown for docs/performance.md ("Action server memory"). Timings are this machine's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TEXT = "ik snap niet waarom mijn dochter sanne geen tlv krijgt, bel me op 0612345678"


def rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS:"))


def _env(folder: Path, **extra: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "STEUNPUNT_VAR_DIR": str(folder),
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'steunpunt.db'}",
        "STEUNPUNT_SECRET_KEY": "m" * 40,
    }
    env.pop("STEUNPUNT_REDACTION_SOCKET", None)
    env.update(extra)
    return env


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def action_server_mb(folder: Path, settle: float, **extra: str) -> int:
    """The action server's resident memory once it answers /health and `settle` seconds passed."""
    port = _free_port()
    process = subprocess.Popen(
        [PY, "-m", "actions", "--port", str(port)],
        cwd=ROOT,
        env=_env(folder, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(settle)
        return rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(30)


STEPS = textwrap.dedent(
    """
    import gc, json, sys, time
    def rss():
        return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:"))
    out = {"python": rss()}
    import actions.respond, actions.handoff
    out["action modules"] = rss()
    import deduce
    out["import deduce"] = rss()
    from deduce import Deduce
    from signals.redact import DEDUCE_CONFIG, Redactor, WordLists
    t = time.perf_counter(); d = Deduce(load_base_config=False, config=str(DEDUCE_CONFIG))
    out["Deduce() (its lookup tables)"] = rss(); out["load_s"] = round(time.perf_counter() - t, 1)
    WordLists()
    out["word lists of the rules"] = rss()
    del d
    r = Redactor(); r.redact("warm")
    t = time.perf_counter()
    for _ in range(50): r.redact(sys.argv[1])
    out["redact_ms"] = round((time.perf_counter() - t) / 50 * 1000, 1)
    out["objects"] = len(gc.get_objects())
    t = time.perf_counter(); gc.collect(); out["gc_ms"] = round((time.perf_counter() - t) * 1000)
    print(json.dumps(out))
    """
)


def steps(folder: Path) -> dict:
    import json

    done = subprocess.run(
        [PY, "-c", STEPS, TEXT], cwd=ROOT, env=_env(folder), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(folder: Path) -> dict:
    """The worker's memory once ready, and a signal's redaction through it from this process."""
    from signals import redaction_worker

    path = folder / "r.sock"
    process = subprocess.Popen(
        [PY, "-m", "signals", "redactor", "--socket", str(path)],
        cwd=ROOT,
        env=_env(folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        redaction_worker.redact("warm", path, 5)
        started = time.perf_counter()
        for _ in range(200):
            redaction_worker.redact(TEXT, path, 5)
        return {
            "worker_mb": rss_mb(process.pid),
            "round_trip_ms": round((time.perf_counter() - started) / 200 * 1000, 2),
        }
    finally:
        process.terminate()
        process.wait(30)


TABLES = textwrap.dedent(
    """
    import pickle, sys
    def rss():
        return next(int(l.split()[1]) // 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:"))
    before = rss(); table = pickle.load(open(sys.argv[1], "rb")); print(rss() - before)
    """
)


def tables(folder: Path) -> dict:
    """Each of deduce's lookup tables alone, in a fresh process (its public lists, no user data)."""
    import pickle

    import deduce

    cache = Path(deduce.__file__).parent / "data" / "lookup" / "cache" / "lookup_structs.pickle"
    with open(cache, "rb") as handle:
        structs = pickle.load(handle)["lookup_structs"]  # noqa: S301 - deduce's own installed cache
    names = sorted(structs)
    for name in names:
        with open(folder / f"table-{name}", "wb") as handle:
            pickle.dump(structs[name], handle)
    del structs
    sizes = {}
    for name in names:
        done = subprocess.run(
            [PY, "-c", TABLES, str(folder / f"table-{name}")],
            env=_env(folder),
            capture_output=True,
            text=True,
            check=True,
        )
        sizes[name] = int(done.stdout.strip())
    return dict(sorted(sizes.items(), key=lambda item: -item[1]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tables", action="store_true", help="also each of deduce's lookup tables alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mem-") as tmp:
        folder = Path(tmp)
        before = action_server_mb(folder, 20, STEUNPUNT_WARM_REDACTOR="1")
        after = action_server_mb(
            folder, 5, STEUNPUNT_WARM_REDACTOR="1", STEUNPUNT_REDACTION_SOCKET=str(folder / "none.sock")
        )
        loading = steps(folder)
        shared = worker(folder)
        sizes = tables(folder) if args.tables else {}
    lines = [
        "| process | resident (VmRSS) |",
        "| --- | --- |",
        "| action server, tables loaded in it (before: run.sh set STEUNPUNT_WARM_REDACTOR=1) "
        f"| {before} MB |",
        f"| action server with the shared redaction worker (now) | {after} MB |",
        f"| the redaction worker (one per machine) | {shared['worker_mb']} MB |",
        "",
        "Loading the redaction in one process, step by step (resident memory after each step):",
        "",
    ]
    for step in (
        "python",
        "action modules",
        "import deduce",
        "Deduce() (its lookup tables)",
        "word lists of the rules",
    ):
        lines.append(f"- {step}: {loading[step]} MB")
    lines += [
        "",
        f"Deduce() loads in {loading['load_s']} s; a redaction takes {loading['redact_ms']} ms "
        f"in-process and {shared['round_trip_ms']} ms through the worker's socket; with the tables "
        f"loaded the process tracks {loading['objects']:,} objects and one full garbage collection "
        f"takes {loading['gc_ms']} ms.",
    ]
    if sizes:
        lines += [
            "",
            "deduce's lookup tables, each alone: " + ", ".join(f"{k} {v} MB" for k, v in sizes.items()),
        ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
