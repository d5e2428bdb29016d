#!/usr/bin/env bash
# tsa.sh — RFC 3161 time-stamps per second from eseal-publisherd's POST /tsa
# (docs/tsa.md) against the SM2 signatures per second `openssl speed sm2`
# makes on the same CPU in the same run. Each token costs one SM2
# signature, so the ratio says how much the rest (HTTP, parsing, TSTInfo,
# SignedData, DER) costs; target: time-stamps / signs >= 0.7, both per CPU
# second (openssl speed's own divisor), the wall-clock rate printed too.
# A benchmark, not a test: it prints numbers and judges nothing.
#
# The publisher is pinned to CPU 0 with one HTTP thread (openssl speed
# signs on one CPU), ab to CPU 1 with CONNS keep-alive connections posting
# one SM3 query made by `openssl ts -query` (certReq set, so every token
# carries the TSA certificate). The publisher follows a one-entry log and is
# idle otherwise. ab is installed if missing (tools/bootstrap bench).
#
# usage: tools/bench/tsa.sh [BUILD_DIR]
#   DURATION   seconds per run (default 10)
#   CONNS      concurrent keep-alive clients (default 16)
set -euo pipefail
BENCH_NAME=tsa.sh
# shellcheck source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"
need ab taskset openssl
duration=${DURATION:-10}
conns=${CONNS:-16}
server_cpu=0 load_cpu=1
[ "$(nproc)" -ge 2 ] || load_cpu=0

echo "eseal time-stamp benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
echo "load: ab -k -c$conns -t${duration}s on CPU $load_cpu; eseal-publisherd (1 HTTP thread) on CPU $server_cpu"
make_log log 1
start_publisher publisher.log --data pdata --log log --threads 1
taskset -a -c -p "$server_cpu" "$publisher" >/dev/null
wait_position 1

head -c 4096 /dev/urandom >data.bin
openssl ts -query -data data.bin -sm3 -cert -out q.tsq
curl -s -H 'Content-Type: application/timestamp-query' --data-binary @q.tsq -o r.tsr "$pbase/tsa"
openssl ts -reply -in r.tsr -text 2>/dev/null | grep -q '^Status: Granted' ||
    { echo "$BENCH_NAME: the TSA does not grant the query" >&2; exit 1; }

# cpu PID: user + system seconds PID has used so far
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f\n", ($14 + $15) / hz }' "/proc/$1/stat"; }
cpu0=$(cpu "$publisher")
taskset -c "$load_cpu" ab -q -k -t "$duration" -n 10000000 -c "$conns" -p q.tsq \
    -T application/timestamp-query "$pbase/tsa" >tsa.ab 2>&1 || { cat tsa.ab >&2; exit 1; }
if grep -q 'Non-2xx' tsa.ab; then echo "warning: $(grep 'Non-2xx' tsa.ab)" >&2; fi
cpu1=$(cpu "$publisher")
rps=$(awk '/^Requests per second:/ { print int($4) }' tsa.ab)
done_n=$(awk '/^Complete requests:/ { print $3 }' tsa.ab)
p99=$(awk '$1 == "99%" { print $2 "ms" }' tsa.ab)
# openssl speed divides by the CPU (user) time it used, not the wall clock,
# so the publisher is measured per CPU second too (user + system, from
# /proc): on a shared machine wall-clock rates move with the neighbours.
sign=$(taskset -c "$server_cpu" openssl speed -seconds "$duration" sm2 2>/dev/null |
    awk '/SM2/ { print int($(NF - 1)) }')

printf 'POST /tsa:            %8d time-stamps/s (p99 %s, %d keep-alive clients)\n' "$rps" "$p99" "$conns"
printf 'openssl speed sm2:    %8d signs per CPU second on CPU %s\n' "$sign" "$server_cpu"
python3 - "$rps" "$sign" "$done_n" "$cpu0" "$cpu1" <<'PY'
import sys
rps, sign, n = map(int, sys.argv[1:4])
c0, c1 = map(float, sys.argv[4:6])
per_cpu = n / (c1 - c0) if c1 > c0 else float("inf")
r = per_cpu / sign if sign else float("inf")
print("eseal-publisherd:     %8d time-stamps per CPU second (%d in %.1f s of CPU)" % (per_cpu, n, c1 - c0))
print("ratio: time-stamps / SM2 signs per CPU second = %.2f (target >= 0.7: %s)"
      % (r, "met" if r >= 0.7 else "NOT met"))
PY
