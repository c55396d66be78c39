#!/usr/bin/env bash
# Runs every test (unit, persistence, bUnit, HTTP and browser) on SQLite, then the suites that touch the database (trait
# Database=EveryProvider) again on a throwaway PostgreSQL, and ends with one line for both: "N passed, N failed".
# Installs Debian's Chromium for the browser tests, and PostgreSQL (through scripts/postgres.sh), when they are missing.
set -uo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
    || { echo "Could not install chromium (apt-get install chromium)."; echo "0 passed, 1 failed"; exit 1; }
fi

dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; echo "0 passed, 1 failed"; exit 1; }

results="$(pwd)/TestResults"
rm -rf "$results"

# A short path: PostgreSQL puts its socket in this folder.
cluster=$(mktemp -d /tmp/aistudio-pg.XXXXXX)
stop_cluster() {
  scripts/postgres.sh stop "$cluster" >/dev/null 2>&1
  rm -rf "$cluster"
}
trap stop_cluster EXIT

postgres_missing=""
if server=$(scripts/postgres.sh start "$cluster" --fast); then
  export AISTUDIO_TEST_POSTGRES="$server"
  echo "Throwaway PostgreSQL for the second pass: ${server%%;Username=*}"
else
  postgres_missing="the throwaway PostgreSQL did not start (scripts/postgres.sh start)"
  echo "$postgres_missing: the PostgreSQL pass will not run." >&2
fi

# Counters of one pass's trx file; a build failure or a crashed test host leaves none, which counts as a failure.
counters() {
  local trx=$1 status=$2 p=0 f=0
  if [ -f "$trx" ]; then
    local line
    line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  fi
  p=${p:-0}
  f=${f:-0}
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
  fi
  echo "$p $f"
}

start=$SECONDS
AISTUDIO_TEST_DATABASE=Sqlite dotnet test AiStudio.sln \
  --logger "trx;LogFileName=sqlite.trx" --logger "console;verbosity=normal" --results-directory "$results"
sqlite_status=$?
sqlite_seconds=$((SECONDS - start))
read -r sqlite_passed sqlite_failed < <(counters "$results/sqlite.trx" "$sqlite_status")

start=$SECONDS
if [ -z "$postgres_missing" ]; then
  AISTUDIO_TEST_DATABASE=PostgreSQL dotnet test AiStudio.sln --no-build --filter "Database=EveryProvider" \
    --logger "trx;LogFileName=postgresql.trx" --logger "console;verbosity=normal" --results-directory "$results"
  postgres_status=$?
  read -r postgres_passed postgres_failed < <(counters "$results/postgresql.trx" "$postgres_status")
else
  # This command promises both databases: a PostgreSQL that cannot start is a failure, never a quiet SQLite-only run
  # (plain `dotnet test` is the SQLite-only run, see README).
  postgres_status=1
  postgres_passed=0
  postgres_failed=1
fi
postgres_seconds=$((SECONDS - start))

echo
echo "SQLite pass: $sqlite_passed passed, $sqlite_failed failed (${sqlite_seconds} s)"
if [ -z "$postgres_missing" ]; then
  echo "PostgreSQL pass: $postgres_passed passed, $postgres_failed failed (${postgres_seconds} s)"
else
  echo "PostgreSQL pass: did not run, $postgres_missing; counted as a failure."
fi
[ "$sqlite_status" -ne 0 ] && echo "The SQLite pass failed."
[ "$postgres_status" -ne 0 ] && echo "The PostgreSQL pass failed."

echo "$((sqlite_passed + postgres_passed)) passed, $((sqlite_failed + postgres_failed)) failed"
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
