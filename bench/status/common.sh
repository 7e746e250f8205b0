# Shared by bench/status/run.sh and screenshots.sh, sourced from the repository root after `port` is set: a scratch
# folder removed on exit (with the service, if started), the Release build, and start_feeds, which starts the service
# on the scratch config and database and waits until it answers.
work=$(mktemp -d)
cleanup() {
  [ -n "${feeds_pid:-}" ] && kill "$feeds_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build -c Release src/Feeds.Service -v quiet -nologo >/dev/null
build=src/Feeds.Service/bin/Release/net10.0
start_feeds() {
  dotnet "$build/feeds.dll" serve --config "$work/feeds.json" --db "$work/feeds.db" --urls "http://127.0.0.1:$port" >>"$work/feeds.log" 2>&1 &
  feeds_pid=$!
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null && return
    sleep 0.2
  done
  echo "the service did not start"; tail -20 "$work/feeds.log"; exit 1
}
