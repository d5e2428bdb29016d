#!/usr/bin/env bash
# publisher_lifecycle.sh — a seal's whole lifecycle, driven through a real
# eseal-issuerd's HTTP API, reflected in every feed of a real
# eseal-publisherd (following over HTTP): suspend, reissue (the lost seal
# revoked keyCompromise, the new one pending, then handed over), renew,
# change and revoke of the new seal. After each step, and for every
# certificate the seals ever had, the test waits (bounded) for the publisher
# and then asserts:
#   - GET /status/{esID}, /status/by-serial/{hex} and /status/by-seal/{sm3}:
#     status, reason and certificate serial (old versions of a renewed or
#     changed seal revoked/superseded while the esID is good);
#   - the shard's full status list (every version with its status and
#     CRLReason) and the delta from the list number before the step (it
#     holds what the step changed), both signatures checked with openssl;
#   - the shard's CRL through `openssl crl -text`: the serial listed with
#     the right reason (Certificate Hold for suspended and pending) or not
#     listed; its signature checked over the TBS with pkeyutl (stock openssl
#     3.0 cannot pass the SM2 ID to `openssl crl`, docs/publisher.md);
#   - `openssl ocsp -noverify`: good, or revoked with the reason, with a
#     nonce (signed per request) and without (the pre-signed response).
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=lifecycle
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

# --- what each certificate should look like ----------------------------------------
# Each certificate the seals had is named by a label (a1, f1, ...):
# its PEM is LABEL.pem, and cert_esid/cert_ver/cert_digest say whose it is.
declare -A cert_esid cert_ver cert_digest
# keep LABEL ESID: the seal's current certificate and seal file, remembered as LABEL
keep() {
    curl -s -H "Authorization: Bearer $agent" -o "$1.pem" "$ibase/api/v1/seals/$2/cert.pem"
    curl -s -H "Authorization: Bearer $agent" -o "$1.esl" "$ibase/api/v1/seals/$2/seal.esl"
    openssl x509 -in "$1.pem" -noout >/dev/null || fail "the certificate of $2 ($1)"
    base=$ibase
    expect 200 GET "/api/v1/seals/$2" "$maker"
    cert_esid[$1]=$2
    cert_ver[$1]=$(json resp.json 'j["version"]')
    cert_digest[$1]=$(sm3 "$1.esl")
}
serial_of() { openssl x509 -in "$1.pem" -noout -serial | cut -d= -f2; }

# status names -> CRLReason numbers (list entries), `openssl crl` texts, OCSP reasons
declare -A code=([keyCompromise]=1 [superseded]=4 [cessationOfOperation]=5 [certificateHold]=6)
declare -A crltext=([keyCompromise]="Key Compromise" [superseded]="Superseded"
    [cessationOfOperation]="Cessation Of Operation" [certificateHold]="Certificate Hold")

# check_status PATH STATUS REASON SERIAL: the JSON of GET /status/PATH
check_status() {
    local code got
    code=$(pub "/status/$1")
    [ "$code" = 200 ] || { echo "/status/$1: HTTP $code" >&2; return 1; }
    got=$(json pub.out 'j["status"], j["reason"] or "-", "%X" % int(j["certSerial"], 16)')
    [ "$got" = "('$2', '$3', '$(python3 -c "print('%X' % int('$4', 16))")')" ] || { echo "/status/$1: $got, want $2 $3 serial $4" >&2; return 1; }
}

# check_crl LABEL REASON: the CRL of the seal's shard lists the serial with
# REASON (a name), or does not list it (REASON -); the signature verifies.
check_crl() {
    local shard serial
    shard=$(shard_of "${cert_esid[$1]}")
    serial=$(serial_of "$1")
    [ "$(pub "/crl/$shard.crl")" = 200 ] || { echo "CRL $shard: HTTP error" >&2; return 1; }
    cp pub.out crl.der
    split_sig crl.der && verify_sig || { echo "CRL $shard signature" >&2; return 1; }
    openssl crl -inform DER -in crl.der -noout -text >crl.txt || { echo "openssl crl $shard" >&2; return 1; }
    # the entry of the serial: its lines up to the next "Serial Number:"
    python3 - "$serial" "${crltext[$2]:--}" <<'PY'
import sys
serial, want = sys.argv[1:]
blocks = open("crl.txt").read().split("Serial Number: ")[1:]
mine = [b for b in blocks if b.split("\n")[0].strip() == serial]
if want == "-":
    sys.exit(f"{serial} is listed" if mine else 0)
if len(mine) != 1:
    sys.exit(f"{serial} listed {len(mine)} times")
lines = [l.strip() for l in mine[0].split("\n")]
reason = lines[lines.index("X509v3 CRL Reason Code:") + 1] if "X509v3 CRL Reason Code:" in lines else "none"
if reason != want:
    sys.exit(f"{serial} listed with {reason}, want {want}")
PY
}

# check_ocsp LABEL STATUS REASON: openssl ocsp says good, or revoked with
# REASON, with a nonce (signed for the request) and without (pre-signed)
check_ocsp() {
    local nonce
    for nonce in -nonce -no_nonce; do
        openssl ocsp -issuer root.pem -cert "$1.pem" -url "$pbase/ocsp" -noverify $nonce \
            >ocsp.txt 2>&1 || { cat ocsp.txt >&2; return 1; }
        grep -q "^$1.pem: $2\$" ocsp.txt || { cat ocsp.txt >&2; return 1; }
        if [ "$3" != - ]; then
            grep -q "Reason: $3\$" ocsp.txt || { cat ocsp.txt >&2; return 1; }
        else
            ! grep -q "Reason:" ocsp.txt || { cat ocsp.txt >&2; return 1; }
        fi
    done
}

# check_list LABEL STATUS REASON [BASE]: the full list of the seal's shard
# (or the delta from list BASE) has the version with STATUS and REASON.
check_list() {
    local shard path want base
    shard=$(shard_of "${cert_esid[$1]}")
    path=/lists/$shard/full
    [ -n "${4:-}" ] && path=/lists/$shard/delta/$4
    [ "$(pub "$path")" = 200 ] || { echo "$path: HTTP error" >&2; return 1; }
    cp pub.out list.der
    list_field list.der >list.txt || { echo "$path: parsing" >&2; return 1; }
    verify_sig || { echo "$path: signature" >&2; return 1; }
    read -r _ base _ <list.txt
    [ "$base" = "${4:-0}" ] || { echo "$path: base $base" >&2; return 1; }
    want="${cert_esid[$1]} ${cert_ver[$1]} $2 ${code[$3]:--}"
    grep -qx "$want" list.txt || { echo "$path: no \"$want\" in" >&2; cat list.txt >&2; return 1; }
}

# list_number ESID: the current number of the seal's shard list
list_number() {
    local number
    [ "$(pub "/lists/$(shard_of "$1")/full")" = 200 ] || fail "the list of $1's shard"
    list_field pub.out >list.txt || fail "parsing the list of $1's shard"
    read -r number _ <list.txt
    echo "$number"
}

# eventually WHAT CMD...: CMD succeeds within 5 s (the publisher polls every 50 ms)
eventually() {
    local what=$1
    shift
    for _ in $(seq 1 50); do
        "$@" 2>check.err && return 0
        sleep 0.1
    done
    cat check.err >&2
    fail "$what"
}

# expect_cert LABEL STATUS REASON [BASE]: every feed shows the certificate's
# seal version so (by serial, by seal digest, list, delta from BASE, CRL, OCSP).
# STATUS is the status response's; CRL and OCSP follow docs/publisher.md.
expect_cert() {
    local l=$1 st=$2 why=$3 base=${4:-} serial ocsp=good oreason=- crl=-
    serial=$(serial_of "$l")
    case $st in
    good) ;;
    pending | suspended) ocsp=revoked oreason=certificateHold crl=certificateHold ;;
    revoked) ocsp=revoked oreason=$why crl=$why ;;
    esac
    eventually "$l by serial: $st $why" check_status "by-serial/$serial" "$st" "$why" "$serial"
    eventually "$l by seal: $st $why" check_status "by-seal/${cert_digest[$l]}" "$st" "$why" "$serial"
    eventually "$l in the full list: $st $why" check_list "$l" "$st" "$why"
    [ -z "$base" ] || eventually "$l in the delta from $base: $st $why" check_list "$l" "$st" "$why" "$base"
    eventually "$l in the CRL: $crl" check_crl "$l" "$crl"
    eventually "$l by OCSP: $ocsp $oreason" check_ocsp "$l" "$ocsp" "$oreason"
    ok
}
# expect_seal ESID LABEL STATUS REASON: GET /status/{esID} is the version of LABEL so
expect_seal() {
    eventually "$1: $3 $4" check_status "$1" "$3" "$4" "$(serial_of "$2")"
    ok
}

# --- the start: the unit seal of the platform set-up, good ----------------------------
keep a1 "$esid"
[ "${cert_ver[a1]}" = 1 ] || fail "a new seal is version 1"
expect_seal "$esid" a1 good -
expect_cert a1 good -

# --- suspend: certificateHold everywhere ------------------------------------------------
n=$(list_number "$esid")
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
expect_seal "$esid" a1 suspended certificateHold
expect_cert a1 suspended certificateHold "$n"

# --- reissue: the lost seal revoked keyCompromise, the new one pending, then good -----
export ESEAL_PIN=222333
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
token2=$(json tok2.json 'j["id"]')
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
n=$(list_number "$esid")
sid=$(to_approved reissue "$esid")
python3 - "$token2" <<'PY' >produce2.json
import json, sys
# 10 days: renewable at once (within 30 days of validEnd)
print(json.dumps({"days": 10, "forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce2.json
fresh=$(json resp.json 'j["applications"][0]["esid"]')
[ "$fresh" != "$esid" ] || fail "a reissue makes a new esID"
expect_seal "$esid" a1 revoked keyCompromise
expect_cert a1 revoked keyCompromise "$n"
keep f1 "$fresh"
expect_seal "$fresh" f1 pending -
expect_cert f1 pending -
n=$(list_number "$fresh")
[ "$(handover "$sid")" = 200 ] || fail "handover of the reissued seal"
expect_seal "$fresh" f1 good -
expect_cert f1 good - "$n"
expect_cert a1 revoked keyCompromise

# --- renew: version 2 good, version 1 revoked superseded, the esID good ---------------
token_id=$token2 # the new seal's own key, on site
n=$(list_number "$fresh")
sid=$(to_approved renew "$fresh")
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" -d '{"days":10}'
[ "$(json resp.json 'j["state"]')" = "done" ] || fail "renew done"
keep f2 "$fresh"
[ "${cert_ver[f2]}" = 2 ] && [ "$(serial_of f2)" != "$(serial_of f1)" ] || fail "a renewal is a new version and certificate"
expect_seal "$fresh" f2 good -
expect_cert f1 revoked superseded "$n"
expect_cert f2 good - "$n"

# --- change: version 3 with the new name, version 2 revoked superseded ----------------
n=$(list_number "$fresh")
sid=$(to_approved change "$fresh" "$UNIT合同专用章")
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker"
[ "$(json resp.json 'j["state"]')" = "done" ] || fail "change done"
keep f3 "$fresh"
[ "${cert_ver[f3]}" = 3 ] || fail "a change is a new version"
"$ESEAL" seal show f3.esl | grep -q "合同专用章" || fail "the changed name in the seal"
expect_seal "$fresh" f3 good -
expect_cert f2 revoked superseded "$n"
expect_cert f3 good - "$n"
expect_cert f1 revoked superseded

# --- revoke: the esID revoked cessationOfOperation, the old versions stay superseded ---
n=$(list_number "$fresh")
sid=$(to_approved revoke "$fresh" "$UNIT合同专用章") # named as it now is
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" -d '{"reason":"cessationOfOperation"}'
expect_seal "$fresh" f3 revoked cessationOfOperation
expect_cert f3 revoked cessationOfOperation "$n"
expect_cert f2 revoked superseded
expect_cert f1 revoked superseded
expect_cert a1 revoked keyCompromise

# the delta from before the revocation holds the revoked version only
pub "/lists/$(shard_of "$fresh")/delta/$n" >/dev/null
list_field pub.out >list.txt
[ "$(grep -c "^$fresh " list.txt)" = 1 ] || { cat list.txt >&2; fail "the last delta holds one version of $fresh"; }
ok

grep -q 'ERROR: \(Address\|Leak\)Sanitizer' publisher.log && fail "sanitizer report"
echo "publisher_lifecycle: $passed checks passed"
