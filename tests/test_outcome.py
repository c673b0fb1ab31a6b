"""The turn decision: answer only when sure, otherwise ask or offer a person."""

from pathlib import Path

import pytest

from actions.outcome import (
    ANSWER,
    CLARIFY,
    DECLINED,
    HANDOFF,
    HANDOFF_OFFER,
    PENDING_CLARIFY,
    PENDING_HANDOFF_OFFER,
    PROMPT,
    SET_AUDIENCE,
    Outcome,
    decide,
    plausible_topics,
)

ROOT = Path(__file__).resolve().parent.parent

KNOWN = {"tlv-wat-is", "tlv-aanvragen", "opp-wat-is", "mdo-wat-is"}


def ranking(*pairs):
    return [{"name": name, "confidence": conf} for name, conf in pairs]


def test_confident_topic_intent_is_answered():
    outcome = decide("info_tlv_wat_is", ranking(("info_tlv_wat_is", 0.95)), None, KNOWN)
    assert (outcome.kind, outcome.content_id) == (ANSWER, "tlv-wat-is")


def test_fallback_with_plausible_topics_asks_which_one_best_first():
    from steunpunt import settings

    below_minimum = settings.CLARIFY_MIN_CONFIDENCE / 2
    rank = ranking(
        ("nlu_fallback", 0.5),
        ("info_tlv_aanvragen", 0.41),
        ("info_tlv_wat_is", 0.44),
        ("greet", 0.1),
        ("info_opp_wat_is", below_minimum),
    )
    outcome = decide("nlu_fallback", rank, None, KNOWN)
    assert outcome.kind == CLARIFY
    assert outcome.candidates == ("tlv-wat-is", "tlv-aanvragen")


def test_clarify_offers_at_most_three_known_topics():
    rank = ranking(
        *[(f"info_{t.replace('-', '_')}", 0.3) for t in sorted(KNOWN)], ("info_not_in_content", 0.9)
    )
    candidates = plausible_topics(rank, KNOWN)
    assert len(candidates) == 3 and set(candidates) <= KNOWN


def test_fallback_with_nothing_plausible_offers_a_person():
    rank = ranking(("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("info_tlv_wat_is", 0.05))
    assert decide("nlu_fallback", rank, None, KNOWN).kind == HANDOFF_OFFER


def test_a_topic_far_less_likely_than_out_of_scope_is_no_button():
    """A question about something else gets a person, not a row of unrelated buttons."""
    from steunpunt import settings

    ratio = settings.CLARIFY_OUT_OF_SCOPE_RATIO
    assert 0 < ratio <= 1
    at_edge = ranking(
        ("nlu_fallback", 0.6),
        ("out_of_scope", 0.5),
        ("info_tlv_wat_is", 0.5 * ratio),
        ("info_opp_wat_is", 0.5 * ratio - 1e-6),
    )
    assert decide("nlu_fallback", at_edge, None, KNOWN).candidates == ("tlv-wat-is",)
    below = ranking(("nlu_fallback", 0.6), ("out_of_scope", 0.5), ("info_tlv_wat_is", 0.5 * ratio - 1e-6))
    assert (decide("nlu_fallback", below, None, KNOWN).reason) == "not_understood"
    # without out_of_scope in the ranking only the minimum confidence counts
    alone = ranking(("nlu_fallback", 0.6), ("info_tlv_wat_is", settings.CLARIFY_MIN_CONFIDENCE))
    assert decide("nlu_fallback", alone, None, KNOWN).candidates == ("tlv-wat-is",)


def test_clarify_settings_are_the_ones_cross_validation_chose():
    """docs/clarify-cv.md (evaluation/tune_clarify.py) and the served settings agree."""
    import re

    from steunpunt import settings

    report = (ROOT / "docs" / "clarify-cv.md").read_text()
    chosen = re.search(r"chosen: \*\*minimum confidence ([\d.]+), out-of-scope ratio ([\d.]+)\*\*", report)
    assert chosen, "docs/clarify-cv.md has no chosen setting"
    assert (float(chosen[1]), float(chosen[2])) == (
        settings.CLARIFY_MIN_CONFIDENCE,
        settings.CLARIFY_OUT_OF_SCOPE_RATIO,
    )


def test_out_of_scope_is_never_answered_with_content():
    outcome = decide("out_of_scope", ranking(("out_of_scope", 0.9)), None, KNOWN)
    assert (outcome.kind, outcome.reason) == (HANDOFF_OFFER, "out_of_scope")


def test_yes_and_no_depend_on_what_was_asked():
    assert decide("affirm", [], PENDING_HANDOFF_OFFER, KNOWN).kind == HANDOFF
    assert decide("deny", [], PENDING_HANDOFF_OFFER, KNOWN).kind == DECLINED
    assert decide("deny", [], PENDING_CLARIFY, KNOWN).reason == "clarify_rejected"
    assert decide("affirm", [], None, KNOWN).kind == PROMPT


def test_person_requests_and_complaints():
    assert decide("ask_human", [], None, KNOWN).kind == HANDOFF
    assert decide("not_helpful", [], None, KNOWN).reason == "not_helpful"


def test_audience_intents_set_the_audience():
    outcome = decide("iam_youth", [], None, KNOWN)
    assert (outcome.kind, outcome.audience) == (SET_AUDIENCE, "jongere")


def test_a_message_in_another_language_gets_the_offer_of_a_person_not_dutch_content():
    outcome = decide("info_tlv_wat_is", [], None, {"tlv-wat-is"}, other_language="en")
    assert outcome == Outcome(HANDOFF_OFFER, reason="other_language")


@pytest.mark.parametrize(
    "text, language",
    [
        ("What is a TLV and how do I get one for my son?", "en"),
        ("Oğlum okulda zorluk yaşıyor, ne yapmalıyım?", "tr"),
        ("Mój syn ma problemy w szkole, co mogę zrobić?", "pl"),
        ("ابني يواجه مشاكل في المدرسة", "ar"),
        ("Мій син має проблеми в школі, що робити?", "uk"),
        ("wat is een tlv", None),
        ("what is een tlv?", None),
        ("TLV", None),
        ("ok", None),
        ("Mijn zoon heeft een OPP, what now?", None),
        ("help", None),
    ],
)
def test_only_plainly_other_languages_are_recognised(text, language):
    from steunpunt.language import other_language

    assert other_language(text) == language


def test_no_dutch_training_or_evaluation_question_is_taken_for_another_language():
    import glob

    import yaml

    from steunpunt.language import other_language

    texts = []
    for path in glob.glob(str(ROOT / "data" / "nlu" / "*.yml")):
        for item in yaml.safe_load(Path(path).read_text())["nlu"]:
            if item.get("intent") != "out_of_scope":
                texts += [line.lstrip("- ").strip() for line in (item.get("examples") or "").splitlines()]
    for path in ("heldout", "tuning", "unseen"):
        texts += [
            q["text"]
            for q in yaml.safe_load((ROOT / "tests" / path / "questions.yml").read_text())["questions"]
            if q["expect"] != "out_of_scope"
        ]
    flagged = [t for t in texts if t and other_language(t)]
    assert len(texts) > 1500 and flagged == []


def test_decide_at_its_exact_boundaries():
    """Each edge of the decision, so a changed comparison (> for >=, one option more) fails."""
    from actions.outcome import FEEDBACK, PENDING_FEEDBACK
    from steunpunt import settings

    edge = settings.CLARIFY_MIN_CONFIDENCE
    at_edge = decide("nlu_fallback", ranking(("nlu_fallback", 0.6), ("info_tlv_wat_is", edge)), None, KNOWN)
    assert (at_edge.kind, at_edge.candidates) == (CLARIFY, ("tlv-wat-is",))
    below = decide(
        "nlu_fallback", ranking(("nlu_fallback", 0.6), ("info_tlv_wat_is", edge - 1e-9)), None, KNOWN
    )
    assert (below.kind, below.reason) == (HANDOFF_OFFER, "not_understood")
    four = ranking(
        ("info_tlv_wat_is", 0.30),
        ("info_tlv_aanvragen", 0.29),
        ("info_opp_wat_is", 0.28),
        ("info_mdo_wat_is", 0.27),
    )
    assert plausible_topics(four, KNOWN) == ("tlv-wat-is", "tlv-aanvragen", "opp-wat-is")
    assert len(plausible_topics(four, KNOWN, max_options=settings.CLARIFY_MAX_OPTIONS)) == 3
    missing = ranking(("nlu_fallback", 0.6), ("info_not_in_content", 0.9))
    assert decide("nlu_fallback", missing, None, KNOWN).kind == HANDOFF_OFFER  # no content, no button
    # Another language wins even over a confident topic; feedback counts only right after an answer.
    assert (
        decide("info_tlv_wat_is", ranking(("info_tlv_wat_is", 0.99)), None, KNOWN, other_language="en").reason
        == "other_language"
    )
    assert decide("affirm", [], PENDING_FEEDBACK, KNOWN, last_topic="opp-wat-is") == Outcome(
        FEEDBACK, content_id="opp-wat-is", reason="positive"
    )
    assert decide("deny", [], PENDING_FEEDBACK, KNOWN, last_topic=None).kind == PROMPT
    assert decide("info_mdo_wat_is", [], PENDING_FEEDBACK, KNOWN, last_topic="opp-wat-is") == Outcome(
        ANSWER, content_id="mdo-wat-is"
    )  # the next question is simply answered


@pytest.mark.parametrize(
    "intent, pending, live_available, expected",
    [
        # With a person available now, asking (or yes to the offer) is first the live offer.
        ("ask_human", None, True, Outcome("live_offer", reason="asked")),
        ("affirm", PENDING_HANDOFF_OFFER, True, Outcome("live_offer", reason="accepted_offer")),
        # Without one, the ticket flow as before.
        ("ask_human", None, False, Outcome(HANDOFF, reason="asked")),
        # The offer's answers: chat now, or leave a question.
        ("live_chat", None, True, Outcome("live_queued")),
        ("affirm", "live_offer", True, Outcome("live_queued")),
        ("deny", "live_offer", True, Outcome(HANDOFF, reason="chose_ticket")),
        ("leave_question", None, True, Outcome(HANDOFF, reason="chose_ticket")),
        # Someone went offline between the offer and the yes.
        ("live_chat", "live_offer", False, Outcome(HANDOFF, reason="live_unavailable")),
        # The turns the Rasa server sends: the end asks for feedback, a time-out is a ticket.
        ("live_ended", None, False, Outcome("live_ended")),
        ("live_timeout", None, False, Outcome(HANDOFF, reason="live_timeout")),
        ("affirm", "live_feedback", False, Outcome("feedback", reason="live_positive")),
        ("deny", "live_feedback", True, Outcome("feedback", reason="live_negative")),
    ],
)
def test_the_live_chat_turns(intent, pending, live_available, expected):
    got = decide(intent, ranking((intent, 1.0)), pending, KNOWN, live_available=live_available)
    assert got == expected


def test_a_life_area_outside_school_keeps_topics_and_buttons_away():
    """Issue 30: the field's words about the parent's own work, a driving exam, a grandparent."""
    from steunpunt.near_domain import outside_school

    assert outside_school("mijn werkgever doet moeilijk over zorgverlof")
    assert outside_school("ik ben juf op een basisschool en wil minder werken als leraar")
    assert not outside_school("mijn oma heeft dementie en mijn zoon zit nu thuis van school")
    assert not outside_school("rijbewijs halen terwijl ik een tlv heb")
    ranking = [{"name": "info_tlv_wat_is", "confidence": 0.9}]
    kept = decide("info_tlv_wat_is", ranking, None, {"tlv-wat-is"}, outside_school=True)
    assert (kept.kind, kept.reason, kept.content_id) == ("handoff_offer", "out_of_scope", None)
    unsure = decide("nlu_fallback", ranking, None, {"tlv-wat-is"}, outside_school=True)
    assert unsure.kind == "handoff_offer" and not unsure.candidates
    assert decide("ask_human", [], None, set(), outside_school=True).kind == "handoff"
