"""WhatsApp's pure parts and the Graph client (issue 27), without a Rasa server: reading Meta's
webhook, the signature, what a bot message becomes, the way back, and sending with retries
against a local fake Graph API (tests/support/fake_graph.py). The running assistant is in
tests/test_whatsapp.py."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import datetime, timedelta

import pytest

from channels import whatsapp
from steunpunt import graph, settings
from store import db
from store.whatsapp import WhatsAppStore
from tests.support.fake_graph import FakeGraph

NOW = datetime(2026, 12, 7, 10, 0)


def webhook(*messages, number="100000000000001", statuses=()):
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": number}}
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": value}]}]}


def text(body, wa_id="31600000001", message_id="wamid.A"):
    return {"from": wa_id, "id": message_id, "timestamp": "1", "type": "text", "text": {"body": body}}


def test_the_webhook_gives_texts_button_and_list_replies_and_marks_media():
    body = webhook(
        text("wat is een tlv"),
        {
            "from": "31600000001",
            "id": "wamid.B",
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": "/affirm", "title": "Ja"}},
        },
        {
            "from": "31600000001",
            "id": "wamid.C",
            "type": "interactive",
            "interactive": {"type": "list_reply", "list_reply": {"id": "/info_tlv_wat_is", "title": "TLV"}},
        },
        {"from": "31600000001", "id": "wamid.D", "type": "image", "image": {"id": "media1"}},
        {"from": "31600000001", "id": "wamid.E", "type": "reaction", "reaction": {"emoji": "👍"}},
        statuses=[{"id": "wamid.X", "status": "read"}],
    )
    found = whatsapp.parse_webhook(body)
    assert [(m.message_id, m.text, m.media) for m in found] == [
        ("wamid.A", "wat is een tlv", False),
        ("wamid.B", "/affirm", False),
        ("wamid.C", "/info_tlv_wat_is", False),
        ("wamid.D", None, True),
    ]
    assert {m.phone_number_id for m in found} == {"100000000000001"}
    # status updates alone, and bodies that are not Meta's, give nothing (and do not crash)
    assert whatsapp.parse_webhook(webhook(statuses=[{"id": "x", "status": "sent"}])) == []
    junk: object
    for junk in (None, [], "x", {"entry": "x"}, {"entry": [{"changes": [None, {"value": 3}]}]}):
        assert whatsapp.parse_webhook(junk) == []
    # a sender that is not a number is left out
    assert whatsapp.parse_webhook(webhook(text("hoi", wa_id="31600<script>"))) == []


def test_the_signature_is_the_hmac_of_the_raw_body(monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_APP_SECRET", "app-secret")
    body = b'{"entry": []}'
    good = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert whatsapp.signature_ok(body, good)
    assert not whatsapp.signature_ok(body + b" ", good)
    assert not whatsapp.signature_ok(body, good.replace("sha256=", "sha1="))
    assert not whatsapp.signature_ok(body, None)
    assert not whatsapp.signature_ok(body, "sha256=" + "0" * 64)
    monkeypatch.setattr(settings, "WHATSAPP_APP_SECRET", "")
    assert not whatsapp.signature_ok(body, good)  # no secret configured: nothing is accepted


def test_the_sender_id_is_a_keyed_hash_never_the_number():
    conversation = whatsapp.sender_id("31612345678")
    assert conversation.startswith("wa-") and "31612345678" not in conversation
    assert conversation == whatsapp.sender_id("31612345678")
    assert conversation != whatsapp.sender_id("31612345679")


def test_a_region_is_found_by_its_whatsapp_number():
    assert whatsapp.region_for_number("100000000000001") == "voorbeeld"
    assert whatsapp.region_for_number("999") == settings.DEFAULT_REGION


def test_buttons_that_fit_become_reply_buttons_and_others_a_list():
    yes_no = {
        "text": "Had je hier iets aan?",
        "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}],
    }
    [sent] = whatsapp.payloads("31600000001", yes_no)
    assert sent["interactive"]["type"] == "button"
    assert [b["reply"] for b in sent["interactive"]["action"]["buttons"]] == [
        {"id": "/affirm", "title": "Ja"},
        {"id": "/deny", "title": "Nee"},
    ]
    # our own long titles get a WhatsApp title of at most 20 characters
    live = {
        "text": "Wil je nu chatten?",
        "buttons": [
            {"title": "Ja, nu chatten", "payload": "/live_chat"},
            {"title": "Nee, vraag achterlaten", "payload": "/leave_question"},
        ],
    }
    [sent] = whatsapp.payloads("31600000001", live)
    titles = [b["reply"]["title"] for b in sent["interactive"]["action"]["buttons"]]
    assert titles == ["Ja, nu chatten", "Vraag achterlaten"] and all(len(t) <= 20 for t in titles)
    # four choices, or titles too long for a button: a list, whole titles in the descriptions
    clarify = {
        "text": "Welk onderwerp bedoel je?",
        "buttons": [
            {
                "title": "Toelaatbaarheidsverklaring voor het speciaal onderwijs",
                "payload": "/info_tlv_wat_is",
            },
            {"title": "Ontwikkelingsperspectiefplan (OPP)", "payload": "/info_opp_wat_is"},
            {"title": "Iets anders", "payload": "/deny"},
        ],
    }
    [sent] = whatsapp.payloads("31600000001", clarify)
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert sent["interactive"]["type"] == "list" and len(rows) == 3
    assert all(len(r["title"]) <= 24 for r in rows) and rows[0]["id"] == "/info_tlv_wat_is"
    assert rows[0]["description"].startswith("Toelaatbaarheidsverklaring")
    assert len(sent["interactive"]["action"]["button"]) <= 20


def test_long_text_is_split_and_goes_before_its_buttons():
    long = ("Een zin over passend onderwijs. " * 300).strip()  # ~9600 characters
    sent = whatsapp.payloads(
        "31600000001", {"text": long, "buttons": [{"title": "TLV", "payload": "/info_tlv_wat_is"}]}
    )
    texts = [p for p in sent if p["type"] == "text"]
    assert len(texts) == 3 and all(len(p["text"]["body"]) <= 4096 for p in texts)
    assert "".join(p["text"]["body"] for p in texts).replace(" ", "") == long.replace(" ", "")
    assert sent[-1]["type"] == "interactive" and sent[-1]["interactive"]["type"] == "button"
    assert all(p["to"] == "31600000001" and p["messaging_product"] == "whatsapp" for p in sent)
    assert not any(p["text"]["preview_url"] for p in texts)  # no previews of unchecked pages
    assert whatsapp.payloads("31600000001", {"text": "  "}) == []


def test_the_way_back_is_sealed_and_closes_after_24_hours(tmp_path):
    engine = db.engine_for(f"sqlite:///{tmp_path / 'wa.db'}")
    store = WhatsAppStore(engine, b"secret")
    store.remember("wa-abc", "31612345678", "100000000000001", NOW)
    route = store.route("wa-abc")
    assert route is not None and route.wa_id == "31612345678" and route.is_open(NOW + timedelta(hours=23))
    assert not route.is_open(NOW + timedelta(hours=24, seconds=1))
    with engine.connect() as connection:  # the number is nowhere in the database in plain text
        stored = connection.exec_driver_sql("select * from whatsapp_routes").all()
    assert "31612345678" not in repr(stored) and "wa-abc" not in repr(stored)
    store.remember("wa-abc", "31612345678", "100000000000001", NOW + timedelta(hours=30))  # wrote again
    assert store.purge(NOW + timedelta(hours=31)) == 0
    assert store.purge(NOW + timedelta(hours=55)) == 1 and store.route("wa-abc") is None


def test_once_is_true_for_the_first_caller_only(tmp_path):
    store = WhatsAppStore(db.engine_for(f"sqlite:///{tmp_path / 'wa.db'}"), b"secret")
    assert store.once("wa-in:wamid.A", NOW)
    assert not store.once("wa-in:wamid.A", NOW)
    assert store.once("wa-in:wamid.B", NOW)
    assert store.purge(NOW + timedelta(days=9)) == 2
    assert store.once("wa-in:wamid.A", NOW + timedelta(days=9))


@pytest.fixture
def fake(monkeypatch):
    fake = FakeGraph().start()
    monkeypatch.setattr(settings, "WHATSAPP_API_URL", fake.url)
    monkeypatch.setattr(settings, "WHATSAPP_TOKEN", "test-token")
    monkeypatch.setattr(graph, "FIRST_WAIT", 0.01)
    yield fake
    fake.stop()


def test_sending_uses_the_bearer_token_and_the_number_id(fake):
    sent = asyncio.run(graph.send("100000000000001", graph.text_message("31600000001", "Hallo")))
    assert sent.ok and sent.attempts == 1 and sent.message_id == "wamid.fake1"
    [received] = fake.messages()
    assert received.authorization == "Bearer test-token"
    assert received.path == "/v21.0/100000000000001/messages"
    assert received.to == "31600000001" and received.text == "Hallo"


def test_server_errors_are_retried_and_a_refusal_is_not(fake):
    fake.fail_next(500, 503)
    sent = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=4))
    assert sent.ok and sent.attempts == 3 and len(fake.messages()) == 1
    fake.fail_next(400)
    refused = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=4))
    assert not refused.ok and refused.attempts == 1 and refused.status == 400
    fake.fail_next(500, 500, 500)
    given_up = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=3))
    assert not given_up.ok and given_up.attempts == 3 and len(fake.messages()) == 1


def test_an_odd_answer_to_a_sent_message_does_not_send_it_again(fake):
    fake.answer_next(200, b"<html>ok</html>")  # e.g. a proxy in between
    sent = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=4))
    assert sent.ok and sent.attempts == 1 and sent.message_id is None
    fake.answer_next(502, b"")
    again = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=4))
    assert again.ok and again.attempts == 2


def test_an_unreachable_api_is_given_up_without_raising(monkeypatch):
    monkeypatch.setattr(settings, "WHATSAPP_API_URL", "http://127.0.0.1:9/v21.0")
    monkeypatch.setattr(graph, "FIRST_WAIT", 0.01)
    sent = asyncio.run(graph.send("1", graph.text_message("31600000001", "Hallo"), attempts=2))
    assert not sent.ok and sent.status == 0 and sent.attempts == 2


def test_failed_sends_are_logged_without_content(fake, caplog):
    fake.fail_next(500, 400)
    asyncio.run(graph.send("1", graph.text_message("31612345678", "geheim verhaal"), attempts=3))
    logged = caplog.text
    assert "500" in logged and "400" in logged
    assert "31612345678" not in logged and "geheim" not in logged
