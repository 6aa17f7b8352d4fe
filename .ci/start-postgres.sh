#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL cluster for the tests and print its URL on standard output:
#   export ADOMETRICS_TEST_DATABASE_URL=$(.ci/start-postgres.sh)
# Idempotent: a cluster already answering on the port is reused. `.ci/start-postgres.sh stop` removes it.
# Loopback only, trust auth, fsync off: for tests, never for data (see /work/shared/RECIPES.md).
set -euo pipefail

PGPORT=${ADOMETRICS_PG_PORT:-54329}
PGROOT=${ADOMETRICS_PG_ROOT:-/tmp/adometrics-pg-$PGPORT}
URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/test"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

PGBIN=$(pg_bin)
if [ -z "$PGBIN" ]; then
    if command -v pg_ctl >/dev/null; then
        PGBIN=$(dirname "$(command -v pg_ctl)")
    else  # installing over an existing PostgreSQL upgrades packages (slow): only when it is missing
        echo "installing PostgreSQL..." >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
        PGBIN=$(pg_bin)
    fi
fi

# initdb refuses to run as root: run the cluster as `postgres` then.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/bash -c "$*"
    else
        bash -c "$*"
    fi
}

if [ "${1:-}" = stop ]; then
    if [ -d "$PGROOT/data" ]; then
        as_owner "'$PGBIN/pg_ctl' -D '$PGROOT/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$PGROOT"
    exit 0
fi

if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
    if [ ! -f "$PGROOT/data/PG_VERSION" ]; then
        rm -rf "$PGROOT"
        mkdir -p "$PGROOT"
        if [ "$(id -u)" = 0 ]; then
            id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash postgres
            chown postgres:postgres "$PGROOT"
        fi
        as_owner "'$PGBIN/initdb' -D '$PGROOT/data' -U postgres -A trust -E UTF8 --no-locale" >/dev/null
    fi
    as_owner "'$PGBIN/pg_ctl' -D '$PGROOT/data' -l '$PGROOT/log' -w -t 30 -o \"-c listen_addresses=127.0.0.1 \
-p $PGPORT -k '$PGROOT' -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null \
        || { cat "$PGROOT/log" >&2; exit 1; }
fi

psql() { "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
[ "$(psql -c "SELECT 1 FROM pg_database WHERE datname = 'test'")" = 1 ] || psql -c "CREATE DATABASE test"

echo "$URL"
