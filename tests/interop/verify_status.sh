#!/usr/bin/env bash
# verify_status.sh — the whole pipeline over HTTP: eseal-issuerd makes a
# seal, eseal-publisherd publishes its status, `eseal verify` checks
# documents stamped with it against that status, online (--status-url) and
# offline (--status-file with a list or a response saved from the
# publisher). One real flow per verdict: good, tampered document, forged
# seal-maker signature, a seal unknown to the publisher, a suspended seal,
# a seal revoked after signing, a claimed signing time after the
# revocation, an old status file, an expired certificate, a picture check
# and a batch. Every report is read as JSON and its indication,
# sub-indication and status check compared.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=verify
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

# the seal and its certificate, into the token; a document stamped with it
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null || fail "stamp"
signed_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1 # the revocation below is strictly after $signed_at
curl -s -o responder.pem "$pbase/certs/responder.pem"

# v OUT ARGS...: eseal verify --json into OUT; prints the exit code
v() {
    local out=$1 rc=0
    shift
    "$ESEAL" verify --json "$@" >"$out" 2>verify.err || rc=$?
    echo "$rc"
}
# verdict FILE: "INDICATION SUB STATUS-CHECK-STATUS STATUS-CHECK-SUB"
verdict() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
st = [c for c in j["checks"] if c["key"] == "status"]
s = st[0] if st else {"status": "-", "subIndication": None}
print(j["indication"], j["subIndication"] or "-", s["status"], s["subIndication"] or "-")
PY
}
# want RC VERDICT FILE ARGS...: verify, and compare exit code and verdict
want() {
    local rc=$1 w=$2 out=$3 got
    shift 3
    got=$(v "$out" "$@")
    [ "$got" = "$rc" ] || { cat "$out" verify.err >&2; fail "$*: exit $got, want $rc"; }
    [ "$(verdict "$out")" = "$w" ] || { cat "$out" >&2; fail "$*: '$(verdict "$out")', want '$w'"; }
}
online=(--trust ca/root.pem --status-url "$pbase")

# --- good: every check passes, picture digest compared ---------------------------------
want 0 "TOTAL_PASSED - PASSED -" good.json contract.txt --sig contract.txt.ses "${online[@]}"
python3 - "$esid" <<'PY' || fail "report fields of a good seal"
import json, sys
j = json.load(open("good.json"))
keys = [c["key"] for c in j["checks"]]
assert keys == ["format", "data_hash", "signature", "signer_in_seal", "seal_signature", "chain",
                "validity", "status", "picture"], keys
assert j["checks"][-1]["status"] == "PASSED", j["checks"][-1]
assert j["sealStatus"] == "good" and j["statusFresh"] is True
assert "/status/by-seal/" in j["statusSource"], j["statusSource"]
assert j["statusAsOf"] and j["statusNextUpdate"] and j["esID"] == sys.argv[1]
for c in j["checks"]:
    assert c["message"]["zh"] and c["message"]["en"], c
PY
"$ESEAL" verify contract.txt --sig contract.txt.ses "${online[@]}" >good.txt || fail "text report"
grep -q '印章状态 / seal status: 有效 (good)' good.txt || fail "text report shows the status"
grep -q '北京时间' good.txt && grep -q "签章人 / signer: $UNIT（统一社会信用代码 $USCC）" good.txt ||
    { cat good.txt >&2; fail "text report: Beijing time, the signer as unit and credit code"; }
ok

# --- a tampered document, a forged seal-maker signature ----------------------------------
printf 'contract text / 合同正文 (changed)\n' >changed.txt
want 1 "TOTAL_FAILED HASH_FAILURE PASSED -" tampered.json changed.txt --sig contract.txt.ses "${online[@]}"
python3 - <<'PY' || fail "forging the seal-maker signature"
d = bytearray(open("contract.txt.ses", "rb").read())
s = open("seal.esl", "rb").read()
i = d.find(s)
assert i >= 0
d[i + len(s) - 3] ^= 0x01      # inside the maker's signature value, at the end of the seal
open("forged.ses", "wb").write(d)
PY
want 1 "TOTAL_FAILED SIG_CRYPTO_FAILURE INDETERMINATE SEAL_STATUS_UNKNOWN" forged.json \
    contract.txt --sig forged.ses "${online[@]}"
python3 -c '
import json; j = json.load(open("forged.json"))
s = {c["key"]: c for c in j["checks"]}
assert s["seal_signature"]["subIndication"] == "SEAL_CRYPTO_FAILURE", s["seal_signature"]' ||
    fail "the forged maker signature is reported"
ok

# --- a seal the publisher does not know: made by the same CA, outside the issuer ----------
"$ESEAL" token init --dir tok3 >/dev/null
"$ESEAL" token csr --dir tok3 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out u3.csr >/dev/null
"$ESEAL" ca issue --dir ca --csr u3.csr --profile unit --out u3.pem >/dev/null
"$ESEAL" seal make --ca ca --esid 35010299999999 --name "$UNIT" --cert u3.pem --type unit \
    --picture impression.png --width 42 --height 42 --out u3.esl >/dev/null || fail "seal make"
"$ESEAL" token import --dir tok3 --cert u3.pem --seal u3.esl >/dev/null
"$ESEAL" stamp --token tok3 contract.txt -o other.ses >/dev/null
want 2 "INDETERMINATE SEAL_STATUS_UNKNOWN INDETERMINATE SEAL_STATUS_UNKNOWN" unknown.json \
    contract.txt --sig other.ses "${online[@]}"
ok

# --- offline: the shard's full list and the single response, saved from the publisher ----
shard=$(python3 - "$esid" <<'PY'
import sys, subprocess
d = subprocess.run(["openssl", "dgst", "-sm3", "-binary"], input=sys.argv[1].encode(),
                   capture_output=True, check=True).stdout
print(int.from_bytes(d[:4], "big") % 16)
PY
)
curl -s -o list.der "$pbase/lists/$shard/full"
want 0 "TOTAL_PASSED - PASSED -" offline.json contract.txt --sig contract.txt.ses \
    --trust ca/root.pem --status-file list.der --responder responder.pem
python3 -c '
import json; j = json.load(open("offline.json"))
p = [c for c in j["checks"] if c["key"] == "picture"][0]
assert p["status"] == "SKIPPED", p       # lists carry no picture digests
assert "status list" in j["statusSource"], j["statusSource"]' || fail "offline report"
curl -s -H 'Accept: application/eseal-status' -o one.der "$pbase/status/$esid"
want 0 "TOTAL_PASSED - PASSED -" offline1.json contract.txt --sig contract.txt.ses \
    --trust ca/root.pem --status-file one.der --responder responder.pem
# the other shard's list does not cover the seal: not "unknown", not "try later"
# (retrying the same file never helps): the report names the seal's shard (#19)
curl -s -o other-list.der "$pbase/lists/$(((shard + 1) % 16))/full"
want 2 "INDETERMINATE STATUS_NOT_COVERED INDETERMINATE STATUS_NOT_COVERED" othershard.json \
    contract.txt --sig contract.txt.ses --trust ca/root.pem --status-file other-list.der \
    --responder responder.pem
grep -q "is in shard $shard (/lists/$shard/full)" othershard.json || fail "the shard is named"
# eseal status fetch saves the right shard's list, or the seal's own response (#19)
"$ESEAL" status fetch --esid "$esid" --url "$pbase" -o fetched-list.der --list \
    --responder fetched-responder.pem --trust ca/root.pem >fetch.out || fail "status fetch --list"
grep -q "shard $shard of 16" fetch.out || fail "status fetch names the shard: $(cat fetch.out)"
cmp -s fetched-responder.pem responder.pem || fail "status fetch saves the responder certificate"
want 0 "TOTAL_PASSED - PASSED -" fetched1.json contract.txt --sig contract.txt.ses \
    --trust ca/root.pem --status-file fetched-list.der --responder fetched-responder.pem
"$ESEAL" status fetch --esid "$esid" --url "$pbase" -o fetched-one.der >/dev/null ||
    fail "status fetch"
want 0 "TOTAL_PASSED - PASSED -" fetched2.json contract.txt --sig contract.txt.ses \
    --trust ca/root.pem --status-file fetched-one.der --responder responder.pem
rc=0
"$ESEAL" status fetch --esid 35010299999999 --url "$pbase" -o nope.der 2>fetch.err || rc=$?
[ "$rc" = 1 ] && [ ! -e nope.der ] || fail "status fetch of an unknown seal: exit $rc"
rc=0
"$ESEAL" status fetch --esid "$esid" --url http://127.0.0.1:1 -o nope.der 2>fetch.err || rc=$?
[ "$rc" = 3 ] || fail "status fetch from nowhere: exit $rc"
# configuration errors are exit 3, never "try later" (#19): no trust anchors for a
# status source, a malformed URL, a malformed status file
[ "$(v bad.json contract.txt --sig contract.txt.ses --status-url "$pbase")" = 3 ] ||
    fail "--status-url without --trust"
grep -q -- '--trust' verify.err || fail "names --trust: $(cat verify.err)"
[ "$(v bad.json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-url "ftp://$pbase")" = 3 ] || fail "a malformed status URL"
grep -q '状态地址无效' verify.err || fail "names the URL: $(cat verify.err)"
# a list signed by someone else, a responder that is not the platform's: refused (exit 3)
python3 -c '
d = bytearray(open("list.der", "rb").read()); d[-5] ^= 1; open("badsig.der", "wb").write(d)'
[ "$(v bad.json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-file badsig.der --responder responder.pem)" = 3 ] || fail "a list with a bad signature"
grep -q 'signature' verify.err || fail "bad list signature reason: $(cat verify.err)"
[ "$(v bad.json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-file list.der --responder ca/maker.pem)" = 3 ] || fail "the maker as responder"
[ "$(v bad.json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-file contract.txt --responder responder.pem)" = 3 ] || fail "garbage status file"
[ "$(v bad.json contract.txt --sig contract.txt.ses --status-file list.der)" = 3 ] ||
    fail "--status-file without --responder"
ok

# --- the picture: registered, and whose ----------------------------------------------------
want 0 "TOTAL_PASSED - PASSED -" pic.json --picture impression.png "${online[@]}"
[ "$(json pic.json 'j["esID"]')" = "$esid" ] || fail "the picture names its seal"
printf '\x89PNG\r\n\x1a\nnot registered' >other.png
want 2 "INDETERMINATE SEAL_STATUS_UNKNOWN - -" pic2.json --picture other.png "${online[@]}"
# a picture is looked up online only: a list cannot answer (a configuration
# matter, #19)
want 2 "INDETERMINATE STATUS_NOT_COVERED - -" pic3.json --picture impression.png \
    --trust ca/root.pem --status-file list.der --responder responder.pem
ok

# --- expired: validated at a time after the certificate's end ------------------------------
want 2 "INDETERMINATE OUT_OF_BOUNDS_NO_POE PASSED -" expired.json contract.txt \
    --sig contract.txt.ses "${online[@]}" --at 2099-01-01
ok

# --- batch: a directory of signatures, JSON Lines, a count per indication ------------------
mkdir batch
cp contract.txt contract.txt.ses batch/
cp changed.txt batch/
cp contract.txt.ses batch/changed.txt.ses
cp other.ses batch/lonely.ses
cp seal.esl batch/
mkdir batch/sub.ses && ln -s .. batch/loop.ses # directories inside are not entered
rc=0
"$ESEAL" verify --batch batch --jobs 3 "${online[@]}" >batch.jsonl 2>batch.err || rc=$?
[ "$rc" = 1 ] || fail "batch exit $rc, want 1 (one failed)"
python3 - <<'PY' || { cat batch.jsonl batch.err >&2; fail "batch lines"; }
import json
lines = [json.loads(l) for l in open("batch.jsonl")]
by = {l["file"].split("/")[-1]: l for l in lines}
assert set(by) == {"contract.txt.ses", "changed.txt.ses", "lonely.ses", "seal.esl"}, by.keys()
assert by["contract.txt.ses"]["indication"] == "TOTAL_PASSED"
assert by["changed.txt.ses"]["subIndication"] == "HASH_FAILURE"
assert by["lonely.ses"]["document"] is None
assert by["lonely.ses"]["subIndication"] == "SIGNED_DATA_NOT_FOUND", by["lonely.ses"]
assert by["seal.esl"]["indication"] == "TOTAL_PASSED", by["seal.esl"]
PY
grep -q 'TOTAL_PASSED 2, TOTAL_FAILED 1, INDETERMINATE 1' batch.err || fail "batch counts: $(cat batch.err)"
ok

# --- suspended, then revoked after the signing ----------------------------------------------
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
wait_status "$esid" suspended
want 2 "INDETERMINATE TRY_LATER INDETERMINATE TRY_LATER" suspended.json contract.txt \
    --sig contract.txt.ses "${online[@]}"
ok
export ESEAL_PIN=222333
"$ESEAL" token init --dir tok4 >/dev/null
"$ESEAL" token show --dir tok4 --json >tok4.json
"$ESEAL" token csr --dir tok4 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out u4.csr >/dev/null
sid2=$(to_approved reissue "$esid")
python3 - "$(json tok4.json 'j["id"]')" <<'PY' >produce4.json
import json, sys
print(json.dumps({"forms": [{"csr": open("u4.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid2/produce" "$maker" --data-binary @produce4.json
wait_status "$esid" revoked
want 2 "INDETERMINATE REVOKED_NO_POE INDETERMINATE REVOKED_NO_POE" revoked.json contract.txt \
    --sig contract.txt.ses "${online[@]}"
# signed again after the revocation (a software token does not know): the
# signer's own claimed time is after the revocation
sleep 1
ESEAL_PIN=123456 "$ESEAL" stamp --token tok contract.txt -o late.ses >/dev/null || fail "late stamp"
want 1 "TOTAL_FAILED REVOKED FAILED REVOKED" late.json contract.txt --sig late.ses "${online[@]}"
# validated at a time before the revocation: good then
want 0 "TOTAL_PASSED - PASSED -" before.json contract.txt --sig contract.txt.ses "${online[@]}" \
    --at "$signed_at"
ok

# --- the list saved before the revocation is still believed until its nextUpdate ----------
# (a stale file — nextUpdate passed — is tests/unit/verifier/test_status.c: the
# publisher's shortest validity is a minute)
want 0 "TOTAL_PASSED - PASSED -" old.json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-file list.der --responder responder.pem
ok

echo "verify_status: $passed checks passed"
