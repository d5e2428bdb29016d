#!/usr/bin/env bash
# issuer_crash.sh — the crash test (#17): eseal-issuerd under a concurrent
# issuance workload (lib/workload.py: several clients filing, approving,
# producing, handing over, reporting lost and revoking through the API),
# killed with SIGKILL at a random moment each round and restarted on the
# same port and data. After each restart every acknowledged step (a 2xx was
# received) is there (lib/crash_check.py acks) and the log audits
# (`eseal log verify`). Every other round the publisher following the log is
# killed with SIGKILL too, in the middle of the load, and restarted at once
# on its data. At the end the publisher has caught up and shows every seal
# with the issuer's status.
#
# ESEAL_CRASH_ROUNDS sets the number of rounds (default 5; tools/crash-test N).
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3
# with requests.
set -euo pipefail
ESEAL_TEST_NAME=issuer_crash
lib=$(cd "$(dirname "$0")" && pwd)/lib
python3 -c 'import requests' 2>/dev/null || { echo "skip: python3-requests is missing"; exit 77; }
# shellcheck source=lib/platform.bash
. "$lib/platform.bash"
load=
trap 'kill $load 2>/dev/null || true; cleanup' EXIT
rounds=${ESEAL_CRASH_ROUNDS:-5}
workers=${ESEAL_CRASH_WORKERS:-3}

python3 - "$agent" "$agg" "$maker" "$reviewer" "$token_id" "$UNIT" "$USCC" <<'PY'
import json, sys
agent, agg, maker, reviewer, token_id, unit, uscc = sys.argv[1:]
json.dump({"agent": agent, "agg": agg, "maker": maker, "reviewer": reviewer, "token_id": token_id,
           "unit": unit, "uscc": uscc, "csr": open("unit.csr").read(), "sub": "sub.json",
           "files": {"letter": "letter.pdf", "form": "form.pdf", "impression": "impression.png",
                     "intro": "intro.pdf", "idcopy": "idcopy.png"}}, open("ctx.json", "w"))
PY

# restart NAME: the daemon again on its port and data, after a SIGKILL.
restart() {
    local log=$1.$round.log
    if [ "$1" = issuer ]; then
        "$ESEAL_ISSUERD" --port "$iport" --data idata --ca ca >"$log" 2>&1 &
        issuer=$!
        wait_port "$log" "$issuer" >/dev/null
    else
        "$ESEAL_PUBLISHERD" --port "$pport" --data pdata --ca ca --log "$ibase" --poll_ms 50 \
            >"$log" 2>&1 &
        publisher=$!
        wait_port "$log" "$publisher" >/dev/null
    fi
}
rand() { python3 -c "import random; print(round(random.uniform($1, $2), 2))"; }

: >acks.txt
pkills=0
for round in $(seq 1 "$rounds"); do
    python3 "$lib/workload.py" "$ibase" ctx.json "$round" "$workers" acks.txt >"load.$round.out" 2>&1 &
    load=$!
    t=$(rand 0.6 1.8)
    if [ $((round % 2)) -eq 0 ]; then
        # the publisher dies while it follows the log and serves, and comes back at once
        half=$(python3 -c "print($t / 2)")
        sleep "$half"
        kill -KILL "$publisher"
        wait "$publisher" 2>/dev/null || true
        restart publisher
        pkills=$((pkills + 1))
        sleep "$half"
    else
        sleep "$t"
    fi
    kill -KILL "$issuer"
    wait "$issuer" 2>/dev/null || true
    wait "$load" || true
    load=
    if grep -q unexpected "load.$round.out"; then
        cat "load.$round.out" >&2
        fail "round $round: the workload got an unexpected answer"
    fi
    restart issuer
    python3 "$lib/crash_check.py" acks "$ibase" ctx.json acks.txt >"check.$round.out" ||
        { cat "check.$round.out" >&2; fail "round $round: acknowledged steps lost"; }
    "$ESEAL" log verify --url "$ibase" --key ca/log.pub >"audit.$round.out" 2>&1 ||
        { cat "audit.$round.out" >&2; fail "round $round: log verify"; }
    echo "round $round: killed after $t s; $(cat "check.$round.out")"
    ok
done
[ "$(wc -l <acks.txt)" -gt 0 ] || fail "nothing was acknowledged"
python3 "$lib/crash_check.py" agree "$ibase" "$pbase" ctx.json >agree.out ||
    { cat agree.out >&2; fail "the publisher does not agree with the issuer"; }
cat agree.out
ok
for pid in $issuer $publisher; do
    kill "$pid"
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    [ "$rc" = 0 ] || fail "a daemon exited with $rc after SIGTERM"
done
issuer= publisher=
if grep -l 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' ./*.log; then
    fail "sanitizer report"
fi
echo "issuer_crash: $rounds issuer kills and $pkills publisher kills survived, $passed checks passed"
