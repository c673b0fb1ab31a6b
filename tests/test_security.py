"""Security findings of issue 13, each with a test that failed before its fix (unit level;
the running servers are tried in test_end_to_end.py and test_staff_web.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from steunpunt import settings

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_or_empty_secret_key_is_refused(monkeypatch):
    for value in ("", "   ", "kort"):
        monkeypatch.setenv("STEUNPUNT_SECRET_KEY", value)
        with pytest.raises(RuntimeError, match="shorter than"):
            settings.secret_key()


def test_the_secret_key_file_is_created_once_even_by_processes_racing(tmp_path):
    key_file = tmp_path / "var" / "secret.key"
    env = {k: v for k, v in os.environ.items() if k != "STEUNPUNT_SECRET_KEY"}
    env["STEUNPUNT_SECRET_KEY_FILE"] = str(key_file)
    script = "from steunpunt import settings; print(settings.secret_key().decode())"
    racers = [
        subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    keys = {racer.communicate(timeout=60)[0].strip() for racer in racers}
    assert len(keys) == 1 and len(keys.pop()) == 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]  # no temporary left


def test_an_empty_key_file_is_refused_not_used(tmp_path, monkeypatch):
    key_file = tmp_path / "secret.key"
    key_file.write_text("")
    monkeypatch.delenv("STEUNPUNT_SECRET_KEY", raising=False)
    monkeypatch.setattr(settings, "SECRET_KEY_FILE", key_file)
    with pytest.raises(RuntimeError):
        settings.secret_key()


def test_the_action_token_comes_from_the_secret(monkeypatch):
    monkeypatch.delenv("STEUNPUNT_ACTION_TOKEN", raising=False)
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "a" * 40)
    first = settings.action_token()
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "b" * 40)
    assert settings.action_token() != first and len(first) == 64


@pytest.mark.parametrize(
    "proxies, peer, forwarded, expected",
    [
        ((), "10.0.0.5", "1.2.3.4", "10.0.0.5"),  # no proxy trusted: header ignored
        (("10.0.0.5",), "10.0.0.5", "1.2.3.4", "1.2.3.4"),  # from the trusted proxy
        (("10.0.0.5",), "10.0.0.9", "1.2.3.4", "10.0.0.9"),  # someone else sends the header
        (("10.0.0.5",), "10.0.0.5", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # a forged first hop is ignored
        (("10.0.0.5",), "10.0.0.5", "zomaar iets", "10.0.0.5"),
        ((), None, None, "onbekend"),
    ],
)
def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(
    monkeypatch, proxies, peer, forwarded, expected
):
    from steunpunt import clients

    monkeypatch.setattr(settings, "TRUSTED_PROXIES", frozenset(proxies))
    assert clients.client_address(peer, forwarded) == expected


def test_a_client_key_is_a_keyed_pseudonym_and_forged_keys_are_not_taken(monkeypatch):
    from steunpunt import clients

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "s" * 40)
    key = clients.client_key("1.2.3.4")
    assert "1.2.3.4" not in key and len(key) == 24 and key == clients.client_key("1.2.3.4")
    assert clients.client_from_metadata({"client": key}) == key
    assert clients.client_from_metadata({"client": "1.2.3.4"}) == clients.UNKNOWN
    assert clients.client_from_metadata(None) == clients.UNKNOWN


def test_the_action_server_does_not_echo_a_failed_call(tmp_path):
    """Rasa SDK's own error handler returned (and logged) the whole request: the conversation."""
    import json
    import urllib.error
    import urllib.request

    from tests.support.servers import TEST_SECRET, python_module

    env = {
        **os.environ,
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "STEUNPUNT_ACTION_TOKEN": "t" * 40,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "PYTHONPATH": str(ROOT),
    }
    secret_story = "Mijn dochter Fleur wordt gepest"
    call = {
        "next_action": "action_respond",
        "version": "3.6.2",
        "sender_id": "x",
        "tracker": {"sender_id": "x", "latest_message": secret_story, "events": "geen lijst"},
    }
    with python_module("actions", env) as port:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhook?token={'t' * 40}",
            data=json.dumps(call).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=30)
        body = failed.value.read().decode()
    assert failed.value.code >= 400 and secret_story not in body and "Fleur" not in body


# --- issue 24 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "one, other, same",
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:eeee:dddd:5", True),  # one home's /64: one client
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),  # the next /64: another client
        ("::ffff:192.0.2.7", "192.0.2.7", True),  # IPv4 written as IPv6
        ("192.0.2.7", "192.0.2.8", False),  # IPv4 stays per address
    ],
)
def test_limits_count_an_ipv6_64_as_one_client(monkeypatch, one, other, same):
    from steunpunt import clients

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "s" * 40)
    assert (clients.client_key(one) == clients.client_key(other)) is same
    assert clients.client_key(clients.UNKNOWN) == clients.client_key(clients.UNKNOWN)


@pytest.fixture
def ticket_store(tmp_path):
    from store.db import engine_for
    from store.tickets import TicketStore

    return TicketStore(engine_for(f"sqlite:///{tmp_path / 'tickets.db'}"), b"k" * 40)


def test_new_addresses_in_one_64_do_not_start_the_ticket_limit_afresh(ticket_store, monkeypatch):
    from steunpunt import clients

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "s" * 40)
    monkeypatch.setattr(settings, "TICKETS_PER_CLIENT_HOUR", 2)
    rotating = [clients.client_key(f"2001:db8:aa:bb::{n:x}") for n in range(1, 5)]
    assert [ticket_store.may_create(key) for key in rotating] == [True, True, False, False]
    assert ticket_store.may_create(clients.client_key("2001:db8:aa:cc::1"))


def test_tickets_from_many_addresses_meet_a_cap_with_one_alarm(ticket_store, monkeypatch, caplog):
    monkeypatch.setattr(settings, "TICKETS_PER_HOUR", 3)
    clients = [f"{n:024x}" for n in range(6)]
    with caplog.at_level("WARNING"):
        made = [ticket_store.may_create(client) for client in clients]
    assert made == [True, True, True, False, False, False]
    alarms = [r.getMessage() for r in caplog.records if "ALARM" in r.getMessage()]
    assert len(alarms) == 1 and not any(client in alarms[0] for client in clients)


def test_the_ticket_cap_opens_again_an_hour_after_it_closed_under_a_steady_stream(ticket_store, monkeypatch):
    """A cap whose hour moved with every try would stay closed for good under a steady stream."""
    from datetime import datetime, timedelta

    from steunpunt import clock

    monkeypatch.setattr(settings, "TICKETS_PER_HOUR", 2)
    start, made = datetime(2026, 6, 1, 9, 0), []
    for step in range(10):  # one try every 10 minutes, each from a new address
        with clock.frozen(start + timedelta(minutes=10 * step)):
            made.append(ticket_store.may_create(f"{step:024x}"))
    assert made == [True, True, False, False, False, False, True, True, False, False]


def test_the_secret_key_makes_its_folder_for_this_user_only(tmp_path, monkeypatch):
    monkeypatch.delenv("STEUNPUNT_SECRET_KEY", raising=False)
    monkeypatch.setattr(settings, "_file_keys", {})
    monkeypatch.setattr(settings, "SECRET_KEY_FILE", tmp_path / "nieuw" / "secret.key")
    settings.secret_key()
    assert oct((tmp_path / "nieuw").stat().st_mode & 0o777) == "0o700"
    # The deployment's own var/, made earlier with the usual 0755, is made private too.
    monkeypatch.setattr(settings, "REPO_ROOT", tmp_path)
    (tmp_path / "var").mkdir(mode=0o755)
    (tmp_path / "var").chmod(0o755)
    monkeypatch.setattr(settings, "SECRET_KEY_FILE", tmp_path / "var" / "secret.key")
    settings.secret_key()
    assert oct((tmp_path / "var").stat().st_mode & 0o777) == "0o700"


def test_a_database_folder_the_product_makes_is_for_this_user_only(tmp_path, monkeypatch):
    """With STEUNPUNT_SECRET_KEY set no key file is written, so the first to make var/ is the
    database: with the usual umask (022) its folder, and the tickets in it, were readable to
    every account on the machine. A folder an operator made keeps the mode they gave it."""
    from store import db

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "x" * 40)
    made = f"sqlite:///{tmp_path / 'var' / 'data' / 'steunpunt.db'}"
    operators = tmp_path / "eigen"
    operators.mkdir()
    operators.chmod(0o750)
    chosen = f"sqlite:///{operators / 'steunpunt.db'}"
    previous = os.umask(0o022)
    try:
        for url in (made, chosen):
            db.engine_for(url).dispose()
    finally:
        os.umask(previous)
        for url in (made, chosen):
            db._engines.pop(url, None)
    for folder in (tmp_path / "var", tmp_path / "var" / "data"):
        assert oct(folder.stat().st_mode & 0o777) == "0o700", folder
    assert (tmp_path / "var" / "data" / "steunpunt.db").exists()
    assert oct(operators.stat().st_mode & 0o777) == "0o750"


@pytest.mark.parametrize("script", ["run.sh", "run_scaled.sh"])
def test_the_run_scripts_make_what_the_servers_write_private(script):
    """var/ held world-readable databases (0644) beside a key of mode 600."""
    text = (ROOT / "scripts" / script).read_text()
    lines = [line.strip() for line in text.splitlines() if not line.strip().startswith("#")]
    umask = lines.index("umask 077")
    assert umask < next(n for n, line in enumerate(lines) if line.startswith("mkdir -p"))
    assert 'chmod -R go-rwx "$VAR_DIR"' in lines[umask:]
    # the folder the servers write to is the settings' VAR_DIR (steunpunt/settings.py: var/)
    assert any(
        line.startswith('eval "$("$PY" -m steunpunt.settings ') and " VAR_DIR" in line for line in lines
    )
    assert any('VAR_DIR="$STEUNPUNT_VAR_DIR"' in line for line in lines)


def rendered_nginx_conf(tmp_path) -> str:
    """deploy/nginx.conf.template as run_scaled.sh renders it, into tmp_path/nginx.conf."""
    import re

    text = (ROOT / "scripts" / "run_scaled.sh").read_text()
    found = re.search(r"<<'PY'\n(import os\nfrom steunpunt import settings\n.*?)\nPY\n", text, re.S)
    assert found, "run_scaled.sh renders nginx.conf with an inline Python block"
    render = found.group(1)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "VAR": str(tmp_path),
        "STEUNPUNT_HOST": "127.0.0.1",
        "STEUNPUNT_PORT": "18080",
        "ACTION_PROXY_PORT": "18081",
        "RASA_SERVERS": "    server 127.0.0.1:18082;",
        "ACTION_SERVERS": "    server 127.0.0.1:18083;",
        "STEUNPUNT_MESSAGES_PER_CLIENT_MINUTE": "90",
        "STEUNPUNT_MESSAGE_BURST_PER_CLIENT": "30",
    }
    subprocess.run([sys.executable, "-c", render], cwd=ROOT, env=env, check=True)
    return (tmp_path / "nginx.conf").read_text()


def test_the_scaled_forms_nginx_caps_messages_per_address(tmp_path):
    """run_scaled.sh renders deploy/nginx.conf.template with the settings' per-address limit;
    the result must hold `limit_req` on the chat, keyed on the client's /64 for IPv6 (see the
    next test), name no nginx version, and be a valid nginx configuration."""
    import shutil

    conf = rendered_nginx_conf(tmp_path)
    http = conf[conf.index("http {") :]
    assert "\n  server_tokens off;\n" in http[: http.index("  server {")]
    assert "map $remote_addr $limit_key {" in conf
    assert "limit_req_zone $limit_key zone=chat:10m rate=90r/m;" in conf
    assert "limit_req_zone $limit_key zone=socket:" in conf
    assert "$binary_remote_addr" not in conf
    rest = conf[conf.index("    location / {") :]
    assert "limit_req zone=chat burst=30 nodelay;" in rest[: rest.index("}")]
    assert "limit_req zone=socket" in conf[conf.index("location /socket.io/") :]
    if shutil.which("nginx"):
        checked = subprocess.run(
            ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr


def test_the_scaled_forms_nginx_counts_an_ipv6_64_as_one_client(tmp_path):
    """Keyed on the whole address, one phone or home got a fresh message limit with every new
    address from its /64. nginx writes a run of zero groups as "::", so the map needs a rule
    per place the run can start; here each rule runs (Python's re reads them as nginx's PCRE
    does) on every pattern of zero and non-zero groups, written as nginx writes them, and
    must give the /64's first four groups as `limited_network` (steunpunt/clients.py) counts
    them, and an IPv4 address as it is."""
    import ipaddress
    import itertools
    import re

    from steunpunt.clients import limited_network

    conf = rendered_nginx_conf(tmp_path)
    block = conf[conf.index("map $remote_addr $limit_key {") :]
    lines = [line.strip() for line in block[: block.index("\n  }")].splitlines()[1:]]
    found = [re.fullmatch(r'"~(.+)" (\S+);', line) for line in lines if line.startswith('"~')]
    rules = [match.groups() for match in found if match]
    assert "default $remote_addr;" in lines and len(rules) == len(lines) - 1

    def limit_key(address: str) -> str:  # nginx: the first regex that matches, else the default
        for pattern, value in rules:
            found = re.search(pattern, address)
            if found:
                return re.sub(r"\$(\w+)", lambda name, found=found: found.group(name.group(1)), value)
        return address

    def first_four_groups(address: str) -> str:
        network = ipaddress.ip_network(limited_network(address)).network_address.exploded
        return ":".join(f"{int(group, 16):x}" for group in network.split(":")[:4])

    # nginx's text of an address is Python's (RFC 5952: the longest run of two or more zero
    # groups, the first of equal ones, as "::"), but for its IPv4 forms (::ffff:a.b.c.d, ::a.b.c.d)
    checked = 0
    for zeros in itertools.product((True, False), repeat=8):
        groups = [0 if zero else 0x2001 + n * 0x111 for n, zero in enumerate(zeros)]
        if not any(groups[:6]):
            continue
        address = str(ipaddress.IPv6Address(":".join(f"{group:x}" for group in groups)))
        assert limit_key(address) == first_four_groups(address), address
        checked += 1
    assert checked == 252
    for address, key in [
        ("2001:db8:1:2:ab:cd:ef:1", "2001:db8:1:2"),
        ("2001:db8:1:2::1", "2001:db8:1:2"),
        ("2001:db8::1", "2001:db8:0:0"),
        ("2001:db8:0:0:1::", "2001:db8:0:0"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("::1", "0:0:0:0"),
        ("203.0.113.7", "203.0.113.7"),
        ("unix:", "unix:"),
    ]:
        assert limit_key(address) == key, address


def test_the_widget_never_stores_a_ticket_code(tmp_path):
    """sessionStorage is readable by any script on the embedding page and outlives the page view:
    the code is shown once on screen, and stored without it (website/assets/src/stored.mjs)."""
    import json
    import shutil

    if not shutil.which("node"):
        pytest.skip("node is not installed")
    module = ROOT / "website" / "assets" / "src" / "stored.mjs"
    script = f"""
import {{ storable }} from {json.dumps(module.as_uri())};
const handoff = {{ from: "bot", custom: {{ type: "handoff", ticket: "SP-00042", code: "ABCD-EFGH" }},
  text: "Je vraag heeft nummer SP-00042. Je code is: ABCD-EFGH\\n\\nSchrijf deze code op." }};
const answer = {{ from: "bot", text: "Een TLV is ...", custom: {{ type: "answer" }} }};
console.log(JSON.stringify({{ stored: [storable(handoff), storable(answer)], shown: handoff }}));
"""
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out)
    handoff, answer = result["stored"]
    assert "ABCD-EFGH" not in json.dumps(result["stored"])
    assert "SP-00042" in handoff["text"] and handoff["custom"]["codeShown"] is True
    assert answer == {"from": "bot", "text": "Een TLV is ...", "custom": {"type": "answer"}}
    assert result["shown"]["custom"]["code"] == "ABCD-EFGH"  # what is on screen is untouched
    widget = (ROOT / "website" / "assets" / "src" / "widget.js").read_text()
    assert "state.items.map(storable)" in widget


def test_the_untrusted_proxy_warning_never_logs_a_public_client_address(monkeypatch, caplog):
    """A client that sends X-Forwarded-For itself (no proxy at all) must not get its address
    into the log; a proxy's private or loopback address may be named, to find it."""
    import logging

    from steunpunt import clients

    caplog.set_level(logging.WARNING)
    monkeypatch.setattr(clients, "_warned", False)
    assert clients.warn_untrusted_forwarding("145.97.20.9", {"x-forwarded-for": "198.51.100.1"})
    assert "145.97.20.9" not in caplog.text and "198.51.100.1" not in caplog.text
    assert "STEUNPUNT_TRUSTED_PROXIES" in caplog.text
    monkeypatch.setattr(clients, "_warned", False)
    caplog.clear()
    assert clients.warn_untrusted_forwarding("10.1.2.3", {"x-forwarded-for": "198.51.100.1"})
    assert "10.1.2.3" in caplog.text and "198.51.100.1" not in caplog.text
