#!/usr/bin/env bash
# Runs every test project in Feeds.sln and ends with one line "N passed, N failed, N skipped" summed over all of them.
# A skipped test is counted as skipped, never as passed: the third number says how many did not run, so a green line
# with skips is visibly not a full run. The trx Counters leave skips out (their notExecuted stays 0), so they are
# counted from the results whose outcome is "NotExecuted", which is how the xunit runner reports a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-all: the .NET 10 SDK (dotnet) is needed and is not on PATH" >&2
  exit 1
fi

# The PostgreSQL tests start a throwaway server of their own (tests/Feeds.Tests/Support/PostgresServer.cs) and need
# PostgreSQL's programs (initdb, pg_ctl, pg_dump, pg_restore). A bare CI machine, run as root, gets them from Debian's
# packages; elsewhere the tests that need them fail, saying to install postgresql.
has_postgres() {
  command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
if ! has_postgres; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-all: installing postgresql (apt-get) for the PostgreSQL tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
      || echo "run-all: could not install postgresql; the PostgreSQL tests will fail" >&2
  else
    echo "run-all: PostgreSQL is not installed (apt-get install postgresql, as root); the PostgreSQL tests will fail" >&2
  fi
fi

# The reader tests (tests/Feeds.Tests/EndToEnd/ReaderEndToEndTests.cs) subscribe newsboat, a real feed reader, to the
# search and story feeds. Installed from Debian's packages like PostgreSQL; elsewhere those tests fail, saying so.
if ! command -v newsboat >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "run-all: installing newsboat (apt-get) for the reader tests"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends newsboat >/dev/null 2>&1 \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends newsboat >/dev/null; }; } \
      || echo "run-all: could not install newsboat; the reader tests will fail" >&2
  else
    echo "run-all: newsboat is not installed (apt-get install newsboat, as root); the reader tests will fail" >&2
  fi
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# A test that never ends fails the run instead of stalling it: after this long without a test finishing, the blame
# collector stops the test host and names the test that was running ("The test running when the crash occurred").
# The longest test of the default run takes well under a minute; the long variants take minutes each.
if [ "${FEEDS_LONG_TESTS:-}" = "1" ]; then hang_timeout=20m; else hang_timeout=5m; fi
dotnet test Feeds.sln -c Release --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none
status=$?

passed=0
failed=0
skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  s=$(grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" | wc -l)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${s:-0}))
done

# The failures again, just above the count, each with the first lines of its message, so the tail of a long CI log
# names them and says why.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  awk '
    /<UnitTestResult / { failed = ($0 ~ /outcome="Failed"/); if (failed) { name = $0; sub(/.* testName="/, "", name); sub(/".*/, "", name); print "FAILED: " name } }
    failed && /<Message>/ { inMessage = 1; shown = 0; sub(/.*<Message>/, "") }
    inMessage {
      ended = sub(/<\/Message>.*/, "")
      gsub(/&lt;/, "<"); gsub(/&gt;/, ">"); gsub(/&quot;/, "\""); gsub(/&apos;/, "\047"); gsub(/&amp;/, "\\&")
      if (shown++ < 12) print "    " $0
      if (ended) { inMessage = 0; failed = 0 }
    }
  ' "$trx"
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the test host failed before any test could report.
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
