"""The public site (website/): content pages by phase and audience, search, the being-checked
rule, the embed script and its size budget, and the one rendering shared with the bot."""

import contextlib
import gzip
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import OVERDUE, REVIEWED_ON, TODAY, topic_text

from actions.replies import answer
from library import PHASES, ContentError, ContentLibrary, answer_payload, blocks_text, text_blocks
from library.parse import parse_topic
from steunpunt import settings
from steunpunt.clock import dutch_date
from tests.support.content import looked_up
from tests.support.servers import python_module
from website import pages

ROOT = Path(__file__).resolve().parent.parent


# --- content front matter: phases and related topics -----------------------------------------
def test_every_real_topic_names_its_phases_and_two_to_four_related_topics():
    library = ContentLibrary()
    topics = library.topics()
    assert library.errors() == {}
    for topic in topics.values():
        assert topic.phases and set(topic.phases) <= set(PHASES), topic.id
        assert 2 <= len(topic.related) <= 4 and topic.id not in topic.related, topic.id
        assert all(other in topics for other in topic.related), topic.id


@pytest.mark.parametrize(
    "pair",
    [
        ("tlv-wat-is", "tlv-geldigheid"),
        ("tlv-wat-is", "tlv-bezwaar"),
        ("tlv-geldigheid", "tlv-bezwaar"),
        ("opp-wat-is", "opp-instemming"),
        ("mdo-wat-is", "mdo-voorbereiden"),
        ("school-weigert", "tlv-bezwaar"),
    ],
)
def test_sibling_topics_the_model_confuses_link_each_other_both_ways(pair):
    topics = ContentLibrary().topics()
    first, second = pair
    assert second in topics[first].related and first in topics[second].related


@pytest.mark.parametrize(
    "front, message",
    [
        ("phases: [po, mbo]", "phases"),
        ("phases: []", "phases"),
        ("phases: po", "lijst"),
        ("phases: [po]\nrelated: [a]", "2 tot 4"),
        ("phases: [po]\nrelated: [a, b, c, d, e]", "2 tot 4"),
        ("phases: [po]\nrelated: [x, x]", "twee keer"),
        ("phases: [po]\nrelated: [x, b]", "zelf"),
    ],
)
def test_the_validator_refuses_wrong_phases_and_related(front, message):
    text = topic_text("x").replace("phases: [po, vo]", front)
    with pytest.raises(ContentError, match=message):
        parse_topic(text, "x", {}, TODAY)


def test_a_related_topic_that_does_not_exist_is_reported_and_not_served(content_dir):
    topics_dir, facts = content_dir
    (topics_dir / "a.md").write_text(topic_text("a", related="[b, bestaat-niet]"))
    (topics_dir / "b.md").write_text(topic_text("b", related="[a, c]"))
    (topics_dir / "c.md").write_text(topic_text("c"))
    library = ContentLibrary(topics_dir, facts, today=lambda: TODAY, recheck_seconds=0)
    assert "bestaat-niet" in library.errors()["a.md"]
    assert set(library.topics()) == {"b", "c"}
    assert [t.id for t in library.related(looked_up(library, "b"))] == ["c"]  # a is not served


# --- one rendering for bot, widget and pages ---------------------------------------------------
def test_text_blocks_keep_paragraphs_and_lists_and_give_the_same_text_back():
    text = "Eerste alinea\nloopt door.\n\n- een\n- twee\n\nSlot."
    blocks = text_blocks(text)
    assert blocks == [
        {"type": "paragraph", "text": "Eerste alinea loopt door."},
        {"type": "list", "items": ["een", "twee"]},
        {"type": "paragraph", "text": "Slot."},
    ]
    assert blocks_text(blocks) == "Eerste alinea loopt door.\n\n- een\n- twee\n\nSlot."


def test_the_bot_answer_and_its_payload_come_from_the_same_blocks(content_dir):
    topics_dir, facts = content_dir
    (topics_dir / "a.md").write_text(topic_text("a", "Eén.\n\n- lijst", related="[b, c]"))
    for other in "bc":
        (topics_dir / f"{other}.md").write_text(topic_text(other))
    library = ContentLibrary(topics_dir, facts, today=lambda: TODAY, recheck_seconds=0)
    topic = looked_up(library, "a")
    message = answer(topic, "ouder", library.related(topic))
    payload = message["json_message"]
    assert payload == answer_payload(topic, "ouder", library.related(topic))
    assert message["text"].startswith(blocks_text(payload["blocks"]))
    assert payload["related"] == ["b", "c"]
    assert [b["payload"] for b in message["buttons"]] == ["/info_b", "/info_c"]


def test_the_review_date_is_written_in_dutch_on_the_server_for_bot_page_and_widget(content_dir):
    """The widget had a month list of its own beside steunpunt/clock.py's: the payload carries
    the date as readers see it (`dutch_date`), and the widget shows that text."""
    topics_dir, facts = content_dir
    (topics_dir / "a.md").write_text(topic_text("a"))
    library = ContentLibrary(topics_dir, facts, today=lambda: TODAY, recheck_seconds=0)
    topic = looked_up(library, "a")
    payload = answer_payload(topic, "ouder")
    assert payload["reviewed_on"] == REVIEWED_ON.isoformat()
    assert payload["reviewed_on_text"] == dutch_date(REVIEWED_ON)
    assert f"Gecontroleerd op {payload['reviewed_on_text']}." in answer(topic, "ouder")["text"]
    widget = (ROOT / "website" / "assets" / "src" / "widget.js").read_text()
    assert "custom.reviewed_on_text" in widget and "januari" not in widget


# --- grouping and search (pure) ----------------------------------------------------------------
def test_every_topic_is_listed_under_each_of_its_phases_and_no_other():
    topics = list(ContentLibrary().topics().values())
    groups = pages.by_phase(topics)
    assert [g.phase for g in groups] == list(PHASES)
    for topic in topics:
        listed = {g.phase for g in groups if topic in g.topics}
        assert listed == set(topic.phases), topic.id


def test_search_finds_words_in_titles_and_texts_ignoring_case_and_accents():
    topics = list(ContentLibrary().topics().values())
    found = [t.id for t in pages.search(topics, "TLV bezwaar", "ouder")]
    assert found and found[0] == "tlv-bezwaar"
    assert "overstap-po-vo" in [t.id for t in pages.search(topics, "middelbare", "ouder")]
    assert pages.search(topics, "EEN", "ouder") == pages.search(topics, "één", "ouder") != []
    assert pages.search(topics, "   ", "ouder") == [] and pages.search(topics, "qqqzzz", "ouder") == []


# --- the running site --------------------------------------------------------------------------
@contextlib.contextmanager
def site(env):
    with python_module("website", env) as port:
        yield f"http://127.0.0.1:{port}"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode()


@pytest.fixture(scope="module")
def site_with_content(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site-content")
    topics = folder / "topics"
    topics.mkdir()
    (topics / "tlv-wat-is.md").write_text(
        topic_text(
            "tlv-wat-is",
            "Een TLV is een besluit.\n\n- punt een\n- punt <twee>",
            youth="Een TLV is voor jou.",
            phases="[po, po-vo, vo]",
            related="[overstap, oud]",
        )
    )
    (topics / "overstap.md").write_text(
        topic_text("overstap", "Naar de middelbare school.", phases="[po-vo]")
    )
    (topics / "oud.md").write_text(topic_text("oud", "Verouderde tekst.", review_by=OVERDUE))
    (folder / "regio.yml").write_text('steunpunt_telefoon: "[telefoonnummer]"\nsteunpunt_email: "[e-mail]"\n')
    env = {
        **os.environ,
        "STEUNPUNT_CONTENT_DIR": str(topics),
        "STEUNPUNT_REGIO_FILE": str(folder / "regio.yml"),
    }
    with site(env) as base:
        yield base


def test_the_index_groups_topics_by_phase_and_audience(site_with_content):
    status, headers, html = get(site_with_content + "/")
    assert status == 200 and '<html lang="nl"' in html
    for audience in ("ouder", "jongere"):
        assert f'data-phase="po-vo" data-audience="{audience}"' in html
    parents_vo = html.split('data-phase="vo" data-audience="ouder"')[1].split("</ul>")[0]
    assert "/ouders/tlv-wat-is" in parents_vo and "/ouders/overstap" not in parents_vo
    youth = html.split('id="kop-jongeren"')[1]
    assert "/jongeren/tlv-wat-is" in youth and "/jongeren/overstap" not in youth  # no youth text
    assert "'self'" in headers["content-security-policy"] and "*" not in headers["content-security-policy"]


def test_a_topic_page_shows_the_answer_sources_date_and_related_escaped(site_with_content):
    status, _, html = get(site_with_content + "/ouders/tlv-wat-is")
    assert status == 200
    assert '<li class="utrecht-unordered-list__item">punt &lt;twee&gt;</li>' in html
    assert 'href="https://www.rijksoverheid.nl/onderwerpen/passend-onderwijs"' in html
    assert f"Gecontroleerd op {dutch_date(REVIEWED_ON)}" in html
    assert 'href="/ouders/overstap"' in html and "/ouders/oud" in html
    status, _, youth = get(site_with_content + "/jongeren/tlv-wat-is")
    assert status == 200 and "Een TLV is voor jou." in youth and "Een TLV is een besluit" not in youth


def test_a_topic_past_its_review_date_shows_it_is_being_checked(site_with_content):
    status, _, html = get(site_with_content + "/ouders/oud")
    assert status == 200 and "wordt op dit moment gecontroleerd" in html
    assert "Verouderde tekst" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/ouders/bestaat-niet",
        "/jongeren/overstap",
        "/anders/tlv-wat-is",
        "/ouders/" + "x" * 300,
        "/ouders/%00",
    ],
)
def test_unknown_pages_are_a_friendly_404(site_with_content, path):
    status, _, html = get(site_with_content + path)
    assert status == 404 and "Pagina niet gevonden" in html


@pytest.mark.parametrize(
    "query", ["tlv", "TLV besluit", "<script>alert(1)</script>", "\u0000\u0001", "a" * 5000, "مدرسة"]
)
def test_search_works_without_javascript_and_survives_odd_input(site_with_content, query):
    status, _, html = get(site_with_content + "/zoeken?q=" + urllib.parse.quote(query))
    assert status == 200 and "<script>alert" not in html
    if query.lower().startswith("tlv"):
        assert "/ouders/tlv-wat-is" in html and "uitleg voor jongeren" in html


def test_every_route_of_the_public_site_is_get_or_head():
    """The site has no session and no CSRF token: its forms (search) are GET. A POST, PUT or
    DELETE route added later must come with CSRF protection like the staff app's (staff/web.py,
    checked for every POST route in tests/test_staff_web.py); read from the app itself, so a
    route added later is checked too."""
    import uuid

    from website.app import create_app

    routes = create_app(name=f"routes_{uuid.uuid4().hex}").router.routes
    assert len(routes) >= 10 and "zoeken" in {route.path for route in routes}
    assert [(route.path, sorted(route.methods)) for route in routes if route.methods - {"GET", "HEAD"}] == []


def served_bytes(url):
    """The body exactly as served (no compression asked for)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers.get("Content-Encoding") in (None, "identity")
        return response.read()


#: The widget's budget: widget.js and the widget.css it loads, each gzipped, together.
WIDGET_BUDGET_BYTES = 60 * 1024


def test_widget_and_styles_are_served_from_the_site_within_the_size_budget(site_with_content):
    status, headers, script = get(site_with_content + "/widget.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert "session_request" in script and "sessionStorage" in script and "localStorage" not in script
    assert get(site_with_content + "/widget.css")[0] == 200
    # What a visitor downloads, not what the build says it wrote.
    served = {name: served_bytes(f"{site_with_content}/{name}") for name in ("widget.js", "widget.css")}
    assert served["widget.js"].decode() == script
    gzipped = sum(len(gzip.compress(body, compresslevel=9)) for body in served.values())
    assert gzipped <= WIDGET_BUDGET_BYTES, gzipped
    status, _, demo = get(site_with_content + "/demo")
    assert status == 200 and 'src="/widget.js"' in demo and "fictief" in demo.lower()


def test_nothing_is_loaded_from_a_third_party_host():
    built = "".join(path.read_text() for path in settings.SITE_ASSETS_DIR.glob("*.css"))
    templates = "".join(path.read_text() for path in (ROOT / "website" / "templates").glob("*.html"))
    for text in (built, templates):
        assert "@import url(" not in text and "//fonts." not in text and "cdn" not in text.lower()


def test_the_demo_page_passes_only_valid_audience_and_region_to_the_widget(site_with_content):
    _, _, html = get(site_with_content + "/demo?doelgroep=jongere&regio=voorbeeld")
    assert 'data-audience="jongere"' in html and 'data-region="voorbeeld"' in html
    _, _, html = get(site_with_content + "/demo?doelgroep=kat&regio=" + urllib.parse.quote("<x>\n"))
    assert "data-audience" not in html and "data-region" not in html


def test_a_house_style_is_a_token_theme_built_into_the_widget(tmp_path):
    """A samenwerkingsverband's colours go in a CSS file of design tokens; the build keeps the
    tokens the widget uses and stays within its size budget."""
    theme = tmp_path / "huisstijl.css"
    theme.write_text(
        ".huisstijl { --basis-color-action-1-inverse-bg-default: #0b4f6c; --niet-gebruikt: 1px; }"
    )
    built = subprocess.run(
        ["node", "build.mjs"],
        cwd=ROOT / "website" / "assets",
        capture_output=True,
        text=True,
        env={**os.environ, "STEUNPUNT_ASSETS_OUT": str(tmp_path / "out"), "STEUNPUNT_THEME_CSS": str(theme)},
        check=False,
    )
    assert built.returncode == 0, built.stderr
    css = (tmp_path / "out" / "widget.css").read_text()
    assert "--basis-color-action-1-inverse-bg-default:#0b4f6c" in css.replace(" ", "")
    assert "--niet-gebruikt" not in css
    bundles = [(tmp_path / "out" / name).read_bytes() for name in ("widget.js", "widget.css")]
    assert sum(len(gzip.compress(body, compresslevel=9)) for body in bundles) <= WIDGET_BUDGET_BYTES


def test_the_site_name_and_logo_are_settings(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    env = {**os.environ, "STEUNPUNT_SITE_NAME": "Steunpunt Voorbeeld", "STEUNPUNT_SITE_LOGO": str(logo)}
    with site(env) as base:
        _, _, html = get(base + "/")
        assert "<title>Informatie over passend onderwijs | Steunpunt Voorbeeld</title>" in html
        assert '<img class="steunpunt-logo" src="/logo"' in html
        assert get(base + "/logo")[0] == 200


def test_search_neither_shows_nor_searches_control_and_bidi_characters(site_with_content):
    """A right-to-left override in a query turned the echoed text around on the page."""
    query = "\u202etlv\u2066 be\u200bsluit\u0007\u2028"
    status, _, html = get(site_with_content + "/zoeken?q=" + urllib.parse.quote(query))
    assert status == 200 and "/ouders/tlv-wat-is" in html and "‘tlv besluit’" in html
    for character in "\u202e\u2066\u200b\u0007\u2028":
        assert character not in html, hex(ord(character))
    assert pages.clean_query("a\tb\r\nc\u00ad\ufeff\u202ad") == "a b cd"
    assert pages.clean_query("  مدرسة\u200f  ") == "مدرسة" and pages.clean_query("\x00\x01") == ""
