#!/usr/bin/env bash
# Cluster benchmark (issue 13, part 6): SOURCES loopback sources of ITEMS items through the real service on a throwaway
# PostgreSQL, on 1 node and on 2 nodes: cold ingest, polls per second, double polls, the same section feed (same ETag,
# 304 across nodes), and a node SIGKILLed mid-ingest (failover time; every item stored once). Printed against the
# issue's targets; exit 0 when all are met, 1 otherwise. Loopback only, bounded in time, cleans up.
#   bash bench/cluster/run.sh [SOURCES=2000] [ITEMS=20] [SECTIONS=10]
# Knobs (environment): HOSTS=200 INGEST_TIMEOUT=600 KILL_AT_FRACTION=0.3 CLUSTER_KEEP=1 (keep logs and the database).
# Needs PostgreSQL's server programs (initdb, pg_ctl, psql; apt-get install -y postgresql). See bench/README.md, "Cluster".
set -euo pipefail
cd "$(dirname "$0")/../.."

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
dotnet build -c Release bench/scale -v quiet -nologo >/dev/null
exec python3 bench/cluster/cluster.py "$@"
