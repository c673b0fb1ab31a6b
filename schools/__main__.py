"""`python -m schools COMMAND`: a region's school directory from DUO's files, and what it holds.

import --region ID FILE... [--swv CODE]... [--codes FILE] [--bron TEXT] [--if-changed]
        read DUO's files (locations of bo, (s)bo/(v)so and vo; schools per samenwerkingsverband;
        boards), keep the region's schools and replace its directory whole. The region's
        schools are those of samenwerkingsverband CODE (--swv "PO 20-01", may be repeated; without
        it the region's regio.yml facts swv_code_po and swv_code_vo) and/or those listed in
        --codes FILE (BRIN or location codes, one a line). Rows that are wrong are reported with
        file and line and left out; a file that cannot be read stops the import and the old
        directory stays. --if-changed: do nothing when the same files were imported last time
        (set-up uses this).
show --region ID
        what the region's directory holds: import date, source, schools per kind and place.

Why messages and never a traceback: the people who run this are a steunpunt's staff with a file
from duo.nl, and what they need to know is which file or line to look at.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import List, Optional, Sequence

import yaml

from schools import duo, model
from steunpunt import clock, settings
from steunpunt.regions import REGION_ID, known_regions

#: How many skipped rows and notes are printed one by one (the rest as a count).
SHOWN_PROBLEMS = 50


def region_swv_codes(region: str) -> List[str]:
    """The region's samenwerkingsverband codes from its regio.yml (swv_code_po, swv_code_vo)."""
    path = (
        Path(settings.REGIO_FILE)
        if region == settings.DEFAULT_REGION
        else Path(settings.REGIONS_DIR) / region / "regio.yml"
    )
    try:
        facts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    if not isinstance(facts, dict):
        return []
    return [
        str(facts[key]).strip() for key in ("swv_code_po", "swv_code_vo") if str(facts.get(key) or "").strip()
    ]


def _stamp_path(region: str) -> Path:
    return Path(settings.SCHOOLS_DIR) / f".{region}.import"


def _print_problems(title: str, problems: Sequence[duo.Problem], out) -> None:
    if not problems:
        return
    print(f"{title} ({len(problems)}):", file=out)
    for problem in problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=out)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"  ... en nog {len(problems) - SHOWN_PROBLEMS}", file=out)


def import_command(args: argparse.Namespace) -> int:
    region = args.region
    swv_codes = list(args.swv or []) or ([] if args.codes else region_swv_codes(region))
    codes = sorted(duo.read_codes(Path(args.codes))) if args.codes else []
    paths = [Path(name) for name in args.files]
    for path in paths:  # a missing file is named before anything else is read
        if not path.exists():
            raise duo.DuoFileError(f"{path}: bestand niet gevonden (file not found)")
    stamp = duo.fingerprint(paths, swv_codes, codes, args.bron or "") if args.if_changed else ""
    if stamp and model.directory_path(region).is_file():
        try:
            if _stamp_path(region).read_text(encoding="utf-8").strip() == stamp:
                print(f"{region}: scholenlijst al geïmporteerd uit deze bestanden, niets te doen")
                return 0
        except OSError:
            pass
    result = duo.build(region, paths, swv_codes, codes, source=args.bron or "")
    path = model.save(result.directory)
    if stamp:
        _stamp_path(region).write_text(stamp + "\n", encoding="utf-8")
    for line in result.data.described:
        print(f"gelezen: {line}")
    _print_problems("Overgeslagen rijen", result.skipped, sys.stdout)
    _print_problems("Opmerkingen", result.notes, sys.stdout)
    chosen = ", ".join(swv_codes) + (f"; {len(codes)} codes uit {Path(args.codes).name}" if codes else "")
    print(
        f"{region}: {len(result.directory.schools)} scholen ({chosen}) opgeslagen in {path}, "
        f"import van {clock.dutch_date(result.directory.imported_on)}"
    )
    _print_extras(region, result.directory)
    return 0


def _print_extras(region: str, directory: model.Directory) -> None:
    """The region's own file (scholen.yml) checked against the directory: a SOP link to a school
    that is not in it is a typo or a school that closed."""
    try:
        extras = model.read_extras(model.extras_path(region))
    except model.SchoolDataError as error:
        print(f"Let op: {error}")
        return
    unknown = sorted(code for code in extras if directory.by_location(code) is None)
    for code in unknown:
        print(
            f"Let op: {model.extras_path(region).name} noemt {code}, maar die school staat niet in de lijst"
        )


def show_command(args: argparse.Namespace) -> int:
    region = args.region
    path = model.directory_path(region)
    if not path.is_file():
        print(f"{region} heeft nog geen scholenlijst: python -m schools import --region {region} BESTAND...")
        return 1
    try:
        directory = model.read_directory(path, model.read_extras(model.extras_path(region)))
    except model.SchoolDataError as error:
        print(f"{region}: {error}", file=sys.stderr)
        return 1
    schools = directory.schools
    print(
        f"Regio {region}: {len(schools)} scholen, geïmporteerd op {clock.dutch_date(directory.imported_on)}"
    )
    print(f"Bron: {directory.source}")
    for group, found in model.grouped(schools).items():
        kinds = Counter(school.kind for school in found)
        counted = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        print(f"  {group}: {len(found)} ({counted})")
    levels = Counter(level for school in schools for level in school.levels)
    if levels:
        print(
            "  VO-niveaus: "
            + ", ".join(f"{level} {levels[level]}" for level in model.LEVELS if levels[level])
        )
    places = Counter(school.place for school in schools)
    print("  Plaatsen: " + ", ".join(f"{place} {count}" for place, count in sorted(places.items())))
    with_sop = sum(1 for school in schools if school.sop_url)
    print(f"  Met SOP-link (scholen.yml): {with_sop} van {len(schools)}")
    _print_extras(region, directory)
    return 0


def _region(value: str) -> str:
    if not REGION_ID.fullmatch(value):
        raise argparse.ArgumentTypeError(f"geen geldige regio-id: {value!r}")
    if value not in known_regions():
        raise argparse.ArgumentTypeError(
            f"onbekende regio {value!r} (bekend: {', '.join(sorted(known_regions()))})"
        )
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m schools", description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    do_import = commands.add_parser("import", help="de scholenlijst van een regio uit DUO's bestanden")
    do_import.add_argument("--region", required=True, type=_region)
    do_import.add_argument("files", nargs="+", metavar="BESTAND", help="DUO's CSV-bestanden")
    do_import.add_argument("--swv", action="append", metavar="CODE", help="code van het samenwerkingsverband")
    do_import.add_argument("--codes", metavar="BESTAND", help="BRIN- en vestigingscodes, één per regel")
    do_import.add_argument("--bron", metavar="TEKST", help="de bron zoals de site hem toont")
    do_import.add_argument(
        "--if-changed", action="store_true", help="niets doen als de bestanden niet veranderden"
    )
    do_import.set_defaults(run=import_command)
    do_show = commands.add_parser("show", help="wat de scholenlijst van een regio bevat")
    do_show.add_argument("--region", required=True, type=_region)
    do_show.set_defaults(run=show_command)
    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (duo.DuoFileError, duo.ImportRefused) as error:
        print(f"Import gestopt: {error}", file=sys.stderr)
        print(f"De scholenlijst van {args.region} is niet veranderd.", file=sys.stderr)
        return 1
    except (OSError, model.SchoolDataError) as error:
        print(f"Fout: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
