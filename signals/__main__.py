"""`python -m signals COMMAND`: the analysts' and administrators' tools on the command line.

redact                       read lines on standard input, write them redacted: shows staff
                             exactly what would be stored of a message
export [--since D] [--until D] [--region ID]
                             every signal in the period as JSON lines (D: YYYY-MM-DD, local day)
report --period 2026-Q4 [--region ID] [--out FILE]
                             the periodic report for one samenwerkingsverband (--region, may be
                             repeated) or national (all regions), one HTML file
                             (periods: 2026-Q4, 2026-11, 2026, or --since/--until)
retention                    delete old signals (keeping their counts) and old conversation
                             texts in Rasa's tracker store (settings: *_RETENTION_DAYS)
warm                         build deduce's lookup cache and the Dutch word tables of the
                             grouping (signals/words.py; set-up does this once)
redactor [--socket PATH]     the shared redaction worker: loads the tables once and redacts
                             signals for the servers on this machine (scripts/run.sh starts it;
                             default PATH: settings.REDACTION_SOCKET)
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"geen datum als 2026-11-01: {text!r}") from None


def _store():
    from signals.store import SignalStore
    from steunpunt import settings
    from store.db import engine_for

    return SignalStore(engine_for(settings.DATABASE_URL))


def redact_lines(stdin, stdout) -> None:
    """Bytes in, text out: invalid UTF-8 becomes U+FFFD instead of stopping the filter."""
    from signals.redact import shared

    redactor = shared()
    for raw in stdin:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        stdout.write(redactor.redact(line) + "\n")
        stdout.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m signals", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("redact", help="redact lines from standard input")
    export = commands.add_parser("export", help="signals as JSON lines")
    export.add_argument("--since", type=_date)
    export.add_argument("--until", type=_date)
    export.add_argument(
        "--region", action="append", metavar="ID", help="only this region (repeat; default: all)"
    )
    report = commands.add_parser("report", help="the periodic report as HTML")
    report.add_argument("--period", help="2026-Q4, 2026-11 or 2026")
    report.add_argument("--since", type=_date)
    report.add_argument("--until", type=_date)
    report.add_argument("--out", help="write to this file instead of standard output")
    report.add_argument(
        "--region",
        action="append",
        metavar="ID",
        help="a report for this region (repeat); default: national, all regions",
    )
    commands.add_parser("retention", help="delete what is past its retention period")
    commands.add_parser("warm", help="build deduce's lookup cache and the grouping's word tables")
    worker = commands.add_parser("redactor", help="the shared redaction worker")
    worker.add_argument("--socket", help="the Unix socket to listen on (default: settings.REDACTION_SOCKET)")
    args = parser.parse_args(argv)

    if args.command == "redact":
        redact_lines(sys.stdin.buffer, sys.stdout)
    elif args.command == "warm":
        from signals.redact import Redactor, lookup_cache_ready

        if not lookup_cache_ready():
            import logging

            logging.disable(logging.INFO)
            print("[setup] deduce: building its lookup cache once (1-2 minutes) ...", file=sys.stderr)
            Redactor()
        from signals import words

        if not words.table_path().exists():
            print(
                "[setup] grouping: deriving the Dutch word tables once (about a minute) ...", file=sys.stderr
            )
            words.warm()
    elif args.command == "redactor":
        import logging
        from pathlib import Path

        from signals.redaction_worker import serve
        from steunpunt import settings

        path = args.socket or settings.REDACTION_SOCKET
        if not path:
            print("geen socket: geef --socket of STEUNPUNT_REDACTION_SOCKET", file=sys.stderr)
            return 2
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        serve(Path(path))
    elif args.command == "export":
        from signals.store import iter_export

        for row in iter_export(_store().for_regions(args.region).rows(args.since, args.until)):
            print(json.dumps(row, ensure_ascii=False))
    elif args.command == "report":
        from signals.period import Period
        from signals.report import build_report

        try:
            period = Period.parse(args.period) if args.period else Period.between(args.since, args.until)
        except ValueError as error:
            print(f"Niet gelukt: {error}", file=sys.stderr)
            return 2
        regions = args.region  # None: national
        html = build_report(_store().for_regions(regions), _tickets().for_regions(regions), period, regions)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(html)
            print(f"Rapport geschreven: {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(html)
    elif args.command == "retention":
        from signals.retention import run

        pruned = run(_store())
        print(
            f"{pruned.signals} signalen geteld en verwijderd, "
            f"{pruned.tracker_events} gespreksregels uit Rasa's tracker store verwijderd."
        )
    return 0


def _tickets():
    from steunpunt import settings
    from store.db import engine_for
    from store.tickets import TicketStore

    return TicketStore(engine_for(settings.DATABASE_URL), settings.secret_key())


if __name__ == "__main__":
    raise SystemExit(main())
