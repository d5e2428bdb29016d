#!/usr/bin/env bash
# key_rotation.sh — rotating the status responder's and the seal maker's
# keys without breaking relying parties (docs/operations.md "Rotation").
# A seal made and a document stamped before the rotations; eseal-issuerd
# stopped; `eseal ca rotate-responder` and `rotate-maker` (each a
# key.rotated entry in the log, which still audits); both daemons started
# again. Then: the status response and the OCSP response fetched before
# still verify (openssl pkeyutl with the old responder key, `eseal verify`
# with /certs/responders.pem), the publisher has re-signed everything with
# the new key (openssl checks it, the old key does not verify it), the
# document stamped before verifies online, a seal made after carries the
# new maker certificate and a document stamped with it verifies too; the
# old certificates still chain to the root with `openssl verify`. Then the
# log key: `eseal ca rotate-log` announces a next key (checkpoints co-signed
# by both), `--finish` leaves it alone; `eseal log verify` with the first key
# follows the rotation through the whole log, and refuses a checkpoint
# signed only by a key the log never announced. An eseal-verifierd started
# before the rotations, with the publisher as its status source, is never
# restarted: it verifies the document stamped after them (the status signed
# by the new responder key, which it fetches when it meets it), and still
# refuses status signed by a responder key the root never certified.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, curl, openssl
# and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=rotate
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
verifier=
trap 'kill $verifier 2>/dev/null || true; cleanup' EXIT
# vd OUT CURL-ARGS...: eseal-verifierd's verdict "INDICATION STATUS-CHECK"
vd() {
    local out=$1
    shift
    [ "$(curl -s -o "$out" -w '%{http_code}' "$@" "$vbase/api/v1/verify")" = 200 ] ||
        fail "eseal-verifierd: $(cat "$out")"
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1])); s = [c for c in j["checks"] if c["key"] == "status"]
print(j["indication"], s[0]["status"] if s else "-")' "$out"
}

# --- before: a stamped document, a status response, an OCSP response --------------------
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'contract text / 合同正文\n' >before.txt
"$ESEAL" stamp --token tok before.txt -o before.txt.ses >/dev/null || fail "stamp before"
[ "$(pub "/status/$esid" -H 'Accept: application/eseal-status')" = 200 ] || fail "status DER"
cp pub.out status-before.der
openssl ocsp -issuer root.pem -cert cert.pem -url "$pbase/ocsp" -noverify -respout ocsp-before.der \
    >ocsp.txt 2>&1 || { cat ocsp.txt >&2; fail "openssl ocsp before"; }
grep -q "cert.pem: good" ocsp.txt || fail "OCSP before: $(cat ocsp.txt)"
cp ca/maker.pem maker-old.pem
old_resp_sm3=$(openssl x509 -in responder.pem -outform DER | openssl dgst -sm3 -r | cut -c1-64)
# the verifier daemon, asking this publisher (it keeps its port across the restarts)
"$ESEAL_VERIFIERD" --port 0 --trust root.pem --status-url "$pbase" >verifierd.log 2>&1 &
verifier=$!
vbase="http://127.0.0.1:$(wait_port verifierd.log "$verifier")"
[ "$(vd vd-before.json -F document=@before.txt -F signature=@before.txt.ses)" = \
    "TOTAL_PASSED PASSED" ] || fail "eseal-verifierd before: $(cat vd-before.json)"
ok

# --- rotate: the issuer holds the log, so it is stopped first ----------------------------
rc=0
"$ESEAL" ca rotate-responder --dir ca --log idata/log >rot.out 2>rot.err || rc=$?
[ "$rc" = 1 ] || fail "rotation while the issuer runs: exit $rc"
cmp -s ca/responder.pem responder.pem || fail "a refused rotation changed the CA"
grep -q 'eseal-issuerd' rot.err || fail "the refusal names the issuer: $(cat rot.err)"
for pid in $publisher $issuer; do kill "$pid" && wait "$pid" 2>/dev/null || true; done
publisher= issuer=
ESEAL_PASSPHRASE=wrong-passphrase "$ESEAL" ca rotate-responder --dir ca --log idata/log \
    >/dev/null 2>&1 && fail "rotation with a wrong passphrase"
cmp -s ca/responder.pem responder.pem || fail "a wrong passphrase changed the CA"
"$ESEAL" ca rotate-responder --dir ca --log idata/log >rot.out || fail "rotate-responder"
grep -q 'key.rotated' rot.out || fail "rotate-responder output: $(cat rot.out)"
"$ESEAL" ca rotate-maker --dir ca --log idata/log --days 400 >rot.out || fail "rotate-maker"
! cmp -s ca/responder.pem responder.pem && ! cmp -s ca/maker.pem maker-old.pem ||
    fail "new certificates"
ls ca/retired/responder-*.pem ca/retired/maker-*.pem >/dev/null || fail "retired certificates"
openssl verify -vfyopt distid:1234567812345678 -CAfile root.pem ca/maker.pem ca/responder.pem \
    ca/retired/*.pem >/dev/null || fail "old and new certificates chain to the root"
openssl x509 -in ca/maker.pem -noout -checkend $((401 * 86400)) >/dev/null &&
    fail "rotate-maker --days 400"
"$ESEAL" ca show --dir ca --json >show.json
python3 - <<'PY' || fail "ca show lists the retired certificates"
import json
j = {c["role"]: c for c in json.load(open("show.json"))["certificates"]}
assert len(j["maker"]["retired"]) == 1 and len(j["responder"]["retired"]) == 1, j
PY
# the log records both rotations and still audits with the same log key
"$ESEAL" log show --dir idata/log >entries.jsonl
python3 - "$old_resp_sm3" <<'PY' || fail "key.rotated entries"
import json, sys
e = [json.loads(l) for l in open("entries.jsonl") if '"key.rotated"' in l]
assert [x["data"]["role"] for x in e] == ["responder", "maker"], e
assert e[0]["data"]["old"]["sm3"] == sys.argv[1], e[0]
assert e[0]["data"]["new"]["sm3"] != sys.argv[1]
PY
"$ESEAL" log verify --dir idata/log --key ca/log.pub >/dev/null || fail "the log audits"
# the log key: a next key, announced under the old key alone, co-signing from now on
cp ca/log.pub log-first.pub
"$ESEAL" ca rotate-log --dir ca --log idata/log >rot.out || fail "rotate-log"
[ -f ca/log.next.pub ] && cmp -s ca/log.pub log-first.pub || fail "rotate-log: log.next.pub"
"$ESEAL" ca rotate-log --dir ca --log idata/log >/dev/null 2>&1 && fail "a second rotate-log"
"$ESEAL" log verify --dir idata/log --key log-first.pub >/dev/null || fail "audit after rotate-log"
ok

# --- the daemons again: the issuer replays past key.rotated, the publisher re-signs ------
"$ESEAL_ISSUERD" --port 0 --data idata --ca ca >issuer2.log 2>&1 &
issuer=$!
iport=$(wait_port issuer2.log "$issuer")
ibase="http://127.0.0.1:$iport"
base=$ibase
start_publisher publisher2.log "$pport"
grep -q 're-signed with the new key' publisher2.log || fail "the publisher re-signs"
curl -s -o responders.pem "$pbase/certs/responders.pem"
[ "$(grep -c 'BEGIN CERTIFICATE' responders.pem)" = 2 ] || fail "responders.pem: new and old"
curl -s -o responder-new.pem "$pbase/certs/responder.pem"
cmp -s responder-new.pem ca/responder.pem || fail "/certs/responder.pem is the new one"
openssl x509 -in responder-new.pem -pubkey -noout >responder-new.pub
# the status served now is signed by the new key, not the old one
for _ in $(seq 1 50); do
    pub "/status/$esid" -H 'Accept: application/eseal-status' >/dev/null
    split_sig pub.out
    openssl pkeyutl -verify -pubin -inkey responder-new.pub -in tbs.der -sigfile sig.der -rawin \
        -digest sm3 -pkeyopt distid:1234567812345678 >/dev/null 2>&1 && break
    sleep 0.1
done
cp pub.out status-after.der
openssl pkeyutl -verify -pubin -inkey responder-new.pub -in tbs.der -sigfile sig.der -rawin \
    -digest sm3 -pkeyopt distid:1234567812345678 >/dev/null || fail "re-signed with the new key"
verify_sig 2>/dev/null && fail "the old key verifies a new response"
# the response from before still verifies with the old key
split_sig status-before.der
verify_sig || fail "the response from before, with the old key"
# OCSP: the old response names the old responder, the new one the new; openssl checks both
python3 "$der_py" ocsp-basic ocsp-before.der && split_sig basic.der
verify_sig || fail "the OCSP response from before"
openssl ocsp -issuer root.pem -cert cert.pem -url "$pbase/ocsp" -noverify -respout ocsp-after.der \
    >ocsp.txt 2>&1 || fail "openssl ocsp after"
grep -q "cert.pem: good" ocsp.txt || fail "OCSP after: $(cat ocsp.txt)"
python3 "$der_py" ocsp-basic ocsp-after.der && split_sig basic.der
openssl pkeyutl -verify -pubin -inkey responder-new.pub -in tbs.der -sigfile sig.der -rawin \
    -digest sm3 -pkeyopt distid:1234567812345678 >/dev/null || fail "OCSP after, new key"
for r in before after; do
    openssl ocsp -respin "ocsp-$r.der" -CAfile root.pem -VAfile responders.pem \
        -no_signature_verify >/dev/null 2>&1 || fail "openssl ocsp reads the $r response"
done
ok

# `eseal verify`: before and after, offline with the bundle and online
v() { # OUT ARGS...: the verdict "INDICATION STATUS-CHECK"
    local out=$1 rc=0
    shift
    "$ESEAL" verify --json "$@" >"$out" 2>verify.err || rc=$?
    python3 -c '
import json, sys
j = json.load(open(sys.argv[1])); s = [c for c in j["checks"] if c["key"] == "status"]
print(sys.argv[2], j["indication"], s[0]["status"] if s else "-")' "$out" "$rc"
}
for r in before after; do
    [ "$(v off-$r.json before.txt --sig before.txt.ses --trust root.pem \
        --status-file status-$r.der --responder responders.pem)" = "0 TOTAL_PASSED PASSED" ] ||
        fail "status $r with responders.pem: $(cat off-$r.json verify.err)"
done
# the current certificate alone does not verify the old response: the bundle is needed
rc=0
"$ESEAL" verify before.txt --sig before.txt.ses --trust root.pem --status-file status-before.der \
    --responder responder-new.pem >/dev/null 2>verify.err || rc=$?
[ "$rc" = 3 ] && grep -q signature verify.err ||
    fail "the old response with the new certificate alone: exit $rc, $(cat verify.err)"
[ "$(v on-before.json before.txt --sig before.txt.ses --trust root.pem --status-url "$pbase")" \
    = "0 TOTAL_PASSED PASSED" ] || fail "the document from before, online: $(cat on-before.json)"
ok

# --- a seal made after the maker rotation ---------------------------------------------------
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
token2=$(json tok2.json 'j["id"]')
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
sid2=$(to_approved apply "" "$UNIT合同专用章")
python3 - "$token2" <<'PY' >produce.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid2/produce" "$maker" --data-binary @produce.json
esid2=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(handover "$sid2")" = 200 ] || fail "handover of the second seal"
wait_status "$esid2" good
curl -s -H "Authorization: Bearer $agent" -o seal2.esl "$ibase/api/v1/seals/$esid2/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert2.pem "$ibase/api/v1/seals/$esid2/cert.pem"
python3 - <<'PY' || fail "the new seal carries the new maker certificate"
import subprocess
der = lambda f: subprocess.run(["openssl", "x509", "-in", f, "-outform", "DER"],
                               capture_output=True, check=True).stdout
seal = open("seal2.esl", "rb").read()
assert der("ca/maker.pem") in seal and der("maker-old.pem") not in seal
assert der("maker-old.pem") in open("seal.esl", "rb").read()
PY
"$ESEAL" token import --dir tok2 --cert cert2.pem --seal seal2.esl >/dev/null || fail "import 2"
printf 'contract text / 合同正文 2\n' >after.txt
"$ESEAL" stamp --token tok2 after.txt -o after.txt.ses >/dev/null || fail "stamp after"
[ "$(v on-after.json after.txt --sig after.txt.ses --trust root.pem --status-url "$pbase")" \
    = "0 TOTAL_PASSED PASSED" ] || fail "the document from after, online: $(cat on-after.json)"
[ "$(v on-before2.json before.txt --sig before.txt.ses --trust root.pem --status-url "$pbase")" \
    = "0 TOTAL_PASSED PASSED" ] || fail "the document from before, after both rotations"
# during the log key transition the issuer's checkpoints carry two signatures, the
# old key's and the next's; the publisher (old key) follows them
curl -s -o cp.txt "$ibase/log/checkpoint"
[ "$(grep -c '^— ' cp.txt)" = 2 ] || fail "a co-signed checkpoint: $(cat cp.txt)"
ok

# --- eseal-verifierd, running since before the rotations ------------------------------------
# Its first answer signed by the new key makes it fetch /certs/responders.pem
# again, at most once every 10 s: poll until then.
for _ in $(seq 1 60); do
    [ "$(vd vd-after.json -F document=@after.txt -F signature=@after.txt.ses)" = \
        "TOTAL_PASSED PASSED" ] && break
    sleep 0.25
done
[ "$(vd vd-after.json -F document=@after.txt -F signature=@after.txt.ses)" = \
    "TOTAL_PASSED PASSED" ] || fail "eseal-verifierd after the rotation: $(cat vd-after.json)"
[ "$(vd vd-before2.json -F document=@before.txt -F signature=@before.txt.ses)" = \
    "TOTAL_PASSED PASSED" ] || fail "eseal-verifierd, the document from before"
# A publisher whose responder key the root never certified (another CA's,
# under the same name): its signed status is refused, even after a refetch.
kill "$publisher" && wait "$publisher" 2>/dev/null || true
"$ESEAL" ca init --dir stranger >/dev/null
cp -r stranger rogue
cp ca/log.* rogue/ # the issuer's log keys: it follows the same log
start_publisher publisher-rogue.log "$pport" rogue
[ "$(vd vd-rogue.json -F picture=@impression.png)" = "INDETERMINATE -" ] &&
    python3 -c '
import json, sys
c = json.load(open("vd-rogue.json"))["checks"][0]
assert c["key"] == "picture" and c["subIndication"] == "TRY_LATER", c
assert "signature does not verify" in c["actual"], c' ||
    fail "a status signed by a stranger: $(cat vd-rogue.json)"
ok

# --- the log key rotation ends: the next key alone, followed from the first entry ----------
for pid in $publisher $issuer; do kill "$pid" && wait "$pid" 2>/dev/null || true; done
publisher= issuer=
"$ESEAL" ca rotate-log --dir ca --log idata/log --finish >rot.out || fail "rotate-log --finish"
[ ! -e ca/log.next.pub ] && ! cmp -s ca/log.pub log-first.pub && cmp -s ca/retired/log-*.pub \
    log-first.pub || fail "rotate-log --finish: the CA's files"
"$ESEAL_ISSUERD" --port 0 --data idata --ca ca >issuer3.log 2>&1 &
issuer=$!
iport=$(wait_port issuer3.log "$issuer")
ibase="http://127.0.0.1:$iport"
base=$ibase
# an event after the rotation (a staff account), under a checkpoint of the new key alone
expect 201 POST /api/v1/staff "$admin" -d '{"username":"maker2","password":"maker-password-2","role":"maker"}'
for _ in $(seq 1 50); do
    curl -s -o cp.txt "$ibase/log/checkpoint"
    [ "$(grep -c '^— ' cp.txt)" = 1 ] && break
    sleep 0.1
done
curl -s -o cp.txt "$ibase/log/checkpoint"
[ "$(grep -c '^— ' cp.txt)" = 1 ] || fail "one signature after the rotation: $(cat cp.txt)"
"$ESEAL" log verify --url "$ibase" --key ca/log.pub >/dev/null || fail "audit over HTTP, new key"
kill "$issuer" && wait "$issuer" 2>/dev/null || true
issuer=
"$ESEAL" log verify --dir idata/log --key log-first.pub >audit.out || fail "the audit follows"
"$ESEAL" log show --dir idata/log >entries.jsonl
python3 - <<'PY' || fail "key.rotated and key.retired for the log key"
import json
e = [json.loads(l) for l in open("entries.jsonl")]
log = [x for x in e if x["type"].startswith("key.") and x["data"]["role"] == "log"]
assert [x["type"] for x in log] == ["key.rotated", "key.retired"], log
assert log[0]["data"]["new"]["key"] == log[1]["data"]["by"] == open("ca/log.pub").read().strip()
assert log[1]["data"]["key"] == open("log-first.pub").read().strip()
PY
# a checkpoint signed only by a key the log never announced is refused: the last
# checkpoint replaced by the same tree signed with a fresh key of the same name
cp -r idata/log forged
openssl genpkey -algorithm ed25519 -out rogue.pem 2>/dev/null
python3 - <<'PY' || fail "forging a checkpoint"
import base64, hashlib, struct, subprocess
d = open("forged/checkpoints", "rb").read()
o = last = 0
while o < len(d):
    last = o
    o += 36 + struct.unpack(">I", d[o:o + 4])[0]
note = d[last + 36:].decode()
body = note.split("\n\n")[0] + "\n"
name = body.split("\n")[0]
open("body.txt", "w").write(body)
sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", "rogue.pem", "-rawin", "-in",
                      "body.txt"], capture_output=True, check=True).stdout
der = subprocess.run(["openssl", "pkey", "-in", "rogue.pem", "-pubout", "-outform", "DER"],
                     capture_output=True, check=True).stdout
pk = der[-32:]
kh = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]
forged = (body + "\n\u2014 " + name + " " + base64.b64encode(kh + sig).decode() + "\n").encode()
rec = struct.pack(">I", len(forged)) + hashlib.sha256(b"\x00" + forged).digest() + forged
open("forged/checkpoints", "wb").write(d[:last] + rec)
PY
rc=0
"$ESEAL" log verify --dir forged --key log-first.pub >/dev/null 2>audit.err || rc=$?
[ "$rc" = 1 ] && grep -q 'no signature by' audit.err ||
    fail "a checkpoint by an unannounced key: exit $rc, $(cat audit.err)"
ok
echo "PASS key_rotation"
