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
    racers = [subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, text=True) for _ in range(8)]
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


@pytest.mark.parametrize("proxies, peer, forwarded, expected", [
    ((), "10.0.0.5", "1.2.3.4", "10.0.0.5"),                  # no proxy trusted: header ignored
    (("10.0.0.5",), "10.0.0.5", "1.2.3.4", "1.2.3.4"),         # from the trusted proxy
    (("10.0.0.5",), "10.0.0.9", "1.2.3.4", "10.0.0.9"),        # someone else sends the header
    (("10.0.0.5",), "10.0.0.5", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # a forged first hop is ignored
    (("10.0.0.5",), "10.0.0.5", "zomaar iets", "10.0.0.5"),
    ((), None, None, "onbekend"),
])
def test_forwarded_addresses_are_believed_only_from_a_trusted_proxy(monkeypatch, proxies, peer,
                                                                      forwarded, expected):
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

    env = {**os.environ, "STEUNPUNT_SECRET_KEY": TEST_SECRET, "STEUNPUNT_ACTION_TOKEN": "t" * 40,
           "STEUNPUNT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "PYTHONPATH": str(ROOT)}
    secret_story = "Mijn dochter Fleur wordt gepest"
    call = {"next_action": "action_respond", "version": "3.6.2", "sender_id": "x",
            "tracker": {"sender_id": "x", "latest_message": secret_story, "events": "geen lijst"}}
    with python_module("actions", env) as port:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhook?token={'t' * 40}",
                                         data=json.dumps(call).encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(request, timeout=30)
        body = failed.value.read().decode()
    assert failed.value.code >= 400 and secret_story not in body and "Fleur" not in body
