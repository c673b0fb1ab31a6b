"""Questions about the region's schools in the chat (issue 28), without a Rasa server: reading the
question (Rasa's entities, checked against the region's directory, else the words), searching,
the payload and its text, and region isolation. The running assistant's school questions are in
tests/test_end_to_end.py, the widget's list in tests/test_browser.py."""

from __future__ import annotations

from datetime import date

import pytest

from actions import schools as chat
from actions.outcome import SCHOOLS, decide
from schools import model, words
from schools.model import Directory, School
from steunpunt import settings
from steunpunt.turn import TurnContext

REGION = "noord"


def school(location, name, kind, place, levels=(), website="", gemeente=""):
    return School(
        location=location,
        brin=location[:4],
        name=name,
        kind=kind,
        street="Schoolstraat 1",
        postcode="1234 AB",
        place=place,
        gemeente=gemeente or place,
        levels=tuple(levels),
        website=website,
    )


ROWS = (
    school(
        "99AA00", "Fictieve basisschool De Regenboog", "bao", "Amersfoort", website="www.regenboog.invalid"
    ),
    school("99AB00", "Fictieve sbo De Wegwijzer", "sbo", "Amersfoort"),
    school("99AC00", "Fictief College Eemland", "vo", "Amersfoort", ["vmbo-b", "vmbo-k", "vmbo-t", "havo"]),
    school("99AD00", "Fictief Lyceum", "vo", "Leusden", ["havo", "vwo"], website="https://lyceum.invalid"),
    school("99AE00", "Fictieve school Het Baken", "so/vso", "Amersfoort"),
    school("99AF00", "Fictieve vso De Brug", "vso", "Soest"),
    *(school(f"99B{i}00", f"Fictieve basisschool Nummer {i}", "bao", "Soest") for i in range(7)),
)


@pytest.fixture
def directory(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "SCHOOLS_DIR", tmp_path / "schools")
    monkeypatch.setattr(settings, "REGIONS_DIR", tmp_path / "regions")
    (tmp_path / "regions" / REGION).mkdir(parents=True)
    (tmp_path / "regions" / REGION / "scholen.yml").write_text(
        "99AA00:\n  sop: https://www.regenboog.invalid/sop.pdf\n  notitie: Heeft een plusklas.\n"
    )
    model.save(Directory(REGION, date(2026, 12, 1), "DUO (test)", ROWS))
    return model.load(REGION)


def turn(region=REGION):
    return TurnContext(channel="rest", sender_id="t", region=region)


def entity(name, value):
    return {"entity": name, "value": value, "extractor": "RegexEntityExtractor"}


def test_the_intent_is_a_schools_outcome():
    assert decide("ask_schools", [], None, known_topics=()).kind == SCHOOLS


def test_one_school_s_details_are_a_schools_outcome_whatever_the_intent_decided_in_decide():
    """decide() is the one place an outcome is decided (issue 23): the words asking for one
    school's details are one of its inputs, not an intent rewritten before it is called."""
    sop = [{"name": "info_sop_wat_is", "confidence": 0.9}]
    assert decide("info_sop_wat_is", sop, None, {"sop-wat-is"}).kind != SCHOOLS
    assert decide("info_sop_wat_is", sop, None, {"sop-wat-is"}, about_one_school=True).kind == SCHOOLS


def test_the_action_passes_the_words_finding_to_decide_and_the_classifier_s_intent_as_it_was(
    directory, monkeypatch
):
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import respond

    seen = {}

    def spy(**arguments):
        seen.update(arguments)
        return decide(**arguments)

    monkeypatch.setattr(respond, "decide", spy)
    text = "heeft de regenboog een sop"
    latest = {"text": text, "intent": {"name": "info_sop_wat_is"}, "intent_ranking": []}
    events = [{"event": "user", "text": text, "metadata": {"region": REGION}, "parse_data": latest}]
    tracker = Tracker("t-school", {}, latest, events, False, None, {}, "action_listen")
    asyncio.run(respond.ActionRespond().run(CollectingDispatcher(), tracker, {}))
    assert (seen["intent"], seen["about_one_school"]) == ("info_sop_wat_is", True)


@pytest.mark.parametrize(
    ("text", "kind", "place"),
    [
        ("welke scholen voor speciaal onderwijs zijn er in de regio?", "(V)SO", None),
        ("welke vmbo-scholen zijn er in Amersfoort?", "vmbo", "Amersfoort"),
        ("zijn er mavo's in soest", "vmbo-t", "Soest"),
        ("ik zoek een middelbare school in leusden voor mijn dochter", "VO", "Leusden"),
        ("welke sbo scholen zijn er", "sbo", None),
        ("scholen voor voortgezet speciaal onderwijs in Soest", "vso", "Soest"),
        ("is er ergens een gymnasium in Leusden", "vwo", "Leusden"),
        ("soms denk ik aan een andere school in Amersfoort", None, "Amersfoort"),  # "soms" is no "so"
    ],
)
def test_kind_and_place_are_read_from_the_words_when_rasa_found_none(directory, text, kind, place):
    query = chat.read_question(text, [], directory)
    assert (query.kind, query.place) == (kind, place)


def test_rasa_s_entities_count_only_when_the_region_has_them(directory):
    query = chat.read_question("x", [entity("school_kind", "mavo"), entity("place", "Soest")], directory)
    assert (query.kind, query.place) == ("vmbo-t", "Soest")
    elsewhere = chat.read_question(
        "x", [entity("place", "Zwolle"), entity("school_name", "Het Kompas")], directory
    )
    assert elsewhere.place is None and elsewhere.name is None  # learned from another region's data


def test_a_question_lists_at_most_five_with_the_whole_list_linked(directory):
    found = chat.look_up(turn(), "welke basisscholen zijn er in Soest?", [])
    assert len(found.schools) == 7
    payload = chat.payload(found)
    assert payload["type"] == "schools" and payload["region"] == REGION and payload["total"] == 7
    assert len(payload["schools"]) == 5
    assert set(payload["schools"][0]) >= {"name", "place", "type", "url", "sop_url"}
    assert payload["more_url"].endswith(f"/{REGION}/scholen?plaats=Soest&soort=bao")
    text = chat.text(found)
    assert "Ik vond 7 basisscholen in Soest. De eerste 5:" in text and payload["more_url"] in text


def test_special_education_lists_so_and_vso_only(directory):
    found = chat.look_up(turn(), "welke scholen voor speciaal onderwijs zijn er in de regio?", [])
    assert {s.location for s in found.schools} == {"99AE00", "99AF00"}


def test_a_school_by_name_gets_its_sop_link_from_the_region_s_own_file(directory):
    found = chat.look_up(turn(), "heeft de Regenboog een schoolondersteuningsprofiel?", [])
    assert [s.location for s in found.schools] == ["99AA00"]
    [shown] = chat.payload(found)["schools"]
    assert shown["sop_url"] == "https://www.regenboog.invalid/sop.pdf"
    assert shown["url"] == "https://www.regenboog.invalid"  # DUO's bare domain made a link
    assert found.signal_reason == "naam"  # the analyst sees that a school was asked for, not which


def test_an_unknown_school_name_is_said_to_be_unknown_never_a_near_guess(directory):
    found = chat.look_up(turn(), "heeft de Zonnebloem een schoolondersteuningsprofiel?", [])
    assert found.unknown_name == "Zonnebloem" and found.schools == ()
    assert "Ik ken geen school met de naam 'Zonnebloem'" in chat.text(found)
    assert "Regenboog" not in chat.text(found)
    near = chat.look_up(turn(), "heeft de Regenbogen een sop?", [])
    assert near.schools == () and near.unknown_name == "Regenbogen"


def test_a_region_without_a_directory_never_gets_another_region_s_schools(directory):
    found = chat.look_up(turn("zuid"), "welke scholen voor speciaal onderwijs zijn er in de regio?", [])
    assert not found.has_directory and found.schools == ()
    [message] = chat.messages(found)
    assert message["response"] == "utter_schools_no_data" and message["json_message"]["schools"] == []


def test_nothing_found_says_so_and_links_the_list(directory):
    found = chat.look_up(turn(), "welke havo scholen zijn er in Soest", [])
    assert found.schools == ()
    assert chat.text(found).startswith("Ik vind geen havo-scholen in Soest.")


def test_short_names_drop_the_words_that_only_say_the_kind():
    names = words.short_names(ROWS[0])
    assert names[0] == "Fictieve basisschool De Regenboog" and "De Regenboog" in names


def test_a_website_that_is_not_a_web_address_is_no_link():
    assert chat.web_address("javascript:alert(1)") is None
    assert chat.web_address("www.school.invalid") == "https://www.school.invalid"
    assert chat.web_address("http://school.invalid/x") == "http://school.invalid/x"


def test_the_list_link_filters_as_the_site_s_form_does(directory):
    """The site knows ?soort=vso-so for (V)SO (website/schools.py): the chat's link must use it."""
    from website.schools import KIND_FILTERS

    found = chat.look_up(turn(), "welke scholen voor speciaal onderwijs zijn er in Amersfoort?", [])
    url = chat.payload(found)["more_url"]
    assert url.endswith("soort=vso-so") and "vso-so" in {value for value, *_ in KIND_FILTERS}


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("heeft de Zonnebloem een schoolondersteuningsprofiel?", True),  # a name the region lacks
        ("heeft de regenboog een sop", True),
        ("waar vind ik het sop van de Kameleon", True),
        ("heeft Het Baken een website", True),
        ("wat is het sop van mijn school", False),  # the general topic, not one school
        ("heeft de school van mijn zoon een sop", False),
        ("De Regenboog wil mijn zoon niet toelaten, wat nu?", False),  # a story, not its details
        ("wat is een schoolondersteuningsprofiel", False),
    ],
)
def test_a_question_about_one_school_s_details_is_recognised_whatever_the_classifier_said(
    directory, text, about
):
    assert chat.about_one_school(REGION, text) is about
