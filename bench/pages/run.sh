#!/usr/bin/env bash
# Pages benchmark: the HTML pages for people (/, a section page, /status) under a loopback load, against the service
# run on the offline sample config. Reports requests/s and p99 (wrk -t2 -c16) and the service's CPU time per request
# (its utime+stime over the run / requests served), which a busy machine disturbs less than requests/s.
# The index and the section page are cached like the feeds, so nginx serves the same bytes as static files in the
# same run (gzip_static for the gzip case), and the Feeds/nginx ratio is printed (target: at least 50%).
#   bash bench/pages/run.sh [SECONDS_PER_RUN] [BUILD_DIR]
# BUILD_DIR: a folder holding feeds.dll (e.g. another commit built with -o) to compare; default builds this tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
build=${2:-}
port=5093
nginx_port=5094
section=international

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "installing wrk and nginx (Debian packages)"; apt-get update -qq; apt-get install -y -qq wrk nginx curl >/dev/null; break; }
done

work=$(mktemp -d)
chmod 755 "$work" # nginx workers read the static copies as another user
cleanup() {
  [ -n "${feeds_pid:-}" ] && kill "$feeds_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
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

# The same bytes as static files: what nginx serves is what Feeds served a moment ago.
mkdir -p "$work/www/sections"
curl -sf "http://127.0.0.1:$port/" -o "$work/www/index.html"
curl -sf "http://127.0.0.1:$port/sections/$section" -o "$work/www/sections/$section.html"
gzip -k -9 "$work/www/index.html" "$work/www/sections/$section.html"
chmod -R a+rX "$work/www"
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; }
  charset utf-8;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    gzip_static on;
    etag on;
    location = /sections/$section { try_files /sections/$section.html =404; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.5

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$feeds_pid/stat"; }
measure() { # name url [header]: prints a line and keeps the requests/s as $work/NAME.rps
  local name=$1 url=$2 header=${3:-}
  local args=(-t2 -c16 -d"${seconds}s" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  wrk -t2 -c16 -d2s ${header:+-H "$header"} "$url" >/dev/null # warm-up (and the one render of a cached page)
  local before after out requests rps p99 cpu=""
  before=$(cpu_ticks)
  out=$(wrk "${args[@]}" "$url")
  after=$(cpu_ticks)
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
  case $url in *":$port/"*) cpu=$(awk -v t="$((after - before))" -v hz="$ticks" -v n="$requests" 'BEGIN { printf "%.3f ms CPU/request", t * 1000 / hz / n }') ;; esac
  printf '%-30s %10s req/s  p99 %9s  %s\n' "$name" "$rps" "$p99" "$cpu"
  echo "$rps" >"$work/${name//[^A-Za-z0-9]/_}.rps"
}
rps_of() { local name=$1; cat "$work/${name//[^A-Za-z0-9]/_}.rps"; }
ratio() { awk -v a="$(rps_of "feeds $1")" -v b="$(rps_of "nginx $1")" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }

echo "pages: / $(wc -c <"$work/www/index.html") bytes, /sections/$section $(wc -c <"$work/www/sections/$section.html") bytes; wrk -t2 -c16 -d${seconds}s"
feeds="http://127.0.0.1:$port"
nginx="http://127.0.0.1:$nginx_port"
measure "feeds /" "$feeds/"
measure "nginx /" "$nginx/"
measure "feeds / gzip" "$feeds/" "Accept-Encoding: gzip"
measure "nginx / gzip" "$nginx/" "Accept-Encoding: gzip"
measure "feeds /sections/$section" "$feeds/sections/$section"
measure "nginx /sections/$section" "$nginx/sections/$section"
measure "feeds /status" "$feeds/status"
echo "feeds/nginx (target at least 50%): / $(ratio /), / gzip $(ratio '/ gzip'), /sections/$section $(ratio "/sections/$section")"
