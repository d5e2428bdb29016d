#!/usr/bin/env bash
# seal_cli.sh — seals, stamping and verifying end to end with the eseal
# command line: CA → token → certificate → seal → stamp → verify, the output
# read back by the stock openssl command line, then every kind of tampering
# with the verdict and exit code it must give. Also the seals made by another
# implementation (ofdrw) in ../shared/testdata.
#
# Needs ESEAL (the eseal binary), ESEAL_SHARED (../shared), openssl >= 3.0
# and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_SHARED:?set ESEAL_SHARED to the shared directory (../shared)}"
command -v openssl >/dev/null
command -v python3 >/dev/null
vectors=$ESEAL_SHARED/testdata/ofdrw

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-seal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# Secrets only from files and the environment, never argv.
unset ESEAL_PASSPHRASE ESEAL_PIN ESEAL_NEW_PIN
PASS='correct horse battery staple'
printf '%s\n' "$PASS" >pass.txt
export ESEAL_PASSPHRASE=$PASS
export ESEAL_PIN=246810
DISTID=distid:1234567812345678

source "$here/lib/check.bash" # fail, check_grep, check_eq (check is its own)
# check DESCRIPTION COMMAND...: COMMAND must succeed; its output is in check.out.
check() {
    local what=$1
    shift
    if "$@" >check.out 2>check.err; then
        passed=$((passed + 1))
    else
        cat check.out check.err >&2
        fail "$what"
    fi
}
# exits DESCRIPTION CODE COMMAND...: COMMAND must exit with CODE; stdout in
# exits.out, stderr in exits.err.
exits() {
    local what=$1 want=$2
    shift 2
    local rc=0
    "$@" >exits.out 2>exits.err || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat exits.out exits.err >&2
        fail "$what: exit $rc, want $want"
    fi
    passed=$((passed + 1))
}
# refused DESCRIPTION OUTFILE COMMAND...: a management command must fail with
# exit 1, a one-line "eseal: " reason on stderr, and leave no OUTFILE.
refused() {
    local what=$1 out=$2
    shift 2
    exits "$what" 1 "$@"
    [ "$(wc -l <exits.err)" -eq 1 ] || { cat exits.err >&2; fail "$what: reason is not one line"; }
    grep -q '^eseal: ' exits.err || { cat exits.err >&2; fail "$what: stderr lacks 'eseal: '"; }
    if [ -n "$out" ] && [ -e "$out" ]; then
        fail "$what: left $out behind"
    fi
}
# json_get FILE PYTHON-EXPRESSION: evaluates the expression on the JSON in FILE (as j).
json_get() {
    python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
# verdict DESCRIPTION CODE INDICATION SUBINDICATION verify-args...: `eseal
# verify --json` must exit CODE with that verdict.
verdict() {
    local what=$1 code=$2 ind=$3 sub=$4
    shift 4
    exits "$what" "$code" "$ESEAL" verify --json "$@"
    check_eq "$what: indication" "$(json_get exits.out 'j["indication"]')" "$ind"
    check_eq "$what: subIndication" "$(json_get exits.out 'j["subIndication"]')" "$sub"
}
# flip FILE OFFSET OUT: OUT is FILE with the byte at OFFSET (negative: from
# the end) XORed with 0x01.
flip() {
    python3 - "$1" "$2" "$3" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[2])] ^= 0x01
open(sys.argv[3], "wb").write(b)
EOF
}

# ---- help ------------------------------------------------------------------
check "eseal --help" "$ESEAL" --help
for g in seal stamp verify; do
    check_grep "eseal --help lists $g" "^ +$g " check.out
done
check "eseal seal --help" "$ESEAL" seal --help
cp check.out seal-help.out
for sub in make show verify; do
    check_grep "seal --help lists $sub" "^ +$sub " seal-help.out
    check "eseal seal $sub --help" "$ESEAL" seal "$sub" --help
    check_grep "eseal seal $sub --help prints usage" "^usage: eseal seal $sub" check.out
done
check "eseal stamp --help" "$ESEAL" stamp --help
check_grep "stamp usage" '^usage: eseal stamp' check.out
check "eseal verify --help" "$ESEAL" verify --help
check_grep "verify usage" '^usage: eseal verify' check.out
check_grep "verify usage states the exit codes" '3 usage or I/O error' check.out
exits "eseal seal without a command" 2 "$ESEAL" seal
exits "eseal seal with an unknown command" 2 "$ESEAL" seal frobnicate

# ---- the seal made by another implementation (ofdrw) ------------------------
for v in 1 4 5; do
    check "seal show UserV$v.esl" "$ESEAL" seal show "$vectors/UserV$v.esl"
    check_grep "UserV$v.esl is version $v" "^  version / 版本 +$v\$" check.out
    check_grep "UserV$v.esl has a name" '^  name / 名称 +OFD ?R&?W.*测试用印章$' check.out
    check_grep "UserV$v.esl maker signature verifies" 'maker signature.*verifies / 验证通过' check.out
    "$ESEAL" seal show --json "$vectors/UserV$v.esl" >show.json
    check_eq "UserV$v.esl --json version" "$(json_get show.json 'j["version"]')" "$v"
    check_eq "UserV$v.esl --json maker verified" \
        "$(json_get show.json 'j["maker_signature"]["verified"]')" True
    check "seal verify UserV$v.esl" "$ESEAL" seal verify "$vectors/UserV$v.esl"
    check_grep "UserV$v.esl seal_signature passed" '^  \[通过 PASSED\] 制章签名 \(seal_signature\)' check.out
done
# The picture digest is SM3 of the picture bytes, as openssl computes it.
"$ESEAL" seal show --json "$vectors/UserV4.esl" >show.json
check_eq "UserV4 picture size" "$(json_get show.json 'j["picture"]["size"]')" 15693
check_eq "UserV4 vid" "$(json_get show.json 'j["vid"]')" 'OFDR&WTest'

# Any flipped byte inside the signed part of UserV4.esl (SES_SealInfo, the
# first element of the SESeal) fails `seal verify`; so does one in the
# signature value at the end.
read -r info_start info_end < <(python3 - "$vectors/UserV4.esl" <<'EOF'
import sys
b = open(sys.argv[1], "rb").read()
def header(i):
    # returns (header length, content length) of the DER TLV at i
    n = b[i + 1]
    if n < 0x80:
        return 2, n
    k = n & 0x7f
    return 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")
h, _ = header(0)
ih, il = header(h)
print(h, h + ih + il)
EOF
)
for off in $info_start $((info_start + 1)) $((info_start + 5)) $((info_start + 40)) \
    $(((info_start + info_end) / 2)) $((info_end - 300)) $((info_end - 1)); do
    flip "$vectors/UserV4.esl" "$off" bad.esl
    exits "UserV4.esl with byte $off flipped" 1 "$ESEAL" seal verify bad.esl
done
flip "$vectors/UserV4.esl" -1 bad.esl
exits "UserV4.esl with the signature value flipped" 1 "$ESEAL" seal verify --json bad.esl
check_eq "flipped maker signature" "$(json_get exits.out 'j["subIndication"]')" SEAL_CRYPTO_FAILURE
head -c 1000 "$vectors/UserV4.esl" >cut.esl
exits "truncated UserV4.esl" 1 "$ESEAL" seal verify --json cut.esl
check_eq "truncated seal" "$(json_get exits.out 'j["subIndication"]')" FORMAT_FAILURE
refused "seal show of a truncated seal" "" "$ESEAL" seal show cut.esl
refused "seal show of a missing file" "" "$ESEAL" seal show "$tmp/no-such.esl"

# ---- CA, token, certificate --------------------------------------------------
check "ca init" "$ESEAL" ca init --dir ca --passphrase-file pass.txt
check "token init" "$ESEAL" token init --dir tok
check "token csr" "$ESEAL" token csr --dir tok \
    --subject "/O=福州市测试局/serialNumber=91350100M000100Y43" --out tok.csr
check "ca issue" "$ESEAL" ca issue --dir ca --csr tok.csr --profile unit --out holder.pem
check "token import --cert" "$ESEAL" token import --dir tok --cert holder.pem

# A tiny valid PNG (16x16, red), written with zlib.
python3 - seal.png <<'EOF'
import struct, sys, zlib
w = h = 16
raw = b"".join(b"\x00" + b"\xff\x00\x00\xff" * w for _ in range(h))
def chunk(kind, data):
    c = kind + data
    return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
EOF

# ---- seal make ---------------------------------------------------------------
make() { "$ESEAL" seal make --ca ca --cert holder.pem --esid 35010000000001 \
    --name 福州市测试局 --type unit --picture seal.png --width 40 --height 40 "$@"; }
check "seal make" make --out seal.esl
check_grep "seal make names the output" 'seal.esl' check.out
check "openssl asn1parse reads the seal" openssl asn1parse -inform DER -in seal.esl
check_grep "seal header ES" 'IA5STRING +:ES$' check.out
check_grep "seal is signed with SM2-with-SM3" 'SM2-with-SM3' check.out
check_grep "seal holds the esID" ':35010000000001$' check.out
check_grep "seal picture type" 'IA5STRING +:png$' check.out

"$ESEAL" seal show --json seal.esl >show.json
check_eq "made seal: version" "$(json_get show.json 'j["version"]')" 4
check_eq "made seal: esid" "$(json_get show.json 'j["esid"]')" 35010000000001
check_eq "made seal: name" "$(json_get show.json 'j["name"]')" 福州市测试局
check_eq "made seal: type" "$(json_get show.json 'j["type_name"]')" unit
check_eq "made seal: picture type" "$(json_get show.json 'j["picture"]["type"]')" png
check_eq "made seal: width" "$(json_get show.json 'j["picture"]["width_mm"]')" 40
check_eq "made seal: picture SM3" "$(json_get show.json 'j["picture"]["sm3"]')" \
    "$(openssl dgst -sm3 -r seal.png | cut -d' ' -f1)"
check_eq "made seal: one certificate" "$(json_get show.json 'len(j["certificates"])')" 1
check_eq "made seal: the holder certificate" \
    "$(json_get show.json 'j["certificates"][0]["sm3_fingerprint"]')" \
    "$(openssl x509 -in holder.pem -outform DER | openssl dgst -sm3 -r | cut -d' ' -f1)"
check_eq "made seal: the maker certificate" "$(json_get show.json 'j["maker"]["sm3_fingerprint"]')" \
    "$(openssl x509 -in ca/maker.pem -outform DER | openssl dgst -sm3 -r | cut -d' ' -f1)"
check_eq "made seal: maker signature" "$(json_get show.json 'j["maker_signature"]["verified"]')" True
# The seal is as valid as the holder certificate.
check_eq "made seal: valid_end" "$(json_get show.json 'j["valid_end"]')" \
    "$(date -u -d "$(openssl x509 -in holder.pem -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"

check "seal verify --trust" "$ESEAL" seal verify seal.esl --trust ca/root.pem
check_grep "seal verify: TOTAL_PASSED" '^印章有效 / the seal is valid — TOTAL_PASSED' check.out
check "seal verify without --trust" "$ESEAL" seal verify seal.esl

# A root that issued nothing here, made by openssl.
openssl genpkey -algorithm SM2 -out foreign.key
openssl req -x509 -new -key foreign.key -sm3 -sigopt "$DISTID" -subj "/CN=Foreign Root CA" \
    -days 30 -out foreign.pem 2>/dev/null
exits "seal verify with a foreign root" 1 "$ESEAL" seal verify --json seal.esl --trust foreign.pem
check_eq "seal verify foreign root" "$(json_get exits.out 'j["subIndication"]')" \
    NO_CERTIFICATE_CHAIN_FOUND
check_grep "seal verify says why on stderr" 'NO_CERTIFICATE_CHAIN_FOUND' exits.err

# refusals: nothing written
refused "seal make over an existing file" "" make --out seal.esl
refused "seal make with a 13-digit esID" out.esl \
    "$ESEAL" seal make --ca ca --cert holder.pem --esid 3501000000001 --name x --type unit \
    --picture seal.png --width 40 --height 40 --out out.esl
check_grep "esID refusal says 14 digits" '14 digits' exits.err
refused "seal make with letters in the esID" out.esl \
    "$ESEAL" seal make --ca ca --cert holder.pem --esid 3501000000000A --name x --type unit \
    --picture seal.png --width 40 --height 40 --out out.esl
echo "just text" >picture.txt
refused "seal make with a text picture" out.esl make --picture picture.txt --out out.esl
head -c $((2 * 1024 * 1024 + 1)) /dev/zero >big.png
refused "seal make with a picture over 2 MiB" out.esl make --picture big.png --out out.esl
refused "seal make with --width 0" out.esl make --width 0 --out out.esl
refused "seal make with --height 201" out.esl make --height 201 --out out.esl
openssl req -x509 -new -key foreign.key -sm3 -sigopt "$DISTID" -subj "/CN=Somebody Else" \
    -days 30 -out stranger.pem 2>/dev/null
refused "seal make for a certificate of another CA" out.esl make --cert stranger.pem --out out.esl
check_grep "foreign holder refusal" 'not issued by' exits.err
refused "seal make with a wrong passphrase" out.esl env ESEAL_PASSPHRASE=not-the-passphrase \
    "$ESEAL" seal make --ca ca --cert holder.pem --esid 35010000000001 --name x --type unit \
    --picture seal.png --width 40 --height 40 --out out.esl
exits "seal make without --out" 2 make
check_grep "missing option is named" 'out' exits.err
exits "seal make with --type device" 2 "$ESEAL" seal make --ca ca --cert holder.pem \
    --esid 35010000000001 --name x --type device --picture seal.png --width 40 --height 40 \
    --out out.esl
[ ! -e out.esl ] || fail "usage error left out.esl"
# SVG, GIF and JPEG pictures are accepted by their magic bytes.
printf '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n' >seal.svg
check "seal make with an SVG picture" make --picture seal.svg --out svg.esl
"$ESEAL" seal show --json svg.esl >show.json
check_eq "SVG picture type" "$(json_get show.json 'j["picture"]["type"]')" svg

# ---- stamp -------------------------------------------------------------------
check "token import --cert --seal" "$ESEAL" token import --dir tok --cert holder.pem --seal seal.esl
printf '关于印发福建省政务电子印章管理办法的通知\n第一条 ……\n' >doc.txt
check "stamp with --seal" "$ESEAL" stamp --token tok --seal seal.esl doc.txt -o doc.ses
check "openssl asn1parse reads the signature" openssl asn1parse -inform DER -in doc.ses
check_grep "signature carries the file name" 'IA5STRING +:doc.txt$' check.out
check_grep "signature is SM2-with-SM3" 'SM2-with-SM3' check.out
check "stamp with the token's seal" "$ESEAL" stamp --token tok doc.txt --out doc2.ses
check "the token's seal is the same seal" \
    python3 -c 'import sys; a, b = (open(f, "rb").read() for f in sys.argv[1:]); assert a.find(b) > 0' \
    doc2.ses seal.esl

refused "stamp over an existing output" "" "$ESEAL" stamp --token tok doc.txt -o doc.ses
refused "stamp a missing file" out.ses "$ESEAL" stamp --token tok "$tmp/no-such.txt" -o out.ses
refused "stamp with a wrong PIN" out.ses env ESEAL_PIN=135790 \
    "$ESEAL" stamp --token tok doc.txt -o out.ses
refused "stamp without a PIN" out.ses env -u ESEAL_PIN "$ESEAL" stamp --token tok doc.txt -o out.ses
exits "stamp without -o" 2 "$ESEAL" stamp --token tok doc.txt
exits "stamp without IN" 2 "$ESEAL" stamp --token tok -o out.ses

# A seal made for another holder cannot be used by this token.
check "second token" "$ESEAL" token init --dir tok2
check "second token csr" "$ESEAL" token csr --dir tok2 \
    --subject "/O=厦门市测试局/serialNumber=91350200M000100Y43" --out tok2.csr
check "second holder" "$ESEAL" ca issue --dir ca --csr tok2.csr --profile unit --out holder2.pem
check "seal for the second holder" make --cert holder2.pem --esid 35020000000001 --out seal2.esl
refused "stamp with another holder's seal" out.ses \
    "$ESEAL" stamp --token tok --seal seal2.esl doc.txt -o out.ses
check_grep "refusal says the certificate is not in the seal" "not in the seal's certificate list" \
    exits.err
# A seal whose maker signature is broken is refused too.
flip seal.esl -1 badseal.esl
refused "stamp with a broken seal" out.ses "$ESEAL" stamp --token tok --seal badseal.esl doc.txt \
    -o out.ses

# A file name outside ASCII is percent-encoded into propertyInfo (an IA5String).
cp doc.txt 合同.txt
check "stamp a file with a Chinese name" "$ESEAL" stamp --token tok 合同.txt -o contract.ses
openssl asn1parse -inform DER -in contract.ses >asn1.txt
check_grep "percent-encoded file name" 'IA5STRING +:%E5%90%88%E5%90%8C.txt$' asn1.txt

# ---- verify ------------------------------------------------------------------
check "verify" "$ESEAL" verify doc.txt --sig doc.ses --trust ca/root.pem --no-status
check_grep "verify: TOTAL_PASSED" '^验证通过 / passed — TOTAL_PASSED' check.out
for k in format data_hash signature signer_in_seal seal_signature chain validity; do
    check_grep "verify: $k passed" "^  \[通过 PASSED\] [^ ]+ \($k\): " check.out
done
check_grep "verify: status skipped" '^  \[未检查 SKIPPED\] 印章状态 \(status\): 状态未检查 \(--no-status\) / status not checked \(--no-status\)' \
    check.out
# --no-status says, every time, what it costs a relying party (#19)
check_grep "verify --no-status: the note" '^  注意：未检查印章状态 \(--no-status\)' check.out
check_grep "verify --no-status: the note in English" 'no better than INDETERMINATE' check.out
verdict "verify --json" 0 TOTAL_PASSED None doc.txt --sig doc.ses --trust ca/root.pem --no-status
python3 - exits.out <<'EOF' || fail "verify --json lacks fields"
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("indication", "subIndication", "validationTime", "bestSignatureTime", "claimedTime",
          "esID", "sealName", "signer", "propertyInfo", "statusSource", "checks"):
    assert k in j, k
assert j["esID"] == "35010000000001" and j["sealName"] == "福州市测试局", j
assert j["propertyInfo"] == "doc.txt", j["propertyInfo"]
assert [c["key"] for c in j["checks"]] == ["format", "data_hash", "signature", "signer_in_seal",
                                           "seal_signature", "chain", "validity", "status",
                                           "picture"]
for c in j["checks"]:
    for k in ("key", "status", "subIndication", "message", "expected", "actual"):
        assert k in c, (c["key"], k)
    assert c["message"]["zh"] and c["message"]["en"], c
EOF
passed=$((passed + 1))
verdict "verify the token-seal signature" 0 TOTAL_PASSED None doc.txt --sig doc2.ses \
    --trust ca/root.pem --no-status
verdict "verify the Chinese-named file" 0 TOTAL_PASSED None 合同.txt --sig contract.ses \
    --trust ca/root.pem --no-status
verdict "verify at a date" 0 TOTAL_PASSED None doc.txt --sig doc.ses --trust ca/root.pem \
    --no-status --at "$(date -u +%Y-%m-%d)T23:59:59Z"

# Without a status source or without trust the verdict is indeterminate.
verdict "verify without --no-status" 2 INDETERMINATE NO_STATUS_SOURCE doc.txt --sig doc.ses \
    --trust ca/root.pem
verdict "verify without --trust" 2 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND doc.txt \
    --sig doc.ses --no-status

# Tampering, one kind at a time.
cp doc.txt changed.txt
printf 'x' >>changed.txt
verdict "modified document" 1 TOTAL_FAILED HASH_FAILURE changed.txt --sig doc.ses \
    --trust ca/root.pem --no-status
exits "modified document, text report" 1 "$ESEAL" verify changed.txt --sig doc.ses \
    --trust ca/root.pem --no-status
check_grep "text report names HASH_FAILURE" '^验证失败 / failed — TOTAL_FAILED HASH_FAILURE' exits.out
flip doc.ses -1 flipped.ses
verdict "flipped signature byte" 1 TOTAL_FAILED SIG_CRYPTO_FAILURE doc.txt --sig flipped.ses \
    --trust ca/root.pem --no-status
flip doc.ses -3 flipped.ses
verdict "another flipped signature byte" 1 TOTAL_FAILED SIG_CRYPTO_FAILURE doc.txt \
    --sig flipped.ses --trust ca/root.pem --no-status
# The seal's picture inside the signature: both signatures break.
python3 - doc.ses pic.ses <<'EOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"IDAT")
assert i > 0
b[i + 10] ^= 0x01
open(sys.argv[2], "wb").write(b)
EOF
verdict "flipped picture byte" 1 TOTAL_FAILED SIG_CRYPTO_FAILURE doc.txt --sig pic.ses \
    --trust ca/root.pem --no-status
check_eq "flipped picture: seal signature" \
    "$(json_get exits.out '[c["subIndication"] for c in j["checks"] if c["key"] == "seal_signature"][0]')" \
    SEAL_CRYPTO_FAILURE
head -c 500 doc.ses >cut.ses
verdict "truncated signature" 1 TOTAL_FAILED FORMAT_FAILURE doc.txt --sig cut.ses --no-status
verdict "a seal instead of a signature" 1 TOTAL_FAILED FORMAT_FAILURE doc.txt --sig seal.esl \
    --no-status
verdict "another CA's root as --trust" 2 INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND doc.txt \
    --sig doc.ses --trust foreign.pem --no-status
check_grep "the chain failure gives OpenSSL's reason" 'unable to get local issuer certificate' \
    exits.out
verdict "--at before the certificate" 1 TOTAL_FAILED NOT_YET_VALID doc.txt --sig doc.ses \
    --trust ca/root.pem --no-status --at 2020-01-01
verdict "--at after the certificate" 2 INDETERMINATE OUT_OF_BOUNDS_NO_POE doc.txt --sig doc.ses \
    --trust ca/root.pem --no-status --at 2099-01-01T00:00:00Z

# The ofdrw signature: everything but the chain (no usable root) and the
# document (we pass another file) verifies.
verdict "ofdrw SignedValueV4.dat over another file" 1 TOTAL_FAILED HASH_FAILURE doc.txt \
    --sig "$vectors/SignedValueV4.dat" --no-status --at 2021-01-01
check_eq "ofdrw signature verifies" \
    "$(json_get exits.out '[c["status"] for c in j["checks"] if c["key"] == "signature"][0]')" PASSED

# Usage and I/O errors: exit 3, never a verdict.
exits "missing --sig file" 3 "$ESEAL" verify doc.txt --sig "$tmp/no-such.ses" --no-status
check_grep "missing --sig names the file" 'no-such.ses' exits.err
exits "missing document" 3 "$ESEAL" verify "$tmp/no-such.txt" --sig doc.ses --no-status
exits "document is a directory" 3 "$ESEAL" verify "$tmp" --sig doc.ses --no-status
exits "missing trust file" 3 "$ESEAL" verify doc.txt --sig doc.ses --trust "$tmp/no-such.pem"
exits "trust file without certificates" 3 "$ESEAL" verify doc.txt --sig doc.ses --trust doc.txt
exits "no --sig" 3 "$ESEAL" verify doc.txt
exits "no IN" 3 "$ESEAL" verify --sig doc.ses
exits "two files" 3 "$ESEAL" verify doc.txt doc.txt --sig doc.ses
exits "unknown option" 3 "$ESEAL" verify doc.txt --sig doc.ses --bogus
exits "bad --at" 3 "$ESEAL" verify doc.txt --sig doc.ses --at yesterday
exits "impossible --at date" 3 "$ESEAL" verify doc.txt --sig doc.ses --at 2021-02-30
exits "--at with a time zone offset" 3 "$ESEAL" verify doc.txt --sig doc.ses \
    --at 2021-01-01T00:00:00+08:00

echo "ok: $passed checks passed"
