#!/usr/bin/env bash
# issuer_api.sh — eseal-issuerd over HTTP: a temporary CA and data
# directory, the daemon on a free loopback port, staff accounts, a full
# apply pipeline with a real software token (eseal token init/csr/import),
# a rejection and resubmission, a refused and an accepted handover, the
# seal and certificate checked with openssl and imported into the token,
# the log entries checked via /log/entries and audited with eseal log
# verify, the permission matrix (every endpoint x every role), then renew,
# change, unlock (the code unlocks the token), revoke, a loss report and
# reissue, logout and a restart that keeps everything.
#
# Needs ESEAL (the eseal binary), ESEAL_ISSUERD (the daemon), curl, openssl
# and python3.
set -euo pipefail
# shellcheck source=lib/submission.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/submission.bash"

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in curl openssl python3; do command -v "$c" >/dev/null; done

ESEAL_TEST_NAME=issuer
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN='123456'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
unset ESEAL_NEW_PIN
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
DISTID=distid:1234567812345678

# --- the CA, a token, the daemon -----------------------------------------------
"$ESEAL" ca init --dir ca >/dev/null
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token show --dir tok --json >tok.json
token_id=$(json tok.json 'j["id"]')
"$ESEAL" token csr --dir tok --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit.csr >/dev/null
ok

"$ESEAL_ISSUERD" -n --port 0 --data data --ca ca >check.out || fail "eseal-issuerd -n"
grep -q 'configuration OK' check.out || fail "-n prints configuration OK"
"$ESEAL_ISSUERD" -n --max_days 0 >/dev/null 2>&1 && fail "-n accepts max_days 0"
ok

start_issuerd
grep -q 'created account admin with \$ESEAL_ADMIN_PASSWORD' daemon.log || fail "admin bootstrap"
ok

# --- sessions and staff ------------------------------------------------------------
expect 401 POST /api/v1/session "" -d '{"username":"admin","password":"wrong-password"}'
expect 400 POST /api/v1/session "" -d '{"username":"admin","password":"x","otp":1}'
[ "$(json resp.json 'j["error"]["field"]')" = otp ] || fail "unknown field named"
expect 400 POST /api/v1/session "" -d '{"username":'
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
mkstaff() {
    expect 201 POST /api/v1/staff "$admin" -d "$1"
}
mkstaff "{\"username\":\"agent1\",\"password\":\"agent-password-1\",\"role\":\"agent\",\"unit\":\"$USCC\"}"
mkstaff '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}'
mkstaff '{"username":"maker1","password":"maker-password-1","role":"maker"}'
mkstaff '{"username":"reviewer1","password":"reviewer-password-1","role":"reviewer"}'
expect 409 POST /api/v1/staff "$admin" -d '{"username":"maker1","password":"maker-password-2","role":"maker"}'
expect 400 POST /api/v1/staff "$admin" -d '{"username":"x1","password":"short","role":"maker"}'
expect 200 GET /api/v1/staff "$admin"
[ "$(json resp.json 'len(j["staff"])')" = 5 ] || fail "five accounts"
grep -q pwhash resp.json && fail "password hashes listed"
agent=$(login agent1 agent-password-1)
agg=$(login agg-fz aggregator-pw-1)
maker=$(login maker1 maker-password-1)
reviewer=$(login reviewer1 reviewer-password-1)

# --- materials and the submission ----------------------------------------------------
write_apply_submission
expect 401 POST /api/v1/submissions "" --data-binary @sub.json
expect 403 POST /api/v1/submissions "$maker" --data-binary @sub.json
expect 400 POST /api/v1/submissions "$agent" -d '{"business":"apply","bogus":true}'
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
id=$(json resp.json 'j["id"]')
[ "$(json resp.json 'j["state"]')" = draft ] || fail "draft"
expect 422 POST "/api/v1/submissions/$id/submit" "$agent"
[ "$(json resp.json 'j["error"]["findings"]["verdict"]')" = rejected ] || fail "findings shown"
expect 400 POST "/api/v1/submissions/$id/materials" "$agent" -F "poster=@letter.pdf"
expect 400 POST "/api/v1/submissions/$id/materials" "$agent" -F "impression=@letter.pdf"
expect 201 POST "/api/v1/submissions/$id/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
[ "$(json resp.json 'len(j["materials"])')" = 3 ] || fail "three materials"
expect 200 POST "/api/v1/submissions/$id/submit" "$agg"
expect 409 POST "/api/v1/submissions/$id/submit" "$agent"
expect 200 POST "/api/v1/submissions/$id/register" "$maker"
expect 403 POST "/api/v1/submissions/$id/review" "$maker" -d '{"decision":"approve"}'
expect 400 POST "/api/v1/submissions/$id/review" "$reviewer" -d '{"decision":"reject"}'
expect 200 POST "/api/v1/submissions/$id/review" "$reviewer" \
    -d '{"decision":"reject","reasons":["介绍信日期缺失 / the letter is undated"]}'
[ "$(json resp.json 'j["state"]')" = rejected ] || fail "rejected"
expect 200 PUT "/api/v1/submissions/$id" "$agent" --data-binary @sub.json
# a city unit's agent submits to its aggregator, never straight to the centre
expect 200 POST "/api/v1/submissions/$id/submit" "$agent"
[ "$(json resp.json 'j["state"]')" = collected ] || fail "collected by the aggregator"
expect 409 POST "/api/v1/submissions/$id/register" "$maker"
expect 409 POST "/api/v1/submissions/$id/submit" "$agent"
expect 200 POST "/api/v1/submissions/$id/submit" "$agg"
[ "$(json resp.json 'j["state"]')" = submitted ] || fail "the aggregator submits"
expect 200 POST "/api/v1/submissions/$id/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$id/review" "$reviewer" -d '{"decision":"approve"}'
[ "$(json resp.json 'j["state"]')" = approved ] || fail "approved"

python3 - "$token_id" <<'PY' >produce.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 400 POST "/api/v1/submissions/$id/produce" "$maker" -d '{"days":9999}'
expect 200 POST "/api/v1/submissions/$id/produce" "$maker" --data-binary @produce.json
[ "$(json resp.json 'j["state"]')" = produced ] || fail "produced"
esid=$(json resp.json 'j["applications"][0]["esid"]')
[ "$esid" = 35010200000001 ] || fail "esID $esid"
expect 200 GET "/api/v1/seals/$esid" "$agent"
[ "$(json resp.json 'j["status"]')" = pending ] || fail "pending before handover"

# handover_for ID [LETTER_NAME]: hand over to 王五, the letter naming LETTER_NAME.
handover_for() {
    api POST "/api/v1/submissions/$1/handover" "$maker" \
        -F "collector_name=王五" -F "collector_id_number=11010519491231002X" \
        -F "letter_name=${2:-王五}" -F "letter_id_number=11010519491231002X" \
        -F "introduction_letter=@intro.pdf" -F "id_copy=@idcopy.png"
}
handover() {
    api POST "/api/v1/submissions/$id/handover" "$maker" \
        -F "collector_name=王五" -F "collector_id_number=11010519491231002X" \
        -F "letter_name=$1" -F "letter_id_number=11010519491231002X" \
        -F "introduction_letter=@intro.pdf" -F "id_copy=@idcopy.png"
}
[ "$(handover 赵六)" = 422 ] || fail "handover to a collector the letter does not name"
[ "$(json resp.json 'j["error"]["field"]')" = collector_name ] || fail "collector field"
[ "$(handover 王五)" = 200 ] || fail "handover"
[ "$(json resp.json 'j["state"]')" = handed_over ] || fail "handed over"
ok
# what the maker took at the handover downloads like any material
for f in intro.pdf:application/pdf idcopy.png:image/png; do
    curl -s -D dl.hdr -o dl.bin -H "Authorization: Bearer $agent" \
        "$base/api/v1/submissions/$id/materials/$(sm3 "${f%%:*}")"
    cmp -s dl.bin "${f%%:*}" || fail "download ${f%%:*}"
    tr -d '\r' <dl.hdr | grep -qx "Content-Type: ${f#*:}" || fail "${f%%:*} content type"
    tr -d '\r' <dl.hdr | grep -q '^Content-Disposition: attachment' || fail "${f%%:*} attachment"
done
ok
expect 200 GET "/api/v1/seals/$esid" "$agg"
[ "$(json resp.json 'j["status"]')" = good ] || fail "good after handover"

# --- the seal and certificate, checked independently ----------------------------------------
expect 200 GET "/api/v1/seals/$esid/seal.esl" "$agent" -o seal.esl
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$base/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$base/api/v1/seals/$esid/cert.pem"
openssl verify -vfyopt "$DISTID" -CAfile ca/root.pem cert.pem >/dev/null || fail "openssl verify"
days=$(python3 - <<'PY'
import subprocess, datetime
out = subprocess.run(["openssl", "x509", "-in", "cert.pem", "-noout", "-startdate", "-enddate"],
                     capture_output=True, text=True).stdout.split("\n")
f = lambda s: datetime.datetime.strptime(s.split("=", 1)[1], "%b %d %H:%M:%S %Y %Z")
print(round((f(out[1]) - f(out[0])).total_seconds() / 86400))
PY
)
[ "$days" = 30 ] || fail "validity $days days, want 30"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
"$ESEAL" seal show seal.esl >show.txt && grep -q "$esid" show.txt || fail "eseal seal show"
ok

# --- the log ------------------------------------------------------------------------------------
expect 200 GET /log/checkpoint ""
size=$(sed -n 2p resp.json)
expect 200 GET "/log/entries?start=0&end=$size" ""
python3 - "$id" "$esid" <<'PY' || fail "log entries"
import json, sys
sub, esid = sys.argv[1], sys.argv[2]
entries = [e["entry"] for e in json.load(open("resp.json"))["entries"]]
types = [e["type"] for e in entries if e.get("submission") == sub]
want = ["submission.created", "submission.material_added", "submission.material_added",
        "submission.material_added", "submission.submitted", "submission.registered",
        "submission.rejected", "submission.updated", "submission.collected",
        "submission.resubmitted",
        "submission.registered", "submission.approved", "seal.issued",
        "application.produced", "seal.activated", "application.handed_over"]
assert types == want, types
# staff.created names the account by its opaque id, never its username
staff = [e["data"] for e in entries if e["type"] == "staff.created"]
assert [d["role"] for d in staff] == ["agent", "aggregator", "maker", "reviewer"], staff
assert all(d["staff"].startswith("st:") and "username" not in d for d in staff), staff
for i, e in enumerate(entries):
    assert e["seq"] == i and e["v"] == 1 and e["actor"]["id"] and e["time"].endswith("Z")
issued = next(e for e in entries if e["type"] == "seal.issued")
d = issued["data"]
for k in ("esid", "seal_sm3", "picture_sm3", "cert_serial", "valid_start", "valid_end",
          "status", "unit_name"):
    assert d.get(k), k
assert d["status"] == "pending" and d["esid"] == esid
act = next(e for e in entries if e["type"] == "seal.activated")
assert act["data"]["status"] == "good"
text = json.dumps(entries, ensure_ascii=False)
assert "11010519491231002X" not in text and "350102199001011238" not in text, "ID numbers in clear"
assert "王五" not in text, "collector's name in clear"
PY
ok
"$ESEAL" log verify --url "$base" --key ca/log.pub >verify.out 2>&1 || { cat verify.out; fail "eseal log verify"; }
expect 200 GET "/api/v1/submissions/$id/audit" "$admin"
[ "$(json resp.json 'len(j["entries"])')" = 16 ] || fail "audit trail"

# --- the permission matrix: every endpoint x every role ---------------------------------------
# A fresh draft to act on; bodies are harmless (refused as 400 when allowed),
# so the matrix changes nothing. Allowed means neither 401 nor 403.
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
draft=$(json resp.json 'j["id"]')
roles=(public agent aggregator maker reviewer admin)
declare -A tok=([public]="" [agent]=$agent [aggregator]=$agg [maker]=$maker [reviewer]=$reviewer [admin]=$admin)
# method path allowed-roles [curl args]
matrix=(
    "POST|/api/v1/session|public agent aggregator maker reviewer admin|{}"
    "POST|/api/v1/staff|admin|{}"
    "GET|/api/v1/staff|admin|"
    "POST|/api/v1/submissions|agent aggregator|{}"
    "GET|/api/v1/submissions|agent aggregator maker reviewer admin|"
    "GET|/api/v1/submissions/$draft|agent aggregator maker reviewer admin|"
    "PUT|/api/v1/submissions/$draft|agent aggregator|{}"
    "POST|/api/v1/submissions/$draft/materials|agent aggregator|{}"
    "GET|/api/v1/submissions/$draft/materials/$(sm3 letter.pdf)|agent aggregator maker reviewer admin|"
    "POST|/api/v1/submissions/$draft/submit|agent aggregator|{\"x\":1}"
    "POST|/api/v1/submissions/$draft/register|maker|{\"x\":1}"
    "POST|/api/v1/submissions/$draft/review|reviewer|{\"x\":1}"
    "POST|/api/v1/submissions/$draft/produce|maker|{\"x\":1}"
    "POST|/api/v1/submissions/$draft/handover|maker|{}"
    "GET|/api/v1/submissions/$draft/audit|admin|"
    "GET|/api/v1/log/0/commitment|admin|"
    "GET|/api/v1/seals?uscc=$USCC|agent aggregator maker reviewer admin|"
    "POST|/api/v1/batches|aggregator|{}"
    "GET|/api/v1/batches/B00000001|aggregator maker reviewer admin|"
    "POST|/api/v1/batches/B00000001/items|aggregator|{}"
    "POST|/api/v1/batches/B00000001/summary|aggregator|{}"
    "POST|/api/v1/batches/B00000001/submit|aggregator|{\"x\":1}"
    "POST|/api/v1/batches/B00000001/register|maker|{\"x\":1}"
    "POST|/api/v1/batches/B00000001/review|reviewer|{\"x\":1}"
    "GET|/api/v1/seals/$esid|agent aggregator maker reviewer admin|"
    "GET|/api/v1/seals/$esid/seal.esl|agent aggregator maker|"
    "GET|/api/v1/seals/$esid/cert.pem|agent aggregator maker|"
    "POST|/api/v1/seals/$esid/suspend|agent aggregator maker|{\"x\":1}"
    "POST|/api/v1/seals/$esid/reinstate|maker|{\"x\":1}"
    "GET|/log/checkpoint|public agent aggregator maker reviewer admin|"
    "GET|/log/entries?start=0&end=1|public agent aggregator maker reviewer admin|"
    "POST|/api/v1/staff/nobody/disable|admin|"
    "POST|/api/v1/staff/nobody/enable|admin|"
    "POST|/api/v1/staff/nobody/password|admin|{\"x\":1}"
    "GET|/api/v1/sessions|admin|"
    "POST|/api/v1/session/password|agent aggregator maker reviewer admin|{\"x\":1}"
    "GET|/api/v1/notifications|agent aggregator|"
    "POST|/api/v1/notifications/N0/read|agent aggregator|"
    "GET|/api/v1/queues|maker reviewer admin|"
    "GET|/api/v1/overview|admin|"
    "GET|/api/v1/catalog|agent aggregator maker reviewer admin|"
    "GET|/api/v1/seals?q=35|agent aggregator maker reviewer admin|"
    "GET|/api/v1/seals/$esid/picture|agent aggregator maker reviewer admin|"
)
cells=0
for row in "${matrix[@]}"; do
    IFS='|' read -r method path allowed body <<<"$row"
    for role in "${roles[@]}"; do
        args=()
        [ -n "$body" ] && args=(-d "$body")
        got=$(api "$method" "$path" "${tok[$role]}" "${args[@]}")
        if [[ " $allowed " == *" $role "* ]]; then
            [ "$got" != 401 ] && [ "$got" != 403 ] || { cat resp.json >&2; fail "$role $method $path: $got, want allowed"; }
        elif [ "$role" = public ]; then
            [ "$got" = 401 ] || fail "public $method $path: $got, want 401"
        else
            [ "$got" = 403 ] || { cat resp.json >&2; fail "$role $method $path: $got, want 403"; }
        fi
        cells=$((cells + 1))
    done
done
[ "$cells" = $((${#matrix[@]} * 6)) ] || fail "matrix size"
# the console's lists (#13): pages, queues, search, picture, overview, catalog
expect 200 GET "/api/v1/submissions?limit=1&offset=0" "${tok[maker]}"
python3 - resp.json <<'PY' || fail "a page of submissions"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["limit"] == 1 and j["offset"] == 0 and j["total"] >= 2 and len(j["submissions"]) == 1, j
line = j["submissions"][0]
assert "entered" in line and "seal_names" in line and "unit" in line, line
PY
expect 400 GET "/api/v1/submissions?limit=500" "${tok[maker]}"
[ "$(json resp.json 'j["error"]["field"]')" = limit ] || fail "a bad limit is named"
expect 400 GET "/api/v1/submissions?city=999999" "${tok[maker]}"
[ "$(json resp.json 'j["error"]["field"]')" = city ] || fail "a bad city is named"
expect 200 GET /api/v1/queues "${tok[reviewer]}"
[ "$(json resp.json '[q["name"] for q in j["queues"]]')" = "['to_review']" ] || fail "a reviewer's queues"
expect 200 GET "/api/v1/seals?q=$esid" "${tok[maker]}"
[ "$(json resp.json 'j["total"] == 1 and j["seals"][0]["esid"]')" = "$esid" ] || fail "seal search by code"
expect 200 GET "/api/v1/seals/$esid/picture" "${tok[maker]}"
grep -qi '^content-type: image/' resp.hdr || fail "the picture is an image"
expect 200 GET /api/v1/overview "${tok[admin]}"
[ "$(json resp.json 'j["log"]["size"] == j["log"]["checkpoint"]["size"] > 0')" = True ] || fail "overview log"
expect 200 GET /api/v1/catalog "${tok[agent]}"
[ "$(json resp.json 'j["business"][0]["text"]')" = "印章申请 / apply for a seal" ] || fail "catalog business names"
ok
# the matrix changed nothing
expect 200 GET "/api/v1/submissions/$draft" "$admin"
[ "$(json resp.json 'j["state"]')" = draft ] || fail "draft unchanged by the matrix"
expect 200 GET "/api/v1/seals/$esid" "$admin"
[ "$(json resp.json 'j["status"]')" = good ] || fail "seal unchanged by the matrix"
# scope: another city's aggregator sees nothing (404, not 403)
mkstaff '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200"}'
aggxm=$(login agg-xm aggregator-pw-2)
expect 404 GET "/api/v1/submissions/$id" "$aggxm"
expect 404 GET "/api/v1/seals/$esid" "$aggxm"
expect 404 GET /api/v1/nothing "$admin"
expect 404 GET /api/v1/submissions/S1/whatever "$admin"
# the route table: a trailing slash or an empty id is another path; a step
# is POST only (405 with Allow); a permission is checked before the body
expect 404 GET "/api/v1/submissions/$id/" "$admin"
expect 404 GET "/api/v1/submissions//audit" "$admin"
expect 405 GET "/api/v1/submissions/$id/review" "$admin" -D headers.txt
grep -qi '^Allow: POST' headers.txt || fail "405 names the allowed method"
# (curl asks "Expect: 100-continue" first: the 401 comes instead of the go-ahead)
expect 401 POST "/api/v1/submissions/$draft/materials" "" --data-binary @<(head -c 3000000 /dev/zero)
expect 403 POST "/api/v1/submissions/$draft/review" "$agent" -d '{}'
expect 413 POST "/api/v1/submissions/$draft/submit" "$agent" --data-binary @<(head -c 2000000 /dev/zero)

# --- the other business types over HTTP ------------------------------------------------------
# to_approved BUSINESS TARGET SEALNAME: a submission for TARGET (or none),
# filed, submitted, registered with the token on site and approved; prints its id.
to_approved() {
    python3 - "$1" "$2" "$3" <<'PY' >doc.json
import json, sys
business, target, name = sys.argv[1:]
d = json.load(open("sub.json"))
d["business"] = d["letter"]["business"] = d["forms"][0]["business"] = business
d["forms"][0]["seal"]["name"] = name
if target:
    d["forms"][0]["target"] = target
print(json.dumps(d, ensure_ascii=False))
PY
    expect 201 POST /api/v1/submissions "$agent" --data-binary @doc.json
    local sid
    sid=$(json resp.json 'j["id"]')
    expect 201 POST "/api/v1/submissions/$sid/materials" "$agent" \
        -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
    expect 200 POST "/api/v1/submissions/$sid/submit" "$agent"
    expect 200 POST "/api/v1/submissions/$sid/submit" "$agg"
    local onsite='{"paper":"all"}'
    [ -n "$2" ] && onsite="{\"paper\":\"all\",\"onsite\":[{\"esid\":\"$2\",\"token_id\":\"$token_id\"}]}"
    expect 200 POST "/api/v1/submissions/$sid/register" "$maker" -d "$onsite"
    expect 200 POST "/api/v1/submissions/$sid/review" "$reviewer" -d '{"decision":"approve"}'
    echo "$sid"
}
seal_field() {
    expect 200 GET "/api/v1/seals/$1" "$maker"
    json resp.json "$2"
}
# apply: a 10-day seal, renewable at once
sid=$(to_approved apply "" "$UNIT")
python3 - "$token_id" <<'PY' >produce10.json
import json, sys
print(json.dumps({"days": 10, "forms": [{"csr": open("unit.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce10.json
short=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(handover_for "$sid")" = 200 ] || fail "handover of $short"
# renew: a new certificate and seal version, the old one superseded
sid=$(to_approved renew "$short" "$UNIT")
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" -d '{"days":30}'
[ "$(json resp.json 'j["state"]')" = done ] || fail "renew done"
[ "$(seal_field "$short" 'j["version"], j["status"], j["versions"][0]["reason"]')" = "(2, 'good', 'superseded')" ] || fail "renewed"
# change: a new version with the changed name
sid=$(to_approved change "$short" "$UNIT合同专用章")
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker"
[ "$(seal_field "$short" 'j["version"], j["status"], j["versions"][1]["status"]')" = "(3, 'good', 'revoked')" ] || fail "changed"
curl -s -H "Authorization: Bearer $maker" -o changed.esl "$base/api/v1/seals/$short/seal.esl"
"$ESEAL" seal show changed.esl | grep -q "合同专用章" || fail "changed name in the seal"
# unlock: a code the token takes
sid=$(to_approved unlock "$short" "$UNIT合同专用章")   # the seal as it is now named
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" -d '{"forms":[{"counter":0}]}'
json resp.json 'j["applications"][0]["unlock_code_pem"]' >code.pem
ESEAL_NEW_PIN=654321 "$ESEAL" token unlock --dir tok --code code.pem >unlock.out 2>&1 || { cat unlock.out; fail "token unlock with the code"; }
# revoke: with the reason given
sid=$(to_approved revoke "$short" "$UNIT合同专用章")
expect 400 POST "/api/v1/submissions/$sid/produce" "$maker"
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" -d '{"reason":"cessationOfOperation"}'
[ "$(seal_field "$short" 'j["status"], j["versions"][-1]["reason"]')" = "('revoked', 'cessationOfOperation')" ] || fail "revoked"

# --- loss report and reissue ---------------------------------------------------------------------
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
[ "$(json resp.json 'j["status"]')" = suspended ] || fail "suspended"
export ESEAL_PIN=222333
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
token2=$(json tok2.json 'j["id"]')
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
sid=$(to_approved reissue "$esid" "$UNIT")
python3 - "$token2" <<'PY' >produce2.json
import json, sys
print(json.dumps({"forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 422 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce.json
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce2.json
fresh=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(seal_field "$esid" 'j["status"], j["versions"][0]["reason"], j["replaced_by"]')" = "('revoked', 'keyCompromise', '$fresh')" ] || fail "lost seal revoked"
[ "$(handover_for "$sid")" = 200 ] || fail "handover of the reissued seal"
[ "$(seal_field "$fresh" 'j["status"], j["replaces"]')" = "('good', '$esid')" ] || fail "reissued seal good"
expect 200 GET "/log/checkpoint" ""
size=$(sed -n 2p resp.json)
expect 200 GET "/log/entries?start=0&end=$size" ""
python3 - <<'PY' || fail "seal events in the log"
import json
types = [e["entry"]["type"] for e in json.load(open("resp.json"))["entries"]]
for t in ("seal.renewed", "seal.changed", "seal.revoked", "seal.suspended", "seal.reissued",
          "token.unlocked"):
    assert t in types, t
PY
ok
for role in agent aggregator maker reviewer admin; do
    expect 200 DELETE /api/v1/session "${tok[$role]}"
    expect 401 GET /api/v1/submissions "${tok[$role]}"
done
expect 401 DELETE /api/v1/session ""
# a clean stop: exit status 0 (under ASan, no leak reports)
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
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
expect 200 GET "/api/v1/seals/$esid" "$admin"
[ "$(json resp.json 'j["status"]')" = revoked ] || fail "state kept across a restart"
expect 200 GET "/api/v1/seals/$fresh" "$admin"
[ "$(json resp.json 'j["status"]')" = good ] || fail "state kept across a restart"
stop_daemon

echo "issuer_api: $passed checks passed"
