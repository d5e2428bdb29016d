#!/usr/bin/env bash
# ofd_verify.sh — OFD documents with `eseal verify`: the ofdrw files (made
# by another implementation) pass every cryptographic check, their stamps
# and pages are reported; a one-byte change in any protected entry is
# HASH_FAILURE; a Signatures.xml changed beyond the append rule is
# HASH_FAILURE; and a corpus of hostile packages (zip-slip, absolute and
# duplicate names, encryption, too many entries, zip bombs by declared and
# by actual size, DTDs, external and expanding entities, deep nesting,
# truncated zips, a 0-byte file) is each refused as TOTAL_FAILED
# FORMAT_FAILURE naming its rule. The packages are built with Python's
# zipfile, independently of eseal. Under the ASan build this is the
# sanitizer run of the OFD reader.
#
# Needs ESEAL, ESEAL_SHARED (../shared) and python3.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_SHARED:?set ESEAL_SHARED to the shared directory (../shared)}"
command -v python3 >/dev/null
vectors=$ESEAL_SHARED/testdata/ofdrw
lib=$(cd "$(dirname "$0")/lib" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-ofd.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
passed=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# v FILE [ARGS]: eseal verify --json FILE into out.json; echoes the exit code
v() {
    local rc=0
    "$ESEAL" verify --json --no-status "$@" >out.json 2>err.txt || rc=$?
    echo "$rc"
}

# 1. The ofdrw files: every crypto check passes; INDETERMINATE only for the
# chain (a foreign root) — status is skipped here and missing below.
for f in h SESV4SignDoc V4RideRight allprotected; do
    rc=$(v "$vectors/$f.ofd" --at 2021-06-01)
    python3 - "$f" <<'PY' || fail "$f: $(cat out.json)"
import json, sys
name = sys.argv[1]
j = json.load(open("out.json"))
assert j["format"] == "ofd", j["format"]
want = {"h": 2}.get(name, 1)
assert len(j["signatures"]) == want, len(j["signatures"])
for s in j["signatures"]:
    st = {c["key"]: c["status"] for c in s["checks"]}
    for k in ("format", "data_hash", "signature", "signer_in_seal", "seal_signature",
              "references", "seal_file", "stamp"):
        assert st[k] == "PASSED", (s["where"], k, st[k])
    assert st["chain"] == "INDETERMINATE", st
    # SESV4SignDoc claims a signing time (2026) after its seal's validEnd (2022)
    assert st["validity"] == ("FAILED" if name == "SESV4SignDoc" else "PASSED"), st
    assert s["place"]["stamps"], s["place"]
    for stamp in s["place"]["stamps"]:
        assert stamp["page"] >= 1, stamp
if name in ("h", "V4RideRight"):
    seam = j["signatures"][0]["place"]
    assert seam["seam"] and [x["page"] for x in seam["stamps"]] == [1, 2, 3, 4, 5], seam
if name == "h":  # Sign_1 appended to the Signatures.xml that Sign_0 protects
    r = [c for c in j["signatures"][0]["checks"] if c["key"] == "references"][0]
    assert "later signature" in r["message"]["en"], r
assert j["unprotected"] == (["/Doc_0/Signs/Signatures.xml"] if name == "SESV4SignDoc" else []), j["unprotected"]
PY
    passed=$((passed + 1))
done
# without a status source the status is INDETERMINATE NO_STATUS_SOURCE
rc=$("$ESEAL" verify --json --at 2021-06-01 "$vectors/h.ofd" >out.json || echo $?)
[ "$rc" = 2 ] || fail "h.ofd without status: exit $rc"
python3 -c '
import json; j = json.load(open("out.json"))
assert j["indication"] == "INDETERMINATE"
for s in j["signatures"]:
    bad = {c["key"] for c in s["checks"] if c["status"] not in ("PASSED", "SKIPPED")}
    assert bad == {"chain", "status"}, bad' || fail "h.ofd: only chain and status may be indeterminate"
passed=$((passed + 1))
# the text report names the pages
"$ESEAL" verify --at 2021-06-01 "$vectors/V4RideRight.ofd" >out.txt || true
grep -q "骑缝章 / seam stamp: page / 第 1 页 (ID 1)" out.txt || fail "text report: $(cat out.txt)"
passed=$((passed + 1))

# 2. A one-byte change in every protected entry of every file: HASH_FAILURE.
for f in h V4RideRight allprotected; do
    python3 "$lib/ofd_tamper.py" "$vectors/$f.ofd" "t$f"
done
# SESV4SignDoc's one signature does not protect its Signatures.xml
python3 "$lib/ofd_tamper.py" "$vectors/SESV4SignDoc.ofd" tSESV4SignDoc Doc_0/Signs/Signatures.xml
for t in t*.ofd; do  # one eseal run per protected entry
    rc=$(v "$t" --at 2021-06-01)
    python3 - <<'PY' || fail "$(cat "${t%.ofd}.name"): exit $rc $(head -c 600 out.json)"
import json
j = json.load(open("out.json"))
assert j["indication"] == "TOTAL_FAILED", j["indication"]
subs = {c["subIndication"] for s in j["signatures"] for c in s["checks"] if c["status"] == "FAILED"}
assert "HASH_FAILURE" in subs, subs
PY
    [ "$rc" = 1 ] || fail "$t: exit $rc"
    passed=$((passed + 1))
done

# A Signatures.xml changed in what the first signature saw (not appended):
# HASH_FAILURE, not a "later update".
python3 - "$vectors" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1] + "/h.ofd")
out = zipfile.ZipFile("sigs.ofd", "w")
for i in z.infolist():
    d = z.read(i.filename)
    if i.filename.endswith("Signatures.xml"):
        d = d.replace(b'Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0', b'Type="Seal"  BaseLoc="/Doc_0/Signs/Sign_0')
    out.writestr(i.filename, d)
PY
rc=$(v sigs.ofd --at 2021-06-01)
[ "$rc" = 1 ] && grep -q "Signatures.xml: changed" out.json || fail "Signatures.xml rewritten: $rc $(cat out.json)"
passed=$((passed + 1))

# 3. Hostile packages: each refused as TOTAL_FAILED FORMAT_FAILURE naming the rule.
python3 - "$vectors" <<'PY'
import struct, sys, zipfile, zlib
src = sys.argv[1]
good = zipfile.ZipFile(src + "/helloworld.ofd")
base = {i.filename: good.read(i.filename) for i in good.infolist()}

def pkg(name, entries, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(name, "w", method) as z:
        for n, d in entries:
            z.writestr(n, d)

def with_ofd(name, ofd_xml):
    e = dict(base); e["OFD.xml"] = ofd_xml
    pkg(name, e.items())

import warnings; warnings.simplefilter("ignore")
pkg("slip.ofd", list(base.items()) + [("Doc_0/../../evil.txt", b"x")])
pkg("absolute.ofd", list(base.items()) + [("/etc/evil", b"x")])
pkg("dup.ofd", list(base.items()) + [("OFD.xml", base["OFD.xml"])])
pkg("many.ofd", list(base.items()) + [(f"f/{i}", b"") for i in range(10001)])

def declare(name, sizes):
    """sets the uncompressed size both headers declare for entries"""
    b = bytearray(open(name, "rb").read())
    p = b.rfind(b"PK\x01\x02")
    while p >= 0:
        nlen = struct.unpack_from("<H", b, p + 28)[0]
        n = bytes(b[p + 46:p + 46 + nlen]).decode()
        if n in sizes:
            struct.pack_into("<I", b, p + 24, sizes[n])
            lh = struct.unpack_from("<I", b, p + 42)[0]
            struct.pack_into("<I", b, lh + 22, sizes[n])
        p = b.rfind(b"PK\x01\x02", 0, p)
    open(name, "wb").write(b)

# zip bombs by declaration: refused before anything is expanded
pkg("bomb_entry.ofd", list(base.items()) + [("big.bin", b"x")])
declare("bomb_entry.ofd", {"big.bin": 65 * 1024 * 1024})
pkg("bomb_total.ofd", list(base.items()) + [(f"big{i}.bin", b"x") for i in range(5)])
declare("bomb_total.ofd", {f"big{i}.bin": 60 * 1024 * 1024 for i in range(5)})
# encrypted: the general-purpose flag bit 0 set in both headers
pkg("enc.ofd", base.items(), zipfile.ZIP_STORED)
b = bytearray(open("enc.ofd", "rb").read())
for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
    p = b.find(sig)
    while p >= 0:
        b[p + off] |= 1
        p = b.find(sig, p + 4)
open("enc.ofd", "wb").write(b)
# a wrong CRC: one byte of the stored OFD.xml changed, its CRC-32 kept
pkg("crc.ofd", base.items(), zipfile.ZIP_STORED)
b = bytearray(open("crc.ofd", "rb").read())
p = b.find(b"PK\x03\x04")
while b[p + 30:p + 30 + struct.unpack_from("<H", b, p + 26)[0]] != b"OFD.xml":
    p = b.find(b"PK\x03\x04", p + 4)
data = p + 30 + struct.unpack_from("<H", b, p + 26)[0] + struct.unpack_from("<H", b, p + 28)[0]
b[data + 50] ^= 0x01
open("crc.ofd", "wb").write(b)
# deflate data that does not inflate: the middle of a deflated OFD.xml overwritten
pkg("badflate.ofd", base.items())
b = bytearray(open("badflate.ofd", "rb").read())
p = b.find(b"PK\x03\x04")
while b[p + 30:p + 30 + struct.unpack_from("<H", b, p + 26)[0]] != b"OFD.xml":
    p = b.find(b"PK\x03\x04", p + 4)
data = p + 30 + struct.unpack_from("<H", b, p + 26)[0] + struct.unpack_from("<H", b, p + 28)[0]
b[data:data + 8] = b"\xff" * 8
open("badflate.ofd", "wb").write(b)
# lying sizes: an OFD.xml of 1 MB whose headers say 10 bytes
e = dict(base); e["OFD.xml"] = base["OFD.xml"] + b" " * (1024 * 1024)
pkg("liar.ofd", e.items())
declare("liar.ofd", {"OFD.xml": 10})
ofd = base["OFD.xml"].decode()
decl = '<?xml version="1.0" encoding="UTF-8"?>'
body = ofd[len(decl):] if ofd.startswith(decl) else ofd
with_ofd("dtd.ofd", (decl + '<!DOCTYPE ofd:OFD []>' + body).encode())
with_ofd("xxe.ofd", (decl + '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + body.replace("<ofd:DocRoot>", "<ofd:DocRoot>&x;")).encode())
lol = "".join(f'<!ENTITY l{i} "' + f"&l{i-1};" * 10 + '">' for i in range(1, 10))
with_ofd("laughs.ofd", (decl + '<!DOCTYPE r [<!ENTITY l0 "lol">' + lol + ']>' + body.replace("<ofd:DocRoot>", "<ofd:DocRoot>&l9;")).encode())
with_ofd("undeclared.ofd", (decl + body.replace("<ofd:DocRoot>", "<ofd:DocRoot>&nope;")).encode())
with_ofd("deep.ofd", (decl + body.replace("</ofd:DocBody>", "<a>" * 100 + "</a>" * 100 + "</ofd:DocBody>")).encode())
with_ofd("notxml.ofd", b"<ofd:OFD xmlns:ofd='x'><unclosed></ofd:OFD>")
with_ofd("hugexml.ofd", (decl + body.replace("</ofd:DocBody>", "<x>" + "a" * (17 * 1024 * 1024) + "</x></ofd:DocBody>")).encode())
pkg("noofd.ofd", [(k, v) for k, v in base.items() if k != "OFD.xml"])
pkg("unsigned.ofd", base.items())
whole = open(src + "/h.ofd", "rb").read()
for n in (30, 1000, len(whole) // 2, len(whole) - 10):
    open(f"trunc{n}.ofd", "wb").write(whole[:n])
open("empty.ofd", "wb").close()
PY
# name: the rule the message must name
declare -A rule=(
    [slip]="zip-slip" [absolute]="absolute" [dup]="appears twice" [many]="entries, more than 10000"
    [bomb_entry]="over the limit" [bomb_total]="zip bomb" [enc]="encrypted"
    [liar]="expands beyond its declared size" [crc]="is corrupt" [badflate]="is corrupt"
    [dtd]="document type declaration"
    [xxe]="document type declaration" [laughs]="document type declaration"
    [undeclared]="not well-formed" [deep]="deeper than 64" [notxml]="not well-formed"
    [hugexml]="over the limit" [noofd]="no OFD.xml" [unsigned]="no signature"
    [trunc30]="zip" [trunc1000]="zip" [empty]="recognises"
)
for f in "${!rule[@]}" "trunc$(( $(stat -c %s "$vectors/h.ofd") / 2 ))" "trunc$(( $(stat -c %s "$vectors/h.ofd") - 10 ))"; do
    want=${rule[$f]:-zip}
    rc=$(v "$f.ofd")
    python3 - "$want" <<'PY' || fail "$f.ofd: exit $rc $(cat out.json err.txt)"
import json, sys
j = json.load(open("out.json"))
assert j["indication"] == "TOTAL_FAILED" and j["subIndication"] == "FORMAT_FAILURE", j
assert sys.argv[1] in j["error"], j["error"]
PY
    [ "$rc" = 1 ] || fail "$f.ofd: exit $rc"
    passed=$((passed + 1))
done

# 4. --batch takes OFD files: one JSON line each, the worst exit code.
mkdir batch
cp "$vectors/h.ofd" "$vectors/allprotected.ofd" batch/
cp th0.ofd batch/tampered.ofd
rc=0
"$ESEAL" verify --batch --no-status --at 2021-06-01 --jobs 2 batch >batch.jsonl 2>batch.err || rc=$?
[ "$rc" = 1 ] || fail "batch: exit $rc"
python3 - <<'PY' || fail "batch: $(cat batch.jsonl)"
import json
lines = [json.loads(l) for l in open("batch.jsonl")]
got = {l["file"].split("/")[-1]: (l["format"], l["indication"]) for l in lines}
assert got == {"allprotected.ofd": ("ofd", "INDETERMINATE"), "h.ofd": ("ofd", "INDETERMINATE"),
               "tampered.ofd": ("ofd", "TOTAL_FAILED")}, got
PY
passed=$((passed + 1))
echo "ofd_verify: $passed passed, 0 failed"
