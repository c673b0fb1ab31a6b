"""The TF-IDF + logistic regression intent classifier: the plain model and the Rasa graph
component (train, persist in Rasa's model storage, load, classify)."""

from __future__ import annotations

import pytest

from classifier.tfidf import TfidfIntentModel, normalise

EXAMPLES = {
    "info_tlv_wat_is": [
        "wat is een tlv",
        "wat betekent toelaatbaarheidsverklaring",
        "uitleg over de toelaatbaarheidsverklaring",
        "wat houdt een tlv in",
    ],
    "info_opp_wat_is": [
        "wat is een opp",
        "wat is een ontwikkelingsperspectiefplan",
        "waarvoor dient het ontwikkelingsperspectief",
        "uitleg opp",
    ],
    "affirm": ["ja", "ja graag", "jazeker", "oke prima"],
    "deny": ["nee", "nee dank je", "liever niet", "nee hoor"],
}


def pairs():
    return [(text, intent) for intent, texts in EXAMPLES.items() for text in texts]


def test_normalise_folds_case_accents_and_spaces():
    assert normalise("  Wát   is een  TLV? ") == "wat is een tlv?"


def test_the_model_ranks_intents_with_probabilities_and_survives_a_round_trip(tmp_path):
    texts, intents = zip(*pairs(), strict=True)
    model = TfidfIntentModel().fit(texts, intents)
    questions = [
        "Wat is eigenlijk een toelaatbaarheidsverklaring?",
        "ja hoor",
        "ontwikkelingsperspectiefplan?",
    ]
    ranking = model.rank(questions)
    assert [r[0]["name"] for r in ranking] == ["info_tlv_wat_is", "affirm", "info_opp_wat_is"]
    assert all(abs(sum(e["confidence"] for e in r) - 1.0) < 1e-6 for r in ranking)
    assert all(r[0]["confidence"] > r[1]["confidence"] for r in ranking)
    model.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))  # persisted without pickle
    again = TfidfIntentModel.load(tmp_path)
    for before, after in zip(ranking, again.rank(questions), strict=True):
        assert [e["name"] for e in after] == [e["name"] for e in before]
        assert [e["confidence"] for e in after] == pytest.approx([e["confidence"] for e in before], abs=1e-5)


@pytest.mark.parametrize("probability", ["softmax", "ovr"])
def test_the_fast_scoring_gives_scikit_learn_s_own_probabilities(tmp_path, probability):
    """The classifier scores from the weight columns a text uses (classifier.tfidf._decision);
    the figures must be scikit-learn's, before and after a save and load."""
    from scipy.special import expit

    texts, intents = zip(*pairs(), strict=True)
    model = TfidfIntentModel(probability=probability).fit(texts, intents)
    questions = ["wat is een tlv", "nee", "", "opp opp opp toelaatbaarheidsverklaring ja"]

    def scikit_learn(m):
        X = m.features(questions)
        return expit(m.clf.decision_function(X)) if probability == "ovr" else m.clf.predict_proba(X)

    assert model.probabilities(questions) == pytest.approx(scikit_learn(model), abs=1e-6)
    model.save(tmp_path)
    again = TfidfIntentModel.load(tmp_path)
    assert again.probabilities(questions) == pytest.approx(scikit_learn(again), abs=1e-6)


def test_spelling_corrects_only_words_unknown_to_training_data_and_dictionary(tmp_path):
    from classifier.spelling import Speller, edit_distance

    speller = Speller({"toelaatbaarheidsverklaring": 1.0, "tlv": 1.0, "school": 1.0, "opp": 2.0}, {"fiets"})
    assert speller.correct("toelatbaarheidsverklaring") == "toelaatbaarheidsverklaring"  # one edit
    assert speller.correct("toelaatbaarheidsverklaaring") == "toelaatbaarheidsverklaring"
    assert speller.correct("schoool") == "school"
    assert speller.correct("tlv opp fiets") == "tlv opp fiets"  # known words stay
    assert speller.correct("tlf") == "tlf"  # words under 4 characters are never changed
    assert speller.correct("fietsen") == "fietsen"  # nothing within reach: unchanged
    assert edit_distance("gepset", "gepest", 2) == 1  # a swap is one edit

    texts, intents = zip(*pairs(), strict=True)
    model = TfidfIntentModel(spelling=True).fit(texts, intents)
    question = ["wat betekent toelatbaarheidsverklaaring"]
    assert model.rank(question)[0][0]["name"] == "info_tlv_wat_is"
    model.save(tmp_path)
    again = TfidfIntentModel.load(tmp_path)  # the corrector is rebuilt from the saved vocabulary
    assert again.speller is not None
    assert again.rank(question)[0][0]["confidence"] == pytest.approx(
        model.rank(question)[0][0]["confidence"], abs=1e-5
    )


def test_unknown_settings_and_one_intent_are_refused():
    with pytest.raises(ValueError, match="unknown settings"):
        TfidfIntentModel(C=1.0, colour="blue")
    with pytest.raises(ValueError, match="at least two intents"):
        TfidfIntentModel().fit(["a", "b"], ["x", "x"])


def test_the_rasa_component_trains_persists_loads_and_classifies(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from classifier.component import TfidfIntentClassifier

    storage = LocalModelStorage(tmp_path)
    resource = Resource("tfidf_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {"C": 10.0, "ranking_length": 3}
    component = TfidfIntentClassifier.create(config, storage, resource, context)
    data = TrainingData([Message(data={TEXT: t, INTENT: i}) for t, i in pairs()])
    assert component.train(data) == resource

    loaded = TfidfIntentClassifier.load(config, storage, resource, context)
    messages = [
        Message(data={TEXT: "wat is dat, een tlv?"}),
        Message(data={TEXT: "nee, liever niet"}),
        Message(data={TEXT: ""}),
    ]
    loaded.process(messages)
    assert messages[0].get(INTENT)["name"] == "info_tlv_wat_is"
    assert messages[1].get(INTENT)["name"] == "deny"
    ranking = messages[0].get(INTENT_RANKING_KEY)
    assert len(ranking) == 3 and ranking[0] == messages[0].get(INTENT)
    assert ranking[0]["confidence"] > 0.5 > ranking[1]["confidence"]
    assert messages[2].get(INTENT) is None  # no text, no guess

    # a component without a stored model (e.g. nothing to train on) loads and does nothing
    empty = TfidfIntentClassifier.load(config, storage, Resource("never_trained"), context)
    untouched = Message(data={TEXT: "wat is een tlv"})
    empty.process([untouched])
    assert untouched.get(INTENT) is None


def test_a_code_change_changes_the_component_config_fingerprint():
    from classifier.component import TfidfIntentClassifier

    config = TfidfIntentClassifier.get_default_config()
    assert len(config["code_version"]) == 12 and config["C"] == 10.0


def test_out_of_scope_can_weigh_more_than_balanced():
    from classifier.tfidf import TfidfIntentModel

    intents = ["a", "a", "out_of_scope", "out_of_scope", "out_of_scope", "out_of_scope"]
    assert TfidfIntentModel()._class_weight(intents) == "balanced"
    table = TfidfIntentModel(out_of_scope_weight=3.0)._class_weight(intents)
    assert table == {"a": 1.5, "out_of_scope": 0.75 * 3.0}
