#!/usr/bin/env bash
# token_cli.sh — `eseal token` and `eseal ca unlock-code` end to end, checked
# against the stock openssl command line: init → csr (openssl req -verify
# with the SM2 ID) → eseal ca issue → import → show → six wrong PINs lock →
# the right PIN is refused → unlock code (its signature checked by openssl
# pkeyutl) → unlock → the new PIN works → the code cannot be replayed.
# PINs come from files or the environment, never argv.
#
# Needs ESEAL (the eseal binary), openssl >= 3.0 and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

: "${ESEAL:?set ESEAL to the eseal binary}"
command -v openssl >/dev/null
command -v python3 >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-token.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

unset ESEAL_PASSPHRASE ESEAL_PIN ESEAL_NEW_PIN
DISTID=distid:1234567812345678
printf '%s\n' 'correct horse battery staple' >pass.txt
printf '%s\n' '123456' >pin.txt
printf '%s\n' '新口令-654321' >newpin.txt
printf '%s\n' 'another-pin-7' >pin3.txt
ca=$tmp/ca
tok=$tmp/tok

source "$here/lib/check.bash" # fail, check, check_grep, check_eq, refused
# show_field KEY: a top-level field of `eseal token show --json`.
show_field() {
    "$ESEAL" token show --dir "$tok" --json |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
pin_env() { env ESEAL_PIN="$1" "${@:2}"; }

# ---- help ------------------------------------------------------------------
check "eseal --help" "$ESEAL" --help
check_grep "eseal --help lists token" '^ +token ' check.out
check "eseal token --help" "$ESEAL" token --help
for sub in init csr import show change-pin unlock; do
    check "eseal token $sub --help" "$ESEAL" token "$sub" --help
    check_grep "eseal token $sub --help prints usage" "^usage: eseal token $sub" check.out
done
check "eseal ca unlock-code --help" "$ESEAL" ca unlock-code --help
check_grep "unlock-code usage" '^usage: eseal ca unlock-code' check.out
refused "eseal token without a command" 2 "" "$ESEAL" token

# ---- init ------------------------------------------------------------------
check "eseal ca init" "$ESEAL" ca init --dir "$ca" --passphrase-file pass.txt
refused "init with a 5-character PIN" 1 "" env ESEAL_PIN=12345 "$ESEAL" token init --dir "$tok"
check_grep "short PIN message" '6' refused.err
[ ! -e "$tok/token.json" ] || fail "a short PIN made a token"
refused "init without a PIN" 1 "" "$ESEAL" token init --dir "$tok"
check "eseal token init" "$ESEAL" token init --dir "$tok" --pin-file pin.txt
check_grep "init names the id" 'created token [0-9a-f]{16} ' check.out
id=$(show_field id)
[[ $id =~ ^[0-9a-f]{16}$ ]] || fail "token id '$id'"
check_eq "dir mode" "$(stat -c %a "$tok")" 700
for f in token.json unlock.key; do
    check_eq "mode of $f" "$(stat -c %a "$tok/$f")" 600
done
if grep -q 'PRIVATE KEY' "$tok"/*; then fail "a token file holds a PEM private key"; fi
passed=$((passed + 1))
sha256sum "$tok"/* >before.sum
refused "init over an existing token" 1 "" "$ESEAL" token init --dir "$tok" --pin-file pin.txt
check_grep "init says the token exists" 'already|exist' refused.err
sha256sum "$tok"/* >after.sum
check "second init changed nothing" cmp before.sum after.sum

check "show" "$ESEAL" token show --dir "$tok"
check_grep "show: state ok" '^state +ok$' check.out
check_grep "show: 6 tries" '^pin_tries_left +6 of 6$' check.out
check_grep "show: no certificate yet" '^\[certificate\] none' check.out

# ---- csr -------------------------------------------------------------------
export ESEAL_PIN=123456
subject='/O=福州市测试局/serialNumber=91350100M000100Y43'
check "token csr" "$ESEAL" token csr --dir "$tok" --subject "$subject" --out unit.csr
check "openssl req -verify with the SM2 ID" \
    openssl req -verify -vfyopt "$DISTID" -in unit.csr -noout
check_grep "request self-signature OK" 'verify OK' check.out
# openssl req -verify exits 0 even on failure (3.0): read what it says.
openssl req -verify -in unit.csr -noout >noid.out 2>&1 || true
check_grep "the request does not verify without the SM2 ID" 'verify failure' noid.out
openssl req -in unit.csr -noout -text >unit.txt
check_grep "request signed with SM2-with-SM3" 'Signature Algorithm: SM2-with-SM3' unit.txt
openssl req -in unit.csr -noout -subject -nameopt utf8 >unit.subject
check_grep "request subject O" 'O ?= ?福州市测试局' unit.subject
check_grep "request subject serialNumber" 'serialNumber ?= ?91350100M000100Y43' unit.subject
openssl req -in unit.csr -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sm3 -r | cut -d' ' -f1 >csr.sm3
check_eq "request holds the token key" "$(cat csr.sm3)" "$(show_field public_key_sm3)"
check "escaped slash in a subject" "$ESEAL" token csr --dir "$tok" \
    --subject '/CN=seal\/scanner 01' --out escaped.csr
openssl req -in escaped.csr -noout -subject >escaped.subject
check_grep "escaped slash kept" 'CN ?= ?seal/scanner 01' escaped.subject

for bad in 'CN=no-leading-slash' '/CN' '/CN=' '/XX=unknown' '/CN=a//O=b' '/CN=dangling\'; do
    refused "malformed subject $bad" 1 bad.csr "$ESEAL" token csr --dir "$tok" \
        --subject "$bad" --out bad.csr
    check_grep "malformed subject $bad says subject" 'subject' refused.err
done
refused "csr over an existing file" 1 "" "$ESEAL" token csr --dir "$tok" --subject "$subject" \
    --out unit.csr
refused "csr without --out" 2 "" "$ESEAL" token csr --dir "$tok" --subject "$subject"
check_eq "refused subjects cost no PIN tries" "$(show_field pin_tries_left)" 6

# ---- issue and import ------------------------------------------------------
export ESEAL_PASSPHRASE='correct horse battery staple'
check "eseal ca issue" "$ESEAL" ca issue --dir "$ca" --csr unit.csr --profile unit --out unit.pem
check "openssl verify the certificate" \
    openssl verify -vfyopt "$DISTID" -CAfile "$ca/root.pem" unit.pem

openssl genpkey -algorithm SM2 -out other.key 2>/dev/null
openssl req -new -key other.key -sm3 -sigopt "$DISTID" -subj "/CN=other-device" -out other.csr
check "issue a certificate for another key" "$ESEAL" ca issue --dir "$ca" --csr other.csr \
    --profile device --out other.pem
refused "import a certificate for another key" 1 "" \
    "$ESEAL" token import --dir "$tok" --cert other.pem
check_grep "import names the key mismatch" 'public key' refused.err
[ ! -e "$tok/cert.pem" ] || fail "a refused import stored a certificate"
: >empty.seal
refused "import an empty seal" 1 "" "$ESEAL" token import --dir "$tok" --cert unit.pem \
    --seal empty.seal
refused "import without --cert" 2 "" "$ESEAL" token import --dir "$tok"
# Seals come from `eseal seal make` (the CA's seal maker); import checks the
# seal lists the token's certificate.
printf '%s' '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="red"/></svg>' >seal.svg
make_seal() {
    "$ESEAL" seal make --ca "$ca" --cert "$1" --esid 35010000000001 --name 福州市测试局公章 \
        --type unit --picture seal.svg --width 40 --height 40 --out "$2"
}
check "make a seal for another certificate" make_seal other.pem other.seal
refused "import a seal made for another certificate" 1 "" \
    "$ESEAL" token import --dir "$tok" --cert unit.pem --seal other.seal
check_grep "the foreign seal is named so" "does not hold this token's certificate" refused.err
head -c 5000 /dev/urandom >random.seal
refused "import random bytes as a seal" 1 "" \
    "$ESEAL" token import --dir "$tok" --cert unit.pem --seal random.seal
[ ! -e "$tok/cert.pem" ] && [ ! -e "$tok/seal.der" ] || fail "a refused import stored something"
check "make the token's seal" make_seal unit.pem seal.bin
check "import certificate and seal" "$ESEAL" token import --dir "$tok" --cert unit.pem \
    --seal seal.bin
for f in token.json unlock.key cert.pem seal.der; do
    check_eq "mode of $f" "$(stat -c %a "$tok/$f")" 600
done
check "stored seal is the file as given" cmp seal.bin "$tok/seal.der"

"$ESEAL" token show --dir "$tok" --json >show.json
openssl x509 -in unit.pem -noout -serial | cut -d= -f2 >serial.txt
openssl x509 -in unit.pem -outform DER | openssl dgst -sm3 -r | cut -d' ' -f1 >cert.sm3
openssl dgst -sm3 -r seal.bin | cut -d' ' -f1 >seal.sm3
python3 - show.json "$id" <<'EOF' || fail "show --json disagrees with openssl"
import json, os, sys
j = json.load(open(sys.argv[1]))
assert j["id"] == sys.argv[2], j["id"]
assert j["state"] == "ok" and j["pin_tries_left"] == 6 and j["unlock_counter"] == 0, j
assert j["unlock_key_present"] is True
c = j["certificate"]
assert c["serial"] == open("serial.txt").read().strip(), c["serial"]
assert c["sm3_fingerprint"] == open("cert.sm3").read().strip()
assert "O=福州市测试局" in c["subject"] and "serialNumber=91350100M000100Y43" in c["subject"]
assert "福建省电子印章服务平台根证书" in c["issuer"], c["issuer"]
s = j["seal"]
assert s["size"] == os.path.getsize("seal.bin") and s["sm3"] == open("seal.sm3").read().strip(), s
EOF
passed=$((passed + 1))
check "show (text)" "$ESEAL" token show --dir "$tok"
check_grep "show text has the serial" "serial +$(cat serial.txt)\$" check.out
check_grep "show text has the seal SM3" "sm3 +$(cat seal.sm3)\$" check.out

# ---- six wrong PINs lock the token -----------------------------------------
for i in 1 2 3 4 5; do
    refused "wrong PIN $i" 1 w.csr pin_env 999999 "$ESEAL" token csr --dir "$tok" \
        --subject /CN=x --out w.csr
    check_grep "wrong PIN $i says tries left" "wrong PIN: $((6 - i)) tr(y|ies) left" refused.err
    check_eq "tries left after $i" "$(show_field pin_tries_left)" $((6 - i))
done
refused "wrong PIN 6" 1 w.csr pin_env 999999 "$ESEAL" token csr --dir "$tok" \
    --subject /CN=x --out w.csr
check_grep "sixth wrong PIN locks" 'locked' refused.err
check_eq "state after six" "$(show_field state)" locked
refused "locked token refuses the right PIN" 1 w.csr pin_env 123456 "$ESEAL" token csr \
    --dir "$tok" --subject /CN=x --out w.csr
check_grep "message says locked (en)" 'token is locked' refused.err
check_grep "message says locked (zh)" '令牌已锁定' refused.err
refused "locked token refuses change-pin" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token change-pin --dir "$tok"
check "show works on a locked token" "$ESEAL" token show --dir "$tok"
check_grep "show: locked" '^state +locked$' check.out

# ---- unlock ----------------------------------------------------------------
counter=$(show_field unlock_counter)
check_eq "unlock counter starts at 0" "$counter" 0
refused "unlock-code with a bad token id" 2 code.pem "$ESEAL" ca unlock-code --dir "$ca" \
    --token-id XYZ --counter 0 --out code.pem
refused "unlock-code without --counter" 2 code.pem "$ESEAL" ca unlock-code --dir "$ca" \
    --token-id "$id" --out code.pem
refused "unlock-code with the wrong CA passphrase" 1 code.pem env ESEAL_PASSPHRASE=nope-nope \
    "$ESEAL" ca unlock-code --dir "$ca" --token-id "$id" --counter 0 --out code.pem
check "eseal ca unlock-code" "$ESEAL" ca unlock-code --dir "$ca" --token-id "$id" \
    --counter "$counter" --out code.pem
check_eq "code file mode" "$(stat -c %a code.pem)" 600
check_grep "code is PEM" '^-----BEGIN ESEAL UNLOCK CODE-----$' code.pem
openssl asn1parse -in code.pem >code.asn1
check_grep "code holds the token id" "UTF8STRING +:$id\$" code.asn1
check_grep "code is signed with SM2-with-SM3" 'OBJECT +:SM2-with-SM3' code.asn1
check_grep "code has a GeneralizedTime" 'GENERALIZEDTIME' code.asn1

# openssl checks the code's signature over the tbs bytes with the maker key.
python3 - code.pem <<'EOF'
import base64, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]).read().splitlines()
                               if not l.startswith("-----")))
def tlv(b, i):
    l, j = b[i + 1], i + 2
    if l & 0x80:
        n = l & 0x7f
        l, j = int.from_bytes(b[j:j + n], "big"), j + n
    return j, l
c, n = tlv(der, 0)
parts, i = [], c
while i < c + n:
    s, l = tlv(der, i)
    parts.append((i, s, l))
    i = s + l
tbs, certs, _, sig = parts
open("tbs.der", "wb").write(der[tbs[0]:tbs[1] + tbs[2]])
open("sig.der", "wb").write(der[sig[1] + 1:sig[1] + sig[2]])
s, l = tlv(der, certs[1])
open("code-maker.der", "wb").write(der[s:s + l])
EOF
check "the code carries the maker certificate" cmp code-maker.der \
    <(openssl x509 -in "$ca/maker.pem" -outform DER)
openssl x509 -in "$ca/maker.pem" -noout -pubkey >maker.pub
check "openssl verifies the code signature" openssl pkeyutl -verify -rawin -digest sm3 \
    -pubin -inkey maker.pub -in tbs.der -sigfile sig.der -pkeyopt "$DISTID"

# Refused codes change nothing.
sha256sum "$tok"/* >before.sum
check "a code for the next counter" "$ESEAL" ca unlock-code --dir "$ca" --token-id "$id" \
    --counter 1 --out code1.pem
refused "a code for a counter not reached" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token unlock --dir "$tok" --code code1.pem
check "a code for another token" "$ESEAL" ca unlock-code --dir "$ca" \
    --token-id 0123456789abcdef --counter 0 --out other-code.pem
refused "a code for another token" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token unlock --dir "$tok" --code other-code.pem
check_grep "another token's code is named so" '0123456789abcdef' refused.err
"$ESEAL" ca init --dir "$tmp/ca2" --passphrase-file pass.txt >/dev/null
check "a code from another CA" "$ESEAL" ca unlock-code --dir "$tmp/ca2" --token-id "$id" \
    --counter 0 --out foreign-code.pem
refused "a code from another CA" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token unlock --dir "$tok" --code foreign-code.pem
python3 - <<'EOF'
import base64
t = open("code.pem").read().splitlines()
der = bytearray(base64.b64decode("".join(l for l in t if not l.startswith("-----"))))
der[-1] ^= 1
open("flipped.der", "wb").write(der)
EOF
refused "a code with a flipped signature byte" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token unlock --dir "$tok" --code flipped.der
refused "unlock with a short new PIN" 1 "" env ESEAL_NEW_PIN=12345 \
    "$ESEAL" token unlock --dir "$tok" --code code.pem
refused "unlock without --code" 2 "" "$ESEAL" token unlock --dir "$tok"
sha256sum "$tok"/* >after.sum
check "refused codes changed no token file" cmp before.sum after.sum

check "eseal token unlock" "$ESEAL" token unlock --dir "$tok" --code code.pem \
    --new-pin-file newpin.txt
check_grep "unlock reports the counter" 'unlock counter now 1' check.out
check_eq "state after unlock" "$(show_field state)" ok
check_eq "tries after unlock" "$(show_field pin_tries_left)" 6
check_eq "counter after unlock" "$(show_field unlock_counter)" 1
check_eq "mode of token.json after unlock" "$(stat -c %a "$tok/token.json")" 600

refused "the old PIN no longer works" 1 o.csr pin_env 123456 "$ESEAL" token csr --dir "$tok" \
    --subject /CN=x --out o.csr
check "the new PIN works" "$ESEAL" token csr --dir "$tok" --pin-file newpin.txt \
    --subject /CN=after-unlock --out after.csr
check "the request made after unlock verifies" \
    openssl req -verify -vfyopt "$DISTID" -in after.csr -noout
check_grep "after unlock: verify OK" 'verify OK' check.out
check_eq "the new PIN reset the count" "$(show_field pin_tries_left)" 6

refused "replaying the code" 1 "" env ESEAL_NEW_PIN=abcdefg \
    "$ESEAL" token unlock --dir "$tok" --code code.pem
check_grep "replay says already used" 'already used' refused.err
check_eq "counter after the replay" "$(show_field unlock_counter)" 1

# ---- change-pin --------------------------------------------------------------
refused "change-pin with the wrong current PIN" 1 "" \
    "$ESEAL" token change-pin --dir "$tok" --pin-file pin.txt --new-pin-file pin3.txt
check "change-pin" "$ESEAL" token change-pin --dir "$tok" --pin-file newpin.txt \
    --new-pin-file pin3.txt
refused "the PIN before the change" 1 c.csr "$ESEAL" token csr --dir "$tok" \
    --pin-file newpin.txt --subject /CN=x --out c.csr
check "the changed PIN works" env ESEAL_PIN=another-pin-7 "$ESEAL" token csr --dir "$tok" \
    --subject /CN=x --out c.csr

echo "ok: $passed checks passed"
