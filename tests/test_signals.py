"""Signals: redaction quality on the frozen table, grouping, export, report, retention, the
command line, and keeping codes and contact data out of Rasa's tracker store."""
import asyncio
import json
import subprocess
import sys
from datetime import date, datetime

import pytest
import yaml
from pathlib import Path

from tests.support.servers import TEST_SECRET

from conftest import ROOT
from signals.period import Period
from signals.store import Signal, SignalStore
from store.db import engine_for


@pytest.fixture(scope="module")
def redactor():
    from signals.redact import Redactor

    return Redactor(today=date(2026, 11, 29))


# --- redaction ----------------------------------------------------------------------------------

def test_redaction_meets_its_targets_on_the_frozen_table(redactor):
    """≥ 98% of the personal data caught, ≥ 95% of the field terms kept (per kind printed)."""
    from evaluation.redaction_report import TEST_TABLE, load, measure, report

    table = load(TEST_TABLE)
    assert len(table) >= 80
    result = measure(table, redactor)
    print("\n" + report(result, TEST_TABLE).split("## What was missed")[0])
    assert result.recall() >= 0.98
    assert result.kept_share >= 0.95


@pytest.mark.parametrize("text, leaked, kept", [
    ("mijn zoon daan zit in groep 8 op obs de regenboog in zwolle", ["daan", "regenboog", "zwolle"], ["groep 8"]),
    ("bel me op +31 6 12345678 of 020-1234567, bsn 111222333", ["12345678", "1234567", "111222333"], []),
    ("IBAN NL91 ABNA 0417 1643 00 op naam van e. de jong", ["0417", "jong"], []),
    ("ik zit in 3 havo, cluster 2 via Kentalis, artikel 40 en vraag SP-00042 gaat over LBT",
     [], ["3 havo", "cluster 2", "Kentalis", "artikel 40", "SP-00042", "LBT"]),
])
def test_redaction_examples(redactor, text, leaked, kept):
    redacted = redactor.redact(text)
    for word in leaked:
        assert word not in redacted, redacted
    for term in kept:
        assert term in redacted, redacted


def test_bsn_needs_the_eleven_test(redactor):
    from signals.redact import bsn_valid

    assert bsn_valid("111222333") and not bsn_valid("111222334")
    assert "123456789" in redactor.redact("ordernummer 123456789")  # fails the 11-test


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "<script>alert(1)</script>", "🙂🙂🙂",
                                  "Hello, my son is being bullied", "مرحبا ابني", "x" * 5000])
def test_redaction_never_crashes_on_odd_input(redactor, text):
    assert isinstance(redactor.redact(text), str)


def test_redact_command_filters_standard_input():
    done = subprocess.run([sys.executable, "-m", "signals", "redact"], cwd=ROOT, text=True,
                          input="mijn dochter sanne, 0612345678\ngroep 8\n", capture_output=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["mijn dochter [naam], [telefoon]", "groep 8"]
    odd = subprocess.run([sys.executable, "-m", "signals", "redact"], cwd=ROOT, capture_output=True,
                         input=b"\xff\xfe binair \x00\nbel 0612345678\n", timeout=300)
    assert odd.returncode == 0, odd.stderr
    assert odd.stdout.decode().splitlines()[1] == "bel [telefoon]"


# --- grouping unmet questions --------------------------------------------------------------------

def fixture_items(name):
    groups = yaml.safe_load((ROOT / "tests" / "fixtures" / name).read_text())["groups"]
    return [(f"{subject}-{i}", text) for subject, texts in groups.items() for i, text in enumerate(texts)]


def test_identical_questions_form_one_group_with_three_examples_and_a_label():
    from signals.groups import group

    taxi = ["Wie betaalt de taxi naar het speciaal onderwijs?", "wie betaalt de taxi naar het so",
            "Wie betaalt de taxi naar het speciaal onderwijs?", "betaalt iemand de taxi naar het so?"]
    items = [(str(i), text) for i, text in enumerate(taxi)]
    items += [("x", "Mijn kind wordt gepest en school doet niets")]
    found = group(items)
    assert [g.size for g in found] == [4, 1]
    assert len(found[0].examples) == 3 and len(set(found[0].examples)) == 3  # distinct examples
    words = " ".join(taxi).lower()
    assert found[0].label and all(word in words for word in found[0].label.split(", "))
    assert "taxi" in found[0].label or "betaalt" in found[0].label


@pytest.mark.xfail(strict=True, reason="word features cannot tell that 'taxi', 'busje' and "
                   "'vervoer' mean the same: 5 groups, 3 of them mixed (docs/signals.md)")
def test_forty_rephrasings_of_four_missing_questions_make_four_pure_groups():
    from signals.groups import group

    found = group(fixture_items("unmet_questions.yml"))
    subjects = [{signal_id.rsplit("-", 1)[0] for signal_id in g.signal_ids} for g in found]
    assert len(found) == 4 and all(len(s) == 1 for s in subjects)


# --- store, export, report, retention --------------------------------------------------------------

@pytest.fixture
def store(tmp_path):
    return SignalStore(engine_for(f"sqlite:///{tmp_path / 's.db'}"))


def test_signals_keep_only_the_hour_and_a_random_id(store):
    first = store.add(Signal(kind="answer", region="standaard"), at=datetime(2026, 11, 2, 10, 42, 13))
    second = store.add(Signal(kind="answer", region="standaard"), at=datetime(2026, 11, 2, 10, 42, 14))
    rows = store.rows()
    assert {r["created_at"] for r in rows} == {datetime(2026, 11, 2, 10)}
    assert len(first) == 32 and first != second and not first.isdigit()


def test_a_turn_carried_out_twice_is_one_signal_and_turn_ids_link_nothing(store, monkeypatch):
    """A Rasa process killed after the action registered the turn, before the turn was saved:
    the user's retry reaches the action server with the same events again."""
    from signals.record import record, turn_signal_id

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "s" * 40)
    session = [{"event": "session_started", "timestamp": 100.0}]
    first_turn = session + [{"event": "user", "text": "hoi"}]
    second_turn = first_turn + [{"event": "bot"}, {"event": "user", "text": "wat is een tlv"}]
    key = turn_signal_id("chat-1", second_turn, "answer")
    for _ in range(2):
        assert record(Signal(kind="answer", region="standaard", id=key), store=store)
    assert len(store.rows()) == 1
    ids = {turn_signal_id("chat-1", first_turn, "answer"), key, turn_signal_id("chat-1", second_turn, "ticket"),
           turn_signal_id("chat-2", second_turn, "answer"),
           # a new session of the same conversation counts its turns again, under another id
           turn_signal_id("chat-1", second_turn + [{"event": "session_started", "timestamp": 200.0},
                                                    {"event": "user", "text": "hoi"}], "answer")}
    assert len(ids) == 5 and all(len(i) == 32 and "chat" not in i for i in ids)


def test_export_command_prints_json_lines_for_the_period(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    store = SignalStore(engine_for(url))
    store.add(Signal(kind="clarify", region="standaard", channel="rest", audience="ouder",
                     candidates=("tlv-wat-is", "tlv-geldigheid"), text="hoe lang [naam]"),
              at=datetime(2026, 10, 5, 9))
    store.add(Signal(kind="answer", region="standaard", content_id="opp-wat-is"), at=datetime(2026, 11, 5, 9))
    env = {"STEUNPUNT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "signals", "export", "--since", "2026-10-01",
                           "--until", "2026-10-31"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    row = json.loads(line)
    assert {"time", "kind", "reason", "channel", "audience", "region", "content_id", "text"} <= set(row)
    assert (row["kind"], row["text"], row["candidates"]) == ("clarify", "hoe lang [naam]",
                                                            ["tlv-wat-is", "tlv-geldigheid"])
    bad = subprocess.run([sys.executable, "-m", "signals", "export", "--since", "gisteren"],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "geen datum" in bad.stderr


def test_report_command_writes_the_quarter_report(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = SignalStore(engine_for(url))
    for day in range(1, 20):
        store.add(Signal(kind="answer", region="standaard", content_id="tlv-wat-is", audience="ouder"),
                  at=datetime(2026, 11, day, 9))
    for text in ["wie betaalt de taxi naar school", "wie betaalt de taxi naar het so",
                 "betaalt de gemeente de taxi naar school"]:
        store.add(Signal(kind="handoff_offer", reason="out_of_scope", region="standaard", text=text),
                  at=datetime(2026, 11, 3, 9))
    for _ in range(3):
        store.add(Signal(kind="feedback", reason="negative", region="standaard", content_id="opp-wat-is"),
                  at=datetime(2026, 11, 4, 9))
    out = tmp_path / "rapport.html"
    env = {"STEUNPUNT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "STEUNPUNT_SECRET_KEY": TEST_SECRET}
    done = subprocess.run([sys.executable, "-m", "signals", "report", "--period", "2026-Q4", "--out",
                           str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    assert "2026 kwartaal 4" in page and "<svg" in page and "@media print" in page
    assert "22 vragen" in page  # 19 answered + 3 not answered
    assert "taxi" in page and "(3 vragen)" in page
    assert "Verbeter de tekst van opp-wat-is" in page and "Overweeg een nieuw onderwerp" in page
    assert "<script" not in page
    bad = subprocess.run([sys.executable, "-m", "signals", "report", "--period", "Q9"], cwd=ROOT,
                         env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "onbekende periode" in bad.stderr


@pytest.mark.parametrize("text, since, until", [
    ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)), ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)), ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_periods(text, since, until):
    assert (Period.parse(text).since, Period.parse(text).until) == (since, until)


def test_retention_turns_old_signals_into_counts_and_reports_still_add_up(store, tmp_path):
    from signals import retention
    from signals.stats import overview

    for day in (1, 1, 2):
        store.add(Signal(kind="answer", region="standaard", content_id="tlv-wat-is", audience="ouder",
                         channel="rest"), at=datetime(2025, 3, day, 9))
    store.add(Signal(kind="handoff_offer", reason="out_of_scope", region="standaard",
                     text="wie betaalt de taxi"), at=datetime(2025, 3, 2, 9))
    store.add(Signal(kind="answer", region="standaard", content_id="opp-wat-is"), at=datetime(2026, 11, 1, 9))
    period = Period.parse("2025-03")
    before = overview(store, period)
    pruned = retention.run(store, today=date(2026, 11, 29), tracker_db=str(tmp_path / "none.db"))
    assert pruned.signals == 4
    assert [r["content_id"] for r in store.rows()] == ["opp-wat-is"]  # no old text survives
    after = overview(store, period)
    assert (after.questions, after.answers_by_topic, after.by_class) == (
        before.questions, before.answers_by_topic, before.by_class)
    assert after.questions == 4
    retention.run(store, today=date(2026, 11, 29), tracker_db=str(tmp_path / "none.db"))  # idempotent
    assert overview(store, period).questions == 4


def test_retention_deletes_old_conversation_events_from_the_tracker_store(tmp_path):
    from sqlalchemy import create_engine, text

    from signals.retention import prune_tracker_store

    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                                "timestamp FLOAT, data TEXT)"))
        old = (datetime(2026, 10, 1) - datetime(1970, 1, 1)).total_seconds()
        new = (datetime(2026, 11, 20) - datetime(1970, 1, 1)).total_seconds()
        connection.execute(text("INSERT INTO events (sender_id, timestamp, data) VALUES "
                                "('a', :old, 'oud'), ('b', :new, 'nieuw')"), {"old": old, "new": new})
    assert prune_tracker_store(url, datetime(2026, 10, 30)) == 1
    with engine.connect() as connection:
        assert [r[0] for r in connection.execute(text("SELECT data FROM events"))] == ["nieuw"]


# --- the tracker store never keeps codes or contact data ------------------------------------------

def test_scrubbing_replaces_contact_data_codes_and_their_slots():
    from store.tracker_store import scrub

    events = [
        {"event": "slot", "name": "requested_slot", "value": "handoff_description"},
        {"event": "user", "text": "mijn zoon zit thuis", "parse_data": {"text": "mijn zoon zit thuis"}},
        {"event": "slot", "name": "requested_slot", "value": "handoff_contact"},
        {"event": "user", "text": "ouder@voorbeeld.nl", "parse_data": {"text": "ouder@voorbeeld.nl"}},
        {"event": "slot", "name": "handoff_contact", "value": "ouder@voorbeeld.nl"},
        {"event": "active_loop", "name": None},
        {"event": "bot", "text": "Je code is: K7MP-Q2XD", "data": {"custom": {"type": "handoff", "code": "K7MP-Q2XD"}},
         "metadata": {"utter_action": "utter_handoff_confirm_code", "ticket": "SP-00001", "code": "K7MP-Q2XD"}},
        {"event": "slot", "name": "requested_slot", "value": "ticket_code"},
        {"event": "user", "text": "k7mp q2xd", "parse_data": {"text": "k7mp q2xd"}},
        {"event": "slot", "name": "ticket_code", "value": "k7mp q2xd"},
        {"event": "slot", "name": "handoff_contact", "value": "geen"},
    ]
    events.insert(2, {"event": "slot", "name": "handoff_description", "value": "mijn zoon zit thuis"})
    cleaned = json.dumps(scrub(events))
    for secret in ("ouder@voorbeeld.nl", "K7MP-Q2XD", "k7mp q2xd", "mijn zoon zit thuis"):
        assert secret not in cleaned
    assert "[beschrijving]" in cleaned and '"geen"' in cleaned
    sealed = scrub(events, seal=lambda value: "sealed:" + value[::-1])
    assert sealed[2]["value"] == "sealed:" + "mijn zoon zit thuis"[::-1]  # the slot is sealed,
    assert sealed[1]["text"] == "[beschrijving]"  # the message that carried it is not kept
    assert events[4]["text"] == "ouder@voorbeeld.nl"  # the input is not changed in place
    for start in range(len(events) + 1):  # scrubbing only the new events gives the same result
        assert scrub(events, start) == scrub(events)[start:], start


def test_the_tracker_store_scrubs_what_each_save_adds(tmp_path):
    """Through Rasa's own save: two saves, the secret arrives in the second, after the form asked."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from store.tracker_store import ScrubbingSQLTrackerStore

    path = tmp_path / "trackers.db"
    store = ScrubbingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events("s", [
        UserUttered("ik wil een medewerker"), ActiveLoop("handoff_form"),
        SlotSet("requested_slot", "handoff_contact"), BotUttered("Hoe kunnen we je bereiken?")])
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("ouder@voorbeeld.nl"))
    tracker.update(SlotSet("handoff_contact", "ouder@voorbeeld.nl"))
    tracker.update(BotUttered("Je code is: K7MP-Q2XD"))
    asyncio.run(store.save(tracker))
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("trackers.db*"))
    assert b"ouder@voorbeeld.nl" not in stored and b"K7MP-Q2XD" not in stored
    assert b"ik wil een medewerker" in stored and b"[contactgegevens]" in stored


def test_a_description_waits_in_the_tracker_store_sealed_and_reads_back_in_the_next_turn(tmp_path, monkeypatch):
    """A parent types their story, the form then asks for contact data: in between, the story
    sits in the tracker store, but not in plain text; the next turn reads it back."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from steunpunt import sealed
    from store.tracker_store import ScrubbingSQLTrackerStore

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "x" * 40)
    story = "mijn zoon Daan zit al tien weken thuis"
    domain = Domain.load(str(Path(__file__).parent.parent / "domain.yml"))
    store = ScrubbingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("s", [
        ActiveLoop("handoff_form"), SlotSet("requested_slot", "handoff_description")],
        slots=domain.slots)
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered(story))
    tracker.update(SlotSet("handoff_description", story))
    tracker.update(SlotSet("requested_slot", "handoff_contact"))
    asyncio.run(store.save(tracker))
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))
    assert story.encode() not in stored and b"Daan" not in stored
    reloaded = asyncio.run(store.retrieve("s"))
    assert sealed.unseal(reloaded.get_slot("handoff_description")) == story
    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "y" * 40)  # another deployment's key reads nothing
    assert sealed.unseal(reloaded.get_slot("handoff_description")) is None


def test_a_sealed_value_reads_as_nothing_after_a_day(monkeypatch):
    from steunpunt import sealed

    monkeypatch.setenv("STEUNPUNT_SECRET_KEY", "x" * 40)
    token = sealed.seal("ons verhaal")
    assert sealed.seal(token) == token and sealed.unseal("gewoon") == "gewoon"
    assert sealed.unseal(token) == "ons verhaal"
    import time
    later = time.time() + sealed.LIFETIME + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert sealed.unseal(token) is None
