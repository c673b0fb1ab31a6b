"""Opening hours as data (library/hours.py): open now, next opening, the sentence, bad input."""

from datetime import date, datetime

import pytest

from library import ContentError, ContentLibrary
from library.hours import parse_hours
from library.parse import read_region_file

HOURS = {
    "maandag": "9.00-16.00",
    "dinsdag": "9:00-12:00, 13.00-16.00",
    "woensdag": "9.00-16.00",
    "donderdag": "9.00-16.00",
    "gesloten": ["2026-12-24", date(2026, 12, 31)],
}


def test_open_and_closed_at_given_local_times():
    hours = parse_hours(HOURS)
    monday = datetime(2026, 12, 7, 10, 0)
    assert hours.is_open(monday)
    assert not hours.is_open(monday.replace(hour=16))  # closing time is closed
    assert hours.is_open(monday.replace(hour=9))
    assert not hours.is_open(datetime(2026, 12, 8, 12, 30))  # Tuesday's lunch break
    assert not hours.is_open(datetime(2026, 12, 11, 10, 0))  # Friday: not named, closed
    assert not hours.is_open(datetime(2026, 12, 24, 10, 0))  # a Thursday, but closed that day


def test_next_opening_skips_closed_days_and_breaks():
    hours = parse_hours(HOURS)
    assert hours.next_opening(datetime(2026, 12, 8, 12, 30)) == datetime(2026, 12, 8, 13, 0)
    assert hours.next_opening(datetime(2026, 12, 10, 17, 0)) == datetime(2026, 12, 14, 9, 0)
    assert hours.next_opening(datetime(2026, 12, 23, 17, 0)) == datetime(2026, 12, 28, 9, 0)
    assert parse_hours({}).next_opening(datetime(2026, 12, 8, 12, 0)) is None


def test_the_sentence_takes_days_with_the_same_hours_together():
    assert parse_hours(HOURS).sentence() == (
        "maandag van 9.00 tot 16.00 uur, dinsdag van 9.00 tot 12.00 uur en van 13.00 tot 16.00 uur"
        " en woensdag en donderdag van 9.00 tot 16.00 uur"
    )
    week = dict.fromkeys(("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"), "9.00-17.00")
    assert parse_hours(week).sentence() == "maandag tot en met vrijdag van 9.00 tot 17.00 uur"


@pytest.mark.parametrize(
    "raw, says",
    [
        ({"maandag": "negen tot vier"}, "geen tijd"),
        ({"maandg": "9.00-16.00"}, "geen dag"),
        ({"maandag": "16.00-9.00"}, "niet na het begin"),
        ({"maandag": "9.00-12.00, 11.00-16.00"}, "overlappen"),
        ({"gesloten": ["kerst"]}, "geen datum"),
        ("9-5", "per dag"),
    ],
)
def test_bad_hours_say_what_to_fix(raw, says):
    with pytest.raises(ContentError, match=says):
        parse_hours(raw)


def test_a_region_file_with_hours_makes_the_sentence_and_refuses_two_truths(tmp_path):
    path = tmp_path / "regio.yml"
    path.write_text('swv_naam: "SWV"\nopeningstijden:\n  maandag: "9.00-12.00"\n')
    facts, hours = read_region_file(path)
    assert facts["steunpunt_bereikbaarheid"] == "maandag van 9.00 tot 12.00 uur"
    assert hours is not None and hours.is_open(datetime(2026, 12, 7, 11, 0))
    path.write_text('steunpunt_bereikbaarheid: "altijd"\nopeningstijden:\n  maandag: "9.00-12.00"\n')
    with pytest.raises(ContentError, match="niet allebei"):
        read_region_file(path)


def test_broken_hours_keep_the_last_good_facts_and_hours(content_dir):
    topics, regio = content_dir
    regio.write_text('steunpunt_telefoon: "1"\nopeningstijden:\n  maandag: "9.00-12.00"\n')
    library = ContentLibrary(topics, regio, recheck_seconds=0)
    assert library.hours() is not None and library.facts()["steunpunt_telefoon"] == "1"
    regio.write_text('steunpunt_telefoon: "2"\nopeningstijden:\n  maandag: "later"\n')
    assert library.hours() is not None and library.facts()["steunpunt_telefoon"] == "1"
    assert any("openingstijden" in message for message in library.errors().values())


def test_the_example_region_has_structured_hours():
    library = ContentLibrary()
    assert library.hours("voorbeeld") is not None
    assert "tot en met donderdag" in library.facts("voorbeeld")["steunpunt_bereikbaarheid"]
