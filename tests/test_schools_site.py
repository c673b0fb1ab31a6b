"""The region's schools on the public site (issue 28, item 3): /<region>/scholen grouped PO, VO
and (V)SO with a filter that needs no JavaScript, a page per school, the links from the school
topics, and region isolation: a region sees only its own directory, and one without a directory
is told so, never shown another region's schools.

The directories are built here in code and saved with `schools.model.save` into a folder of
this module (the site reads it through STEUNPUNT_SCHOOLS_DIR), so these tests do not depend on
the DUO importer or on the example region's data. The region's own SOP links and notes come
from its scholen.yml, as in production."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from schools.model import Directory, School, save
from steunpunt import settings
from tests.support.browser import axe_violations, chromium, needs_browser
from tests.support.servers import python_module, regions_with
from website import schools as school_pages

ROOT = Path(__file__).resolve().parent.parent
IMPORTED_ON = date(2026, 12, 7)
NASTY = 'Het <script>alert("x")</script> & Co'

#: Region `voorbeeld`: two PO, two VO, two (V)SO schools in two places, one with a hostile name.
VOORBEELD = (
    School(
        location="00AA00",
        brin="00AA",
        name="Basisschool De Regenboog (fictief)",
        kind="bao",
        street="Schoolstraat 1",
        postcode="9999 AA",
        place="Amersfoort",
        gemeente="Amersfoort",
        denomination="Openbaar",
        board="Stichting Voorbeeldscholen (fictief)",
        website="www.regenboog.invalid",
    ),
    School(
        location="00BB01",
        brin="00BB",
        name="SBO De Brug (fictief)",
        kind="sbo",
        street="Brugweg 2",
        postcode="9999 AB",
        place="Leusden",
        gemeente="Leusden",
        website="https://brug.invalid/",
    ),
    School(
        location="00CC00",
        brin="00CC",
        name="Voorbeeld College (fictief)",
        kind="vo",
        levels=("vmbo-t", "havo", "vwo"),
        street="Collegelaan 3",
        postcode="9999 AC",
        place="Amersfoort",
        gemeente="Amersfoort",
        website="https://college.invalid",
    ),
    School(
        location="00DD00",
        brin="00DD",
        name="Praktijkschool Het Ambacht (fictief)",
        kind="vo",
        levels=("pro",),
        place="Leusden",
        website="javascript:alert(1)",
    ),
    School(
        location="00EE00",
        brin="00EE",
        name="De Horizon, school voor so en vso (fictief)",
        kind="so/vso",
        street="Horizonpad 5",
        postcode="9999 AE",
        place="Amersfoort",
    ),
    School(location="00FF00", brin="00FF", name=NASTY, kind="vso", place="Leusden"),
)
#: The default region (its pages at /): one school, never on voorbeeld's pages.
STANDAARD = (
    School(
        location="11AA00",
        brin="11AA",
        name="Standaardschool Het Anker (fictief)",
        kind="bao",
        place="Zwolle",
    ),
)
VOORBEELD_EXTRAS = """\
00AA00:
  sop: https://www.regenboog.invalid/sop.pdf
  notitie: Heeft een eigen plusklas.
00EE00:
  sop: https://horizon.invalid/sop
"""


def directory(region: str, schools: Tuple[School, ...]) -> Directory:
    return Directory(region=region, imported_on=IMPORTED_ON, source="DUO", schools=schools)


@pytest.fixture(scope="module")
def assets(tmp_path_factory) -> Path:
    """This checkout's stylesheets, built for this module: build/ is shared by every checkout of
    the machine, so what is there may be another branch's build."""
    out = tmp_path_factory.mktemp("schools-assets")
    built = subprocess.run(
        ["node", "build.mjs"],
        cwd=ROOT / "website" / "assets",
        capture_output=True,
        text=True,
        env={**os.environ, "STEUNPUNT_ASSETS_OUT": str(out)},
        check=False,
    )
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory, assets) -> Iterator[str]:
    """The site with three regions: voorbeeld and the default region with a directory, and
    `oost` (the example region's facts) without one."""
    folder = tmp_path_factory.mktemp("schools-site")
    regions = regions_with(folder, "oost")
    (regions / "voorbeeld" / "scholen.yml").write_text(VOORBEELD_EXTRAS, encoding="utf-8")
    (regions / "oost" / "scholen.yml").unlink(missing_ok=True)
    schools_dir = folder / "schools"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "SCHOOLS_DIR", schools_dir)
        save(directory("voorbeeld", VOORBEELD))
        save(directory(settings.DEFAULT_REGION, STANDAARD))
    assert not (schools_dir / "oost.json").exists()
    env = {
        **os.environ,
        "STEUNPUNT_SCHOOLS_DIR": str(schools_dir),
        "STEUNPUNT_REGIONS_DIR": str(regions),
        "STEUNPUNT_SITE_ASSETS_DIR": str(assets),
    }
    with python_module("website", env) as port:
        yield f"http://127.0.0.1:{port}"


def get(url: str) -> Tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def main(html: str) -> str:
    return html.split('<main id="inhoud"', 1)[1].split("</main>", 1)[0]


def sections(html: str) -> Dict[str, str]:
    """Group name -> its section's HTML, in page order."""
    found = re.findall(r'<section aria-labelledby="[^"]+" data-group="([^"]+)">(.*?)</section>', html, re.S)
    return dict(found)


def listed(html: str) -> List[str]:
    return re.findall(r'<li class="steunpunt-school" data-location="([^"]+)"', html)


def entry(html: str, location: str) -> str:
    """One school's entry in the list (up to the next school's)."""
    return html.split(f'data-location="{location}"', 1)[1].split('<li class="steunpunt-school"', 1)[0]


def count(html: str) -> int:
    found = re.search(r'role="status" data-count="(\d+)"', html)
    assert found, "no count on the page"
    return int(found.group(1))


# --- the list -----------------------------------------------------------------------------------
def test_the_list_groups_the_schools_po_vo_and_vso_with_address_type_and_links(site):
    status, html = get(site + "/voorbeeld/scholen")
    assert status == 200
    groups = sections(html)
    assert list(groups) == ["PO", "VO", "(V)SO"]
    assert listed(groups["PO"]) == ["00AA00", "00BB01"]
    assert listed(groups["VO"]) == ["00CC00", "00DD00"]
    assert listed(groups["(V)SO"]) == ["00EE00", "00FF00"]
    assert re.search(r'<h2 class="utrecht-heading-2" id="[^"]+">PO: basisonderwijs</h2>', groups["PO"])
    assert count(html) == 6 and "6 scholen in de regio" in html
    regenboog = entry(groups["PO"], "00AA00")
    assert 'href="/voorbeeld/scholen/00aa00">Basisschool De Regenboog (fictief)</a>' in regenboog
    assert "basisschool<br>Schoolstraat 1, 9999 AA Amersfoort" in regenboog
    assert 'href="https://www.regenboog.invalid">Website</a>' in regenboog
    assert 'href="https://www.regenboog.invalid/sop.pdf">Schoolondersteuningsprofiel</a>' in regenboog
    assert "speciaal basisonderwijs" in groups["PO"]
    assert "voortgezet onderwijs: vmbo-t, havo, vwo" in groups["VO"]
    assert "voortgezet onderwijs: praktijkonderwijs" in groups["VO"]
    assert "speciaal onderwijs en voortgezet speciaal onderwijs" in groups["(V)SO"]
    assert "Gegevens: DUO, ingelezen op 7 december 2026" in html
    assert "Het steunpunt geeft geen oordeel over scholen" in html
    assert "Toon alle scholen" not in html  # nothing to clear


def test_a_website_that_is_not_a_web_address_is_no_link(site):
    _, html = get(site + "/voorbeeld/scholen")
    ambacht = entry(html, "00DD00")
    assert "javascript:" not in html and "Website" not in ambacht
    assert school_pages.web_link("www.school.invalid") == "https://www.school.invalid"
    assert school_pages.web_link("HTTP://school.invalid/x") == "HTTP://school.invalid/x"
    for bad in ("javascript:alert(1)", "mailto:a@b.nl", "data:text/html,x", "https://a b", "", "//evil"):
        assert school_pages.web_link(bad) == "", bad


@pytest.mark.parametrize(
    "query, expected",
    [
        ("plaats=Amersfoort", ["00AA00", "00CC00", "00EE00"]),
        ("plaats=amersfoort", ["00AA00", "00CC00", "00EE00"]),  # as typed in an address bar
        ("soort=vo", ["00CC00", "00DD00"]),
        ("soort=havo", ["00CC00"]),
        ("soort=sbo", ["00BB01"]),
        ("soort=vso", ["00EE00", "00FF00"]),  # a school with so and vso counts as both
        ("soort=vso-so", ["00EE00", "00FF00"]),
        ("plaats=Leusden&soort=vo", ["00DD00"]),
        ("plaats=Leusden&soort=bao", []),
    ],
)
def test_the_filter_by_place_and_type_is_a_plain_get_form(site, query, expected):
    status, html = get(f"{site}/voorbeeld/scholen?{query}")
    assert status == 200
    assert sorted(listed(html)) == expected
    assert count(html) == len(expected)
    assert 'href="/voorbeeld/scholen">Toon alle scholen</a>' in html
    place = urllib.parse.parse_qs(query).get("plaats", [""])[0].title()
    if place:
        assert f'<option value="{place}" selected>' in html
        assert f" in {place}" in html
    if not expected:
        assert "Kies een andere plaats of soort school" in html


def test_the_filter_form_needs_no_javascript_and_offers_only_types_the_region_has(site):
    _, html = get(site + "/voorbeeld/scholen")
    form = html.split('<form class="steunpunt-school-filter"', 1)[1].split("</form>")[0]
    assert 'action="/voorbeeld/scholen" method="get"' in form and "<script" not in html
    assert '<label class="utrecht-form-label" for="plaats">' in form and 'name="plaats"' in form
    assert '<label class="utrecht-form-label" for="soort">' in form and 'name="soort"' in form
    places = re.findall(r'<option value="([^"]*)"', form.split('name="soort"')[0])
    assert places == ["", "Amersfoort", "Leusden"]
    kinds = re.findall(r'<option value="([^"]*)"', form.split('name="soort"')[1])
    assert {"po", "bao", "sbo", "vo", "pro", "havo", "vso-so", "so", "vso"} <= set(kinds)


@pytest.mark.parametrize("query", ["soort=kat", "soort=" + "x" * 5000, "plaats=", "soort=%3Cb%3E"])
def test_an_unknown_filter_value_filters_on_nothing(site, query):
    status, html = get(f"{site}/voorbeeld/scholen?{query}")
    assert status == 200 and count(html) == len(VOORBEELD) and "<b>" not in main(html)


def test_a_place_without_schools_is_said_and_escaped(site):
    asked = "Utrecht<img src=x>\u202e"
    status, html = get(f"{site}/voorbeeld/scholen?plaats={urllib.parse.quote(asked)}")
    assert status == 200
    assert "In ‘Utrecht&lt;img src=x&gt;’ staan geen scholen in deze lijst" in html
    assert "<img src=x>" not in html and "\u202e" not in html
    assert count(html) == len(VOORBEELD)  # the whole list below, not a guess at a place


# --- a school's page ---------------------------------------------------------------------------
def test_a_school_page_shows_every_field_the_note_and_the_links(site):
    status, html = get(site + "/voorbeeld/scholen/00aa00")
    assert status == 200
    page = main(html)
    assert '<h1 class="utrecht-heading-1">Basisschool De Regenboog (fictief)</h1>' in page
    for key, value in [
        ("Soort school", "basisschool"),
        ("Adres", "Schoolstraat 1, 9999 AA Amersfoort"),
        ("Gemeente", "Amersfoort"),
        ("Richting", "Openbaar"),
        ("Schoolbestuur", "Stichting Voorbeeldscholen (fictief)"),
        ("Vestigingscode (BRIN)", "00AA00"),
    ]:
        assert re.search(f"<dt[^>]*>{re.escape(key)}</dt><dd[^>]*>{re.escape(value)}</dd>", page), key
    assert 'href="https://www.regenboog.invalid">Website van de school</a>' in page
    assert 'href="https://www.regenboog.invalid/sop.pdf">Schoolondersteuningsprofiel</a>' in page
    assert "Heeft een eigen plusklas." in page
    assert "Gegevens: DUO, ingelezen op 7 december 2026" in page
    assert 'href="/voorbeeld/scholen">' in page


def test_a_school_without_sop_says_to_ask_the_school(site):
    _, html = get(site + "/voorbeeld/scholen/00cc00")
    assert "voortgezet onderwijs: vmbo-t, havo, vwo" in html
    assert "Dit hebben wij nog niet. Vraag het aan de school" in html and "/sop" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/voorbeeld/scholen/99zz99",
        "/voorbeeld/scholen/00AA00",  # the page's address is the lower-case code
        "/voorbeeld/scholen/" + "a" * 40,
        "/voorbeeld/scholen/%3Cscript%3E",
        "/bestaat-niet/scholen",
        "/bestaat-niet/scholen/00aa00",
    ],
)
def test_an_unknown_school_or_region_is_the_sites_404(site, path):
    status, html = get(site + path)
    assert status == 404 and "Pagina niet gevonden" in html


# --- regions -----------------------------------------------------------------------------------
def test_a_region_sees_only_its_own_schools(site):
    _, example = get(site + "/voorbeeld/scholen")
    _, default = get(site + "/scholen")
    assert listed(default) == ["11AA00"] and "Het Anker" in default
    assert "Het Anker" not in example and "11AA00" not in example
    assert not any(s.name.split(" (")[0] in default for s in VOORBEELD)
    assert get(site + "/scholen/11aa00")[0] == 200
    assert get(site + "/voorbeeld/scholen/11aa00")[0] == 404  # another region's school
    assert get(site + "/scholen/00aa00")[0] == 404
    assert 'href="/scholen/11aa00"' in default  # the default region's pages live at /


def test_a_region_without_a_directory_says_so_and_shows_no_other_regions_schools(site):
    status, html = get(site + "/oost/scholen")
    assert status == 200
    page = main(html)
    assert "Voor deze regio is er nog geen lijst met scholen" in page
    assert 'href="/oost/ouders/schoolkeuze"' in page
    assert "steunpunt-school" not in page and "<form" not in page
    for school in VOORBEELD + STANDAARD:
        assert school.location not in page and school.location.lower() not in page
    assert get(site + "/oost/scholen/00aa00")[0] == 404
    assert get(site + "/oost/scholen/11aa00")[0] == 404


# --- links from the topic pages and the index --------------------------------------------------
@pytest.mark.parametrize("topic", sorted(school_pages.SCHOOL_TOPICS))
def test_the_school_topics_link_the_list_only_where_the_region_has_one(site, topic):
    link = 'href="/voorbeeld/scholen">Scholen in deze regio</a>'
    status, html = get(f"{site}/voorbeeld/ouders/{topic}")
    assert status == 200 and link in html
    status, html = get(f"{site}/oost/ouders/{topic}")
    assert status == 200 and "Scholen in deze regio" not in html and 'href="/oost/scholen"' not in html
    status, html = get(f"{site}/ouders/{topic}")
    assert status == 200 and 'href="/scholen">Scholen in deze regio</a>' in html


def test_other_topics_do_not_link_the_list_and_the_index_does_where_there_is_one(site):
    _, html = get(site + "/voorbeeld/ouders/tlv-wat-is")
    assert "Scholen in deze regio" not in html
    _, html = get(site + "/voorbeeld/")
    assert 'href="/voorbeeld/scholen">Scholen in deze regio</a>' in html
    _, html = get(site + "/oost/")
    assert "Scholen in deze regio" not in html


def test_the_school_topics_exist_for_parents():
    """SCHOOL_TOPICS names real topics: a renamed topic would silently lose its link."""
    from library import ContentLibrary

    topics = ContentLibrary().topics()
    assert set(topics) >= school_pages.SCHOOL_TOPICS


# --- escaping ----------------------------------------------------------------------------------
def test_a_school_name_with_markup_stays_text(site):
    _, listing = get(site + "/voorbeeld/scholen")
    status, page = get(site + "/voorbeeld/scholen/00ff00")
    assert status == 200
    escaped = "Het &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"
    for html in (listing, page):
        assert "<script>alert" not in html and escaped in html
    assert f"<title>{escaped} | " in page


# --- pure helpers ------------------------------------------------------------------------------
def test_types_in_words():
    words = {s.location: school_pages.kind_words(s) for s in VOORBEELD}
    assert words == {
        "00AA00": "basisschool",
        "00BB01": "speciaal basisonderwijs",
        "00CC00": "voortgezet onderwijs: vmbo-t, havo, vwo",
        "00DD00": "voortgezet onderwijs: praktijkonderwijs",
        "00EE00": "speciaal onderwijs en voortgezet speciaal onderwijs",
        "00FF00": "voortgezet speciaal onderwijs",
    }
    assert school_pages.address(VOORBEELD[3]) == "Leusden"
    assert school_pages.count_text(1) == "1 school" and school_pages.count_text(0) == "0 scholen"


# --- in a browser: axe and print ---------------------------------------------------------------
PAGES = [
    "/voorbeeld/scholen",
    "/voorbeeld/scholen?plaats=Amersfoort&soort=vo",
    "/voorbeeld/scholen?plaats=Nergens",
    "/voorbeeld/scholen/00aa00",
    "/voorbeeld/scholen/00ff00",
    "/oost/scholen",
    "/voorbeeld/ouders/schoolkeuze",
]


@contextlib.contextmanager
def browser(width: int) -> Iterator:
    driver = chromium(width, 800)
    try:
        yield driver
    finally:
        driver.quit()


@needs_browser
@pytest.mark.parametrize("width", [320, 1280])
def test_axe_finds_no_wcag_a_or_aa_violations_on_the_school_pages(site, width):
    from selenium.webdriver.common.by import By

    with browser(width) as driver:
        for path in PAGES:
            driver.get(site + path)
            assert driver.find_element(By.TAG_NAME, "h1").text, path
            violations = axe_violations(driver)
            assert violations == [], path + "\n" + json.dumps(violations, indent=1, ensure_ascii=False)
            assert driver.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"
            ), path


@needs_browser
def test_the_scan_of_the_school_list_can_fail(site):
    with browser(1280) as driver:
        driver.get(site + "/voorbeeld/scholen")
        driver.execute_script("document.querySelector('#plaats').removeAttribute('id')")
        assert "select-name" in [violation["id"] for violation in axe_violations(driver)]


@needs_browser
def test_the_list_prints_without_the_filter_and_with_web_addresses(site):
    from selenium.webdriver.common.by import By

    with browser(1280) as driver:
        driver.get(site + "/voorbeeld/scholen")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert not driver.find_element(By.CSS_SELECTOR, ".steunpunt-school-filter").is_displayed()
        after = driver.execute_script(
            "return getComputedStyle(document.querySelector("
            "'.steunpunt-school a[href$=\"sop.pdf\"]'), '::after').content"
        )
        assert "https://www.regenboog.invalid/sop.pdf" in after


def test_the_site_stylesheet_has_the_school_pages_components(site):
    """The list's form fields and a school's data list are NL Design System components: the
    site.css the site serves must carry them (a page with unstyled selects still passes axe)."""
    css = get(site + "/site.css")[1]
    for name in (".utrecht-select", ".utrecht-form-field", ".utrecht-data-list", ".steunpunt-school-filter"):
        assert name in css, name
