"""Issue 26, items 3, 7 and 8, without a server: the region's facts as a form (checks, and the
write of regio.yml, read back by read_region_file), the review reminders with a frozen clock,
and the preview of a topic with a region's facts in its placeholders."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from library import ContentLibrary, read_region_file
from library.model import ContentError
from library.preview import draft_topic, preview
from library.regionfile import (
    Conflict,
    changed_fields,
    check_form,
    check_phone,
    form_values,
    read_raw,
    save,
    version,
)
from library.review import due_for_review
from steunpunt import clock
from tests.support.content import looked_up

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def content(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def library_on(content: Path, **kwargs) -> ContentLibrary:
    return ContentLibrary(
        content / "topics",
        content / "regio.yml",
        regions_dir=content / "regions",
        recheck_seconds=0,
        **kwargs,
    )


def voorbeeld_form(content: Path) -> dict:
    _text, data = read_raw(content / "regions" / "voorbeeld" / "regio.yml")
    return form_values(data)


# --- checks ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "number",
    [
        "030 123 45 67",
        "030-1234567",
        "06-12345678",
        "0612345678",
        "+31 30 123 45 67",
        "+31 (0)30 1234567",
        "0800-1234",
        "0900 123 45 67",
        "0000 000 000 (fictief nummer)",
    ],
)
def test_dutch_phone_numbers_pass(number):
    assert check_phone(number) is None


@pytest.mark.parametrize(
    "number", ["123", "030 123 45 6", "+44 20 7946 0958", "bel ons", "030 123 45 678 9", "06-1234567x"]
)
def test_other_phone_numbers_are_refused_in_dutch(number):
    assert "telefoonnummer" in (check_phone(number) or "")


def test_the_form_checks_each_field_and_says_what_is_wrong_next_to_it(content):
    form = voorbeeld_form(content)
    form.update(
        steunpunt_telefoon="12345",
        steunpunt_email="steunpunt@",
        swv_website="http://www.voorbeeld.nl",
        steunpunt_website="https://",
        steunpunt_naam="",
        whatsapp_phone_number_id="abc",
        maandag="9-16",
        dinsdag="9.00-12.00, 11.00-16.00",
        woensdag="16.00-9.00",
        gesloten="31-02-2026",
    )
    checked = check_form(form)
    assert set(checked.errors) == {
        "steunpunt_telefoon",
        "steunpunt_email",
        "swv_website",
        "steunpunt_website",
        "steunpunt_naam",
        "whatsapp_phone_number_id",
        "maandag",
        "dinsdag",
        "woensdag",
        "gesloten",
    }
    assert "telefoonnummer" in checked.errors["steunpunt_telefoon"]
    assert "e-mailadres" in checked.errors["steunpunt_email"]
    assert "https://" in checked.errors["swv_website"]
    assert "9.00-16.00" in checked.errors["maandag"]
    assert "overlappen" in checked.errors["dinsdag"]
    assert "dd-mm-jjjj" in checked.errors["gesloten"]


def test_a_good_form_gives_the_facts_and_structured_hours(content):
    form = voorbeeld_form(content)
    form.update(
        maandag=" 9.00-12.00 ,13.00-16.00",
        vrijdag="9:00-12:00",
        gesloten="25-12-2026, 2027-01-01",
        whatsapp_phone_number_id="106540352242922",
    )
    checked = check_form(form)
    assert checked.errors == {}
    hours = checked.data["openingstijden"]
    assert hours["maandag"] == "9.00-12.00, 13.00-16.00" and hours["vrijdag"] == "9:00-12:00"
    assert hours["gesloten"] == [date(2026, 12, 25), date(2027, 1, 1)]
    assert "steunpunt_bereikbaarheid" not in checked.data
    assert checked.data["whatsapp_phone_number_id"] == "106540352242922"


def test_values_not_yet_filled_in_may_stay_and_too_long_or_odd_values_may_not(content):
    _text, data = read_raw(content / "regio.yml")
    form = form_values(data)
    assert form["steunpunt_telefoon"].startswith("[")
    assert check_form(form).errors == {}  # the template as shipped saves as it is
    form.update(swv_naam="x" * 201, steunpunt_naam="Steunpunt {swv_naam}", steunpunt_bereikbaarheid="")
    errors = check_form(form).errors
    assert "200" in errors["swv_naam"] and "accolades" in errors["steunpunt_naam"]
    assert "steunpunt_bereikbaarheid" in errors  # no hours per day and no sentence either


# --- writing regio.yml -----------------------------------------------------------------------
def test_saving_writes_the_file_in_place_and_it_reads_back_with_read_region_file(content):
    path = content / "regions" / "voorbeeld" / "regio.yml"
    before = path.read_text(encoding="utf-8")
    form = voorbeeld_form(content)
    form.update(steunpunt_telefoon="030 123 45 67", vrijdag="9.00-12.00", gesloten="25-12-2026")
    changed = save(path, check_form(form).data, expected_version=version(before))
    assert changed == ["openingstijden", "steunpunt_telefoon"]
    facts, hours = read_region_file(path)
    assert facts["steunpunt_telefoon"] == "030 123 45 67"
    assert facts["steunpunt_bereikbaarheid"] == (
        "maandag tot en met donderdag van 9.00 tot 16.00 uur en vrijdag van 9.00 tot 12.00 uur"
    )
    assert hours is not None and hours.closed == frozenset({date(2026, 12, 25)})
    after = path.read_text(encoding="utf-8")
    # Comments and order stay; only the changed lines differ.
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments == [line for line in after.splitlines() if line.startswith("#")]
    keys = [line.split(":")[0] for line in after.splitlines() if line[:1].isalpha()]
    assert keys == [line.split(":")[0] for line in before.splitlines() if line[:1].isalpha()]
    assert not list(path.parent.glob(".regio.yml.*"))  # no temporary file left behind


def test_the_default_region_switches_from_a_sentence_to_hours_in_the_same_place(content):
    path = content / "regio.yml"
    _text, data = read_raw(path)
    form = form_values(data)
    form.update(maandag="9.00-16.00", steunpunt_telefoon="030 123 45 67")
    changed = save(path, check_form(form).data)
    assert changed == ["openingstijden", "steunpunt_bereikbaarheid", "steunpunt_telefoon"]
    facts, hours = read_region_file(path)
    assert facts["steunpunt_bereikbaarheid"] == "maandag van 9.00 tot 16.00 uur" and hours is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ====")  # the header stays
    assert lines.index("openingstijden:") < lines.index('steunpunt_website: "[website van het steunpunt]"')


def test_nothing_changed_writes_nothing_and_a_save_by_someone_else_in_between_is_a_conflict(content):
    path = content / "regions" / "voorbeeld" / "regio.yml"
    stamp = path.stat().st_mtime_ns
    assert save(path, check_form(voorbeeld_form(content)).data) == []
    assert path.stat().st_mtime_ns == stamp
    form = voorbeeld_form(content)
    form["steunpunt_telefoon"] = "030 123 45 67"
    with pytest.raises(Conflict):
        save(path, check_form(form).data, expected_version="0" * 16)
    assert "0000 000 000" in path.read_text(encoding="utf-8")


def test_a_value_with_quotes_or_a_hash_is_written_safely(content):
    path = content / "regions" / "voorbeeld" / "regio.yml"
    form = voorbeeld_form(content)
    form["steunpunt_naam"] = 'Steunpunt "Samen" # Regio: één \\ twee'
    save(path, check_form(form).data)
    facts, _ = read_region_file(path)
    assert facts["steunpunt_naam"] == 'Steunpunt "Samen" # Regio: één \\ twee'


def test_other_facts_in_the_file_are_kept(content):
    path = content / "regions" / "voorbeeld" / "regio.yml"
    path.write_text(path.read_text(encoding="utf-8") + 'eigen_feit: "blijft"\n', encoding="utf-8")
    form = voorbeeld_form(content)
    form["steunpunt_telefoon"] = "030 123 45 67"
    save(path, check_form(form).data)
    assert read_region_file(path)[0]["eigen_feit"] == "blijft"


def test_a_result_that_would_not_read_as_a_region_file_is_never_written(content, monkeypatch):
    import library.regionfile as regionfile

    path = content / "regions" / "voorbeeld" / "regio.yml"
    before = path.read_text(encoding="utf-8")
    monkeypatch.setattr(regionfile, "new_text", lambda old, data: "openingstijden: [kapot]\n")
    form = voorbeeld_form(content)
    form["steunpunt_telefoon"] = "030 123 45 67"
    with pytest.raises(ContentError):
        save(path, check_form(form).data)
    assert path.read_text(encoding="utf-8") == before
    assert not list(path.parent.glob(".regio.yml.*"))


def test_changed_fields_names_the_facts_only():
    before = {"a": "1", "openingstijden": {"maandag": "9.00-16.00", "gesloten": [date(2026, 12, 25)]}}
    same_hours = {"a": "2", "openingstijden": {"maandag": "9.00-16.00", "gesloten": ["2026-12-25"]}}
    assert changed_fields(before, same_hours) == ["a"]


def test_a_saved_phone_number_is_served_by_a_fresh_library_and_by_a_running_one(content):
    running = library_on(content)
    assert "0000 000 000" in running.facts("voorbeeld")["steunpunt_telefoon"]
    form = voorbeeld_form(content)
    form["steunpunt_telefoon"] = "030 765 43 21"
    save(content / "regions" / "voorbeeld" / "regio.yml", check_form(form).data)
    assert running.facts("voorbeeld")["steunpunt_telefoon"] == "030 765 43 21"  # hot reload
    fresh = library_on(content)
    assert "030 765 43 21" in looked_up(fresh, "steunpunt-contact", "voorbeeld").parent_text
    assert "030 765 43 21" not in looked_up(fresh, "steunpunt-contact").parent_text  # other region


# --- review reminders ------------------------------------------------------------------------
def test_reminders_list_texts_due_within_six_weeks_and_expired_ones_per_region_seen(content):
    library = library_on(content)
    due = min(topic.review_by for topic in library.topics().values())
    with clock.frozen(datetime.combine(due - timedelta(weeks=6), datetime.min.time())):
        library = library_on(content)  # its clock is steunpunt.clock: frozen here
        everything = due_for_review(library, lambda region: True, clock.today())
        assert everything and all(0 <= r.days_left <= 42 and not r.overdue for r in everything)
        assert {r.review_by for r in everything} == {due}
    with clock.frozen(datetime.combine(due + timedelta(days=1), datetime.min.time())):
        library = library_on(content)
        later = due_for_review(library, lambda region: True, clock.today())
        expired = [r for r in later if r.overdue]
        assert expired and all(r.days_left == -1 for r in expired)
        national = [r for r in later if r.region is None]
        regional = [r for r in later if r.region == "voorbeeld"]
        # A national text is listed once; the example region's own versions once for it.
        assert len({r.topic_id for r in national}) == len(national)
        only_default = due_for_review(library, lambda region: region == "standaard", clock.today())
        assert all(r.region is None for r in only_default)
        only_example = due_for_review(library, lambda region: region == "voorbeeld", clock.today())
        assert {r.topic_id for r in regional} <= {r.topic_id for r in only_example}
        assert [r.review_by for r in later] == sorted(r.review_by for r in later)


def test_no_reminders_when_every_text_is_far_from_its_date(content):
    library = library_on(content)
    first = min(topic.reviewed_on for topic in library.topics().values())
    soonest = min(topic.review_by for topic in library.topics().values())
    if (soonest - first).days <= 43:
        pytest.skip("the content's review periods are shorter than the reminder window")
    with clock.frozen(datetime.combine(soonest - timedelta(weeks=6, days=1), datetime.min.time())):
        assert due_for_review(library_on(content), lambda region: True, clock.today()) == []


# --- preview ---------------------------------------------------------------------------------
def test_the_preview_shows_the_chosen_regions_phone_number(content):
    library = library_on(content)
    topic = looked_up(library, "steunpunt-contact", "voorbeeld")
    shown = preview(library, topic, "voorbeeld", "ouder")
    text = str(shown.payload["blocks"])
    assert "0000 000 000 (fictief nummer)" in text and shown.region == "voorbeeld"
    assert shown.payload["region"] == "voorbeeld" and not shown.missing and not shown.overdue


def test_a_concept_in_memory_gets_each_regions_facts_in_its_placeholders(content):
    library = library_on(content)
    text = (content / "topics" / "steunpunt-contact.md").read_text(encoding="utf-8")
    text = text.replace("## Ouders\n", "## Ouders\nNieuwe zin: bel {steunpunt_telefoon}.\n\n", 1)
    concept = draft_topic(library, text, "steunpunt-contact")
    assert "{steunpunt_telefoon}" in concept.parent_text  # open until a region is chosen
    example = preview(library, concept, "voorbeeld", "ouder")
    default = preview(library, concept, "standaard", "ouder")
    assert "Nieuwe zin: bel 0000 000 000 (fictief nummer)." in str(example.payload["blocks"])
    assert "Nieuwe zin: bel [telefoonnummer van het steunpunt]." in str(default.payload["blocks"])
    wrong = text.replace("{steunpunt_telefoon}", "{bestaat_niet}")
    unknown = draft_topic(library, wrong, "steunpunt-contact")
    assert preview(library, unknown, "voorbeeld", "ouder").missing == ["bestaat_niet"]
    with pytest.raises(ContentError):
        draft_topic(library, "geen front matter", "steunpunt-contact")
