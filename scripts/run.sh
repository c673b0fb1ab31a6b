#!/usr/bin/env bash
# Run the assistant: set-up if needed, then the action server, the staff web app, the public
# site (pages, widget, demo) and the Rasa server.
#   STEUNPUNT_PORT (5005), STEUNPUNT_ACTION_PORT (5055), STEUNPUNT_STAFF_PORT (5056),
#   STEUNPUNT_SITE_PORT (5057), STEUNPUNT_SITE_ORIGINS (pages allowed to open a chat),
#   STEUNPUNT_HOST (127.0.0.1), STEUNPUNT_DATABASE_URL (tickets; default SQLite in var/)
#   STEUNPUNT_VAR_DIR (var/: the databases, the secret key and the conversations by default)
#   STEUNPUNT_REDACTION_SOCKET (var/redactor-<action port>.sock: the shared redaction worker)
#   RASA_API_TOKEN: when set, Rasa's HTTP API is enabled, protected by this token.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# What the servers write (databases, the secret key, logs) is for this user only: var/ and
# everything in it (older files too), and every file made from here on.
umask 077

# Ports, host and folders: the defaults of steunpunt/settings.py (an environment variable wins).
# var/ unless STEUNPUNT_VAR_DIR names another folder (the tests use a temporary one).
eval "$("$PY" -m steunpunt.settings HOST PORT ACTION_PORT STAFF_PORT SITE_PORT VAR_DIR TRACKER_DB)"
HOST="$STEUNPUNT_HOST" PORT="$STEUNPUNT_PORT" ACTION_PORT="$STEUNPUNT_ACTION_PORT"
STAFF_PORT="$STEUNPUNT_STAFF_PORT" SITE_PORT="$STEUNPUNT_SITE_PORT" VAR_DIR="$STEUNPUNT_VAR_DIR"
export STEUNPUNT_ACTION_URL="http://$HOST:$ACTION_PORT/webhook"
export STEUNPUNT_TRACKER_DB
mkdir -p "$VAR_DIR"
chmod -R go-rwx "$VAR_DIR"

api=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api=(--enable-api --auth-token "$RASA_API_TOKEN"); fi

# Every process derives the same URLs and allowed origins from these (steunpunt/settings.py).
export STEUNPUNT_HOST="$HOST" STEUNPUNT_PORT="$PORT" STEUNPUNT_SITE_PORT="$SITE_PORT"
# Bring the database schema up to date once, before three processes start using it.
"$PY" -c 'from steunpunt import settings; from store.db import engine_for; engine_for(settings.DATABASE_URL)'
# The action server answers only the Rasa server: same host, and a token derived from the secret.
export STEUNPUNT_ACTION_TOKEN="${STEUNPUNT_ACTION_TOKEN:-$("$PY" -c 'from steunpunt import settings; print(settings.action_token())')}"
# The redaction tables (~1.1 GB in memory) are loaded once, by one redaction worker, not by
# every process that records signals; they send it the texts over this socket (this user's
# only; named after the action port, so two deployments on one machine never share it).
export STEUNPUNT_REDACTION_SOCKET="${STEUNPUNT_REDACTION_SOCKET:-$VAR_DIR/redactor-$ACTION_PORT.sock}"
"$PY" -m signals redactor &
REDACTOR_PID=$!
"$PY" -m actions --host "$HOST" --port "$ACTION_PORT" &
ACTION_PID=$!
# Plain http on this machine: staff cookies cannot be Secure here. Behind https, set it to 1.
STEUNPUNT_STAFF_SECURE_COOKIES="${STEUNPUNT_STAFF_SECURE_COOKIES:-0}" "$PY" -m staff --host "$HOST" --port "$STAFF_PORT" &
STAFF_PID=$!
"$PY" -m website --host "$HOST" --port "$SITE_PORT" &
SITE_PID=$!
trap 'kill "$REDACTOR_PID" "$ACTION_PID" "$STAFF_PID" "$SITE_PID" 2>/dev/null || true' EXIT INT TERM

cat >&2 <<INFO
[run] model:   ${MODEL#$ROOT/}
[run] chat:    POST http://$HOST:$PORT/webhooks/rest/webhook   (socket.io: http://$HOST:$PORT/socket.io)
[run] status:  GET  http://$HOST:$PORT/webhooks/status/
[run] actions: $STEUNPUNT_ACTION_URL
[run] site:    http://$HOST:$SITE_PORT/   (demo with the chat widget: http://$HOST:$SITE_PORT/demo)
[run] staff:   http://$HOST:$STAFF_PORT/   (accounts: .venv/bin/python -m staff.cli create-user NAME [--role analist])
[run] signals: .venv/bin/python -m signals export | report --period 2026-Q4 | redact | retention
INFO
.venv/bin/rasa run --model "$MODEL" --credentials credentials.yml --endpoints endpoints.yml \
  --interface "$HOST" --port "$PORT" "${api[@]}"
