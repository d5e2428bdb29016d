#!/usr/bin/env bash
# log_fault.sh — the issuer's event log on a failing disk (#18). eseal-issuerd
# runs with a test-only LD_PRELOAD shim (faults/fsync_fail.c) that makes
# fdatasync of the log's segments fail with EIO while a trigger file exists.
# A write before it is acknowledged; with the trigger, the next write is
# refused with 503 and a Chinese+English message, the log refuses every
# append from then on (even after the disk recovers) until the issuer is
# restarted, /healthz answers 503 naming the log, and reads still answer.
# Restarted on the same data without the shim: /healthz is 200, the log
# audits (`eseal log verify`), the acknowledged write is there and the
# refused ones are not. Then the store's RocksDB on the failing disk (the
# shim for data/db/): a batch is committed to the log but the store cannot
# record it (500), /healthz says the store refuses writes (503) and is one
# entry behind, and at the next start the store applies it from the log.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_FAULT_FSYNC (the shim), curl and python3.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
: "${ESEAL_FAULT_FSYNC:?set ESEAL_FAULT_FSYNC to the fsync-failing shim}"
for c in curl python3; do command -v "$c" >/dev/null; done
ESEAL_TEST_NAME=log_fault
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"
export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'

health() { curl -s -o h.json -w '%{http_code}' "$base/healthz"; }
problems() { json h.json '" ".join(sorted(p["check"] + ":" + p["severity"] for p in j["problems"]))'; }
staff() { # USERNAME: a staff account as JSON for POST /api/v1/staff
    printf '{"username":"%s","password":"staff-password-%s","role":"maker"}' "$1" "$1"
}
usernames() { # the staff accounts the issuer lists, sorted
    expect 200 GET /api/v1/staff "$admin"
    json resp.json '" ".join(sorted(s["username"] for s in j["staff"]))'
}

"$ESEAL" ca init --dir ca >/dev/null
# The shim goes before the sanitizer runtime in an ASan build; ASan must not
# insist on coming first.
ESEAL_FAULT_TRIGGER=$tmp/disk-fails ESEAL_FAULT_PATH=/log/segments/ LD_PRELOAD=$ESEAL_FAULT_FSYNC \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" start_issuerd
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
expect 201 POST /api/v1/staff "$admin" -d "$(staff maker1)"
maker1=$(json resp.json 'j["id"]')
log_size() { curl -s "$base/log/checkpoint" | sed -n 2p; }
size=$(log_size)
[ "$size" -gt 0 ] || fail "the log size: $size"
[ "$(health)" = 200 ] && [ "$(problems)" = "" ] || fail "healthz before: $(cat h.json)"
before=$(usernames)
ok

# --- the disk fails: the write is refused, nothing half-written --------------------------
touch disk-fails
expect 503 POST /api/v1/staff "$admin" -d "$(staff maker2)"
python3 - <<'PY' || fail "the refusal: $(cat resp.json)"
import json
e = json.load(open("resp.json"))["error"]
assert "事件日志拒绝写入" in e["message"] and "the event log refuses appends" in e["message"], e
assert "fdatasync" in e["message"], e
PY
grep -q 'the log stopped after a failed commit' daemon.log || fail "the daemon logs the failure"
[ "$(health)" = 503 ] && [ "$(problems)" = "log:error" ] || fail "healthz: $(cat h.json)"
json h.json 'j["problems"][0]["message"]' | grep -q '事件日志拒绝写入，须重启 / the event log refuses appends' ||
    fail "the log problem's message: $(cat h.json)"
# reads still answer; the refused account is not there
[ "$(usernames)" = "$before" ] || fail "the refused write left something: $(usernames)"
expect 200 GET /log/checkpoint "$admin"
# the disk recovers, the log does not: once fdatasync failed what reached the disk is unknown
rm disk-fails
expect 503 POST /api/v1/staff "$admin" -d "$(staff maker3)"
[ "$(health)" = 503 ] || fail "healthz after the disk recovered: $(cat h.json)"
stop_issuerd

# --- restarted on the same data: healthy, audited, nothing acknowledged lost ---------------
"$ESEAL" log verify --dir data/log --key ca/log.pub >audit.out || fail "the log audits"
"$ESEAL" log show --dir data/log >entries.jsonl
# the log names accounts by their opaque ids: the acknowledged one is there, and the
# refused ones added no entry
grep -q "\"$maker1\"" entries.jsonl || fail "the acknowledged account is in the log"
[ "$(wc -l <entries.jsonl)" = "$size" ] || fail "the log holds $(wc -l <entries.jsonl), want $size"
# (the shim again, now for the store's RocksDB: the section below)
ESEAL_FAULT_TRIGGER=$tmp/disk-fails ESEAL_FAULT_PATH=/data/db/ LD_PRELOAD=$ESEAL_FAULT_FSYNC \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" start_issuerd
[ "$(health)" = 200 ] && [ "$(problems)" = "" ] || fail "healthz after the restart: $(cat h.json)"
[ "$(log_size)" = "$size" ] || fail "the log after the restart: $(log_size), want $size"
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
[ "$(usernames)" = "$before" ] || fail "after the restart: $(usernames)"
expect 201 POST /api/v1/staff "$admin" -d "$(staff maker2)"
ok

# --- the store's disk fails after the log commit: the store is behind the log ---------------
expect 201 POST /api/v1/staff "$admin" \
    -d '{"username":"agg1","password":"aggregator-pw-1","role":"aggregator","city":"350100"}'
agg=$(login agg1 aggregator-pw-1)
size=$(log_size)
touch disk-fails
code=$(api POST /api/v1/batches "$agg" -d '{"business":"apply"}')
[ "$code" = 500 ] || fail "a batch the store cannot record: $code $(cat resp.json)"
[ "$(log_size)" = $((size + 1)) ] || fail "the log holds the batch: $(log_size)"
[ "$(health)" = 503 ] && [ "$(problems)" = "store:error store:warning" ] || fail "healthz: $(cat h.json)"
json h.json '"\n".join(p["message"] for p in j["problems"])' >messages.txt
grep -q '存储落后日志 1 条 / the store is 1 log entries behind' messages.txt &&
    grep -q '存储拒绝写入，须检查磁盘后重启 / the store refuses writes; check the disk and restart: rocksdb' messages.txt ||
    fail "the store problems' messages: $(cat h.json)"
rm disk-fails
kill "$daemon" && wait "$daemon" 2>/dev/null || true
daemon=
"$ESEAL" log show --dir data/log | tail -1 >last.json
bid=$(json last.json 'j["batch"]')
[ "$(json last.json 'j["type"]')" = batch.created ] || fail "the log's last entry: $(cat last.json)"
# the log is the record: at the restart the store applies what it missed
start_issuerd
[ "$(health)" = 200 ] && [ "$(problems)" = "" ] || fail "healthz after the store caught up: $(cat h.json)"
expect 200 GET "/api/v1/batches/$bid" "$agg"
stop_issuerd
echo "PASS log_fault ($passed checks)"
