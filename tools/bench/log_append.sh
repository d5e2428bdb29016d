#!/usr/bin/env bash
# log_append.sh — how many durable appends per second the event log makes,
# and its commit latency (p50, p99), with 1 and with 16 concurrent writers,
# next to the raw write+fdatasync rate of the same filesystem measured in the
# same run. A benchmark, not a test: it prints numbers and judges only the
# target (>= 10,000 appends/s with 16 writers).
#
# usage: tools/bench/log_append.sh [ESEAL_BINARY]
#   ESEAL_BINARY   default $ESEAL, else build/normal/tools/eseal
#   BENCH_DIR      where the logs go (default: a new directory under $TMPDIR);
#                  the filesystem under test
#   COUNT1         appends with 1 writer (default 3000)
#   COUNT16        appends with 16 writers (default 60000)
#   ENTRY_BYTES    padding per entry (default 120: entries of ~250 bytes)
#   REPEAT         runs of each configuration (default 3)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
eseal=${1:-${ESEAL:-$here/build/normal/tools/eseal}}
[ -x "$eseal" ] || { echo "log_append.sh: no eseal binary at $eseal (build first, or pass its path)" >&2; exit 2; }
count1=${COUNT1:-3000}
count16=${COUNT16:-60000}
entry_bytes=${ENTRY_BYTES:-120}
repeat=${REPEAT:-3}

if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR"
    work=$(mktemp -d "$BENCH_DIR/eseal-bench.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/eseal-bench.XXXXXX")
fi
trap 'rm -rf "$work"' EXIT

printf '%s\n' 'benchmark passphrase' >"$work/pass"
"$eseal" ca init --dir "$work/ca" --passphrase-file "$work/pass" >/dev/null

echo "eseal log append benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(uname -sr), filesystem: $(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }')"
echo "entries: ~$((entry_bytes + 130)) bytes of canonical JSON; every run measures the raw"
echo "write+fdatasync rate first, in the same directory"
echo

best16=0
for writers in 1 16; do
    count=$count1
    [ "$writers" -eq 16 ] && count=$count16
    for run in $(seq 1 "$repeat"); do
        out=$("$eseal" log bench --dir "$work/log-$writers-$run" --ca "$work/ca" \
            --passphrase-file "$work/pass" --writers "$writers" --count "$count" \
            --entry-bytes "$entry_bytes")
        echo "$out"
        rate=$(echo "$out" | awk '{ print int($5) }')
        if [ "$writers" -eq 16 ] && [ "$rate" -gt "$best16" ]; then
            best16=$rate
        fi
        rm -rf "$work/log-$writers-$run"
    done
done
echo
if [ "$best16" -ge 10000 ]; then
    echo "target met: $best16 durable appends/s with 16 writers (>= 10000)"
else
    echo "target NOT met: $best16 durable appends/s with 16 writers (< 10000)"
    exit 1
fi
