"""The importer of DUO's files (schools/duo.py, `python -m schools`), on DUO-format fixtures.

Why these tests: the directory is what the site and the chat tell parents about schools, and it
is replaced whole on each import. So: DUO's columns and encodings read as published, each field
where it belongs, only the region's own schools, a wrong row reported and left out, and a file
that is not DUO's stopping the import with the old directory intact.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from schools import duo, model
from steunpunt import clock, settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "duo"
FILES = sorted(FIXTURE.glob("*.csv"))
EEMLAND = ("PO 99-01", "VO 99-01")
VOORBEELD = ROOT / "content" / "regions" / "voorbeeld"


@pytest.fixture
def schools_dir(tmp_path, monkeypatch):
    folder = tmp_path / "schools"
    monkeypatch.setattr(settings, "SCHOOLS_DIR", folder)
    return folder


def build(swv=EEMLAND, codes=(), files=FILES):
    return duo.build("voorbeeld", files, swv, codes)


def run(*argv):
    from schools.__main__ import main

    return main([str(arg) for arg in argv])


def test_fields_are_mapped_from_each_of_duos_files():
    result = build()
    by = {school.location: school for school in result.directory.schools}
    regenboog = by["99XA00"]
    assert (regenboog.name, regenboog.kind, regenboog.brin) == (
        "Fictieve basisschool De Regenboog",
        "bao",
        "99XA",
    )
    assert (regenboog.street, regenboog.postcode, regenboog.place, regenboog.gemeente) == (
        "Regenboogstraat 1",
        "3811 AA",  # DUO's "3811AA" written as a postcode
        "Amersfoort",  # DUO's capitals as people write the place
        "Amersfoort",
    )
    assert regenboog.denomination == "Openbaar"
    assert regenboog.board == "Stichting Fictief Openbaar Onderwijs Eemland"  # from the boards file
    assert regenboog.website == "https://www.regenboog.invalid"
    # Windows-1252 (the po files) and UTF-8 (the vo file) both read right
    assert by["99XB00"].name == "Fictieve basisschool Sint-Geneviève"
    assert by["99XB00"].board == "99002"  # no name in the boards file: the number
    assert by["99XB00"].website == "http://www.genevieve.invalid"
    assert by["99XA01"].street == "Zonnehof 12 a"


def test_kinds_and_vo_levels():
    by = {school.location: school for school in build().directory.schools}
    kinds = {location: school.kind for location, school in by.items()}
    assert kinds == {
        "99XA00": "bao",
        "99XA01": "bao",
        "99XB00": "bao",
        "99XD00": "sbo",  # the kind from the main-locations file, by BRIN
        "99XE00": "so/vso",
        "99XE01": "so/vso",  # a second location of that school: the same kind
        "99YA00": "vo",
        "99YB00": "vo",
        "99YC00": "vo",
        "99YE00": "vo",
    }
    assert by["99YA00"].levels == ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo")
    assert by["99YB00"].levels == ("vmbo-b", "vmbo-k", "vmbo-t")  # VBO/MAVO
    assert by["99YC00"].levels == ("pro",)
    assert by["99YE00"].levels == ("vmbo-b", "vmbo-k")  # LWOO is no level; XYZ noted
    assert all(school.levels == () for school in by.values() if school.kind != "vo")
    assert {s.location for s in model.search(build().directory, kind="vmbo", place="Amersfoort")} == {
        "99YA00",
        "99YB00",
        "99YE00",
    }


@pytest.mark.parametrize(
    "structure, levels",
    [
        ("VMBO/HAVO/VWO", ("vmbo-b", "vmbo-k", "vmbo-g", "vmbo-t", "havo", "vwo")),
        ("HAVO/VWO", ("havo", "vwo")),
        ("VBO", ("vmbo-b", "vmbo-k")),
        ("MAVO", ("vmbo-t",)),
        ("vmbo-gt / havo", ("vmbo-g", "vmbo-t", "havo")),
        ("VWO/PRO", ("pro", "vwo")),
        ("", ()),
    ],
)
def test_onderwijsstructuur_is_split_into_the_models_levels(structure, levels):
    assert duo.levels_of(structure) == (levels, [])


def test_only_the_schools_of_the_regions_samenwerkingsverband():
    eemland = {school.location for school in build().directory.schools}
    domstad = {school.location for school in build(swv=("PO 99-02", "VO 99-02")).directory.schools}
    assert domstad == {"99XC00", "99XF00", "99YD00"}
    assert not eemland & domstad
    # one sector only: the PO code gives no VO school (and a vso school in both swv's is in both)
    po_only = {school.location for school in build(swv=("PO 99-01",)).directory.schools}
    assert po_only == {"99XA00", "99XA01", "99XB00", "99XD00", "99XE00", "99XE01"}
    # the code in another spelling is the same samenwerkingsverband
    assert {s.location for s in build(swv=("po99.01", "VO-99-01")).directory.schools} == eemland


def test_a_list_of_codes_chooses_brins_and_locations():
    chosen = {school.location for school in build(swv=(), codes=("99YD", "99XA01")).directory.schools}
    assert chosen == {"99YD00", "99XA01"}


def test_broken_rows_are_reported_with_file_and_line_and_left_out():
    result = build()
    skipped = {str(problem) for problem in result.skipped}
    assert (
        "03-alle-vestigingen-bo.csv, regel 6: BRIN '9X' is geen BRIN-nummer (4 tekens, zoals 12AB)" in skipped
    )
    assert "03-alle-vestigingen-bo.csv, regel 7: 99XH00: de naam ontbreekt" in skipped
    assert "03-alle-vestigingen-bo.csv, regel 8: 5 velden in plaats van 30" in skipped
    assert (
        "02-alle-vestigingen-vo.csv, regel 7: BRIN 'YY' is geen BRIN-nummer (4 tekens, zoals 12AB)" in skipped
    )
    assert any(
        p.startswith("02-hoofdvestigingen-sbo-so-vso.csv, regel 5: 99XK00: soort 'XYZ'") for p in skipped
    )
    assert any(p.startswith("scholen-per-samenwerkingsverband.csv, regel 16: 'SWV??'") for p in skipped)
    # a (v)so location whose kind no file gives: left out, never guessed
    assert any(p.startswith("04-alle-vestigingen-sbo-so-vso.csv, regel 6: 99XG00: soort") for p in skipped)
    assert len(skipped) == 7
    locations = {school.location for school in result.directory.schools}
    assert not locations & {"99XH00", "99XG00", "99XK00", "99XJ00"}
    notes = {str(problem) for problem in result.notes}
    assert (
        "02-alle-vestigingen-vo.csv, regel 4: 99YC00: internetadres 'niet bekend' is geen webadres" in notes
    )
    assert (
        "02-alle-vestigingen-vo.csv, regel 6: 99YE00: onderwijsstructuur XYZ niet herkend, overgeslagen"
        in notes
    )
    assert "scholen-per-samenwerkingsverband.csv, regel 7: 99XZ00 staat niet in de adresbestanden" in notes


def test_the_import_date_is_the_clocks_and_the_source_names_the_files(schools_dir):
    with clock.frozen(datetime(2027, 3, 1, 23, 30)):  # 00:30 on 2 March in Amsterdam
        assert run("import", "--region", "voorbeeld", *FILES, "--swv", "PO 99-01", "--swv", "VO 99-01") == 0
    stored = model.load("voorbeeld")
    assert stored is not None
    assert stored.imported_on.isoformat() == "2027-03-02"
    assert stored.source.startswith("DUO open onderwijsdata (02-alle-vestigingen-vo.csv")
    assert len(stored.schools) == 10


def test_a_broken_file_leaves_the_old_directory_as_it_was(schools_dir, tmp_path, capsys):
    assert run("import", "--region", "voorbeeld", *FILES, "--swv", "PO 99-01") == 0
    path = model.directory_path("voorbeeld")
    before = path.read_bytes()
    page = tmp_path / "03-alle-vestigingen-bo.csv"
    page.write_text("<!DOCTYPE html><html><body>Pagina niet gevonden</body></html>", encoding="utf-8")
    capsys.readouterr()
    assert run("import", "--region", "voorbeeld", FILES[0], page, "--swv", "PO 99-01") == 1
    err = capsys.readouterr().err
    assert "webpagina, geen CSV" in err and "niet veranderd" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in schools_dir.iterdir()) == ["voorbeeld.json"]  # no temporary file left


def test_re_import_replaces_the_directory_whole(schools_dir):
    assert run("import", "--region", "voorbeeld", *FILES, "--swv", "PO 99-01", "--swv", "VO 99-01") == 0
    assert run("import", "--region", "voorbeeld", *FILES, "--swv", "VO 99-01") == 0
    data = json.loads(model.directory_path("voorbeeld").read_text(encoding="utf-8"))
    assert {row["kind"] for row in data["schools"]} == {"vo", "so/vso"}  # the bao schools are gone
    assert {row["location"] for row in data["schools"]} == {
        "99YA00",
        "99YB00",
        "99YC00",
        "99YE00",
        "99XE00",
        "99XE01",
    }


def test_no_school_of_the_region_changes_nothing(schools_dir, capsys):
    assert run("import", "--region", "voorbeeld", *FILES, "--swv", "PO 99-01") == 0
    before = model.directory_path("voorbeeld").read_bytes()
    assert run("import", "--region", "voorbeeld", *FILES, "--swv", "PO 99-07") == 1
    assert "PO 99-07 komt in geen van de bestanden voor" in capsys.readouterr().err
    assert model.directory_path("voorbeeld").read_bytes() == before


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("leeg.csv", b"", "het bestand is leeg"),
        ("leeg2.csv", b"\r\n  \r\n", "het bestand is leeg"),
        ("alle-vestigingen.xlsx", b"PK\x03\x04" + b"\x00" * 40, "Excel- of zip-bestand"),
        ("binair.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "geen tekstbestand"),
        ("pagina.csv", b"\n  <html><head><title>DUO</title></head></html>", "webpagina, geen CSV"),
        ("anders.csv", b"NAAM;LEEFTIJD\r\nPiet;8\r\n", "de kolommen zijn niet die van een DUO-bestand"),
        ("kop.csv", b"BRIN NUMMER;VESTIGINGSNAAM;PLAATSNAAM\r\n", "alleen een kopregel"),
        ("geen-kolommen.csv", b"hallo wereld\r\nnog een regel\r\n", "geen kolommen gevonden"),
        (
            "vestigingen.csv",
            b"BRIN NUMMER;VESTIGINGSNAAM;PLAATSNAAM\r\n99XA;School;AMERSFOORT\r\n",
            "basisonderwijs (bo)",
        ),
    ],
)
def test_a_file_that_is_no_duo_file_stops_the_import_with_a_message(
    tmp_path, schools_dir, capsys, name, content, message
):
    bad = _write(tmp_path / name, content)
    assert run("import", "--region", "voorbeeld", *FILES, bad, "--swv", "PO 99-01") == 1
    err = capsys.readouterr().err
    assert message in err and name in err and "Traceback" not in err
    assert not model.directory_path("voorbeeld").exists()


def test_command_line_messages_for_bad_input(tmp_path, schools_dir, capsys, monkeypatch):
    assert run("import", "--region", "voorbeeld", tmp_path / "bestaat-niet.csv", "--swv", "PO 99-01") == 1
    assert "bestaat-niet.csv: bestand niet gevonden" in capsys.readouterr().err
    # no choice of schools: never the whole country (a region without swv codes in regio.yml)
    monkeypatch.setattr(settings, "REGIONS_DIR", tmp_path / "regions")
    (tmp_path / "regions" / "leeg").mkdir(parents=True)
    (tmp_path / "regions" / "leeg" / "regio.yml").write_text('swv_naam: "Test"\n', encoding="utf-8")
    assert run("import", "--region", "leeg", *FILES) == 1
    assert "nooit alle scholen van het land" in capsys.readouterr().err
    assert run("import", "--region", "leeg", FILES[2], "--swv", "PO 99-01") == 1
    assert "Scholen per samenwerkingsverband" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run("import", "--region", "bestaat-niet", *FILES)
    assert "onbekende regio" in capsys.readouterr().err
    huge = tmp_path / "groot.csv"
    with huge.open("wb") as out:
        out.truncate(duo.MAX_FILE_BYTES + 1)
    assert run("import", "--region", "leeg", huge, "--swv", "PO 99-01") == 1
    assert "te groot" in capsys.readouterr().err
    codes = _write(tmp_path / "codes.txt", b"99XA\nniet-goed\n")
    assert run("import", "--region", "leeg", *FILES, "--codes", codes) == 1
    assert "codes.txt, regel 2: 'NIET-GOED' is geen BRIN" in capsys.readouterr().err
    assert not (schools_dir / "leeg.json").exists()


def test_separator_and_encoding_are_detected(tmp_path):
    """A comma-separated UTF-8 file with a BOM and lower-case column names (the newer portal's
    form) reads like DUO's semicolon files."""
    text = (
        "\ufeffinstellingscode,vestigingscode,vestigingsnaam,plaatsnaam,onderwijsstructuur,internetadres\r\n"
        '99YA,0,"Fictief College Eemland, locatie Één",AMERSFOORT,HAVO/VWO,www.eemland.invalid\r\n'
    )
    path = _write(tmp_path / "vestigingenvo.csv", text.encode("utf-8"))
    data = duo.read_files([path])
    school = data.locations["99YA00"]  # a one-digit vestigingsnummer made a location code
    assert school.name == "Fictief College Eemland, locatie Één"
    assert school.levels == ("havo", "vwo")
    assert data.described == ["vestigingenvo.csv: vestigingen vo, 1 rijen, UTF-8 (met BOM), komma"]


def test_show_summarises_the_directory(schools_dir, capsys):
    assert run("show", "--region", "voorbeeld") == 1
    assert "heeft nog geen scholenlijst" in capsys.readouterr().out
    with clock.frozen(datetime(2027, 3, 1, 10)):
        assert run("import", "--region", "voorbeeld", *sorted((VOORBEELD / "duo").glob("*.csv"))) == 0
    capsys.readouterr()
    assert run("show", "--region", "voorbeeld") == 0
    out = capsys.readouterr().out
    assert "Regio voorbeeld: 14 scholen, geïmporteerd op 1 maart 2027" in out
    assert "PO: 6 (bao 5, sbo 1)" in out and "(V)SO: 3 (so 1, so/vso 1, vso 1)" in out
    assert "Met SOP-link (scholen.yml): 10 van 14" in out


def test_the_example_region_imports_its_fictional_schools(schools_dir):
    """What set-up does: the example region's swv codes from its regio.yml, its own files."""
    assert (
        run("import", "--region", "voorbeeld", "--if-changed", *sorted((VOORBEELD / "duo").glob("*.csv")))
        == 0
    )
    directory = model.load("voorbeeld")
    assert directory is not None
    regenboog = model.search(directory, name="De Regenboog")
    assert [s.name for s in regenboog] == ["Fictieve basisschool De Regenboog"]
    assert regenboog[0].sop_url.endswith(".invalid/schoolondersteuningsprofiel.pdf") and regenboog[0].note
    assert model.search(directory, kind="vmbo", place="Amersfoort")
    assert len(model.search(directory, kind="(V)SO")) >= 2
    assert all(s.name.startswith(("Fictief", "Fictieve")) for s in directory.schools)
    assert all(".invalid" in s.website for s in directory.schools)
    # a second run with the same files does nothing (set-up stays quick)
    stamp = model.directory_path("voorbeeld").stat().st_mtime_ns
    assert (
        run("import", "--region", "voorbeeld", "--if-changed", *sorted((VOORBEELD / "duo").glob("*.csv")))
        == 0
    )
    assert model.directory_path("voorbeeld").stat().st_mtime_ns == stamp


def test_the_command_never_shows_a_traceback(tmp_path):
    """As a separate process, the way staff run it: a bad file gives a message and exit 1."""
    folder = tmp_path / "fixture"
    shutil.copytree(FIXTURE, folder)
    (folder / "03-alle-vestigingen-bo.csv").write_bytes(b"\x00\x01\x02binary")
    done = subprocess.run(
        [sys.executable, "-m", "schools", "import", "--region", "voorbeeld", *sorted(folder.glob("*.csv"))],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "STEUNPUNT_SCHOOLS_DIR": str(tmp_path / "schools")},
        timeout=60,
    )
    assert done.returncode == 1
    assert "03-alle-vestigingen-bo.csv: dit is geen tekstbestand" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "schools" / "voorbeeld.json").exists()
