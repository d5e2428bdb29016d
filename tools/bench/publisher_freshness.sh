#!/usr/bin/env bash
# publisher_freshness.sh — revocation-to-served latency of eseal-publisherd:
# how long after a revocation is durable in the log the publisher serves it
# (GET /status/{esID} answering "revoked", with its signed DER), p50/p99,
# against the 1 s goal (DESIGN.md §6). A benchmark, not a test: it prints
# numbers and judges nothing.
#
# Set-up: a temporary CA and a local log of SEALS synthetic good seals
# (tools/bench/lib/seals.py, `eseal log append`); eseal-publisherd follows
# that log directory (--log DIR, polling every POLL_MS). Then COUNT times:
# one seal.revoked line is written to a running `eseal log append --stream`
# (which answers once the entry is committed: fdatasync'd, checkpoint
# signed); from that answer the status of the esID is polled over one
# keep-alive connection every millisecond until it says revoked. A random
# pause (0 … POLL_MS) between revocations spreads them over the poll cycle.
# One revocation before them is not measured (the writer's start-up).
# Printed alongside, in the same run: the commit latency itself (write →
# durable, the baseline of what any consumer of the log must wait) and the
# poll interval.
#
# usage: tools/bench/publisher_freshness.sh [BUILD_DIR]
#   COUNT     revocations measured (default 200)
#   SEALS     good seals in the log first (default 10000)
#   POLL_MS   the publisher's poll_ms (default: its default, 200)
set -euo pipefail
BENCH_NAME=publisher_freshness.sh
# shellcheck source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"
count=${COUNT:-200}
seals=${SEALS:-10000}
[ "$seals" -gt "$count" ] || seals=$((count + 1))
poll=()
[ -n "${POLL_MS:-}" ] && poll=(--poll_ms "$POLL_MS")

echo "eseal publisher freshness benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
make_log log "$seals"
start_publisher publisher.log --data pdata --log log "${poll[@]}"
wait_position "$seals"
poll_ms=$("$publisherd" -n --ca ca --log log "${poll[@]}" | sed -n 's/.*"poll_ms": *\([0-9]*\).*/\1/p')
echo "log: $seals good seals; publisher: poll_ms ${poll_ms:-?}; $count revocations"

python3 - "$bench_lib" "$eseal" "$pport" "$count" "${poll_ms:-200}" <<'PY'
import http.client, json, random, subprocess, sys, time
lib, eseal, port, count, poll_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, lib)
import seals

writer = subprocess.Popen([eseal, "log", "append", "--stream", "--dir", "log", "--ca", "ca"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
conn = http.client.HTTPConnection("127.0.0.1", port)
commit, served, polls = [], [], 0
random.seed(1)
# seal COUNT, not measured: the writer's start (opening the CA) and the first poll
for i in [count] + list(range(count)):
    time.sleep(random.uniform(0, poll_ms / 1000))
    line = json.dumps(seals.event(i, "revoked"), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    t0 = time.monotonic()
    writer.stdin.write(line + "\n")
    writer.stdin.flush()
    if not writer.stdout.readline():
        sys.exit("eseal log append --stream stopped")
    t1 = time.monotonic()
    while True:
        conn.request("GET", "/status/" + seals.esid(i))
        r = conn.getresponse()
        body = r.read()
        polls += 1
        if r.status == 200:
            j = json.loads(body)
            if j["status"] == "revoked" and j["der"]:
                break
        if time.monotonic() - t1 > 30:
            sys.exit("the publisher did not serve the revocation of %s within 30 s" % seals.esid(i))
        time.sleep(0.001)
    t2 = time.monotonic()
    if i == count:
        continue
    commit.append((t1 - t0) * 1000)
    served.append((t2 - t1) * 1000)
writer.stdin.close()
writer.wait()

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
print("baseline: log commit (write -> durable):  p50 %7.1f ms  p99 %7.1f ms" % (pct(commit, 50), pct(commit, 99)))
print("baseline: publisher poll interval:            %7d ms" % poll_ms)
print("revocation durable -> served revoked:    p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d polls)"
      % (pct(served, 50), pct(served, 99), max(served), polls))
print("ratio: p99 / 1 s goal = %.3f (%s); p50 / poll interval = %.2f"
      % (pct(served, 99) / 1000, "met" if pct(served, 99) < 1000 else "NOT met", pct(served, 50) / poll_ms))
PY
