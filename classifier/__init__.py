"""Intent classification for the steunpunt assistant.

- `classifier.tfidf`: TF-IDF (char_wb 2-5 + word 1-2 n-grams) + logistic regression, plain
  scikit-learn, used by the measuring scripts and by the component;
- `classifier.component.TfidfIntentClassifier`: the Rasa 3.6 NLU graph component that serves
  it (config.yml names it by that path).
"""
