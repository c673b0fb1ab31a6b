"""Issue 29 through the analyst view: education needs first and "buiten ons terrein" folded,
and groups an analyst steers (name, merge, move) that keep later questions like them. Over
real HTTP with CSRF, and with an analyst of another region who must see none of it."""

import os
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from test_staff_web import PASSWORD, Browser, create_account, staff_server

from signals.store import Signal, SignalStore
from steunpunt import clock, settings
from store.db import engine_for
from tests.support.servers import TEST_SECRET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAXI = [
    "krijgen we een vergoeding voor de taxi naar het so?",
    "wie betaalt de taxi naar school",
    "de gemeente wil de taxi naar school niet meer betalen",
]
BUSJE = [
    "mijn zoon mag niet meer met het busje mee",
    "het busje komt elke dag te laat",
    "waarom rijdt het busje niet meer",
]
MEDICINE = [
    "mag de juf mijn zoon zijn medicijnen geven",
    "medicijnen geven tussen de middag door de juf",
    "juf weigert medicijnen te geven",
]
WEATHER = [
    "wat voor weer wordt het morgen",
    "gaat het morgen regenen",
    "wordt het morgen mooi weer",
    "hoe warm wordt het morgen",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("steering")
    env = {
        **os.environ,
        "STEUNPUNT_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite'}",
        "STEUNPUNT_SECRET_KEY": TEST_SECRET,
        "PYTHONPATH": ROOT,
        "STEUNPUNT_TRACKER_DB": str(folder / "trackers.db"),
        "STEUNPUNT_STAFF_SECURE_COOKIES": "0",
    }
    create_account(env, "ali", role="analist")  # the default region
    create_account(env, "vik", role="analist", extra=["--region", "voorbeeld"])
    signals = SignalStore(engine_for(env["STEUNPUNT_DATABASE_URL"]))
    yesterday = clock.now() - timedelta(days=1)

    def add(texts, reason="out_of_scope", region=settings.DEFAULT_REGION, intents=()):
        for text in texts:
            signals.add(
                Signal(kind="handoff_offer", reason=reason, region=region, text=text, intents=intents),
                at=yesterday,
            )

    add(TAXI + BUSJE + MEDICINE)
    add(WEATHER * 2, reason="not_understood")  # the biggest group: noise
    add(["vraag over vakantiedagen in voorbeeld"] * 3, region="voorbeeld")
    with staff_server(env) as port:
        yield {"port": port, "signals": signals, "add": add}


def logged_in(site, name):
    browser = Browser(site["port"])
    assert browser.login(username=name, password=PASSWORD)[0] == 303
    return browser


def group_of(page, text):
    """(label, named id, signal ids) of the group showing `text` among all its questions."""
    for block in page.split('<div class="steunpunt-group">')[1:]:
        if text in block:
            label = re.findall(r'name="label" value="([^"]*)"', block)[0]
            named = re.search(r'name="groep" value="(\d+)"', block)
            return (
                label,
                named and named.group(1),
                re.findall(r'name="signal_ids" value="([0-9a-f]+)"', block),
            )
    raise AssertionError(f"no group shows {text!r}")


def test_education_needs_come_first_and_the_rest_is_folded(site):
    page = logged_in(site, "ali").request("GET", "/analyse")[2]
    education = page.index("Onderwijsvragen zonder antwoord")
    folded = page.index('<details class="steunpunt-details" id="buiten">')
    assert education < folded
    first = page.index('<div class="steunpunt-group">', education)
    assert first < folded and "weer" not in page[first : page.index("</h3>", first)]
    weather = page.index("wat voor weer wordt het morgen")
    assert weather > folded  # the biggest group, but under the fold
    assert page.index("medicijnen", education) < folded


def test_naming_merging_and_moving_need_the_form_token(site):
    browser = logged_in(site, "ali")
    _, _, ids = group_of(browser.request("GET", "/analyse")[2], MEDICINE[0])
    for path, form in (
        ("/analyse/groep/naam", [("naam", "medicijnen")] + [("signal_ids", i) for i in ids]),
        ("/analyse/groep/samenvoegen", [("samen", "0:" + ids[0]), ("samen", "0:" + ids[1]), ("naam", "x")]),
        ("/analyse/groep/verplaatsen", [("signal_id", ids[0]), ("naar", "1")]),
    ):
        assert browser.request_raw("POST", path, urlencode(form + [("csrf", "fout")]))[0] == 403, path
    assert site["signals"].named_groups() == []


def test_an_analyst_names_merges_and_moves_and_later_questions_join_the_named_group(site):
    browser = logged_in(site, "ali")
    csrf = browser.csrf("/analyse")
    page = browser.request("GET", "/analyse")[2]
    # words alone cannot join "taxi" and "busje": two groups
    taxi, busje = group_of(page, TAXI[1]), group_of(page, BUSJE[0])
    assert taxi[2] != busje[2]

    # name the taxi group
    form = [("csrf", csrf), ("naam", "Leerlingenvervoer"), ("back", "/analyse")] + [
        ("signal_ids", i) for i in taxi[2]
    ]
    assert browser.request_raw("POST", "/analyse/groep/naam", urlencode(form))[0] == 303
    page = browser.request("GET", "/analyse")[2]
    label, named, ids = group_of(page, TAXI[1])
    assert label == "Leerlingenvervoer" and named and sorted(ids) == sorted(taxi[2])

    # merge the busje group into it
    busje = group_of(page, BUSJE[0])
    form = [
        ("csrf", csrf),
        ("samen", f"{named}:" + ",".join(ids)),
        ("samen", "0:" + ",".join(busje[2])),
        ("naam", ""),
    ]
    assert browser.request_raw("POST", "/analyse/groep/samenvoegen", urlencode(form))[0] == 303
    page = browser.request("GET", "/analyse")[2]
    label, named_after, ids = group_of(page, BUSJE[0])
    assert label == "Leerlingenvervoer" and named_after == named
    assert set(ids) == set(taxi[2]) | set(busje[2])
    assert re.search(r"Leerlingenvervoer \(6 vragen\)", page), re.findall(
        r"Leerlingenvervoer \([^)]*\)", page
    )

    # move one medicine question into it: it leaves its group and stays moved
    [moved] = [r["id"] for r in site["signals"].rows(with_text=True) if r["text"] == MEDICINE[2]]
    move = {"csrf": csrf, "signal_id": moved, "naar": named}
    assert browser.request("POST", "/analyse/groep/verplaatsen", move)[0] == 303
    page = browser.request("GET", "/analyse")[2]
    assert moved in group_of(page, BUSJE[0])[2] and moved not in group_of(page, MEDICINE[0])[2]

    # a later question like the named group's lands in it, though it shares no word with "taxi"
    site["add"](["het busje naar school rijdt niet meer, wie regelt dat"], reason="not_understood")
    page = browser.request("GET", "/analyse")[2]
    assert group_of(page, "het busje naar school rijdt niet meer")[0] == "Leerlingenvervoer"
    # and unlike it stays out of it
    assert group_of(page, WEATHER[0])[0] != "Leerlingenvervoer"


def test_another_regions_analyst_can_neither_see_nor_steer_these_groups(site):
    ali, vik = logged_in(site, "ali"), logged_in(site, "vik")
    _, _, ids = group_of(ali.request("GET", "/analyse")[2], MEDICINE[0])
    csrf = vik.csrf("/analyse")
    form = [("csrf", csrf), ("naam", "overgenomen")] + [("signal_ids", i) for i in ids]
    assert vik.request_raw("POST", "/analyse/groep/naam", urlencode(form))[0] == 400
    merge = [("csrf", csrf), ("samen", "0:" + ids[0]), ("samen", "0:" + ids[1]), ("naam", "x")]
    assert vik.request_raw("POST", "/analyse/groep/samenvoegen", urlencode(merge))[0] == 400
    theirs = [g["id"] for g in site["signals"].named_groups()]
    own = group_of(vik.request("GET", "/analyse")[2], "vakantiedagen in voorbeeld")[2]
    for gid in theirs:  # not into another region's named group either
        move = {"csrf": csrf, "signal_id": own[0], "naar": str(gid)}
        assert vik.request("POST", "/analyse/groep/verplaatsen", move)[0] == 400
    page = vik.request("GET", "/analyse")[2]
    assert "Leerlingenvervoer" not in page and "overgenomen" not in page and "taxi" not in page
    assert not any(g["name"] == "overgenomen" for g in site["signals"].named_groups())
