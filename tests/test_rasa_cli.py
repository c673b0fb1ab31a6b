"""Rasa's own checks: the training data validates, and the conversation tests pass."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def rasa(*args, timeout=600):
    return subprocess.run(
        [RASA, *args], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout, check=False
    )


def responses_used_by_actions():
    """Response names the action code sends (a name ending in _ is a prefix, e.g. utter_reason_),
    and the utter_ask_<slot> questions Rasa's forms send."""
    import yaml

    source = "".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    forms = yaml.safe_load((ROOT / "domain.yml").read_text())["forms"].values()
    asked = {f"utter_ask_{slot}" for form in forms for slot in form["required_slots"]}
    return set(re.findall(r"utter_[a-z_]+", source)) | asked


#: Intents without training examples on purpose (domain.yml): only the live chat's buttons
#: ("/live_chat", "/leave_question") or the Rasa server itself ("/live_ended", "/live_timeout",
#: channels/live.py) send them. NLU must never guess them from typed words.
BUTTON_OR_SERVER_INTENTS = {"live_chat", "leave_question", "live_ended", "live_timeout"}


def test_rasa_data_validate_is_clean():
    from scripts.train import training_paths

    domain, data = training_paths()  # domain.yml and data/ with the topics' intents and rules
    result = rasa(
        "data",
        "validate",
        "--domain",
        str(domain),
        "--data",
        *map(str, data),
        "--config",
        "config.yml",
        "--fail-on-warnings",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # Rasa cannot see responses sent by custom actions and warns that they are unused; each
    # such warning must name a response that action_respond really sends. No other warning.
    used = responses_used_by_actions()
    warnings = re.findall(r"UserWarning: (.*)", output)
    for warning in warnings:
        untrained = re.match(
            r"The intent '([a-z_]+)' is listed in the domain file, but is not found", warning
        )
        if untrained and untrained.group(1) in BUTTON_OR_SERVER_INTENTS:
            continue
        unused = re.match(r"The utterance '(utter_[a-z_]+)' is not used in any story or rule", warning)
        assert unused, f"unexpected validation warning: {warning}"
        name = unused.group(1)
        assert name in used or any(name.startswith(p) for p in used if p.endswith("_")), name


def test_conversation_stories_pass(model_path, tmp_path):
    result = rasa(
        "test",
        "core",
        "--model",
        str(model_path),
        "--stories",
        "tests/test_stories.yml",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    report = tmp_path / "failed_test_stories.yml"
    failed = report.read_text() if report.exists() else ""
    assert result.returncode == 0, failed + result.stdout[-2000:] + result.stderr[-2000:]
    assert "none of the test stories failed" in failed.lower() or not failed.strip()
