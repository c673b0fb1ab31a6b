"""Staff accounts: `python -m staff.cli create-user NAME` (asks for the password twice).

With --password-stdin the password is read from standard input (for scripts)."""
import argparse
import getpass
import sys

from steunpunt import settings
from store.accounts import Accounts
from store.db import engine_for


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a staff account")
    create.add_argument("username")
    create.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        if password != getpass.getpass("Nog een keer: "):
            print("De wachtwoorden zijn niet gelijk.", file=sys.stderr)
            return 1
    try:
        Accounts(engine_for(settings.DATABASE_URL)).create(args.username, password)
    except ValueError as error:
        print(f"Niet gelukt: {error}", file=sys.stderr)
        return 1
    print(f"Medewerker {args.username!r} is aangemaakt.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
