#!/usr/bin/env bash
# publisher_replay.sh — a fresh eseal-publisherd replaying a large log: a
# synthetic log of N good seals (tools/bench/lib/seals.py, written with
# `eseal log append` in batches of 50000 lines, committed 1000 a commit),
# then a new publisher following that directory from entry 0. Prints the
# replay time and rate (entries/s), the RocksDB size, the publisher's peak
# RSS (VmHWM) and the status query latency (wrk --latency, GET /status/{esID}
# of random seals, DER) once replayed. Baselines from the same run: the rate
# the log itself was written at, and the SM2 sign rate of one CPU (`openssl
# speed sm2`): every seal gets a signed status response, so the follower
# (one thread) cannot replay faster than one CPU signs; replay rate / sign
# rate is printed. A benchmark, not a test: it prints numbers and judges
# nothing.
#
# usage: tools/bench/publisher_replay.sh [BUILD_DIR]
#   N          seals in the log (default 1000000)
#   DURATION   seconds of the wrk run (default 10)
#   CONNS      wrk connections (default 32)
#   LIMIT      give up if the replay takes longer, seconds (default 7200)
set -euo pipefail
BENCH_NAME=publisher_replay.sh
# shellcheck source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"
need wrk taskset openssl
n=${N:-1000000}
duration=${DURATION:-10}
conns=${CONNS:-32}

echo "eseal publisher replay benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
echo "log: $n synthetic good seals; publisher: default configuration (16 shards, poll_ms 200, 4 threads)"
t0=$(date +%s.%N)
make_log log "$n"
t1=$(date +%s.%N)
sign=$(openssl speed -seconds 3 sm2 2>/dev/null | awk '/SM2/ { print int($(NF - 1)) }')

t2=$(date +%s.%N)
start_publisher publisher.log --data pdata --log log
# the replay, sampled every second: a line each tenth of the log with the
# rate over that tenth (a rate that falls as the state grows shows up here)
python3 - "$pbase" "$n" "$t2" "${LIMIT:-7200}" <<'PY'
import json, sys, time, urllib.request
base, n, t2, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
step = max(1, n // 10)
mark, last_pos, last_t = step, 0, t2
while True:
    try:
        pos = json.load(urllib.request.urlopen(base + "/healthz"))["position"]
    except Exception:
        pos = last_pos
    now = time.time()
    if pos >= mark or pos >= n:
        print("  replayed %8d entries after %6.0f s: %6.0f entries/s over the last %d"
              % (pos, now - t2, (pos - last_pos) / (now - last_t), pos - last_pos), flush=True)
        last_pos, last_t = pos, now
        while mark <= pos:
            mark += step
    if pos >= n:
        break
    if now - t2 > limit:
        sys.exit("publisher_replay.sh: not replayed after %.0f s (LIMIT): stopped at entry %d of %d"
                 % (limit, pos, n))
    time.sleep(1)
PY
t3=$(date +%s.%N)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$publisher/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$publisher/status")
db=$(du -sk pdata | cut -f1)
logsize=$(du -sk log | cut -f1)
one=$(python3 "$bench_lib/seals.py" esid $((n - 1)))
curl -s "$pbase/status/$one" | grep -q '"status":"good"' || { echo "$BENCH_NAME: the last seal is not good" >&2; exit 1; }

# the query latency, the publisher on CPU 0 and wrk on CPU 1 (as publisher_query.sh)
taskset -a -c -p 0 "$publisher" >/dev/null
SEALS=$n taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$bench_lib/status.lua" "$pbase" >wrk.out 2>&1 ||
    { cat wrk.out >&2; exit 1; }
grep -q 'Non-2xx' wrk.out && echo "warning: $(grep 'Non-2xx' wrk.out)" >&2
rps=$(awk '/^Requests\/sec:/ { print int($2) }' wrk.out)
p50=$(awk '$1 == "50%" { print $2 }' wrk.out)
p99=$(awk '$1 == "99%" { print $2 }' wrk.out)

python3 - "$n" "$t0" "$t1" "$t2" "$t3" "$sign" "$hwm" "$rss" "$db" "$logsize" "$rps" "$p50" "$p99" <<'PY'
import sys
n = int(sys.argv[1])
t0, t1, t2, t3 = map(float, sys.argv[2:6])
sign, hwm, rss, db, logsize, rps = map(int, sys.argv[6:12])
p50, p99 = sys.argv[12:14]
write = n / (t1 - t0)
replay = n / (t3 - t2)
print("baseline: log written (eseal log append, batches):  %9.0f entries/s  (%d entries in %.1f s, %.0f MiB)"
      % (write, n, t1 - t0, logsize / 1024))
print("baseline: openssl speed sm2, one CPU:               %9d signs/s" % sign)
print("replay into a fresh publisher:                      %9.0f entries/s  (%d entries in %.1f s)"
      % (replay, n, t3 - t2))
print("RocksDB (pdata): %.0f MiB (%.0f bytes/seal); publisher RSS: peak %.0f MiB, now %.0f MiB"
      % (db / 1024, db * 1024 / n, hwm / 1024, rss / 1024))
print("status queries after replay: %d req/s, latency p50 %s, p99 %s" % (rps, p50, p99))
print("ratio: replay / log write = %.3f; replay / SM2 sign rate = %.2f" % (replay / write, replay / sign))
PY
