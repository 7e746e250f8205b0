#!/usr/bin/env bash
# Scale benchmark (issue 17, item 6): the real service on SOURCES loopback sources of ITEMS items in SECTIONS sections —
# cold ingest, idle CPU, working set over time, wrk on every page beside nginx, how late a due poll starts — printed
# against the issue's targets; exit 0 when all are met, 1 otherwise. Loopback only, bounded in time, cleans up.
#   bash bench/scale/run.sh [SOURCES=20000] [ITEMS=20] [SECTIONS=10] [SOAK_SECONDS=0]
# Knobs (environment): HOSTS=200 IDLE_SECONDS=20 SETTLE_SECONDS=10 INGEST_TIMEOUT=1800 WRK_THREADS=2 WRK_CONNECTIONS=8
# WRK_SECONDS=5 WRK_TIMEOUT=5 PROBE_POLLS=2 STATUS_SUMMARY=/status/summary SCALE_KEEP=1 (keep logs, samples, database).
# See bench/README.md, "Scale".
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "installing wrk, nginx and curl (Debian packages)"; apt-get update -qq; apt-get install -y -qq wrk nginx curl >/dev/null; break; }
done

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
dotnet build -c Release bench/scale -v quiet -nologo >/dev/null
exec python3 bench/scale/scale.py "$@"
