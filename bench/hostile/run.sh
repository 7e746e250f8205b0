#!/usr/bin/env bash
# Memory under hostile sources: the real service (Release build, default settings but for the loopback allowlist and a
# 1-minute schedule) polls, at the same time, a 15 MiB streamed body, a 100,000-item document, a gzip bomb and a body
# over the cap, each on its own loopback host, plus the offline samples. The service's resident set is sampled from
# /proc every 100 ms; the peak (VmHWM) and the figures over time are printed against the 300 MB target.
#   bash bench/hostile/run.sh [SECONDS]      (default 200: the start-up polls and three scheduled rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-200}
feeds_port=5093
source_port=18080
target_mb=300

work=$(mktemp -d)
cleanup() {
  [ -n "${feeds_pid:-}" ] && kill "$feeds_pid" 2>/dev/null || true
  [ -n "${sources_pid:-}" ] && kill "$sources_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 bench/hostile/sources.py "$source_port" >"$work/sources.log" 2>&1 &
sources_pid=$!
cat >"$work/feeds.json" <<JSON
{
  "sections": [ { "id": "world", "title": "World", "description": "Everything" } ],
  "sources": [
    { "id": "big", "url": "http://127.0.0.11:$source_port/big.rss", "sections": ["world"], "schedule": "1m" },
    { "id": "many", "url": "http://127.0.0.12:$source_port/many.rss", "sections": ["world"], "schedule": "1m" },
    { "id": "bomb", "url": "http://127.0.0.13:$source_port/bomb.rss", "sections": ["world"], "schedule": "1m" },
    { "id": "over", "url": "http://127.0.0.14:$source_port/over.rss", "sections": ["world"], "schedule": "1m" },
    { "id": "wire", "url": "$PWD/config/samples/world-wire.rss", "sections": ["world"] }
  ],
  "fetching": { "allowPrivateNetworks": ["127.0.0.0/8"], "minInterval": "1m" }
}
JSON
for _ in $(seq 100); do grep -q serving "$work/sources.log" 2>/dev/null && break; sleep 0.2; done
cat "$work/sources.log"

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
dotnet src/Feeds.Service/bin/Release/net10.0/feeds.dll serve --config "$work/feeds.json" --db "$work/feeds.db" \
  --urls "http://127.0.0.1:$feeds_port" >"$work/feeds.log" 2>&1 &
feeds_pid=$!

rss_mb() { awk '/^VmRSS/ {printf "%d", $2/1024}' "/proc/$feeds_pid/status"; }
hwm_mb() { awk '/^VmHWM/ {printf "%d", $2/1024}' "/proc/$feeds_pid/status"; }
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$feeds_port/healthz/live" >/dev/null && break; sleep 0.1; done
echo "started: $(rss_mb) MB resident"

end=$((SECONDS + seconds))
next_report=$SECONDS
while [ $SECONDS -lt $end ]; do
  kill -0 "$feeds_pid" 2>/dev/null || { echo "the service exited"; tail -20 "$work/feeds.log"; exit 1; }
  if [ $SECONDS -ge $next_report ]; then
    echo "t=$((SECONDS - end + seconds))s resident $(rss_mb) MB, peak $(hwm_mb) MB"
    next_report=$((SECONDS + 20))
  fi
  sleep 0.1
done

peak=$(hwm_mb)
echo
echo "polls:"
curl -sf -H 'Accept: application/json' "http://127.0.0.1:$feeds_port/status" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sources"]:
    print("  %-6s %s %s, %s items stored, %s left out" % (s["id"], s.get("lastOutcome"), s.get("errorCategory") or "", s["itemsStored"], s.get("itemsLeftOut", "-")))'
echo "pages: / $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$feeds_port/"), /status $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$feeds_port/status"), rss $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$feeds_port/sections/world/rss")"
echo "resident at the end    $(rss_mb) MB"
echo "peak working set       $peak MB   (target < $target_mb MB)"
[ "$peak" -lt "$target_mb" ]
