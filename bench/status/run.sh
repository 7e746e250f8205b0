#!/usr/bin/env bash
# Status benchmark: /status, a later page, a filtered page, the JSON page and /status/summary under a loopback load,
# with a catalogue of SOURCES sources (default 20,000) and ITEMS stored items each (default 20) written straight into
# the database (bench/status/fill.py), so no ingest is needed. Sources point at a closed loopback port: the start-up polls
# fail at once and are waited out before measuring. Reports wrk requests/s and p99 (-t2 -c8) against the issue 17
# target (p99 < 100 ms; >= 500 req/s for the summary), the time of the first request (one build of the snapshot), and
# the service's working set: the highest VmRSS sampled every second during each run, and VmHWM at the end.
# STATUS_AFTER_WRK='command' runs the command after the last run, the service still up, its pid in $feeds_pid (a heap
# dump: STATUS_AFTER_WRK='dotnet-gcdump collect -p $feeds_pid -o /tmp/status.gcdump').
#   bash bench/status/run.sh [SOURCES] [ITEMS] [SECONDS_PER_RUN]
set -euo pipefail
cd "$(dirname "$0")/../.."
sources=${1:-20000}
items=${2:-20}
seconds=${3:-10}
port=5097
closed_port=9 # discard: nothing listens on loopback, so a connection is refused at once

source bench/status/common.sh

python3 bench/status/fill.py "$work/feeds.json" - "$sources" "$items" "$closed_port"
start_feeds # creates and migrates the database
kill "$feeds_pid"; wait "$feeds_pid" 2>/dev/null || true
python3 bench/status/fill.py "$work/feeds.json" "$work/feeds.db" "$sources" "$items" "$closed_port"
start_feeds
echo "service pid $feeds_pid"
# Wait out the start-up polls: until the counts stand still for 5 s.
last=""; still=0
for _ in $(seq 600); do
  now=$(curl -sf "http://127.0.0.1:$port/status/summary" | python3 -c 'import json,sys; print(json.load(sys.stdin)["byState"])')
  if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
  [ "$still" -ge 5 ] && break
  sleep 1
done
echo "summary: $last"
# Past the age at which a snapshot still answers (35 s), so this request waits for a build: its time is one build's.
sleep 36
build_time=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/status/summary")
echo "one build of the status of $sources sources (the summary after 36 s idle): ${build_time} s"
echo "HTML /status: $(curl -s "http://127.0.0.1:$port/status" | wc -c) bytes; JSON: $(curl -s -H 'Accept: application/json' "http://127.0.0.1:$port/status" | wc -c) bytes"

json='Accept: application/json'
gzip='Accept-Encoding: gzip'
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$feeds_pid/stat"; }
rss_mb() { awk -v field="${1:-VmRSS}:" '$1 == field { printf "%d", $2 / 1024 }' "/proc/$feeds_pid/status"; }
# Samples the working set every second until killed; prints the highest in MB.
sample_rss() {
  local max=0 now
  trap 'echo "$max"; exit 0' TERM
  while :; do
    now=$(rss_mb); [ "${now:-0}" -gt "$max" ] && max=$now
    sleep 1 & wait $!
  done
}
run() {
  local name=$1 path=$2 header=${3:-X-Bench: 1}
  wrk -t2 -c8 -d2s -H "$header" "http://127.0.0.1:$port$path" >/dev/null # warm-up
  sample_rss >"$work/rss" & sampler=$!
  before=$(cpu_ticks)
  out=$(wrk -t2 -c8 -d"${seconds}s" --latency -H "$header" "http://127.0.0.1:$port$path")
  after=$(cpu_ticks)
  kill "$sampler"; wait "$sampler" || true
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  cpu=$(awk -v t="$((after - before))" -v hz="$ticks" -v n="$requests" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
  printf '%-46s %9s req/s  p99 %9s  %6s ms CPU/request  %4s MB max working set\n' "$name" "$rps" "$p99" "$cpu" "$(cat "$work/rss")"
}
middle=$((sources / 200))
rss_before=$(rss_mb)
echo "target: p99 < 100 ms at 20,000 sources; >= 500 req/s for /status/summary"
run "/status (HTML, page 1)" "/status"
run "/status?page=$middle (HTML)" "/status?page=$middle"
run "/status?state=failing&section=section-3 (HTML)" "/status?state=failing&section=section-3"
run "/status?q=source-1234 (HTML)" "/status?q=source-1234"
run "/status (JSON, page 1)" "/status" "$json"
run "/status?page=$middle (JSON)" "/status?page=$middle" "$json"
run "/status/summary (JSON)" "/status/summary"
run "/ (HTML, gzip)" "/" "$gzip"
run "/sections/section-3 (HTML, gzip)" "/sections/section-3" "$gzip"
echo "working set before wrk: $rss_before MB"
echo "working set at the end: $(rss_mb) MB, peak (VmHWM) $(rss_mb VmHWM) MB"
if [ -n "${STATUS_AFTER_WRK:-}" ]; then eval "$STATUS_AFTER_WRK"; fi
