#!/usr/bin/env bash
# Run the assistant scaled out: several Rasa and action server processes sharing PostgreSQL and
# Redis, behind nginx (config: deploy/nginx.conf.template, endpoints: deploy/endpoints.scaled.yml).
# The embedded single-process form stays ./scripts/run.sh.
#
# Required:
#   STEUNPUNT_DATABASE_URL   postgresql+psycopg2://user:password@host:port/db (tickets, signals
#                            and Rasa's conversations, in one database)
#   STEUNPUNT_REDIS_URL      redis://host:port/db (Rasa's lock store)
#   STEUNPUNT_SECRET_KEY     the same 32+ character secret for every process
# Optional:
#   STEUNPUNT_PORT (5005: nginx, the public port), STEUNPUNT_HOST (127.0.0.1),
#   STEUNPUNT_RASA_PROCESSES (2), STEUNPUNT_ACTION_PROCESSES (2),
#   STEUNPUNT_INTERNAL_PORT (7000: first of the internal ports, all on 127.0.0.1),
#   STEUNPUNT_STAFF_PORT (5056), STEUNPUNT_SITE_PORT (5057), STEUNPUNT_VAR_DIR (var/: nginx's files),
#   STEUNPUNT_REDACTION_SOCKET (var/redactor-<port>.sock: the one redaction worker of this machine).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# What the servers write (nginx's files, logs) is for this user only, var/ included.
umask 077

: "${STEUNPUNT_DATABASE_URL:?set STEUNPUNT_DATABASE_URL to a PostgreSQL URL}"
: "${STEUNPUNT_REDIS_URL:?set STEUNPUNT_REDIS_URL, e.g. redis://127.0.0.1:6379/1}"
: "${STEUNPUNT_SECRET_KEY:?set STEUNPUNT_SECRET_KEY (the same for every process)}"
command -v nginx >/dev/null || { echo "[scaled] nginx not found (apt-get install nginx)" >&2; exit 1; }

# Ports, host and folders: the defaults of steunpunt/settings.py (an environment variable wins).
eval "$("$PY" -m steunpunt.settings HOST PORT STAFF_PORT SITE_PORT VAR_DIR)"
HOST="$STEUNPUNT_HOST" PORT="$STEUNPUNT_PORT" STAFF_PORT="$STEUNPUNT_STAFF_PORT"
SITE_PORT="$STEUNPUNT_SITE_PORT" VAR_DIR="$STEUNPUNT_VAR_DIR"
RASA_N="${STEUNPUNT_RASA_PROCESSES:-2}"
ACTION_N="${STEUNPUNT_ACTION_PROCESSES:-2}"
NEXT="${STEUNPUNT_INTERNAL_PORT:-7000}"
ACTION_PROXY_PORT=$((NEXT++))
VAR="$VAR_DIR/nginx-$PORT"
mkdir -p "$VAR"
chmod -R go-rwx "$VAR_DIR"

# The database and Redis URLs, taken apart for Rasa's endpoint configuration.
eval "$("$PY" - <<'PY'
import os, shlex
from urllib.parse import urlparse
db, redis = urlparse(os.environ["STEUNPUNT_DATABASE_URL"]), urlparse(os.environ["STEUNPUNT_REDIS_URL"])
if not db.scheme.startswith("postgresql"):
    print("echo '[scaled] STEUNPUNT_DATABASE_URL must be PostgreSQL' >&2; exit 1")
    raise SystemExit(0)
values = {"STEUNPUNT_PG_HOST": db.hostname or "127.0.0.1", "STEUNPUNT_PG_PORT": str(db.port or 5432),
          "STEUNPUNT_PG_DB": db.path.lstrip("/"), "STEUNPUNT_PG_USER": db.username or "",
          "STEUNPUNT_PG_PASSWORD": db.password or "", "STEUNPUNT_REDIS_HOST": redis.hostname or "127.0.0.1",
          "STEUNPUNT_REDIS_PORT": str(redis.port or 6379), "STEUNPUNT_REDIS_DB": redis.path.lstrip("/") or "1"}
print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in values.items()))
PY
)"
export STEUNPUNT_HOST="$HOST" STEUNPUNT_PORT="$PORT" STEUNPUNT_SITE_PORT="$SITE_PORT"
export STEUNPUNT_TRACKER_DB="$STEUNPUNT_DATABASE_URL"
export STEUNPUNT_ACTION_URL="http://127.0.0.1:$ACTION_PROXY_PORT/webhook"
export STEUNPUNT_ACTION_TOKEN="${STEUNPUNT_ACTION_TOKEN:-$("$PY" -c 'from steunpunt import settings; print(settings.action_token())')}"
# Client addresses arrive from nginx on this machine: believe its X-Forwarded-For.
export STEUNPUNT_TRUSTED_PROXIES="${STEUNPUNT_TRUSTED_PROXIES:-127.0.0.1}"
# A conversation's lock outlives a killed process for this long at most (Rasa: 60 s).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-15}"

"$PY" -c 'from steunpunt import settings; from store.db import engine_for; engine_for(settings.DATABASE_URL)'

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT INT TERM
# One redaction worker for every action server of this machine: the tables (~1.1 GB) once,
# not once per action process (signals/redaction_worker.py). This user's socket, per deployment.
export STEUNPUNT_REDACTION_SOCKET="${STEUNPUNT_REDACTION_SOCKET:-$VAR_DIR/redactor-$PORT.sock}"
"$PY" -m signals redactor & pids+=($!)
action_servers="" rasa_servers=""
for _ in $(seq "$ACTION_N"); do
  p=$((NEXT++))
  "$PY" -m actions --host 127.0.0.1 --port "$p" & pids+=($!)
  action_servers+="    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'
done
for _ in $(seq "$RASA_N"); do
  p=$((NEXT++))
  .venv/bin/rasa run --model "$MODEL" --credentials credentials.yml \
    --endpoints deploy/endpoints.scaled.yml --interface 127.0.0.1 --port "$p" & pids+=($!)
  rasa_servers+="    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"$'\n'
done
"$PY" -m staff --host "$HOST" --port "$STAFF_PORT" & pids+=($!)
"$PY" -m website --host "$HOST" --port "$SITE_PORT" & pids+=($!)

RASA_SERVERS="$rasa_servers" ACTION_SERVERS="$action_servers" VAR="$VAR" ACTION_PROXY_PORT="$ACTION_PROXY_PORT" \
"$PY" - <<'PY'
import os
from steunpunt import settings
template = open("deploy/nginx.conf.template").read()
os.makedirs(os.environ["VAR"], exist_ok=True)
# The per-address message limit of the settings, for nginx (whole requests per minute).
rate, burst = max(1, round(settings.MESSAGES_PER_CLIENT_MINUTE)), max(1, round(settings.MESSAGE_BURST_PER_CLIENT))
with open(os.path.join(os.environ["VAR"], "nginx.conf"), "w") as out:
    out.write(template.format(var=os.environ["VAR"], host=os.environ["STEUNPUNT_HOST"],
                              port=os.environ["STEUNPUNT_PORT"], action_port=os.environ["ACTION_PROXY_PORT"],
                              rasa_servers=os.environ["RASA_SERVERS"].rstrip(),
                              action_servers=os.environ["ACTION_SERVERS"].rstrip(),
                              message_rate=rate, message_burst=burst,
                              socket_rate=3 * rate, socket_burst=3 * burst))
PY
cat >&2 <<INFO
[scaled] $RASA_N Rasa and $ACTION_N action server processes; PostgreSQL $STEUNPUNT_PG_HOST, Redis $STEUNPUNT_REDIS_HOST:$STEUNPUNT_REDIS_PORT
[scaled] chat:  http://$HOST:$PORT/webhooks/rest/webhook  (socket.io: http://$HOST:$PORT/socket.io)
[scaled] site:  http://$HOST:$SITE_PORT/   staff: http://$HOST:$STAFF_PORT/
INFO
nginx -p "$VAR" -c "$VAR/nginx.conf" & pids+=($!)
wait  # one process ending (or being killed) does not stop the others
