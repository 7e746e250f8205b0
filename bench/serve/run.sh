#!/usr/bin/env bash
# Serving benchmark: a cached section feed from Feeds against the same bytes served as a static file by
# nginx (gzip_static for the compressed case), in the same run, on loopback only, bounded in time.
# Reports requests/s and p99 latency for plain 200, gzip 200 and 304.
#   bash bench/serve/run.sh [SECONDS_PER_RUN] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
connections=${2:-32}
feeds_port=5091
nginx_port=5092
section=international

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "installing wrk and nginx (Debian packages)"; apt-get update -qq; apt-get install -y -qq wrk nginx curl >/dev/null; break; }
done

work=$(mktemp -d)
chmod 755 "$work" # nginx workers read the static copy as another user
cleanup() {
  [ -n "${feeds_pid:-}" ] && kill "$feeds_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
FEEDS_DB="$work/feeds.db" dotnet src/Feeds.Service/bin/Release/net10.0/feeds.dll serve \
  --urls "http://127.0.0.1:$feeds_port" >"$work/feeds.log" 2>&1 &
feeds_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$feeds_port/healthz" >/dev/null && break
  sleep 0.2
done
sleep 2 # the start-up polls of the offline samples

feed_url="http://127.0.0.1:$feeds_port/sections/$section/rss"
mkdir -p "$work/www"
curl -sf "$feed_url" -o "$work/www/$section.rss"
gzip -k -9 "$work/www/$section.rss"
chmod -R a+rX "$work/www"
feeds_etag=$(curl -sfI "$feed_url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')

cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/rss+xml rss; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    gzip_static on;
    etag on;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5
nginx_url="http://127.0.0.1:$nginx_port/$section.rss"
nginx_etag=$(curl -sfI "$nginx_url" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')

measure() { # name url header...
  local name=$1 url=$2; shift 2
  local args=()
  for header in "$@"; do args+=(-H "$header"); done
  local out
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "${args[@]}" "$url")
  local rps p99 errors
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
  errors=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx/ {print $5}')
  printf '%-22s %12s %10s %s\n' "$name" "$rps" "$p99" "${errors:+non-2xx/3xx: $errors}"
  echo "$rps" >"$work/$name.rps"
}

echo "feed: $(wc -c <"$work/www/$section.rss") bytes plain, $(wc -c <"$work/www/$section.rss.gz") gzip; wrk -t2 -c$connections -d${seconds}s"
printf '%-22s %12s %10s\n' "case" "requests/s" "p99"
measure feeds-plain "$feed_url"
measure nginx-plain "$nginx_url"
measure feeds-gzip "$feed_url" "Accept-Encoding: gzip"
measure nginx-gzip "$nginx_url" "Accept-Encoding: gzip"
measure feeds-304 "$feed_url" "If-None-Match: $feeds_etag"
measure nginx-304 "$nginx_url" "If-None-Match: $nginx_etag"

ratio() { awk -v a="$(cat "$work/feeds-$1.rps")" -v b="$(cat "$work/nginx-$1.rps")" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
echo "feeds/nginx: plain $(ratio plain) (target 70%), gzip $(ratio gzip) (target 50%), 304 $(ratio 304) (target 70%)"
