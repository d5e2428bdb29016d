#!/usr/bin/env bash
# ofd_stamp.sh — `eseal stamp` into OFD documents, checked by an independent
# script (lib/ofd_check.py: zipfile, xml.etree, hashlib's SM3) and the stock
# openssl command line for both SM2 signatures (the document signature over
# DER(TBS_Sign) and the seal maker's over DER(SES_SealInfo), with the SM2
# ID); then by `eseal verify`: stamped once, twice (the second protecting
# the first), a seam seal over ofdrw's five-page document (its own two
# signatures still verifying), a one-byte change in every protected entry
# (HASH_FAILURE), and the refusals the detached stamp has (PIN, a seal not
# for this token, an existing output) plus a page that does not exist.
#
# Needs ESEAL, ESEAL_SHARED (../shared), openssl >= 3.0 and python3.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_SHARED:?set ESEAL_SHARED to the shared directory (../shared)}"
command -v openssl >/dev/null
python3 -c 'import hashlib; hashlib.new("sm3")'
vectors=$ESEAL_SHARED/testdata/ofdrw
lib=$(cd "$(dirname "$0")/lib" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-ofdstamp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
passed=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
unset ESEAL_PIN_FILE
export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN=246810
printf '%s\n' "$ESEAL_PASSPHRASE" >pass.txt

# a CA, a token with its certificate, a 40 x 30 mm seal
"$ESEAL" ca init --dir ca --passphrase-file pass.txt >/dev/null
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token csr --dir tok --subject "/O=福州市测试局/serialNumber=91350100M000100Y43" \
    --out tok.csr >/dev/null
"$ESEAL" ca issue --dir ca --csr tok.csr --profile unit --out holder.pem >/dev/null
"$ESEAL" token import --dir tok --cert holder.pem >/dev/null
python3 - seal.png <<'PY'
import struct, sys, zlib
w = h = 16
raw = b"".join(b"\x00" + b"\xff\x00\x00\xff" * w for _ in range(h))
def chunk(kind, data):
    c = kind + data
    return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
"$ESEAL" seal make --ca ca --cert holder.pem --esid 35010000000001 --name 福州市测试局 \
    --type unit --picture seal.png --width 40 --height 30 --out seal.esl >/dev/null

# independent FILE: ofd_check.py and openssl for every signature of FILE
independent() {
    python3 "$lib/ofd_check.py" "$1" >check.out || fail "ofd_check $1"
    [ "$(wc -l <check.out)" = "$2" ] || fail "$1: $(cat check.out), want $2 signatures"
    local n
    for n in $(cut -d' ' -f1 check.out); do
        for k in sig seal; do
            openssl x509 -inform DER -in "$k$n.cert.der" -pubkey -noout >"$k$n.pub"
            openssl pkeyutl -verify -pubin -inkey "$k$n.pub" -in "$k$n.tbs.der" \
                -sigfile "$k$n.sig.der" -rawin -digest sm3 -pkeyopt distid:1234567812345678 \
                >/dev/null || fail "$1: openssl rejects the $k signature $n"
        done
    done
    passed=$((passed + 1))
}
# passes FILE N: eseal verify --trust: TOTAL_PASSED, N signatures, all ours pass
passes() {
    local rc=0
    "$ESEAL" verify --json --no-status --trust ca/root.pem "$1" >v.json || rc=$?
    [ "$rc" = 0 ] || fail "verify $1: exit $rc $(cat v.json)"
    python3 - "$2" <<'PY' || fail "verify $1: $(cat v.json)"
import json, sys
j = json.load(open("v.json"))
assert j["format"] == "ofd" and j["indication"] == "TOTAL_PASSED", j["indication"]
assert len(j["signatures"]) == int(sys.argv[1])
for s in j["signatures"]:
    st = {c["key"]: c["status"] for c in s["checks"]}
    for k in ("format", "data_hash", "signature", "signer_in_seal", "seal_signature", "chain",
              "validity", "references", "seal_file", "stamp"):
        assert st[k] == "PASSED", (k, st)
assert j["unprotected"] == [], j["unprotected"]
PY
    passed=$((passed + 1))
}

# 1. once, twice
"$ESEAL" stamp --token tok --seal seal.esl "$vectors/helloworld.ofd" -o one.ofd \
    --page 1 --x 100 --y 200 >/dev/null || fail "stamp once"
independent one.ofd 1
passes one.ofd 1
python3 - <<'PY' || fail "stamp place"
import json
p = json.load(open("v.json"))["signatures"][0]["place"]
assert p["stamps"] == [{"id": "s002", "pageRef": "1", "page": 1, "boundary": "100.00 200.00 40.00 30.00", "clip": None}], p
PY
# the original entries are there byte for byte
python3 - "$vectors/helloworld.ofd" <<'PY' || fail "original entries changed"
import sys, zipfile
a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile("one.ofd")
for n in a.namelist():
    if n != "OFD.xml" and not n.endswith("/"):  # OFD.xml now names Signatures.xml
        assert a.read(n) == b.read(n), n
PY
passed=$((passed + 1))
"$ESEAL" stamp --token tok --seal seal.esl one.ofd -o two.ofd --page 1 --x 20 --y 200 \
    >/dev/null || fail "stamp twice"
independent two.ofd 2
passes two.ofd 2
python3 - <<'PY' || fail "the second signature protects the first"
import zipfile, xml.etree.ElementTree as ET
z = zipfile.ZipFile("two.ofd")
ns = {"ofd": "http://www.ofdspec.org/2016"}
refs = {r.get("FileRef") for r in ET.fromstring(z.read("Doc_0/Signs/Sign_1/Signature.xml")).iter("{%s}Reference" % ns["ofd"])}
for f in ("Signature.xml", "SignedValue.dat", "Seal.esl"):
    assert "/Doc_0/Signs/Sign_0/" + f in refs, (f, refs)
assert "/Doc_0/Signs/Sign_1/Signature.xml" not in refs
PY
passed=$((passed + 1))

# 2. a seam seal over ofdrw's five pages: ofdrw's signatures still verify
"$ESEAL" stamp --token tok --seal seal.esl "$vectors/h.ofd" -o seam.ofd --seam --y 100 \
    >/dev/null || fail "stamp --seam"
independent seam.ofd 3
rc=0
"$ESEAL" verify --json --no-status --trust ca/root.pem --at 2021-06-01 seam.ofd >v.json || rc=$?
python3 - <<'PY' || fail "seam: $(cat v.json)"
import json
j = json.load(open("v.json"))
for s in j["signatures"]:
    st = {c["key"]: c["status"] for c in s["checks"]}
    for k in ("data_hash", "signature", "seal_signature", "references", "seal_file", "stamp"):
        assert st[k] == "PASSED", (s["where"], k, st)
p = j["signatures"][2]["place"]
assert p["seam"] and [s["page"] for s in p["stamps"]] == [1, 2, 3, 4, 5], p
assert [s["clip"] for s in p["stamps"]][:2] == ["0.00 0 8.00 30.00", "8.00 0 8.00 30.00"], p
PY
passed=$((passed + 1))

# 3. one byte changed in any protected entry: HASH_FAILURE
python3 "$lib/ofd_tamper.py" two.ofd x
for t in x*.ofd; do
    rc=0
    "$ESEAL" verify --json --no-status --trust ca/root.pem "$t" >v.json || rc=$?
    python3 - <<'PY' || fail "$(cat "${t%.ofd}.name"): exit $rc $(head -c 800 v.json)"
import json
j = json.load(open("v.json"))
subs = {c["subIndication"] for s in j["signatures"] for c in s["checks"] if c["status"] == "FAILED"}
assert j["indication"] == "TOTAL_FAILED" and "HASH_FAILURE" in subs, subs
PY
    [ "$rc" = 1 ] || fail "$t: exit $rc"
    passed=$((passed + 1))
done
# a seal where a signature is expected says so
python3 - <<'PY'
import zipfile
z = zipfile.ZipFile("one.ofd")
with zipfile.ZipFile("sealforsig.ofd", "w") as out:
    for i in z.infolist():
        d = z.read(i.filename)
        if i.filename.endswith("SignedValue.dat"):
            d = z.read("Doc_0/Signs/Sign_0/Seal.esl")
        out.writestr(i.filename, d)
PY
"$ESEAL" verify --json --no-status sealforsig.ofd >v.json || true
grep -q "this is a seal (SESeal), not a seal signature" v.json || fail "seal for a signature: $(cat v.json)"
passed=$((passed + 1))

# 4. refusals: nothing written
refused() {
    local what=$1 rc=0
    shift
    "$@" >r.out 2>r.err || rc=$?
    [ "$rc" != 0 ] || fail "$what: accepted"
    [ ! -e bad.ofd ] || fail "$what: left bad.ofd"
    passed=$((passed + 1))
}
refused "a page that does not exist" "$ESEAL" stamp --token tok --seal seal.esl \
    "$vectors/helloworld.ofd" -o bad.ofd --page 2 --x 1 --y 1
grep -q "page" r.err || fail "page refusal: $(cat r.err)"
refused "no --page" "$ESEAL" stamp --token tok --seal seal.esl "$vectors/helloworld.ofd" -o bad.ofd
ESEAL_PIN=000000 refused "a wrong PIN" "$ESEAL" stamp --token tok --seal seal.esl \
    "$vectors/helloworld.ofd" -o bad.ofd --page 1 --x 1 --y 1
refused "a seal not for this token" "$ESEAL" stamp --token tok --seal "$vectors/UserV4.esl" \
    "$vectors/helloworld.ofd" -o bad.ofd --page 1 --x 1 --y 1
grep -q "not in the seal's certificate list" r.err || fail "seal refusal: $(cat r.err)"
cp one.ofd bad.ofd
rc=0
"$ESEAL" stamp --token tok --seal seal.esl "$vectors/helloworld.ofd" -o bad.ofd --page 1 --x 1 \
    --y 1 >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] && cmp -s one.ofd bad.ofd || fail "an existing output was overwritten"
rm bad.ofd
head -c 300 one.ofd >cut.ofd
refused "a truncated package" "$ESEAL" stamp --token tok --seal seal.esl cut.ofd -o bad.ofd \
    --page 1 --x 1 --y 1
echo "ofd_stamp: $passed passed, 0 failed"
