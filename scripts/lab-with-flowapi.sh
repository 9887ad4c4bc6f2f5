#!/usr/bin/env bash
# `make lab FLOWAPI=standin`: JupyterLab over examples/ with a FlowAPI stand-in beside it.
#
# The stand-in serves a week of synthetic data from 2016-01-01 and adds a day every
# minute; the server gets its URL and, in its environment, a token for it. A schedule of
# the FlowKit example checks it every minute, so each new day's workflow run appears in
# the sidebar. The stand-in stops with JupyterLab.
set -euo pipefail

BIN="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin"
PORT="${FLOWAPI_PORT:-9090}"
URL="http://127.0.0.1:${PORT}"
NAME="FlowKit daily location"
state="$(mktemp -d)"
standin=""
cleanup() {
    [ -n "$standin" ] && kill "$standin" 2>/dev/null || true
    rm -rf "$state"
}
trap cleanup EXIT

"$BIN/python" -m autoflow_lab.flowapi.standin --port "$PORT" --first-date 2016-01-01 \
    --days 7 --advance-every 60 --event-types calls,sms --token-file "$state/token" &
standin=$!
for _ in $(seq 50); do
    "$BIN/python" -c "import socket; socket.create_connection((\"127.0.0.1\", $PORT), 1)" 2>/dev/null && break
    kill -0 "$standin" 2>/dev/null || { echo "The FlowAPI stand-in did not start (is port $PORT free? set FLOWAPI_PORT)" >&2; exit 1; }
    sleep 0.2
done
FLOWAPI_TOKEN="$(cat "$state/token")"
export FLOWAPI_TOKEN

cd "$(dirname "$0")/../examples"
if ! "$BIN/autoflow" schedules 2>/dev/null | grep -q "$NAME"; then
    "$BIN/autoflow" schedule add flowkit/daily_location.autoflow.yaml --name "$NAME" \
        --flowapi-url "$URL" --on-new-data --event-types calls,sms --earliest 2016-01-01 \
        --stencil '[0]' --cron '* * * * *' --max-runs-per-check 3
fi
echo "FlowAPI stand-in at $URL; '$NAME' checks it every minute."
"$BIN/jupyter" lab --ServerApp.root_dir=. --AutoflowApp.flowapi_url="$URL" "$@"
