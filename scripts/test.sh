#!/usr/bin/env bash
# Install what the tests need and run them all: lint, types, then the suite on
# SQLite and on a private PostgreSQL server. Exits non-zero on any failure.
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -k review  # extra arguments go to both pytest runs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${COMMONSHARE_VENV:-$ROOT/.venv}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}

step() { printf '\n== %s ==\n' "$*"; }

# --- system packages: PostgreSQL (with pg_dump), Debian's Chromium, nginx ----------------
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pg_dump >/dev/null || need+=(postgresql-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
# tests/test_two_app_hosts.py runs nginx in front of two app processes (docs/deploy.md)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  step "apt-get install ${need[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- Python environment ---------------------------------------------------------------
step "virtual environment at $VENV"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[test]"
export PATH="$VENV/bin:$PATH"

# --- a private PostgreSQL cluster on loopback ---------------------------------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=${COMMONSHARE_TEST_PGPORT:-54329}
WORK=$(mktemp -d)
chmod 755 "$WORK"
run_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }
stop_pg() {
  run_pg "$PGBIN/pg_ctl" -D "$WORK/pg/db" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop_pg EXIT
step "PostgreSQL on 127.0.0.1:$PGPORT"
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
run_pg "$PGBIN/initdb" -D "$WORK/pg/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$PGBIN/pg_ctl" -D "$WORK/pg/db" -l "$WORK/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $WORK/pg -c fsync=off" start >/dev/null
run_pg "$PGBIN/psql" -q -h 127.0.0.1 -p "$PGPORT" -U postgres \
  -c "CREATE ROLE app LOGIN PASSWORD 'app' CREATEDB" -c "CREATE DATABASE app OWNER app"
PG_URL="postgresql://app:app@127.0.0.1:$PGPORT/app"

export COMMONSHARE_DATA_DIR="$WORK/data"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
status=0

step "ruff"
ruff check src tests bench || status=1
ruff format --check src tests bench || status=1

step "mypy"
mypy || status=1

step "import-linter"
lint-imports || status=1

# The two suites run side by side, one per core, each with its own data folder (the
# SQLite test database is a file there); each one's output is shown when it ends.
step "pytest on SQLite and on PostgreSQL, side by side"
COMMONSHARE_DATA_DIR="$WORK/data-sqlite" pytest -q "$@" >"$WORK/sqlite.log" 2>&1 &
sqlite_run=$!
# tests/core never touches a database: running it twice would prove nothing.
COMMONSHARE_DATA_DIR="$WORK/data-pg" DATABASE_URL="$PG_URL" \
  pytest -q --ignore=tests/core "$@" >"$WORK/pg.log" 2>&1 &
pg_run=$!
wait $sqlite_run || status=1
step "pytest on SQLite"
cat "$WORK/sqlite.log"
wait $pg_run || status=1
step "pytest on PostgreSQL"
cat "$WORK/pg.log"

exit $status
