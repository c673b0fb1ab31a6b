"""action_respond: renders the decided outcome from content, with payloads and slots."""

import asyncio
from pathlib import Path

import pytest
from conftest import OVERDUE, REVIEWED_ON, TODAY, topic_text
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from library import ContentLibrary
from steunpunt import settings
from steunpunt.clock import dutch_date


def tracker(intent, ranking=None, slots=None, metadata=None, text="vraag"):
    ranking = ranking if ranking is not None else [{"name": intent, "confidence": 0.97}]
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": ranking[0]["confidence"] if ranking else 1.0},
        "intent_ranking": ranking,
    }
    events = [{"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}}]
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
    topics, facts = content_dir
    (topics / "tlv-wat-is.md").write_text(
        topic_text(
            "tlv-wat-is",
            "Een TLV is een besluit. Bel {steunpunt_telefoon}.",
            youth="Een TLV is een briefje voor jou.",
        )
    )
    (topics / "tlv-aanvragen.md").write_text(topic_text("tlv-aanvragen", "De school vraagt aan."))
    (topics / "oud.md").write_text(topic_text("oud", review_by=OVERDUE))
    (topics / "steunpunt-contact.md").write_text(topic_text("steunpunt-contact", "Bel {steunpunt_telefoon}."))
    library = ContentLibrary(topics, facts, today=lambda: TODAY, recheck_seconds=0)
    return ActionRespond(library=library, today=lambda: TODAY)


def test_answer_comes_from_content_with_source_date_and_payload(action):
    messages, slots = run(action, tracker("info_tlv_wat_is", slots={"audience": "ouder"}))
    assert "Een TLV is een besluit. Bel [telefoonnummer]." in messages[0]["text"]
    assert "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs" in messages[0]["text"]
    assert dutch_date(REVIEWED_ON) in messages[0]["text"]
    payload = payloads(messages)[0]
    assert payload["type"] == "answer" and payload["content_id"] == "tlv-wat-is"
    assert payload["reviewed_on"] == REVIEWED_ON.isoformat()
    assert payload["sources"] == [
        {"title": "Passend onderwijs", "url": "https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs"}
    ]
    assert slots["last_topic"] == "tlv-wat-is"


def test_youth_metadata_gives_the_youth_wording_and_sets_the_slot(action):
    messages, slots = run(action, tracker("info_tlv_wat_is", metadata={"audience": "jongere"}))
    assert messages[0]["text"].startswith("Een TLV is een briefje voor jou.")
    assert slots["audience"] == "jongere"
    assert {"type": "ask_audience"} not in payloads(messages)  # no need to ask who we talk to
    assert payloads(messages)[-1] == {"type": "feedback", "content_id": "tlv-wat-is"}
    assert slots["pending"] == "feedback"


def test_unknown_audience_is_asked_once_when_the_answer_differs(action):
    messages, slots = run(action, tracker("info_tlv_wat_is"))
    assert messages[0]["text"].startswith("Een TLV is een besluit.")
    assert payloads(messages)[-1] == {"type": "ask_audience"}
    assert slots["audience_asked"] is True
    again, _ = run(action, tracker("info_tlv_wat_is", slots={"audience_asked": True}))
    assert {"type": "ask_audience"} not in payloads(again)


def test_answer_without_youth_variant_does_not_ask(action):
    messages, _ = run(action, tracker("info_tlv_aanvragen"))
    assert [p["type"] for p in payloads(messages)] == ["answer", "feedback"]


def test_saying_i_am_a_youth_re_answers_the_last_topic_for_youths(action):
    messages, slots = run(action, tracker("iam_youth", slots={"last_topic": "tlv-wat-is"}))
    assert slots["audience"] == "jongere"
    answer = [m for m in messages if m.get("custom", {}).get("type") == "answer"]
    assert answer and answer[0]["text"].startswith("Een TLV is een briefje voor jou.")


def test_content_past_review_date_is_not_served_and_a_person_is_offered(action):
    messages, slots = run(action, tracker("info_oud"))
    assert not any("Tekst voor ouders" in (m.get("text") or "") for m in messages)
    assert payloads(messages) == [{"type": "handoff_offer", "reason": "being_checked", "content_id": "oud"}]
    assert slots["pending"] == "handoff_offer"


def test_missing_content_is_treated_as_being_checked(action):
    messages, _ = run(action, tracker("info_bestaat_niet"))
    assert payloads(messages)[0]["type"] == "handoff_offer"


def test_unsure_nlu_asks_which_topic_with_buttons(action):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "info_tlv_wat_is", "confidence": 0.45},
        {"name": "info_tlv_aanvragen", "confidence": 0.40},
        {"name": "info_oud", "confidence": 0.3},
    ]
    messages, slots = run(action, tracker("nlu_fallback", ranking))
    assert payloads(messages) == [{"type": "clarify", "candidates": ["tlv-wat-is", "tlv-aanvragen"]}]
    buttons = messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/info_tlv_wat_is", "/info_tlv_aanvragen", "/deny"]
    assert buttons[0]["title"] == "Label tlv-wat-is" and buttons[-1]["title"] == "Iets anders"
    assert slots["pending"] == "clarify"
    # "Iets anders" is a no to the clarification: the bot offers a person for that question
    ranking_no = [{"name": "deny", "confidence": 1.0}]
    messages, _ = run(action, tracker("deny", ranking_no, slots={"pending": "clarify"}))
    assert payloads(messages)[0] == {"type": "handoff_offer", "reason": "clarify_rejected"}


def test_nothing_plausible_offers_a_person(action):
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "greet", "confidence": 0.3}]
    messages, _ = run(action, tracker("nlu_fallback", ranking))
    assert payloads(messages) == [{"type": "handoff_offer", "reason": "not_understood"}]
    assert [m["response"] for m in messages] == ["utter_reason_not_understood", "utter_handoff_offer"]


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


def test_a_topic_removed_between_deciding_and_rendering_is_still_answered_from_the_same_view(
    action, monkeypatch
):
    """An editor's change lands between decide() and render(): the turn renders the content
    it decided on (one view per turn), and rendering reads no file."""
    import actions.respond as respond

    decided = respond.decide

    def decide_then_unpublish(**facts):
        outcome = decided(**facts)
        (action.library.topics_dir / "tlv-aanvragen.md").unlink()
        monkeypatch.setattr(action.library, "refresh", lambda: pytest.fail("render read the files"))
        return outcome

    monkeypatch.setattr(respond, "decide", decide_then_unpublish)
    messages, slots = run(action, tracker("info_tlv_aanvragen", slots={"audience": "ouder"}))
    assert messages[0]["text"].startswith("De school vraagt aan."), messages
    assert slots["last_topic"] == "tlv-aanvragen"


# --- feedback, small talk, and one signal per turn ------------------------------------------


def test_yes_to_had_je_hier_iets_aan_thanks_and_counts_for_the_topic(action, signals_db):
    messages, slots = run(
        action, tracker("affirm", slots={"pending": "feedback", "last_topic": "tlv-wat-is"})
    )
    assert messages[0]["response"] == "utter_feedback_thanks" and slots["pending"] is None
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"], signal["content_id"]) == ("feedback", "positive", "tlv-wat-is")
    assert signal["text"] is None


def test_no_to_had_je_hier_iets_aan_offers_a_person_and_is_a_signal_for_that_topic(action, signals_db):
    messages, slots = run(action, tracker("deny", slots={"pending": "feedback", "last_topic": "tlv-wat-is"}))
    assert payloads(messages) == [
        {"type": "handoff_offer", "reason": "not_helpful", "content_id": "tlv-wat-is"}
    ]
    assert slots["pending"] == "handoff_offer"
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"], signal["content_id"]) == ("feedback", "negative", "tlv-wat-is")


def test_a_new_question_after_an_answer_is_simply_answered(action):
    messages, _ = run(
        action, tracker("info_tlv_aanvragen", slots={"pending": "feedback", "last_topic": "tlv-wat-is"})
    )
    assert payloads(messages)[0]["content_id"] == "tlv-aanvragen"


@pytest.mark.parametrize(
    "intent, response",
    [
        ("greet", "utter_greet"),
        ("goodbye", "utter_goodbye"),
        ("thank", "utter_thank"),
        ("bot_challenge", "utter_iamabot"),
    ],
)
def test_small_talk_goes_through_the_one_decision_and_is_registered(action, signals_db, intent, response):
    messages, _ = run(action, tracker(intent))
    assert [m["response"] for m in messages] == [response]
    assert [(s["kind"], s["reason"]) for s in signals_db.rows()] == [("smalltalk", intent)]


@pytest.mark.parametrize(
    "intent, slots, kind, reason, keeps_text",
    [
        ("info_tlv_wat_is", {"audience": "ouder"}, "answer", None, False),
        ("nlu_fallback", {}, "handoff_offer", "not_understood", True),
        ("out_of_scope", {}, "handoff_offer", "out_of_scope", True),
        ("info_oud", {}, "handoff_offer", "being_checked", True),
        ("ask_human", {}, "handoff", "asked", True),
        ("affirm", {"pending": "handoff_offer"}, "handoff", "accepted_offer", False),
        ("deny", {"pending": "handoff_offer"}, "declined", None, False),
        ("iam_parent", {}, "set_audience", None, False),
    ],
)
def test_every_outcome_is_exactly_one_signal_with_text_only_when_not_answered(
    action, signals_db, intent, slots, kind, reason, keeps_text
):
    track = tracker(intent, slots=slots, metadata={"audience": "ouder", "region": "voorbeeld"})
    track.latest_message["text"] = "mijn zoon Daan (06-12345678) vraagt iets"
    run(action, track)
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"]) == (kind, reason)
    assert signal["region"] == "voorbeeld" and signal["audience"] == "ouder"
    assert signal["created_at"].minute == 0 and signal["created_at"].second == 0  # hour only
    if keeps_text:
        assert "Daan" not in signal["text"] and "06-12345678" not in signal["text"]
        assert "[naam]" in signal["text"] and "[telefoon]" in signal["text"]
    else:
        assert signal["text"] is None


def test_a_rejected_clarification_keeps_the_question_it_was_about(action, signals_db):
    events = [
        {"event": "user", "text": "wie betaalt de taxi naar school", "metadata": {}},
        {"event": "bot", "text": "Gaat je vraag over ..."},
        {"event": "user", "text": "nee", "metadata": {}},
    ]
    latest = {"text": "nee", "intent": {"name": "deny", "confidence": 0.99}, "intent_ranking": []}
    run(action, Tracker("t", {"pending": "clarify"}, latest, events, False, None, {}, "action_listen"))
    [signal] = signals_db.rows()
    assert (signal["reason"], signal["text"]) == ("clarify_rejected", "wie betaalt de taxi naar school")


def test_unknown_region_ids_fall_back_to_the_default(action, signals_db):
    run(action, tracker("info_tlv_wat_is", metadata={"region": "<script>"}))
    assert signals_db.rows()[0]["region"] == "standaard"


def test_a_broken_signal_store_never_breaks_the_reply(action, monkeypatch):
    from signals import record

    class Broken:
        def add(self, signal):
            raise OSError("database locked")

    monkeypatch.setattr(record, "_store", Broken())
    messages, _ = run(action, tracker("info_tlv_aanvragen"))
    assert payloads(messages)[0]["type"] == "answer"


def test_a_question_in_another_language_is_told_dutch_only_and_offered_a_person(action):
    track = tracker("info_tlv_wat_is")
    track.latest_message["text"] = "What is a TLV and how do I get one for my son?"
    messages, slots = run(action, track)
    assert [m.get("response") for m in messages][:2] == [
        "utter_reason_other_language_en",
        "utter_handoff_offer",
    ]
    assert payloads(messages)[0] == {"type": "language_notice", "language": "en"}
    assert payloads(messages)[-1] == {"type": "handoff_offer", "reason": "other_language", "language": "en"}
    assert slots["pending"] == "handoff_offer"
    button = tracker("info_tlv_wat_is")  # a button payload is never taken for a language
    button.latest_message["text"] = "/info_tlv_wat_is"
    assert payloads(run(action, button)[0])[0]["type"] == "answer"


@pytest.mark.parametrize(
    "text, audience",
    [
        ("mijn zoon moet een tlv hebben, wat is dat", "ouder"),
        ("onze dochter gaat naar het so. wat is een tlv?", "ouder"),
        ("ik zit in 2 havo en mijn mentor zegt iets over een tlv", "jongere"),
        ("wat is een tlv", None),
    ],
)
def test_the_audience_is_taken_from_the_text_where_it_is_plain_before_asking(action, text, audience):
    messages, slots = run(action, tracker("info_tlv_wat_is", text=text))
    asked = any(
        m.get("response") == "utter_ask_audience" or "ouder of" in (m.get("text") or "") for m in messages
    )
    assert slots.get("audience") == audience
    assert asked is (audience is None)  # asked only when the text does not say it
    if audience == "jongere":
        assert "Een TLV is een briefje voor jou." in messages[0]["text"]


def test_a_topic_that_only_another_region_has_is_not_answered_and_not_called_being_checked(
    content_dir, monkeypatch
):
    topics, facts = content_dir
    monkeypatch.setattr(settings, "REGIONS_DIR", topics.parent / "regions")
    (topics / "tlv-wat-is.md").write_text(topic_text("tlv-wat-is", "Landelijk."))
    (topics / "steunpunt-contact.md").write_text(topic_text("steunpunt-contact", "Bel ons."))
    own = topics.parent / "regions" / "noord"
    (own / "topics").mkdir(parents=True)
    (own / "regio.yml").write_text(facts.read_text())
    (own / "topics" / "noord-spreekuur.md").write_text(topic_text("noord-spreekuur", "Alleen in Noord."))
    library = ContentLibrary(
        topics, facts, today=lambda: TODAY, recheck_seconds=0, regions_dir=topics.parent / "regions"
    )
    action = ActionRespond(library=library, today=lambda: TODAY)
    there, _ = run(action, tracker("info_noord_spreekuur", metadata={"region": "noord"}))
    assert payloads(there)[0]["type"] == "answer" and payloads(there)[0]["region"] == "noord"
    elsewhere, _ = run(action, tracker("info_noord_spreekuur"))
    assert payloads(elsewhere)[0] == {
        "type": "handoff_offer",
        "reason": "not_in_region",
        "content_id": "noord-spreekuur",
    }


@pytest.mark.parametrize(
    "text, language",
    [
        ("Oğlum okulda zorluk yaşıyor, ne yapmalıyım?", "tr"),
        ("Mój syn ma problemy w szkole, co mogę zrobić?", "pl"),
        ("ابني يواجه مشاكل في المدرسة ماذا أفعل", "ar"),
        ("Мій син має проблеми в школі, що робити?", "uk"),
    ],
)
def test_the_dutch_only_notice_is_said_in_the_language_of_the_question(action, text, language):
    track = tracker("info_tlv_wat_is")
    track.latest_message["text"] = text
    messages, _ = run(action, track)
    assert messages[0]["response"] == f"utter_reason_other_language_{language}"
    assert payloads(messages)[-1]["language"] == language


def test_every_language_the_assistant_recognises_has_its_own_notice_in_that_language():
    """Each recognised language has a fixed text in the domain that starts in that language, names
    the Dutch button to press, ends in Dutch, and says in the domain whether a native speaker
    has checked it."""
    import yaml

    from actions.replies import LANGUAGE_NOTICES
    from steunpunt.language import _FUNCTION_WORDS, _SCRIPTS, DUTCH

    root = Path(__file__).resolve().parent.parent
    domain_text = (root / "domain.yml").read_text(encoding="utf-8")
    responses = yaml.safe_load(domain_text)["responses"]
    recognised = (set(_FUNCTION_WORDS) - {DUTCH}) | set(_SCRIPTS)
    assert set(LANGUAGE_NOTICES) == recognised
    firsts = set()
    for name in LANGUAGE_NOTICES.values():
        first, *_, last = responses[name][0]["text"].split("\n\n")
        assert '"Ja, graag"' in first and last == "Ik spreek alleen Nederlands."
        firsts.add(first)
    assert len(firsts) == len(LANGUAGE_NOTICES)  # not one text copied for all
    assert "Checked by a native speaker:" in domain_text
