"""Operations: set-up, run, test and train (shell scripts, plus `train.py` and
`spacy_pipeline.py`, run as `python -m scripts.train` / `python -m scripts.spacy_pipeline` and
importable as `scripts.train`). Test support lives in `tests/support/`, the evaluation and
report tools in the `evaluation` package."""
