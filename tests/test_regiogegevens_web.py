"""Issue 26, items 3, 7 and 8 in the staff app, over real HTTP against `python -m staff` on a
copy of the content: "Regiogegevens" (who may open which region, the checks next to the
fields, the save in regio.yml, the audit), the preview with a region's facts, and the review
reminders on the start pages; and in Chromium, a region's editor who changes the phone number
of region `voorbeeld`, sees it in the preview, and cannot open another region's facts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from test_staff_web import PASSWORD, Browser, create_account, staff_env, staff_server

from library import ContentLibrary, read_region_file
from store import audit
from store.db import engine_for
from store.schema import audit_log
from tests.support.browser import chromium, needs_browser, until as browser_until

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("regiogegevens")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    env = staff_env(
        folder,
        STEUNPUNT_CONTENT_DIR=str(content / "topics"),
        STEUNPUNT_REGIO_FILE=str(content / "regio.yml"),
        STEUNPUNT_REGIONS_DIR=str(content / "regions"),
        STEUNPUNT_CONTENT_RECHECK_SECONDS="0.5",
    )
    create_account(env, "rita", role="redacteur", extra=("--region", "voorbeeld"))
    create_account(env, "nora", role="redacteur", extra=("--all-regions",))
    create_account(env, "anna")  # medewerker of the default region
    create_account(env, "ali", role="analist")
    with staff_server(env) as port:
        yield {"port": port, "content": content, "engine": engine_for(env["STEUNPUNT_DATABASE_URL"])}


def logged_in(app, name) -> Browser:
    browser = Browser(app["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser


def form_of(page: str) -> dict:
    """The form's fields with their values, as a browser would send them back."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    import html

    return {key: html.unescape(value) for key, value in fields.items()}


def example_file(app) -> Path:
    return app["content"] / "regions" / "voorbeeld" / "regio.yml"


def test_a_regions_editor_opens_only_its_own_regions_facts_and_preview(app):
    rita = logged_in(app, "rita")
    status, _, page, _ = rita.request("GET", "/regiogegevens")
    assert status == 200 and 'href="/regiogegevens/voorbeeld"' in page
    assert 'href="/regiogegevens/standaard"' not in page
    assert "Teksten om te controleren" in page
    assert rita.request("GET", "/regiogegevens/voorbeeld")[0] == 200
    for path in ("/regiogegevens/standaard", "/regiogegevens/bestaat-niet", "/regiogegevens/..%2Fregio"):
        assert rita.request("GET", path)[0] == 404, path
    token = rita.csrf("/regiogegevens/voorbeeld")
    before = (app["content"] / "regio.yml").read_text(encoding="utf-8")
    status = rita.request("POST", "/regiogegevens/standaard", {"csrf": token, "steunpunt_telefoon": "x"})[0]
    assert status == 404 and (app["content"] / "regio.yml").read_text(encoding="utf-8") == before
    assert rita.request("GET", "/voorbeeld/steunpunt-contact?regio=standaard")[0] == 404
    assert rita.request("GET", "/voorbeeld/steunpunt-contact?regio=voorbeeld")[0] == 200


def test_a_national_editor_edits_every_region_and_other_roles_none(app):
    nora = logged_in(app, "nora")
    assert nora.request("GET", "/")[1]["Location"] == "/teksten"  # the editor's home: the texts
    page = nora.request("GET", "/regiogegevens")[2]
    assert 'href="/regiogegevens/standaard"' in page and 'href="/regiogegevens/voorbeeld"' in page
    page = nora.request("GET", "/regiogegevens/standaard")[2]
    assert 'value="[telefoonnummer van het steunpunt]"' in page
    for name in ("anna", "ali"):
        browser = logged_in(app, name)
        assert browser.request("GET", "/regiogegevens/voorbeeld")[0] == 403
        assert browser.request("GET", "/voorbeeld/steunpunt-contact")[0] == 403


def test_the_form_says_what_is_wrong_next_to_each_field_and_writes_nothing(app):
    rita = logged_in(app, "rita")
    before = example_file(app).read_text(encoding="utf-8")
    form = form_of(rita.request("GET", "/regiogegevens/voorbeeld")[2])
    form.update(steunpunt_telefoon="12345", steunpunt_email="geen-adres", maandag="9-16")
    status, _, page, _ = rita.request("POST", "/regiogegevens/voorbeeld", form)
    assert status == 400
    for field, message in (
        ("steunpunt_telefoon", "Nederlands telefoonnummer"),
        ("steunpunt_email", "geen e-mailadres"),
        ("maandag", "9.00-16.00"),
    ):
        shown = re.search(f'id="{field}-fout">([^<]*)<', page)
        assert shown and message in shown.group(1), field
        assert re.search(f'id="{field}"[^>]*aria-invalid="true"', page), field
    assert 'value="12345"' in page  # what was typed stays
    assert example_file(app).read_text(encoding="utf-8") == before


def test_every_form_needs_the_csrf_token_and_a_size_limit_holds(app):
    rita = logged_in(app, "rita")
    form = form_of(rita.request("GET", "/regiogegevens/voorbeeld")[2])
    assert rita.request("POST", "/regiogegevens/voorbeeld", {**form, "csrf": "fout"})[0] == 403
    status, _, page, _ = rita.request("POST", "/regiogegevens/voorbeeld", {**form, "swv_naam": "x" * 300})
    assert status == 400 and "Maximaal 200 tekens" in page
    assert rita.request("POST", "/regiogegevens/voorbeeld", {**form, "swv_naam": "x" * 70_000})[0] == 413


def test_saving_writes_regio_yml_audits_the_field_names_and_the_preview_shows_the_new_number(app):
    rita = logged_in(app, "rita")
    form = form_of(rita.request("GET", "/regiogegevens/voorbeeld")[2])
    old = form["steunpunt_telefoon"]
    form.update(steunpunt_telefoon="030 111 22 33")
    status, headers, _, _ = rita.request("POST", "/regiogegevens/voorbeeld", form)
    assert status == 303 and headers["Location"] == "/regiogegevens/voorbeeld?opgeslagen=1"
    assert read_region_file(example_file(app))[0]["steunpunt_telefoon"] == "030 111 22 33"
    details = [row["detail"] for row in audit.entries(app["engine"], "regiogegevens")]
    assert details[0] == "voorbeeld: steunpunt_telefoon"
    with app["engine"].connect() as connection:
        who = connection.execute(
            select(audit_log.c.staff_id).where(audit_log.c.action == "regiogegevens")
        ).scalars()
        assert all(staff_id is not None for staff_id in who)
    # The same form again is a conflict (the file changed since it was shown): nothing lost.
    form.update(steunpunt_telefoon="030 444 55 66")
    assert rita.request("POST", "/regiogegevens/voorbeeld", form)[0] == 409
    assert read_region_file(example_file(app))[0]["steunpunt_telefoon"] == "030 111 22 33"
    page = wait_for(rita, "/voorbeeld/steunpunt-contact?regio=voorbeeld&doelgroep=ouder", "030 111 22 33")
    assert "Op de site" in page and "In de chat" in page and old not in page
    # Back as it was, for the other tests.
    form = form_of(rita.request("GET", "/regiogegevens/voorbeeld")[2])
    assert rita.request("POST", "/regiogegevens/voorbeeld", {**form, "steunpunt_telefoon": old})[0] == 303


def wait_for(browser: Browser, path: str, text: str, seconds: float = 10) -> str:
    import time

    deadline = time.monotonic() + seconds
    while True:
        page = browser.request("GET", path)[2]
        if text in page or time.monotonic() > deadline:
            assert text in page
            return page
        time.sleep(0.2)


def test_the_preview_shows_both_audiences_with_the_regions_facts(app):
    rita = logged_in(app, "rita")
    status, _, page, _ = rita.request("GET", "/voorbeeld/steunpunt-contact?regio=voorbeeld")
    assert status == 200
    assert 'id="doelgroep-ouder"' in page and "steunpunt@voorbeeldregio.invalid" in page
    assert "steunpunt-msg--bot" in page and "utrecht-paragraph" in page
    assert rita.request("GET", "/voorbeeld/bestaat-niet?regio=voorbeeld")[0] == 404
    assert rita.request("GET", "/voorbeeld/steunpunt-contact?regio=voorbeeld&doelgroep=kat")[0] == 400


def test_the_queue_page_lists_texts_to_check(app):
    anna = logged_in(app, "anna")
    page = anna.request("GET", "/")[2]
    assert "Teksten om te controleren" in page


@needs_browser
def test_in_chromium_a_regions_editor_changes_the_phone_number_and_the_preview_shows_it(app):
    from selenium.webdriver.common.by import By

    driver = chromium(1280, 900)
    base = f"http://127.0.0.1:{app['port']}"

    def until(condition, seconds=15):
        return browser_until(driver, condition, seconds)

    old = read_region_file(example_file(app))[0]["steunpunt_telefoon"]
    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "username").send_keys("rita")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "main form button").click()
        until(lambda d: "Teksten" in d.title)  # the editor's home; the menu leads on
        driver.find_element(By.LINK_TEXT, "Regiogegevens").click()
        until(lambda d: "Regiogegevens" in d.title)
        driver.find_element(By.LINK_TEXT, "voorbeeld").click()
        until(lambda d: d.current_url.endswith("/regiogegevens/voorbeeld"))

        # A wrong number: the message stands next to the field, nothing is saved.
        phone = driver.find_element(By.ID, "steunpunt_telefoon")
        phone.clear()
        phone.send_keys("12 34")
        driver.find_element(By.XPATH, "//button[normalize-space()='Opslaan']").click()
        message = until(lambda d: d.find_element(By.ID, "steunpunt_telefoon-fout"))
        assert "telefoonnummer" in message.text
        assert read_region_file(example_file(app))[0]["steunpunt_telefoon"] == old

        phone = driver.find_element(By.ID, "steunpunt_telefoon")
        phone.clear()
        phone.send_keys("030 987 65 43")
        driver.find_element(By.XPATH, "//button[normalize-space()='Opslaan']").click()
        until(lambda d: "Opgeslagen" in d.find_element(By.ID, "opgeslagen").text)
        assert driver.find_element(By.ID, "steunpunt_telefoon").get_attribute("value") == "030 987 65 43"

        # The preview of the contact topic in region voorbeeld shows the new number (hot reload).
        driver.find_element(By.PARTIAL_LINK_TEXT, "Voorbeeld").click()
        until(lambda d: "/voorbeeld/steunpunt-contact" in d.current_url)

        def shows_new_number(d):
            if "030 987 65 43" in d.find_element(By.ID, "doelgroep-ouder").text:
                return True
            d.refresh()
            return False

        until(shows_new_number)
        site = driver.find_element(By.CSS_SELECTOR, "#doelgroep-ouder .steunpunt-preview--site")
        chat = driver.find_element(By.CSS_SELECTOR, "#doelgroep-ouder .steunpunt-preview--widget")
        assert "030 987 65 43" in site.text and "030 987 65 43" in chat.text
        assert driver.find_element(By.ID, "voorbeeld-regio").text == "voorbeeld"

        # Any other process: a fresh library on the same folder serves the new number.
        content = app["content"]
        fresh = ContentLibrary(
            content / "topics", content / "regio.yml", regions_dir=content / "regions", recheck_seconds=0
        )
        assert fresh.facts("voorbeeld")["steunpunt_telefoon"] == "030 987 65 43"
        topic = fresh.lookup("steunpunt-contact", "voorbeeld")
        assert topic is not None and "030 987 65 43" in topic.parent_text

        # Another region's facts do not exist for this editor.
        driver.get(base + "/regiogegevens/standaard")
        assert "Deze regio bestaat niet." in driver.find_element(By.TAG_NAME, "main").text
        assert not driver.find_elements(By.ID, "steunpunt_telefoon")
    finally:
        driver.quit()
