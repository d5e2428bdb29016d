#!/usr/bin/env bash
# publisher_x509.sh — the publisher's X.509 side against stock openssl: a
# real eseal-issuerd and eseal-publisherd (following over HTTP) on free
# loopback ports; an apply and handover, a loss report and a reissue (which
# revokes the lost seal, keyCompromise) whose new seal is handed over. Then
# every CRL shard is fetched and parsed by `openssl crl`, the lost seal's
# serial is in exactly one shard with keyCompromise, every CRL signature is
# checked over its TBS with `openssl pkeyutl` and the SM2 ID; `openssl ocsp`
# (POST) says good for the new certificate and revoked (keyCompromise) for
# the lost one, the GET form (RFC 5019) gives the same, garbage gets
# malformedRequest, and the response signature is checked with pkeyutl;
# without a nonce both get the pre-signed response (the same bytes twice,
# its signature checked), whose GET carries ETag, Last-Modified and a
# Cache-Control up to nextUpdate, and 304 for If-None-Match.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=x509
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

# --- loss report and reissue; the new seal handed over -------------------------------
curl -s -H "Authorization: Bearer $agent" -o lost.pem "$ibase/api/v1/seals/$esid/cert.pem"
openssl x509 -in lost.pem -noout >/dev/null || fail "the lost seal's certificate"
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
wait_status "$esid" suspended
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
[ "$(handover "$sid")" = 200 ] || fail "handover of the reissued seal"
wait_status "$fresh" good
curl -s -H "Authorization: Bearer $agent" -o good.pem "$ibase/api/v1/seals/$fresh/cert.pem"
openssl x509 -in good.pem -noout >/dev/null || fail "the new seal's certificate"
lost_serial=$(openssl x509 -in lost.pem -noout -serial | cut -d= -f2)
good_serial=$(openssl x509 -in good.pem -noout -serial | cut -d= -f2)
ok

# --- CRLs: every shard parses and verifies; the lost serial in exactly one -----------
shards=16
found=0
for s in $(seq 0 $((shards - 1))); do
    for _ in $(seq 1 50); do
        [ "$(pub "/crl/$s.crl")" = 200 ] && break
        sleep 0.1
    done
    [ "$(hdr content-type)" = application/pkix-crl ] || fail "CRL $s content type"
    cp pub.out "crl$s.der"
    openssl crl -inform DER -in "crl$s.der" -noout -text -nameopt utf8 >"crl$s.txt" ||
        fail "openssl crl $s"
    grep -q 'Version 2' "crl$s.txt" || fail "CRL $s is v2"
    grep -q 'X509v3 CRL Number' "crl$s.txt" || fail "CRL $s number"
    grep -q 'Issuer: .*福建省电子印章服务平台状态签名证书' "crl$s.txt" || fail "CRL $s issuer"
    grep -q 'Indirect CRL' "crl$s.txt" || fail "CRL $s is indirect"
    grep -q 'Next Update' "crl$s.txt" || fail "CRL $s nextUpdate"
    split_sig "crl$s.der"
    verify_sig || fail "CRL $s signature"
    if grep -q "Serial Number: $lost_serial\$" "crl$s.txt"; then
        found=$((found + 1))
        grep -A8 "Serial Number: $lost_serial\$" "crl$s.txt" | grep -q 'Key Compromise' ||
            fail "keyCompromise for the lost serial"
    fi
    ! grep -q "Serial Number: $good_serial\$" "crl$s.txt" || fail "the good serial is listed"
done
[ "$found" = 1 ] || fail "the lost serial is in $found shards"
[ "$(pub /crl/$shards.crl)" = 404 ] || fail "shard out of range"
[ "$(pub /crl/x.crl)" = 404 ] || fail "malformed shard"
# with the empty default SM2 ID openssl cannot verify: documents why pkeyutl is used
openssl crl -inform DER -in crl0.der -CAfile responder.pem -noout >crlverify.out 2>&1 || true
echo "info: openssl crl -CAfile responder.pem says: $(tr '\n' ' ' <crlverify.out)"
ok

# --- OCSP: POST with openssl ocsp, GET by hand ----------------------------------------
ocsp() { # CERT -> ocsp.txt
    openssl ocsp -issuer root.pem -cert "$1" -url "$pbase/ocsp" -noverify -resp_text \
        -respout resp.der -reqout req.der >ocsp.txt 2>&1 || { cat ocsp.txt >&2; fail "openssl ocsp $1"; }
}
ocsp good.pem
grep -q "good.pem: good" ocsp.txt || { cat ocsp.txt >&2; fail "good certificate"; }
# openssl prints the UTF-8 name escaped: 状态签名证书 (the responder's CN ends so)
grep -q 'Responder Id: .*CN = .*\\E7\\8A\\B6\\E6\\80\\81\\E7\\AD\\BE\\E5\\90\\8D\\E8\\AF\\81\\E4\\B9\\A6' ocsp.txt || fail "responder id"
python3 "$der_py" ocsp-basic resp.der || fail "extracting the BasicOCSPResponse"
split_sig basic.der
verify_sig || fail "OCSP response signature"
ocsp lost.pem
grep -q "lost.pem: revoked" ocsp.txt || { cat ocsp.txt >&2; fail "revoked certificate"; }
grep -q "Reason: keyCompromise" ocsp.txt || fail "keyCompromise in OCSP"
# GET (RFC 5019): the same request base64 in the path, URL-encoded
b64=$(python3 -c 'import base64,urllib.parse; print(urllib.parse.quote(base64.b64encode(open("req.der","rb").read()).decode(), safe=""))')
[ "$(pub "/ocsp/$b64")" = 200 ] || fail "OCSP GET"
[ "$(hdr content-type)" = application/ocsp-response ] || fail "OCSP GET content type"
openssl ocsp -respin pub.out -resp_text -noverify >get.txt 2>&1 || fail "openssl reads the GET reply"
grep -q "Cert Status: revoked" get.txt && grep -q "keyCompromise" get.txt || fail "GET says revoked"
[ "$(pub /ocsp/bm90IGFuIE9DU1AgcmVxdWVzdA==)" = 200 ] || fail "garbage GET"
openssl ocsp -respin pub.out -resp_text -noverify >bad.txt 2>&1 || true
grep -qi 'malformedrequest' bad.txt || { cat bad.txt >&2; fail "garbage is malformedRequest"; }
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @req.der "$pbase/ocsp")
[ "$code" = 400 ] || fail "POST with another content type: $code"
# a certificate of another issuer: unknown
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout o.key \
    -subj /CN=other -days 1 -out other.pem 2>/dev/null
openssl ocsp -issuer other.pem -cert other.pem -url "$pbase/ocsp" -noverify >ocsp.txt 2>&1 || true
grep -q "other.pem: unknown" ocsp.txt || { cat ocsp.txt >&2; fail "another issuer is unknown"; }
# without a nonce (RFC 5019): the pre-signed response, the same bytes each time
for cert in good lost; do
    for i in 1 2; do
        openssl ocsp -issuer root.pem -cert "$cert.pem" -url "$pbase/ocsp" -noverify -no_nonce \
            -respout "pre-$cert$i.der" -reqout "pre-$cert.req" >"pre-$cert.txt" 2>&1 ||
            { cat "pre-$cert.txt" >&2; fail "openssl ocsp -no_nonce $cert"; }
    done
    cmp -s "pre-${cert}1.der" "pre-${cert}2.der" || fail "$cert: the pre-signed response changed"
    python3 "$der_py" ocsp-basic "pre-${cert}1.der" || fail "extracting the pre-signed response"
    split_sig basic.der
    verify_sig || fail "pre-signed OCSP response signature ($cert)"
done
grep -q "good.pem: good" pre-good.txt || { cat pre-good.txt >&2; fail "pre-signed good"; }
grep -q "lost.pem: revoked" pre-lost.txt && grep -q "Reason: keyCompromise" pre-lost.txt ||
    { cat pre-lost.txt >&2; fail "pre-signed revoked"; }
# its GET is cacheable until nextUpdate (RFC 5019 §6.2), with a validator
b64=$(python3 -c 'import base64,urllib.parse; print(urllib.parse.quote(base64.b64encode(open("pre-good.req","rb").read()).decode(), safe=""))')
[ "$(pub "/ocsp/$b64")" = 200 ] || fail "pre-signed OCSP GET"
cmp -s pub.out pre-good1.der || fail "GET gives the pre-signed response"
etag=$(hdr etag)
[ -n "$etag" ] && [ -n "$(hdr last-modified)" ] || fail "ETag and Last-Modified of a pre-signed GET"
age=$(hdr cache-control | sed -n 's/^public, max-age=\([0-9]*\)$/\1/p')
[ -n "$age" ] && [ "$age" -gt 0 ] && [ "$age" -le 86400 ] || fail "Cache-Control: $(hdr cache-control)"
[ "$(pub "/ocsp/$b64" -H "If-None-Match: $etag")" = 304 ] || fail "If-None-Match on OCSP GET"
# what openssl itself can verify (recorded in docs/publisher.md)
openssl ocsp -issuer root.pem -cert good.pem -url "$pbase/ocsp" -VAfile responder.pem \
    >vafile.txt 2>&1 || true
echo "info: openssl ocsp -VAfile responder.pem says: $(tr '\n' ' ' <vafile.txt)"
ok

grep -q 'ERROR: \(Address\|Leak\)Sanitizer' publisher.log && fail "sanitizer report"
echo "publisher_x509: $passed checks passed"
