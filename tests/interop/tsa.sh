#!/usr/bin/env bash
# tsa.sh — the platform's RFC 3161 time-stamp service (POST /tsa on
# eseal-publisherd, docs/tsa.md) against the stock openssl command line:
# `openssl ts -query` (SM3 and SHA-256) sent with curl, the reply read by
# `openssl ts -reply -text` (policy, SM3 imprint, nonce, accuracy, TSA
# name), the token verified by `openssl ts -verify` the way OpenSSL 3.0 can
# (the TSA certificate checked with the SM2 ID by `openssl verify`, then
# trusted with -partial_chain; the plain `-CAfile root.pem -untrusted
# tsa.pem` form fails on OpenSSL 3.0's empty SM2 ID, which is asserted so a
# change shows), a changed file fails, nonces and serials differ and never
# repeat across a restart, bad queries get a rejection reply or a 4xx and
# leave the service working; `eseal stamp --tsa` puts the token into
# SES_Signature.timeStamp (a dead or refusing TSA fails it, nothing
# written) and `eseal verify` shows the proven time; `eseal ca tsa-init`
# gives an old CA its key.
#
# Needs ESEAL, ESEAL_PUBLISHERD, curl and openssl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_PUBLISHERD:?set ESEAL_PUBLISHERD to the eseal-publisherd binary}"
for c in curl openssl; do command -v "$c" >/dev/null; done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-tsa.XXXXXX")
publisher=
cleanup() {
    if [ -n "$publisher" ]; then
        kill "$publisher" 2>/dev/null || true
        wait "$publisher" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"
source "$here/lib/check.bash" # fail, check, check_grep, check_eq
export ESEAL_PASSPHRASE='correct horse battery staple'
DISTID=distid:1234567812345678

# start_publisher [ARGS]: eseal-publisherd on a free port over the CA in ca/
# and the log in log/; sets $publisher and $base.
start_publisher() {
    "$ESEAL_PUBLISHERD" --port 0 --data pdata --ca ca --log log "$@" >publisher.log 2>&1 &
    publisher=$!
    local port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' publisher.log 2>/dev/null || true)
        [ -n "$port" ] && break
        kill -0 "$publisher" 2>/dev/null || { cat publisher.log >&2; fail "eseal-publisherd exited"; }
        sleep 0.1
    done
    [ -n "$port" ] || fail "eseal-publisherd did not start"
    base="http://127.0.0.1:$port"
}
stop_publisher() {
    kill "$publisher"
    wait "$publisher" 2>/dev/null || true
    publisher=
}
# stamp QUERY REPLY [curl args]: POST QUERY to /tsa, print the HTTP status.
stamp() {
    local q=$1 r=$2
    shift 2
    curl -s -o "$r" -D stamp.hdr -w '%{http_code}' -H 'Content-Type: application/timestamp-query' \
        --data-binary @"$q" "$@" "$base/tsa"
}
serial_of() { openssl ts -reply -in "$1" -text 2>/dev/null | sed -n 's/^Serial number: //p'; }

# --- a CA (which now includes the TSA) and a log to follow -----------------------
"$ESEAL" ca init --dir ca >/dev/null
check "the TSA certificate chains to the root with the SM2 ID, for time-stamping" \
    openssl verify -vfyopt "$DISTID" -purpose timestampsign -CAfile ca/root.pem ca/tsa.pem
openssl x509 -in ca/tsa.pem -noout -ext extendedKeyUsage,keyUsage,basicConstraints >ext.txt
check_grep "EKU critical" 'Extended Key Usage: critical' ext.txt
check_eq "EKU is timeStamping only" "$(sed -n '/Extended Key Usage/{n;p}' ext.txt | tr -d ' ')" "TimeStamping"
check_grep "the TSA key is SM2" 'SM2|sm2' <(openssl x509 -in ca/tsa.pem -noout -text)
check_eq "tsa.key is 0600" "$(stat -c %a ca/tsa.key)" 600
check_grep "tsa.key is wrapped" 'ESEAL ENCRYPTED PRIVATE KEY' ca/tsa.key
echo '{"type":"test.start"}' | "$ESEAL" log append --dir log --ca ca >/dev/null
start_publisher

# --- an SM3 query with certReq: the reply's fields --------------------------------
printf 'a sealed contract\n' >data.txt
openssl ts -query -data data.txt -sm3 -cert -out q1.tsq
check_eq "POST /tsa" "$(stamp q1.tsq r1.tsr)" 200
check_grep "reply content type" '^[Cc]ontent-[Tt]ype: application/timestamp-reply' stamp.hdr
check "openssl ts -reply parses the reply" openssl ts -reply -in r1.tsr -text
cp check.out r1.txt
check_grep "granted" '^Status: Granted' r1.txt
check_grep "policy" '^Policy OID: 2\.25\.89655751226095153327707521545612393118' r1.txt
check_grep "SM3 imprint" '^Hash Algorithm: sm3' r1.txt
check_grep "accuracy" '^Accuracy: 0x01 seconds' r1.txt
# openssl ts prints the name as X509_NAME_oneline does: escaped, and cut at
# 256 bytes, so only the start of O shows (福建省 is \xE7\xA6\x8F\xE5\xBB\xBA\xE7\x9C\x81)
check_grep "TSA name" '^TSA: DirName:/C=CN/O=\\xE7\\xA6\\x8F\\xE5\\xBB\\xBA\\xE7\\x9C\\x81' r1.txt
nonce1=$(openssl ts -query -in q1.tsq -text | sed -n 's/^Nonce: //p')
check_eq "the nonce is echoed" "$(sed -n 's/^Nonce: //p' r1.txt)" "$nonce1"
check_grep "the serial is 127 random bits" '^Serial number: 0x[0-9A-F]{31,32}$' r1.txt

# --- openssl ts -verify -----------------------------------------------------------
# OpenSSL 3.0 checks the TSA certificate's signature with an empty SM2 ID
# (ts -verify has no -vfyopt), so the chain from the root fails there:
openssl ts -verify -data data.txt -in r1.tsr -CAfile ca/root.pem -untrusted ca/tsa.pem \
    >plain.out 2>&1 && fail "OpenSSL now checks the TSA certificate with the SM2 ID: update docs/tsa.md"
check_grep "OpenSSL 3.0's empty SM2 ID breaks the root->TSA link" 'certificate signature failure' plain.out
# ... so the certificate is checked with the ID first, then trusted itself:
check "the token verifies (certificate from the token)" \
    openssl ts -verify -data data.txt -in r1.tsr -CAfile ca/tsa.pem -partial_chain
check "the token verifies against the query" \
    openssl ts -verify -queryfile q1.tsq -in r1.tsr -CAfile ca/tsa.pem -partial_chain
openssl ts -reply -in r1.tsr -token_out -out t1.tst
check "the bare token verifies" \
    openssl ts -verify -data data.txt -in t1.tst -token_in -CAfile ca/tsa.pem -partial_chain
printf 'a sealed contract, altered\n' >changed.txt
openssl ts -verify -data changed.txt -in r1.tsr -CAfile ca/tsa.pem -partial_chain >bad.out 2>&1 &&
    fail "a changed file verifies"
check_grep "a changed file fails on the imprint" 'message imprint mismatch' bad.out
"$ESEAL" ca init --dir other >/dev/null
openssl ts -verify -data data.txt -in r1.tsr -CAfile other/tsa.pem -partial_chain >bad.out 2>&1 &&
    fail "another platform's TSA certificate verifies our token"
passed=$((passed + 1))

# --- SHA-256, no certReq, nonces, serials ------------------------------------------
openssl ts -query -data data.txt -sha256 -out q2.tsq
check_eq "SHA-256 query" "$(stamp q2.tsq r2.tsr)" 200
openssl ts -reply -in r2.tsr -text >r2.txt
check_grep "SHA-256 granted" '^Hash Algorithm: sha256' r2.txt
check "without certReq: the certificate is given with -untrusted" \
    openssl ts -verify -data data.txt -in r2.tsr -untrusted ca/tsa.pem -CAfile ca/tsa.pem -partial_chain
nonce2=$(sed -n 's/^Nonce: //p' r2.txt)
[ "$nonce1" != "$nonce2" ] || fail "two queries have the same nonce"
passed=$((passed + 1))
: >serials.txt
for i in 1 2 3 4 5; do
    stamp q1.tsq "s$i.tsr" >/dev/null
    serial_of "s$i.tsr" >>serials.txt
done
stop_publisher
start_publisher
for i in 6 7 8 9 10; do
    stamp q1.tsq "s$i.tsr" >/dev/null
    serial_of "s$i.tsr" >>serials.txt
done
check_eq "ten serials, five from a restarted daemon, all different" "$(sort -u serials.txt | wc -l)" 10

# --- bad queries --------------------------------------------------------------------
head -c 200 /dev/urandom >garbage.bin
check_eq "garbage: a reply" "$(stamp garbage.bin g.tsr)" 200
openssl ts -reply -in g.tsr -text >g.txt 2>&1 || true
check_grep "garbage: rejection" '^Status: Rejected' g.txt
check_grep "garbage: badDataFormat" 'the data submitted has the wrong format' g.txt
openssl ts -query -data data.txt -sha1 -out q3.tsq
stamp q3.tsq r3.tsr >/dev/null
openssl ts -reply -in r3.tsr -text >r3.txt 2>&1 || true
check_grep "SHA-1: badAlg" 'unrecognized or unsupported algorithm' r3.txt
openssl ts -query -data data.txt -sm3 -tspolicy 1.2.3.4 -out q4.tsq
stamp q4.tsq r4.tsr >/dev/null
openssl ts -reply -in r4.tsr -text >r4.txt 2>&1 || true
check_grep "another policy: unacceptedPolicy" 'policy is not supported by the TSA' r4.txt
check_eq "wrong content type: 400" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
        --data-binary @q1.tsq "$base/tsa")" 400
head -c 5000 /dev/zero >big.bin
check_eq "oversize: 413" "$(stamp big.bin big.out)" 413
check_eq "GET /tsa: 405" "$(curl -s -o /dev/null -w '%{http_code}' "$base/tsa")" 405
check_eq "after the bad queries the service still stamps" "$(stamp q1.tsq r5.tsr)" 200
check "... and the token verifies" \
    openssl ts -verify -data data.txt -in r5.tsr -CAfile ca/tsa.pem -partial_chain

# --- eseal stamp --tsa: the token in SES_Signature.timeStamp, or nothing -------------
export ESEAL_PIN=123456
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token csr --dir tok --subject "/O=福州市测试局/serialNumber=91350100M000100Y43" --out tok.csr >/dev/null
"$ESEAL" ca issue --dir ca --csr tok.csr --profile unit --out holder.pem >/dev/null
"$ESEAL" token import --dir tok --cert holder.pem >/dev/null
printf '\x89PNG\r\n\x1a\n' >seal.png
"$ESEAL" seal make --ca ca --cert holder.pem --esid 35010000000001 --name 福州市测试局 --type unit \
    --picture seal.png --width 40 --height 40 --out seal.esl >/dev/null
refused "a TSA that does not answer fails the stamp" 1 d.ses \
    "$ESEAL" stamp --token tok --seal seal.esl data.txt -o d.ses --tsa "http://127.0.0.1:1/tsa"
check_grep "... saying so" 'the TSA .* does not answer' refused.err
refused "a TSA that refuses fails the stamp" 1 d.ses \
    "$ESEAL" stamp --token tok --seal seal.esl data.txt -o d.ses --tsa "$base/log/checkpoint"
check "eseal stamp --tsa" "$ESEAL" stamp --token tok --seal seal.esl data.txt -o d.ses --tsa "$base/tsa"
openssl asn1parse -inform DER -in d.ses >d.asn1
check_grep "SES_Signature.timeStamp [0] holds the token" '^ *[0-9]+:d=1 .*cons: cont \[ 0 \]' d.asn1
check "eseal verify: the time-stamp passes" "$ESEAL" verify --trust ca/root.pem --no-status data.txt --sig d.ses
check_grep "... with the proven time in Beijing time" '时间戳证明的签署时间 / proven time \(time-stamp\): .* 北京时间' check.out
check_grep "... its check passed" 'PASSED\] 时间戳 \(timestamp\)' check.out
"$ESEAL" verify --trust other/root.pem --no-status data.txt --sig d.ses >foreign.out 2>&1 || true
check_grep "another platform's trust: the token is untrusted" 'TIMESTAMP_UNTRUSTED' foreign.out
stop_publisher

# --- switched off; an old CA without the key; tsa-init -------------------------------
start_publisher --tsa false
check_eq "tsa false: 404" "$(stamp q1.tsq off.tsr)" 404
stop_publisher
rm ca/tsa.pem ca/tsa.key
"$ESEAL_PUBLISHERD" --port 0 --data pdata --ca ca --log log >old.log 2>&1 &&
    fail "the publisher starts with a CA lacking the TSA key"
check_grep "the refusal names tsa-init" 'eseal ca tsa-init' old.log
check "eseal ca tsa-init" "$ESEAL" ca tsa-init --dir ca
check "the new TSA certificate chains to the root" \
    openssl verify -vfyopt "$DISTID" -purpose timestampsign -CAfile ca/root.pem ca/tsa.pem
"$ESEAL" ca tsa-init --dir ca >again.out 2>&1 && fail "tsa-init twice"
check_grep "tsa-init refuses to overwrite" 'refusing to overwrite' again.out
start_publisher
check_eq "stamps with the new key" "$(stamp q1.tsq r6.tsr)" 200
check "... which verify" openssl ts -verify -data data.txt -in r6.tsr -CAfile ca/tsa.pem -partial_chain

echo "tsa: $passed checks passed"
