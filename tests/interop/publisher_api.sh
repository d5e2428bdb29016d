#!/usr/bin/env bash
# publisher_api.sh — eseal-publisherd next to a real eseal-issuerd: a
# temporary CA, both daemons on free loopback ports (the publisher follows
# the issuer's /log endpoints), an apply driven through the issuer API with
# curl and a real software token, then a loss report (suspend) and a
# reissue (which revokes the lost seal, keyCompromise); after each step the
# publisher is polled until it shows the status. Checks the JSON fields, the
# DER via the Accept header (parsed with openssl asn1parse, signature
# checked with openssl against responder.pem), lookups by seal digest,
# picture digest and serial, ETag/304, Cache-Control, 400/404s, healthz,
# the checkpoint, and a restart that resumes. Status lists: the full list of
# the seal's shard and a delta after the suspension (asn1parse, signatures
# checked with openssl, the number going up, ETag/304, 404s).
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=publisher
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

# --- the JSON, the DER, the caching headers -------------------------------------------
python3 - "$esid" <<'PY' || fail "JSON fields"
import json, sys, base64, datetime
j = json.load(open("pub.out"))
want = {"esID", "status", "reason", "statusTime", "thisUpdate", "nextUpdate", "sealDigest",
        "pictureDigest", "certSerial", "der", "invalidityDate"}
assert set(j) == want, sorted(j)
assert j["esID"] == sys.argv[1] and j["status"] == "good" and j["reason"] is None
assert j["invalidityDate"] is None
assert len(j["sealDigest"]) == 64 and len(j["pictureDigest"]) == 64
t = lambda s: datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
assert (t(j["nextUpdate"]) - t(j["thisUpdate"])).total_seconds() == 86400
base64.b64decode(j["der"], validate=True)
open("seal.json", "w").write(json.dumps(j))
PY
ok
etag=$(hdr etag)
cc=$(hdr cache-control)
[ -n "$etag" ] && [ -n "$(hdr last-modified)" ] || fail "ETag and Last-Modified"
age=${cc##*max-age=}
[ "$age" -gt 86000 ] && [ "$age" -le 86400 ] || fail "Cache-Control $cc"
[ "$(pub "/status/$esid" -H "If-None-Match: $etag")" = 304 ] || fail "304 on If-None-Match"
[ ! -s pub.out ] || fail "304 with a body"
[ "$(pub "/status/$esid" -H 'If-None-Match: "other"')" = 200 ] || fail "200 on another ETag"
ok
[ "$(pub "/status/$esid" -H 'Accept: application/eseal-status')" = 200 ] || fail "DER"
[ "$(hdr content-type)" = application/eseal-status ] || fail "DER content type"
[ "$(hdr etag)" != "$etag" ] || fail "the DER and the JSON share an ETag"
cp pub.out status.der
python3 -c 'import json,base64; open("json.der","wb").write(base64.b64decode(json.load(open("seal.json"))["der"]))'
cmp -s status.der json.der || fail "der in the JSON is the DER served"
openssl asn1parse -inform DER -in status.der >asn1.txt || fail "asn1parse"
grep -q "$esid" asn1.txt || fail "esID in the DER"
# the signature, checked by openssl: tbs = first element, signature = the BIT STRING
split_sig status.der || fail "splitting the DER"
curl -s -o responder.pem "$pbase/certs/responder.pem"
cmp -s responder.pem ca/responder.pem || fail "/certs/responder.pem"
curl -s -o root.pem "$pbase/certs/root.pem"
cmp -s root.pem ca/root.pem || fail "/certs/root.pem"
verify_sig || fail "openssl verifies the signature"
ok

# lookups by seal digest, picture digest, serial
sd=$(json seal.json 'j["sealDigest"]')
pd=$(json seal.json 'j["pictureDigest"]')
sn=$(json seal.json 'j["certSerial"]')
for path in "by-seal/$sd" "by-picture/$pd" "by-serial/$sn" "by-serial/$(echo "$sn" | tr A-F a-f)"; do
    [ "$(pub "/status/$path")" = 200 ] || fail "/status/$path"
    [ "$(json pub.out 'j["esID"]')" = "$esid" ] || fail "/status/$path names $esid"
done
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
[ "$(sm3 seal.esl)" = "$sd" ] || fail "sealDigest is the SM3 of the seal file"
ok

# unknown and malformed
[ "$(pub /status/35010299999999)" = 404 ] || fail "unknown esID"
[ "$(json pub.out 'j["status"], j["esID"]')" = "('unknown', '35010299999999')" ] || fail "unknown JSON"
[ "$(pub /status/123)" = 400 ] || fail "short esID"
[ "$(json pub.out 'j["error"]["code"]')" = invalid ] || fail "JSON error"
[ "$(pub /status/by-seal/xyz)" = 400 ] || fail "bad digest"
[ "$(pub /status/by-serial/nothex)" = 400 ] || fail "bad serial"
[ "$(pub "/status/by-seal/$pd")" = 404 ] || fail "picture digest as seal digest"
[ "$(pub /status/by-what/1)" = 404 ] || fail "unknown lookup"
[ "$(pub /nothing)" = 404 ] || fail "unknown path"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$pbase/status/$esid")" = 405 ] || fail "POST"
ok

# --- status lists: the full list of the seal's shard --------------------------------
shard=$(shard_of "$esid")
for _ in $(seq 1 50); do [ "$(pub "/lists/$shard/full")" = 200 ] && break; sleep 0.1; done
[ "$(hdr content-type)" = application/eseal-status-list ] || fail "list content type"
cp pub.out full1.der
openssl asn1parse -inform DER -in full1.der >list.txt || fail "asn1parse of the full list"
grep -q "$esid" list.txt || fail "esID in the full list"
read -r n1 b1 c1 <<<"$(list_field full1.der)" || fail "parsing the full list"
[ "$b1" = 0 ] && [ "$c1" -ge 1 ] && [ "$n1" -ge 1 ] || fail "full list: number $n1 base $b1 entries $c1"
verify_sig || fail "openssl verifies the list"
letag=$(hdr etag)
cc=$(hdr cache-control)
age=${cc##*max-age=}
[ -n "$letag" ] && [ -n "$(hdr last-modified)" ] && [ "$age" -gt 0 ] && [ "$age" -le 86400 ] ||
    fail "list caching headers: $letag $cc"
[ "$(pub "/lists/$shard/full" -H "If-None-Match: $letag")" = 304 ] || fail "list 304"
[ "$(pub /lists/16/full)" = 404 ] || fail "list shard out of range"
[ "$(pub /lists/x/full)" = 404 ] || fail "malformed list shard"
[ "$(pub "/lists/$shard/other")" = 404 ] || fail "unknown list kind"
[ "$(pub "/lists/$shard/delta/0")" = 404 ] || fail "delta from 0"
json pub.out 'j["error"]["full"]' | grep -q "/lists/$shard/full" || fail "delta error names the full list"
[ "$(pub "/lists/$shard/delta/$((n1 + 1000))")" = 404 ] || fail "delta from a future list"
[ "$(pub "/lists/$shard/delta/x")" = 404 ] || fail "malformed delta base"
ok

# --- loss report: suspended; reissue: the lost seal revoked ---------------------------
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
wait_status "$esid" suspended
[ "$(json pub.out 'j["reason"]')" = certificateHold ] || fail "certificateHold"
suspended_time=$(json pub.out 'j["statusTime"]')
ok

# --- status lists: a new number and a delta after the change --------------------------
for _ in $(seq 1 50); do
    pub "/lists/$shard/full" >/dev/null
    read -r n2 _ _ <<<"$(list_field pub.out)"
    [ "$n2" -gt "$n1" ] && break
    sleep 0.1
done
[ "$n2" -gt "$n1" ] || fail "the list number did not go up after the suspension ($n1, $n2)"
[ "$(hdr etag)" != "$letag" ] || fail "a new list has a new ETag"
[ "$(pub "/lists/$shard/delta/$n1")" = 200 ] || fail "delta from $n1"
cp pub.out delta.der
openssl asn1parse -inform DER -in delta.der >delta.txt || fail "asn1parse of the delta"
grep -q "$esid" delta.txt || fail "esID in the delta"
read -r dn db dc <<<"$(list_field delta.der)" || fail "parsing the delta"
[ "$db" = "$n1" ] && [ "$dn" -ge "$n2" ] && [ "$dc" -ge 1 ] || fail "delta: number $dn base $db entries $dc"
verify_sig || fail "openssl verifies the delta"
detag=$(hdr etag)
[ "$(pub "/lists/$shard/delta/$n1" -H "If-None-Match: $detag")" = 304 ] || fail "delta 304"
ok

export ESEAL_PIN=222333
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
token2=$(json tok2.json 'j["id"]')
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
sid=$(to_approved reissue "$esid")
python3 - "$token2" <<'PY' >produce2.json
import json, sys
print(json.dumps({"forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce2.json
fresh=$(json resp.json 'j["applications"][0]["esid"]')
wait_status "$esid" revoked
[ "$(json pub.out 'j["reason"]')" = keyCompromise ] || fail "keyCompromise"
# the reissue's revocation: compromised since the loss report
[ "$(json pub.out 'j["invalidityDate"]')" = "$suspended_time" ] || fail "invalidityDate"
[ "$(pub "/status/$esid" -H "If-None-Match: $etag")" = 200 ] || fail "a changed status has a new ETag"
wait_status "$fresh" pending
ok

# --- health and the checkpoint -----------------------------------------------------------
base=$ibase
for _ in $(seq 1 50); do
    [ "$(pub /healthz)" = 200 ] && [ "$(json pub.out 'j["lagEntries"]')" = 0 ] &&
        [ "$(pub /log/checkpoint)" = 200 ] && cmp -s pub.out <(curl -s "$ibase/log/checkpoint") && break
    sleep 0.1
done
cmp -s pub.out <(curl -s "$ibase/log/checkpoint") || fail "/log/checkpoint is the issuer's latest"
[ "$(pub /healthz)" = 200 ] && [ "$(json pub.out 'j["ok"], j["lastError"]')" = "(True, None)" ] ||
    fail "healthz"
ok

# --- restart: resumes, nothing applied twice -----------------------------------------------
pos=$(json pub.out 'j["position"]')
kill "$publisher"
rc=0
wait "$publisher" || rc=$?
publisher=
[ "$rc" = 0 ] || fail "eseal-publisherd exited with $rc after SIGTERM"
grep -q 'ERROR: \(Address\|Leak\)Sanitizer' publisher.log && fail "sanitizer report"
start_publisher publisher2.log
grep -q "at entry $pos)" publisher2.log || fail "restart resumes at entry $pos"
[ "$(pub "/status/$esid")" = 200 ] && [ "$(json pub.out 'j["status"]')" = revoked ] || fail "after restart"
ok

echo "publisher_api: $passed checks passed"
