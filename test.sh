#!/usr/bin/env bash
# Runs every test (unit, persistence, bUnit, HTTP and browser) and ends with one line: "N passed, N failed".
# Installs Debian's Chromium for the browser tests when it is missing.
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
dotnet test AiStudio.sln --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# A build failure or a crashed test host produces no counters: count it as a failure, never as green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

echo "$passed passed, $failed failed"
exit "$status"
