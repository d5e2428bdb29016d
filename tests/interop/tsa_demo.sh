#!/usr/bin/env bash
# tsa_demo.sh — issue #16's "done when": on a real platform (platform.bash:
# eseal-issuerd and eseal-publisherd on free ports), `eseal demo --tsa`
# time-stamps every sample through the publisher's POST /tsa; the seal the
# demo revokes (cessationOfOperation, after its samples were stamped)
# still gets TOTAL_PASSED from `eseal verify` with the publisher's status,
# detached and OFD, because the time-stamp proves the signature predates
# the revocation; the same signature with its time-stamp cut off is
# INDETERMINATE REVOKED_NO_POE; the seal revoked after a loss report
# (keyCompromise since the loss, which came after the stamp) passes too.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=tsa-demo
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

"$ESEAL" demo --issuer "$ibase" --out demo --json --tsa "$pbase/tsa" >demo.json 2>demo.log ||
    { tail -20 demo.log >&2; fail "eseal demo --tsa"; }
grep -q 'time-stamped / 已加时间戳' demo.log || fail "the demo says its samples are time-stamped"
ok
python3 - <<'PY' >revoked.txt || fail "demo summary"
import json
seals = json.load(open("demo.json"))["seals"]
assert seals and all(s["timestamped"] for s in seals), seals
for s in seals:
    if s["business"] in ("revoke", "loss"):
        print(s["business"], s["esID"], s["document"], s["signature"], s["ofd"])
PY
[ "$(wc -l <revoked.txt)" = 2 ] || fail "the demo revokes two seals"
ok

# verify_json WHAT ARGS...: eseal verify --json with the publisher's status
verify_json() {
    local what=$1
    shift
    "$ESEAL" verify --json --trust root.pem --status-url "$pbase" "$@" >v.json 2>v.err || true
    [ -s v.json ] || { cat v.err >&2; fail "$what: no report"; }
}
while read -r business esid doc sig ofd; do
    wait_status "$esid" revoked
    verify_json "$business sample" "$doc" --sig "$sig"
    python3 - "$business" <<'PY' || { cat v.json >&2; fail "$business: the revoked seal's time-stamped sample"; }
import json, sys
r = json.load(open("v.json"))
assert r["indication"] == "TOTAL_PASSED", (r["indication"], r["subIndication"])
checks = {c["key"]: c for c in r["checks"]}
assert checks["timestamp"]["status"] == "PASSED", checks["timestamp"]
assert checks["status"]["status"] == "PASSED", checks["status"]
assert "predates" in checks["status"]["message"]["en"], checks["status"]
assert r["sealStatus"] == "revoked"
assert r["timeStamp"]["genTimeBeijing"].endswith("北京时间")
assert r["bestSignatureTime"] == r["timeStamp"]["genTime"]
PY
    ok
    verify_json "$business OFD" "$ofd"
    python3 -c 'import json; r = json.load(open("v.json")); r = r.get("signatures", [r]) if "signatures" in r else [r]; assert all(s["indication"] == "TOTAL_PASSED" for s in r), r' ||
        { cat v.json >&2; fail "$business: the revoked seal's time-stamped OFD"; }
    ok
    "$ESEAL" verify --trust root.pem --status-url "$pbase" "$doc" --sig "$sig" >v.txt 2>&1 || true
    grep -q '^验证通过 / passed — TOTAL_PASSED' v.txt || { cat v.txt >&2; fail "$business: text report"; }
    grep -q '时间戳证明的签署时间 / proven time (time-stamp): .* 北京时间' v.txt || { cat v.txt >&2; fail "$business: the text report shows the proven time"; }
    ok
    # the same signature with its time-stamp cut off proves nothing
    python3 - "$der_py" "$sig" <<'PY' || fail "cutting the time-stamp off"
import sys
sys.path.insert(0, sys.argv[1].rsplit("/", 1)[0])
import der
b = open(sys.argv[2], "rb").read()
h, n = der.tlv(b, 0)
els, i, body = [], h, b[h:h + n]
j = 0
while j < len(body):
    eh, en = der.tlv(body, j)
    els.append(body[j:j + eh + en])
    j += eh + en
assert len(els) == 5 and els[4][0] == 0xA0, [e[0] for e in els]
inner = b"".join(els[:4])
ln = len(inner)
enc = bytes([ln]) if ln < 128 else bytes([0x80 | ((ln.bit_length() + 7) // 8)]) + ln.to_bytes((ln.bit_length() + 7) // 8, "big")
open("cut.ses", "wb").write(b"\x30" + enc + inner)
PY
    verify_json "$business without the time-stamp" "$doc" --sig cut.ses
    python3 -c 'import json; r = json.load(open("v.json")); assert (r["indication"], r["subIndication"]) == ("INDETERMINATE", "REVOKED_NO_POE") or r["subIndication"] == "REVOKED", r["subIndication"]; assert r["timeStamp"] is None' ||
        { cat v.json >&2; fail "$business: without the time-stamp"; }
    ok
done <revoked.txt

# --- the first checks tools/run prints (#19): real files, status from the
# running publisher, never --no-status; every command runs as printed ---------------
cp demo.json demo/seals.json
"$(dirname "$0")/../../tools/first-check" demo "$ESEAL" root.pem "$pbase" http://127.0.0.1:1 >hint.txt ||
    fail "tools/first-check"
grep -q -- '--no-status' hint.txt && fail "the hint skips the status"
grep -q '<esID>' hint.txt && fail "the hint names a template, not a file"
n=0
while read -r cmd; do
    n=$((n + 1))
    rc=0
    eval "$cmd" >"hint$n.out" 2>&1 || rc=$?
    [ "$rc" = 0 ] || { cat "hint$n.out" >&2; fail "hint command $n exits $rc: $cmd"; }
    grep -q '印章状态 / seal status: ' "hint$n.out" || fail "hint $n: the status was checked"
    case $cmd in
    *"status fetch"*) ;;
    *) grep -q '/status/by-seal/' "hint$n.out" || fail "hint $n: status from the publisher" ;;
    esac
done < <(sed -n "s|^    \($ESEAL verify .*\)|\1|p" hint.txt)
[ "$n" = 3 ] || { cat hint.txt >&2; fail "three verify lines in the hint, got $n"; }
grep -q '已撤销 (revoked)' hint3.out || fail "the revoked seal's sample says 已撤销"
ok
# --no-status says, in its own output, what it costs (#19)
read -r _ _ doc sig _ <revoked.txt
"$ESEAL" verify --trust root.pem --no-status "$doc" --sig "$sig" >ns.txt 2>&1 || true
grep -q '依赖方不能把此结论' ns.txt && grep -q 'no better than INDETERMINATE' ns.txt ||
    { cat ns.txt >&2; fail "--no-status: the note"; }
"$ESEAL" verify --json --trust root.pem --no-status "$doc" --sig "$sig" >ns.json 2>ns.err || true
grep -q 'no better than INDETERMINATE' ns.err || fail "--no-status --json: the note on stderr"
ok
echo "tsa_demo: $passed checks passed"
