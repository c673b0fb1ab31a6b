"""Staff accounts: `python -m staff.cli create-user NAME [--role medewerker|analist]` (asks
for the password twice). Staff (medewerker) handle tickets; analysts (analist) see signals,
figures and redacted transcripts only. With --password-stdin the password is read from
standard input (for scripts)."""
import argparse
import getpass
import sys

from steunpunt import settings
from store.accounts import Accounts
from store.db import engine_for
from store.schema import ROLES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--password-stdin", action="store_true")
    create.add_argument("--role", choices=ROLES, default=ROLES[0])
    args = parser.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if password != getpass.getpass("Nog een keer: "):
            print("De wachtwoorden zijn niet gelijk.", file=sys.stderr)
            return 1
    try:
        Accounts(engine_for(settings.DATABASE_URL)).create(args.username, password, args.role)
    except ValueError as error:
        print(f"Niet gelukt: {error}", file=sys.stderr)
        return 1
    print(f"Account {args.username!r} ({args.role}) is aangemaakt.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
