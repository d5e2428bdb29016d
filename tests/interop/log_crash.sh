#!/usr/bin/env bash
# log_crash.sh — writers killed with SIGKILL at random moments, again and
# again: every append that was acknowledged must still be in the log, the
# log must audit clean after a writer reopens it (and, with a torn write
# added every fourth round, before), and reopening must succeed, truncating
# the torn tail. Odd rounds use one streaming
# writer (`log append --stream`), even rounds eight threads through group
# commit (`log bench --count 0 --acks`).
#
# Needs ESEAL (the eseal binary) and python3. ESEAL_CRASH_ROUNDS overrides
# the number of kills (default 20).
set -euo pipefail

: "${ESEAL:?set ESEAL to the eseal binary}"
command -v python3 >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-logcrash.XXXXXX")
writer_pid=
cleanup() {
    if [ -n "$writer_pid" ]; then
        kill -KILL "$writer_pid" 2>/dev/null || true
        wait "$writer_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# check ACKED SHOWN FIRST WHAT: every acknowledgement listed in ACKED is in
# SHOWN (`log show` output starting at entry FIRST) with what was sent.
check() {
    python3 - "$@" <<'PY'
import json, sys
acked_path, shown_path, first, what = sys.argv[1:]
first = int(first)
entries = [json.loads(l) for l in open(shown_path)]
for i, e in enumerate(entries):
    assert e['seq'] == first + i, (first + i, e)
def at(seq):
    return entries[seq - first] if first <= seq < first + len(entries) else None
n = 0
for line in open(acked_path):
    f = line.split()
    if f[0] == 'stream':
        r, k, seq = int(f[1]), int(f[2]), int(f[3])
        e = at(seq)
        ok = e is not None and e.get('type') == 'crash' and e.get('round') == r and e.get('k') == k
    else:
        seq, w, i = int(f[1]), int(f[2]), int(f[3])
        e = at(seq)
        ok = (e is not None and e.get('type') == 'bench.append'
              and e['data'] == {'writer': w, 'i': i})
    if not ok:
        sys.exit('acknowledged %r is missing or different: %r' % (line.strip(), e))
    n += 1
print('%s: %d entries from %d, %d acknowledged appends present' % (what, len(entries), first, n))
PY
}

unset ESEAL_PASSPHRASE
printf '%s\n' 'log crash passphrase' >pass.txt
"$ESEAL" ca init --dir ca --passphrase-file pass.txt >/dev/null
rounds=${ESEAL_CRASH_ROUNDS:-20}
: >acked.txt # "stream ROUND K SEQ" or "bench SEQ WRITER I", one per acknowledgement
torn_seen=0
start=0 # the first entry written in the current round

for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        # An endless stream of lines; the writer prints each index once durable.
        awk -v r="$round" 'BEGIN { for (k = 0; ; k++) printf "{\"type\":\"crash\",\"round\":%d,\"k\":%d}\n", r, k }' |
            "$ESEAL" log append --dir log --ca ca --passphrase-file pass.txt --stream \
                >"out.$round" 2>"err.$round" &
    else
        # Larger entries: a commit spans several pages, so a kill can tear it.
        "$ESEAL" log bench --dir log --ca ca --passphrase-file pass.txt --writers 8 --count 0 \
            --entry-bytes 600 --acks "acks.$round" >"out.$round" 2>"err.$round" &
    fi
    writer_pid=$!
    # Unlocking the CA takes a few hundred ms; kill somewhere in 0.3..0.9 s.
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.3, 0.9), 3))')"
    kill -KILL "$writer_pid"
    wait "$writer_pid" 2>/dev/null || true
    writer_pid=
    # What was acknowledged before the kill (whole lines only).
    if [ $((round % 2)) -eq 1 ]; then
        awk -v r="$round" '/^[0-9]+$/ { print "stream", r, NR - 1, $1 }' "out.$round" >"acked.$round"
    else
        : >"acked.$round"
        if [ -f "acks.$round" ]; then
            awk 'NF == 3 { print "bench", $1, $2, $3 }' "acks.$round" >"acked.$round"
        fi
    fi
    cat "acked.$round" >>acked.txt
    # A kill rarely lands inside a write, so every fourth round a torn write
    # is added by hand: a strict prefix of a well-formed next record. The
    # files alone must then audit clean (a torn tail that no checkpoint
    # covers was never acknowledged) and the writer must truncate it.
    # (If the kill itself tore the last write, that tail is left as it is:
    # a writer never writes after a torn tail without truncating it first.)
    if [ $((round % 4)) -eq 0 ]; then
        python3 - log <<'PY'
import glob, hashlib, json, random
seg = sorted(glob.glob('log/segments/*.seg'))[-1]
b = open(seg, 'rb').read()
off = 0
while off + 36 <= len(b):
    n = int.from_bytes(b[off:off + 4], 'big')
    if off + 36 + n > len(b) or hashlib.sha256(b'\x00' + b[off + 36:off + 36 + n]).digest() != b[off + 4:off + 36]:
        break
    off += 36 + n
if off == len(b):
    data = json.dumps({'seq': 0, 'type': 'torn', 'pad': 'x' * random.randint(0, 3000)},
                      separators=(',', ':'), sort_keys=True).encode()
    rec = len(data).to_bytes(4, 'big') + hashlib.sha256(b'\x00' + data).digest() + data
    with open(seg, 'ab') as f:
        f.write(rec[:random.randint(1, len(rec) - 1)])
PY
        "$ESEAL" log verify --dir log --key ca/log.pub >"verify1.$round" 2>&1 ||
            { cat "verify1.$round" "err.$round" >&2; fail "round $round: audit after the kill"; }
        grep -q 'torn tail' "verify1.$round" || fail "round $round: the audit misses the torn tail"
    fi
    # The writer that reopens reports a torn tail it truncates on stderr.
    # A writer reopens it: recovery succeeds and leaves nothing unsigned.
    "$ESEAL" log append --dir log --ca ca --passphrase-file pass.txt </dev/null \
        >"reopen.$round" 2>"reopen-err.$round" ||
        { cat "reopen-err.$round" >&2; fail "round $round: the log does not reopen"; }
    if grep -q 'torn tail' "reopen-err.$round"; then
        torn_seen=$((torn_seen + 1))
    elif [ $((round % 4)) -eq 0 ]; then
        cat "reopen-err.$round" >&2
        fail "round $round: the torn tail was not reported"
    fi
    "$ESEAL" log verify --dir log --key ca/log.pub >"verify2.$round" 2>&1 ||
        { cat "verify2.$round" >&2; fail "round $round: audit after reopening"; }
    if grep -q '^note:' "verify2.$round"; then
        cat "verify2.$round" >&2
        fail "round $round: torn or unsigned entries left after reopening"
    fi
    # Every append acknowledged in this round is there, unchanged (the audit
    # covers the earlier ones; all are checked again at the end).
    "$ESEAL" log show --dir log --start "$start" >shown.jsonl
    check "acked.$round" shown.jsonl "$start" "round $round" ||
        fail "round $round: acknowledged entries missing"
    start=$((start + $(wc -l <shown.jsonl)))
done
"$ESEAL" log show --dir log >shown.jsonl
check acked.txt shown.jsonl 0 "all rounds" || fail "acknowledged entries missing at the end"
echo "log_crash: $rounds kills survived; torn tails seen and recovered: $torn_seen"
