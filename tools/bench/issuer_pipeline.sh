#!/usr/bin/env bash
# issuer_pipeline.sh — how many submissions per second eseal-issuerd takes
# through the whole pipeline (submit with materials -> register -> review ->
# produce -> handover), driven by parallel `eseal issuer` clients, printed
# next to the event log's raw durable append rate (`eseal log bench`)
# measured in the same run on the same filesystem, and the ratio. A
# benchmark, not a test: it prints numbers and judges nothing.
#
# Each submission is one device seal (a PKCS#10 request from an SM2 key made
# with openssl, uploaded as the `csr` material), so no token PIN work is in
# the measurement: what is measured is the API, the rules, the store,
# certificate and seal signing and the log commits (12 log entries each).
#
# usage: tools/bench/issuer_pipeline.sh [BUILD_DIR]
#   BUILD_DIR   default: the directory of $ESEAL's tools/.., else build/normal
#   BENCH_DIR   where the data goes (default: a new directory under $TMPDIR)
#   COUNT       submissions (default 200)
#   CLIENTS     parallel clients (default 8)
#   THREADS     the daemon's HTTP worker threads (default 4)
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${1:-}" ]; then
    build=$(cd "$1" && pwd)
elif [ -n "${ESEAL:-}" ]; then
    build=$(cd "$(dirname "$ESEAL")/.." && pwd)
else
    build=$here/build/normal
fi
eseal=$build/tools/eseal
issuerd=$build/issuer/eseal-issuerd
for b in "$eseal" "$issuerd"; do
    [ -x "$b" ] || { echo "issuer_pipeline.sh: no $b (build first, or pass the build directory)" >&2; exit 2; }
done
count=${COUNT:-200}
clients=${CLIENTS:-8}
threads=${THREADS:-4}

if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR"
    work=$(mktemp -d "$BENCH_DIR/eseal-bench.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/eseal-bench.XXXXXX")
fi
daemon=
cleanup() {
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

export ESEAL_PASSPHRASE='benchmark passphrase'
export ESEAL_ADMIN_PASSWORD='benchmark-admin-1'
unset ESEAL_TOKEN
"$eseal" ca init --dir ca >/dev/null

echo "eseal issuer pipeline benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(uname -sr), filesystem: $(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }')"
echo "submissions: $count device seals, $clients parallel clients, $threads daemon threads"

# The log's raw rate, same filesystem, same run (16 writers, as log_append.sh).
raw=$("$eseal" log bench --dir "$work/rawlog" --ca ca --writers 16 --count 20000)
raw_rate=$(echo "$raw" | awk '{ print int($5) }')
rm -rf "$work/rawlog"

"$issuerd" --port 0 --data data --ca ca --threads "$threads" >daemon.log 2>&1 &
daemon=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' daemon.log 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "eseal-issuerd did not start" >&2; tail daemon.log >&2; exit 1; }
url="http://127.0.0.1:$port"

UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
tok() { ESEAL_PASSWORD=$2 "$eseal" issuer login --url "$url" --user "$1" --print-token; }
admin=$(tok admin "$ESEAL_ADMIN_PASSWORD")
mk() { ESEAL_TOKEN=$admin ESEAL_NEW_PASSWORD=$2 "$eseal" issuer staff add --url "$url" --user "$1" --role "$3" "${@:4}" >/dev/null; }
mk agent1 bench-agent-pw1 agent --unit "$USCC"
mk maker1 bench-maker-pw1 maker
mk reviewer1 bench-reviewer-pw1 reviewer
mk agg1 bench-aggregator-pw1 aggregator --city 350100
agent=$(tok agent1 bench-agent-pw1)
maker=$(tok maker1 bench-maker-pw1)
reviewer=$(tok reviewer1 bench-reviewer-pw1)
agg=$(tok agg1 bench-aggregator-pw1)

printf '%%PDF-1.4\n%% letter\n' >letter.pdf
printf '%%PDF-1.4\n%% form\n' >form.pdf
printf '\x89PNG\r\n\x1a\nimpression' >impression.png
printf '%%PDF-1.4\n%% introduction letter\n' >intro.pdf
printf '\x89PNG\r\n\x1a\nid copy' >idcopy.png
printf '11010519491231002X\n' >collector.id
openssl genpkey -algorithm SM2 -out device.key 2>/dev/null
openssl req -new -key device.key -sm3 -sigopt distid:1234567812345678 \
    -subj "/CN=bench device" -out device.csr
sm3() { openssl dgst -sm3 -r "$1" | cut -d' ' -f1; }
cat >sub.json <<JSON
{"business":"apply","channel":"aggregator","aggregator":"350100",
 "applicant":{"name":"$UNIT","uscc":"$USCC","city":"350100","county":"350102"},
 "letter":{"material":"$(sm3 letter.pdf)","addressee":"福建省经济信息中心","business":"apply",
           "form_count":1,"kinds":{"device":1}},
 "forms":[{"business":"apply","kind":"device",
   "unit":{"name":"$UNIT","uscc":"$USCC","city":"350100","county":"350102"},
   "agent":{"name":"李四","mobile":"13800000000","id_number":"350102199001011238"},
   "seal":{"name":"$UNIT服务器","width_mm":40,"height_mm":40,"function":"official","cert_type":"device"},
   "impression":"$(sm3 impression.png)","csr":"$(sm3 device.csr)","material":"$(sm3 form.pdf)"}]}
JSON

# pipeline N: N submissions, one after the other, each through every step.
pipeline() {
    local i id
    for i in $(seq 1 "$1"); do
        id=$(ESEAL_TOKEN=$agent "$eseal" issuer submit --url "$url" --file sub.json --json \
            --material letter=letter.pdf --material form=form.pdf \
            --material impression=impression.png --material csr=device.csr |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
        # the unit's submit went to its aggregator, which submits it to the centre
        curl -sf -o /dev/null -X POST -H "Authorization: Bearer $agg" "$url/api/v1/submissions/$id/submit"
        ESEAL_TOKEN=$maker "$eseal" issuer register --url "$url" --id "$id" --paper all --json >/dev/null
        ESEAL_TOKEN=$reviewer "$eseal" issuer review --url "$url" --id "$id" --approve --json >/dev/null
        ESEAL_TOKEN=$maker "$eseal" issuer produce --url "$url" --id "$id" --json >/dev/null
        ESEAL_TOKEN=$maker "$eseal" issuer handover --url "$url" --id "$id" --json \
            --letter intro.pdf --id-copy idcopy.png --name 王五 --id-number-file collector.id >/dev/null
    done
}

size0=$(curl -s "$url/log/checkpoint" | sed -n 2p)
per=$(((count + clients - 1) / clients))
total=$((per * clients))
start=$(date +%s.%N)
pids=()
for _ in $(seq 1 "$clients"); do
    pipeline "$per" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
end=$(date +%s.%N)
size1=$(curl -s "$url/log/checkpoint" | sed -n 2p)
entries=$((size1 - size0))

python3 - "$total" "$start" "$end" "$entries" "$raw_rate" <<'PY'
import sys
total, start, end, entries, raw = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
secs = end - start
rate = total / secs
erate = entries / secs
print()
print("raw log appends (eseal log bench, 16 writers): %8d appends/s" % raw)
print("pipeline: %d submissions in %.1f s:            %8.1f submissions/s" % (total, secs, rate))
print("          %d log entries (%.1f per submission): %8.0f entries/s" % (entries, entries / total, erate))
print("ratio: pipeline log entries / raw appends = %.3f (%.1f%% of the log's raw rate)" % (erate / raw, 100 * erate / raw))
PY
