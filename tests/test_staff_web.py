"""The staff web app, over real HTTP: login, CSRF, throttling, status changes, replies."""

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from steunpunt import clock
from store.db import engine_for
from store.tickets import TicketStore
from tests.support.servers import TEST_SECRET, python_module

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "een heel lang wachtwoord"


class Browser:
    """Just enough of a browser: cookies, forms, no automatic redirects."""

    def __init__(self, port, forwarded_for=None):
        """`forwarded_for`: the address a reverse proxy in front would report for this browser."""
        self.port, self.cookies, self.forwarded_for = port, SimpleCookie(), forwarded_for

    def request(self, method, path, form=None):
        return self.request_raw(method, path, urlencode(form) if form is not None else None)

    def request_raw(self, method, path, body=None):
        """A request with an already encoded form body (e.g. a field given several times)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v.value}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        connection.request(method, path, body=body, headers=headers)
        reply = connection.getresponse()
        raw_cookies = reply.headers.get_all("Set-Cookie") or []
        for raw in raw_cookies:
            self.cookies.load(raw)
        page = reply.read().decode()
        connection.close()
        return reply.status, reply.headers, page, raw_cookies

    def csrf(self, path):
        found = re.search(r'name="csrf" value="([^"]+)"', self.request("GET", path)[2])
        assert found, f"no csrf field on {path}"
        return found.group(1)

    def login(self, username="anna", password=PASSWORD):
        return self.request(
            "POST", "/login", {"csrf": self.csrf("/login"), "username": username, "password": password}
        )


def staff_server(env):
    """`python -m staff` on a free port with this environment; stopped afterwards."""
    return python_module("staff", env)


def create_account(env, name, role="medewerker", extra=()):
    created = subprocess.run(
        [sys.executable, "-m", "staff.cli", "create-user", name, "--role", role, "--password-stdin", *extra],
        input=PASSWORD + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr


def staff_env(folder, **extra_env):
    """The environment of a staff app on its own database in `folder`: plain http on localhost,
    so cookies are not Secure (STEUNPUNT_STAFF_SECURE_COOKIES=0, as scripts/run.sh sets); an
    extra value None leaves that variable out."""
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
        "STEUNPUNT_STAFF_SECURE_COOKIES": "0",
        "STEUNPUNT_TRACKER_DB": str(folder / "trackers.db"),
        **extra_env,
    }
    return {key: value for key, value in env.items() if value is not None}


def tracker_store(path, *conversations):
    """Rasa's events table as its SQLTrackerStore makes it, one user message per (sender, text,
    age in days)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{path}", future=True)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                "sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
                "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender, said, days in conversations:
            stamp = (clock.now() - timedelta(days=days) - datetime(1970, 1, 1)).total_seconds()
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"
                ),
                {"s": sender, "t": stamp, "d": f'{{"event": "user", "text": "{said}"}}'},
            )
    return engine


def senders(engine):
    from sqlalchemy import text

    with engine.connect() as connection:
        return sorted({row[0] for row in connection.execute(text("SELECT sender_id FROM events"))})


def start_app(folder, **extra_env):
    """Every path the app uses points into `folder`: its tickets, and a tracker store of its own
    with one conversation past the retention period (the app prunes it at start) and one not."""
    env = staff_env(folder, **extra_env)
    trackers = tracker_store(
        folder / "trackers.db",
        ("oud-gesprek", "van lang geleden", 400),
        ("chat-van-daan", "Mijn zoon Daan", 0),
    )
    create_account(env, "anna")
    store = TicketStore(engine_for(env["STEUNPUNT_DATABASE_URL"]), TEST_SECRET.encode())
    ticket = store.create(
        audience="jongere",
        channel="rest",
        topic_guess=[{"topic": "thuiszitten", "confidence": 0.6}],
        transcript=[{"from": "user", "text": "<script>alert(1)</script>", "time": 1}],
        description="Ik zit thuis",
        contact=None,
    )
    with staff_server(env) as port:
        yield {"port": port, "store": store, "code": ticket.code, "trackers": trackers}
    trackers.dispose()


@pytest.fixture
def app(tmp_path):
    """A staff server of its own for every test, on a fresh database: no test depends on what
    another did before it (a status changed, a login throttled)."""
    yield from start_app(tmp_path)


@pytest.fixture
def behind_proxy(tmp_path):
    """The staff app behind a reverse proxy on 127.0.0.1, which reports each client's address."""
    yield from start_app(tmp_path, STEUNPUNT_TRUSTED_PROXIES="127.0.0.1")


def test_no_page_without_login(app):
    browser = Browser(app["port"])
    for method, path in [("GET", "/"), ("GET", "/tickets/1"), ("POST", "/tickets/1/status")]:
        status, headers, _, _ = browser.request(method, path, {} if method == "POST" else None)
        assert status == 303 and headers["Location"] == "/login", path


def test_login_needs_the_form_token_and_the_right_password(app):
    browser = Browser(app["port"])
    status = browser.request("POST", "/login", {"username": "anna", "password": PASSWORD})[0]
    assert status == 403
    assert browser.login(password="fout wachtwoord")[0] == 401
    status, _, _, cookies = browser.login()
    assert status == 303
    session_cookie = next(c for c in cookies if c.startswith("sp_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Strict" in session_cookie
    assert "Secure" not in session_cookie  # plain http on localhost: STEUNPUNT_STAFF_SECURE_COOKIES=0
    status, _, page, _ = browser.request("GET", "/")
    assert status == 200 and re.search(r"SP-00001</a></td><td>[^<]*</td><td>nieuw</td>", page)


def test_forms_without_csrf_token_are_rejected(app):
    browser = Browser(app["port"])
    browser.login()
    for path, form in [
        ("/tickets/1/status", {"status": "afgehandeld"}),
        ("/tickets/1/antwoord", {"text": "x"}),
        ("/tickets/1/notitie", {"text": "x"}),
        ("/tickets/1/toewijzen", {}),
    ]:
        assert browser.request("POST", path, {**form, "csrf": "wrong"})[0] == 403, path
    assert app["store"].get(1)["status"] == "nieuw"
    assert app["store"].audit_entries(1) == []


def test_status_assignment_note_and_reply_are_saved_audited_and_shown(app):
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf("/tickets/1")
    for path, form in [
        ("/tickets/1/toewijzen", {}),
        ("/tickets/1/status", {"status": "in behandeling"}),
        ("/tickets/1/notitie", {"text": "Intern: school gebeld"}),
        ("/tickets/1/antwoord", {"text": "Bel ons gerust, we helpen je."}),
    ]:
        assert browser.request("POST", path, {**form, "csrf": csrf})[0] == 303, path
    ticket = app["store"].get(1)
    assert (ticket["status"], ticket["assigned_name"]) == ("in behandeling", "anna")
    page = browser.request("GET", "/tickets/1")[2]
    assert "Intern: school gebeld" in page and "Bel ons gerust" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert [a["action"] for a in app["store"].audit_entries(1)] == [
        "toegewezen",
        "status",
        "notitie",
        "antwoord",
    ]
    # the reply is what the youth reads with the code; a wrong code reveals nothing
    assert app["store"].lookup_code(app["code"], "youth").ticket["reply"] == "Bel ons gerust, we helpen je."
    assert app["store"].lookup_code("ZZZZ-ZZZZ", "other").ticket is None


def test_queue_filters(app):
    browser = Browser(app["port"])
    browser.login()
    assert "SP-00001" in browser.request("GET", "/?audience=jongere&topic=thuiszitten")[2]
    assert "Geen vragen gevonden" in browser.request("GET", "/?audience=ouder")[2]
    assert browser.request("GET", "/tickets/999")[0] == 404


def test_repeated_failed_logins_are_slowed_down(app):
    browser = Browser(app["port"])
    statuses = [browser.login(username="mallory", password="gok")[0] for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


def test_staff_record_minutes_per_ticket(app):
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf("/tickets/1")
    assert browser.request("POST", "/tickets/1/tijd", {"minuten": "25", "csrf": csrf})[0] == 303
    assert browser.request("POST", "/tickets/1/tijd", {"minuten": "veel", "csrf": csrf})[0] == 400
    assert browser.request("POST", "/tickets/1/tijd", {"minuten": "0", "csrf": csrf})[0] == 400
    assert app["store"].minutes(1) == 25
    assert "25 minuten" in browser.request("GET", "/tickets/1")[2]


def test_a_leading_space_does_not_escape_the_login_throttle(app):
    browser = Browser(app["port"])
    statuses = [browser.login(username="trudy", password="gok")[0] for _ in range(5)]
    assert statuses == [401] * 5
    assert browser.login(username=" trudy", password="gok")[0] == 429
    assert browser.login(username="TRUDY ", password="gok")[0] == 429


def test_a_non_ascii_form_token_is_refused_not_a_server_error(app):
    browser = Browser(app["port"])
    browser.csrf("/login")
    assert (
        browser.request("POST", "/login", {"csrf": "ëüñ€", "username": "anna", "password": PASSWORD})[0]
        == 403
    )
    browser.login()
    assert browser.request("POST", "/tickets/1/notitie", {"text": "x", "csrf": "ëüñ€"})[0] == 403


def test_oversized_requests_are_refused(app):
    browser = Browser(app["port"])
    assert browser.request_raw("POST", "/login", "x" * 200_000)[0] == 413


def test_the_app_keeps_to_its_own_tracker_store_never_the_checkout_s(app):
    """The app prunes old conversations at start: from the tracker store its test gave it."""
    import time

    deadline = time.time() + 60
    while "oud-gesprek" in senders(app["trackers"]) and time.time() < deadline:
        time.sleep(0.5)
    assert senders(app["trackers"]) == ["chat-van-daan"]


def daans_ticket(app) -> int:
    """A parent's ticket about Daan, from the conversation "chat-van-daan": its id."""
    ticket = app["store"].create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[{"from": "user", "text": "Mijn zoon Daan", "time": 1}],
        description="Daan",
        contact="a@b.nl",
        conversation="chat-van-daan",
    )
    return int(ticket.number[3:])


def test_staff_erase_a_ticket_on_request_only_when_they_confirm(app):
    ticket_id = daans_ticket(app)
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf(f"/tickets/{ticket_id}")
    assert browser.request("POST", f"/tickets/{ticket_id}/wissen", {"csrf": csrf})[0] == 400
    assert app["store"].get(ticket_id)["contact"] == "a@b.nl"
    assert browser.request("POST", f"/tickets/{ticket_id}/wissen", {"csrf": csrf, "zeker": "ja"})[0] == 303
    page = browser.request("GET", f"/tickets/{ticket_id}")[2]
    assert "zijn gewist" in page and "Daan" not in page and "a@b.nl" not in page
    assert "chat-van-daan" not in senders(app["trackers"])  # the conversation is gone too


def test_staff_are_told_when_an_erasure_cannot_reach_the_conversations_and_nothing_is_erased(app, tmp_path):
    """The tracker store file gone (a wrong setting, a moved volume): the page says nothing was
    erased, the ticket stays whole and the erasure works once the file is back."""
    ticket_id = daans_ticket(app)
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf(f"/tickets/{ticket_id}")
    app["trackers"].dispose()
    (tmp_path / "trackers.db").rename(tmp_path / "weg.db")
    erase = {"csrf": csrf, "zeker": "ja"}
    status, _, page, _ = browser.request("POST", f"/tickets/{ticket_id}/wissen", erase)
    assert status == 503 and "Er is niets gewist" in page
    assert str(tmp_path) not in page  # the server's paths are for the log, not the page
    kept = app["store"].get(ticket_id)
    assert kept["erased_at"] is None and kept["contact"] == "a@b.nl" and kept["description"] == "Daan"
    (tmp_path / "weg.db").rename(tmp_path / "trackers.db")
    assert browser.request("POST", f"/tickets/{ticket_id}/wissen", erase)[0] == 303
    assert app["store"].get(ticket_id)["erased_at"] is not None
    assert "chat-van-daan" not in senders(app["trackers"])


def test_a_disabled_account_is_logged_out_at_once(app):
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": str(app["store"].engine.url),
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    create_account(env, "bert")
    browser = Browser(app["port"])
    assert browser.login(username="bert")[0] == 303
    assert browser.request("GET", "/")[0] == 200
    disabled = subprocess.run(
        [sys.executable, "-m", "staff.cli", "disable-user", "bert"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert disabled.returncode == 0, disabled.stderr
    assert browser.request("GET", "/")[0] == 303
    assert browser.login(username="bert")[0] == 401


def test_the_queue_is_paged(app):
    for _ in range(55):
        app["store"].create(
            audience="jongere",
            channel="rest",
            topic_guess=[],
            transcript=[],
            description="vraag",
            contact=None,
        )
    browser = Browser(app["port"])
    browser.login()
    first = browser.request("GET", "/")[2]
    assert first.count('<a href="/tickets/') == 50 and "Volgende pagina" in first
    second = browser.request("GET", "/?pagina=2")[2]
    assert "Vorige pagina" in second and 0 < second.count('<a href="/tickets/') <= 50
    assert browser.request("GET", "/?pagina=xyz")[0] == 200


def test_a_throttled_name_is_refused_even_with_the_right_password(app):
    browser = Browser(app["port"])
    assert [browser.login(password="fout wachtwoord")[0] for _ in range(5)] == [401] * 5
    status, _, _, cookies = browser.login()
    assert status == 429 and not any(c.startswith("sp_session=") for c in cookies)
    assert browser.request("GET", "/")[0] == 303


def test_failed_logins_are_limited_per_address_and_one_address_does_not_lock_out_colleagues(behind_proxy):
    """Behind the proxy every request comes from 127.0.0.1: the forwarded address counts."""
    guesser = Browser(behind_proxy["port"], forwarded_for="203.0.113.7")
    statuses = [guesser.login(username=f"naam{n}", password="gok")[0] for n in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429  # 20 names, one each: still counted
    assert guesser.login()[0] == 429  # not even anna's right password from that address
    assert Browser(behind_proxy["port"], forwarded_for="203.0.113.8").login()[0] == 303


def test_logout_ends_the_session_for_good(app):
    browser = Browser(app["port"])
    browser.login()
    stolen = browser.cookies["sp_session"].value
    csrf = browser.csrf("/")
    assert browser.request("POST", "/logout", {"csrf": csrf})[0] == 303
    assert browser.request("GET", "/")[0] == 303
    replay = Browser(app["port"])
    replay.cookies["sp_session"] = stolen  # the old cookie, kept by someone else
    assert replay.request("GET", "/tickets/1")[0] == 303


def test_a_session_expires(app):
    from sqlalchemy import update

    from store.schema import staff_sessions

    browser = Browser(app["port"])
    browser.login()
    assert browser.request("GET", "/")[0] == 200
    with app["store"].engine.begin() as connection:
        connection.execute(update(staff_sessions).values(expires_at=clock.now() - timedelta(minutes=1)))
    assert browser.request("GET", "/")[0] == 303


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def test_every_page_sends_the_security_headers(app):
    browser = Browser(app["port"])
    pages = [browser.request("GET", "/login"), browser.request("GET", "/")]  # a form, a redirect
    browser.login()
    pages += [
        browser.request("GET", "/"),
        browser.request("GET", "/tickets/1"),
        browser.request("GET", "/tickets/999"),
        browser.request("POST", "/tickets/1/status", {}),
    ]
    for status, headers, _, _ in pages:
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (status, name)
        policy = headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, status
        assert (
            "script-src" not in policy or "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        )


def test_bad_requests_get_400_and_unknown_tickets_404_with_a_page(app):
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf("/tickets/1")
    for path, form in [
        ("/tickets/1/status", {"status": "weg"}),
        ("/tickets/1/antwoord", {"text": "  "}),
        ("/tickets/1/notitie", {}),
        ("/tickets/1/tijd", {"minuten": "-5"}),
    ]:
        status, _, page, _ = browser.request("POST", path, {**form, "csrf": csrf})
        assert status == 400 and "<html" in page.lower(), path
    for method, path in [("GET", "/tickets/424242"), ("POST", "/tickets/424242/notitie")]:
        status, _, page, _ = browser.request(
            method, path, {"text": "x", "csrf": csrf} if method == "POST" else None
        )
        assert status == 404, path
    assert app["store"].audit_entries(1) == []  # nothing half-done
    assert browser.request("GET", "/?van=2026-02-30&tot=morgen")[0] == 200  # bad dates: no filter


def test_a_redirect_does_not_leak_its_location_into_other_pages(app):
    """Sanic's redirect() writes Location into the headers it is given: a shared dict once made
    an anonymous GET /login carry the last ticket someone worked on."""
    browser = Browser(app["port"])
    browser.login()
    csrf = browser.csrf("/tickets/1")
    assert browser.request("POST", "/tickets/1/toewijzen", {"csrf": csrf})[1]["Location"] == "/tickets/1"
    pages = {
        "/login (anonymous)": Browser(app["port"]).request("GET", "/login"),
        "/tickets/1": browser.request("GET", "/tickets/1"),
        "/tickets/999": browser.request("GET", "/tickets/999"),
    }
    for name, (status, headers, _, _) in pages.items():
        assert status in (200, 404) and "Location" not in headers, name


@pytest.fixture
def secure_by_default(tmp_path):
    """The staff app as deployed: no STEUNPUNT_STAFF_SECURE_COOKIES, so behind https."""
    folder = tmp_path / "secure"
    folder.mkdir()
    yield from start_app(folder, STEUNPUNT_STAFF_SECURE_COOKIES=None)


def test_cookies_are_secure_and_hsts_is_sent_unless_turned_off_for_localhost(secure_by_default, app):
    browser = Browser(secure_by_default["port"])
    status, headers, _, cookies = browser.request("GET", "/login")
    assert status == 200 and headers["Strict-Transport-Security"].startswith("max-age=")
    status, headers, _, cookies = browser.login()
    assert status == 303 and "Strict-Transport-Security" in headers
    assert cookies and all("; Secure" in cookie for cookie in cookies), cookies
    assert browser.request("GET", "/")[0] == 200  # (this test browser sends Secure cookies over http)
    local = Browser(app["port"])  # STEUNPUNT_STAFF_SECURE_COOKIES=0
    status, headers, _, cookies = local.login()
    assert status == 303 and "Strict-Transport-Security" not in headers
    assert cookies and not any("Secure" in cookie for cookie in cookies)


def test_guessing_a_name_does_not_lock_its_owner_out_from_a_clean_address(behind_proxy):
    """Wrong passwords for anna from one address slow down that address (and, on that name, any
    address that failed recently); anna's right password from an address without recent
    failures still gets in. A fresh address gets one guess at a locked name, not five."""
    guesser = Browser(behind_proxy["port"], forwarded_for="203.0.113.7")
    assert [guesser.login(password="gok")[0] for _ in range(6)] == [401] * 5 + [429]
    assert guesser.login()[0] == 429  # the right password from the guessing address: still no
    assert Browser(behind_proxy["port"], forwarded_for="203.0.113.8").login()[0] == 303
    second = Browser(behind_proxy["port"], forwarded_for="2001:db8::9")
    assert second.login(password="gok")[0] == 401
    assert second.login(password="gok")[0] == 429 and second.login()[0] == 429


@contextlib.contextmanager
def staff_server_logging_to(env, log):
    """`python -m staff` like staff_server, with what it logs kept in `log`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "staff", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.time() + 60
        while True:
            assert process.poll() is None and time.time() < deadline, log.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_forwarded_addresses_from_an_untrusted_peer_are_warned_about_once(tmp_path):
    """Behind a proxy that is not in STEUNPUNT_TRUSTED_PROXIES every colleague shares the proxy's
    address, so 20 typos lock them all out: the app says so in its log, once."""
    env = staff_env(tmp_path)
    env.pop("STEUNPUNT_TRUSTED_PROXIES", None)
    create_account(env, "anna")
    log = tmp_path / "staff.log"
    with staff_server_logging_to(env, log) as port:
        assert Browser(port).request("GET", "/login")[0] == 200
        assert "STEUNPUNT_TRUSTED_PROXIES" not in log.read_text()  # no forwarded header: nothing to say
        for address in ("203.0.113.7", "203.0.113.8"):
            assert Browser(port, forwarded_for=address).login()[0] == 303
    warnings = [line for line in log.read_text().splitlines() if "STEUNPUNT_TRUSTED_PROXIES" in line]
    assert len(warnings) == 1 and "127.0.0.1" in warnings[0], log.read_text()[-3000:]


def test_a_trusted_proxy_and_a_request_without_forwarding_are_not_warned_about(monkeypatch, caplog):
    from steunpunt import clients, settings

    monkeypatch.setattr(clients, "_warned", False)
    monkeypatch.setattr(settings, "TRUSTED_PROXIES", frozenset({"127.0.0.1"}))
    assert not clients.warn_untrusted_forwarding("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"})
    assert not clients.warn_untrusted_forwarding("10.0.0.2", {})
    assert clients.warn_untrusted_forwarding("10.0.0.2", {"x-forwarded-for": "203.0.113.7"})
    assert not clients.warn_untrusted_forwarding("10.0.0.3", {"x-forwarded-for": "203.0.113.7"})  # once
    assert [r.levelname for r in caplog.records if "STEUNPUNT_TRUSTED_PROXIES" in r.getMessage()] == [
        "WARNING"
    ]


def test_a_far_off_date_in_the_queue_filter_is_no_filter_not_a_server_error(app):
    browser = Browser(app["port"])
    browser.login()
    for query in ("tot=9999-12-31", "van=0001-01-01", "van=9999-12-31&tot=9999-12-31"):
        status, _, page, _ = browser.request("GET", "/?" + query)
        assert status == 200 and "SP-00001" in page, query


def staff_post_routes(store):
    """Every POST route of the staff app, read from the app itself (not from a list in this
    file), with its path parameters filled in: a route added later is checked too."""
    import uuid

    from staff.app import create_app
    from store.accounts import Accounts

    app = create_app(store, Accounts(store.engine), secure_cookies=False, name=f"routes_{uuid.uuid4().hex}")
    return sorted(
        {
            "/" + re.sub(r"<[^>]+>", "1", route.path).lstrip("/")
            for route in app.router.routes
            if "POST" in route.methods
        }
    )


def test_every_post_route_refuses_a_form_without_the_right_csrf_token(app):
    from signals.store import SignalStore

    routes = staff_post_routes(app["store"])
    assert {"/login", "/logout", "/tickets/1/status", "/analyse/groep"} <= set(routes) and len(routes) >= 10
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": str(app["store"].engine.url),
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    create_account(env, "ali", role="analist")
    create_account(env, "rik", role="redacteur")
    anonymous, staff, analyst, editor = (Browser(app["port"]) for _ in range(4))
    anonymous.csrf("/login")  # has its login form cookie
    assert staff.login()[0] == 303 and analyst.login(username="ali")[0] == 303
    assert editor.login(username="rik")[0] == 303
    # a form that each route would accept, but for its token
    form = {
        "csrf": "wrong",
        "status": "afgehandeld",
        "text": "x",
        "minuten": "5",
        "zeker": "ja",
        "decision": "nieuw_onderwerp",
        "topic": "tlv-wat-is",
        "label": "x",
        "signal_ids": "abc",
        "username": "anna",
        "password": PASSWORD,
    }
    for path in routes:
        replies = [browser.request("POST", path, form) for browser in (anonymous, staff, analyst, editor)]
        for status, headers, _, _ in replies:
            assert status == 403 or (status == 303 and headers["Location"] == "/login"), (path, status)
        assert any(status == 403 and "CSRF" in page for status, _, page, _ in replies), path
    ticket = app["store"].get(1)
    assert ticket["status"] == "nieuw" and ticket["description"] and app["store"].audit_entries(1) == []
    assert SignalStore(app["store"].engine).decisions() == []
    assert (
        staff.request("GET", "/")[0] == 200 and analyst.request("GET", "/analyse")[0] == 200
    )  # not logged out


def test_times_are_shown_in_the_steunpunts_time_zone_like_the_date_filter_counts(app):
    """The queue filters local days (Europe/Amsterdam); its times were shown in UTC, so a question
    of 00:30 on 1 December was listed as 30 November and then found under 1 December."""
    from sqlalchemy import update

    from store.schema import tickets

    with app["store"].engine.begin() as connection:
        connection.execute(
            update(tickets).where(tickets.c.id == 1).values(created_at=datetime(2026, 11, 30, 23, 30))
        )
    browser = Browser(app["port"])
    browser.login()
    queue = browser.request("GET", "/?van=2026-12-01&tot=2026-12-01")[2]
    assert "SP-00001" in queue and "01-12-2026 00:30" in queue and "(UTC)" not in queue
    page = browser.request("GET", "/tickets/1")[2]
    assert "01-12-2026 00:30" in page and "2026-11-30" not in page


# --- the workplace: dates as staff type them, local times, the app's own stylesheet ------------
@pytest.mark.parametrize(
    "typed, day",
    [
        ("31-12-2026", "2026-12-31"),
        ("1-2-2026", "2026-02-01"),
        (" 01/02/2026 ", "2026-02-01"),
        ("01.02.2026", "2026-02-01"),
        ("2026-12-31", "2026-12-31"),  # links and bookmarks from before
    ],
)
def test_a_day_is_read_as_dd_mm_jjjj_or_iso(typed, day):
    from staff.web import parse_date, parse_day

    assert parse_day(typed).isoformat() == day and parse_date(typed) == parse_day(typed)


@pytest.mark.parametrize(
    "typed", ["31-02-2026", "12/31/2026", "2026-1-2", "20261231", "morgen", "٠١-٠٢-٢٠٢٦", ""]
)
def test_what_is_no_day_is_refused_in_dutch(typed):
    from staff.web import parse_date, parse_day

    with pytest.raises(ValueError, match="dd-mm-jjjj"):
        parse_day(typed)
    assert parse_date(typed) is None
    assert parse_date("31-12-9999") is None  # no next day to count to


def test_every_stored_time_on_a_page_is_shown_in_local_time():
    """The database stamps in UTC; a `..._at` shown without local_time/local_date would be an
    hour or two off for staff. Every template of the staff app (and the overview it shares)."""
    from signals.report import TEMPLATES as SIGNAL_TEMPLATES

    shown = re.compile(r"\{\{[^}]*?\b(\w+_at)\b([^}]*)\}\}")
    templates = [*(ROOT / "staff" / "templates").glob("*.html"), *SIGNAL_TEMPLATES.glob("*.html")]
    for path in templates:
        for name, rest in shown.findall(path.read_text()):
            assert re.match(r"\s*\|\s*local_(time|date)\b", rest), f"{path.name}: {name} not in local time"


def test_the_queue_filter_takes_dd_mm_jjjj_and_says_when_a_date_is_no_date(app):
    browser = Browser(app["port"])
    browser.login()
    created = clock.to_local(app["store"].get(1)["created_at"]).date()
    status, _, page, _ = browser.request("GET", f"/?van={created:%d-%m-%Y}&tot={created:%d-%m-%Y}")
    assert status == 200 and "SP-00001" in page
    assert f'name="van" type="text" value="{created:%d-%m-%Y}"' in page and "dd-mm-jjjj" in page
    day_before = created - timedelta(days=1)
    assert "Geen vragen gevonden" in browser.request("GET", f"/?tot={day_before:%d-%m-%Y}")[2]
    status, _, page, _ = browser.request("GET", "/?van=31-02-2026")
    assert status == 200 and "SP-00001" in page  # no day: no filter, and the field says so
    assert 'aria-invalid="true"' in page and "Dit is geen datum" in page and 'value="31-02-2026"' in page


def test_the_stylesheet_is_served_by_the_app_itself_with_its_security_headers(tmp_path):
    built = tmp_path / "built"
    built.mkdir()
    for served in start_app(tmp_path, STEUNPUNT_SITE_ASSETS_DIR=str(built)):
        browser = Browser(served["port"])
        status, headers, page, _cookies = browser.request("GET", "/static/staff.css")
        assert status == 503 and "scripts/setup.sh" in page  # not built: the pages still work
        assert 'href="/static/staff.css"' in browser.request("GET", "/login")[2]
        (built / "staff.css").write_text(".steunpunt-theme{--x:1}")
        status, headers, page, _cookies = browser.request("GET", "/static/staff.css")
        assert (
            status == 200 and headers["Content-Type"].startswith("text/css") and page.startswith(".steunpunt")
        )
        for name, value in SECURITY_HEADERS.items():
            if name != "Cache-Control":  # a stylesheet holds no data: it may be kept a while
                assert headers.get(name) == value, name
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert browser.request("GET", "/static/site.css")[0] == 404  # only the staff app's own
        assert browser.request("GET", "/static/../db.sqlite")[0] == 404
