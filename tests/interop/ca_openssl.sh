#!/usr/bin/env bash
# ca_openssl.sh — `eseal ca` checked against the stock openssl command line:
# the hierarchy verifies with the standard SM2 ID, the certificates carry what
# they should, requests made by openssl are issued, and broken ones refused
# with a one-line reason and no output file.
#
# Needs ESEAL (the eseal binary), openssl >= 3.0 and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

: "${ESEAL:?set ESEAL to the eseal binary}"
command -v openssl >/dev/null
command -v python3 >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-ca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# The passphrase never goes on argv: a file for init, the environment for
# issue.
unset ESEAL_PASSPHRASE
PASS='correct horse battery staple'
printf '%s\n' "$PASS" >pass.txt
DISTID=distid:1234567812345678
ca=$tmp/ca

source "$here/lib/check.bash" # fail, check, check_grep, check_eq, refused

files="root.pem root.key maker.pem maker.key responder.pem responder.key tsa.pem tsa.key log.key log.pub log.pub.pem ca.json"
keys="root.key maker.key responder.key tsa.key log.key"

# ---- help ----------------------------------------------------------------
check "eseal --help" "$ESEAL" --help
check_grep "eseal --help lists ca" '^ +ca ' check.out
check "eseal ca --help" "$ESEAL" ca --help
check_grep "eseal ca --help lists issue" 'issue' check.out
for sub in init issue show; do
    check "eseal ca $sub --help" "$ESEAL" ca "$sub" --help
    check_grep "eseal ca $sub --help prints usage" "^usage: eseal ca $sub" check.out
done
refused "eseal without a command" 2 "" "$ESEAL"
refused "eseal ca without a command" 2 "" "$ESEAL" ca
refused "eseal ca with an unknown command" 2 "" "$ESEAL" ca frobnicate

# ---- init ----------------------------------------------------------------
refused "init with a short passphrase" 1 "" env ESEAL_PASSPHRASE=short "$ESEAL" ca init --dir "$tmp/short"
for f in $files; do [ ! -e "$tmp/short/$f" ] || fail "short passphrase left $f"; done
refused "init without a passphrase" 1 "" "$ESEAL" ca init --dir "$tmp/none"
for f in $files; do [ ! -e "$tmp/none/$f" ] || fail "missing passphrase left $f"; done
refused "init without --dir" 2 "" "$ESEAL" ca init --passphrase-file pass.txt

check "eseal ca init" "$ESEAL" ca init --dir "$ca" --passphrase-file pass.txt
for f in $files; do
    [ -s "$ca/$f" ] || fail "init did not create $f"
done
passed=$((passed + 1))

for k in $keys; do
    check_eq "mode of $k" "$(stat -c %a "$ca/$k")" 600
    if grep -q -- '-----BEGIN \(EC \|ENCRYPTED \)\?PRIVATE KEY-----' "$ca/$k"; then
        fail "$k holds a standard PEM private key"
    fi
done
# The keys are wrapped by eseal, not keys openssl can read, even with the passphrase.
for k in root.key maker.key responder.key; do
    if openssl pkey -in "$ca/$k" -passin file:pass.txt -noout >/dev/null 2>&1; then
        fail "openssl pkey read $k"
    fi
    passed=$((passed + 1))
done

# The hierarchy verifies with the standard SM2 ID ...
check "openssl verify with distid" openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" \
    "$ca/maker.pem" "$ca/responder.pem"
check_grep "maker verifies" 'maker.pem: OK' check.out
check_grep "responder verifies" 'responder.pem: OK' check.out
# ... and not with OpenSSL 3.0's empty default: the ID really was used.
if openssl verify -CAfile "$ca/root.pem" "$ca/maker.pem" >/dev/null 2>&1; then
    fail "maker.pem verifies without the SM2 ID"
fi
passed=$((passed + 1))

for r in root maker responder; do
    openssl x509 -in "$ca/$r.pem" -noout -text >"$r.txt"
    check_grep "$r signed with SM2-with-SM3" 'Signature Algorithm: SM2-with-SM3' "$r.txt"
    check_grep "$r has an SM2 key" 'ASN1 OID: SM2' "$r.txt"
done
check_grep "root is a CA" 'CA:TRUE' root.txt
check_grep "root signs certificates" 'Certificate Sign' root.txt
check_grep "maker is not a CA" 'CA:FALSE' maker.txt
check_grep "maker is for non-repudiation" 'Non Repudiation' maker.txt
check_grep "responder is not a CA" 'CA:FALSE' responder.txt
check_grep "responder signs OCSP" 'OCSP Signing' responder.txt
check_grep "responder has ocsp-nocheck" 'OCSP No Check' responder.txt

# The log key: SPKI and signed-note verifier key, the same Ed25519 key.
check "openssl pkey reads log.pub.pem" openssl pkey -pubin -in "$ca/log.pub.pem" -noout -text
check_grep "log key is Ed25519" '^ED25519 Public-Key' check.out
check_eq "log.pub is one line" "$(wc -l <"$ca/log.pub")" 1
check_grep "log.pub is name+hash+key" '^[^+[:space:]]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$' "$ca/log.pub"
openssl pkey -pubin -in "$ca/log.pub.pem" -outform DER | tail -c 32 >log.raw
python3 - "$ca/log.pub" log.raw <<'EOF' || fail "log.pub does not match log.pub.pem"
import base64, hashlib, sys
name, keyhash, b64 = open(sys.argv[1]).read().rstrip("\n").split("+", 2)
raw = open(sys.argv[2], "rb").read()
blob = base64.b64decode(b64, validate=True)
assert blob == b"\x01" + raw, "key differs"
want = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4].hex()
assert keyhash == want, "key hash %s, want %s" % (keyhash, want)
EOF
passed=$((passed + 1))

# A second init changes nothing.
sha256sum "$ca"/* >before.sum
# The platform's names are Chinese, UTF8String, shown as such by openssl (#19).
openssl x509 -in "$ca/root.pem" -noout -text -nameopt utf8 >root.txt
check_grep "root subject in Chinese" 'Subject: C ?= ?CN, O ?= ?福建省电子印章服务平台, CN ?= ?福建省电子印章服务平台根证书$' root.txt
openssl x509 -in "$ca/responder.pem" -noout -subject -nameopt utf8 >responder.subject
check_grep "responder subject in Chinese" 'CN ?= ?福建省电子印章服务平台状态签名证书$' responder.subject
openssl x509 -in "$ca/tsa.pem" -noout -subject -nameopt utf8 >tsa.subject
check_grep "TSA subject in Chinese" 'CN ?= ?福建省电子印章服务平台时间戳服务$' tsa.subject
openssl x509 -in "$ca/maker.pem" -noout -subject -nameopt utf8 >maker.subject
check_grep "maker subject in Chinese" 'O ?= ?福建省电子印章服务平台, CN ?= ?福建省电子印章服务平台制章证书$' maker.subject
# ... marked as the platform's seal maker by its extended key usage (unlock.h): what tokens know
openssl x509 -in "$ca/maker.pem" -noout -ext extendedKeyUsage >maker.eku
check_grep "maker marked by its extended key usage" '2\.25\.197075071872902311975446450520614456110' maker.eku
openssl asn1parse -in "$ca/root.pem" >root.asn1
check_grep "root names are UTF8String" 'UTF8STRING +:福建省电子印章服务平台根证书' root.asn1
# ... and configurable at init
check "init with other names" "$ESEAL" ca init --dir "$tmp/named" --passphrase-file pass.txt \
    --org 平潭综合实验区电子印章平台 --root-name 平潭根证书 --maker-name 平潭制章证书 \
    --responder-name 平潭状态签名证书
openssl x509 -in "$tmp/named/root.pem" -noout -subject -nameopt utf8 >named.subject
check_grep "the root named at init" 'O ?= ?平潭综合实验区电子印章平台, CN ?= ?平潭根证书$' named.subject
openssl x509 -in "$tmp/named/maker.pem" -noout -subject -nameopt utf8 >named.subject
check_grep "the maker named at init" 'CN ?= ?平潭制章证书$' named.subject
openssl x509 -in "$tmp/named/responder.pem" -noout -subject -nameopt utf8 >named.subject
check_grep "the responder named at init" 'CN ?= ?平潭状态签名证书$' named.subject
openssl x509 -in "$tmp/named/tsa.pem" -noout -subject -nameopt utf8 >named.subject
check_grep "the TSA under the given O" 'CN ?= ?平潭综合实验区电子印章平台时间戳服务$' named.subject
refused "init with an empty root name" 1 "" "$ESEAL" ca init --dir "$tmp/empty" \
    --passphrase-file pass.txt --root-name ""
refused "init over an existing CA" 1 "" "$ESEAL" ca init --dir "$ca" --passphrase-file pass.txt
check_grep "init says the CA exists" 'already|exist' refused.err
sha256sum "$ca"/* >after.sum
check "second init changed no file" cmp before.sum after.sum
# So does one over a directory holding only a stray root.pem.
mkdir "$tmp/stray"
echo stray >"$tmp/stray/root.pem"
refused "init over a stray root.pem" 1 "" "$ESEAL" ca init --dir "$tmp/stray" --passphrase-file pass.txt
check_eq "stray root.pem untouched" "$(cat "$tmp/stray/root.pem")" stray
check_eq "nothing added next to the stray file" "$(ls "$tmp/stray")" root.pem

# ---- show ----------------------------------------------------------------
check "eseal ca show" "$ESEAL" ca show --dir "$ca"
for r in root maker responder log; do
    check_grep "show lists $r" "^\[$r\]" check.out
done
"$ESEAL" ca show --dir "$ca" --json >show.json
for r in root maker responder tsa; do
    openssl x509 -in "$ca/$r.pem" -outform DER | openssl dgst -sm3 -r | cut -d' ' -f1 >"$r.sm3"
done
python3 - show.json "$ca" <<'EOF' || fail "show --json disagrees with openssl"
import json, sys
j = json.load(open(sys.argv[1]))
certs = j["certificates"]
assert len(certs) == 4, "%d certificates" % len(certs)
assert [c["role"] for c in certs] == ["root", "maker", "responder", "tsa"], certs
for c in certs:
    want = open(c["role"] + ".sm3").read().strip()
    assert c["sm3_fingerprint"] == want, (c["role"], c["sm3_fingerprint"], want)
    assert c["file"] == "%s/%s.pem" % (sys.argv[2], c["role"]), c["file"]
assert j["log"]["verifier_key"] == open(sys.argv[2] + "/log.pub").read().strip()
EOF
passed=$((passed + 1))
for r in root maker responder tsa; do
    check_grep "show text has the $r fingerprint" "sm3_fingerprint +$(cat "$r.sm3")\$" check.out
done
refused "show of an empty directory" 1 "" "$ESEAL" ca show --dir "$tmp/stray"
refused "show without --dir" 2 "" "$ESEAL" ca show

# ---- issue ---------------------------------------------------------------
export ESEAL_PASSPHRASE=$PASS
issue() { "$ESEAL" ca issue --dir "$ca" "$@"; }

openssl genpkey -algorithm SM2 -out k.pem 2>/dev/null
openssl pkey -in k.pem -pubout -out k.pub

# unit, PEM request with a Chinese name
openssl req -new -utf8 -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/CN=福州市测试局/O=福州市测试局/serialNumber=91350100M000100Y43" -out unit.csr
check "issue unit" issue --csr unit.csr --profile unit --out unit.pem
check_grep "issue names the output" 'unit.pem' check.out
check "unit.pem verifies" openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" unit.pem
check_grep "unit.pem: OK" '^unit.pem: OK$' check.out
openssl x509 -in unit.pem -noout -subject -nameopt utf8 >unit.subject
check_grep "unit subject O" 'O ?= ?福州市测试局' unit.subject
check_grep "unit subject CN" 'CN ?= ?福州市测试局' unit.subject
check_grep "unit subject USCC" 'serialNumber ?= ?91350100M000100Y43' unit.subject
check_grep "unit subject C" 'C ?= ?CN' unit.subject
openssl x509 -in unit.pem -noout -text >unit.txt
check_grep "unit signed with SM2-with-SM3" 'Signature Algorithm: SM2-with-SM3' unit.txt
check_grep "unit is not a CA" 'CA:FALSE' unit.txt
openssl x509 -in unit.pem -noout -pubkey >unit.pub
check "unit.pem holds the request key" cmp unit.pub k.pub
# the default validity is a year
check "unit valid for 364 days" openssl x509 -in unit.pem -noout -checkend $((364 * 86400))
if openssl x509 -in unit.pem -noout -checkend $((366 * 86400)) >/dev/null; then
    fail "unit valid for more than 365 days"
fi
refused "issue over an existing output" 1 "" issue --csr unit.csr --profile unit --out unit.pem
check "existing output untouched" openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" unit.pem

# personal, DER request, 30 days, passphrase from a file this time
openssl req -new -utf8 -key k.pem -sm3 -sigopt "$DISTID" -outform DER \
    -subj "/CN=张三/serialNumber=11010519491231002X" -out personal.der
check "issue personal" env -u ESEAL_PASSPHRASE "$ESEAL" ca issue --dir "$ca" \
    --passphrase-file pass.txt --csr personal.der --profile personal --days 30 --out personal.pem
check "personal.pem verifies" openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" personal.pem
openssl x509 -in personal.pem -noout -subject -nameopt utf8 >personal.subject
check_grep "personal subject CN" 'CN ?= ?张三' personal.subject
check_grep "personal subject ID number" 'serialNumber ?= ?11010519491231002X' personal.subject
check "personal valid 29 days out" openssl x509 -in personal.pem -noout -checkend $((29 * 86400))
if openssl x509 -in personal.pem -noout -checkend $((31 * 86400)) >/dev/null; then
    fail "personal (--days 30) valid past 31 days"
fi
passed=$((passed + 1))

# device
openssl req -new -key k.pem -sm3 -sigopt "$DISTID" -subj "/CN=seal-scanner-01" -out device.csr
check "issue device" issue --csr device.csr --profile device --out device.pem
check "device.pem verifies" openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" device.pem
openssl x509 -in device.pem -noout -subject >device.subject
check_grep "device subject CN" 'CN ?= ?seal-scanner-01' device.subject

# Extensions a request asks for are not copied: a request cannot make a CA.
openssl req -new -key k.pem -sm3 -sigopt "$DISTID" -subj "/CN=sneaky-device" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -out sneaky.csr
check "issue a request asking for CA:TRUE" issue --csr sneaky.csr --profile device --out sneaky.pem
openssl x509 -in sneaky.pem -noout -text >sneaky.txt
check_grep "requested CA:TRUE ignored" 'CA:FALSE' sneaky.txt
if grep -q 'CA:TRUE\|Certificate Sign' sneaky.txt; then
    fail "issued certificate took the requested CA extensions"
fi
passed=$((passed + 1))

serials=$(for c in unit personal device; do openssl x509 -in $c.pem -noout -serial; done)
check_eq "serials differ" "$(sort -u <<<"$serials" | wc -l)" 3
for c in unit personal device; do
    s=$(openssl x509 -in $c.pem -noout -serial | cut -d= -f2)
    [ "${#s}" -ge 16 ] || fail "$c serial $s has fewer than 64 bits"
done
passed=$((passed + 1))

# ---- broken requests -----------------------------------------------------
openssl req -in device.csr -outform DER -out device.der
python3 - device.der flipped.der <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 0x01  # the last byte of the signature BIT STRING
open(sys.argv[2], "wb").write(b)
EOF
refused "flipped signature byte" 1 out.pem issue --csr flipped.der --profile device --out out.pem

openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -subj "/CN=seal-scanner-01" \
    -out rsa.csr 2>/dev/null
refused "RSA request" 1 out.pem issue --csr rsa.csr --profile device --out out.pem
check_grep "RSA refusal says SM2" 'SM2' refused.err

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key
openssl req -new -key p256.key -subj "/CN=seal-scanner-01" -out p256.csr
refused "P-256 request" 1 out.pem issue --csr p256.csr --profile device --out out.pem

head -c 100 unit.csr >trunc.csr
refused "truncated PEM request" 1 out.pem issue --csr trunc.csr --profile unit --out out.pem
head -c 100 device.der >trunc.der
refused "truncated DER request" 1 out.pem issue --csr trunc.der --profile device --out out.pem
: >empty.csr
refused "empty request" 1 out.pem issue --csr empty.csr --profile device --out out.pem
head -c 300 /dev/urandom >random.csr
refused "random bytes" 1 out.pem issue --csr random.csr --profile device --out out.pem
refused "a certificate instead of a request" 1 out.pem \
    issue --csr "$ca/maker.pem" --profile device --out out.pem

# signed with OpenSSL 3.0's default (empty) SM2 ID: no proof of possession
openssl req -new -key k.pem -sm3 -subj "/CN=seal-scanner-01" -out noid.csr
refused "request without the SM2 ID" 1 out.pem issue --csr noid.csr --profile device --out out.pem

openssl req -new -utf8 -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/CN=福州市测试局/serialNumber=91350100M000100Y43" -out noorg.csr
refused "unit request without O" 1 out.pem issue --csr noorg.csr --profile unit --out out.pem
check_grep "missing O is named" '\bO\b' refused.err
openssl req -new -utf8 -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/O=福州市测试局/serialNumber=91350100M000100Y4" -out baduscc.csr
refused "unit request with a bad USCC" 1 out.pem issue --csr baduscc.csr --profile unit --out out.pem
openssl req -new -utf8 -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/CN=张三/serialNumber=1101051949123100" -out badid.csr
refused "personal request with a bad ID number" 1 out.pem \
    issue --csr badid.csr --profile personal --out out.pem
openssl req -new -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/C=US/CN=seal-scanner-01" -out us.csr
refused "C=US" 1 out.pem issue --csr us.csr --profile device --out out.pem
openssl req -new -key k.pem -sm3 -sigopt "$DISTID" \
    -subj "/CN=seal-scanner-01/emailAddress=a@example.cn" -out email.csr
refused "emailAddress in the subject" 1 out.pem issue --csr email.csr --profile device --out out.pem
refused "device request for a unit" 1 out.pem issue --csr device.csr --profile unit --out out.pem
refused "nonexistent --csr" 1 out.pem issue --csr "$tmp/no-such.csr" --profile device --out out.pem
refused "--days 0" 1 out.pem issue --csr device.csr --profile device --days 0 --out out.pem
refused "--days 4000" 1 out.pem issue --csr device.csr --profile device --days 4000 --out out.pem

# usage errors
refused "missing --out" 2 "" issue --csr device.csr --profile device
refused "missing --csr" 2 out.pem issue --profile device --out out.pem
refused "unknown profile" 2 out.pem issue --csr device.csr --profile company --out out.pem
refused "unknown option" 2 out.pem issue --csr device.csr --profile device --out out.pem --bogus
refused "--json is not an issue option" 2 out.pem \
    issue --csr device.csr --profile device --out out.pem --json
refused "stray argument" 2 out.pem issue --csr device.csr --profile device --out out.pem extra

# wrong or missing passphrase
refused "wrong passphrase" 1 out.pem env ESEAL_PASSPHRASE=not-the-passphrase \
    "$ESEAL" ca issue --dir "$ca" --csr device.csr --profile device --out out.pem
refused "no passphrase" 1 out.pem env -u ESEAL_PASSPHRASE \
    "$ESEAL" ca issue --dir "$ca" --csr device.csr --profile device --out out.pem
refused "issue from a directory without a CA" 1 out.pem \
    "$ESEAL" ca issue --dir "$tmp/stray" --csr device.csr --profile device --out out.pem

# None of that touched the CA.
sha256sum "$ca"/* >after.sum
check "the CA files are unchanged" cmp before.sum after.sum

echo "ok: $passed checks passed"
