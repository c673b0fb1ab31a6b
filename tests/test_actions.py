"""action_respond: renders the decided outcome from content, with payloads and slots."""
import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.content import ContentLibrary
from actions.respond import ActionRespond
from conftest import TODAY, topic_text


def tracker(intent, ranking=None, slots=None, metadata=None):
    ranking = ranking if ranking is not None else [{"name": intent, "confidence": 0.97}]
    latest = {"text": "vraag", "intent": {"name": intent, "confidence": ranking[0]["confidence"]
                                          if ranking else 1.0}, "intent_ranking": ranking}
    events = [{"event": "user", "text": "vraag", "parse_data": latest, "metadata": metadata or {}}]
    return Tracker("test-user", slots or {}, latest, events, False, None, {}, "action_listen")


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def payloads(messages):
    return [m["custom"] for m in messages if m.get("custom")]


@pytest.fixture
def action(content_dir):
    topics, regio = content_dir
    (topics / "tlv-wat-is.md").write_text(
        topic_text("tlv-wat-is", "Een TLV is een besluit. Bel {steunpunt_telefoon}.",
                   youth="Een TLV is een briefje voor jou."))
    (topics / "tlv-aanvragen.md").write_text(topic_text("tlv-aanvragen", "De school vraagt aan."))
    (topics / "oud.md").write_text(topic_text("oud", review_by="2026-05-31"))
    (topics / "steunpunt-contact.md").write_text(
        topic_text("steunpunt-contact", "Bel {steunpunt_telefoon}."))
    library = ContentLibrary(topics, regio, today=lambda: TODAY, recheck_seconds=0)
    return ActionRespond(library=library, today=lambda: TODAY)


def test_answer_comes_from_content_with_source_date_and_payload(action):
    messages, slots = run(action, tracker("info_tlv_wat_is", slots={"audience": "ouder"}))
    assert "Een TLV is een besluit. Bel [telefoonnummer]." in messages[0]["text"]
    assert "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs" in messages[0]["text"]
    assert "10 januari 2026" in messages[0]["text"]
    payload = payloads(messages)[0]
    assert payload["type"] == "answer" and payload["content_id"] == "tlv-wat-is"
    assert payload["reviewed_on"] == "2026-01-10"
    assert payload["sources"] == [{"title": "Passend onderwijs",
                                   "url": "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs"}]
    assert slots["last_topic"] == "tlv-wat-is"


def test_youth_metadata_gives_the_youth_wording_and_sets_the_slot(action):
    messages, slots = run(action, tracker("info_tlv_wat_is", metadata={"audience": "jongere"}))
    assert messages[0]["text"].startswith("Een TLV is een briefje voor jou.")
    assert slots["audience"] == "jongere"
    assert len(messages) == 1  # no need to ask who we talk to


def test_unknown_audience_is_asked_once_when_the_answer_differs(action):
    messages, slots = run(action, tracker("info_tlv_wat_is"))
    assert messages[0]["text"].startswith("Een TLV is een besluit.")
    assert payloads(messages)[-1] == {"type": "ask_audience"}
    assert slots["audience_asked"] is True
    again, _ = run(action, tracker("info_tlv_wat_is", slots={"audience_asked": True}))
    assert {"type": "ask_audience"} not in payloads(again)


def test_answer_without_youth_variant_does_not_ask(action):
    messages, _ = run(action, tracker("info_tlv_aanvragen"))
    assert [p["type"] for p in payloads(messages)] == ["answer"]


def test_saying_i_am_a_youth_re_answers_the_last_topic_for_youths(action):
    messages, slots = run(action, tracker("iam_youth", slots={"last_topic": "tlv-wat-is"}))
    assert slots["audience"] == "jongere"
    answer = [m for m in messages if m.get("custom", {}).get("type") == "answer"]
    assert answer and answer[0]["text"].startswith("Een TLV is een briefje voor jou.")


def test_content_past_review_date_is_not_served_and_a_person_is_offered(action):
    messages, slots = run(action, tracker("info_oud"))
    assert not any("Tekst voor ouders" in (m.get("text") or "") for m in messages)
    assert payloads(messages) == [{"type": "handoff_offer", "reason": "being_checked",
                                   "content_id": "oud"}]
    assert slots["pending"] == "handoff_offer"


def test_missing_content_is_treated_as_being_checked(action):
    messages, _ = run(action, tracker("info_bestaat_niet"))
    assert payloads(messages)[0]["type"] == "handoff_offer"


def test_unsure_nlu_asks_which_topic_with_buttons(action):
    ranking = [{"name": "nlu_fallback", "confidence": 0.5},
               {"name": "info_tlv_wat_is", "confidence": 0.45},
               {"name": "info_tlv_aanvragen", "confidence": 0.40},
               {"name": "info_oud", "confidence": 0.3}]
    messages, slots = run(action, tracker("nlu_fallback", ranking))
    assert payloads(messages) == [{"type": "clarify", "candidates": ["tlv-wat-is", "tlv-aanvragen"]}]
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/info_tlv_wat_is", "/info_tlv_aanvragen"]
    assert buttons[0]["title"] == "Label tlv-wat-is"
    assert slots["pending"] == "clarify"


def test_nothing_plausible_offers_a_person(action):
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "greet", "confidence": 0.3}]
    messages, slots = run(action, tracker("nlu_fallback", ranking))
    assert payloads(messages) == [{"type": "handoff_offer", "reason": "not_understood"}]
    assert [m["response"] for m in messages] == ["utter_reason_not_understood",
                                                  "utter_handoff_offer"]


def test_accepting_the_offer_says_what_happens_and_starts_the_handoff(action):
    messages, slots = run(action, tracker("affirm", slots={"pending": "handoff_offer"}))
    assert messages[0]["response"] == "utter_handoff_start"
    assert payloads(messages)[0]["content_id"] == "steunpunt-contact"
    assert slots["pending"] is None and slots["handoff_requested"] is True


def test_yes_without_an_offer_does_not_hand_off(action):
    messages, slots = run(action, tracker("affirm"))
    assert messages[0]["response"] == "utter_how_can_i_help"
    assert "handoff_requested" not in slots


def test_an_edit_changes_the_answer_without_retraining(action):
    path = action.library.topics_dir / "tlv-aanvragen.md"
    path.write_text(topic_text("tlv-aanvragen", "Nieuwe, aangepaste uitleg over aanvragen."))
    messages, _ = run(action, tracker("info_tlv_aanvragen"))
    assert messages[0]["text"].startswith("Nieuwe, aangepaste uitleg over aanvragen.")
