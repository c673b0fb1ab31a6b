"""The action server's actions: `respond` (every turn's outcome), `handoff` (form, tickets, codes).

With STEUNPUNT_WARM_REDACTOR=1 (set by scripts/run.sh) the redaction is loaded in the
background as the server starts, so the first unanswered question does not wait for it.
"""

import os
import threading

if os.environ.get("STEUNPUNT_WARM_REDACTOR") == "1":

    def _warm() -> None:
        from signals.redact import shared

        shared()

    threading.Thread(target=_warm, name="warm-redactor", daemon=True).start()
