#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suites.
#
# Sourced by .ci/run, which calls `pg_start` and `pg_stop`. Can also be run by hand:
#
#   bash .ci/start-postgres.sh          # starts a cluster, prints the variables to export
#   bash .ci/start-postgres.sh stop DIR # stops it and removes DIR
#
# The cluster lives in a temporary directory owned by `postgres` (initdb refuses to run as root), listens on
# 127.0.0.1 only (first free port from 55432 up) plus a Unix socket inside that directory, and authenticates TCP
# clients with the password `postgres` (SCRAM). It is tuned for tests, not for data: fsync and
# synchronous_commit are off. Nothing outside the temporary directory is touched, so it coexists with a system
# cluster on 5432.
#
# After pg_start: PG_TMPDIR, PG_PORT, PG_BIN, PG_VERSION and TEST_DATABASE_URL are set.

pg__bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        echo "start-postgres: no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
        return 1
    fi
    echo "$dir"
}

# Run a command as the postgres user when we are root, as ourselves otherwise.
pg__as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg__port_in_use() {
    # bash's /dev/tcp: the connection succeeds only if something listens.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
    PG_BIN=$(pg__bindir) || return 1
    PG_VERSION=$("$PG_BIN/postgres" --version | awk '{print $3}')

    PG_PORT=${PG_PORT:-55432}
    local tries=0
    while pg__port_in_use "$PG_PORT"; do
        PG_PORT=$((PG_PORT + 1))
        tries=$((tries + 1))
        if ((tries > 100)); then
            echo "start-postgres: no free port found from 55432 up" >&2
            return 1
        fi
    done

    PG_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/jiceng-pg.XXXXXX")
    chmod 0755 "$PG_TMPDIR"
    printf 'postgres\n' >"$PG_TMPDIR/pwfile"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R postgres: "$PG_TMPDIR"
    fi

    echo "start-postgres: PostgreSQL $PG_VERSION, initdb into $PG_TMPDIR/data"
    if ! pg__as_owner "$PG_BIN/initdb" -D "$PG_TMPDIR/data" -U postgres --pwfile="$PG_TMPDIR/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale --no-sync \
        >"$PG_TMPDIR/initdb.log" 2>&1; then
        cat "$PG_TMPDIR/initdb.log" >&2
        echo "start-postgres: initdb failed" >&2
        return 1
    fi

    echo "start-postgres: starting on 127.0.0.1:$PG_PORT"
    if ! pg__as_owner "$PG_BIN/pg_ctl" -D "$PG_TMPDIR/data" -l "$PG_TMPDIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_TMPDIR \
            -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >"$PG_TMPDIR/pg_ctl.log" 2>&1; then
        cat "$PG_TMPDIR/pg_ctl.log" "$PG_TMPDIR/server.log" >&2 || true
        echo "start-postgres: pg_ctl start failed" >&2
        return 1
    fi

    # pg_ctl -w already waited; this also proves TCP and password authentication work.
    local ok=0
    for _ in $(seq 1 30); do
        if PGPASSWORD=postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
            -Atqc 'select 1' >/dev/null 2>&1; then
            ok=1
            break
        fi
        sleep 1
    done
    if ((ok == 0)); then
        cat "$PG_TMPDIR/server.log" >&2 || true
        echo "start-postgres: server started but 127.0.0.1:$PG_PORT does not accept password logins" >&2
        return 1
    fi

    export PG_TMPDIR PG_PORT PG_BIN PG_VERSION
    export TEST_DATABASE_URL="postgres://postgres:postgres@127.0.0.1:$PG_PORT/postgres"
    echo "start-postgres: ready, TEST_DATABASE_URL=$TEST_DATABASE_URL"
}

# pg_stop [DIR] — stop the cluster in DIR (default $PG_TMPDIR) and remove DIR. Safe to call twice.
pg_stop() {
    local dir=${1:-${PG_TMPDIR:-}}
    [[ -n "$dir" && -d "$dir" ]] || return 0
    local bin=${PG_BIN:-}
    [[ -n "$bin" ]] || bin=$(pg__bindir) || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        pg__as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    if [[ "$dir" == "${PG_TMPDIR:-}" ]]; then
        PG_TMPDIR=
    fi
}

# Executed (not sourced): start, or stop a cluster started earlier.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    case "${1:-start}" in
    start)
        pg_start
        echo
        echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL REQUIRE_POSTGRES=1"
        echo "# stop with: bash $0 stop $PG_TMPDIR"
        ;;
    stop)
        [[ -n "${2:-}" ]] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        pg_stop "$2"
        ;;
    *)
        echo "usage: $0 [start | stop DIR]" >&2
        exit 2
        ;;
    esac
fi
