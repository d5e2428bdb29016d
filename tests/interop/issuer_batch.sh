#!/usr/bin/env bash
# issuer_batch.sh — issue #12 points 6, 7, 8 over HTTP with eseal-issuerd on
# a free loopback port: two city units' agents submit to their aggregator
# (collected; never straight to the centre), the aggregator batches both
# with one summary table (an xlsx file) whose rows come from both units and
# submits the batch; the maker registers the batch and an item with the
# paper originals checklist; the reviewer sees it, approval is refused while
# a required point is unchecked or flagged, and a rejection returns only the
# failing item. Every material kind downloads with its content type,
# Content-Disposition: attachment and nosniff; others get 404. The batch
# survives a restart (the store is a function of the log), and the log's
# batch entries carry no personal data.
#
# Needs ESEAL (the eseal binary), ESEAL_ISSUERD (the daemon), curl, openssl
# and python3.
set -euo pipefail
# shellcheck source=lib/submission.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/submission.bash"

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in curl openssl python3; do command -v "$c" >/dev/null; done

ESEAL_TEST_NAME=batch
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
UNIT_A='福州市鼓楼区测试局'
USCC_A='91350100M000100Y43'
UNIT_B='福州市鼓楼区第二测试局'
USCC_B='91350100M000200Y4T'
hdr() { tr -d '\r' <resp.hdr | sed -n "s/^$1: //Ip" | head -1; }

"$ESEAL" ca init --dir ca >/dev/null
start_issuerd

admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
for s in "{\"username\":\"agent-a\",\"password\":\"agent-password-a\",\"role\":\"agent\",\"unit\":\"$USCC_A\"}" \
    "{\"username\":\"agent-b\",\"password\":\"agent-password-b\",\"role\":\"agent\",\"unit\":\"$USCC_B\"}" \
    '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}' \
    '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200"}' \
    '{"username":"maker1","password":"maker-password-1","role":"maker"}' \
    '{"username":"reviewer1","password":"reviewer-password-1","role":"reviewer"}'; do
    expect 201 POST /api/v1/staff "$admin" -d "$s"
done
agent_a=$(login agent-a agent-password-a)
agent_b=$(login agent-b agent-password-b)
agg=$(login agg-fz aggregator-pw-1)
aggxm=$(login agg-xm aggregator-pw-2)
maker=$(login maker1 maker-password-1)
reviewer=$(login reviewer1 reviewer-password-1)

# unit_submission DIR UNIT USCC: the one-form apply of the unit in DIR, its
# letter and form its own (their digests differ between the units).
unit_submission() {
    mkdir -p "$1"
    (
        cd "$1"
        UNIT=$2 USCC=$3
        write_apply_submission
        printf '%%PDF-1.4\n%% red-header letter of %s\n' "$USCC" >letter.pdf
        printf '%%PDF-1.4\n%% application form of %s\n' "$USCC" >form.pdf
        printf '\x89PNG\r\n\x1a\nimpression of %s' "$USCC" >impression.png
        python3 - "$(sm3 letter.pdf)" "$(sm3 form.pdf)" "$(sm3 impression.png)" <<'PY'
import json, sys
d = json.load(open("sub.json"))
d["letter"]["material"], d["forms"][0]["material"], d["forms"][0]["impression"] = sys.argv[1:]
json.dump(d, open("sub.json", "w"), ensure_ascii=False)
PY
    )
}
unit_submission a "$UNIT_A" "$USCC_A"
unit_submission b "$UNIT_B" "$USCC_B"

# file DIR TOKEN: create, upload, submit (to the aggregator); prints the id.
file() {
    expect 201 POST /api/v1/submissions "$2" --data-binary "@$1/sub.json"
    local id
    id=$(json resp.json 'j["id"]')
    expect 201 POST "/api/v1/submissions/$id/materials" "$2" \
        -F "letter=@$1/letter.pdf" -F "form=@$1/form.pdf" -F "impression=@$1/impression.png"
    echo "$id"
}
sa=$(file a "$agent_a")
sb=$(file b "$agent_b")

# --- point 6: a city unit submits to its aggregator, which batches ---------------------------
expect 200 POST "/api/v1/submissions/$sa/submit" "$agent_a"
[ "$(json resp.json 'j["state"]')" = collected ] || fail "the unit's submit goes to the aggregator"
expect 409 POST "/api/v1/submissions/$sa/submit" "$agent_a"
grep -q '汇总单位' resp.json || fail "the refusal says why, Chinese first"
expect 409 POST "/api/v1/submissions/$sa/register" "$maker"
expect 200 POST "/api/v1/submissions/$sb/submit" "$agent_b"
[ "$(json resp.json 'j["state"]')" = collected ] || fail "collected"

expect 403 POST /api/v1/batches "$agent_a" -d '{"business":"apply"}'
expect 400 POST /api/v1/batches "$agg" -d '{"business":"stamp"}'
expect 201 POST /api/v1/batches "$agg" -d '{"business":"apply"}'
bid=$(json resp.json 'j["id"]')
[ "$bid" = B00000001 ] || fail "batch id $bid"
[ "$(json resp.json 'j["city"]')" = 350100 ] || fail "the batch is the aggregator's city's"
expect 404 GET "/api/v1/batches/$bid" "$aggxm"
expect 403 GET "/api/v1/batches/$bid" "$agent_a"
expect 404 POST "/api/v1/batches/$bid/items" "$aggxm" -d "{\"submission\":\"$sa\"}"
expect 201 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$sa\"}"
expect 409 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$sa\"}"
expect 201 POST /api/v1/submissions "$agent_a" --data-binary @a/sub.json
draft=$(json resp.json 'j["id"]')
expect 409 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$draft\"}"
expect 201 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$sb\"}"
[ "$(json resp.json 'len(j["items"])')" = 2 ] || fail "two items"
# an item goes with its batch, not alone
expect 409 POST "/api/v1/submissions/$sa/submit" "$agg"
ok

# the summary table: required for two forms, its rows must be both units' forms
expect 422 POST "/api/v1/batches/$bid/submit" "$agg"
[ "$(json resp.json 'j["error"]["field"]')" = summary_table ] || fail "the table is required"
python3 - "$UNIT_A" "$USCC_A" "$UNIT_B" "$USCC_B" <<'PY'
import json, sys, zipfile
ua, ca, ub, cb = sys.argv[1:]
row = lambda u, c: {"unit_name": u, "uscc": c, "kind": "unit", "seal_name": u,
                    "function": "official", "cert_type": "usb_key", "width_mm": 42, "height_mm": 42}
json.dump([row(ua, ca), row(ub, cb)], open("rows.json", "w"), ensure_ascii=False)
json.dump([row(ua, ca)], open("rows1.json", "w"), ensure_ascii=False)
with zipfile.ZipFile("table.xlsx", "w") as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
with zipfile.ZipFile("notxlsx.zip", "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")
PY
expect 400 POST "/api/v1/batches/$bid/summary" "$agg" -F "summary_table=@notxlsx.zip" -F "rows=<rows.json"
expect 400 POST "/api/v1/batches/$bid/summary" "$agg" -F "summary_table=@table.xlsx"
expect 200 POST "/api/v1/batches/$bid/summary" "$agg" -F "summary_table=@table.xlsx" -F "rows=<rows1.json"
expect 422 POST "/api/v1/batches/$bid/submit" "$agg"
[ "$(json resp.json 'j["error"]["field"]')" = summary_table.rows ] || fail "one row for two forms"
expect 200 POST "/api/v1/batches/$bid/summary" "$agg" -F "summary_table=@table.xlsx" -F "rows=<rows.json"
[ "$(json resp.json 'j["summary"]["content_type"]')" = xlsx ] || fail "an xlsx summary table"
[ "$(json resp.json 'j["summary"]["rows"]')" = 2 ] || fail "two rows"
expect 200 POST "/api/v1/batches/$bid/submit" "$agg"
[ "$(json resp.json 'j["state"]')" = submitted ] || fail "batch submitted"
[ "$(json resp.json '[i["state"] for i in j["items"]]')" = "['submitted', 'submitted']" ] || fail "both items at the centre"
expect 409 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$draft\"}"
expect 409 POST "/api/v1/batches/$bid/submit" "$agg"
ok

# --- point 7: the paper originals ----------------------------------------------------------
la=$(sm3 a/letter.pdf)
lb=$(sm3 b/letter.pdf)
expect 400 POST "/api/v1/submissions/$sa/register" "$maker" \
    -d "{\"paper\":[{\"material\":\"$la\",\"received\":true,\"checked\":[\"impression_clear\"]}]}"
expect 400 POST "/api/v1/submissions/$sa/register" "$maker" \
    -d "{\"paper\":[{\"material\":\"$lb\",\"received\":true}]}"
expect 400 POST "/api/v1/submissions/$sa/register" "$maker" \
    -d "{\"paper\":[{\"material\":\"$la\",\"received\":true,\"checked\":[\"signed\"]}]}"
# item A: the letter received, only its red header checked; the rest not recorded
expect 200 POST "/api/v1/submissions/$sa/register" "$maker" \
    -d "{\"paper\":[{\"material\":\"$la\",\"received\":true,\"checked\":[\"red_header\"]}]}"
[ "$(json resp.json 'j["state"]')" = registered ] || fail "registered"
# item B through the batch: every original received and checked
expect 200 POST "/api/v1/batches/$bid/register" "$maker" -d "{\"items\":[\"$sb\"],\"paper\":\"all\"}"
[ "$(json resp.json '[(r["submission"], r["ok"], r["state"]) for r in j["results"]]')" = "[('$sb', True, 'registered')]" ] || fail "the batch registers item B"
# the reviewer sees the record
expect 200 GET "/api/v1/submissions/$sa" "$reviewer"
python3 - "$la" <<'PY' || fail "the reviewer sees the paper record"
import json, sys
j = json.load(open("resp.json"))
assert j["paper"] == [{"material": sys.argv[1], "kind": "letter", "received": True,
                       "checked": ["red_header"]}], j["paper"]
missing = {(m["kind"], m["point"]) for m in j["paper_missing"]}
assert ("letter", "unit_seal") in missing and ("letter", "leader_signature") in missing, missing
assert ("form", "received") in missing and ("impression", "impression_clear") in missing, missing
assert ("letter", "red_header") not in missing, missing
assert {r["kind"] for r in j["paper_required"]} == {"letter", "form", "impression"}
PY
expect 200 GET "/api/v1/submissions/$sb" "$reviewer"
[ "$(json resp.json 'len(j["paper_missing"])')" = 0 ] || fail "B fully checked"
[ "$(json resp.json 'len(j["paper"])')" = 3 ] || fail "B: three originals"
# approval refused while a point is unchecked (A) or flagged (B)
expect 422 POST "/api/v1/submissions/$sa/review" "$reviewer" -d '{"decision":"approve"}'
[ "$(json resp.json 'j["error"]["field"]')" = paper ] || fail "the paper blocks approval"
grep -q '纸质原件' resp.json || fail "Chinese first"
expect 400 POST "/api/v1/submissions/$sb/review" "$reviewer" \
    -d "{\"decision\":\"approve\",\"flags\":[{\"material\":\"$la\",\"point\":\"unit_seal\"}]}"
expect 422 POST "/api/v1/submissions/$sb/review" "$reviewer" \
    -d "{\"decision\":\"approve\",\"flags\":[{\"material\":\"$lb\",\"point\":\"unit_seal\"}]}"
# the batch approved as a whole: B passes, A is refused and stays registered
expect 200 POST "/api/v1/batches/$bid/review" "$reviewer" -d '{"decision":"approve"}'
python3 - "$sa" "$sb" <<'PY' || fail "batch approval per item"
import json, sys
r = {x["submission"]: x for x in json.load(open("resp.json"))["results"]}
assert r[sys.argv[2]]["ok"] and r[sys.argv[2]]["state"] == "approved", r
assert not r[sys.argv[1]]["ok"] and r[sys.argv[1]]["error"]["field"] == "paper", r
PY
# a rejection returns only the failing item, with the flagged point
expect 200 POST "/api/v1/batches/$bid/review" "$reviewer" \
    -d "{\"decision\":\"reject\",\"items\":[\"$sa\"],\"reasons\":[\"公函未盖章 / the letter is unstamped\"],\"flags\":[{\"material\":\"$la\",\"point\":\"unit_seal\"}]}"
[ "$(json resp.json '[i["state"] for i in j["batch"]["items"]]')" = "['rejected', 'approved']" ] || fail "only A returned"
expect 200 GET "/api/v1/submissions/$sa" "$agent_a"
[ "$(json resp.json 'j["paper_flags"][0]["point"]')" = unit_seal ] || fail "the flag shown to the unit"
# the unit rectifies; it goes back through the aggregator, alone this time
expect 200 POST "/api/v1/submissions/$sa/submit" "$agent_a"
[ "$(json resp.json 'j["state"]')" = collected ] || fail "back to the aggregator"
expect 200 POST "/api/v1/submissions/$sa/submit" "$agg"
[ "$(json resp.json 'j["state"]')" = submitted ] || fail "resubmitted alone"
expect 200 POST "/api/v1/submissions/$sa/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$sa/review" "$reviewer" -d '{"decision":"approve"}'
ok

# --- point 8: downloads ------------------------------------------------------------------------
printf '%%PDF-1.4\n%% justification\n' >just.pdf
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:SM2 -nodes -keyout /dev/null \
    -subj "/CN=device" -outform DER -out dev.csr 2>/dev/null || fail "openssl req"
expect 201 POST "/api/v1/submissions/$draft/materials" "$agent_a" \
    -F "letter=@a/letter.pdf" -F "justification=@just.pdf" -F "csr=@dev.csr" \
    -F "summary_table=@table.xlsx"
# download SUB TOKEN FILE CONTENT-TYPE
download() {
    local got
    got=$(api GET "/api/v1/submissions/$1/materials/$(sm3 "$3")" "$2")
    [ "$got" = 200 ] || fail "download $3 from $1: $got"
    cmp -s resp.json "$3" || fail "download $3: other bytes"
    [ "$(hdr Content-Type)" = "$4" ] || fail "download $3: Content-Type $(hdr Content-Type), want $4"
    hdr Content-Disposition | grep -q '^attachment; filename=' || fail "download $3: not an attachment"
    [ "$(hdr X-Content-Type-Options)" = nosniff ] || fail "download $3: no nosniff"
    ok
}
XLSX=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
download "$sa" "$agent_a" a/letter.pdf application/pdf
download "$sa" "$maker" a/form.pdf application/pdf
download "$sa" "$reviewer" a/impression.png image/png
download "$sa" "$agg" table.xlsx "$XLSX"
download "$sb" "$agent_b" table.xlsx "$XLSX"
download "$draft" "$agent_a" just.pdf application/pdf
download "$draft" "$agent_a" dev.csr application/pkcs10
download "$draft" "$admin" table.xlsx "$XLSX"
# others: another unit, another city, a material of another submission
expect 404 GET "/api/v1/submissions/$sa/materials/$la" "$agent_b"
expect 404 GET "/api/v1/submissions/$sa/materials/$la" "$aggxm"
expect 404 GET "/api/v1/submissions/$sa/materials/$lb" "$maker"
expect 404 GET "/api/v1/submissions/$sa/materials/nothex" "$maker"
expect 401 GET "/api/v1/submissions/$sa/materials/$la" ""
ok

# --- the log: batch entries, no personal data; a restart keeps the batch -------------------------
expect 200 GET /log/checkpoint ""
size=$(sed -n 2p resp.json)
expect 200 GET "/log/entries?start=0&end=$size" ""
python3 - "$bid" "$sa" "$sb" <<'PY' || fail "log entries"
import json, sys
bid, sa, sb = sys.argv[1:]
entries = [e["entry"] for e in json.load(open("resp.json"))["entries"]]
types = [e["type"] for e in entries if e.get("batch") == bid]
assert types == ["batch.created", "batch.item_added", "batch.item_added", "batch.summary_set",
                 "batch.summary_set", "batch.submitted", "submission.submitted",
                 "submission.submitted"], types
coll = [e for e in entries if e["type"] == "submission.collected"]
assert {e["submission"] for e in coll} == {sa, sb}, coll
for e in entries:
    if e.get("batch"):
        assert set(e["data"]) <= {"business", "city", "submission", "document", "material",
                                  "content_type", "size", "rows", "items", "forms", "round",
                                  "batch"}, e
reg = [e for e in entries if e["type"] == "submission.registered" and e["submission"] == sa][0]
assert reg["data"]["paper"][0]["checked"] == ["red_header"], reg
rej = [e for e in entries if e["type"] == "submission.rejected"][0]
assert rej["data"]["flags"][0]["point"] == "unit_seal", rej
text = json.dumps([e for e in entries if e["type"].startswith("batch.")], ensure_ascii=False)
assert "福州" not in text and "李四" not in text and "350102199001011238" not in text, text
PY
ok
"$ESEAL" log verify --url "$base" --key ca/log.pub >verify.out 2>&1 || { cat verify.out; fail "eseal log verify"; }
expect 200 GET "/api/v1/batches/$bid" "$maker"
cp resp.json before.json
# stop_daemon: a clean stop, exit status 0 (under ASan, no leak reports)
stop_daemon() {
    kill "$daemon"
    local rc=0
    wait "$daemon" 2>/dev/null || rc=$?
    daemon=
    [ "$rc" = 0 ] || fail "eseal-issuerd exited with $rc after SIGTERM"
    grep -q 'ERROR: \(Address\|Leak\)Sanitizer' daemon.log && fail "sanitizer report"
    ok
}
stop_daemon
start_issuerd
maker=$(login maker1 maker-password-1)
expect 200 GET "/api/v1/batches/$bid" "$maker"
python3 -c 'import json; a=json.load(open("before.json")); b=json.load(open("resp.json")); assert a == b, (a, b)' || fail "the batch after a restart"
ok

stop_daemon
echo "issuer_batch: $passed checks passed"
