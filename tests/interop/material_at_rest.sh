#!/usr/bin/env bash
# material_at_rest.sh — "Personal data at rest" (docs/security.md): a real
# eseal-issuerd and eseal-publisherd run a seal to handover (platform.bash);
# then a letter carrying a random marker is uploaded. Nothing under the
# issuer's data directory (store, materials, log), the publisher's or the
# CA's holds the marker or a run of the uploaded documents' bytes; the API names
# each material by the SM3 of its plaintext and serves the exact bytes back;
# a letter over 1 MiB, digested while its upload arrived, is named by what
# `openssl dgst -sm3` computes over the file.
# Every file there is 0600 and every directory 0700. A material file
# altered on disk, or moved to another's name, is a 500 without data. A
# plaintext material left from before encryption is encrypted when the
# issuer starts and still served; a data key that does not unwrap stops the
# issuer from starting (unit/issuer/test_blob.c tries another KEK).
# `eseal issuer rotate-data-key` refuses while the issuer runs; stopped, it
# gives the store a new data key (logged as key.rotated, role data) and the
# restarted issuer serves every material byte-exact, while the old data.key
# put back opens none; a rotation cut short by a disk fault is finished by
# the issuer at start (test_blob.c stops rotations at several points).
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_FAULT_FSYNC (the shim),
# curl, openssl and python3.
set -euo pipefail
export ESEAL_TEST_NAME=material-at-rest
# shellcheck source=lib/platform.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/platform.bash"

# --- a letter with a marker --------------------------------------------------
marker="atrest-$(openssl rand -hex 12)"
python3 "$(dirname "$der_py")/fixtures.py" pdf letter.pdf "Red-header letter" \
    "Apply for an electronic seal" "$marker"
grep -q "$marker" letter.pdf || fail "the marker is in the plaintext"
python3 - "$(sm3 letter.pdf)" <<'PY'
import json, sys
d = json.load(open("sub.json"))
d["letter"]["material"] = sys.argv[1]
json.dump(d, open("sub.json", "w"), ensure_ascii=False)
PY
sid2=$(file_submitted apply "")
letter=$(sm3 letter.pdf)
expect 200 GET "/api/v1/submissions/$sid2" "$agent"
grep -q "$letter" resp.json || fail "the submission names the letter by the SM3 of its plaintext"
expect 200 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
cmp resp.json letter.pdf || fail "the download is the exact bytes uploaded"
[ "$(sm3 resp.json)" = "$letter" ] || fail "digest of the download"
# the handover's ID copy (of the first submission) comes back too
idc=$(sm3 idcopy.png)
expect 200 GET "/api/v1/submissions/$sid/materials/$idc" "$maker"
cmp resp.json idcopy.png || fail "the ID copy comes back"

# --- a large upload, digested as it arrived ----------------------------------
# Over 1 MiB (spooled, and parsed in the many pieces it arrives in), with
# CRLFs and near-boundaries in it: the material's name is what openssl
# computes over the file, and the bytes come back.
python3 - <<'PY'
import os
pdf = open("letter.pdf", "rb").read()
open("big.pdf", "wb").write(pdf + b"\r\n--" * 4096 + os.urandom(3 << 19) + b"\r\n-")
PY
big=$(openssl dgst -sm3 -r big.pdf | cut -d' ' -f1)
expect 201 POST /api/v1/submissions "$agent" --data-binary @doc.json
sid3=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$sid3/materials" "$agent" -F "letter=@big.pdf"
[ "$(json resp.json 'j["materials"][0]["sm3"]')" = "$big" ] || fail "big upload's SM3: $(cat resp.json)"
expect 200 GET "/api/v1/submissions/$sid3/materials/$big" "$agent"
cmp resp.json big.pdf || fail "the large material comes back"
ok

# --- nothing readable at rest ------------------------------------------------
# grep: the marker nowhere; python: no 32-byte run of any uploaded file
! grep -r -l -a -F "$marker" idata pdata ca >found.txt 2>&1 || fail "marker at rest: $(cat found.txt)"
# (not impression.png: the seal carries its picture, public by design)
python3 - idata pdata ca -- letter.pdf form.pdf intro.pdf idcopy.png big.pdf <<'PY' ||
import os, sys
args = sys.argv[1:]
dirs, files = args[:args.index("--")], args[args.index("--") + 1:]
needles = []
for f in files:
    b = open(f, "rb").read()
    # runs from the middle and the end of each file, away from headers
    needles += [(f, b[len(b) // 2:len(b) // 2 + 32]), (f, b[-48:-16])]
bad = []
for d in dirs:
    for top, _, names in os.walk(d):
        for n in names:
            p = os.path.join(top, n)
            data = open(p, "rb").read()
            bad += [f"{f} in {p}" for f, nd in needles if nd in data]
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
    fail "plaintext at rest"
key=idata/blobs/data.key
[ -s "$key" ] || fail "the wrapped data key is beside the store"
ok

# --- modes: 0600 files, 0700 directories, RocksDB's and the log's too ---------
[ -n "$(find idata/db -type f -name '*.sst' -o -type f -name 'LOG' | head -1)" ] || fail "RocksDB files"
loose=$(find idata pdata ca \( -type f -perm /077 \) -o \( -type d -perm /077 \))
[ -z "$loose" ] || fail "group/other access: $loose"
ok

# --- fail closed: altered or swapped on disk ----------------------------------
lpath=idata/blobs/${letter:0:2}/${letter:2:2}/$letter
form=$(sm3 form.pdf)
fpath=idata/blobs/${form:0:2}/${form:2:2}/$form
cp "$lpath" letter.enc
python3 - "$lpath" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)
PY
expect 500 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
! grep -q -a "$marker" resp.json || fail "an altered material leaks"
grep -q 'does not decrypt' resp.json || fail "says why: $(cat resp.json)"
cp "$fpath" "$lpath"
expect 500 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
cp letter.enc "$lpath"
expect 200 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
cmp resp.json letter.pdf || fail "the restored file reads"

# --- migration: a plaintext material from before is encrypted at start -------
kill "$issuer"
wait "$issuer" 2>/dev/null || true
issuer=
cp letter.pdf "$lpath"
rm idata/blobs/encrypted
"$ESEAL_ISSUERD" --port 0 --data idata --ca ca >issuer2.log 2>&1 &
issuer=$!
base="http://127.0.0.1:$(wait_port issuer2.log "$issuer")"
grep -q 'encrypted 1 materials' issuer2.log || fail "the migration says what it did: $(cat issuer2.log)"
[ -e idata/blobs/encrypted ] || fail "the store is marked encrypted"
! grep -q -a "$marker" "$lpath" || fail "the migrated file is still plaintext"
[ "$(stat -c %a "$lpath")" = 600 ] || fail "the migrated file's mode"
expect 200 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
cmp resp.json letter.pdf || fail "the migrated material reads"
ok

# --- the data key rotated: refused while the issuer runs, then every material
# re-encrypted to a new key and still served; the old key opens none --------
stop_issuer() {
    kill "$issuer"
    wait "$issuer" 2>/dev/null || true
    issuer=
}
# start_issuer LOG: eseal-issuerd on idata again, its output in LOG
start_issuer() {
    "$ESEAL_ISSUERD" --port 0 --data idata --ca ca >"$1" 2>&1 &
    issuer=$!
    base="http://127.0.0.1:$(wait_port "$1" "$issuer")"
}
# served WHEN: the letter, the large material and the ID copy come back exact
served() {
    expect 200 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
    cmp resp.json letter.pdf || fail "the letter $1"
    expect 200 GET "/api/v1/submissions/$sid3/materials/$big" "$agent"
    cmp resp.json big.pdf || fail "the large material $1"
    expect 200 GET "/api/v1/submissions/$sid/materials/$idc" "$maker"
    cmp resp.json idcopy.png || fail "the ID copy $1"
}
cp "$key" old.key
"$ESEAL" issuer rotate-data-key --data idata --ca ca >rot.out 2>rot.err &&
    fail "rotated while the issuer runs"
grep -q 'stop it first' rot.err && grep -q '请先停止' rot.err || fail "says why: $(cat rot.err)"
cmp -s "$key" old.key && [ ! -e idata/blobs/data.key.next ] || fail "the refusal changed the key"
stop_issuer
n=$(find idata/blobs -mindepth 3 -type f -regex '.*/[0-9a-f]*' | wc -l)
"$ESEAL" issuer rotate-data-key --data idata --ca ca >rot.out 2>rot.err ||
    fail "rotate-data-key: $(cat rot.err)"
grep -q "$n of $n" rot.err || fail "progress on stderr: $(cat rot.err)"
grep -q "^已轮换数据密钥 / rotated the data key: 材料 $n 份，重新加密 $n 份.*/ $n materials, $n re-encrypted" rot.out || fail "counts: $(cat rot.out)"
! cmp -s "$key" old.key || fail "data.key changed"
[ ! -e idata/blobs/data.key.next ] || fail "data.key.next is gone"
"$ESEAL" log show --dir idata/log >entries.jsonl
python3 - "$(sm3 old.key)" "$(sm3 "$key")" "$n" <<'PY' || fail "key.rotated (data) in the log"
import json, sys
e = [json.loads(l) for l in open("entries.jsonl") if '"key.rotated"' in l][-1]["data"]
assert e["role"] == "data" and e["old"]["sm3"] == sys.argv[1] and e["new"]["sm3"] == sys.argv[2], e
assert e["files"] == int(sys.argv[3]) and e["reencrypted"] == e["files"], e
PY
start_issuer issuer4.log
served "after the rotation"
# the old data.key put back: it still unwraps, but opens no material
stop_issuer
cp "$key" new.key
cp old.key "$key"
start_issuer issuer5.log
expect 500 GET "/api/v1/submissions/$sid2/materials/$letter" "$agent"
grep -q 'does not decrypt' resp.json || fail "the old key: $(cat resp.json)"
expect 500 GET "/api/v1/submissions/$sid/materials/$idc" "$maker"
stop_issuer
cp new.key "$key"
# a rotation cut short (the disk fails at the letter's file) leaves the store
# part way; the issuer finishes it at start and serves every material
touch disk-fails
ESEAL_FAULT_TRIGGER=$PWD/disk-fails ESEAL_FAULT_PATH="/blobs/${letter:0:2}/${letter:2:2}/" \
    LD_PRELOAD=$ESEAL_FAULT_FSYNC ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    "$ESEAL" issuer rotate-data-key --data idata --ca ca >rot.out 2>rot.err &&
    fail "rotated through a disk fault"
cmp -s "$key" new.key && [ -e idata/blobs/data.key.next ] || fail "left part way: $(cat rot.err)"
grep -q 'run this command again' rot.err || fail "says what to do: $(cat rot.err)"
start_issuer issuer6.log
grep -q 'finished a data key rotation left part way' issuer6.log || fail "$(cat issuer6.log)"
! cmp -s "$key" new.key && [ ! -e idata/blobs/data.key.next ] || fail "the issuer finished it"
served "after the finished rotation"
ok

# --- a data key that does not unwrap: the issuer does not start -------------
stop_issuer
python3 - "$key" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-1] ^= 1
open(p, "wb").write(b)
PY
"$ESEAL_ISSUERD" --port 0 --data idata --ca ca >issuer3.log 2>&1 && fail "started with a damaged data.key"
grep -q 'data.key' issuer3.log || fail "names the key: $(cat issuer3.log)"
ok

echo "material_at_rest: $passed checks passed"
