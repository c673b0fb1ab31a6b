"""Redactie through the running assistant (issue 26, item 11): editor A changes the parents'
text of a topic in Chromium and offers it, editor B approves and publishes, and the bot's
answer to a question on that topic has the new sentence at once — same Rasa server, same
action server, no retraining, no restart; then A restores the earlier version, B approves,
and the bot answers as before. The whole assistant (scripts/run.sh) runs on a temporary copy
of content/ (publishing writes the topic files)."""

from __future__ import annotations

import json
import time

import pytest
from selenium.webdriver.common.by import By
from test_browser import browser, pytestmark, staff_login, wait  # noqa: F401 - fixture, skip rule
from test_editorial import NEW_SENTENCE, content_copy
from test_editorial_browser import logout

from store import db
from store.accounts import Accounts
from tests.support.servers import assistant, http
from tests.test_staff_web import PASSWORD

TOPIC = "/teksten/standaard/tlv-wat-is"
QUESTION = {"message": "Wat is een TLV?", "metadata": {"audience": "ouder"}}


@pytest.fixture(scope="module")
def site(model_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("redactie-bot")
    content = content_copy(folder)
    env = {
        "STEUNPUNT_CONTENT_DIR": str(content / "topics"),
        "STEUNPUNT_REGIONS_DIR": str(content / "regions"),
        "STEUNPUNT_REGIO_FILE": str(content / "regio.yml"),
    }
    with assistant(folder, env) as running:
        accounts = Accounts(db.engine_for(running.env["STEUNPUNT_DATABASE_URL"]), session_hours=8)
        for name in ("anna", "bert"):
            accounts.create(name, PASSWORD, role="redacteur")
        yield running, f"http://127.0.0.1:{running.env['STEUNPUNT_STAFF_PORT']}"


def answer_text(server, sender: str) -> str:
    status, replies = http(server.base + "/webhooks/rest/webhook", {"sender": sender, **QUESTION})
    assert status == 200
    answers = [m["custom"] for m in replies if (m.get("custom") or {}).get("type") == "answer"]
    assert answers and answers[0]["content_id"] == "tlv-wat-is", replies
    return json.dumps(answers[0]["blocks"], ensure_ascii=False)  # the answer's text, as sent


def bot_says(server, wanted: bool, label: str) -> None:
    """The bot's answer has the new sentence (or not) within a few seconds: the content files
    are looked at again every STEUNPUNT_CONTENT_RECHECK_SECONDS (1 s) by every process."""
    deadline = time.time() + 15
    while True:
        text = answer_text(server, f"{label}-{time.time()}")
        if (NEW_SENTENCE in text) == wanted:
            return
        if time.time() > deadline:
            raise AssertionError(f"{label}: the bot still answers {text[:200]!r}")
        time.sleep(0.5)


def approve_as(driver, base, name):
    staff_login(driver, base, name)
    driver.get(base + TOPIC)
    driver.find_element(By.XPATH, "//button[normalize-space()='Goedkeuren en publiceren']").click()
    wait(driver, lambda d: "klaar=gepubliceerd" in d.current_url, 30)
    logout(driver)


def test_the_bot_answers_the_published_text_at_once_and_the_restored_one_after(site, browser):  # noqa: F811
    server, base = site
    assert NEW_SENTENCE not in answer_text(server, "before")
    staff_login(browser, base, "anna")
    browser.get(base + TOPIC)
    parents = browser.find_element(By.XPATH, "//label[normalize-space()='Tekst voor ouders']")
    field = browser.find_element(By.ID, parents.get_attribute("for"))
    field.send_keys(NEW_SENTENCE[0])
    browser.execute_script(
        "arguments[0].value = arguments[1] + '\\n\\n' + arguments[0].value.slice(1)", field, NEW_SENTENCE
    )
    browser.find_element(By.ID, "opmerking").send_keys("Eerst wie de TLV aanvraagt.")
    browser.find_element(By.XPATH, "//button[normalize-space()='Ter controle aanbieden']").click()
    wait(browser, lambda d: "klaar=aangeboden" in d.current_url, 30)
    logout(browser)
    assert NEW_SENTENCE not in answer_text(server, "offered")  # offered is not published

    approve_as(browser, base, "bert")
    bot_says(server, True, "published")

    staff_login(browser, base, "anna")
    browser.get(base + TOPIC + "/geschiedenis")
    browser.find_elements(By.XPATH, "//button[normalize-space()='Terugzetten']")[-1].click()
    wait(browser, lambda d: "klaar=teruggezet" in d.current_url, 30)
    logout(browser)
    approve_as(browser, base, "bert")
    bot_says(server, False, "restored")
