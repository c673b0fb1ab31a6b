"""Input limits in front of NLU: bad requests get a clear error, bad messages a clear reply."""
import asyncio
import time
import json
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from steunpunt import settings
from channels.guarded import check_rest_request, clean_text, guard


def request(body, method="POST"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(method=method, body=raw)


@pytest.mark.parametrize("body, status", [
    (b"[1, 2, 3]", 400),
    (b"not json", 400),
    (b"\xff\xfe\x00binary", 400),
    ({"message": "hoi"}, 400),
    ({"sender": "", "message": "hoi"}, 400),
    ({"sender": "x" * 500, "message": "hoi"}, 400),
    ({"sender": "a", "message": 42}, 400),
    ({"sender": "a", "message": "hoi", "metadata": "jongere"}, 400),
    ({"sender": "a", "message": "x" * (settings.MAX_REQUEST_BYTES + 1)}, 413),
])
def test_malformed_requests_are_refused_with_a_reason(body, status):
    result = check_rest_request(request(body))
    assert result is not None and result.status == status
    assert json.loads(result.body)["error"]


def test_a_good_request_passes():
    body = {"sender": "a", "message": "Wat is een TLV?", "metadata": {"audience": "ouder"}}
    assert check_rest_request(request(body)) is None
    assert check_rest_request(request(b"", method="GET")) is None


def test_control_characters_are_removed_but_text_kept():
    assert clean_text("wat\x00 is\x07 een tlv\u200b?") == "wat  is  een tlv ?"
    assert clean_text(None) is None


def handled(text, bot_replies=True):
    """Send one message through the guard; return (what reached NLU, what the user got besides
    the bot's own reply)."""
    reached = []

    async def on_new_message(message):
        reached.append(message.text)
        if bot_replies:
            await message.output_channel.send_text_message(message.sender_id, "BOT")

    output = CollectingOutputChannel()
    asyncio.run(guard(on_new_message)(UserMessage(text, output, "user-1")))
    return reached, [m for m in output.messages if m.get("text") != "BOT"]


def test_a_turn_without_any_reply_gets_the_way_to_a_person():
    """Rasa sends nothing when an action fails (e.g. the action server is down)."""
    reached, replies = handled("wat is een tlv", bot_replies=False)
    assert reached == ["wat is een tlv"]
    assert "Probeer het over een paar minuten opnieuw" in replies[0]["text"]
    assert replies[1]["custom"] == {"type": "error", "reason": "unavailable"}


def test_a_turn_that_takes_too_long_is_given_up_with_the_way_to_a_person(monkeypatch):
    """A slow action server would keep the user waiting for Rasa's 5-minute time-out."""
    monkeypatch.setattr(settings, "TURN_SECONDS", 0.3)

    async def slow(message):
        await asyncio.sleep(30)

    output = CollectingOutputChannel()
    started = time.monotonic()
    asyncio.run(guard(slow)(UserMessage("wat is een tlv", output, "user-1")))
    assert time.monotonic() - started < 5
    assert output.messages[-1]["custom"] == {"type": "error", "reason": "unavailable"}


@pytest.mark.parametrize("text, reason", [
    ("", "empty"), ("   \x00  ", "empty"), ("a" * (settings.MAX_MESSAGE_CHARS + 1), "too_long"),
])
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

    message = UserMessage("a" * (settings.MAX_MESSAGE_CHARS + 1), output, "user-1",
                          input_channel="socketio", metadata={"audience": "jongere", "region": "voorbeeld"})
    asyncio.run(guard(on_new_message)(message))
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"], signal["channel"]) == ("input_rejected", "too_long", "socketio")
    assert (signal["audience"], signal["region"], signal["text"]) == ("jongere", "voorbeeld", None)


def test_an_accepted_message_is_not_registered_by_the_channel(signals_db):
    handled("wat is een tlv")
    assert signals_db.rows() == []  # the action server registers it, once


@pytest.mark.parametrize("typed, reaches", [
    ("/info_tlv_wat_is", "/info_tlv_wat_is"),              # what a button sends
    ("/affirm", "/affirm"),
    ("/restart", "restart"),                                # Rasa's own intents: plain words
    ("/session_start", "session_start"),
    ('/info_tlv_wat_is{"x": 1}', 'info_tlv_wat_is{"x": 1}'),  # no entities smuggled in
    ("/ask_human", "ask_human"),
    ("//", None),                                           # nothing left: the "empty" reply
])
def test_typed_rasa_syntax_does_nothing_a_button_would_not(typed, reaches):
    reached, replies = handled(typed)
    assert reached == ([reaches] if reaches else [])
    if reaches is None:
        assert replies[-1]["custom"] == {"type": "input_rejected", "reason": "empty"}
