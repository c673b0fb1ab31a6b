"""The analysts' pages over real HTTP: roles per route, no contact data or codes for analysts,
figures, groups and their decisions, CSV, draft NLU examples, and the report."""

import csv
import io
import os
from datetime import timedelta

import pytest
import yaml
from conftest import TODAY
from test_staff_web import PASSWORD, ROOT, Browser, create_account, staff_server

from signals.store import Signal, SignalStore
from steunpunt import clock
from store.db import engine_for
from store.tickets import TicketStore
from tests.support.servers import TEST_SECRET

FIXTURE = ROOT / "tests" / "fixtures" / "unmet_questions.yml"
#: Unmet questions that came in on WhatsApp: the only ones the ?kanaal=whatsapp view may show.
WHATSAPP_UNMET = (
    "hoeveel kost een zwemdiploma halen",
    "zwemdiploma kosten zwembad",
    "wachtlijst zwembad voor het zwemdiploma",
)


def staff_env(folder):
    """The staff app's environment with its databases in `folder` (plain-http cookies)."""
    return {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
        "STEUNPUNT_TRACKER_DB": str(folder / "trackers.db"),
        "STEUNPUNT_STAFF_SECURE_COOKIES": "0",
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyst")
    env = staff_env(folder)
    create_account(env, "anna")
    create_account(env, "ali", role="analist")
    engine = engine_for(env["STEUNPUNT_DATABASE_URL"])
    tickets, signals = TicketStore(engine, TEST_SECRET.encode()), SignalStore(engine)
    made = tickets.create(
        audience="jongere",
        channel="rest",
        topic_guess=[],
        description="Ik ben Daan, 0612345678",
        transcript=[
            {"from": "user", "text": "mail me op daan@voorbeeld.nl", "time": 1},
            {"from": "bot", "text": "Je code is: K7MP-Q2XD", "time": 2},
        ],
        contact=None,
    )
    tickets.create(
        audience="ouder",
        channel="rest",
        topic_guess=[],
        transcript=[],
        description=None,
        contact="ouder@voorbeeld.nl",
    )
    yesterday = clock.now() - timedelta(days=1)  # the clock every process of the run shares
    groups = yaml.safe_load(FIXTURE.read_text())["groups"]
    for texts in groups.values():
        for text in texts:
            signals.add(
                Signal(
                    kind="handoff_offer",
                    reason="out_of_scope",
                    region="standaard",
                    audience="ouder",
                    channel="rest",
                    text=text,
                ),
                at=yesterday,
            )
    for _ in range(3):
        signals.add(
            Signal(
                kind="answer",
                content_id="tlv-wat-is",
                region="standaard",
                audience="jongere",
                channel="socketio",
            ),
            at=yesterday,
        )
    signals.add(
        Signal(kind="feedback", reason="negative", content_id="opp-wat-is", region="standaard"), at=yesterday
    )
    signals.add(
        Signal(kind="handoff", reason="asked", region="standaard", text='=HYPERLINK("x")'), at=yesterday
    )
    for text in WHATSAPP_UNMET:
        signals.add(
            Signal(
                kind="handoff_offer",
                reason="not_understood",
                region="standaard",
                audience="ouder",
                channel="whatsapp",
                text=text,
            ),
            at=yesterday,
        )
    for _ in range(2):
        signals.add(
            Signal(
                kind="answer",
                content_id="pst-wat-is",
                region="standaard",
                audience="ouder",
                channel="whatsapp",
            ),
            at=yesterday,
        )
    tickets.create(
        audience="ouder", channel="whatsapp", topic_guess=[], transcript=[], description=None, contact=None
    )
    with staff_server(env) as port:
        yield {"port": port, "signals": signals, "tickets": tickets, "code": made.code}


ANALYST_PAGES = ["/analyse", "/analyse/export.csv", "/analyse/rapport", "/analyse/gesprekken"]
STAFF_PAGES = ["/tickets/1", "/tickets/2"]


def logged_in(site, name):
    browser = Browser(site["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser


def test_no_analyst_page_without_login(site):
    browser = Browser(site["port"])
    for path in ANALYST_PAGES:
        status, headers, _, _ = browser.request("GET", path)
        assert status == 303 and headers["Location"] == "/login", path
    assert browser.request("POST", "/analyse/groep", {"decision": "nieuw_onderwerp"})[0] == 303


def test_an_analyst_lands_on_the_analysis_and_cannot_open_tickets_or_contact_data(site):
    browser = Browser(site["port"])
    status, headers, _, _ = browser.login(username="ali", password=PASSWORD)
    assert status == 303 and headers["Location"] == "/analyse"
    assert browser.request("GET", "/")[1]["Location"] == "/analyse"
    for path in STAFF_PAGES:
        status, _, page, _ = browser.request("GET", path)
        assert status == 403 and "ouder@voorbeeld.nl" not in page, path
    csrf = browser.csrf("/analyse")
    assert browser.request("POST", "/tickets/2/status", {"status": "afgehandeld", "csrf": csrf})[0] == 403
    assert site["tickets"].get(2)["status"] == "nieuw"


def test_staff_cannot_open_the_analyst_pages(site):
    browser = logged_in(site, "anna")
    for path in ANALYST_PAGES:
        assert browser.request("GET", path)[0] == 403, path


def test_analysis_shows_figures_and_the_biggest_group_first(site):
    page = logged_in(site, "ali").request("GET", "/analyse")[2]
    assert "Uitkomst van de vragen" in page and "<svg" in page
    assert "tlv-wat-is" in page and "opp-wat-is" in page  # answers per topic, negative feedback
    # the default period is the last 30 days up to today by the staff app's (frozen) clock
    # a text field with a dd-mm-jjjj hint (a date field would follow the browser's locale)
    assert f'name="tot" type="text" value="{TODAY:%d-%m-%Y}"' in page
    first_group = page.index('id="groep-1"')
    assert "(10 vragen)" in page[first_group : first_group + 300]


def test_periods_by_quarter_and_bad_periods(site):
    browser = logged_in(site, "ali")
    assert browser.request("GET", f"/analyse?periode={TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}")[0] == 200
    assert browser.request("GET", "/analyse?periode=morgen")[0] == 400
    assert browser.request("GET", "/analyse?van=2026-13-01")[0] == 400
    # typed as the form shows them (dd-mm-jjjj) or as links write them (ISO): the same period
    typed = browser.request("GET", f"/analyse?van=1-{TODAY:%m-%Y}&tot={TODAY:%d-%m-%Y}")
    linked = browser.request("GET", f"/analyse?van={TODAY:%Y-%m}-01&tot={TODAY.isoformat()}")
    assert typed[0] == linked[0] == 200
    assert f'name="van" type="text" value="01-{TODAY:%m-%Y}"' in typed[2]
    status, _, page, _ = browser.request("GET", "/analyse?van=31-02-2026")
    assert status == 400 and "dd-mm-jjjj" in page


def test_csv_export_has_the_signals_and_no_spreadsheet_formulas(site):
    status, headers, body, _ = logged_in(site, "ali").request("GET", "/analyse/export.csv")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 40 + 3 + 1 + 1 + len(WHATSAPP_UNMET) + 2
    assert {"time", "kind", "reason", "channel", "audience", "region", "content_id", "text"} <= set(rows[0])
    assert any(r["text"] == '\'=HYPERLINK("x")' for r in rows)
    assert not any((r["text"] or "").startswith("=") for r in rows)


FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("lead", FORMULA_LEADS)
def test_no_csv_cell_starts_a_spreadsheet_formula_whatever_its_lead_character_or_column(lead):
    from signals.store import EXPORT_FIELDS
    from staff.analysis import export_text

    formula = lead + 'HYPERLINK("https://evil.example";"klik")'
    row = dict.fromkeys(EXPORT_FIELDS, formula)

    def cells(rows):
        return list(csv.reader(io.StringIO(export_text(rows), newline="")))[1:]

    [exported] = cells([row])
    assert len(exported) == len(EXPORT_FIELDS)
    assert all(cell == "'" + formula for cell in exported), exported  # shown as text, nothing lost
    [plain] = cells([{**row, "text": "gewone vraag - met een streepje"}])
    assert plain[EXPORT_FIELDS.index("text")] == "gewone vraag - met een streepje"


def test_transcripts_for_analysts_are_redacted_and_show_no_code_or_contact(site):
    status, _, page, _ = logged_in(site, "ali").request("GET", "/analyse/gesprekken")
    assert status == 200 and "SP-00001" in page
    for secret in (
        "daan@voorbeeld.nl",
        "0612345678",
        "K7MP-Q2XD",
        "Daan",
        "ouder@voorbeeld.nl",
        site["code"],
    ):
        assert secret not in page, secret
    assert "[email]" in page and "[code]" in page and "[telefoon]" in page


def test_transcripts_for_analysts_hide_a_real_code_typed_as_words(tmp_path):
    """A code of letters only reads like words ("kwrt abcd"), so the redaction keeps it; that it
    is the code of a ticket (an earlier one, a parent's own) only the tickets table can tell. The
    analysts' transcripts check it there, as signals do; words that are no code stay."""
    from steunpunt.codes import code_hash, normalise

    env = staff_env(tmp_path)
    create_account(env, "ali", role="analist")
    tickets = TicketStore(engine_for(env["STEUNPUNT_DATABASE_URL"]), TEST_SECRET.encode())
    code = "KWRT-ABCD"  # letters only: no digit, so redaction alone cannot know it is a code
    tickets.create(
        audience="jongere",
        channel="rest",
        topic_guess=[],
        transcript=[],
        description=None,
        contact=None,
        code_hash=code_hash(normalise(code) or "", TEST_SECRET.encode()),
    )
    tickets.create(
        audience="jongere",
        channel="rest",
        topic_guess=[],
        description="Mijn vorige code was kwrtabcd, die werkt niet meer",
        transcript=[
            {"from": "user", "text": "ik heb al een vraag gesteld, code kwrt abcd", "time": 1},
            {"from": "bot", "text": "Ik kan die vraag niet vinden.", "time": 2},
            {"from": "user", "text": "Kwrt Abcd is mijn code, en deze week wacht ik nog", "time": 3},
        ],
        contact=None,
    )
    with staff_server(env) as port:
        browser = Browser(port)
        assert browser.login(username="ali", password=PASSWORD)[0] == 303
        status, _, page, _ = browser.request("GET", "/analyse/gesprekken")
    assert status == 200 and "SP-00002" in page
    for spelling in ("kwrtabcd", "kwrt abcd", "kwrt", "abcd"):
        assert spelling not in page.lower(), spelling
    assert page.count("[code]") >= 3 and "deze week" in page and "die werkt niet meer" in page


def test_a_group_can_be_marked_and_downloaded_as_draft_nlu_examples(site):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    browser = logged_in(site, "ali")
    page = browser.request("GET", "/analyse")[2]
    start = page.index('id="groep-1"')
    form = page[start : page.index("</form>", start)]
    import re

    ids = re.findall(r'name="signal_ids" value="([0-9a-f]+)"', form)
    found = re.search(r'name="label" value="([^"]*)"', form)
    assert found, "the group form carries its label"
    label = found.group(1)
    csrf = browser.csrf("/analyse")
    body = [("csrf", csrf), ("label", label), ("decision", "nieuw_onderwerp"), ("topic", "")] + [
        ("signal_ids", i) for i in ids
    ]
    from urllib.parse import urlencode

    status = browser.request_raw("POST", "/analyse/groep", urlencode(body))[0]
    assert status == 303
    [decision] = [d for d in site["signals"].decisions() if d["label"] == label]  # (other tests decide too)
    assert decision["decision"] == "nieuw_onderwerp" and sorted(decision["signal_ids"]) == sorted(ids)
    assert "nieuw onderwerp nodig" in browser.request("GET", "/analyse")[2]

    body = [("csrf", csrf), ("topic", "leerlingenvervoer")] + [("signal_ids", i) for i in ids]
    status, headers, draft, _ = browser.request_raw("POST", "/analyse/groep/nlu.yml", urlencode(body))
    assert status == 200 and "concept-leerlingenvervoer.yml" in headers["Content-Disposition"]
    examples = RasaYAMLReader().reads(draft).intent_examples
    assert len(examples) == len(ids) and {e.get("intent") for e in examples} == {"info_leerlingenvervoer"}
    bad = [("csrf", csrf), ("topic", "../etc")] + [("signal_ids", i) for i in ids]
    assert browser.request_raw("POST", "/analyse/groep/nlu.yml", urlencode(bad))[0] == 400


def test_the_figures_the_csv_and_the_report_can_keep_to_one_channel(site):
    """?kanaal=whatsapp: only WhatsApp's signals and tickets are counted, grouped and exported,
    and the links to the CSV and the report keep the choice."""
    browser = logged_in(site, "ali")
    everything = browser.request("GET", "/analyse")[2]
    assert "tlv-wat-is" in everything and "pst-wat-is" in everything
    assert "<caption>Vragen per kanaal</caption>" in everything
    assert "Website (chat)" in everything and "REST/API" in everything
    assert "<dt>Vragen aangemaakt</dt><dd>3</dd>" in everything

    status, _, page, _ = browser.request("GET", "/analyse?kanaal=whatsapp")
    assert status == 200 and "kanaal WhatsApp" in page
    assert '<option value="whatsapp" selected>WhatsApp</option>' in page
    figures = page[page.index('id="volume"') : page.index('id="groepen"')]  # (the topic list has all)
    assert "pst-wat-is" in figures and "tlv-wat-is" not in figures and "opp-wat-is" not in figures
    assert "Website (chat)" not in figures and "REST/API" not in figures
    assert "<dt>Vragen aangemaakt</dt><dd>1</dd>" in page
    first_group = page.index('id="groep-1"')
    assert "(3 vragen)" in page[first_group : first_group + 300] and 'id="groep-2"' not in page
    assert "taxi" not in page  # none of the website's or REST's unmet questions
    assert "&amp;kanaal=whatsapp" in page[page.index("/analyse/export.csv") :][:200]
    assert "&amp;kanaal=whatsapp" in page[page.index("/analyse/rapport") :][:200]

    status, _, body, _ = browser.request("GET", "/analyse/export.csv?kanaal=whatsapp")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert status == 200 and len(rows) == len(WHATSAPP_UNMET) + 2
    assert {r["channel"] for r in rows} == {"whatsapp"}

    status, _, report, _ = browser.request("GET", "/analyse/rapport?kanaal=whatsapp")
    assert status == 200 and "kanaal WhatsApp" in report
    assert "pst-wat-is" in report and "tlv-wat-is" not in report


def test_an_unknown_channel_is_a_400_that_says_which_channels_there_are(site):
    browser = logged_in(site, "ali")
    for path in ANALYST_PAGES:
        status, _, page, _ = browser.request("GET", path + "?kanaal=telefoon")
        assert status == 400 and "Kies een ander kanaal" in page and "WhatsApp" in page, path
    assert browser.request("GET", "/analyse?kanaal=")[0] == 200  # the form's "Alle kanalen"


def test_the_report_downloads_as_one_self_contained_html_file(site):
    status, headers, page, _ = logged_in(site, "ali").request("GET", "/analyse/rapport")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert page.startswith("<!doctype html>") and "@media print" in page
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert "Suggesties voor nieuwe of betere informatie" in page


def test_a_period_is_at_most_two_years_and_a_far_off_date_is_a_400_not_a_500(site):
    """A 100-year chart kept the single worker busy for seconds, and tot=9999-12-31 (no next day
    to count to) was a server error."""
    browser = logged_in(site, "ali")
    for path in ANALYST_PAGES:
        status, _, page, _ = browser.request("GET", path + "?van=1926-01-01&tot=2026-01-01")
        assert status == 400 and "twee jaar" in page, path
    for query in ("tot=9999-12-31", "van=0001-01-01&tot=0001-01-02", "periode=9999", "periode=0001-01"):
        assert browser.request("GET", "/analyse?" + query)[0] == 400, query
    assert browser.request("GET", "/analyse/export.csv?tot=9999-12-31")[0] == 400
    assert browser.request("GET", "/analyse?van=2025-01-01&tot=2026-12-31")[0] == 200  # two years is fine


@pytest.mark.parametrize(
    "back, expected",
    [
        ("/analyse?van=2026-01-01&tot=2026-01-31", "/analyse?van=2026-01-01&tot=2026-01-31"),
        ("/analyse", "/analyse"),
        ("", "/analyse"),
        ("https://evil.example/analyse", "/analyse"),
        ("//evil.example/analyse", "/analyse"),
        ("/\\evil.example", "/analyse"),
        ("/analyse/../login", "/analyse"),
        ("/tickets/1", "/analyse"),
        ("/analyse\r\nSet-Cookie: x=1", "/analyse"),
        ("javascript:alert(1)", "/analyse"),
    ],
)
def test_after_deciding_on_a_group_the_way_back_is_a_local_analysis_page_only(site, back, expected):
    browser = logged_in(site, "ali")
    [handoff] = site["signals"].rows(kinds=["handoff"], with_text=True)
    form = {
        "csrf": browser.csrf("/analyse"),
        "label": "terugweg",
        "decision": "nieuw_onderwerp",
        "signal_ids": handoff["id"],
        "back": back,
    }
    status, headers, _, _ = browser.request("POST", "/analyse/groep", form)
    assert status == 303 and headers["Location"] == expected
