"""The one clock (steunpunt/clock.py): "today" is the local day in STEUNPUNT_TIMEZONE, no test
depends on the calendar, and every process of ours lives at the time STEUNPUNT_FROZEN_NOW gives
it (what the servers that tests start are given: tests/support/servers.py)."""

import json
import os
import urllib.request
from datetime import date, datetime

import pytest
from conftest import TODAY, topic_text
from test_actions import payloads, run, tracker

from actions.respond import ActionRespond
from library import ContentLibrary
from steunpunt import clock
from tests.support.servers import FROZEN_NOW, TEST_SECRET, python_module

#: Long after every review-by date of the real content.
FAR_AHEAD = "2030-01-01T12:00:00"


def test_the_test_run_lives_at_the_frozen_time_not_the_calendars():
    assert os.environ["STEUNPUNT_FROZEN_NOW"] == FROZEN_NOW  # inherited by every command a test runs
    assert clock.now() == datetime.fromisoformat(FROZEN_NOW) and clock.today() == TODAY


def test_every_real_topic_is_served_at_the_frozen_time():
    """FROZEN_NOW is the day after the newest review: inside every real topic's review period.
    If this fails, the content's review periods no longer overlap (a topic was renewed while
    another one ran out): renew that one too."""
    library = ContentLibrary()
    assert library.errors() == {}
    for region in (None, *library.regions()):
        assert [t.id for t in library.topics(region).values() if t.is_overdue(TODAY)] == [], region


@pytest.mark.parametrize(
    "frozen, now, today",
    [
        (
            "2026-11-30T22:59:59",
            datetime(2026, 11, 30, 22, 59, 59),
            date(2026, 11, 30),
        ),  # 23:59:59 in Utrecht
        ("2026-11-30T23:00:00", datetime(2026, 11, 30, 23, 0), date(2026, 12, 1)),  # midnight in Utrecht
        ("2026-06-30T22:00:00", datetime(2026, 6, 30, 22, 0), date(2026, 7, 1)),  # summer time: UTC+2
        ("2026-12-01T00:30:00+01:00", datetime(2026, 11, 30, 23, 30), date(2026, 12, 1)),  # with an offset
    ],
)
def test_today_is_the_local_day_of_the_frozen_time(monkeypatch, frozen, now, today):
    monkeypatch.setenv("STEUNPUNT_FROZEN_NOW", frozen)
    assert (clock.now(), clock.today()) == (now, today)


def test_frozen_holds_a_block_at_its_own_time_and_then_lets_go():
    with clock.frozen(datetime(2030, 1, 1, 12, 0, 0, 500)):
        assert clock.now() == datetime(2030, 1, 1, 12) and clock.today() == date(2030, 1, 1)
    assert clock.today() == TODAY


def test_an_answer_is_being_checked_from_local_midnight_after_its_review_by(content_dir, monkeypatch):
    """The action's and the library's defaults ask the clock: the review-by day ends at
    midnight in STEUNPUNT_TIMEZONE, not at midnight UTC and not by the machine's date."""
    topics, facts = content_dir
    (topics / "oud.md").write_text(topic_text("oud", reviewed_on="2026-06-01", review_by="2026-11-30"))
    action = ActionRespond(library=ContentLibrary(topics, facts, recheck_seconds=0))
    monkeypatch.setenv("STEUNPUNT_FROZEN_NOW", "2026-11-30T22:59:00")  # 23:59 on the 30th in Utrecht
    assert payloads(run(action, tracker("info_oud", slots={"audience": "ouder"}))[0])[0]["type"] == "answer"
    monkeypatch.setenv("STEUNPUNT_FROZEN_NOW", "2026-11-30T23:00:00")  # 00:00 on 1 December there
    assert payloads(run(action, tracker("info_oud"))[0]) == [
        {"type": "handoff_offer", "reason": "being_checked", "content_id": "oud"}
    ]


# --- processes of ours live at the time they are given ----------------------------------------
def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


@pytest.mark.parametrize("frozen, served", [(FROZEN_NOW, True), (FAR_AHEAD, False)])
def test_the_site_serves_a_real_topic_by_its_frozen_time(frozen, served):
    with python_module("website", {**os.environ, "STEUNPUNT_FROZEN_NOW": frozen}) as port:
        page = get(f"http://127.0.0.1:{port}/ouders/tlv-wat-is")
    assert ("wordt op dit moment gecontroleerd" in page) is not served
    assert ("Gecontroleerd op" in page) is served


def test_the_action_server_is_checking_a_real_topic_far_ahead(tmp_path):
    token = "t" * 40
    env = {
        **os.environ,
        "STEUNPUNT_FROZEN_NOW": FAR_AHEAD,
        "STEUNPUNT_ACTION_TOKEN": token,
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    turn = tracker("info_tlv_wat_is", slots={"audience": "ouder"}, text="/info_tlv_wat_is").current_state()
    call = {
        "next_action": "action_respond",
        "version": "3.6.2",
        "sender_id": "klok",
        "tracker": turn,
        "domain": {},
    }
    with python_module("actions", env) as port:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhook?token={token}",
            data=json.dumps(call).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.loads(response.read())
    customs = [m["custom"] for m in reply["responses"] if m.get("custom")]
    assert customs == [{"type": "handoff_offer", "reason": "being_checked", "content_id": "tlv-wat-is"}]
