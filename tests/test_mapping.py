"""Intents, rules, training data, content and the held-out set fit together."""
import re
from pathlib import Path

import pytest
import yaml

from actions.content import ContentLibrary, intent_for_topic, topic_for_intent

ROOT = Path(__file__).resolve().parent.parent
MIN_EXAMPLES = 15


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def examples():
    result = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                lines = [l[2:].strip() for l in block["examples"].splitlines() if l.startswith("- ")]
                result.setdefault(block["intent"], []).extend(lines)
    return result


@pytest.fixture(scope="module")
def topic_ids():
    return set(ContentLibrary().topics())


@pytest.fixture(scope="module")
def domain_intents():
    return set(load("domain.yml")["intents"])


def test_every_topic_has_an_intent_and_every_topic_intent_has_content(topic_ids, domain_intents):
    assert {intent_for_topic(t) for t in topic_ids} <= domain_intents
    topic_intents = {i for i in domain_intents if topic_for_intent(i)}
    assert {topic_for_intent(i) for i in topic_intents} == topic_ids


def test_every_topic_intent_has_enough_training_examples(domain_intents, examples):
    for intent in domain_intents:
        if topic_for_intent(intent):
            assert len(examples.get(intent, [])) >= MIN_EXAMPLES, intent
    assert len(examples["out_of_scope"]) >= 100


def test_no_example_is_used_for_two_intents(examples):
    seen = {}
    for intent, lines in examples.items():
        for line in lines:
            key = line.lower()
            assert seen.setdefault(key, intent) == intent, f"{line!r}: {seen[key]} and {intent}"


def test_every_topic_intent_is_routed_to_action_respond(domain_intents):
    routed = {
        rule["steps"][0]["intent"]
        for rule in load("data/rules.yml")["rules"]
        if rule["steps"][1].get("action") == "action_respond"
    }
    assert {i for i in domain_intents if topic_for_intent(i)} <= routed
    assert "nlu_fallback" in routed and "out_of_scope" in routed


def test_heldout_set_covers_every_topic_and_never_overlaps_training(topic_ids, examples):
    questions = load("tests/heldout/questions.yml")["questions"]
    expected = [q["expect"] for q in questions]
    assert set(expected) <= topic_ids | {"out_of_scope"}
    for topic in topic_ids:
        assert expected.count(topic) >= 5, topic
    assert expected.count("out_of_scope") >= 25
    training = [words(line) for lines in examples.values() for line in lines]
    leaked = [q["text"] for q in questions
              if any(similarity(words(q["text"]), example) >= NEAR_COPY for example in training)]
    assert not leaked, f"held-out questions (nearly) copied in training data: {leaked}"


NEAR_COPY = 0.7  # share of words in common (Jaccard) from which a question counts as seen


def words(text):
    return frozenset(re.findall(r"\w+", text.lower()))


def similarity(a, b):
    return len(a & b) / len(a | b) if a and b else 0.0


def test_near_copy_detection_works():
    assert similarity(words("TLV verlopen, wat nu?"), words("tlv verlopen wat nu")) == 1.0
    assert similarity(words("wat is een opp"), words("wat is een tlv")) < NEAR_COPY
