"""`python -m staff [--port N]`: run the staff web app (one worker; state is in the database).

It also applies the retention rules once at start and then once a day (signals/retention.py).
"""

import argparse
import asyncio
import logging

from staff.app import create_app
from steunpunt import settings
from store.accounts import Accounts
from store.db import engine_for
from store.tickets import TicketStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.STAFF_PORT)
    args = parser.parse_args()
    engine = engine_for(settings.DATABASE_URL)
    app = create_app(
        TicketStore(engine, settings.secret_key()),
        Accounts(engine, settings.STAFF_SESSION_HOURS),
        settings.STAFF_SECURE_COOKIES,
    )

    async def daily_retention(_app=None):
        from signals import retention
        from signals.store import SignalStore

        while True:
            try:
                await asyncio.to_thread(retention.run, SignalStore(engine))
            except Exception as error:  # noqa: BLE001 - retry tomorrow, say so without data
                logging.getLogger(__name__).error("retention failed: %s", type(error).__name__)
            await asyncio.sleep(24 * 3600)

    # Sanic calls a callable task with the app (Sanic._prep_task); its annotation of add_task
    # names only awaitables.
    app.add_task(daily_retention)  # type: ignore[arg-type]
    app.run(host=args.host, port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
