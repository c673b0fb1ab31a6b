"""`python -m website [--host H] [--port N]`: run the public site (pages, /widget.js, /demo)."""

import argparse

from steunpunt import settings
from website.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.HOST)
    parser.add_argument("--port", type=int, default=settings.SITE_PORT)
    args = parser.parse_args()
    create_app().run(host=args.host, port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
