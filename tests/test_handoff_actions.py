"""The handoff form, ticket creation and reading a ticket back by code (action level)."""

import asyncio
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from store.db import engine_for
from store.tickets import TicketStore


@pytest.fixture
def store(tmp_path, monkeypatch):
    ticket_store = TicketStore(engine_for(f"sqlite:///{tmp_path / 'h.db'}"), b"secret")
    monkeypatch.setattr(handoff, "_store", ticket_store)
    return ticket_store


def tracker(slots=None, metadata=None, sender="chat-1"):
    events = [
        {
            "event": "user",
            "text": "mijn kind zit thuis",
            "timestamp": 1.0,
            "metadata": metadata or {},
            "parse_data": {
                "intent_ranking": [
                    {"name": "nlu_fallback", "confidence": 0.5},
                    {"name": "info_thuiszitten", "confidence": 0.45},
                    {"name": "out_of_scope", "confidence": 0.2},
                    {"name": "info_school_weigert", "confidence": 0.1},
                ]
            },
        },
        {"event": "bot", "text": "Wil je een medewerker?", "timestamp": 2.0},
        {
            "event": "user",
            "text": "ja",
            "timestamp": 3.0,
            "metadata": metadata or {},
            "parse_data": {"intent_ranking": [{"name": "affirm", "confidence": 0.99}]},
        },
    ]
    latest = {"intent": {"name": "affirm"}, "intent_ranking": []}
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def run(action, track):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages, events


def required(track):
    form = handoff.ValidateHandoffForm()
    return asyncio.run(form.required_slots([], CollectingDispatcher(), track, {}))


def test_youths_are_never_asked_for_contact_data():
    assert required(tracker(metadata={"audience": "jongere"})) == ["handoff_description"]
    assert required(tracker(slots={"audience": "jongere"})) == ["handoff_description"]


def test_parents_may_leave_contact_and_unknown_audience_is_asked_first():
    assert required(tracker(slots={"audience": "ouder"})) == ["handoff_description", "handoff_contact"]
    assert required(tracker())[0] == "handoff_audience"


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("Ouder@Voorbeeld.nl", "ouder@voorbeeld.nl"),
        ("06-1234 5678", "0612345678"),
        ("+31612345678", "+31612345678"),
        ("Nee, dank je.", "geen"),
        ("liever niet", "geen"),
    ],
)
def test_contact_is_validated_or_declined(typed, stored):
    form = handoff.ValidateHandoffForm()
    assert form.validate_handoff_contact(typed, CollectingDispatcher(), tracker(), {}) == {
        "handoff_contact": stored
    }


@pytest.mark.parametrize("typed", ["mijn naam is", "12345", "jan@", "bel me maar"])
def test_invalid_contact_is_asked_again_with_an_explanation(typed):
    dispatcher = CollectingDispatcher()
    result = handoff.ValidateHandoffForm().validate_handoff_contact(typed, dispatcher, tracker(), {})
    assert result == {"handoff_contact": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_contact"


def form_tracker(asked_audience=0, asked_contact=0, text="ja", slots=None):
    """A tracker inside the handoff form, after it asked the given questions so often."""
    events: List[Dict[str, Any]] = [{"event": "active_loop", "name": "handoff_form"}]
    for name, times in (("handoff_audience", asked_audience), ("handoff_contact", asked_contact)):
        events += [
            {"event": "bot", "text": "?", "metadata": {"utter_action": f"utter_ask_{name}"}},
            {"event": "user", "text": "x"},
        ] * times
    latest = {"text": text, "intent": {"name": "out_of_scope"}, "intent_ranking": []}
    return Tracker(
        "chat-1", slots or {}, latest, events, False, None, {"name": "handoff_form"}, "action_listen"
    )


def test_a_story_instead_of_ouder_of_leerling_becomes_the_description_and_nothing_is_asked_a_third_time():
    form = handoff.ValidateHandoffForm()
    story = "Hij wordt al maanden gepest en de school doet niets"
    first = form.validate_handoff_audience(story, CollectingDispatcher(), form_tracker(asked_audience=1), {})
    assert first == {"handoff_description": story, "handoff_audience": None}  # asked once more
    second = form.validate_handoff_audience(
        "weet ik niet",
        CollectingDispatcher(),
        form_tracker(asked_audience=2, slots={"handoff_description": story}),
        {},
    )
    assert second == {"handoff_audience": "jongere"}  # goes on without contact data: a code
    assert required(
        form_tracker(text=story, slots={"handoff_audience": "jongere", "handoff_description": story})
    ) == ["handoff_description"]


def test_a_story_that_says_who_writes_answers_the_question_too():
    form = handoff.ValidateHandoffForm()
    story = "Mijn dochter wordt gepest en durft niet meer naar school"
    result = form.validate_handoff_audience(story, CollectingDispatcher(), form_tracker(asked_audience=1), {})
    assert result == {"handoff_description": story, "handoff_audience": "ouder", "audience": "ouder"}
    assert required(form_tracker(text=story)) == ["handoff_description", "handoff_contact"]  # not asked
    short = form.validate_handoff_audience(
        "ik ben de moeder", CollectingDispatcher(), form_tracker(asked_audience=1), {}
    )
    assert short == {"handoff_audience": "ouder", "audience": "ouder"}  # an answer, not a story


def test_invalid_contact_twice_goes_on_with_a_code_instead_of_asking_a_third_time():
    form = handoff.ValidateHandoffForm()
    dispatcher = CollectingDispatcher()
    result = form.validate_handoff_contact("bel me maar", dispatcher, form_tracker(asked_contact=2), {})
    assert result == {"handoff_contact": "geen"}
    assert dispatcher.messages[0]["response"] == "utter_contact_given_up"


def test_audience_from_words_in_the_form():
    form = handoff.ValidateHandoffForm()
    assert form.validate_handoff_audience("ik ben de vader", None, tracker(), {})["audience"] == "ouder"
    assert form.validate_handoff_audience("ik zit in klas 3", None, tracker(), {})["audience"] == "jongere"
    assert form.validate_handoff_audience("weet niet", None, tracker(), {}) == {"handoff_audience": None}


def test_youth_ticket_is_committed_with_transcript_and_topic_guess_and_gets_a_code(store):
    track = tracker(
        slots={"handoff_description": "ik wil weer naar school"}, metadata={"audience": "jongere"}
    )
    messages, events = run(handoff.ActionCreateTicket(), track)
    payload = messages[0]["custom"]
    assert payload["type"] == "handoff" and payload["ticket"] == "SP-00001" and payload["code"]
    assert messages[0]["response"] == "utter_handoff_confirm_code"
    saved = store.get(1)
    assert saved["audience"] == "jongere" and saved["contact"] is None
    assert saved["description"] == "ik wil weer naar school"
    assert [g["topic"] for g in saved["topic_guess"]] == ["thuiszitten", "school-weigert"]
    assert [line["text"] for line in saved["transcript"]] == [
        "mijn kind zit thuis",
        "Wil je een medewerker?",
        "ja",
    ]
    assert {e["name"] for e in events} >= {"handoff_contact", "handoff_description"}


def test_parent_with_contact_gets_no_code(store):
    track = tracker(
        slots={"audience": "ouder", "handoff_contact": "0612345678", "handoff_description": "graag bellen"}
    )
    messages, _ = run(handoff.ActionCreateTicket(), track)
    assert messages[0]["custom"]["code"] is None
    assert messages[0]["response"] == "utter_handoff_confirm_contact"
    assert store.get(1)["contact"] == "0612345678"


def test_a_description_that_waited_sealed_reaches_the_ticket_in_plain_text(store, monkeypatch):
    """A parent's story waits one turn in the tracker store, sealed (store/tracker_store.py)."""
    from steunpunt.sealed import seal

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "k" * 40)
    track = tracker(
        slots={
            "audience": "ouder",
            "handoff_contact": "0612345678",
            "handoff_description": seal("hij wordt gepest"),
        }
    )
    run(handoff.ActionCreateTicket(), track)
    assert store.get(1)["description"] == "hij wordt gepest"


class Broken:
    """A ticket store whose database is locked."""

    def may_create(self, client):
        return True

    def create(self, **kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("INSERT INTO tickets", {}, Exception("database is locked"))


def test_store_failure_points_to_a_person_keeps_the_story_and_logs_an_alarm(monkeypatch, caplog):
    monkeypatch.setattr(handoff, "_store", Broken())
    story = "Mijn zoon Daan zit al weken thuis"
    messages, events = run(
        handoff.ActionCreateTicket(),
        tracker(slots={"audience": "ouder", "handoff_description": story, "handoff_contact": "a@b.nl"}),
    )
    assert messages[0]["custom"] == {"type": "handoff_failed"}
    cleared = {e["name"] for e in events if e.get("event") == "slot" and e["value"] in (None, False)}
    assert "handoff_description" not in cleared and "handoff_contact" in cleared
    alarm = [r.getMessage() for r in caplog.records if "ALARM" in r.getMessage()]
    assert alarm and "Daan" not in alarm[0] and "a@b.nl" not in alarm[0]


def test_code_shows_status_and_staff_reply(store):
    ticket = store.create(
        audience="jongere", channel="rest", topic_guess=[], transcript=[], description=None, contact=None
    )
    store.reply(1, "Je kunt ons bellen.", staff_id=None)
    messages, events = run(handoff.ActionCheckCode(), tracker(slots={"ticket_code": ticket.code}))
    status = messages[0]["custom"]
    assert status["found"] and status["reply"] == "Je kunt ons bellen."
    assert messages[1]["response"] == "utter_code_reply"
    assert events[0]["name"] == "ticket_code" and events[0]["value"] is None


def test_a_ticket_and_a_code_check_remember_their_conversations_for_erasing(store):
    from sqlalchemy import select

    from store.conversations import conversation_key
    from store.schema import ticket_conversations

    made = run(handoff.ActionCreateTicket(), tracker(slots={"audience": "jongere"}, sender="chat-maker"))
    code = made[0][0]["custom"]["code"]
    run(handoff.ActionCheckCode(), tracker(slots={"ticket_code": code}, sender="chat-reader"))
    with store.engine.connect() as connection:
        linked = [row.conversation for row in connection.execute(select(ticket_conversations))]
    assert linked == [conversation_key(s, store.secret) for s in ("chat-maker", "chat-reader")]


def test_the_code_form_reads_its_code_in_the_turn_and_the_tracker_store_keeps_none(store, tmp_path):
    """Rasa fills ticket_code from the reply, action_check_code reads it from the tracker in
    memory, and only then is the turn saved (scrubbed): the lookup works, the store has no code."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    from store.tracker_store import ScrubbingSQLTrackerStore

    ticket = store.create(
        audience="jongere", channel="rest", topic_guess=[], transcript=[], description=None, contact=None
    )
    store.reply(1, "Je kunt ons bellen.", staff_id=None)
    domain = Domain.load(str(Path(__file__).parent.parent / "domain.yml"))
    trackers = ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    said = f"ik heb een code, {ticket.code}"
    first = DialogueStateTracker.from_events(
        "chat-9",
        [
            UserUttered(said, intent={"name": "have_code", "confidence": 0.9}, parse_data={"text": said}),
            ActiveLoop("code_form"),
            SlotSet("requested_slot", "ticket_code"),
            BotUttered("Typ je code."),
        ],
        slots=domain.slots,
    )
    asyncio.run(trackers.save(first))
    # The next turn as Rasa runs it: the reply fills the slot, the form ends, the action runs.
    turn = asyncio.run(trackers.retrieve("chat-9"))
    typed = ticket.code.lower().replace("-", " ")
    for event in (
        UserUttered(typed, parse_data={"text": typed}),
        SlotSet("ticket_code", typed),
        SlotSet("requested_slot", None),
        ActiveLoop(None),
    ):
        turn.update(event)
    state = turn.current_state(EventVerbosity.ALL)
    messages, _ = run(handoff.ActionCheckCode(), Tracker.from_dict(state))
    assert messages[0]["custom"]["found"] and messages[1]["response"] == "utter_code_reply"
    turn.update(BotUttered("Antwoord van het steunpunt: Je kunt ons bellen."))
    turn.update(SlotSet("ticket_code", None))
    asyncio.run(trackers.save(turn))
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("t.db*"))
    for form in (ticket.code, ticket.code.replace("-", ""), typed, typed.upper()):
        assert form.encode() not in stored, form
    assert b"Je kunt ons bellen" in stored


def test_wrong_code_is_neutral_and_repeated_ones_are_slowed(store):
    outcomes = []
    for _ in range(4):
        messages, _ = run(handoff.ActionCheckCode(), tracker(slots={"ticket_code": "ZZZZ-ZZZZ"}))
        outcomes.append(messages[0]["response"])
    assert outcomes[:3] == ["utter_code_unknown"] * 3
    assert outcomes[3] == "utter_code_wait"


def test_a_ticket_is_one_signal_with_its_number_and_the_redacted_description(store, signals_db):
    track = tracker(
        slots={"handoff_description": "Mijn zoon Daan zit thuis, bel 0612345678"},
        metadata={"audience": "ouder", "region": "voorbeeld"},
    )
    messages, _ = run(handoff.ActionCreateTicket(), track)
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["ticket"]) == ("ticket", messages[0]["custom"]["ticket"])
    assert signal["content_id"] == "thuiszitten" and signal["region"] == "voorbeeld"
    assert "Daan" not in signal["text"] and "0612345678" not in signal["text"]
    assert "zit thuis" in signal["text"]


def test_a_failed_ticket_is_a_signal_too(monkeypatch, signals_db):
    monkeypatch.setattr(handoff, "_store", Broken())
    run(handoff.ActionCreateTicket(), tracker(slots={"audience": "jongere"}))
    assert [(s["kind"], s["reason"]) for s in signals_db.rows()] == [("ticket", "failed")]


def test_a_code_check_is_a_signal_without_the_code(store, signals_db):
    run(handoff.ActionCheckCode(), tracker(slots={"ticket_code": "ZZZZ-ZZZZ"}))
    [signal] = signals_db.rows()
    assert (signal["kind"], signal["reason"], signal["text"]) == ("code_check", "not_found", None)


def test_a_flood_of_tickets_from_one_client_is_refused_with_the_way_to_a_person(store, monkeypatch):
    from steunpunt import settings

    monkeypatch.setattr(settings, "TICKETS_PER_CLIENT_HOUR", 2)
    client = {"client": "0123456789abcdef01234567"}
    made = [
        run(handoff.ActionCreateTicket(), tracker(slots={"audience": "jongere"}, metadata=client))[0][0]
        for _ in range(3)
    ]
    assert [m["custom"]["type"] for m in made] == ["handoff", "handoff", "handoff_failed"]
    assert made[2]["custom"]["reason"] == "limit" and len(store.search()) == 2
    other = {"client": "fedcba9876543210fedcba98"}
    assert (
        run(handoff.ActionCreateTicket(), tracker(slots={"audience": "jongere"}, metadata=other))[0][0][
            "custom"
        ]["type"]
        == "handoff"
    )


def test_a_transcript_shows_buttons_by_the_title_the_user_saw():
    from actions.handoff import shown_text

    assert shown_text("/live_chat") == "[knop] Ja, nu chatten"
    assert shown_text("/affirm") == "[knop] Ja"
    assert shown_text("/info_tlv_wat_is").startswith("[knop] ") and "/info" not in shown_text(
        "/info_tlv_wat_is"
    )
    assert shown_text("/zomaar iets") == "/zomaar iets"  # typed, not a button
    assert shown_text("Wat is een TLV?") == "Wat is een TLV?"


def test_a_form_call_builds_its_turn_context_once(monkeypatch):
    """One turn context per action call (issue 23): rasa_sdk asks `required_slots` up to three
    times in one form call, and the WhatsApp youth notice needs the context too; each used to
    read the tracker's metadata and facts again."""
    built = []

    def counted(track, library):
        built.append(track.sender_id)
        return turn_context(track, library)

    from actions.context import turn_context

    monkeypatch.setattr(handoff, "turn_context", counted)
    typed = "Ik word gepest op school en weet niet wat ik moet doen"
    events = [
        {"event": "active_loop", "name": "handoff_form"},
        {
            "event": "user",
            "text": typed,
            "input_channel": "whatsapp",
            "metadata": {},
            "parse_data": {"intent": {"name": "nlu_fallback"}, "intent_ranking": []},
        },
        {"event": "slot", "name": "handoff_description", "value": "Ik word gepest op school"},
    ]
    latest = {"text": typed, "intent": {"name": "nlu_fallback"}, "intent_ranking": []}
    track = Tracker(
        "wa-form",
        {
            "handoff_audience": "jongere",
            "handoff_description": "Ik word gepest op school",
            "requested_slot": "handoff_description",
        },
        latest,
        events,
        False,
        None,
        {"name": "handoff_form"},
        "action_listen",
    )
    domain = {"forms": {"handoff_form": {"required_slots": ["handoff_audience", "handoff_description"]}}}
    dispatcher = CollectingDispatcher()
    asyncio.run(handoff.ValidateHandoffForm().run(dispatcher, track, domain))
    assert [m["response"] for m in dispatcher.messages] == ["utter_whatsapp_youth_notice"]  # as before
    assert built == ["wa-form"]


def test_a_real_code_split_in_odd_places_is_kept_out_of_the_tracker_store(tmp_path, monkeypatch):
    """Issue 24 point 3: a code typed outside the form and split where no rule expects it
    ("RSR JKDSD") is only recognisable by checking it against the real codes; the tracker store
    does that check, so the conversation keeps neither this spelling nor the code. Words that
    are no ticket's code ("deze week", "2 keer per") stay."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from steunpunt import settings
    from store import tickets as ticket_module
    from store.tracker_store import ScrubbingSQLTrackerStore
    from tests.support.servers import TEST_SECRET

    url = f"sqlite:///{tmp_path / 'steunpunt.db'}"
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", TEST_SECRET)
    monkeypatch.setattr(settings, "DATABASE_URL", url)
    monkeypatch.setattr(ticket_module, "new_code", lambda: "RSRJ-KDSD")
    TicketStore(engine_for(url), TEST_SECRET.encode()).create(
        audience="jongere", channel="rest", topic_guess=[], transcript=[], description=None, contact=None
    )
    domain = Domain.load(str(Path(__file__).parent.parent / "domain.yml"))
    trackers = ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    said = ["mijn code is RSR JKDSD, is er al antwoord", "rsrjk dsd", "deze week 2 keer per dag"]
    events = [UserUttered(text, parse_data={"text": text}) for text in said]
    asyncio.run(trackers.save(DialogueStateTracker.from_events("chat-odd", events, slots=domain.slots)))
    stored = asyncio.run(trackers.retrieve("chat-odd"))
    texts = [event.text for event in stored.events if isinstance(event, UserUttered)]
    assert texts[0] == "mijn code is [code], is er al antwoord" and texts[1] == "[code]", texts
    assert texts[2] == "deze week 2 keer per dag"
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("t.db*")).upper()
    assert b"RSR JKDSD" not in raw and b"RSRJK DSD" not in raw and b"RSRJKDSD" not in raw
