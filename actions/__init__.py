"""The action server's actions: `respond` (every turn's outcome), `handoff` (form, tickets, codes).

With settings.WARM_REDACTOR (STEUNPUNT_WARM_REDACTOR=1, set by scripts/run.sh) the redaction
is loaded in the background as the server starts, so the first unanswered question does not
wait for it.
"""

import threading

from steunpunt import settings

if settings.WARM_REDACTOR:

    def _warm() -> None:
        from signals.redact import shared

        shared()

    threading.Thread(target=_warm, name="warm-redactor", daemon=True).start()
