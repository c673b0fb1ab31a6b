"""Staff accounts and requests to erase data, from the command line (every change audited):

    python -m staff.cli create-user NAME [--role medewerker|analist|redacteur] [--password-stdin]
                                         [--region ID ... | --all-regions]
    python -m staff.cli set-regions NAME (--region ID ... | --all-regions)
    python -m staff.cli disable-user NAME      # no more logins; open sessions end now
    python -m staff.cli enable-user NAME
    python -m staff.cli revoke-sessions NAME   # e.g. a lost laptop: log out everywhere
    python -m staff.cli erase-ticket SP-00042  # remove a ticket's personal data on request,
                                               # its conversations and its signals' texts
    python -m staff.cli export-drafts --out DIR  # every draft topic ("wacht op training") in
                                               # the repository's format, for developers

export-drafts writes, per new topic an editor made from a group of unmet questions, its newest
text as DIR/content/topics/<id>.md (a region's: DIR/content/regions/<region>/topics/<id>.md)
and its draft training examples as DIR/data/nlu/concept-<id>.yml (`intent: info_<id>`): review,
copy into the repository, commit and train. Nothing is written into the running content/.

Staff (medewerker) handle tickets; analysts (analist) see signals, figures and redacted
transcripts only; editors (redacteur) write the texts of their regions (national texts: the
default region or --all-regions). Each account sees the tickets and signals of its regions only: the default
region unless --region names others; --all-regions is a national role. With --password-stdin
the password is read from standard input (scripts)."""

import argparse
import getpass
import re
import sys

from steunpunt import settings
from store.accounts import Accounts
from store.conversations import TrackerStoreUnavailable
from store.db import engine_for
from store.schema import ROLES
from store.tickets import TicketStore


def create_user(args) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if password != getpass.getpass("Nog een keer: "):
            raise ValueError("de wachtwoorden zijn niet gelijk")
    Accounts(engine_for(settings.DATABASE_URL)).create(
        args.username, password, args.role, chosen_regions(args)
    )
    return f"Account {args.username!r} ({args.role}, {shown_regions(args)}) is aangemaakt."


def chosen_regions(args):
    """The regions named with --region (checked: they must exist), or None for all."""
    if args.all_regions:
        return None
    from steunpunt.regions import known_regions

    unknown = [region for region in args.region or [] if region not in known_regions()]
    if unknown:
        raise ValueError(f"onbekende regio('s): {', '.join(unknown)} (zie content/regions/)")
    return args.region or []


def shown_regions(args) -> str:
    if args.all_regions:
        return "alle regio's"
    return "regio " + ", ".join(args.region or [settings.DEFAULT_REGION])


def region_options(parser, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--region", action="append", metavar="ID", help="a region it sees (repeat)")
    group.add_argument("--all-regions", action="store_true", help="every region: a national role")


def erase_ticket(args) -> str:
    match = re.fullmatch(r"(?:SP-)?0*(\d{1,9})", args.ticket.strip().upper())
    if not match:
        raise ValueError(f"{args.ticket!r} is geen vraagnummer zoals SP-00042")
    store = TicketStore(
        engine_for(settings.DATABASE_URL), settings.secret_key(), tracker_db=settings.TRACKER_DB
    )
    try:
        erased = store.erase(int(match.group(1)), staff_id=None)
    except KeyError:
        raise ValueError(f"vraag {args.ticket} bestaat niet") from None
    except TrackerStoreUnavailable as problem:
        raise ValueError(
            f"{problem}. Er is niets gewist: {args.ticket} en de verwijzingen naar zijn gesprekken "
            "blijven, zodat het wissen herhaald kan worden. Controleer STEUNPUNT_TRACKER_DB."
        ) from None
    return (
        f"De persoonlijke gegevens van {args.ticket} zijn gewist, met {erased.conversations} "
        f"gesprek(ken) ({erased.tracker_events} gebeurtenissen) en de tekst van "
        f"{erased.signals} signaal/signalen."
    )


def export_drafts(out_dir: str) -> str:
    """Every draft topic as files in the repository's format under `out_dir`."""
    from pathlib import Path

    from library.training import nlu_draft
    from store.content_versions import ContentVersions

    store = ContentVersions(engine_for(settings.DATABASE_URL))
    out = Path(out_dir)
    written = []
    for draft in store.draft_topics():
        version = store.newest_text(draft.region, draft.topic_id)
        if draft.region == settings.DEFAULT_REGION:
            topic_file = out / "content" / "topics" / f"{draft.topic_id}.md"
        else:
            topic_file = out / "content" / "regions" / draft.region / "topics" / f"{draft.topic_id}.md"
        if version is not None:
            topic_file.parent.mkdir(parents=True, exist_ok=True)
            topic_file.write_text(version.text, encoding="utf-8")
        nlu_file = out / "data" / "nlu" / f"concept-{draft.topic_id}.yml"
        nlu_file.parent.mkdir(parents=True, exist_ok=True)
        nlu_file.write_text(nlu_draft(draft.topic_id, draft.examples), encoding="utf-8")
        written.append(f"{draft.topic_id} ({draft.region}, {len(draft.examples)} voorbeeldvragen)")
    if not written:
        return "Er zijn geen concept-onderwerpen."
    return f"Geschreven naar {out}: " + "; ".join(written)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--role", choices=ROLES, default=ROLES[0])
    region_options(create, required=False)
    limit = commands.add_parser("set-regions", help="which regions an account sees")
    limit.add_argument("username")
    region_options(limit, required=True)
    for name, help_text in (
        ("disable-user", "no more logins for this account"),
        ("enable-user", "allow logins again"),
        ("revoke-sessions", "end every session of this account"),
    ):
        commands.add_parser(name, help=help_text).add_argument("username")
    commands.add_parser("erase-ticket", help="erase a ticket's personal data").add_argument("ticket")
    drafts = commands.add_parser("export-drafts", help="draft topics and their examples as files")
    drafts.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    args = parser.parse_args(argv)
    accounts = lambda: Accounts(engine_for(settings.DATABASE_URL))  # noqa: E731

    def set_regions() -> str:
        accounts().set_regions(args.username, chosen_regions(args))
        return f"Account {args.username!r} ziet nu {shown_regions(args)}."

    def disable_user() -> str:
        accounts().disable(args.username)
        return f"Account {args.username!r} kan niet meer inloggen."

    def enable_user() -> str:
        accounts().enable(args.username)
        return f"Account {args.username!r} kan weer inloggen."

    actions = {
        "create-user": lambda: create_user(args),
        "set-regions": set_regions,
        "disable-user": disable_user,
        "enable-user": enable_user,
        "revoke-sessions": lambda: f"{accounts().revoke_sessions(args.username)} sessie(s) beëindigd.",
        "erase-ticket": lambda: erase_ticket(args),
        "export-drafts": lambda: export_drafts(args.out),
    }
    try:
        print(actions[args.command]())
    except ValueError as error:
        print(f"Niet gelukt: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
