#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the tests and for trying AiStudio on PostgreSQL.
#
#   scripts/postgres.sh start DIR [--fast]   creates (or restarts) a cluster in DIR on a free port, with a database
#                                            "aistudio" owned by the role "aistudio" (password "aistudio", may create
#                                            databases), and prints its connection string. --fast turns off fsync:
#                                            for tests only, never for figures about durability.
#   scripts/postgres.sh stop DIR             stops it (delete DIR afterwards to throw it away).
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql; its own service start is not used). As root
# the cluster runs as the "postgres" user, since PostgreSQL refuses to run as root.
set -euo pipefail

usage() { echo "usage: $0 start DIR [--fast] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
fast=${3:-}

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
pgbin=$(find_bin)
if [ -z "$pgbin" ] && [ "$command" = start ]; then
  echo "PostgreSQL is not installed; installing Debian's postgresql..." >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null 2>&1 || true
  pgbin=$(find_bin)
  [ -n "$pgbin" ] || { echo "Could not install PostgreSQL (apt-get install postgresql)." >&2; exit 1; }
fi

# PostgreSQL will not run as root: as root, the cluster's files belong to "postgres" and its programs run as that user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

data="$dir/data"
case "$command" in
  start)
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
      echo postgres > "$dir/pw"
      [ "$(id -u)" -eq 0 ] && chown postgres "$dir/pw"
      as_owner "$pgbin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$dir/pw" -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi

    if [ -f "$dir/port" ] && as_owner "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      port=$(cat "$dir/port")   # already running: started earlier with this folder
    else
      port=${PGPORT_AISTUDIO:-55432}
      while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done

      options="-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500 -c shared_buffers=128MB"
      if [ "$fast" = "--fast" ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      fi
      as_owner "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
    fi

    export PGPASSWORD=postgres
    psql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
    if [ "$(psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'aistudio'")" != 1 ]; then
      psql -c "CREATE ROLE aistudio LOGIN PASSWORD 'aistudio' CREATEDB" -c "CREATE DATABASE aistudio OWNER aistudio" >/dev/null
    fi
    echo "$port" > "$dir/port"
    echo "Host=127.0.0.1;Port=$port;Username=aistudio;Password=aistudio;Database=aistudio"
    ;;
  stop)
    [ -n "$pgbin" ] && [ -f "$data/postmaster.pid" ] && as_owner "$pgbin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null || true
    ;;
  *) usage ;;
esac
