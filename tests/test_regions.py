"""Regions (issue 15): national content with regional facts and overrides, the region chosen
per message, tenants kept apart in the staff and analyst pages, and pages per region."""

import logging
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from test_staff_web import PASSWORD, Browser, create_account

from actions.replies import answer
from library import ContentLibrary, answer_payload
from library.model import REGIONAL, WHOLE
from signals.store import Signal, SignalStore
from steunpunt import clock, regions, settings
from store.db import engine_for
from store.tickets import TicketStore
from tests.support.content import looked_up
from tests.support.servers import TEST_SECRET, python_module

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PHONE = "0000 000 000 (fictief nummer)"


# --- content per region ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def library():
    return ContentLibrary()


def test_the_example_region_is_valid_fictional_and_complete(library):
    assert "voorbeeld" in library.regions() and library.errors() == {}
    facts = library.facts("voorbeeld")
    assert "fictief" in facts["swv_naam"] and "fictief" in facts["steunpunt_telefoon"]
    assert all(".invalid" in facts[key] for key in ("swv_website", "steunpunt_website", "steunpunt_email"))
    # A region that overrides a topic or two still answers every national topic, plus its own.
    assert set(library.topics("voorbeeld")) - set(library.topics()) == {"voorbeeld-informatieavond"}
    own = library.lookup("voorbeeld-informatieavond", "voorbeeld")
    assert own.regional_parts == (WHOLE,) and library.lookup("voorbeeld-informatieavond") is None


def test_national_topics_get_each_regions_own_facts(library):
    assert EXAMPLE_PHONE in library.lookup("steunpunt-contact", "voorbeeld").parent_text
    national = library.lookup("steunpunt-contact").parent_text
    assert EXAMPLE_PHONE not in national and library.facts()["steunpunt_telefoon"] in national


def test_a_whole_topic_and_a_regional_section_override_the_national_text(library):
    whole = library.lookup("tlv-aanvragen", "voorbeeld")
    assert whole.regional_parts == (WHOLE,) and "Voorbeeldregio" in whole.parent_text
    assert "Voorbeeldregio" not in library.lookup("tlv-aanvragen").parent_text
    added = library.lookup("mdo-wat-is", "voorbeeld")
    national = library.lookup("mdo-wat-is")
    assert added.regional_parts == (REGIONAL,) and added.parent_text == national.parent_text
    assert "consulent van het samenwerkingsverband" in added.regional_text
    assert set(national.sources) < set(added.sources)  # the region's source comes on top


def test_the_answer_says_which_part_is_regional(library):
    whole = answer_payload(
        library.lookup("tlv-aanvragen", "voorbeeld"),
        "ouder",
        region="voorbeeld",
        facts=library.facts("voorbeeld"),
    )
    assert whole["region"] == "voorbeeld" and whole["regional"] == ["tekst"]
    assert whole["blocks"][0]["text"].startswith("Dit antwoord is van Samenwerkingsverband Voorbeeldregio")
    assert all(block.get("regional") for block in whole["blocks"])
    added = answer(
        library.lookup("mdo-wat-is", "voorbeeld"),
        "ouder",
        region="voorbeeld",
        facts=library.facts("voorbeeld"),
    )
    assert added["json_message"]["regional"] == ["in onze regio"]
    assert "In onze regio (Samenwerkingsverband Voorbeeldregio (fictief)):" in added["text"]
    national = answer_payload(library.lookup("mdo-wat-is"), "ouder", region=settings.DEFAULT_REGION)
    assert national["regional"] == [] and not any(b.get("regional") for b in national["blocks"])


def test_unknown_region_ids_get_the_default_region_and_a_log_line(caplog, monkeypatch):
    monkeypatch.setattr(regions, "_logged", set())
    caplog.set_level(logging.WARNING)
    assert regions.resolve("voorbeeld") == "voorbeeld"
    assert regions.resolve(None) == settings.DEFAULT_REGION and not caplog.records
    assert regions.resolve("bestaat-niet") == settings.DEFAULT_REGION
    assert regions.resolve("<script>") == settings.DEFAULT_REGION
    assert regions.resolve("bestaat-niet") == settings.DEFAULT_REGION
    lines = [r.getMessage() for r in caplog.records]  # one line per unknown id, not per message
    assert len(lines) == 2 and "bestaat-niet" in lines[0] and "<script>" not in lines[1]


# --- the content check covers every region --------------------------------------------------
@pytest.fixture
def content_copy(tmp_path):
    """A copy of the real content (national topics, default facts, the example region)."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def check(content):
    return subprocess.run(
        [sys.executable, "-m", "library"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "STEUNPUNT_CONTENT_DIR": str(content / "topics"),
            "STEUNPUNT_REGIO_FILE": str(content / "regio.yml"),
        },
        check=False,
    )


def test_the_content_check_passes_with_the_example_region(content_copy):
    checked = check(content_copy)
    assert checked.returncode == 0, checked.stdout
    assert "[voorbeeld] 41 onderwerpen in orde, waarvan 3 met regionale tekst" in checked.stdout


def due_the_day_it_was_checked(path):
    """Set a file's review_by to its own reviewed_on (whatever dates the content has now)."""
    text = path.read_text()
    found = re.search(r"(?m)^reviewed_on:\s*(\S+)", text)
    assert found, path
    reviewed_on = found.group(1)
    path.write_text(re.sub(r"(?m)^review_by:.*$", f"review_by: {reviewed_on}", text))


@pytest.mark.parametrize(
    "breaks, message",
    [
        (
            lambda r: (r / "topics" / "tlv-aanvragen.md").write_text(
                (r / "topics" / "tlv-aanvragen.md")
                .read_text()
                .replace(
                    "https://www.voorbeeldregio.invalid/ondersteuningsplan", "https://www.blog.example/tlv"
                )
            ),
            "regions/voorbeeld/topics/tlv-aanvragen.md: bron is geen officiële site",
        ),
        (
            lambda r: (r / "regio.yml").write_text(
                (r / "regio.yml")
                .read_text()
                .replace(
                    'steunpunt_telefoon: "0000 000 000 (fictief nummer)"', 'steunpunt_telefoon: "[telefoon]"'
                )
            ),
            "regions/voorbeeld/regio.yml: 'steunpunt_telefoon' is nog niet ingevuld",
        ),
        (
            lambda r: (r / "regio.yml").write_text(
                re.sub(r"(?m)^steunpunt_email:.*\n", "", (r / "regio.yml").read_text())
            ),
            "regions/voorbeeld/regio.yml: 'steunpunt_email' ontbreekt",
        ),
        (
            lambda r: (r / "sections" / "bestaat-niet.md").write_text(
                (r / "sections" / "mdo-wat-is.md").read_text().replace("id: mdo-wat-is", "id: bestaat-niet")
            ),
            "regions/voorbeeld/sections/bestaat-niet.md: er is geen onderwerp 'bestaat-niet'",
        ),
        (
            lambda r: due_the_day_it_was_checked(r / "sections" / "mdo-wat-is.md"),
            "regions/voorbeeld/sections/mdo-wat-is.md: 'review_by' moet na 'reviewed_on' liggen",
        ),
    ],
)
def test_the_content_check_finds_what_is_wrong_in_a_region(content_copy, breaks, message):
    breaks(content_copy / "regions" / "voorbeeld")
    checked = check(content_copy)
    assert checked.returncode == 1 and f"FOUT  {message}" in checked.stdout, checked.stdout


def test_a_regional_section_is_not_allowed_in_national_content(content_copy):
    path = content_copy / "topics" / "mdo-wat-is.md"
    path.write_text(path.read_text() + "\n## In onze regio\n\nHier.\n")
    assert "onbekende kop '## In onze regio'" in check(content_copy).stdout


def test_a_region_file_broken_while_running_keeps_its_last_good_version(content_copy):
    library = ContentLibrary(
        content_copy / "topics",
        content_copy / "regio.yml",
        recheck_seconds=0,
        regions_dir=content_copy / "regions",
    )
    assert looked_up(library, "tlv-aanvragen", "voorbeeld").regional_parts == (WHOLE,)
    (content_copy / "regions" / "voorbeeld" / "topics" / "tlv-aanvragen.md").write_text("---\nkapot: [\n")
    assert looked_up(library, "tlv-aanvragen", "voorbeeld").regional_parts == (WHOLE,)
    assert "regions/voorbeeld/topics/tlv-aanvragen.md" in library.errors()


def test_the_status_names_each_regions_facts_still_to_fill_in(content_copy):
    """The status JSON (/webhooks/status/ with the token) lists, per region, the facts still
    showing their neutral text: `facts_unfilled` (the region is the id, these are its facts)."""
    from channels.status import content_status

    regio = content_copy / "regions" / "voorbeeld" / "regio.yml"
    regio.write_text(
        regio.read_text().replace(
            f'steunpunt_telefoon: "{EXAMPLE_PHONE}"', 'steunpunt_telefoon: "[telefoon]"'
        )
    )
    library = ContentLibrary(
        content_copy / "topics", content_copy / "regio.yml", regions_dir=content_copy / "regions"
    )
    status = content_status(library, clock.today())
    assert status["regions"]["voorbeeld"]["facts_unfilled"] == ["steunpunt_telefoon"]
    default = status["regions"][settings.DEFAULT_REGION]["facts_unfilled"]
    assert status["facts_unfilled"] == default


# --- tenants kept apart ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def tenants(tmp_path_factory):
    """Tickets and signals in the default region and in 'voorbeeld'; staff and analysts of one
    region, and a national account."""
    folder = tmp_path_factory.mktemp("tenants")
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "STEUNPUNT_TRACKER_DB": str(folder / "trackers.db"),  # the app prunes it at start
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": str(ROOT),
    }
    create_account(env, "anna")  # no --region: the default region
    create_account(env, "vera", extra=["--region", "voorbeeld"])
    create_account(env, "nina", extra=["--all-regions"])
    create_account(env, "ali", role="analist", extra=["--region", "voorbeeld"])
    engine = engine_for(env["STEUNPUNT_DATABASE_URL"])
    tickets = TicketStore(engine, TEST_SECRET.encode())
    for region, story in (
        (settings.DEFAULT_REGION, "Verhaal uit de standaardregio"),
        ("voorbeeld", "Verhaal uit voorbeeld"),
    ):
        tickets.create(
            audience="ouder",
            channel="rest",
            topic_guess=[{"topic": "thuiszitten", "confidence": 0.5}],
            transcript=[{"from": "user", "text": story, "time": 1}],
            description=story,
            contact=None,
            region=region,
        )
    signals = SignalStore(engine)
    yesterday = clock.now() - timedelta(days=1)  # the clock every process of the run shares
    for region in (settings.DEFAULT_REGION, "voorbeeld"):
        for _ in range(3):
            signals.add(
                Signal(
                    kind="handoff_offer",
                    reason="out_of_scope",
                    region=region,
                    text=f"vraag over vakantiedagen in {region}",
                ),
                at=yesterday,
            )
    with python_module("staff", env) as port:
        yield {"port": port, "env": env, "tickets": tickets, "signals": signals}


def logged_in(tenants, name):
    browser = Browser(tenants["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser


def test_staff_see_only_their_regions_tickets_in_the_queue(tenants):
    anna, vera, nina = (logged_in(tenants, name) for name in ("anna", "vera", "nina"))
    assert "SP-00001" in anna.request("GET", "/")[2] and "SP-00002" not in anna.request("GET", "/")[2]
    page = vera.request("GET", "/")[2]
    assert "SP-00002" in page and "SP-00001" not in page and "nieuw</strong>: 1" in page
    assert "SP-00001" not in vera.request("GET", f"/?regio={settings.DEFAULT_REGION}")[2]  # not hers
    assert 'value="voorbeeld-informatieavond"' in page  # its region's own topic is a filter
    assert 'value="voorbeeld-informatieavond"' not in anna.request("GET", "/")[2]
    everything = nina.request("GET", "/")[2]
    assert "SP-00001" in everything and "SP-00002" in everything
    assert "SP-00001" not in nina.request("GET", "/?regio=voorbeeld")[2]  # her filter


CHANGES = [
    ("/toewijzen", {}),
    ("/status", {"status": "afgehandeld"}),
    ("/antwoord", {"text": "x"}),
    ("/notitie", {"text": "x"}),
    ("/tijd", {"minuten": "5"}),
    ("/wissen", {"zeker": "ja"}),
]


def test_another_regions_ticket_cannot_be_read_or_changed_by_guessing_its_number(tenants):
    vera = logged_in(tenants, "vera")
    status, _, page, _ = vera.request("GET", "/tickets/1")
    assert status == 404 and "standaardregio" not in page
    csrf = vera.csrf("/tickets/2")  # her own ticket gives her a valid form token
    for path, form in CHANGES:
        assert vera.request("POST", f"/tickets/1{path}", {**form, "csrf": csrf})[0] == 404, path
    other = tenants["tickets"].get(1)
    assert (other["status"], other["assigned_to"], other["reply"], other["erased_at"]) == (
        "nieuw",
        None,
        None,
        None,
    )
    assert tenants["tickets"].audit_entries(1) == [] and tenants["tickets"].minutes(1) == 0
    assert vera.request("POST", "/tickets/2/notitie", {"text": "eigen regio", "csrf": csrf})[0] == 303


def test_analysts_see_export_and_report_only_their_regions(tenants):
    ali = logged_in(tenants, "ali")
    for path in (
        "/analyse",
        "/analyse/export.csv",
        "/analyse/rapport",
        "/analyse/gesprekken",
        f"/analyse?regio={settings.DEFAULT_REGION}",
        f"/analyse/export.csv?regio={settings.DEFAULT_REGION}",
    ):
        status, _, page, _ = ali.request("GET", path)
        assert status == 200, path
        assert f"vakantiedagen in {settings.DEFAULT_REGION}" not in page, path
        assert "Verhaal uit de standaardregio" not in page and "SP-00001" not in page, path
    assert "vakantiedagen in voorbeeld" in ali.request("GET", "/analyse/export.csv")[2]
    assert "regio voorbeeld" in ali.request("GET", "/analyse/rapport")[2]
    # Deciding on (or downloading) another region's signals by their ids finds nothing.
    theirs = [row["id"] for row in tenants["signals"].rows() if row["region"] == settings.DEFAULT_REGION]
    csrf = ali.csrf("/analyse")
    form = [("csrf", csrf), ("decision", "nieuw_onderwerp"), ("topic", "vakantie")] + [
        ("signal_ids", i) for i in theirs
    ]
    from urllib.parse import urlencode

    assert ali.request_raw("POST", "/analyse/groep", urlencode(form))[0] == 400
    assert ali.request_raw("POST", "/analyse/groep/nlu.yml", urlencode(form))[0] == 400


def test_group_decisions_belong_to_the_regions_of_their_signals(tenants):
    theirs = [row["id"] for row in tenants["signals"].rows() if row["region"] == settings.DEFAULT_REGION]
    tenants["signals"].decide_group(1, "bestaand_onderwerp", "besluit-standaardregio", theirs, "privacy")
    labels = lambda regions: [d["label"] for d in tenants["signals"].for_regions(regions).decisions()]  # noqa: E731
    assert "besluit-standaardregio" not in labels({"voorbeeld"})
    assert "besluit-standaardregio" in labels(
        {settings.DEFAULT_REGION}
    ) and "besluit-standaardregio" in labels(None)
    assert "besluit-standaardregio" not in logged_in(tenants, "ali").request("GET", "/analyse/rapport")[2]


def test_the_cli_names_regions_that_exist_and_changing_them_is_audited(tenants):
    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "staff.cli", *args],
            input=PASSWORD + "\n",
            env=tenants["env"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )

    refused = cli("create-user", "olaf", "--password-stdin", "--region", "bestaat-niet")
    assert refused.returncode == 1 and "onbekende regio" in refused.stderr
    assert cli("set-regions", "anna", "--region", "voorbeeld").returncode == 0
    anna = logged_in(tenants, "anna")
    assert "SP-00002" in anna.request("GET", "/")[2] and anna.request("GET", "/tickets/1")[0] == 404
    assert cli("set-regions", "anna", "--region", settings.DEFAULT_REGION).returncode == 0
    from sqlalchemy import select

    from store.schema import audit_log

    with tenants["tickets"].engine.connect() as connection:
        details = [
            row.detail for row in connection.execute(select(audit_log).where(audit_log.c.action == "regio's"))
        ]
    assert details == ["anna: voorbeeld", f"anna: {settings.DEFAULT_REGION}"]


def test_the_signals_command_exports_and_reports_per_region_or_national(tenants, tmp_path):
    def run(*args):
        done = subprocess.run(
            [sys.executable, "-m", "signals", *args],
            env=tenants["env"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    mine = run("export", "--region", "voorbeeld")
    assert "vakantiedagen in voorbeeld" in mine and f"in {settings.DEFAULT_REGION}" not in mine
    year = str(clock.today().year)
    # The fixture has 3 signals and 1 ticket per region: a region's report counts its own only,
    # the national one both regions'.
    regional = run("report", "--period", year, "--region", "voorbeeld")
    national = run("report", "--period", year)
    assert "Voor: <strong>regio voorbeeld; alle kanalen</strong>" in regional
    assert "3 vragen (3 berichten in totaal)" in regional and "Vragen aangemaakt</dt><dd>1</dd>" in regional
    assert "vakantiedagen in voorbeeld" in regional
    assert f"vakantiedagen in {settings.DEFAULT_REGION}" not in regional
    assert "Voor: <strong>alle regio&#39;s (landelijk); alle kanalen</strong>" in national
    assert "6 vragen (6 berichten in totaal)" in national and "Vragen aangemaakt</dt><dd>2</dd>" in national
    assert (
        "vakantiedagen in voorbeeld" in national and f"vakantiedagen in {settings.DEFAULT_REGION}" in national
    )


# --- pages per region ------------------------------------------------------------------------
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def site():
    with python_module("website", {**os.environ, "PYTHONPATH": str(ROOT)}) as port:
        yield f"http://127.0.0.1:{port}"


def test_each_region_has_its_pages_with_its_own_text_and_links(site):
    status, page = get(site + "/voorbeeld/ouders/tlv-aanvragen")
    assert status == 200 and "Voorbeeldregio" in page and "steunpunt-regional" in page
    assert 'href="/voorbeeld/ouders/tlv-wat-is"' in page and 'href="/ouders/' not in page
    assert 'action="/voorbeeld/zoeken"' in get(site + "/voorbeeld/")[1]
    national = get(site + "/ouders/tlv-aanvragen")[1]
    assert "Voorbeeldregio" not in national and "steunpunt-regional" not in national
    assert EXAMPLE_PHONE in get(site + "/voorbeeld/ouders/steunpunt-contact")[1]
    assert get(site + "/voorbeeld/")[0] == 200 and get(site + "/voorbeeld/zoeken?q=tlv")[0] == 200
    assert get(site + "/bestaat-niet/ouders/tlv-aanvragen")[0] == 404
    assert get(site + "/bestaat-niet/")[0] == 404
    assert get(site + "/demo")[0] == 200 and get(site + "/zoeken?q=tlv")[0] == 200  # still there
