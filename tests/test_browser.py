"""The widget and the pages in a real browser: Chromium and chromedriver from the Debian packages,
driven by Selenium, against the real servers started by the README's run command.

Flows are tried as a new parent (by mouse, 1280 px) and a new youth (keyboard only, 320 px) would;
axe-core (npm) checks WCAG 2.1 A and AA on /demo with the widget open and on the pages. The staff
app (started alone, no Rasa) gets the same scan on its login page, queue, a ticket, the live
chat pages (also with what the live script adds) and the analyst pages, keyboard-only passes,
and runs with JavaScript switched off.
Screenshots are kept in results/browser/ as test artifacts.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.support.browser import CHROMIUM, DRIVER, axe_violations, needs_browser, until
from tests.support.content import looked_up
from tests.support.servers import assistant, http

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "results" / "browser"
#: Skipped without them; failed instead with STEUNPUNT_REQUIRE_BROWSER=1 (CI).
pytestmark = needs_browser


@pytest.fixture(scope="module")
def server(model_path, tmp_path_factory):
    with assistant(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=nl",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver, width, height=800, scale=1):
    """Exact CSS viewport (window sizes include browser chrome); scale 2 at half the width is
    what 200% zoom does to the layout."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
    )


def screenshot(driver, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait(driver, condition, timeout=60):
    return until(driver, condition, seconds=timeout, poll=0.5)


def bot_messages(driver):
    return driver.find_elements(By.CSS_SELECTOR, ".steunpunt-msg--bot")


def active(driver):
    return driver.switch_to.active_element


def open_widget_by_mouse(driver, base):
    driver.get(base + "/demo")
    launcher = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher"))
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"


def ask_by_mouse(driver, text, until):
    before = len(bot_messages(driver))
    field = driver.find_element(By.ID, "steunpunt-input")
    field.send_keys(text)
    driver.find_element(By.CSS_SELECTOR, ".steunpunt-form button[type=submit]").click()
    wait(driver, lambda d: len(bot_messages(d)) > before and d.find_elements(By.CSS_SELECTOR, until))


def test_a_parent_asks_by_mouse_and_gets_the_answer_with_its_source_link(server, browser):
    open_widget_by_mouse(browser, server.site)
    browser.find_element(By.XPATH, "//button[normalize-space()='Ik ben ouder/verzorger']").click()
    assert active(browser).get_attribute("id") == "steunpunt-input"
    ask_by_mouse(browser, "Wat is een TLV?", ".steunpunt-answer-title")
    answer = bot_messages(browser)[-2]  # the feedback question follows the answer
    assert "toelaatbaarheidsverklaring" in answer.text.lower()
    links = answer.find_elements(By.CSS_SELECTOR, "a.utrecht-link")
    assert links and all(link.get_attribute("href").startswith("https://") for link in links)
    assert "Gecontroleerd op" in answer.text
    see_also = answer.find_elements(By.CSS_SELECTOR, "[aria-label='Zie ook'] button")
    assert [b.text for b in see_also][:1] == ["TLV aanvragen"]
    log = browser.find_element(By.CSS_SELECTOR, "[role=log]")
    assert log.get_attribute("aria-live") == "polite"
    screenshot(browser, "widget-1280-answer")
    # "Zie ook" is one click to the neighbouring topic.
    see_also[1].click()
    assert active(browser).get_attribute("id") == "steunpunt-input"  # focus is not lost
    titles = wait(
        browser,
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title")) == 2
            and d.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title")
        ),
    )
    assert titles[-1].text.startswith("Hoe lang geldt een TLV")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_a_youth_by_keyboard_only_gets_a_ticket_code_shown_once_and_never_stored(server, browser):
    viewport(browser, 320, 640)
    browser.get(server.site + "/demo")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher"))
    keys = ActionChains(browser)
    for _ in range(40):  # Tab through the page to the widget's button
        keys.send_keys(Keys.TAB).perform()
        if "steunpunt-launcher" in (active(browser).get_attribute("class") or ""):
            break
    else:
        pytest.fail("the chat button cannot be reached with Tab")
    keys.send_keys(Keys.ENTER).perform()
    assert active(browser).text == "Ik ben ouder/verzorger"  # focus moves into the chat
    keys.send_keys(Keys.TAB).perform()
    assert active(browser).text == "Ik ben jongere"
    keys.send_keys(Keys.ENTER).perform()
    assert active(browser).get_attribute("id") == "steunpunt-input"
    assert "anoniem" in browser.find_element(By.CSS_SELECTOR, ".steunpunt-note").text

    before = len(bot_messages(browser))
    keys.send_keys("ik wil met een medewerker praten", Keys.ENTER).perform()
    wait(
        browser,
        lambda d: (
            len(bot_messages(d)) > before
            and "Waar wil je hulp bij" in d.find_element(By.CSS_SELECTOR, "[role=log]").text
        ),
    )
    assert active(browser).get_attribute("id") == "steunpunt-input"
    keys.send_keys("Ik word gepest in de klas en mijn mentor doet niets", Keys.ENTER).perform()
    code = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-code"))
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code.text)
    assert "Schrijf deze code op" in browser.find_element(By.CSS_SELECTOR, ".steunpunt-code-box").text
    assert "e-mail" not in bot_messages(browser)[-1].text.lower()  # youths are not asked for contact
    no_overflow = "return document.documentElement.scrollWidth <= window.innerWidth"
    assert browser.execute_script(no_overflow)
    screenshot(browser, "widget-320-code")

    # The code is on the screen of this page view only: never in sessionStorage (any script on
    # the embedding page can read it), so not after a reload either (issue 24).
    storage = "return JSON.stringify(Object.assign({}, sessionStorage))"
    code_text = code.text
    assert code_text not in browser.execute_script(storage)
    shown = browser.find_element(By.CSS_SELECTOR, "[role=log]").text
    browser.refresh()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".steunpunt-code-gone"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".steunpunt-code")
    restored = browser.find_element(By.CSS_SELECTOR, "[role=log]").text
    assert code_text not in restored and code_text not in browser.execute_script(storage)
    assert restored.split("Je vraag heeft nummer")[0] == shown.split("Je vraag heeft nummer")[0]
    assert browser.execute_script("return window.localStorage.length") == 0
    assert not browser.get_cookies()
    # The same conversation goes on after the reload.
    answers = len(browser.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title"))
    field = browser.find_element(By.ID, "steunpunt-input")
    field.send_keys("Wat is een OPP?", Keys.ENTER)
    titles = wait(
        browser,
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title")) > answers
            and d.find_elements(By.CSS_SELECTOR, ".steunpunt-answer-title")
        ),
    )
    assert "ontwikkelingsperspectief" in titles[-1].text.lower()

    stored = "return JSON.parse(Object.values(sessionStorage)[0])"
    session_before = browser.execute_script(stored)["sessionId"]
    browser.find_element(By.XPATH, "//button[normalize-space()='Opnieuw beginnen']").click()
    assert not browser.find_elements(By.CSS_SELECTOR, ".steunpunt-code")
    assert active(browser).text == "Ik ben ouder/verzorger"
    wait(browser, lambda d: d.execute_script(stored)["sessionId"] not in (None, session_before), 30)
    assert [item["from"] for item in browser.execute_script(stored)["items"]] == ["audience"]


def test_the_widget_fits_at_200_percent_zoom_and_respects_reduced_motion(server, browser):
    viewport(browser, 640, 450, scale=2)
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    open_widget_by_mouse(browser, server.site)
    panel = browser.find_element(By.ID, "steunpunt-panel").rect
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 640
    field = browser.find_element(By.ID, "steunpunt-input")
    assert field.is_displayed() and field.rect["y"] + field.rect["height"] <= 450
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    animation = browser.execute_script(
        "return getComputedStyle(document.querySelector('.steunpunt-dots span')).animationName"
    )
    assert animation == "none"
    ActionChains(browser).send_keys(Keys.ESCAPE).perform()  # Escape closes; focus goes back
    assert not browser.find_element(By.ID, "steunpunt-panel").is_displayed()
    assert "steunpunt-launcher" in active(browser).get_attribute("class")


@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_wcag_a_or_aa_violations_on_demo_with_the_widget_open(server, browser, width):
    viewport(browser, width, 800)
    open_widget_by_mouse(browser, server.site)
    browser.find_element(By.XPATH, "//button[normalize-space()='Ik ben jongere']").click()
    ask_by_mouse(browser, "Wat is een MDO?", ".steunpunt-answer-title")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    screenshot(browser, f"demo-{width}")


@pytest.mark.parametrize(
    "path", ["/", "/ouders/mdo-voorbereiden", "/jongeren/tlv-wat-is", "/zoeken?q=tlv", "/ouders/bestaat-niet"]
)
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_wcag_a_or_aa_violations_on_the_pages(server, browser, path, width):
    viewport(browser, width, 800)
    browser.get(server.site + path)
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    if path in ("/", "/ouders/mdo-voorbereiden"):
        screenshot(browser, f"page{path.replace('/', '-').rstrip('-') or '-index'}-{width}")


def test_the_accessibility_scan_itself_can_fail(server, browser):
    browser.get(server.site + "/")
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1"))
    browser.execute_script("document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in [violation["id"] for violation in axe_violations(browser)]


def test_the_embed_attributes_set_audience_and_region_without_asking(server, browser):
    from signals.store import SignalStore
    from store.db import engine_for

    browser.get(server.site + "/demo?doelgroep=jongere&regio=voorbeeld")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher")).click()
    # Whether a person is reachable now, for this region: the line shows the server's answer.
    _, reachable = http(server.base + "/webhooks/status/availability?region=voorbeeld")
    assert reachable["text"]
    line = wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-availability").text)
    assert line == reachable["text"]
    assert not browser.find_elements(By.XPATH, "//button[normalize-space()='Ik ben jongere']")
    assert "anoniem" in browser.find_element(By.CSS_SELECTOR, ".steunpunt-note").text
    assert active(browser).get_attribute("id") == "steunpunt-input"
    ask_by_mouse(browser, "Wat is een TLV?", ".steunpunt-answer-title")
    from library import ContentLibrary

    youth_text = looked_up(ContentLibrary(), "tlv-wat-is").youth_text
    assert youth_text, "tlv-wat-is has a youth wording"
    youth_start = youth_text.split(".")[0]
    assert youth_start in bot_messages(browser)[-2].text  # the youth wording
    rows = SignalStore(engine_for(server.env["STEUNPUNT_DATABASE_URL"])).rows()
    assert any(r["region"] == "voorbeeld" and r["audience"] == "jongere" for r in rows)


def test_the_widget_lists_the_region_s_schools_with_links(server, browser):
    """Issue 28: the schools payload as a short list with links, the full list one link away."""
    browser.get(server.site + "/demo?doelgroep=ouder&regio=voorbeeld")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher")).click()
    ask_by_mouse(browser, "welke scholen voor speciaal onderwijs zijn er in de regio?", ".steunpunt-schools")
    listed = bot_messages(browser)[-1]
    items = listed.find_elements(By.CSS_SELECTOR, ".steunpunt-schools li")
    assert 0 < len(items) <= 5
    for item in items:
        hrefs = [a.get_attribute("href") for a in item.find_elements(By.CSS_SELECTOR, "a.utrecht-link")]
        assert hrefs and all(href.startswith("http") for href in hrefs)
        assert "Fictie" in item.text  # the example region's fictional schools
    more = listed.find_element(
        By.XPATH, ".//a[normalize-space()='Alle scholen en gegevens (opent in een nieuw tabblad)']"
    )
    assert "/voorbeeld/scholen" in more.get_attribute("href")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_a_question_in_arabic_hears_it_in_arabic_marked_for_screen_readers(server, browser):
    """Issue 30: the "only Dutch" notice in the asker's language, its paragraph marked with that
    language and direction (WCAG 3.1.2), the Dutch line and the offer of a person after it."""
    browser.get(server.site + "/demo?doelgroep=ouder&regio=voorbeeld")
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, ".steunpunt-launcher")).click()
    ask_by_mouse(browser, "ابني يواجه مشاكل في المدرسة ماذا أفعل", "p[lang='ar']")
    marked = browser.find_element(By.CSS_SELECTOR, ".steunpunt-msg--bot p[lang='ar']")
    assert marked.get_attribute("dir") == "rtl" and "Ja, graag" in marked.text
    notice = marked.find_element(By.XPATH, "./..")
    dutch = [p for p in notice.find_elements(By.TAG_NAME, "p") if not p.get_attribute("lang")]
    assert [p.text for p in dutch] == ["Ik spreek alleen Nederlands."]
    wait(browser, lambda d: d.find_elements(By.XPATH, "//button[normalize-space()='Ja, graag']"))
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_a_topic_page_prints_without_search_and_with_link_targets(server, browser):
    browser.get(server.site + "/ouders/tlv-wat-is")
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, ".steunpunt-page-footer nav").is_displayed()
    after = browser.execute_script(
        "return getComputedStyle(document.querySelector('article a[href^=\"https\"]'), '::after').content"
    )
    assert "https://" in after


# --- the staff app: the same NL Design System look, by keyboard, without JavaScript -------------
#: The live chats of the staff app's database (staff_database): anna's, claimed, with a few
#: messages, and one still waiting.
CLAIMED_CHAT, WAITING_CHAT = 1, 2


def live_store(env):
    """The live chats of the staff app's database, as the Rasa process writes them."""
    from store.db import engine_for
    from store.live import LiveStore
    from store.tickets import TicketStore
    from tests.support.servers import TEST_SECRET

    return LiveStore(TicketStore(engine_for(env["STEUNPUNT_DATABASE_URL"]), TEST_SECRET.encode()))


def waiting_chat(live, conversation, audience="ouder", typed=()):
    """A chat in the default region's queue, as the assistant puts it there."""
    from steunpunt import clock

    moment = clock.now()
    chat = live.enqueue(
        conversation=conversation,
        region="standaard",
        audience=audience,
        channel="socketio",
        transcript=[
            {"from": "user", "text": "Ik wil graag een medewerker spreken", "time": 1},
            {"from": "bot", "text": "Ik zoek een medewerker voor je.", "time": 2},
        ],
        code_hash=None,
        now=moment - timedelta(minutes=2),
    )
    for text in typed:
        live.post_user(chat.id, text, moment - timedelta(minutes=1))
    return chat


@pytest.fixture(scope="module")
def staff_database(tmp_path_factory):
    """The staff app's environment and database: a medewerker (anna) and an analist (ali), two
    tickets with a conversation, unanswered questions for the analyst's groups, and live chat:
    a chat anna has claimed (CLAIMED_CHAT), one waiting (WAITING_CHAT), and a colleague (bert)
    available for chat, so anna can hand hers over."""
    import yaml
    from sqlalchemy import select

    from signals.store import Signal, SignalStore
    from steunpunt import clock
    from store import presence
    from store.accounts import Accounts
    from store.db import engine_for
    from store.schema import staff
    from store.tickets import TicketStore
    from tests.support.servers import TEST_SECRET
    from tests.test_staff_web import PASSWORD, create_account, staff_env

    folder = tmp_path_factory.mktemp("staff-browser")
    env = staff_env(folder)
    create_account(env, "anna")
    create_account(env, "ali", role="analist")
    create_account(env, "bert")
    engine = engine_for(env["STEUNPUNT_DATABASE_URL"])
    tickets, signals = TicketStore(engine, TEST_SECRET.encode()), SignalStore(engine)
    for audience, contact in (("ouder", "ouder@voorbeeld.nl"), ("jongere", None)):
        tickets.create(
            audience=audience,
            channel="rest",
            topic_guess=[{"topic": "thuiszitten", "confidence": 0.6}],
            transcript=[
                {"from": "user", "text": "Mijn kind zit al weken thuis, wat kan ik doen?", "time": 1},
                {"from": "bot", "text": "Ik zet je vraag door naar een medewerker.", "time": 2},
            ],
            description="Kind zit thuis sinds de herfstvakantie",
            contact=contact,
        )
    groups = yaml.safe_load((ROOT / "tests" / "fixtures" / "unmet_questions.yml").read_text())["groups"]
    yesterday = clock.now() - timedelta(days=1)
    for texts in groups.values():
        for text in texts:
            signals.add(
                Signal(
                    kind="handoff_offer",
                    reason="out_of_scope",
                    region="standaard",
                    audience="ouder",
                    text=text,
                ),
                at=yesterday,
            )
    signals.add(
        Signal(kind="answer", content_id="tlv-wat-is", region="standaard", audience="jongere"), at=yesterday
    )
    with engine.connect() as connection:
        ids = dict(connection.execute(select(staff.c.username, staff.c.id)).all())
    live, now = live_store(env), clock.now()
    chat = waiting_chat(live, "browser-aangenomen", typed=["Mijn zoon zit al weken thuis."])
    live.claim(chat.id, ids["anna"], now - timedelta(seconds=50))
    live.post_staff(
        chat.id, ids["anna"], "Hoi, ik ben Anna. Sinds wanneer is dat zo?", now - timedelta(seconds=40)
    )
    live.post_user(chat.id, "Sinds de herfstvakantie.\nHij wil niet meer.", now - timedelta(seconds=30))
    waiting = waiting_chat(live, "browser-wachtend", audience="jongere", typed=["Is er iemand?"])
    assert (chat.id, waiting.id) == (CLAIMED_CHAT, WAITING_CHAT)
    assert Accounts(engine, session_hours=8).login("bert", PASSWORD, "127.0.0.1")
    presence.set_available(engine, ids["bert"], True, now)
    return env


@pytest.fixture(scope="module")
def staff_site(staff_database):
    """The staff app alone (`python -m staff`, no Rasa) on that database."""
    from tests.test_staff_web import staff_server

    with staff_server(staff_database) as port:
        yield f"http://127.0.0.1:{port}"


def staff_login(driver, base, name):
    """Log in as a colleague would: type into the labelled fields, Enter."""
    from tests.test_staff_web import PASSWORD

    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD, Keys.ENTER)
    wait(driver, lambda d: not d.current_url.endswith("/login"), 30)


def outline(driver, element):
    return driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.outlineStyle, parseFloat(s.outlineWidth)]",
        element,
    )


#: (who, page): the login page, the queue (also with a date that is no date), a ticket, the
#: live chats (a chat waiting) and one live chat (claimed, with messages), the analyst view and
#: the redacted conversations.
STAFF_PAGES = [
    (None, "/login"),
    ("anna", "/"),
    ("anna", "/?van=31-02-2026&status=nieuw"),
    ("anna", "/tickets/1"),
    ("anna", "/live"),
    ("anna", f"/live/{CLAIMED_CHAT}"),
    ("ali", "/analyse"),
    ("ali", "/analyse/gesprekken"),
]


@pytest.mark.parametrize("account, path", STAFF_PAGES)
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_wcag_a_or_aa_violations_on_the_staff_pages(staff_site, browser, account, path, width):
    viewport(browser, width, 800)
    if account:
        staff_login(browser, staff_site, account)
    browser.get(staff_site + path)
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    # The public site's token theme and components, from the staff app's own stylesheet.
    token = "return getComputedStyle(document.documentElement).getPropertyValue(arguments[0]).trim()"
    assert browser.execute_script(token, "--utrecht-button-primary-action-background-color")
    assert browser.execute_script("return document.styleSheets[0].href").endswith("/static/staff.css")
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    for field in browser.find_elements(By.CSS_SELECTOR, "input:not([type=hidden]), select, textarea"):
        labels = browser.execute_script("return arguments[0].labels.length", field)
        assert labels == 1, f"{field.get_attribute('id')} has no label"
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    name = {
        "/": "queue",
        "/tickets/1": "ticket",
        "/live": "live",
        f"/live/{CLAIMED_CHAT}": "live-chat",
        "/analyse": "analysis",
        "/login": "login",
    }.get(path)
    if name:
        screenshot(browser, f"staff-{name}-{width}")


def test_staff_work_by_keyboard_with_a_visible_focus_and_dates_typed_as_dd_mm_jjjj(staff_site, browser):
    staff_login(browser, staff_site, "anna")
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB).perform()
    skip = active(browser)
    assert skip.text == "Direct naar de inhoud" and skip.is_displayed()
    assert skip.rect["y"] >= 0 and outline(browser, skip)[0] != "none"
    keys.send_keys(Keys.ENTER).perform()
    assert active(browser).get_attribute("id") == "inhoud"  # past the menu, into the page
    keys.send_keys(Keys.TAB).perform()
    control = active(browser)
    assert control.text == "Beschikbaar voor chat"
    style, width = outline(browser, control)
    assert style != "none" and width >= 2, (style, width)
    # Tab goes through the filter in reading order: status, audience, topic, from, until, button.
    order = []
    for _ in range(8):
        keys.send_keys(Keys.TAB).perform()
        order.append(active(browser).get_attribute("id") or active(browser).text)
        if order[-1] == "Filter":
            break
    assert order == ["status", "audience", "topic", "van", "tot", "Filter"], order
    van = browser.find_element(By.ID, "van")
    assert van.get_attribute("type") == "text"  # not the browser's locale's date field
    hint = browser.find_element(By.ID, van.get_attribute("aria-describedby"))
    assert hint.text == "dd-mm-jjjj" and hint.is_displayed()
    van.click()
    keys.send_keys("1-1-2020", Keys.ENTER).perform()  # Enter in a field sends the form
    wait(browser, lambda d: "van=1-1-2020" in d.current_url)
    assert browser.find_element(By.ID, "van").get_attribute("value") == "01-01-2020"
    assert browser.find_elements(By.LINK_TEXT, "SP-00001")
    browser.find_element(By.ID, "tot").send_keys("02-01-2020", Keys.ENTER)
    wait(browser, lambda d: "tot=02-01-2020" in d.current_url)
    assert "Geen vragen gevonden" in browser.find_element(By.TAG_NAME, "table").text


@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_violations_in_what_the_live_script_adds_to_the_live_pages(
    staff_site, staff_database, browser, width
):
    """A chat that starts waiting and a message that comes in while the pages are open: the
    script builds them (marked "Nieuw" / "Nieuw bericht", seen and not heard) with the same
    components as the page."""
    from steunpunt import clock

    live = live_store(staff_database)
    viewport(browser, width, 800)
    staff_login(browser, staff_site, "anna")
    browser.get(staff_site + "/live")
    wait(browser, lambda d: d.find_element(By.ID, f"gesprek-{WAITING_CHAT}"))
    chat = waiting_chat(live, f"browser-nieuw-{width}", typed=["Hallo, is daar iemand?"])
    # In full (the script draws the list again on every change: the chat, then what was typed).
    wait(browser, lambda d: "Hallo, is daar iemand?" in d.find_element(By.ID, f"gesprek-{chat.id}").text, 30)
    article = browser.find_element(By.ID, f"gesprek-{chat.id}")
    marker = article.find_element(By.CSS_SELECTOR, ".nieuw-marker")
    assert marker.text == "Nieuw" and marker.is_displayed()
    assert "steunpunt-live-card" in article.get_attribute("class")
    assert article.find_elements(By.CSS_SELECTOR, ".steunpunt-conversation .steunpunt-msg--user")
    claim = article.find_element(By.XPATH, ".//button[normalize-space()='Neem gesprek aan']")
    assert claim.get_attribute("class") == "utrecht-button utrecht-button--primary-action"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    browser.execute_script("arguments[0].scrollIntoView()", article)
    screenshot(browser, f"staff-live-new-{width}")

    browser.get(staff_site + f"/live/{CLAIMED_CHAT}")
    log = wait(browser, lambda d: d.find_element(By.ID, "berichten"))
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")
    live.post_user(CLAIMED_CHAT, f"Nog een vraag, op {width} pixels.", clock.now())  # the page is open
    wait(browser, lambda d: f"op {width} pixels" in d.find_element(By.ID, "berichten").text, 30)
    marker = browser.find_element(By.CSS_SELECTOR, "#berichten .nieuw-marker")
    assert marker.text == "Nieuw bericht" and marker.is_displayed()
    newest = browser.find_elements(By.CSS_SELECTOR, "#berichten .steunpunt-msg")[-1]
    assert newest.get_attribute("class") == "steunpunt-msg steunpunt-msg--user nieuw"
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations(browser)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)
    screenshot(browser, f"staff-live-chat-new-{width}")


def test_a_live_chat_by_keyboard_the_message_box_and_verstuur_with_a_visible_focus(staff_site, browser):
    staff_login(browser, staff_site, "anna")
    browser.get(staff_site + f"/live/{CLAIMED_CHAT}")
    wait(browser, lambda d: d.find_element(By.ID, "bericht"))
    browser.execute_script("window.sameLoad = true")  # sent by the script: the page stays
    keys = ActionChains(browser)
    keys.send_keys(Keys.TAB, Keys.ENTER).perform()  # the skip link, into the page
    assert active(browser).get_attribute("id") == "inhoud"
    order = []
    for _ in range(4):
        keys.send_keys(Keys.TAB).perform()
        order.append(active(browser).get_attribute("id") or active(browser).text)
        if order[-1] == "bericht":
            break
    assert order == ["Terug naar Live gesprekken", "bericht"], order  # the box comes right after
    box = active(browser)
    style, width = outline(browser, box)
    assert style != "none" and width >= 2, (style, width)
    keys.send_keys("Ik bel je school morgen, goed?", Keys.TAB).perform()
    send = active(browser)
    assert send.text == "Verstuur" and send.get_attribute("type") == "submit"
    style, width = outline(browser, send)
    assert style != "none" and width >= 2, (style, width)
    keys.send_keys(Keys.ENTER).perform()
    wait(
        browser,
        lambda d: any(
            "Ik bel je school morgen, goed?" in m.text
            for m in d.find_elements(By.CSS_SELECTOR, "#berichten .steunpunt-msg--staff")
        ),
        30,
    )
    assert box.get_attribute("value") == "" and browser.execute_script("return window.sameLoad") is True


@pytest.fixture
def browser_without_javascript():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # Tall: chromedriver scrolls an element into view with a script, which this browser refuses.
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--lang=nl",
        "--window-size=1280,4000",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_staff_app_works_without_javascript(staff_site, browser_without_javascript):
    driver = browser_without_javascript
    driver.get("data:text/html,<title>geen</title><script>document.title = 'wel'</script>")
    assert driver.title == "geen"  # scripts really do not run in this browser
    staff_login(driver, staff_site, "anna")
    assert "<script" not in driver.page_source
    driver.find_element(By.LINK_TEXT, "SP-00002").click()
    wait(driver, lambda d: d.current_url.endswith("/tickets/2"))
    driver.find_element(By.XPATH, "//button[normalize-space()='Aan mij toewijzen']").click()
    wait(driver, lambda d: "anna" in d.find_element(By.CSS_SELECTOR, ".utrecht-data-list").text)
    driver.find_element(By.ID, "note").send_keys("Moeder teruggebeld")
    driver.find_element(By.XPATH, "//button[normalize-space()='Notitie opslaan']").click()
    wait(driver, lambda d: "Moeder teruggebeld" in d.find_element(By.ID, "inhoud").text)
    driver.find_element(By.XPATH, "//button[normalize-space()='Uitloggen']").click()
    wait(driver, lambda d: d.current_url.endswith("/login"))


def test_a_live_chat_works_without_javascript(staff_site, staff_database, browser_without_javascript):
    """Claim, write and end a live chat with form posts only: every step is a page of its own."""
    driver = browser_without_javascript
    chat = waiting_chat(live_store(staff_database), "browser-zonder-js", typed=["Hallo?"])
    staff_login(driver, staff_site, "anna")
    driver.get(staff_site + "/live")
    article = driver.find_element(By.ID, f"gesprek-{chat.id}")
    assert "Hallo?" in article.text
    article.find_element(By.XPATH, ".//button[normalize-space()='Neem gesprek aan']").click()
    wait(driver, lambda d: d.current_url.endswith(f"/live/{chat.id}"))
    assert "in gesprek met jou" in driver.find_element(By.CSS_SELECTOR, ".utrecht-data-list").text
    driver.find_element(By.ID, "bericht").send_keys("Ik ben er. Waar gaat het over?")
    driver.find_element(By.XPATH, "//button[normalize-space()='Verstuur']").click()
    wait(driver, lambda d: "Ik ben er. Waar gaat het over?" in d.find_element(By.ID, "berichten").text)
    assert driver.current_url.endswith(f"/live/{chat.id}")
    assert driver.find_element(By.ID, "bericht").get_attribute("value") == ""
    driver.find_element(By.XPATH, "//label[normalize-space()='Open voor opvolging']").click()
    driver.find_element(By.XPATH, "//button[normalize-space()='Gesprek beëindigen']").click()
    wait(driver, lambda d: "/tickets/" in d.current_url)
    assert "in behandeling" in driver.find_element(By.CSS_SELECTOR, ".utrecht-data-list").text
