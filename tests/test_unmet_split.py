"""Issue 29: which unmet questions are education needs (signals.split), and a clarify that ended
in "Iets anders" or in no choice counts as unmet, settled within its own conversation."""

from datetime import timedelta

import pytest

from actions.outcome import Outcome
from actions.respond import settle_clarify
from signals.groups import unmet_rows
from signals.period import Period
from signals.split import EDUCATION, OUTSIDE, side
from signals.store import Signal, SignalStore
from steunpunt import clock
from steunpunt.turn import TurnContext, turn_signal_id
from store.db import engine_for


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mag de juf mijn zoon zijn medicijnen geven", EDUCATION),
        ("bso wil mijn kind met down niet aannemen", EDUCATION),
        ("mijn kind zit in een rolstoel, er is geen lift", EDUCATION),
        ("waar vind ik bijles wiskunde", EDUCATION),
        ("wat voor weer wordt het morgen", OUTSIDE),
        ("hoe laat gaat het zwembad open", OUTSIDE),
        ("wat kost netflix", OUTSIDE),
        ("hoe doe ik mijn belastingaangifte", OUTSIDE),
    ],
)
def test_field_words_put_a_question_on_the_education_side(text, expected):
    assert side("handoff_offer", "out_of_scope", [], text) == expected


def test_the_kind_the_reason_and_the_stored_intents_can_say_education_without_field_words():
    text = "hoe zit dat nou"
    assert side("handoff_offer", "not_understood", [], text) == OUTSIDE
    assert side("ticket", None, [], text) == EDUCATION
    assert side("handoff_offer", "clarify_rejected", [], text) == EDUCATION
    near = [{"intent": "nlu_fallback", "confidence": 0.6}, {"intent": "info_tlv_wat_is", "confidence": 0.5}]
    assert side("handoff_offer", "not_understood", near, text, min_topic_confidence=0.4) == EDUCATION
    assert side("handoff_offer", "not_understood", near, text, min_topic_confidence=0.6) == OUTSIDE


@pytest.fixture
def store(tmp_path):
    return SignalStore(engine_for(f"sqlite:///{tmp_path / 's.db'}"))


def turn(number):
    return TurnContext(channel="rest", sender_id="gesprek-1", region="standaard", turn=("s", number))


def test_a_clarify_followed_by_no_choice_is_unmet_and_a_chosen_one_is_not(store):
    period = Period.between(clock.today() - timedelta(days=1), clock.today(), today=clock.today())
    for number, text in ((1, "iets over een rugzakje"), (3, "vraag over de tlv"), (5, "waar moet ik zijn")):
        store.add(
            Signal(
                kind="clarify",
                region="standaard",
                text=text,
                id=turn_signal_id("gesprek-1", ("s", number), "clarify"),
            )
        )
    settle_clarify(turn(4), Outcome("answer", content_id="tlv-wat-is"), store)  # chose a topic
    settle_clarify(turn(6), Outcome("handoff_offer", reason="clarify_rejected"), store)  # Iets anders
    settle_clarify(turn(2), Outcome("smalltalk", reason="goodbye"), store)  # no choice
    unmet = {row["text"]: row["reason"] for row in unmet_rows(store, period)}
    assert unmet == {"iets over een rugzakje": None}
    reasons = {row["text"]: row["reason"] for row in store.rows(kinds=["clarify"])}
    assert reasons == {
        "iets over een rugzakje": None,
        "vraag over de tlv": "chosen",
        "waar moet ik zijn": "rejected",
    }
    # another conversation's turn never settles this one's clarify
    other = TurnContext(channel="rest", sender_id="gesprek-2", region="standaard", turn=("s", 2))
    settle_clarify(other, Outcome("answer", content_id="tlv-wat-is"), store)
    assert {row["text"] for row in unmet_rows(store, period)} == {"iets over een rugzakje"}
