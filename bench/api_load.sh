#!/usr/bin/env bash
# The REST API under load (issue 8 item 6): wrk, 100 connections, on the ward board and on one patient's
# timeline, against `crsguard serve` on a store of 500 active patients. Each is the adult twin's simulated
# 28-day course (vitals every 4 h, daily labs, its doses) under its own id, infused 0–27 days ago.
#   bench/api_load.sh [BUILD_DIR] [SECONDS]     (default: build, 10 s per endpoint)
# wrk runs on the same machine as the server, as a ward's clients would not. Sharing the two cores, wrk's
# own threads queue behind the server's and its latencies then measure that queue (p99 0.4–0.8 s with
# -t2 and either program on either core; 20 ms with the server on one core and one wrk thread on the
# other). So the server is pinned to CPU 0 and wrk (one thread, 100 connections) to CPU 1: the server
# gets one core of the two, and what wrk reports is the server's answer time. Then, for comparison,
# the same unpinned with two wrk threads.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
seconds="${2:-10}"
cli="$build/src/cli/crsguard"
port=18180
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

"$cli" twin zi2021-adult --timeline-out "$work/twin.json" >/dev/null
python3 - "$work/twin.json" "$work/ward.json" <<'PY'
import datetime, json, sys
twin = json.load(open(sys.argv[1]))
today = datetime.date.today()
timelines = []
for i in range(500):
    t = json.loads(json.dumps(twin))
    t["patient"]["id"] = f"ward-{i:03d}"
    t["infusion"]["time"] = (today - datetime.timedelta(days=i % 28)).isoformat() + "T10:00"
    t.pop("outcome", None)
    timelines.append(t)
json.dump({"format": "crsguard.cohort/1", "name": "ward", "timelines": timelines}, open(sys.argv[2], "w"))
PY
db="sqlite:$work/ward.db"
"$cli" db import "$work/ward.json" --db "$db" >/dev/null
echo "a long benchmark password" | "$cli" user add bench --role viewer --db "$db" >/dev/null
taskset -c 0 "$cli" serve --db "$db" --port "$port" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/session" && break; sleep 0.1; done
# The server reads and grades every record ahead at start (what a nurse waits for after a restart).
for _ in $(seq 1200); do grep -q "read and graded ahead" "$work/serve.log" && break; sleep 0.1; done
grep "read and graded ahead" "$work/serve.log" | sed 's/^crsguard: /start: /' 
cookie="$(curl -s -i -X POST -H 'Content-Type: application/json' -d '{"username":"bench","password":"a long benchmark password"}' \
  "http://127.0.0.1:$port/api/v1/session" | tr -d '\r' | sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p')"
events="$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['events']))" "$work/twin.json")"
echo "store: 500 active patients of $events events each"
for path in "/api/v1/patients/ward-007/timeline" "/api/v1/patients?active=true"; do
  # The first request after the read-ahead, timed apart, once.
  cold="$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "http://127.0.0.1:$port$path")"
  echo "== GET $path: first request ${cold} s; then 100 connections, ${seconds} s"
  echo "-- server on CPU 0, wrk (1 thread) on CPU 1"
  taskset -c 1 wrk -t1 -c100 -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" |
    grep -E "Requests/sec|Latency|  50%|  99%|requests in|Non-2xx|Socket errors"
  echo "-- unpinned: server and wrk (2 threads) share both CPUs"
  taskset -a -p -c 0,1 "$server" >/dev/null
  wrk -t2 -c100 -d"${seconds}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port$path" |
    grep -E "Requests/sec|  99%|Socket errors"
  taskset -a -p -c 0 "$server" >/dev/null
done
