#!/usr/bin/env bash
# backup_restore.sh — issue #18's drill (docs/operations.md): the platform
# runs with a good seal; submissions keep being filed while `eseal backup`
# copies it; `eseal restore` refuses a damaged, an incomplete and an
# over-full backup and a non-empty target, and restores into empty
# directories; eseal-issuerd started from them has every submission
# acknowledged before the backup and the seal; the restored log verifies and
# is a prefix of the running one; a publisher rebuilt from the restored log
# serves the same status.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=backup_restore
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
extra=
trap 'for p in $extra; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; cleanup' EXIT

# --- submissions keep coming while the backup runs --------------------------
mkdir loop
: >acked.txt
cp sub.json letter.pdf form.pdf impression.png loop/
(
    cd loop
    for _ in $(seq 1 200); do
        [ -e ../stop ] && break
        sid=$(file_submitted apply "") || exit 1
        echo "$sid" >>../acked.txt # acknowledged: the issuer answered
    done
) >loop.log 2>&1 &
filer=$!
extra="$extra $filer"
for _ in $(seq 1 100); do
    [ "$(wc -l <acked.txt)" -ge 3 ] && break
    sleep 0.1
done
cp acked.txt acked-before.txt
[ "$(wc -l <acked-before.txt)" -ge 3 ] || fail "the filer never got going: $(cat loop.log)"

"$ESEAL" backup --to bk --url "$ibase" --data idata --ca ca >backup.out 2>&1 &&
    fail "backup without a token"
rm -rf bk
ESEAL_TOKEN=$agent "$ESEAL" backup --to bk --url "$ibase" --data idata --ca ca >backup.out 2>&1 &&
    fail "backup by an agent"
grep -q 403 backup.out || fail "the agent is refused: $(cat backup.out)"
rm -rf bk
ESEAL_TOKEN=$admin "$ESEAL" backup --to bk --url "$ibase" --data idata --ca ca >backup.out 2>&1 ||
    fail "backup: $(cat backup.out)"
touch stop
wait "$filer" || fail "the filer failed: $(tail -5 loop.log)"
grep -q 'backup: bk' backup.out || fail "backup says what it did"
[ -z "$(ls idata/backup)" ] || fail "the issuer's checkpoint is left behind"
after=$(wc -l <acked.txt)
[ "$after" -gt "$(wc -l <acked-before.txt)" ] || fail "no submission was filed during the backup"
ESEAL_TOKEN=$admin "$ESEAL" backup --to bk --url "$ibase" --data idata --ca ca >/dev/null 2>&1 &&
    fail "backup over an existing directory"
# keys stay encrypted: the backup's key files are the CA's, byte for byte
cmp bk/ca/root.key ca/root.key || fail "root.key copied as is"
grep -q 'PRIVATE KEY' bk/ca/*.key 2>/dev/null && ! grep -q 'ENCRYPTED' bk/ca/root.key &&
    fail "a clear private key in the backup"
ok

# --- refusals ----------------------------------------------------------------
refuse() { # DIR WHY: restore from DIR must fail naming WHY
    rm -rf r
    "$ESEAL" restore --from "$1" --data r/idata --ca r/ca >restore.out 2>&1 &&
        fail "restore accepted $1"
    grep -q "$2" restore.out || fail "restore of $1: $(cat restore.out)"
    [ ! -e r/ca/root.pem ] || fail "restore of $1 wrote something"
}
blob=$(cd bk && find issuer/blobs -type f | head -1)
[ -n "$blob" ] || fail "no materials in the backup"
cp -a bk bk-damaged
printf 'x' | dd of="bk-damaged/$blob" bs=1 seek=3 conv=notrunc 2>/dev/null
refuse bk-damaged "damaged"
cp -a bk bk-incomplete
rm "bk-incomplete/$(cd bk && find issuer/db -type f -name '*.sst' | head -1)"
refuse bk-incomplete "incomplete"
cp -a bk bk-extra
echo 1 >bk-extra/ca/stray.txt
refuse bk-extra "not in the manifest"
cp -a bk bk-log
seg=$(cd bk && find issuer/log/segments -type f | head -1)
python3 - "bk-log/$seg" "bk-log" "$seg" <<'PY'
# a changed entry with its manifest digest fixed: only the log check sees it
import hashlib, json, subprocess, sys
path, top, rel = sys.argv[1:]
data = bytearray(open(path, "rb").read())
i = data.find(b'"type":"')
data[i + 8] ^= 0x01
open(path, "wb").write(data)
digest = subprocess.run(["openssl", "dgst", "-sm3", "-r", path], capture_output=True,
                        text=True, check=True).stdout.split()[0]
m = json.load(open(top + "/manifest.json"))
m["files"][rel] = digest
json.dump(m, open(top + "/manifest.json", "w"))
PY
refuse bk-log "the log does not verify"
mkdir -p full && echo 1 >full/x
"$ESEAL" restore --from bk --data full --ca r2/ca >restore.out 2>&1 && fail "restore into a non-empty dir"
grep -q 'must be empty' restore.out || fail "says why: $(cat restore.out)"
ok

# --- restore and start from it ---------------------------------------------
rm -rf r
"$ESEAL" restore --from bk --data r/idata --ca r/ca >restore.out 2>&1 || fail "restore: $(cat restore.out)"
"$ESEAL" log verify --dir r/idata/log --key r/ca/log.pub >verify.out || fail "restored log verifies"
"$ESEAL_ISSUERD" --port 0 --data r/idata --ca r/ca >issuer-r.log 2>&1 &
ir=$!
extra="$extra $ir"
rbase="http://127.0.0.1:$(wait_port issuer-r.log "$ir")"
base=$rbase
radmin=$(login admin "$ESEAL_ADMIN_PASSWORD")
while read -r sid; do
    expect 200 GET "/api/v1/submissions/$sid" "$radmin"
done <acked-before.txt
expect 200 GET "/api/v1/seals/$esid" "$radmin"
[ "$(json resp.json 'j["status"], j["versions"][0]["seal_sm3"] != ""')" = "('good', True)" ] || fail "the seal: $(cat resp.json)"
# materials stay encrypted in the backup, their wrapped key goes with them,
# and the restored issuer serves the exact bytes (docs/security.md)
lsm3=$(sm3 letter.pdf)
lblob=bk/issuer/blobs/${lsm3:0:2}/${lsm3:2:2}/$lsm3
[ -s "$lblob" ] && [ -s bk/issuer/blobs/data.key ] || fail "the letter and data.key are in the backup"
[ "$(head -c 3 "$lblob")" = ESB ] || fail "the backup's letter is encrypted"
! grep -r -q -a 'Red-header letter' bk/issuer || fail "plaintext letter in the backup"
ragent=$(login agent1 agent-password-1)
expect 200 GET "/api/v1/submissions/$(head -1 acked-before.txt)/materials/$lsm3" "$ragent"
cmp resp.json letter.pdf || fail "the restored issuer serves the letter"
base=$ibase
ok

# the restored log is the running one's prefix, entry for entry
"$ESEAL" log show --url "$rbase" >restored.jsonl
n=$(wc -l <restored.jsonl)
[ "$n" -gt 0 ] || fail "the restored log is empty"
"$ESEAL" log show --url "$ibase" --end "$n" >original.jsonl
cmp restored.jsonl original.jsonl || fail "the restored log differs from the running one's first $n entries"
"$ESEAL" log verify --url "$rbase" --key r/ca/log.pub >/dev/null || fail "restored issuer's log verifies"
ok

# a publisher rebuilt from the restored log serves the same status
[ "$(pub "/status/$esid")" = 200 ] || fail "original status"
want=$(json pub.out '[j.get(k) for k in ("esID", "status", "reason", "statusTime", "sealDigest", "pictureDigest", "certSerial")]')
"$ESEAL_PUBLISHERD" --port 0 --data pdata-r --ca r/ca --log "$rbase" --poll_ms 50 >publisher-r.log 2>&1 &
pr=$!
extra="$extra $pr"
prbase="http://127.0.0.1:$(wait_port publisher-r.log "$pr")"
got=
for _ in $(seq 1 100); do
    if [ "$(curl -s -o pr.json -w '%{http_code}' "$prbase/status/$esid")" = 200 ]; then
        got=$(json pr.json '[j.get(k) for k in ("esID", "status", "reason", "statusTime", "sealDigest", "pictureDigest", "certSerial")]')
        [ "$got" = "$want" ] && break
    fi
    sleep 0.1
done
[ "$got" = "$want" ] || fail "rebuilt publisher: $got, want $want"
ok

echo "backup_restore: $passed checks passed"
