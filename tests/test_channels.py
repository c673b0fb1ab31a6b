"""Input limits in front of NLU: bad requests get a clear error, bad messages a clear reply."""

import asyncio
import json
import time
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guarded import check_rest_request, clean_text, guard
from steunpunt import settings
from tests.support.widget import SocketChat


def request(body, method="POST", headers=None, args=None):
    """The parts of a Sanic request the checks read (header names in lower case)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(
        method=method,
        body=raw,
        args=args or {},
        headers={"content-type": "application/json", **(headers or {})},
    )


@pytest.mark.parametrize(
    "body, status",
    [
        (b"[1, 2, 3]", 400),
        (b"not json", 400),
        (b"\xff\xfe\x00binary", 400),
        ({"message": "hoi"}, 400),
        ({"sender": "", "message": "hoi"}, 400),
        ({"sender": "x" * 500, "message": "hoi"}, 400),
        ({"sender": "a", "message": 42}, 400),
        ({"sender": "a", "message": "hoi", "metadata": "jongere"}, 400),
        ({"sender": "a", "message": "x" * (settings.MAX_REQUEST_BYTES + 1)}, 413),
    ],
)
def test_malformed_requests_are_refused_with_a_reason(body, status):
    result = check_rest_request(request(body))
    assert result is not None and result.status == status
    assert result.body is not None and json.loads(result.body)["error"]


def test_a_good_request_passes():
    body = {"sender": "a", "message": "Wat is een TLV?", "metadata": {"audience": "ouder"}}
    assert check_rest_request(request(body)) is None
    assert check_rest_request(request(b"", method="GET")) is None


def test_control_characters_are_removed_but_text_kept():
    assert clean_text("wat\x00 is\x07 een tlv\u200b?") == "wat  is  een tlv ?"
    assert clean_text(None) is None


def run_guarded(on_new_message, message: UserMessage) -> None:
    """One message through the guard, to the end of its turn (asyncio.run wants a coroutine,
    and the guard is typed as returning any awaitable)."""

    async def turn() -> None:
        await guard(on_new_message)(message)

    asyncio.run(turn())


def handled(text, bot_replies=True):
    """Send one message through the guard; return (what reached NLU, what the user got besides
    the bot's own reply)."""
    reached = []

    async def on_new_message(message):
        reached.append(message.text)
        if bot_replies:
            await message.output_channel.send_text_message(message.sender_id, "BOT")

    output = CollectingOutputChannel()
    run_guarded(on_new_message, UserMessage(text, output, "user-1"))
    return reached, [m for m in output.messages if m.get("text") != "BOT"]


def test_a_turn_without_any_reply_gets_the_way_to_a_person():
    """Rasa sends nothing when an action fails (e.g. the action server is down)."""
    reached, replies = handled("wat is een tlv", bot_replies=False)
    assert reached == ["wat is een tlv"]
    assert "Probeer het over een paar minuten opnieuw" in replies[0]["text"]
    assert replies[1]["custom"] == {"type": "error", "reason": "unavailable"}


def test_the_bot_turn_after_a_live_chat_reaches_rasa_as_an_intent_and_never_ends_silent():
    """The relay's own turns ("/live_ended") skip the checks of typed text (a user may not type
    an intent) but not the fallback: a failed action after a live chat still gets the way to
    a person instead of silence."""
    from channels.guarded import server_turns

    reached = []

    async def failing(message):
        reached.append(message.text)

    output = CollectingOutputChannel()
    message = UserMessage("/live_ended", output, "user-1", metadata={"region": "onbekend"})

    async def turn() -> None:
        await server_turns(failing)(message)

    asyncio.run(turn())
    assert reached == ["/live_ended"]
    assert "Probeer het over een paar minuten opnieuw" in output.messages[0]["text"]
    assert output.messages[-1]["custom"] == {"type": "error", "reason": "unavailable"}
    # a user typing the same reaches NLU as plain words, never as the intent
    typed, _ = handled("/live_ended")
    assert typed and not typed[0].startswith("/")


def test_a_turn_that_takes_too_long_is_given_up_with_the_way_to_a_person(monkeypatch):
    """A slow action server would keep the user waiting for Rasa's 5-minute time-out."""
    monkeypatch.setattr(settings, "TURN_SECONDS", 0.3)

    async def slow(message):
        await asyncio.sleep(30)

    output = CollectingOutputChannel()
    started = time.monotonic()
    run_guarded(slow, UserMessage("wat is een tlv", output, "user-1"))
    assert time.monotonic() - started < 5
    assert output.messages[-1]["custom"] == {"type": "error", "reason": "unavailable"}


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   \x00  ", "empty"),
        ("a" * (settings.MAX_MESSAGE_CHARS + 1), "too_long"),
    ],
)
def test_rejected_messages_never_reach_nlu_and_get_a_clear_reply(text, reason):
    reached, replies = handled(text)
    assert reached == []
    assert replies[0]["text"]
    assert replies[1]["custom"] == {"type": "input_rejected", "reason": reason}


def test_html_is_passed_on_as_plain_text_not_rejected():
    reached, replies = handled("<script>alert(1)</script> wat is een tlv")
    assert reached == ["<script>alert(1)</script> wat is een tlv"] and replies == []


def test_a_refused_message_is_registered_once_without_its_text(signals_db):
    output = CollectingOutputChannel()

    async def on_new_message(message):
        raise AssertionError("must not reach NLU")

    message = UserMessage(
        "a" * (settings.MAX_MESSAGE_CHARS + 1),
        output,
        "user-1",
        input_channel="socketio",
        metadata={"audience": "jongere", "region": "voorbeeld"},
    )
    run_guarded(on_new_message, message)
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"], signal["channel"]) == ("input_rejected", "too_long", "socketio")
    assert (signal["audience"], signal["region"], signal["text"]) == ("jongere", "voorbeeld", None)


def test_an_accepted_message_is_not_registered_by_the_channel(signals_db):
    handled("wat is een tlv")
    assert signals_db.rows() == []  # the action server registers it, once


@pytest.mark.parametrize(
    "typed, reaches",
    [
        ("/info_tlv_wat_is", "/info_tlv_wat_is"),  # what a button sends
        ("/affirm", "/affirm"),
        ("/restart", "restart"),  # Rasa's own intents: plain words
        ("/session_start", "session_start"),
        ('/info_tlv_wat_is{"x": 1}', 'info_tlv_wat_is{"x": 1}'),  # no entities smuggled in
        ("/ask_human", "ask_human"),
        ("//", None),  # nothing left: the "empty" reply
    ],
)
def test_typed_rasa_syntax_does_nothing_a_button_would_not(typed, reaches):
    reached, replies = handled(typed)
    assert reached == ([reaches] if reaches else [])
    if reaches is None:
        assert replies[-1]["custom"] == {"type": "input_rejected", "reason": "empty"}


# --- message rate limits (issue 24, Medium 4) ---------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock_of_buckets():
    """The process's limiter as the settings make it, on a clock the test moves."""
    from steunpunt import ratelimit

    fake = FakeClock()
    ratelimit.reset(ratelimit.from_settings(clock=fake))
    return fake


def flood(count, sender="user-1", client="a" * 24, senders=None):
    """Send `count` messages through the guard at one moment; return (texts that reached NLU,
    the guard's own replies as {"text", "custom"}; CollectingOutputChannel keeps them apart)."""
    reached, replies = [], []

    async def on_new_message(message):
        reached.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "BOT")

    async def send_all():
        handler = guard(on_new_message)
        for n in range(count):
            output = CollectingOutputChannel()
            await handler(
                UserMessage(
                    f"vraag {n}", output, senders[n] if senders else sender, metadata={"client": client}
                )
            )
            own = [m for m in output.messages if m.get("text") != "BOT"]
            if own:
                replies.append(
                    {
                        "text": " ".join(m["text"] for m in own if m.get("text")),
                        "custom": next(m["custom"] for m in own if "custom" in m),
                    }
                )

    asyncio.run(send_all())
    return reached, replies


def test_one_conversation_flooding_is_told_to_wait_and_nothing_reaches_nlu(clock_of_buckets, signals_db):
    """40 messages at once (the finding: 40 in 1.3 s) from one conversation: the first burst is
    answered, the rest get a friendly Dutch 'wait' and never reach NLU, the tracker or signals."""
    reached, replies = flood(40)
    burst = int(settings.MESSAGE_BURST_PER_CONVERSATION)
    assert len(reached) == burst and len(replies) == 40 - burst
    assert all(
        r["custom"]["type"] == "input_rejected"
        and r["custom"]["reason"] == "rate_limited"
        and r["custom"]["scope"] == "conversation"
        for r in replies
    )
    assert "Wacht" in replies[0]["text"] and "seconden" in replies[0]["text"]
    assert replies[0]["custom"]["retry_after"] >= 1
    assert signals_db.rows() == []  # a refused flood writes nothing
    # Tokens come back with time: one message per 60 / MESSAGES_PER_CONVERSATION_MINUTE seconds.
    clock_of_buckets.now += 60 / settings.MESSAGES_PER_CONVERSATION_MINUTE
    assert len(flood(2)[0]) == 1


def test_people_sharing_an_address_do_not_lock_each_other_out(clock_of_buckets):
    """A school network: one pupil's flood stops that pupil, not the class on the same address."""
    flood(40, sender="pupil-flooding", client="b" * 24)
    classmates = [f"pupil-{n}" for n in range(15)]
    reached, replies = flood(15, client="b" * 24, senders=classmates)
    assert len(reached) == 15 and replies == []


def test_a_script_making_up_conversations_is_held_per_address(clock_of_buckets):
    reached, replies = flood(100, client="c" * 24, senders=[f"fake-{n}" for n in range(100)])
    assert len(reached) == int(settings.MESSAGE_BURST_PER_CLIENT)
    assert {r["custom"]["scope"] for r in replies} == {"client"}
    assert "netwerk" in replies[0]["text"]
    assert len(flood(1, sender="someone", client="d" * 24)[0]) == 1  # another address goes on


def test_the_whole_process_has_a_cap_with_the_way_to_a_person(clock_of_buckets, monkeypatch, caplog):
    from steunpunt import ratelimit

    monkeypatch.setattr(settings, "MESSAGE_BURST", 5)
    ratelimit.reset(ratelimit.from_settings(clock=clock_of_buckets))
    clients = [f"{n:024x}" for n in range(8)]
    reached = []
    with caplog.at_level("WARNING"):
        for n, client in enumerate(clients):
            got, replies = flood(1, sender=f"s-{n}", client=client)
            reached += got
    assert len(reached) == 5
    assert replies[0]["custom"]["scope"] == "global" and "druk" in replies[0]["text"]
    alarms = [r.getMessage() for r in caplog.records if "ALARM" in r.getMessage()]
    assert len(alarms) == 1 and not any(c in alarms[0] for c in clients + ["s-5", "s-6"])


def test_buckets_in_memory_stay_bounded():
    from steunpunt.ratelimit import Buckets, Rate

    buckets = Buckets(Rate(per_minute=60, burst=5), max_keys=100)
    for n in range(5000):
        buckets.take(f"conversation-{n}", now=float(n) / 1000)
    assert len(buckets) <= 100


# --- the REST webhook takes JSON from no page but the site's own (issue 24, Medium 5 / Low) -------


@pytest.mark.parametrize(
    "headers, args, status",
    [
        ({"content-type": "text/plain"}, {}, 415),  # a cross-origin "simple" POST
        ({"content-type": "application/x-www-form-urlencoded"}, {}, 415),
        ({"content-type": ""}, {}, 415),
        ({"origin": "https://kwaadwillend.example"}, {}, 403),  # a foreign page
        ({"origin": "null"}, {}, 403),  # a sandboxed frame, a file
        ({}, {"stream": "true"}, 400),  # hung 60 s with a TypeError
        ({}, {"stream": "TRUE"}, 400),
    ],
)
def test_foreign_pages_plain_text_and_streaming_are_refused(headers, args, status):
    body = {"sender": "a", "message": "ik wil een medewerker"}
    refused = check_rest_request(request(body, headers=headers, args=args))
    assert refused is not None and refused.status == status
    assert refused.body is not None and json.loads(refused.body)["error"]


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, a server: no Origin
        {"content-type": "application/json; charset=utf-8"},
        {"origin": settings.SITE_ORIGINS[0]},  # the site itself
        {"origin": settings.SITE_ORIGINS[0] + "/"},
    ],
)
def test_json_without_origin_or_from_the_site_passes(headers):
    body = {"sender": "a", "message": "Wat is een TLV?"}
    assert check_rest_request(request(body, headers=headers, args={"stream": "false"})) is None


# --- the channels in a real Rasa server, without a model (nothing here needs NLU) ---------------

RASA_SERVER = """
import sys
from rasa.core.run import configure_app, create_http_input_channels

port = int(sys.argv[1])
channels = create_http_input_channels(None, "credentials.yml")  # the deployment's channels
app = configure_app(channels, enable_api=False, port=port)
app.run(host="127.0.0.1", port=port, workers=1, access_log=False)
"""
CONVERSATION_BURST = 3


@pytest.fixture(scope="module")
def channels_server(tmp_path_factory):
    """Rasa's server with the deployment's channels (credentials.yml) and no agent: everything
    the channels decide themselves can be tried; a message that passes them finds no model and
    gets the 'try again later' reply. Its databases are in a temporary folder, never var/."""
    yield from run_channels_server(tmp_path_factory.mktemp("channels"))


def run_channels_server(workdir, **extra_env):
    """The server of `channels_server` in `workdir`, with extra environment (e.g. a frozen
    clock); yields its base URL, log and database URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.servers import TEST_SECRET, free_port, status_of

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{workdir / 'steunpunt.db'}",
        "STEUNPUNT_TRACKER_DB": str(workdir / "trackers.db"),
        "STEUNPUNT_MESSAGE_BURST_PER_CONVERSATION": str(CONVERSATION_BURST),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **extra_env,
    }
    with open(workdir / "rasa.log", "wb") as log:  # the server writes to its own copy of it
        process = subprocess.Popen(
            [sys.executable, "-c", RASA_SERVER, str(port)],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while status_of(base + "/webhooks/rest/") != 200:
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError((workdir / "rasa.log").read_text(errors="replace")[-3000:])
            time.sleep(0.5)
        yield SimpleNamespace(base=base, log=workdir / "rasa.log", database=env["STEUNPUNT_DATABASE_URL"])
    finally:
        process.terminate()
        try:  # Sanic waits 15 s for open long-polls to end: nothing here needs that
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post(base, body, headers=None, query=""):
    """(status, parsed body, seconds taken) of a POST to the REST webhook."""
    import urllib.error
    import urllib.request

    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        base + "/webhooks/rest/webhook" + query,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, json.loads(response.read() or b"null"), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), time.monotonic() - started


def test_the_rasa_port_does_not_say_what_it_is(channels_server):
    """Rasa's own `/` answered "Hello from Rasa: <version>"."""
    import urllib.request

    import rasa

    with urllib.request.urlopen(channels_server.base + "/", timeout=10) as response:
        body, headers = response.read().decode(), json.dumps(dict(response.headers))
    assert body == "ok"
    assert rasa.__version__ not in body + headers and "rasa" not in (body + headers).lower()


def test_rest_refuses_streaming_foreign_pages_and_plain_text_at_once(channels_server):
    body = {"sender": "rest-checks", "message": "ik wil een medewerker"}
    status, reply, took = post(channels_server.base, body, query="?stream=true")
    assert status == 400 and took < 10 and reply["error"]
    assert post(channels_server.base, json.dumps(body).encode(), {"Content-Type": "text/plain"})[0] == 415
    assert post(channels_server.base, body, {"Origin": "https://kwaadwillend.example"})[0] == 403
    status, replies, _ = post(channels_server.base, body, {"Origin": settings.SITE_ORIGINS[0]})
    assert status == 200 and replies  # the site's own page, as JSON: on to the guard


def test_rest_flood_from_one_conversation_is_told_to_wait(channels_server):
    reasons = []
    for n in range(8):
        status, replies, _ = post(channels_server.base, {"sender": "rest-flood", "message": f"vraag {n}"})
        assert status == 200
        reasons.append(next((r["custom"].get("reason") for r in replies if "custom" in r), None))
    assert reasons[:CONVERSATION_BURST] == ["unavailable"] * CONVERSATION_BURST  # no model here
    assert reasons[CONVERSATION_BURST:] == ["rate_limited"] * (8 - CONVERSATION_BURST)


def wait_until(condition, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_session_id_expires_after_its_hours(channels_server, monkeypatch):
    from datetime import timedelta

    from channels.guarded import new_session_id
    from steunpunt import clock
    from tests.support.servers import TEST_SECRET

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)
    with clock.frozen(clock.now() - timedelta(hours=settings.SOCKETIO_SESSION_HOURS, minutes=5)):
        stale = new_session_id()
    with clock.frozen(clock.now() - timedelta(hours=settings.SOCKETIO_SESSION_HOURS, minutes=-5)):
        recent = new_session_id()
    widget = SocketChat(channels_server.base)
    try:
        assert widget.start(stale) not in (stale, None)  # a new conversation instead
        assert widget.start(recent) == recent  # still within its hours
    finally:
        widget.close(abort=True)


def test_one_live_connection_per_session_the_newest_takes_over(channels_server):
    first, second = SocketChat(channels_server.base), SocketChat(channels_server.base)
    try:
        session = first.start()
        assert second.start(session) == session
        assert wait_until(lambda: not first.client.connected)  # the old one was disconnected
        second.send("")  # the guard's own reply (empty message): no model needed
        assert wait_until(lambda: any(m.get("custom", {}).get("reason") == "empty" for m in second.received))
        time.sleep(1)
        assert first.received == []
    finally:
        first.close(abort=True)
        second.close(abort=True)


def test_a_connection_that_asks_for_another_session_leaves_the_first(channels_server):
    """Two rooms for one connection would send it another conversation's replies too."""
    widget, other = SocketChat(channels_server.base), SocketChat(channels_server.base)
    try:
        first = widget.start()
        widget.start()  # a new conversation on the same connection
        other.start(first)
        other.send("")
        assert wait_until(lambda: any(m.get("custom", {}).get("reason") == "empty" for m in other.received))
        time.sleep(1)
        assert widget.received == []
    finally:
        widget.close(abort=True)
        other.close(abort=True)
