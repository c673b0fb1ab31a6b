"""Redactie in Chromium (issue 26, item 11): editor A changes the parents' text of a topic and
offers it for review, editor B approves and publishes, a ContentLibrary on the same content
folder (as every process of the assistant reads it) serves the new sentence without a restart;
then A restores the earlier version and B approves that too. The staff app runs alone
(`python -m staff`) on a temporary copy of content/."""

from __future__ import annotations

from datetime import datetime

import pytest
from selenium.webdriver.common.by import By
from test_browser import browser, pytestmark, staff_login, wait  # noqa: F401 - fixture, skip rule
from test_editorial import NEW_SENTENCE, content_copy, parents_text
from test_staff_web import create_account, staff_env, staff_server

from library import ContentLibrary

T0 = datetime(2026, 12, 7, 10, 0)
TOPIC = "/teksten/standaard/tlv-wat-is"


@pytest.fixture(scope="module")
def editors_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redactie-browser")
    content = content_copy(folder)
    env = staff_env(
        folder,
        STEUNPUNT_FROZEN_NOW=T0.isoformat(),
        STEUNPUNT_CONTENT_DIR=str(content / "topics"),
        STEUNPUNT_REGIONS_DIR=str(content / "regions"),
        STEUNPUNT_REGIO_FILE=str(content / "regio.yml"),
    )
    create_account(env, "anna", role="redacteur")
    create_account(env, "bert", role="redacteur")
    with staff_server(env) as port:
        yield f"http://127.0.0.1:{port}", content


def logout(driver):
    driver.find_element(By.XPATH, "//button[normalize-space()='Uitloggen']").click()
    wait(driver, lambda d: d.current_url.endswith("/login"), 30)


def approve_as(driver, base, name):
    staff_login(driver, base, name)
    driver.get(base + TOPIC)
    driver.find_element(By.XPATH, "//button[normalize-space()='Goedkeuren en publiceren']").click()
    wait(driver, lambda d: "klaar=gepubliceerd" in d.current_url, 30)
    assert "Goedgekeurd en gepubliceerd." in driver.find_element(By.ID, "melding").text
    logout(driver)


def test_change_offer_approve_see_it_served_then_restore(editors_site, browser):  # noqa: F811
    base, content = editors_site
    served = ContentLibrary(content / "topics", content / "regio.yml", recheck_seconds=0)
    before = parents_text(served)
    staff_login(browser, base, "anna")
    assert browser.current_url.endswith("/teksten")
    browser.find_element(By.LINK_TEXT, "tlv-wat-is").click()
    parents = browser.find_element(By.XPATH, "//label[normalize-space()='Tekst voor ouders']")
    field = browser.find_element(By.ID, parents.get_attribute("for"))
    field.send_keys(NEW_SENTENCE[0])  # focus, then put the new sentence first
    browser.execute_script(
        "arguments[0].value = arguments[1] + '\\n\\n' + arguments[0].value.slice(1)", field, NEW_SENTENCE
    )
    browser.find_element(By.ID, "opmerking").send_keys("Eerst wie de TLV aanvraagt.")
    browser.find_element(By.XPATH, "//button[normalize-space()='Ter controle aanbieden']").click()
    wait(browser, lambda d: "klaar=aangeboden" in d.current_url, 30)
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Goedkeuren en publiceren']")
    assert NEW_SENTENCE not in parents_text(served)
    logout(browser)

    approve_as(browser, base, "bert")
    assert parents_text(served).startswith(NEW_SENTENCE)  # the next question gets it

    staff_login(browser, base, "anna")
    browser.get(base + TOPIC + "/geschiedenis")
    assert "+" + NEW_SENTENCE in browser.find_element(By.ID, "verschil").text
    browser.find_elements(By.XPATH, "//button[normalize-space()='Terugzetten']")[-1].click()
    wait(browser, lambda d: "klaar=teruggezet" in d.current_url, 30)
    logout(browser)
    approve_as(browser, base, "bert")
    assert parents_text(served) == before
