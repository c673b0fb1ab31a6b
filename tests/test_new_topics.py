"""From signal to topic (issue 26, item 9): a group of unmet questions an analyst marked "nieuw
onderwerp nodig" becomes a draft topic an editor writes, its redacted example questions the
draft training examples; the topic "wacht op training", and `python -m staff.cli export-drafts`
gives the developers the topic file and an NLU file in the repository's format."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT
from sqlalchemy import select
from test_editorial import T0, content_copy
from test_staff_web import PASSWORD, Browser, create_account, staff_env, staff_server

from library.editing import WHOLE_FILE, draft_text, fields_from_text, new_topic_problem
from library.training import intents_with_examples, nlu_draft
from signals.store import Signal, SignalStore
from steunpunt import clock
from store import db
from store.accounts import Accounts
from store.content_versions import CONCEPT, ContentVersions, ReviewError
from store.schema import staff

BULLYING = ["Mijn kind wordt gepest op school, wat kan ik doen?", "Wie helpt bij pesten in de klas?"]
REGIONAL = "Mijn zoon wordt gepest in [plaats], wie helpt?"


# --- units ---------------------------------------------------------------------------------------
def test_a_new_topic_id_is_checked_as_the_librarys_and_must_be_free():
    taken = {"tlv-wat-is"}
    assert new_topic_problem("pesten-op-school", taken) is None
    for wrong in ("", "Pesten", "pesten_op_school", "-pesten", "pesten--school", "a" * 61, "../x"):
        assert new_topic_problem(wrong, taken), wrong
    assert "bestaat al" in (new_topic_problem("tlv-wat-is", taken) or "")


def test_a_draft_text_is_a_topic_file_the_form_can_open():
    fields = fields_from_text(draft_text("pesten-op-school", "Pesten  op school"), "pesten-op-school")
    assert fields.title == "Pesten op school" and fields.label == "Pesten op school"
    assert fields.texts["ouders"] and fields.kind == WHOLE_FILE


@pytest.fixture
def versions(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    db.migrate(url)
    engine = db.engine_for(url)
    ids = {name: Accounts(engine).create(name, PASSWORD, "redacteur") for name in ("anna", "bert")}
    with clock.frozen(T0):
        yield ContentVersions(engine), ids, url


def test_a_draft_topic_is_a_concept_with_its_examples_and_its_id_is_taken_in_every_region(versions):
    store, ids, _ = versions
    made = store.create_draft_topic(
        "standaard",
        "pesten-op-school",
        WHOLE_FILE,
        draft_text("pesten-op-school", "Pesten"),
        [*BULLYING, BULLYING[0], " "],
        None,
        ids["anna"],
    )
    assert made.status == CONCEPT and made.author == "anna"
    (draft,) = store.draft_topics()
    assert draft.topic_id == "pesten-op-school" and draft.examples == BULLYING
    assert draft.created_by == "anna" and draft.created_at == T0
    assert store.draft_topic("standaard", "pesten-op-school") == draft
    assert (
        store.draft_topic("voorbeeld", "pesten-op-school") is None and store.draft_topics({"voorbeeld"}) == []
    )
    with pytest.raises(ReviewError, match="bestaat al"):
        store.create_draft_topic("voorbeeld", "pesten-op-school", WHOLE_FILE, "x", [], None, ids["bert"])
    assert store.taken_topic_ids() == {"pesten-op-school"}
    assert [e.action for e in store.audit_entries("standaard", "pesten-op-school")] == [
        "concept-onderwerp gemaakt"
    ]


def test_export_writes_the_topic_and_an_nlu_file_in_the_repository_format(versions, tmp_path):
    store, ids, url = versions
    store.create_draft_topic(
        "standaard",
        "pesten-op-school",
        WHOLE_FILE,
        draft_text("pesten-op-school", "Pesten"),
        BULLYING,
        None,
        ids["anna"],
    )
    store.create_draft_topic(
        "voorbeeld",
        "pesten-in-de-regio",
        WHOLE_FILE,
        draft_text("pesten-in-de-regio", "Regio"),
        [REGIONAL],
        None,
        ids["bert"],
    )
    out = tmp_path / "export"
    done = subprocess.run(
        [sys.executable, "-m", "staff.cli", "export-drafts", "--out", str(out)],
        env=staff_env(tmp_path, STEUNPUNT_DATABASE_URL=url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    topic = out / "content" / "topics" / "pesten-op-school.md"
    assert fields_from_text(topic.read_text(), "pesten-op-school").title == "Pesten"
    assert (out / "content" / "regions" / "voorbeeld" / "topics" / "pesten-in-de-regio.md").is_file()
    nlu = yaml.safe_load((out / "data" / "nlu" / "concept-pesten-op-school.yml").read_text())
    (block,) = nlu["nlu"]
    assert block["intent"] == "info_pesten_op_school"
    assert [line[2:] for line in block["examples"].splitlines()] == BULLYING
    assert intents_with_examples(out / "data" / "nlu") == {"info_pesten_op_school", "info_pesten_in_de_regio"}
    assert "info_pesten_op_school" not in intents_with_examples(ROOT / "data" / "nlu")
    assert nlu_draft("x", ["a"]).startswith("# CONCEPT")


# --- the pages, over HTTP ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nieuw")
    content = content_copy(folder)
    env = staff_env(
        folder,
        STEUNPUNT_FROZEN_NOW=T0.isoformat(),
        STEUNPUNT_CONTENT_DIR=str(content / "topics"),
        STEUNPUNT_REGIONS_DIR=str(content / "regions"),
        STEUNPUNT_REGIO_FILE=str(content / "regio.yml"),
    )
    create_account(env, "anna", role="redacteur")
    create_account(env, "carla", role="redacteur", extra=("--region", "voorbeeld"))
    create_account(env, "ali", role="analist", extra=("--all-regions",))
    create_account(env, "mo")
    engine = db.engine_for(env["STEUNPUNT_DATABASE_URL"])
    signals = SignalStore(engine)
    ids = [
        signals.add(Signal(kind="handoff_offer", reason="out_of_scope", region="standaard", text=text), at=T0)
        for text in BULLYING
    ]
    ids.append(
        signals.add(
            Signal(kind="handoff_offer", reason="out_of_scope", region="voorbeeld", text=REGIONAL), at=T0
        )
    )
    with engine.connect() as connection:
        analyst = connection.execute(select(staff.c.id).where(staff.c.username == "ali")).scalar_one()
    group = signals.decide_group(analyst, "nieuw_onderwerp", "Pesten op school", ids)
    other = signals.decide_group(analyst, "bestaand_onderwerp", "Over de TLV", ids[:1], "tlv-wat-is")
    with staff_server(env) as port:
        yield {"port": port, "content": content, "group": group, "other": other}


def editor(app, name):
    browser = Browser(app["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser, browser.csrf("/nieuwe-onderwerpen")


def test_editors_see_the_groups_with_redacted_examples_of_their_own_regions(app):
    anna, _ = editor(app, "anna")
    status, _, page, _ = anna.request("GET", "/nieuwe-onderwerpen")
    assert status == 200 and "Pesten op school" in page and "Maak concept-onderwerp" in page
    assert all(text in page for text in BULLYING) and "[plaats]" not in page  # carla's region's
    assert "Over de TLV" not in page  # not marked "nieuw onderwerp nodig"
    carla, _ = editor(app, "carla")
    page = carla.request("GET", "/nieuwe-onderwerpen")[2]
    assert "Pesten op school" in page and "[plaats]" in page and BULLYING[0] not in page
    mo = Browser(app["port"])
    mo.login(username="mo", password=PASSWORD)
    assert mo.request("GET", "/nieuwe-onderwerpen")[0] == 403


def test_make_a_draft_topic_checked_id_csrf_region_then_it_waits_for_training(app):
    anna, csrf = editor(app, "anna")
    group = str(app["group"])
    form = {"csrf": csrf, "groep": group, "regio": "standaard"}
    assert (
        anna.request("POST", "/nieuwe-onderwerpen", {**form, "csrf": "fout", "onderwerp": "pesten"})[0] == 403
    )
    status, _, page, _ = anna.request(
        "POST", "/nieuwe-onderwerpen", {**form, "onderwerp": "Pesten op school!"}
    )
    assert status == 400 and "kleine letters" in page and f'id="onderwerp-{group}-fout"' in page
    status, _, page, _ = anna.request("POST", "/nieuwe-onderwerpen", {**form, "onderwerp": "tlv-wat-is"})
    assert status == 400 and "bestaat al" in page
    status, _, page, _ = anna.request(
        "POST", "/nieuwe-onderwerpen", {**form, "regio": "voorbeeld", "onderwerp": "pesten"}
    )
    assert status == 400 and "Kies een regio" in page  # anna writes the national texts only
    other = {**form, "groep": str(app["other"]), "onderwerp": "pesten"}
    assert anna.request("POST", "/nieuwe-onderwerpen", other)[0] == 404  # not a "nieuw onderwerp" group
    status, headers, _, _ = anna.request(
        "POST", "/nieuwe-onderwerpen", {**form, "onderwerp": "pesten-op-school"}
    )
    assert status == 303 and headers["location"] == "/teksten/standaard/pesten-op-school?klaar=nieuw"
    page = anna.request("GET", headers["location"])[2]
    assert "wacht op training" in page and "export-drafts" in page and BULLYING[1] in page
    assert 'value="Pesten op school"' in page  # the group's label is the draft's title
    assert not (app["content"] / "topics" / "pesten-op-school.md").exists()  # nothing published
    texts = anna.request("GET", "/teksten")[2]
    assert ">pesten-op-school<" in texts and "concept · wacht op training" in texts
    listed = anna.request("GET", "/nieuwe-onderwerpen")[2]
    assert "Concept-onderwerp gemaakt" in listed and "/teksten/standaard/pesten-op-school" in listed
    again = anna.request("POST", "/nieuwe-onderwerpen", {**form, "onderwerp": "pesten-nog-eens"})
    assert again[0] == 400 and "al een concept-onderwerp" in again[2]
    carla, _ = editor(app, "carla")  # another region: the draft is not hers
    assert carla.request("GET", "/teksten/standaard/pesten-op-school")[0] == 404
    assert ">pesten-op-school<" not in carla.request("GET", "/teksten")[2]
