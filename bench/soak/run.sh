#!/usr/bin/env bash
# Soak: SOURCES loopback sources, each publishing new items every minute, polled by the real service for MINUTES while
# wrk reads the section feeds. Prints items stored against items published, duplicates, errors, memory, threads and
# handles over time (start/peak/end) and p99 latency per minute. Loopback only; stops by itself.
#   bash bench/soak/run.sh [MINUTES] [SOURCES] [CONNECTIONS]      (defaults: 5, 200, 32)
# SOAK_PERIOD=SECONDS changes how often each source publishes (default 60).
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-5}
source_count=${2:-200}
connections=${3:-32}
period=${SOAK_PERIOD:-60}
sections=4
feeds_port=5093
sources_port=5094
feeds_url="http://127.0.0.1:$feeds_port"

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "installing wrk and curl (Debian packages)"; apt-get update -qq; apt-get install -y -qq wrk curl >/dev/null; break; }
done

work=$(mktemp -d)
cleanup() {
  [ -n "${sampler_pid:-}" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "${feeds_pid:-}" ] && kill -KILL "$feeds_pid" 2>/dev/null || true
  [ -n "${sources_pid:-}" ] && kill "$sources_pid" 2>/dev/null || true
  if [ -n "${SOAK_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
dotnet build -c Release bench/soak -v quiet -nologo >/dev/null

dotnet bench/soak/bin/Release/net10.0/Feeds.Bench.Soak.dll sources "$sources_port" "$source_count" "$period" >"$work/sources.log" 2>&1 &
sources_pid=$!

{
  printf '{"sections":['
  for s in $(seq 0 $((sections - 1))); do
    [ "$s" -gt 0 ] && printf ','
    printf '{"id":"sec%d","title":"Section %d","description":"Soak section %d"}' "$s" "$s" "$s"
  done
  printf '],"sources":['
  for i in $(seq 0 $((source_count - 1))); do
    [ "$i" -gt 0 ] && printf ','
    printf '{"id":"s%04d","url":"http://127.0.0.1:%d/s/s%04d.rss","sections":["sec%d"],"schedule":"1m"}' "$i" "$sources_port" "$i" $((i % sections))
  done
  # One loopback host stands for many: lift the per-host limits to the global cap.
  printf '],"fetching":{"allowPrivateNetworks":["127.0.0.1/32"],"perHostConcurrency":8,"minHostSpacing":"0s","minInterval":"1m"}}\n'
} >"$work/feeds.json"

dotnet src/Feeds.Service/bin/Release/net10.0/feeds.dll serve --config "$work/feeds.json" --db "$work/feeds.db" \
  --urls "$feeds_url" >"$work/feeds.log" 2>&1 &
feeds_pid=$!
for _ in $(seq 150); do
  curl -sf "$feeds_url/healthz" >/dev/null && break
  sleep 0.2
done
curl -sf "$feeds_url/healthz" >/dev/null || { echo "the service did not start:"; cat "$work/feeds.log"; exit 1; }

# Readers: every section feed in every format, compressed as feed readers ask.
{
  printf 'local paths = {'
  for s in $(seq 0 $((sections - 1))); do
    printf '"/sections/sec%d/rss","/sections/sec%d/atom","/sections/sec%d/json",' "$s" "$s" "$s"
  done
  printf '}\n'
  printf 'wrk.headers["Accept-Encoding"] = "gzip"\n'
  printf 'request = function() return wrk.format(nil, paths[math.random(#paths)]) end\n'
} >"$work/paths.lua"

# Memory, threads, open handles and WAL size every 10 s.
sample() {
  local rss threads fds wal
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$feeds_pid/status" 2>/dev/null || echo 0)
  threads=$(awk '/^Threads/ {print $2}' "/proc/$feeds_pid/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$feeds_pid/fd" 2>/dev/null | wc -l)
  wal=$(stat -c %s "$work/feeds.db-wal" 2>/dev/null || echo 0)
  echo "$(date +%s) $((rss / 1024)) $threads $fds $((wal / 1024))"
}
sleep 5 # the start-up polls
( while kill -0 "$feeds_pid" 2>/dev/null; do sample; sleep 10; done ) >"$work/samples.txt" &
sampler_pid=$!

to_ms() { # wrk latency such as 812.00us, 3.41ms, 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

echo "soak: $source_count sources publishing ${period}s apart, $connections readers, $minutes min; work folder $work"
printf '%-7s %12s %10s %8s %8s %8s %8s\n' minute requests/s p99_ms errors rss_MB threads handles
total_errors=0
p99s=()
for minute in $(seq 1 "$minutes"); do
  wrk -t2 -c"$connections" -d60s --latency -s "$work/paths.lua" "$feeds_url" >"$work/wrk-$minute.txt"
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk-$minute.txt")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$work/wrk-$minute.txt")")
  socket=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$work/wrk-$minute.txt")
  non2xx=$(awk '/Non-2xx or 3xx/ {print $5}' "$work/wrk-$minute.txt")
  errors=$(( ${socket:-0} + ${non2xx:-0} ))
  total_errors=$((total_errors + errors))
  p99s+=("$p99")
  read -r _ rss threads fds _ < <(sample | tee -a "$work/samples.txt")
  printf '%-7s %12s %10s %8s %8s %8s %8s\n' "$minute" "$rps" "$p99" "$errors" "$rss" "$threads" "$fds"
done

# Stop publishing, then SIGTERM: the service must stop cleanly and in time.
curl -sf -X POST "http://127.0.0.1:$sources_port/_freeze" >/dev/null
kill "$sampler_pid" 2>/dev/null || true
stop_started=$(date +%s.%N)
kill -TERM "$feeds_pid"
set +e
wait "$feeds_pid"
exit_code=$?
set -e
feeds_pid=
stop_seconds=$(awk -v a="$stop_started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

echo
awk 'NR == 1 { s = $2; st = $3; sf = $4 } { if ($2 > p) p = $2; if ($3 > pt) pt = $3; if ($4 > pf) pf = $4; if ($5 > pw) pw = $5; e = $2; et = $3; ef = $4 }
     END { printf "memory (RSS)      start %d MB, peak %d MB, end %d MB\nthreads           start %d, peak %d, end %d\nopen handles      start %d, peak %d, end %d\nlargest WAL       %d KB\n", s, p, e, st, pt, et, sf, pf, ef, pw }' "$work/samples.txt"
printf 'p99 latency       %s ms (per minute)\n' "${p99s[*]}"
echo "reader errors     $total_errors (socket errors + non-2xx/3xx answers)"
echo "log errors        $(grep -ciE 'fail|error|locked|exception' "$work/feeds.log" || true) lines ($(grep -c 'Polled s' "$work/feeds.log" || true) polls saved items)"
echo "SIGTERM           exit $exit_code after $stop_seconds s"
dotnet bench/soak/bin/Release/net10.0/Feeds.Bench.Soak.dll verify "$work/feeds.db" "http://127.0.0.1:$sources_port/_manifest"
