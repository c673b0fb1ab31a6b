"""Start the real servers for end-to-end tests and benchmarks, on free localhost ports.

`assistant()` runs the README's run command (scripts/run.sh) with its own ports and
databases; `scaled_assistant()` the scaled form (scripts/run_scaled.sh); `rasa_init_bot()`
runs Rasa's default `rasa init` assistant for comparison. Each yields once every process it
started answers over HTTP (Rasa: GET /webhooks/status/ says {"ready": true}; action server:
GET /health; nginx, staff app and site: their own ports), never by reading log lines, whose
level the environment decides. Each stops every process it started.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, Iterator, List

ROOT = Path(__file__).resolve().parents[2]
#: The secret key of test deployments (long enough for settings.secret_key()).
TEST_SECRET = "test-secret-key-for-tests-only-0123456789"
RASA = Path(sys.executable).with_name("rasa")
STARTUP_SECONDS = 300


def _after_last_review() -> str:
    """Noon (UTC) on the day after the newest `reviewed_on` of the real content: inside every
    real topic's review period (checked, not yet due) for as long as the content is consistent,
    and it moves along when editors renew the content."""
    content = ROOT / "content"
    reviewed = [
        line.split(":", 1)[1].split()[0]
        for path in [
            *content.glob("topics/*.md"),
            *content.glob("regions/*/topics/*.md"),
            *content.glob("regions/*/sections/*.md"),
        ]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("reviewed_on:")
    ]
    return f"{date.fromisoformat(max(reviewed)) + timedelta(days=1)}T12:00:00"


#: The time every process started here lives at (steunpunt.clock reads STEUNPUNT_FROZEN_NOW), so
#: that no test or benchmark depends on the calendar: the real topics are always served.
FROZEN_NOW = _after_last_review()


def _monday_after(stamp: str) -> str:
    """The first Monday at 11:00 UTC (12:00 in Amsterdam) on or after `stamp`."""
    day = datetime.fromisoformat(stamp).replace(hour=11, minute=0, second=0)
    return (day + timedelta(days=(7 - day.weekday()) % 7)).isoformat()


#: A moment a person can be available for live chat (issue 25): inside the example region's
#: opening hours (maandag 9.00-16.00) and, like FROZEN_NOW, with every real topic in review.
OPEN_MONDAY = _monday_after(FROZEN_NOW)


def frozen_clock(env: Dict[str, str]) -> Dict[str, str]:
    """`env` with the clock frozen at FROZEN_NOW, unless `env` freezes it at a time of its own."""
    return {"STEUNPUNT_FROZEN_NOW": FROZEN_NOW, **env}


def _ephemeral_start() -> int:
    """The first port the kernel hands out for outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


_next_port = [0]


def free_port() -> int:
    """A free port below the kernel's ephemeral range, never given twice in one run.

    Asking the kernel for port 0 and closing it again races: the kernel may hand the same port
    to any outgoing connection before the server binds it. Ports below the ephemeral range are
    only taken by servers, and this process counts them out one by one from a random start."""
    low, high = 10000, _ephemeral_start()
    if not _next_port[0]:
        import random

        _next_port[0] = random.randrange(low, high)
    for _ in range(high - low):
        port = _next_port[0]
        _next_port[0] = low if port + 1 >= high else port + 1
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port")


def http(
    url: str, body=None, raw: bytes | None = None, timeout: float = 60, headers: Dict[str, str] | None = None
):
    """(status, parsed JSON) for a GET, or a POST when a body is given."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def status_of(url: str, timeout: float = 5) -> int:
    """The HTTP status of a GET, whatever the body is (0 when nothing answers)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@dataclass
class Running:
    base: str
    env: Dict[str, str]
    group: int
    action_port: int = 0
    site: str = ""
    rasa_ports: List[int] = field(default_factory=list)  # scaled form: each Rasa process
    log: Path = field(default_factory=Path)

    def listening(self) -> List[str]:
        """host:port of every TCP socket a process of this run listens on (from /proc)."""
        pids = subprocess.run(
            ["pgrep", "-g", str(self.group)], capture_output=True, text=True, check=False
        ).stdout.split()
        inodes = set()
        for pid in pids:
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        target = os.readlink(f"/proc/{pid}/fd/{fd}")
                        if target.startswith("socket:["):
                            inodes.add(target[8:-1])
        found = []
        for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
            with contextlib.suppress(OSError), open(table) as lines:
                for line in list(lines)[1:]:
                    fields = line.split()
                    if fields[3] != "0A" or fields[9] not in inodes:  # 0A: LISTEN
                        continue
                    address, port = fields[1].split(":")
                    raw = bytes.fromhex(address)
                    if width == 8:
                        host = ".".join(str(b) for b in raw[::-1])
                    else:
                        words = [raw[i : i + 4][::-1] for i in range(0, 16, 4)]
                        host = socket.inet_ntop(socket.AF_INET6, b"".join(words))
                    found.append(f"{host}:{int(port, 16)}")
        return sorted(set(found))

    def pids(self, pattern: str) -> List[int]:
        """Processes of this run whose command line matches (e.g. '-m actions')."""
        found = subprocess.run(
            ["pgrep", "-g", str(self.group), "-f", "--", pattern], capture_output=True, text=True, check=False
        ).stdout.split()
        return [int(pid) for pid in found]


def web_app_checks(staff_port: int, site_port: int) -> Dict[str, Callable[[], bool]]:
    """Readiness of our own web apps, the same in the embedded and the scaled form."""
    return {
        "staff app": lambda: answers(f"http://127.0.0.1:{staff_port}/"),
        "site": lambda: answers(f"http://127.0.0.1:{site_port}/widget.js", 200),
    }


def rasa_ready(base: str) -> bool:
    """Whether the Rasa server at `base` has loaded its model: GET /webhooks/status/ says
    {"ready": true} (False while nothing, or a proxy's error page, answers)."""
    try:
        status, body = http(base + "/webhooks/status/", timeout=5)
    except (OSError, ValueError):
        return False
    return status == 200 and isinstance(body, dict) and body.get("ready") is True


def answers(url: str, *statuses: int) -> bool:
    """Whether a GET of `url` gets one of these statuses (none given: any HTTP answer)."""
    status = status_of(url)
    return status in statuses if statuses else status != 0


class StartupFailed(RuntimeError):
    """The servers of a test deployment did not come up."""


def _problems(log: Path, limit: int = 40) -> str:
    """The lines of a whole log that say something went wrong: a server that failed early
    (a port taken, an import error) wrote it long before the tail that is shown."""
    lines = log.read_text(errors="replace").splitlines()
    found = [line for line in lines if re.search(r"Traceback|Error|error|Exception|refused|in use", line)]
    found = [line for line in found if "Warning" not in line]
    return "\n".join(found[:limit])


def wait_until_ready(waiting: Callable[[], List[str]], process: subprocess.Popen, log: Path) -> None:
    """Until `waiting()` (what does not answer yet) is empty; fails when the process group's
    leader stops or STARTUP_SECONDS pass, naming what did not answer."""
    deadline = time.time() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise StartupFailed("server stopped:\n" + _problems(log) + "\n...\n" + log.read_text()[-3000:])
        not_ready = waiting()
        if not not_ready:
            return
        if time.time() > deadline:
            raise StartupFailed(
                f"servers did not start in {STARTUP_SECONDS} s; not answering: "
                f"{', '.join(not_ready)}\nproblems in the log:\n{_problems(log)}\n...\n"
                + log.read_text()[-3000:]
            )
        time.sleep(2)


@contextlib.contextmanager
def process_group(command, cwd: Path, env: Dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """`command` in a process group of its own, its output in `log`; the whole group is stopped
    on leaving (also used by evaluation/security_tries.py)."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        # Wait for the whole group, not only its leader: a server left behind would keep its
        # port and its database connections into the next test.
        deadline = time.time() + 30
        while time.time() < deadline:
            process.poll()  # reap the leader, so that only live members are counted
            if not _group_alive(process.pid):
                break
            time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


def _group_alive(group: int) -> bool:
    return bool(
        subprocess.run(
            ["pgrep", "-g", str(group)], capture_output=True, text=True, check=False
        ).stdout.strip()
    )


def _accepts(process: subprocess.Popen, port: int, seconds: float = 60) -> bool:
    """Whether `process` came up listening on `port` (False once it has exited)."""
    deadline = time.time() + seconds
    while time.time() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process.poll() is None  # ours, not a program that had the port already
        except OSError:
            time.sleep(0.2)
    return False


@contextlib.contextmanager
def python_module(module: str, env: Dict[str, str], stop_seconds: float = 60) -> Iterator[int]:
    """`python -m <module> --port N` (a web app of ours) on a free port; yields the port once
    it accepts connections, stops it afterwards."""
    for _attempt in range(3):  # another program may take the port first: then try the next
        port = free_port()
        # A file, not a pipe: a pipe nobody reads would block a chatty server. The server keeps
        # its own descriptor of it, so ours may close once it is up.
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", module, "--port", str(port)],
                env=frozen_clock(env),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
            if _accepts(process, port):
                break
            process.kill()
            process.wait()
            errors.seek(0)
            error = errors.read().decode(errors="replace")
        if "address already in use" not in error.lower():
            raise RuntimeError(f"python -m {module} did not start:\n{error[-3000:]}")
    else:
        raise RuntimeError(f"python -m {module} found no free port")
    try:
        yield port
    finally:
        process.terminate()  # the staff app takes seconds to exit once deduce's tables are loaded
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


def available_colleague(database_url: str, name: str, password: str, at: datetime) -> int:
    """A staff member of the example region, logged in and switched on for live chat at `at`
    (as "Beschikbaar voor chat" in the staff app does): a person is available in the deployment
    whose database this is. Returns the staff id."""
    from steunpunt import clock
    from store import db, presence
    from store.accounts import Accounts

    engine = db.engine_for(database_url)
    accounts = Accounts(engine, session_hours=8)
    staff_id = accounts.create(name, password, regions=["voorbeeld"])
    with clock.frozen(at):
        assert accounts.login(name, password, "127.0.0.1")
    presence.set_available(engine, staff_id, True, at)
    return staff_id


def regions_with(workdir: Path, *extra: str) -> Path:
    """A regions folder for a test run: the repository's regions plus `extra` ones that have
    the example region's facts and override nothing (so a test can count its own signals)."""
    import shutil

    target = workdir / "regions"
    shutil.copytree(ROOT / "content" / "regions", target, dirs_exist_ok=True)
    for region in extra:
        (target / region).mkdir(exist_ok=True)
        shutil.copy(ROOT / "content" / "regions" / "voorbeeld" / "regio.yml", target / region / "regio.yml")
    return target


#: Test and benchmark deployments send every message from 127.0.0.1, as fast as they can: the
#: message and ticket limits (tested on their own) must not decide what those runs measure.
UNLIMITED = {
    "STEUNPUNT_TICKETS_PER_HOUR": "1000000",
    "STEUNPUNT_MESSAGES_PER_CONVERSATION_MINUTE": "1000000",
    "STEUNPUNT_MESSAGE_BURST_PER_CONVERSATION": "1000000",
    "STEUNPUNT_MESSAGES_PER_CLIENT_MINUTE": "1000000",
    "STEUNPUNT_MESSAGE_BURST_PER_CLIENT": "100000",
    "STEUNPUNT_MESSAGES_PER_MINUTE": "1000000",
    "STEUNPUNT_MESSAGE_BURST": "1000000",
}


@contextlib.contextmanager
def assistant(workdir: Path, extra_env: Dict[str, str] | None = None) -> Iterator[Running]:
    """The steunpunt assistant via scripts/run.sh: Rasa, action server, staff app and site.

    A start that fails is tried once more, in a fresh folder with fresh ports, and both
    failures are reported if it fails again: once (in CI, 2026-12-06) the action server did not
    answer in 300 s, with nothing in the log's tail to say why; the test is about what the
    servers do, and a second failure still fails it, with the problems of both logs."""
    first = None
    for attempt in range(2):
        folder = workdir if attempt == 0 else workdir / "second-start"
        folder.mkdir(parents=True, exist_ok=True)
        started = False
        try:
            with _assistant(folder, extra_env) as running:
                started = True
                yield running
                return
        except StartupFailed as failure:
            if started or attempt == 1:
                raise StartupFailed(f"{failure}\n\nthe first start failed too:\n{first}") from failure
            first = failure


_demo_schools: Dict[str, Path] = {}


def demo_schools_dir() -> Path:
    """A schools folder with the example region's fictional schools imported, as set-up does for
    var/ (scripts/setup.sh): every test deployment gets the demo's school directory. Imported
    once per test run, by the real command."""
    if "dir" not in _demo_schools:
        folder = Path(tempfile.mkdtemp(prefix="steunpunt-schools-"))
        files = sorted(str(p) for p in (ROOT / "content" / "regions" / "voorbeeld" / "duo").glob("*.csv"))
        subprocess.run(
            [sys.executable, "-m", "schools", "import", "--region", "voorbeeld", *files],
            cwd=ROOT,
            env={**os.environ, "STEUNPUNT_SCHOOLS_DIR": str(folder)},
            check=True,
            capture_output=True,
        )
        _demo_schools["dir"] = folder
    return _demo_schools["dir"]


@contextlib.contextmanager
def _assistant(workdir: Path, extra_env: Dict[str, str] | None = None) -> Iterator[Running]:
    port, action_port, staff_port, site_port = free_port(), free_port(), free_port(), free_port()
    env = frozen_clock(
        {
            **os.environ,
            "STEUNPUNT_PORT": str(port),
            "STEUNPUNT_ACTION_PORT": str(action_port),
            "STEUNPUNT_STAFF_PORT": str(staff_port),
            "STEUNPUNT_SITE_PORT": str(site_port),
            "STEUNPUNT_TRACKER_DB": str(workdir / "trackers.db"),
            "STEUNPUNT_DATABASE_URL": f"sqlite:///{workdir / 'steunpunt.db'}",
            "STEUNPUNT_SECRET_KEY": TEST_SECRET,
            "STEUNPUNT_SCHOOLS_DIR": str(demo_schools_dir()),
            # every test client is 127.0.0.1: the per-client ticket limit has a test of its own
            "STEUNPUNT_TICKETS_PER_CLIENT_HOUR": "1000",
            **UNLIMITED,
            **(extra_env or {}),
        }
    )
    env.pop("RASA_API_TOKEN", None)
    log = workdir / "run.log"
    base = f"http://127.0.0.1:{port}"
    with process_group(["./scripts/run.sh"], ROOT, env, log) as process:
        # the shared redaction worker (scripts/run.sh) opens its socket once its tables are in
        # memory: until then signals are stored without text, which tests of texts would see
        var_dir = Path(env.get("STEUNPUNT_VAR_DIR") or ROOT / "var")
        socket_path = Path(env.get("STEUNPUNT_REDACTION_SOCKET") or var_dir / f"redactor-{action_port}.sock")
        checks = {
            "rasa": lambda: rasa_ready(base),
            "action server": lambda: answers(f"http://127.0.0.1:{action_port}/health", 200),
            "redaction worker": socket_path.exists,
            **web_app_checks(staff_port, site_port),
        }
        wait_until_ready(lambda: [name for name, ready in checks.items() if not ready()], process, log)
        yield Running(
            base=base,
            env=env,
            group=process.pid,
            action_port=action_port,
            log=log,
            site=f"http://127.0.0.1:{site_port}",
        )


def free_range(count: int) -> int:
    """The first of `count` consecutive free ports (run_scaled.sh numbers its ports upwards)."""
    import random

    for _ in range(50):  # below the ephemeral range, as free_port() explains
        start = random.randint(10000, _ephemeral_start() - count - 1)
        try:
            for port in range(start, start + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
            return start
        except OSError:
            continue
    raise RuntimeError("no free port range")


@contextlib.contextmanager
def scaled_assistant(
    workdir: Path, database_url: str, rasa: int = 2, actions: int = 2, extra_env: Dict[str, str] | None = None
) -> Iterator[Running]:
    """The scaled form (scripts/run_scaled.sh) on PostgreSQL, with a Redis of its own and nginx;
    `Running.rasa_ports` are the Rasa processes' own ports behind nginx."""
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--bind",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        cwd=workdir,
    )
    internal, port = free_range(2 + actions + rasa), free_port()
    staff_port, site_port = free_port(), free_port()
    # run_scaled.sh numbers its internal ports upwards: the action proxy, the action servers,
    # then the Rasa processes.
    action_ports = [internal + 1 + i for i in range(actions)]
    rasa_ports = [internal + 1 + actions + i for i in range(rasa)]
    env = frozen_clock(
        {
            **os.environ,
            "STEUNPUNT_DATABASE_URL": database_url,
            "STEUNPUNT_REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
            "STEUNPUNT_SECRET_KEY": TEST_SECRET,
            "STEUNPUNT_PORT": str(port),
            "STEUNPUNT_INTERNAL_PORT": str(internal),
            "STEUNPUNT_RASA_PROCESSES": str(rasa),
            "STEUNPUNT_ACTION_PROCESSES": str(actions),
            "STEUNPUNT_STAFF_PORT": str(staff_port),
            "STEUNPUNT_SITE_PORT": str(site_port),
            "STEUNPUNT_TICKETS_PER_CLIENT_HOUR": "100000",
            "TICKET_LOCK_LIFETIME": "10",
            **UNLIMITED,
            **(extra_env or {}),
        }
    )
    log = workdir / "scaled.log"
    base = f"http://127.0.0.1:{port}"
    try:
        with process_group(["./scripts/run_scaled.sh"], ROOT, env, log) as process:
            checks: Dict[str, Callable[[], bool]] = {
                f"rasa :{p}": functools.partial(rasa_ready, f"http://127.0.0.1:{p}") for p in rasa_ports
            }
            checks.update(
                {
                    f"action server :{p}": functools.partial(answers, f"http://127.0.0.1:{p}/health", 200)
                    for p in action_ports
                }
            )
            checks.update(
                {
                    "nginx (chat)": lambda: rasa_ready(base),
                    "nginx (actions)": lambda: answers(f"http://127.0.0.1:{internal}/health", 200),
                    **web_app_checks(staff_port, site_port),
                }
            )
            wait_until_ready(lambda: [name for name, ready in checks.items() if not ready()], process, log)
            yield Running(
                base=base,
                env=env,
                group=process.pid,
                log=log,
                rasa_ports=rasa_ports,
                action_port=action_ports[0],
                site=f"http://127.0.0.1:{site_port}",
            )
    finally:
        redis.terminate()
        redis.wait(timeout=30)


@contextlib.contextmanager
def rasa_init_bot(workdir: Path) -> Iterator[Running]:
    """Rasa's default assistant exactly as `rasa init` writes and trains it."""
    project = workdir / "rasa-init"
    if not (project / "models").exists():
        project.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(RASA), "init", "--no-prompt", "--init-dir", str(project)],
            check=True,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = workdir / "rasa-init.log"
    base = f"http://127.0.0.1:{port}"
    with process_group(
        [str(RASA), "run", "--port", str(port), "--interface", "127.0.0.1"], project, env, log
    ) as process:
        wait_until_ready(lambda: [] if answers(base + "/webhooks/rest/", 200) else ["rasa"], process, log)
        yield Running(base=base, env=env, group=process.pid, log=log)
