"""Rasa 3.6 NLU graph component: the TF-IDF + logistic regression intent classifier.

Reads each message's text itself (no featurizer needed), sets `intent` and `intent_ranking`
like Rasa's own classifiers, so the FallbackClassifier after it works unchanged: a top
probability below its threshold, or the top two closer than its ambiguity threshold, become
nlu_fallback, which actions/outcome.py turns into a clarifying question or the offer of a
person. Persisted in Rasa's model storage as JSON + NumPy arrays (classifier/tfidf.py).

    pipeline:
      - name: classifier.component.TfidfIntentClassifier
        C: 10
        spelling: true
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from classifier.tfidf import DEFAULTS, TfidfIntentModel

logger = logging.getLogger(__name__)
RANKING_LENGTH = "ranking_length"


def _code_version() -> str:
    """Part of the default config, so Rasa's training cache never reuses a model trained by
    other code of this component."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("tfidf.py", "component.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:12]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfIntentClassifier(IntentClassifier, GraphComponent):
    """TF-IDF + logistic regression over the message text."""

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "scipy", "numpy"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DEFAULTS, RANKING_LENGTH: 10, "code_version": _code_version()}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[TfidfIntentModel] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TfidfIntentClassifier:
        return cls(config, model_storage, resource)

    def _model_settings(self) -> Dict[str, Any]:
        return {k: self.config[k] for k in DEFAULTS}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("TfidfIntentClassifier: fewer than two intents to learn; not trained.")
            return self._resource
        self.model = TfidfIntentModel(**self._model_settings()).fit(
            [e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples]
        )
        with self._model_storage.write_to(self._resource) as directory:
            self.model.save(directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = TfidfIntentModel.load(directory)
        except (ValueError, FileNotFoundError):
            logger.warning("TfidfIntentClassifier: no trained model in storage; intents stay empty.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return messages
        rankings = self.model.rank([m.get(TEXT) for m in todo], self.config[RANKING_LENGTH])
        for message, ranking in zip(todo, rankings, strict=True):
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
