"""Redactie (issue 26): editors write, check and publish the texts in the staff app.

Unit tests of the checks (library/editing.py) and the versions with four eyes
(store/content_versions.py) on a fixed clock, then the pages over real HTTP against `python -m
staff` on a temporary copy of the content: save, offer, approve by another editor, the file and
a ContentLibrary on it show the new text, history and restore, region separation."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, TODAY
from sqlalchemy import select
from test_staff_web import PASSWORD, Browser, create_account, staff_env, staff_server

from library import ContentLibrary
from library.editing import Fields, check, fields_from_text, text_from_fields, write_atomically
from steunpunt import clock
from store import db
from store.accounts import Accounts
from store.content_versions import PUBLISHED, RETURNED, ContentVersions, ReviewError
from store.schema import audit_log

T0 = datetime(2026, 12, 7, 10, 0)
NEW_SENTENCE = "Een TLV vraag je samen met de school aan."


def content_copy(folder: Path) -> Path:
    """A copy of content/ (topics, regio.yml, regions) to edit."""
    target = folder / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def national_fields(topic_id="tlv-wat-is") -> Fields:
    return fields_from_text((ROOT / "content" / "topics" / f"{topic_id}.md").read_text(), topic_id)


@pytest.fixture(scope="module")
def library():
    return ContentLibrary()


def checked(fields, library, region=None):
    return check(fields, library.facts(region), TODAY, set(library.topics(region)), region=region)


# --- checks -------------------------------------------------------------------------------
def test_an_unchanged_topic_passes_and_its_file_round_trips(library):
    fields = national_fields()
    result = checked(fields, library)
    assert result.ok, result.errors
    assert fields_from_text(text_from_fields(fields), fields.id) == fields


@pytest.mark.parametrize(
    "change, field, words",
    [
        (lambda f: f.texts.update(ouders="Hallo <script>alert(1)</script>."), "ouders", "HTML"),
        (lambda f: f.texts.update(ouders="Bel {onbekend} gerust."), "ouders", "plaatshouder"),
        (lambda f: f.texts.update(ouders="Kijk op https://example.org voor meer."), "ouders", "links"),
        (lambda f: f.texts.update(ouders=""), "ouders", "verplicht"),
        (lambda f: f.texts.update(ouders="x" * 9000), "ouders", "langer dan"),
        (lambda f: setattr(f, "sources", [("Blog", "https://example.org/tlv")]), "sources", "officiële"),
        (lambda f: setattr(f, "sources", [("Rijk", "http://www.rijksoverheid.nl/a")]), "sources", "https"),
        (lambda f: setattr(f, "related", "tlv-aanvragen, bestaat-niet"), "related", "bestaat-niet"),
        (lambda f: setattr(f, "phases", []), "phases", "fase"),
        (lambda f: setattr(f, "review_by", "morgen"), "review_by", "datum"),
        (lambda f: setattr(f, "reviewed_on", "2099-01-01"), "reviewed_on", "toekomst"),
        (lambda f: setattr(f, "label", "x" * 41), "label", "40"),
    ],
)
def test_a_wrong_field_is_refused_with_the_message_next_to_that_field(library, change, field, words):
    fields = national_fields()
    change(fields)
    result = checked(fields, library)
    assert not result.ok and field in result.errors, result.errors
    assert words.lower() in " ".join(result.errors[field]).lower()


def test_long_sentences_and_hard_words_are_warnings_not_errors(library):
    fields = national_fields()
    fields.texts["ouders"] = (
        "Het samenwerkingsverband stelt het ondersteuningsplan vast na instemming van de "
        "ondersteuningsplanraad en na overleg met de gemeenten in de regio over de jeugdhulp."
    )
    result = checked(fields, library)
    assert result.ok, result.errors
    shown = " ".join(result.warnings["ouders"])
    assert "langer dan 15 woorden" in shown and "Flesch-Douma" in shown


def test_a_region_may_cite_its_own_site_the_national_text_may_not(library):
    region = "voorbeeld"
    own = library.facts(region)["swv_website"]
    fields = national_fields()
    fields.sources = [("Ondersteuningsplan", own.rstrip("/") + "/plan")]
    assert checked(fields, library, region=region).ok
    assert "sources" in checked(fields, library).errors


def test_a_file_is_written_whole_or_not_at_all(tmp_path):
    path = tmp_path / "teksten" / "a.md"
    write_atomically(path, "een")
    write_atomically(path, "twee")
    assert path.read_text() == "twee" and [p.name for p in path.parent.iterdir()] == ["a.md"]


# --- versions and four eyes -----------------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    db.migrate(url)
    engine = db.engine_for(url)
    accounts = Accounts(engine)
    ids = {name: accounts.create(name, PASSWORD, "redacteur") for name in ("anna", "bert")}
    with clock.frozen(T0):
        yield ContentVersions(engine), ids


def test_four_eyes_the_author_offers_another_editor_approves(store):
    versions, ids = store
    versions.record_file("standaard", "tlv-wat-is", "topic", "oud")
    draft = versions.save_concept("standaard", "tlv-wat-is", "topic", "nieuw", ids["anna"], "korter")
    with pytest.raises(ReviewError):
        versions.offer("standaard", "tlv-wat-is", draft.id, ids["bert"])  # not the author
    versions.offer("standaard", "tlv-wat-is", draft.id, ids["anna"])
    with pytest.raises(ReviewError, match="eigen tekst"):
        versions.approve("standaard", "tlv-wat-is", draft.id, ids["anna"])
    done = versions.approve("standaard", "tlv-wat-is", draft.id, ids["bert"])
    assert done.status == PUBLISHED and done.reviewer == "bert" and done.author == "anna"
    assert done.reviewed_at == T0 and done.remark == "korter"
    with pytest.raises(ReviewError):  # once only
        versions.approve("standaard", "tlv-wat-is", draft.id, ids["bert"])
    assert [v.status for v in versions.history("standaard", "tlv-wat-is")] == [PUBLISHED, PUBLISHED]
    with versions.engine.connect() as connection:
        actions = [row.action for row in connection.execute(select(audit_log.c.action))]
    assert {"tekst opgeslagen", "tekst ter controle", "tekst gepubliceerd"} <= set(actions)


def test_sending_back_needs_a_remark_and_restoring_is_reviewed_again(store):
    versions, ids = store
    first = versions.record_file("standaard", "mdo-wat-is", "topic", "eerste")
    draft = versions.save_concept("standaard", "mdo-wat-is", "topic", "tweede", ids["anna"])
    versions.offer("standaard", "mdo-wat-is", draft.id, ids["anna"])
    with pytest.raises(ReviewError, match="waarom"):
        versions.send_back("standaard", "mdo-wat-is", draft.id, ids["bert"], " ")
    back = versions.send_back("standaard", "mdo-wat-is", draft.id, ids["bert"], "te lang")
    assert back.status == RETURNED and back.remark == "te lang"
    restored = versions.restore("standaard", "mdo-wat-is", first.id, ids["anna"])
    assert (
        restored.text == "eerste" and restored.restored_from == first.id and restored.status == "ter controle"
    )
    with pytest.raises(ReviewError):
        versions.approve("standaard", "mdo-wat-is", restored.id, ids["anna"])
    assert versions.approve("standaard", "mdo-wat-is", restored.id, ids["bert"]).status == PUBLISHED


def test_a_version_is_only_found_under_its_own_region_and_topic(store):
    versions, ids = store
    draft = versions.save_concept("voorbeeld", "tlv-aanvragen", "topic", "regio", ids["anna"])
    with pytest.raises(KeyError):
        versions.get("standaard", "tlv-aanvragen", draft.id)
    with pytest.raises(KeyError):
        versions.offer("andere", "tlv-aanvragen", draft.id, ids["anna"])


# --- the pages, over HTTP -------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redactie")
    content = content_copy(folder)
    env = staff_env(
        folder,
        STEUNPUNT_FROZEN_NOW=T0.isoformat(),
        STEUNPUNT_CONTENT_DIR=str(content / "topics"),
        STEUNPUNT_REGIONS_DIR=str(content / "regions"),
        STEUNPUNT_REGIO_FILE=str(content / "regio.yml"),
    )
    create_account(env, "anna", role="redacteur")  # the default region: the national texts
    create_account(env, "bert", role="redacteur", extra=("--all-regions",))
    create_account(env, "carla", role="redacteur", extra=("--region", "voorbeeld"))
    create_account(env, "mo")  # medewerker
    with staff_server(env) as port:
        yield {"port": port, "content": content}


def editor(app, name):
    browser = Browser(app["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser, browser.csrf("/teksten")


def form_of(page):
    """The edit form's fields as the page shows them (inputs and textareas, checked boxes)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', page):
        fields[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        fields.setdefault(name, value)
    import html

    fields = {k: html.unescape(v) for k, v in fields.items() if k not in ("versie", "opmerking")}
    fields["phases"] = re.findall(r'name="phases" value="([^"]+)" checked', page)
    return fields


def post_form(browser, path, fields):
    from urllib.parse import urlencode

    return browser.request_raw("POST", path, urlencode(fields, doseq=True))


def test_the_texts_page_lists_topics_with_status_and_filters(app):
    browser, _ = editor(app, "anna")
    status, _, page, _ = browser.request("GET", "/teksten?fase=po")
    assert status == 200 and "tlv-wat-is" in page and "Teksten" in page
    assert ">aanmelden-basisschool<" in page and ">lwoo-praktijkonderwijs<" not in page  # phase po
    vo = browser.request("GET", "/teksten?fase=vo")[2]
    assert ">lwoo-praktijkonderwijs<" in vo and ">aanmelden-basisschool<" not in vo
    assert "voorbeeld" not in page  # anna edits the national texts only
    staff = Browser(app["port"])
    staff.login(username="mo", password=PASSWORD)
    assert staff.request("GET", "/teksten")[0] == 403


def test_an_editor_of_a_region_cannot_open_another_regions_or_the_national_text(app):
    carla, csrf = editor(app, "carla")
    assert carla.request("GET", "/teksten/voorbeeld/tlv-aanvragen")[0] == 200
    assert carla.request("GET", "/teksten/standaard/tlv-wat-is")[0] == 404
    assert carla.request("POST", "/teksten/standaard/tlv-wat-is", {"csrf": csrf, "ouders": "x"})[0] == 404
    anna, _ = editor(app, "anna")
    assert anna.request("GET", "/teksten/voorbeeld/tlv-aanvragen")[0] == 404
    assert anna.request("GET", "/teksten/standaard/bestaat-niet")[0] == 404


def test_a_text_that_does_not_pass_is_not_saved_and_the_message_is_next_to_the_field(app):
    anna, csrf = editor(app, "anna")
    fields = form_of(anna.request("GET", "/teksten/standaard/mdo-wat-is")[2])
    before = (app["content"] / "topics" / "mdo-wat-is.md").read_text()
    fields.update(csrf=csrf, ouders="Lees dit <script>alert(1)</script>.")
    status, _, page, _ = post_form(anna, "/teksten/standaard/mdo-wat-is", fields)
    assert status == 400 and 'id="ouders-fout"' in page and "Gebruik geen HTML" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert (app["content"] / "topics" / "mdo-wat-is.md").read_text() == before
    assert post_form(anna, "/teksten/standaard/mdo-wat-is", {**fields, "csrf": "fout"})[0] == 403


def parents_text(library) -> str:
    topic = library.lookup("tlv-wat-is")
    assert topic is not None
    return topic.parent_text


def test_offer_approve_by_another_publish_to_the_file_then_restore(app):
    topics = app["content"] / "topics"
    served = ContentLibrary(topics, app["content"] / "regio.yml", recheck_seconds=0)
    old_text = parents_text(served)
    anna, csrf = editor(app, "anna")
    fields = form_of(anna.request("GET", "/teksten/standaard/tlv-wat-is")[2])
    fields.update(csrf=csrf, ouders=NEW_SENTENCE + "\n\n" + fields["ouders"], aanbieden="1")
    status, headers, _, _ = post_form(anna, "/teksten/standaard/tlv-wat-is", fields)
    assert status == 303 and headers["location"].endswith("?klaar=aangeboden")
    page = anna.request("GET", headers["location"])[2]
    assert "Ter controle aangeboden." in page and "ter controle (van anna)" in page
    assert "Goedkeuren en publiceren" not in page
    assert NEW_SENTENCE not in parents_text(served)  # not yet published
    version = re.search(
        r'name="versie" value="(\d+)"', anna.request("GET", "/teksten/standaard/tlv-wat-is")[2]
    )
    assert version is None  # anna has no approve/send-back forms for her own text
    bert, bert_csrf = editor(app, "bert")
    page = bert.request("GET", "/teksten/standaard/tlv-wat-is")[2]
    offered = re.search(
        r'action="/teksten/standaard/tlv-wat-is/goedkeuren">.*?name="versie" value="(\d+)"', page, re.S
    )
    assert offered
    assert (
        anna.request(
            "POST", "/teksten/standaard/tlv-wat-is/goedkeuren", {"csrf": csrf, "versie": offered.group(1)}
        )[0]
        == 400
    )
    assert (
        bert.request(
            "POST",
            "/teksten/standaard/tlv-wat-is/goedkeuren",
            {"csrf": bert_csrf, "versie": offered.group(1)},
        )[0]
        == 303
    )
    assert NEW_SENTENCE in (topics / "tlv-wat-is.md").read_text()
    assert parents_text(served).startswith(NEW_SENTENCE)  # live, no restart
    history = anna.request("GET", "/teksten/standaard/tlv-wat-is/geschiedenis")[2]
    assert "gepubliceerd" in history and "+" + NEW_SENTENCE in history and "tekst gepubliceerd" in history
    first = min(int(v) for v in re.findall(r'name="versie" value="(\d+)"', history))
    assert (
        anna.request(
            "POST", "/teksten/standaard/tlv-wat-is/terugzetten", {"csrf": csrf, "versie": str(first)}
        )[0]
        == 303
    )
    page = bert.request("GET", "/teksten/standaard/tlv-wat-is")[2]
    offered = re.search(
        r'action="/teksten/standaard/tlv-wat-is/goedkeuren">.*?name="versie" value="(\d+)"', page, re.S
    )
    assert offered, "the restored version is offered for review"
    assert (
        bert.request(
            "POST",
            "/teksten/standaard/tlv-wat-is/goedkeuren",
            {"csrf": bert_csrf, "versie": offered.group(1)},
        )[0]
        == 303
    )
    assert parents_text(served) == old_text


CONCEPT_SENTENCE = "Bij een MDO praat je samen over wat je kind nodig heeft."
TYPED_SENTENCE = "Neem gerust iemand mee naar het gesprek."


def test_the_concept_preview_shows_the_concept_for_both_audiences_without_publishing(app):
    path = app["content"] / "topics" / "mdo-wat-is.md"
    before = path.read_text()
    anna, csrf = editor(app, "anna")
    base = "/teksten/standaard/mdo-wat-is"
    fields = form_of(anna.request("GET", base)[2])
    assert 'id="knop-voorbeeld"' in anna.request("GET", base)[2]
    saved = {**fields, "csrf": csrf, "ouders": CONCEPT_SENTENCE + "\n\n" + fields["ouders"], "opslaan": "1"}
    assert post_form(anna, base, saved)[0] == 303
    status, _, page, _ = anna.request("GET", f"{base}/voorbeeld")
    assert status == 200 and CONCEPT_SENTENCE in page and "Dit concept is nog niet gepubliceerd" in page
    assert 'id="doelgroep-ouder"' in page or "Voor ouders en verzorgers" in page
    assert "Voor jongeren" in page  # both audiences
    regional = anna.request("GET", f"{base}/voorbeeld?regio=voorbeeld")
    assert regional[0] == 404  # anna edits the national texts only, no other region
    bert, _ = editor(app, "bert")  # all regions: anna's concept, in another region
    status, _, page, _ = bert.request("GET", f"{base}/voorbeeld?regio=voorbeeld&doelgroep=ouder")
    assert status == 200 and CONCEPT_SENTENCE in page and 'id="voorbeeld-regio">voorbeeld<' in page
    # the button: the text as typed, unsaved
    typed = {**fields, "csrf": csrf, "ouders": TYPED_SENTENCE + "\n\n" + fields["ouders"], "voorbeeld": "1"}
    status, _, page, _ = post_form(anna, f"{base}/voorbeeld", typed)
    assert status == 200 and TYPED_SENTENCE in page and CONCEPT_SENTENCE not in page
    assert post_form(anna, f"{base}/voorbeeld", {**typed, "csrf": "fout"})[0] == 403
    wrong = {**typed, "ouders": "Lees <script>alert(1)</script>."}
    status, _, page, _ = post_form(anna, f"{base}/voorbeeld", wrong)
    assert status == 400 and 'id="ouders-fout"' in page
    # nothing published: the file, the published preview and the served text are as before
    assert path.read_text() == before
    assert CONCEPT_SENTENCE not in anna.request("GET", "/voorbeeld/mdo-wat-is")[2]
    served = ContentLibrary(app["content"] / "topics", app["content"] / "regio.yml", recheck_seconds=0)
    topic = served.lookup("mdo-wat-is")
    assert topic is not None and CONCEPT_SENTENCE not in topic.parent_text
    carla, _ = editor(app, "carla")
    assert carla.request("GET", f"{base}/voorbeeld")[0] == 404
