# platform.bash — sourced by interop tests that need the whole platform: a
# temporary CA, eseal-issuerd and eseal-publisherd (following the issuer's
# /log endpoints) on free loopback ports, staff accounts, and one unit seal
# applied for through the issuer API with curl and a real software token,
# handed over and seen as good by the publisher. Leaves in the caller: $tmp
# (the working directory, removed on exit with both daemons), $ibase/$pbase,
# the tokens $admin $agent $maker $reviewer, $sid and $esid, root.pem and
# responder.pem/.pub (from the CA), and the helpers fail, ok, expect, json,
# pub, hdr, wait_status, file_submitted, to_approved, handover, shard_of,
# split_sig, verify_sig and list_field.
# Set ESEAL_TEST_NAME first: it names the temporary directory;
# ESEAL_TEST_ISSUER_ARGS adds options to eseal-issuerd's command line.
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
: "${ESEAL_PUBLISHERD:?set ESEAL_PUBLISHERD to the eseal-publisherd binary}"
for c in curl openssl python3; do command -v "$c" >/dev/null; done
der_py=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/der.py

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-${ESEAL_TEST_NAME:-platform}.XXXXXX")
issuer= publisher=
cleanup() {
    for pid in $issuer $publisher; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=submission.bash
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/submission.bash"
cd "$tmp"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN='123456'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'

fail() {
    echo "FAIL: $*" >&2
    for f in issuer.log publisher.log publisher2.log; do
        [ -f $f ] && { echo "--- $f:" >&2; tail -20 $f >&2; }
    done
    exit 1
}
# shellcheck source=api.bash
. "$(dirname "$der_py")/api.bash" # ok, json, api, expect, wait_port

# --- the CA, a token, the issuer, the publisher ---------------------------------
"$ESEAL" ca init --dir ca >/dev/null
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token show --dir tok --json >tok.json
token_id=$(json tok.json 'j["id"]')
"$ESEAL" token csr --dir tok --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit.csr >/dev/null

# shellcheck disable=SC2086 # ESEAL_TEST_ISSUER_ARGS: words the test adds
"$ESEAL_ISSUERD" --port 0 --data idata --ca ca ${ESEAL_TEST_ISSUER_ARGS:-} >issuer.log 2>&1 &
issuer=$!
iport=$(wait_port issuer.log "$issuer")
ibase="http://127.0.0.1:$iport"

"$ESEAL_PUBLISHERD" -n --port 0 --data pdata --ca ca --log "$ibase" >check.out ||
    fail "eseal-publisherd -n"
grep -q 'configuration OK' check.out || fail "-n prints configuration OK"
"$ESEAL_PUBLISHERD" -n --validity 1 >/dev/null 2>&1 && fail "-n accepts validity 1"
"$ESEAL_PUBLISHERD" --help | grep -q -- '--log' || fail "--help"
ok
# start_publisher LOGFILE [PORT [CA]]: on PORT (default: a free one), with
# the CA directory CA (default ca)
start_publisher() {
    "$ESEAL_PUBLISHERD" --port "${2:-0}" --data pdata --ca "${3:-ca}" --log "$ibase" --poll_ms 50 \
        >"$1" 2>&1 &
    publisher=$!
    pport=$(wait_port "$1" "$publisher")
    pbase="http://127.0.0.1:$pport"
}
start_publisher publisher.log
ok

# pub PATH [curl args]: GET from the publisher into pub.out, print the status.
pub() {
    local path=$1
    shift
    rm -f pub.out
    : >pub.out
    curl -s -D pub.hdr -o pub.out -w '%{http_code}' "$@" "$pbase$path"
}
# wait_status ESID STATUS: poll until the publisher shows STATUS.
wait_status() {
    for _ in $(seq 1 100); do
        if [ "$(pub "/status/$1")" = 200 ] && [ "$(json pub.out 'j["status"]')" = "$2" ]; then
            return 0
        fi
        sleep 0.1
    done
    cat pub.out >&2
    fail "publisher never showed $1 as $2"
}
hdr() { tr -d '\r' <pub.hdr | sed -n "s/^$1: //Ip" | head -1; }

# --- reading what the publisher signs ------------------------------------------------
cp ca/root.pem root.pem
cp ca/responder.pem responder.pem
openssl x509 -in responder.pem -pubkey -noout >responder.pub
# shard_of ESID: its shard (CRLs and lists) with 16 shards: the first four
# bytes of SM3(esID), big-endian, mod 16 (docs/publisher.md)
shard_of() { echo $(( 0x$(printf %s "$1" | openssl dgst -sm3 -r | cut -c1-8) % 16 )); }
# split_sig DER: tbs.der = the first element, sig.der = the BIT STRING's value
# (after the AlgorithmIdentifier): status responses, lists, CRLs, BasicOCSPResponse.
split_sig() { python3 "$der_py" split "$1"; }
# verify_sig: openssl checks sig.der over tbs.der with the responder key and the SM2 ID
verify_sig() {
    openssl pkeyutl -verify -pubin -inkey responder.pub -in tbs.der -sigfile sig.der -rawin \
        -digest sm3 -pkeyopt distid:1234567812345678 >/dev/null
}
# list_field DER: a StatusList (full or delta) as "number base entries" on
# the first line (base 0 for a full list), then one line per entry:
# "esID version status reason" (status a name, reason the CRLReason number
# or -); also tbs.der/sig.der as split_sig.
list_field() { python3 "$der_py" list "$1"; }

# --- drive the issuer: apply, review, produce --------------------------------------
base=$ibase
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
expect 201 POST /api/v1/staff "$admin" -d "{\"username\":\"agent1\",\"password\":\"agent-password-1\",\"role\":\"agent\",\"unit\":\"$USCC\"}"
expect 201 POST /api/v1/staff "$admin" -d '{"username":"maker1","password":"maker-password-1","role":"maker"}'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"reviewer1","password":"reviewer-password-1","role":"reviewer"}'
agent=$(login agent1 agent-password-1)
maker=$(login maker1 maker-password-1)
agg=$(login agg-fz aggregator-pw-1)
reviewer=$(login reviewer1 reviewer-password-1)

write_apply_submission
# file_submitted BUSINESS TARGET [SEALNAME]: a submission filed with its
# materials and submitted (the unit to its aggregator, the aggregator to the
# centre); prints its id.
file_submitted() {
    python3 - "$1" "$2" "${3:-}" <<'PY' >doc.json
import json, sys
business, target, name = sys.argv[1:]
d = json.load(open("sub.json"))
d["business"] = d["letter"]["business"] = d["forms"][0]["business"] = business
if target:
    d["forms"][0]["target"] = target
if name:
    d["forms"][0]["seal"]["name"] = name
print(json.dumps(d, ensure_ascii=False))
PY
    expect 201 POST /api/v1/submissions "$agent" --data-binary @doc.json
    local sid
    sid=$(json resp.json 'j["id"]')
    expect 201 POST "/api/v1/submissions/$sid/materials" "$agent" \
        -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
    expect 200 POST "/api/v1/submissions/$sid/submit" "$agent"
    expect 200 POST "/api/v1/submissions/$sid/submit" "$agg"
    echo "$sid"
}
# to_approved BUSINESS TARGET [SEALNAME]: a submission filed, registered (every
# paper original checked; the token $token_id on site for a TARGET) and
# approved; prints its id.
to_approved() {
    local sid
    sid=$(file_submitted "$@")
    local onsite='{"paper":"all"}'
    [ -n "$2" ] && onsite="{\"paper\":\"all\",\"onsite\":[{\"esid\":\"$2\",\"token_id\":\"$token_id\"}]}"
    expect 200 POST "/api/v1/submissions/$sid/register" "$maker" -d "$onsite"
    expect 200 POST "/api/v1/submissions/$sid/review" "$reviewer" -d '{"decision":"approve"}'
    echo "$sid"
}
handover() {
    api POST "/api/v1/submissions/$1/handover" "$maker" \
        -F "collector_name=王五" -F "collector_id_number=11010519491231002X" \
        -F "letter_name=王五" -F "letter_id_number=11010519491231002X" \
        -F "introduction_letter=@intro.pdf" -F "id_copy=@idcopy.png"
}
sid=$(to_approved apply "")
python3 - "$token_id" <<'PY' >produce.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce.json
esid=$(json resp.json 'j["applications"][0]["esid"]')
wait_status "$esid" pending
ok
[ "$(handover "$sid")" = 200 ] || fail "handover"
wait_status "$esid" good
ok
