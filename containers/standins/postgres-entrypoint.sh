#!/usr/bin/env bash
# Entrypoint of the postgres:16-bookworm STAND-IN (see standins.sh): the parts of
# the official image's docker-entrypoint.sh that compose files rely on.
#   - as root: own the data and socket directories, then re-exec as `postgres`;
#   - empty $PGDATA: initdb with POSTGRES_USER / POSTGRES_PASSWORD, listen on all
#     addresses with scram-sha-256 for TCP, create POSTGRES_DB, run the files in
#     /docker-entrypoint-initdb.d (*.sh, *.sql) against a socket-only server;
#   - then exec the command (postgres).
set -Eeuo pipefail

if [[ "${1:-}" == -* ]]; then
    set -- postgres "$@"
fi

if [[ "${1:-}" == postgres && "$(id -u)" == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    chmod 3777 /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [[ "${1:-}" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    if [[ -z "${POSTGRES_PASSWORD:-}" && "$auth" != trust ]]; then
        echo "error: database is uninitialized and POSTGRES_PASSWORD is not set" >&2
        echo "       (set it, or POSTGRES_HOST_AUTH_METHOD=trust for throwaway use)" >&2
        exit 1
    fi
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a word list, as upstream.
    initdb --username="$user" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
        --auth-local=trust --auth-host="$auth" --encoding=UTF8 --locale=C.UTF-8 \
        ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
    {
        echo "listen_addresses = '*'"
        echo "unix_socket_directories = '/var/run/postgresql,/tmp'"
    } >>"$PGDATA/postgresql.conf"
    echo "host all all all $auth" >>"$PGDATA/pg_hba.conf"

    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >/dev/null
    export PGUSER="$user" PGHOST=/var/run/postgresql
    if [[ "$db" != postgres ]]; then
        # Through stdin: psql interpolates :"db" there, not in -c.
        psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname postgres --set db="$db" \
            <<<'CREATE DATABASE :"db";' >/dev/null
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh)
                echo "running $f"
                # shellcheck disable=SC1090  # the image user's own scripts
                . "$f"
                ;;
            *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname "$db" -f "$f" ;;
            *) ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    unset PGUSER PGHOST
    echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
