#!/usr/bin/env bash
# publisher_replica.sh — publisher replicas (docs/operations.md, "Scaling
# out"): eseal-issuerd, a primary eseal-publisherd following it, replica 1
# following the primary's /log endpoints and replica 2 following replica 1,
# all real daemons on free loopback ports. The primary serves the verified
# copy of the log it keeps (checkpoint, entries, proofs: audited with
# `eseal log verify --url`); both replicas show the seal good, then its
# revocation (cessationOfOperation) in the status response (DER signature
# checked by openssl against responder.pem), the shard's full status list
# and OCSP (`openssl ocsp`); `eseal verify` against a replica passes a
# document before the revocation and not after. A replica whose source
# serves a forged entry (a proxy that changes one entry of every page) and
# a replica whose state comes from a fork of the log (entries signed with
# the same log key, then the real log) refuse them: 503 on /healthz with
# the reason, nothing applied past the last proven entry.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=replica
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

replicas=
proxy=
# a replica's CA directory: certificates, the log's public key and the
# responder key (encrypted) only — no root, maker, log or TSA key
mkdir rca
cp ca/ca.json ca/root.pem ca/maker.pem ca/responder.pem ca/responder.key ca/log.pub rca/
stop_extra() {
    for pid in $replicas $proxy; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap 'stop_extra; cleanup' EXIT

# start_replica NAME SOURCE: a publisher with data NAME.data following
# SOURCE with the reduced CA directory rca (no time-stamping); sets $rbase to its
# base URL and $rpid.
start_replica() {
    "$ESEAL_PUBLISHERD" --port 0 --data "$1.data" --ca rca --log "$2" --issuer "$ibase" \
        --tsa false --poll_ms 100 >"$1.log" 2>&1 &
    rpid=$!
    replicas="$replicas $rpid"
    rbase="http://127.0.0.1:$(wait_port "$1.log" "$rpid")"
}
# rget BASE PATH [curl args]: GET into r.out, print the status.
rget() {
    local b=$1 path=$2
    shift 2
    curl -s -o r.out -w '%{http_code}' "$@" "$b$path"
}
# wait_replica BASE ESID STATUS: poll until the replica shows STATUS.
wait_replica() {
    for _ in $(seq 1 100); do
        if [ "$(rget "$1" "/status/$2")" = 200 ] && grep -q "\"status\":\"$3\"" r.out; then
            return 0
        fi
        sleep 0.1
    done
    cat r.out >&2
    fail "$1 never showed $2 as $3"
}
# same_status BASE ESID: the replica's status JSON equals the primary's
# (but the signing times and signature) and its DER verifies with openssl.
same_status() {
    rget "$pbase" "/status/$2" >/dev/null
    cp r.out primary.json
    [ "$(rget "$1" "/status/$2")" = 200 ] || fail "$1: status of $2"
    python3 - primary.json r.out <<'PY' || fail "$1: the replica's status differs from the primary's"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for j in (a, b):
    for k in ("thisUpdate", "nextUpdate", "der"):
        j.pop(k)
assert a == b, (a, b)
PY
    [ "$(rget "$1" "/status/$2" -H 'Accept: application/eseal-status')" = 200 ] || fail "$1: DER"
    split_sig r.out || fail "$1: splitting the DER"
    verify_sig || fail "$1: openssl verifies the replica's signature"
}

# --- the primary serves the log it verified ---------------------------------------
"$ESEAL" log verify --url "$pbase" --key ca/log.pub >audit.txt 2>&1 ||
    { cat audit.txt >&2; fail "the primary's log copy audits"; }
curl -s -o primary.cp "$pbase/log/checkpoint"
curl -s -o issuer.cp "$ibase/log/checkpoint"
size=$(sed -n 2p primary.cp)
[ "$size" -gt 0 ] || fail "the primary's checkpoint"
[ "$(rget "$pbase" "/log/entries?start=0&end=$((size + 1))")" = 400 ] ||
    fail "entries beyond the primary's copy"
[ "$(rget "$pbase" "/log/proof/consistency?first=1&second=$size")" = 200 ] || fail "consistency proof"
[ "$(rget "$pbase" "/log/proof/inclusion?index=0&size=$size")" = 200 ] || fail "inclusion proof"
ok

# --- two replicas: one following the primary, one following that replica -------------
start_replica r1 "$pbase"
r1=$rbase
start_replica r2 "$r1"
r2=$rbase
for r in "$r1" "$r2"; do
    wait_replica "$r" "$esid" good
    same_status "$r" "$esid"
    [ "$(rget "$r" /certs/responder.pem)" = 200 ] && cmp -s r.out ca/responder.pem ||
        fail "$r: /certs/responder.pem"
done
ok

# a document stamped while the seal is good; `eseal verify` against a replica
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null || fail "stamp"
# verdict REPLICA: "exit INDICATION SUB" of eseal verify against it
verdict() {
    local rc=0
    "$ESEAL" verify --json contract.txt --sig contract.txt.ses --trust ca/root.pem \
        --status-url "$1" >v.json 2>v.err || rc=$?
    echo "$rc $(json v.json 'j["indication"], j["subIndication"]')"
}
[ "$(verdict "$r2")" = "0 ('TOTAL_PASSED', None)" ] || { cat v.json v.err >&2; fail "verify good via replica 2"; }
ok

# --- a revocation reaches both replicas: status, list, OCSP ------------------------------
sleep 1 # the revocation is strictly after the stamp
rsid=$(to_approved revoke "$esid")
expect 200 POST "/api/v1/submissions/$rsid/produce" "$maker" -d '{"reason":"cessationOfOperation"}'
wait_status "$esid" revoked
shard=$(shard_of "$esid")
for r in "$r1" "$r2"; do
    wait_replica "$r" "$esid" revoked
    grep -q '"reason":"cessationOfOperation"' r.out || fail "$r: reason"
    same_status "$r" "$esid"
    [ "$(rget "$r" "/lists/$shard/full")" = 200 ] || fail "$r: the full list"
    list_field r.out >list.txt
    grep -q "^$esid [0-9]* revoked 5$" list.txt || { cat list.txt >&2; fail "$r: the list"; }
    verify_sig || fail "$r: the list's signature"
    openssl ocsp -issuer root.pem -cert cert.pem -url "$r/ocsp" -noverify -no_nonce \
        >ocsp.txt 2>&1 || { cat ocsp.txt >&2; fail "$r: openssl ocsp"; }
    grep -q "cert.pem: revoked" ocsp.txt && grep -q "Reason: cessationOfOperation" ocsp.txt ||
        { cat ocsp.txt >&2; fail "$r: OCSP says revoked"; }
    [ "$(verdict "$r")" = "2 ('INDETERMINATE', 'REVOKED_NO_POE')" ] ||
        { cat v.json >&2; fail "$r: verify after the revocation"; }
done
# every replica's checkpoint is the primary's or an older one of the same log
for r in "$r1" "$r2"; do
    "$ESEAL" log verify --url "$r" --key ca/log.pub >audit.txt 2>&1 ||
        { cat audit.txt >&2; fail "$r: its log copy audits"; }
done
[ "$(rget "$r2" /healthz)" = 200 ] && grep -q '"ok":true' r.out || { cat r.out >&2; fail "replica 2 healthy"; }
stop_extra
replicas=
ok

# --- a forged entry: a proxy that changes one entry of each page -----------------------
cat >proxy.py <<'PY'
import http.server, sys, urllib.request
up = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with urllib.request.urlopen(up + self.path) as r:
            body = r.read()
        if self.path.startswith("/log/entries"):
            body = body.replace(b'"cessationOfOperation"', b'"superseded"', 1)
            body = body.replace(b'"role":"maker"', b'"role":"admin"', 1)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
python3 proxy.py "$pbase" >proxy.port &
proxy=$!
for _ in $(seq 1 50); do [ -s proxy.port ] && break; sleep 0.1; done
start_replica forged "http://127.0.0.1:$(cat proxy.port)"
forged=$rbase
# health_refused BASE WORDS: /healthz answers 503 naming WORDS
health_refused() {
    for _ in $(seq 1 100); do
        [ "$(rget "$1" /healthz)" = 503 ] && grep -q "$2" r.out && return 0
        sleep 0.1
    done
    cat r.out >&2
    fail "$1 did not refuse: $2"
}
health_refused "$forged" "do not hash into the signed checkpoint"
[ "$(rget "$forged" "/status/$esid")" = 404 ] && grep -q '"status":"unknown"' r.out ||
    fail "a forged page applied"
stop_extra
replicas= proxy=
ok

# --- a fork: a log signed with the same key, then the real one -----------------------------
cat >fork.jsonl <<'EOF'
{"v":1,"type":"staff.created","actor":{"id":"admin","role":"admin"},"data":{}}
{"v":1,"type":"staff.created","actor":{"id":"admin","role":"admin"},"data":{}}
EOF
"$ESEAL" log append --dir fork --ca ca <fork.jsonl >/dev/null 2>fork.err ||
    { cat fork.err >&2; fail "append to the fork"; }
start_replica forked2 fork
for _ in $(seq 1 50); do
    rget "$rbase" /healthz >/dev/null
    grep -q '"position":2,' r.out && break
    sleep 0.1
done
grep -q '"position":2,' r.out || { cat r.out >&2; fail "following the fork"; }
kill "$rpid"
wait "$rpid" 2>/dev/null || true
replicas=
start_replica forked2 "$pbase"
health_refused "$rbase" "not consistent"
[ "$(rget "$rbase" "/status/$esid")" = 404 ] && grep -q '"status":"unknown"' r.out ||
    fail "the forked replica moved on"
ok

for f in r1.log r2.log forged.log forked2.log; do
    grep -q 'ERROR: \(Address\|Leak\)Sanitizer' $f && fail "sanitizer report in $f"
done
echo "publisher_replica: $passed checks passed"
