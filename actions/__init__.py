"""The action server's actions: `respond` (every turn's outcome), `handoff` (form, tickets, codes).

The redaction of signals runs in the shared redaction worker when settings.REDACTION_SOCKET is
set (scripts/run.sh does): the action server then never loads the redaction tables (~1.1 GB).
Without a worker, settings.WARM_REDACTOR (STEUNPUNT_WARM_REDACTOR=1) loads them in the
background as the server starts, so the first unanswered question does not wait for them.
"""

import threading

from steunpunt import settings

if settings.WARM_REDACTOR and not settings.REDACTION_SOCKET:

    def _warm() -> None:
        from signals.redact import shared

        shared()

    threading.Thread(target=_warm, name="warm-redactor", daemon=True).start()
