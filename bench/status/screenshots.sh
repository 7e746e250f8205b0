#!/usr/bin/env bash
# Screenshots of /status in headless Chromium at phone widths (360 and 412 px) and a desktop width (1280 px), on a
# catalogue written by bench/status/fill.py (a mix of ok, failing, gone, silent and never-polled sources with the last
# day's hourly counts), to look at the narrow layout and the sparklines. Writes PNGs to OUT (default a temp folder).
#   bash bench/status/screenshots.sh [SOURCES] [OUT]      (needs chromium: apt-get install -y chromium)
set -euo pipefail
cd "$(dirname "$0")/../.."
sources=${1:-120}
out=${2:-$(mktemp -d)}
port=5098
closed_port=9 # nothing listens: a poll fails at once

source bench/status/common.sh

python3 bench/status/fill.py "$work/feeds.json" - "$sources" 5 "$closed_port"
start_feeds # creates and migrates the database
kill "$feeds_pid"; wait "$feeds_pid" 2>/dev/null || true
python3 bench/status/fill.py "$work/feeds.json" "$work/feeds.db" "$sources" 5 "$closed_port"
start_feeds
sleep 3 # the start-up polls of the never-polled sources fail at once
mkdir -p "$out"
for size in 360x1400 412x1400 1280x1600; do
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" \
    --screenshot="$out/status-$size.png" "http://127.0.0.1:$port/status" 2>/dev/null
  echo "$out/status-$size.png"
done
