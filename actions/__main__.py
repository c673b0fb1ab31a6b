"""`python -m actions [--port N]`: the action server, for the Rasa server only.

Rasa SDK's own `rasa run actions` listens on every interface, answers anyone, allows every CORS
origin and, on an error, logs and returns the whole request (the conversation). Here the same
actions are served on settings.HOST (127.0.0.1 by default), every call but /health must carry
the shared token that endpoints.yml sends as `?token=` (settings.action_token()), requests are size-limited,
and an error is logged by its type only.
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request

from steunpunt import settings

logger = logging.getLogger("actions.server")


def create_server(token: str):
    app = create_app("actions", cors_origins=None)
    app.config.REQUEST_MAX_SIZE = settings.ACTION_MAX_REQUEST_BYTES
    expected = token.encode()

    @app.middleware("request")
    async def require_token(request: Request):
        if request.path == "/health":
            return None
        given = (request.args.get("token") or "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    async def on_error(request: Request, exception: Exception):
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:
            logger.error("action call failed: %s", type(exception).__name__)
        return response.json({"error": "request failed" if status < 500 else "internal error"}, status=status)

    app.error_handler.add(Exception, on_error)  # replaces Rasa SDK's, which echoes the request
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.HOST)
    parser.add_argument("--port", type=int, default=settings.ACTION_PORT)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    create_server(settings.action_token()).run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
