#!/usr/bin/env bash
# loss_report.sh — issue #12 points 4 and 5 and "the time of a compromise",
# over HTTP with the real daemons: the unit's agent and its city's
# aggregator report a USB KEY lost (another unit's agent and another city's
# aggregator see no such seal: 404; other roles 403); the seal is suspended
# at once and published; a maker reinstates it only with the found key on
# site (seal.reinstated), and every feed says good again. A good seal's
# revoke still needs the key; a suspended one's does not, its reason is
# keyCompromise and its invalidity date the suspension time — in the seal
# record, the publisher's status JSON and signed status, the CRL entry and
# the OCSP single response (read by the stock `openssl crl -text` and
# `openssl ocsp -resp_text`). The verifier then fails a signature whose
# own signing time is after the loss (TOTAL_FAILED REVOKED) and leaves one
# made before it INDETERMINATE REVOKED_NO_POE.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=loss
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

OTHER_USCC='91350100M000200Y4T'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200"}'
expect 201 POST /api/v1/staff "$admin" -d "{\"username\":\"agent2\",\"password\":\"agent-password-2\",\"role\":\"agent\",\"unit\":\"$OTHER_USCC\"}"
aggxm=$(login agg-xm aggregator-pw-2)
agent2=$(login agent2 agent-password-2)
seal_status() {
    expect 200 GET "/api/v1/seals/$esid" "$maker"
    json resp.json "$1"
}
# the seal and its certificate into the token, for stamping below
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
serial=$(openssl x509 -in cert.pem -noout -serial | cut -d= -f2)
shard=$(shard_of "$esid")
ok

# --- who may report a loss ----------------------------------------------------------------
expect 404 POST "/api/v1/seals/$esid/suspend" "$agent2"
expect 404 POST "/api/v1/seals/$esid/suspend" "$aggxm"
expect 403 POST "/api/v1/seals/$esid/suspend" "$reviewer"
expect 403 POST "/api/v1/seals/$esid/suspend" "$admin"
expect 401 POST "/api/v1/seals/$esid/suspend" ""
expect 400 POST "/api/v1/seals/$esid/suspend" "$agent" -d '{"note":"丢在出租车上"}'
[ "$(seal_status 'j["status"]')" = good ] || fail "refused loss reports changed nothing"
ok

# --- the unit's agent reports the loss: suspended at once, published ---------------------
expect 200 POST "/api/v1/seals/$esid/suspend" "$agent"
[ "$(json resp.json 'j["status"]')" = suspended ] || fail "suspended by the agent"
wait_status "$esid" suspended
expect 409 POST "/api/v1/seals/$esid/suspend" "$agg"
ok

# --- a maker reinstates: only a maker, only with the seal's own key on site --------------
expect 403 POST "/api/v1/seals/$esid/reinstate" "$agent" -d "{\"token_id\":\"$token_id\"}"
expect 403 POST "/api/v1/seals/$esid/reinstate" "$agg" -d "{\"token_id\":\"$token_id\"}"
expect 403 POST "/api/v1/seals/$esid/reinstate" "$agent2" -d "{\"token_id\":\"$token_id\"}"
expect 422 POST "/api/v1/seals/$esid/reinstate" "$maker" -d '{}'
[ "$(json resp.json 'j["error"]["field"]')" = token_id ] || fail "the missing key named"
json resp.json 'j["error"]["message"]' | grep -q '^解除挂失' || fail "Chinese first"
expect 422 POST "/api/v1/seals/$esid/reinstate" "$maker" -d '{"token_id":"0123456789abcdef"}'
expect 400 POST "/api/v1/seals/$esid/reinstate" "$maker" -d '{"token_id":"not a token"}'
[ "$(seal_status 'j["status"]')" = suspended ] || fail "refused reinstates changed nothing"
expect 200 POST "/api/v1/seals/$esid/reinstate" "$maker" -d "{\"token_id\":\"$token_id\"}"
[ "$(json resp.json 'j["status"]')" = good ] || fail "reinstated"
[ "$(json resp.json 'j["versions"][-1].get("suspended_at"), j["versions"][-1].get("reason")')" = "(None, None)" ] ||
    fail "the suspension cleared from the version"
wait_status "$esid" good
expect 409 POST "/api/v1/seals/$esid/reinstate" "$maker" -d "{\"token_id\":\"$token_id\"}"
# its own event in the log, after the suspension
expect 200 GET /log/checkpoint ""
size=$(sed -n 2p resp.json)
expect 200 GET "/log/entries?start=0&end=$size" ""
python3 - "$esid" <<'PY' || fail "seal.suspended then seal.reinstated in the log"
import json, sys
entries = [e["entry"] for e in json.load(open("resp.json"))["entries"]]
mine = [e for e in entries if e.get("seal") == sys.argv[1]]
assert [e["type"] for e in mine][-2:] == ["seal.suspended", "seal.reinstated"], mine
sus, rei = mine[-2], mine[-1]
# staff by opaque ids and roles, never usernames
assert sus["actor"]["role"] == "agent" and rei["actor"]["role"] == "maker", (sus, rei)
assert sus["actor"]["id"].startswith("st:") and rei["actor"]["id"].startswith("st:"), (sus, rei)
assert rei["data"]["status"] == "good" and rei["data"]["reinstated_at"].endswith("Z"), rei
PY
# good again in every feed: the status, OCSP, and no CRL entry
[ "$(pub "/status/$esid")" = 200 ] && [ "$(json pub.out 'j["reason"]')" = None ] || fail "status reason"
openssl ocsp -issuer root.pem -cert cert.pem -url "$pbase/ocsp" -noverify -resp_text >ocsp.txt 2>&1 ||
    { cat ocsp.txt >&2; fail "openssl ocsp"; }
grep -q "cert.pem: good" ocsp.txt || { cat ocsp.txt >&2; fail "OCSP good after the reinstate"; }
[ "$(pub "/crl/$shard.crl")" = 200 ] || fail "CRL"
openssl crl -inform DER -in pub.out -noout -text >crl.txt || fail "openssl crl"
grep -q "Serial Number: $serial" crl.txt && fail "a reinstated seal left on the CRL"
ok

# --- a good USB KEY seal's revoke still needs the key on site ---------------------------------
rsid=$(file_submitted revoke "$esid")
expect 422 POST "/api/v1/submissions/$rsid/register" "$maker" -d '{}'
grep -q '"usb_key_on_site"' resp.json || fail "the key rule refuses a good seal's revoke"
ok

# --- stamped before the loss; the aggregator reports it; stamped after (the finder) --------
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o before.ses >/dev/null || fail "stamp before"
sleep 1.1 # the loss is strictly after the first signing time
expect 200 POST "/api/v1/seals/$esid/suspend" "$agg"
suspended_at=$(json resp.json 'j["versions"][-1]["suspended_at"]')
wait_status "$esid" suspended
sleep 1.1 # and the second signing strictly after the loss
"$ESEAL" stamp --token tok contract.txt -o after.ses >/dev/null || fail "stamp after"
sleep 1.1 # the revocation is later still: only the invalidity date tells them apart

# --- the lost seal revoked without the key: keyCompromise since the loss ---------------------
expect 200 POST "/api/v1/submissions/$rsid/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$rsid/review" "$reviewer" -d '{"decision":"approve"}'
expect 200 POST "/api/v1/submissions/$rsid/produce" "$maker" -d '{}'
[ "$(seal_status 'j["status"], j["versions"][-1]["reason"], j["versions"][-1]["invalidity_date"]')" = \
    "('revoked', 'keyCompromise', '$suspended_at')" ] || fail "revoked for keyCompromise since the loss"
wait_status "$esid" revoked
ok

# --- published: status JSON, signed status, CRL entry, OCSP single response ----------------
# the suspension time to the second, as GeneralizedTime and as openssl prints it
inv_iso=${suspended_at%%.*}
inv_iso=${inv_iso%Z}Z
inv_text=$(date -u -d "$inv_iso" '+%b %e %H:%M:%S %Y GMT')
[ "$(pub "/status/$esid")" = 200 ] || fail "status"
[ "$(json pub.out 'j["invalidityDate"], j["reason"]')" = "('$inv_iso', 'keyCompromise')" ] ||
    { cat pub.out >&2; fail "status JSON invalidityDate"; }
# the signed status: [1] IMPLICIT GeneralizedTime after statusTime, read by openssl asn1parse
json pub.out 'j["der"]' | base64 -d >status.der
openssl asn1parse -inform DER -in status.der >status.txt || fail "asn1parse of the signed status"
grep -q 'cont \[ 1 \]' status.txt || { cat status.txt >&2; fail "signed status invalidityDate"; }
python3 - "$inv_iso" <<'PY' || fail "signed status invalidityDate value"
import sys
d = open("status.der", "rb").read()
want = sys.argv[1].replace("-", "").replace(":", "").replace("T", "").encode()
i = d.find(b"\x81\x0f" + want)
assert i > 0, (want, d.hex())
PY
[ "$(pub "/crl/$shard.crl")" = 200 ] || fail "CRL"
openssl crl -inform DER -in pub.out -noout -text >crl.txt || fail "openssl crl"
python3 - "$serial" "$inv_text" <<'PY' || { cat crl.txt >&2; fail "CRL entry invalidityDate"; }
import sys
serial, inv = sys.argv[1], sys.argv[2]
text = open("crl.txt").read()
entry = text.split("Serial Number: " + serial, 1)[1].split("Serial Number:", 1)[0]
assert "Key Compromise" in entry, entry
assert "Invalidity Date" in entry and inv in entry, (inv, entry)
PY
openssl ocsp -issuer root.pem -cert cert.pem -url "$pbase/ocsp" -noverify -resp_text >ocsp.txt 2>&1 ||
    { cat ocsp.txt >&2; fail "openssl ocsp"; }
grep -q "cert.pem: revoked" ocsp.txt || { cat ocsp.txt >&2; fail "OCSP revoked"; }
grep -q "Reason: keyCompromise" ocsp.txt || fail "OCSP keyCompromise"
grep -A1 "Invalidity Date" ocsp.txt | grep -q "$inv_text" || { cat ocsp.txt >&2; fail "OCSP invalidityDate"; }
ok

# --- the verifier: the signer's own time after the loss fails; before it, no proof ----------
verdict() {
    local rc=0
    "$ESEAL" verify --json contract.txt --sig "$1" --trust ca/root.pem --status-url "$pbase" \
        >"$1.json" 2>verify.err || rc=$?
    python3 - "$1.json" "$rc" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
s = [c for c in j["checks"] if c["key"] == "status"][0]
print(sys.argv[2], j["indication"], j["subIndication"] or "-", s["subIndication"] or "-")
PY
}
[ "$(verdict after.ses)" = "1 TOTAL_FAILED REVOKED REVOKED" ] ||
    { cat after.ses.json >&2; fail "signed after the loss: $(verdict after.ses)"; }
python3 - <<'PY' || fail "the report names the loss"
import json
j = json.load(open("after.ses.json"))
s = [c for c in j["checks"] if c["key"] == "status"][0]
assert s["message"]["zh"].startswith("签章声明的签署时间") and "挂失" in s["message"]["zh"], s
assert "invalidityDate" in s["message"]["en"] and "compromised since" in s["actual"], s
PY
[ "$(verdict before.ses)" = "2 INDETERMINATE REVOKED_NO_POE REVOKED_NO_POE" ] ||
    { cat before.ses.json >&2; fail "signed before the loss: $(verdict before.ses)"; }
ok

echo "loss_report: $passed checks passed"
