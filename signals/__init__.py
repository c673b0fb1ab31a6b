"""Signaleren: every turn of the assistant registered as a signal for the analysts.

- `record`: what a turn leaves behind (kind, reason, topic, redacted text where kept);
- `redact`: Dutch personal data out of every text before it is stored or shown;
- `store`: the signals and their retained counts (SQLAlchemy, same database as the tickets);
- `stats`, `groups`, `report`: what analysts see: counts, trends, groups of unmet questions,
  and the periodic report for the samenwerkingsverband;
- `retention`: old signals become counts; old conversation texts leave Rasa's tracker store.

Command line: `python -m signals redact | export | report | retention` (see `__main__`).
"""
