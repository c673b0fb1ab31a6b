"""Intents, rules, training data, content and the held-out set fit together."""

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from library import ContentLibrary, intent_for_topic, topic_for_intent

ROOT = Path(__file__).resolve().parent.parent
MIN_EXAMPLES = 15


def load(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def examples():
    result: Dict[str, List[str]] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
                result.setdefault(block["intent"], []).extend(lines)
    return result


@pytest.fixture(scope="module")
def topic_ids():
    """Every topic of every region: national ones, and a region's topics of its own."""
    library = ContentLibrary()
    return {topic for region in library.regions() for topic in library.topics(region)}


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """The domain and rules as training sees them: domain.yml and data/ plus what
    library/training.py generates from the topic files."""
    from library.training import write_training_files

    return write_training_files(ROOT, tmp_path_factory.mktemp("training"))


@pytest.fixture(scope="module")
def domain_intents(training):
    domain_dir, _ = training
    return {i for path in domain_dir.glob("*.yml") for i in yaml.safe_load(path.read_text())["intents"]}


def test_topics_are_declared_once_in_content(training):
    """No topic intent or topic rule is written by hand: adding a topic is its content file
    plus its examples."""
    assert not [i for i in load("domain.yml")["intents"] if topic_for_intent(i)]
    assert not [r for r in load("data/rules.yml")["rules"] if topic_for_intent(r["steps"][0].get("intent"))]
    domain_dir, rules = training
    generated = yaml.safe_load(rules.read_text())["rules"]
    assert len(generated) == len(set(yaml.safe_load((domain_dir / "topics.yml").read_text())["intents"]))


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
    seen: Dict[str, str] = {}
    for intent, lines in examples.items():
        for line in lines:
            key = line.lower()
            assert seen.setdefault(key, intent) == intent, f"{line!r}: {seen[key]} and {intent}"


def test_every_topic_intent_is_routed_to_action_respond(domain_intents, training):
    rules = load("data/rules.yml")["rules"] + yaml.safe_load(training[1].read_text())["rules"]
    routed = {
        rule["steps"][0]["intent"] for rule in rules if rule["steps"][1].get("action") == "action_respond"
    }
    assert {i for i in domain_intents if topic_for_intent(i)} <= routed
    assert "nlu_fallback" in routed and "out_of_scope" in routed


def test_the_frozen_unseen_set_covers_every_topic(topic_ids, required_topic_ids):
    """tests/unseen is the held-out set that is measured (issue 14, point 7): at least 8
    questions per topic, 40 out of scope; every set's labels are known topics."""
    expected = [q["expect"] for q in load("tests/unseen/questions.yml")["questions"]]
    assert set(required_topic_ids) <= topic_ids
    for topic in required_topic_ids:
        assert expected.count(topic) >= 8, topic
    assert expected.count("out_of_scope") >= 40
    for name in ("tuning", "heldout", "unseen"):
        labels = {q["expect"] for q in load(f"tests/{name}/questions.yml")["questions"]}
        assert labels <= topic_ids | {"out_of_scope"}, name


def test_no_question_is_a_near_copy_of_one_in_another_set():
    """Training, tuning, held-out and unseen: no pair shares a question, give or take a word."""
    from evaluation.leaks import all_sets, leaks

    found = [f"{a}/{b}: {x!r} ~ {y!r}" for a, b, x, y in leaks(all_sets())]
    assert not found, found[:20]


@pytest.mark.parametrize(
    "a, b, label_b, leak",
    [
        ("TLV verlopen, wat nu?", "tlv verlopen wat nu", "tlv-geldigheid", True),
        ("hoe lang is een tlv geldig", "hoe lang is de tlv geldig", "tlv-geldigheid", True),  # a word swapped
        ("hoe lang is een tlv geldig", "hoe lang is een tlv nog geldig", "tlv-geldigheid", True),  # one added
        ("tlv geldig hoelang", "tlv geldig hoelnag", "tlv-geldigheid", True),  # a typo
        ("hoe lang is een tlv geldig", "hoe lang is een tlv geldig", "tlv-wat-is", False),  # other label
        ("hoe lang is een tlv geldig", "moet de tlv elk jaar opnieuw aangevraagd", "tlv-geldigheid", False),
    ],
)
def test_near_copy_detection(a, b, label_b, leak):
    from evaluation.leaks import leaks

    found = list(leaks({"training": [(a, "tlv-geldigheid")], "unseen": [(b, label_b)]}))
    assert bool(found) is leak


@pytest.mark.parametrize(
    "training, unseen, leak",
    [
        ("lwoo", "wat is lwoo", True),  # only the question frame added
        ("tlv afgewezen", "tlv afgewezen wat nu", True),
        ("s.o.p.", "wat is een sop", True),  # an abbreviation with dots
        ("plusklas", "wat is een plus klas", True),  # a compound written apart
        ("zorgplicht?", "wat is zorgplciht", True),  # a typo
        ("tlv verlengen nodig?", "tlv verlengen?", True),  # a two-word text, one word added
        ("tlv afgewezen", "tlv bezwaar", False),  # another word, not an added one
        ("mdo", "mdo voorbereiden welke vragen", False),  # a question of its own
        ("privacy", "privacy chat", False),  # a keyword made more specific
        ("thuiszitter", "mijn kind zit al weken thuis", False),
        ("wat is een tlv precies en voor wie", "wat is een tlv", False),  # not short: the usual rules
    ],
)
def test_short_near_copies_between_training_and_an_evaluation_set(training, unseen, leak):
    from evaluation.leaks import leaks

    found = list(leaks({"training": [(training, "x")], "unseen": [(unseen, "x")]}))
    assert bool(found) is leak
    assert not list(leaks({"training": [(training, "x")], "unseen": [(unseen, "y")]}))  # other label


def test_short_near_copies_are_looked_for_only_against_the_training_data():
    """Two evaluation sets may share a keyword question: neither is trained on."""
    from evaluation.leaks import leaks

    assert not list(leaks({"tuning": [("lwoo", "lwoo")], "unseen": [("wat is lwoo", "lwoo")]}))
    assert list(leaks({"training": [("lwoo", "lwoo")], "unseen": [("wat is lwoo", "lwoo")]}))


def test_the_writers_view_of_leaks_names_the_training_example_but_never_the_evaluation_question(
    monkeypatch, capsys
):
    from evaluation import leaks

    monkeypatch.setattr(
        leaks,
        "all_sets",
        lambda: {
            "training": [("hoe lang is een tlv geldig", "tlv-geldigheid"), ("wat is een opp", "opp-wat-is")],
            "unseen": [("hoe lang is de tlv geldig", "tlv-geldigheid")],
        },
    )
    assert leaks.main(["--training-only"]) == 1
    out = capsys.readouterr().out
    assert "'hoe lang is een tlv geldig'" in out and "1 training examples" in out
    assert "de tlv" not in out and "wat is een opp" not in out
