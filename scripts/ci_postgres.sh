#!/usr/bin/env bash
# CI only: start a local PostgreSQL from Debian's packages and print a TEST_DATABASE_URL for
# the store tests. Installs the package when missing. Exits non-zero if it cannot.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
pg_lsclusters -h | grep -q "^$version main" || pg_createcluster "$version" main >&2
pg_ctlcluster "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main status >&2
for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='steunpunt_test'\"" | grep -q 1 ||
  su postgres -c "psql -qc \"CREATE ROLE steunpunt_test LOGIN PASSWORD 'steunpunt_test'\"" >&2
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='steunpunt_test'\"" | grep -q 1 ||
  su postgres -c "createdb -O steunpunt_test steunpunt_test" >&2
echo "postgresql+psycopg2://steunpunt_test:steunpunt_test@127.0.0.1/steunpunt_test"
