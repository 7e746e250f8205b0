#!/usr/bin/env bash
# Pages benchmark: the HTML pages for people (/, a section page, /status) under a loopback load, against the service
# run on the offline sample config. Reports requests/s and p99 (wrk -t2 -c16) and the service's CPU time per request
# (its utime+stime over the run / requests served), which a busy machine disturbs less than requests/s.
#   bash bench/pages/run.sh [SECONDS_PER_RUN] [BUILD_DIR]
# BUILD_DIR: a folder holding feeds.dll (e.g. another commit built with -o) to compare; default builds this tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
build=${2:-}
port=5093
section=international

command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; apt-get install -y -qq wrk curl >/dev/null; }

work=$(mktemp -d)
cleanup() {
  [ -n "${feeds_pid:-}" ] && kill "$feeds_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$build" ]; then
  dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
  build=src/Feeds.Service/bin/Release/net10.0
fi
FEEDS_DB="$work/feeds.db" dotnet "$build/feeds.dll" serve --urls "http://127.0.0.1:$port" >"$work/feeds.log" 2>&1 &
feeds_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
sleep 3 # the start-up polls of the offline samples

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$feeds_pid/stat"; }
for path in / "/sections/$section" /status; do
  url="http://127.0.0.1:$port$path"
  wrk -t2 -c16 -d3s "$url" >/dev/null # warm-up
  before=$(cpu_ticks)
  out=$(wrk -t2 -c16 -d"${seconds}s" --latency "$url")
  after=$(cpu_ticks)
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  cpu=$(awk -v t="$((after - before))" -v hz="$ticks" -v n="$requests" 'BEGIN { printf "%.2f", t * 1000 / hz / n }')
  printf '%-26s %8s req/s  p99 %9s  %6s ms CPU/request\n' "$path" "$rps" "$p99" "$cpu"
done
