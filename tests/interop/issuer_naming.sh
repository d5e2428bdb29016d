#!/usr/bin/env bash
# issuer_naming.sh — issue #12's naming points against the platform of
# lib/platform.bash (a real eseal-issuerd and publisher on free loopback
# ports, one good unit seal), over HTTP (curl) and through `eseal issuer`:
# a unit's seals listed by name (GET /api/v1/seals?uscc=, `eseal issuer
# seals`, scoped by role); a renewal that names its seal only by USCC and
# name, refused while it changes the seal (each differing field named, 变更
# said) and made from the seal as it is; a single form with a summary table
# accepted with a note; millimetres with one decimal (40.5 kept, 40.55
# refused naming the field); a device CSR as bare Base64 (made by
# `openssl req -outform DER | base64`); `submit --id`, `rectify`, `show` by
# rounds, `eseal help`, and a short password reported against "password".
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl, base64 and python3.
set -euo pipefail
ESEAL_TEST_NAME=naming
# shellcheck source=lib/platform.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/platform.bash"
command -v base64 >/dev/null
export HOME="$tmp/home"
unset ESEAL_TOKEN ESEAL_PASSWORD ESEAL_NEW_PASSWORD ESEAL_NEW_PIN
base=$ibase
# code WANT CMD...: run CMD, require exit status WANT; output in out.txt, err.txt.
code() {
    local want=$1 got=0
    shift
    "$@" >out.txt 2>err.txt || got=$?
    [ "$got" = "$want" ] || { cat out.txt err.txt >&2; fail "$*: exit $got, want $want"; }
    ok
}
first=$esid # platform.bash's seal: $UNIT, 42 mm, good for 30 days

# --- eseal help --------------------------------------------------------------------
code 0 "$ESEAL" help
grep -q 'issuer' out.txt && grep -q 'help' out.txt || fail "eseal help lists the commands"
code 0 "$ESEAL" help issuer
grep -q 'rectify' out.txt && grep -q 'seals' out.txt || fail "eseal help issuer"
code 0 "$ESEAL" help issuer rectify
grep -q 'usage: eseal issuer rectify --id ID --file' out.txt || fail "eseal help issuer rectify"
code 2 "$ESEAL" help nonsense

# --- staff; a short password is reported against "password" -----------------------
expect 400 POST /api/v1/staff "$admin" -d '{"username":"maker9","password":"short","role":"maker"}'
[ "$(json resp.json 'j["error"]["field"]')" = password ] || fail "short password: field $(json resp.json 'j["error"]["field"]')"
printf 'short\n' >short.pw
code 1 env ESEAL_TOKEN="$admin" "$ESEAL" issuer staff add --url "$base" --user maker9 --role maker --password-file short.pw
grep -q 'field password' err.txt || fail "the CLI names the password field"
expect 201 POST /api/v1/staff "$admin" -d '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200"}'
aggxm=$(login agg-xm aggregator-pw-2)
A() { ESEAL_TOKEN=$agent "$ESEAL" issuer "$@" --url "$base"; }
M() { ESEAL_TOKEN=$maker "$ESEAL" issuer "$@" --url "$base"; }
R() { ESEAL_TOKEN=$reviewer "$ESEAL" issuer "$@" --url "$base"; }
G() { ESEAL_TOKEN=$agg "$ESEAL" issuer "$@" --url "$base"; }

# edit IN OUT PYTHON: OUT is the submission IN changed by PYTHON over d.
edit() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
}

# --- millimetres with one decimal; a single form with a summary table ---------------
edit sub.json bad_mm.json 'd["forms"][0]["seal"]["width_mm"] = 40.55'
expect 400 POST /api/v1/submissions "$agent" --data-binary @bad_mm.json
[ "$(json resp.json 'j["error"]["field"]')" = "forms[0].seal.width_mm" ] || fail "40.55 names the field"
grep -q '最多一位小数' resp.json || fail "40.55: one decimal said"
edit sub.json apply.json '
f = d["forms"][0]
f["seal"].update(name=f["seal"]["name"] + "财务专用章", function="finance", width_mm=40.5)
d["summary_table"] = {"material": d["letter"]["material"], "rows": [{
    "unit_name": f["unit"]["name"], "uscc": f["unit"]["uscc"], "kind": "unit",
    "seal_name": f["seal"]["name"], "function": "finance", "cert_type": "usb_key",
    "width_mm": 40.5, "height_mm": 42}]}'
expect 201 POST /api/v1/submissions "$agent" --data-binary @apply.json
id=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$id/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
# the table was uploaded as a letter only: a single form's table is not checked
expect 200 POST "/api/v1/submissions/$id/submit" "$agent"
python3 - <<'PY' || fail "a single form's summary table is a note"
import json
c = json.load(open("resp.json"))["check"]
assert c["verdict"] == "ok", c["verdict"]
notes = [f for f in c["findings"] if f["severity"] == "note"]
assert [f["code"] for f in notes] == ["not_needed"], c["findings"]
assert notes[0]["message"]["zh"].startswith("只申请一枚印章时无需汇总表")
PY
ok
expect 200 POST "/api/v1/submissions/$id/submit" "$agg"
expect 200 POST "/api/v1/submissions/$id/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$id/review" "$reviewer" -d '{"decision":"approve"}'
python3 - "$token_id" <<'PY' >produce.json
import json, sys
print(json.dumps({"days": 10, "forms": [{"csr": open("unit.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$id/produce" "$maker" --data-binary @produce.json
esid=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(handover "$id")" = 200 ] || fail "handover"
M fetch --esid "$esid" --seal v1.esl >/dev/null || fail "fetch v1"
"$ESEAL" seal show v1.esl --json >v1.json
[ "$(json v1.json 'j["picture"]["width_mm"]')" = 41 ] || fail "40.5 mm goes into the seal as 41 (whole mm)"
ok

# --- a unit's seals by name -----------------------------------------------------------
expect 200 GET "/api/v1/seals?uscc=$USCC" "$agent"
python3 - "$first" "$esid" "$UNIT" <<'PY' || fail "seals list"
import json, sys
first, esid, unit = sys.argv[1:]
s = json.load(open("resp.json"))["seals"]
assert [x["esid"] for x in s] == [first, esid], s
assert [x["name"] for x in s] == [unit, unit + "财务专用章"], s
assert s[1]["status"] == "good" and s[1]["kind"] == "unit" and s[1]["function"] == "finance"
assert s[1]["width_mm"] == 40.5 and s[1]["height_mm"] == 42 and s[1]["valid_end"]
assert s[0]["width_mm"] == 42 and s[0]["function"] == "official"
PY
ok
expect 200 GET "/api/v1/seals?uscc=$USCC" "$aggxm"
[ "$(json resp.json 'len(j["seals"])')" = 0 ] || fail "another city's aggregator sees none"
expect 400 GET /api/v1/seals "$agent"
[ "$(json resp.json 'j["error"]["field"]')" = uscc ] || fail "uscc required"
expect 401 GET "/api/v1/seals?uscc=$USCC" ""
code 0 A seals --unit "$USCC"
grep -q "$esid  good" out.txt && grep -q "$UNIT财务专用章" out.txt || fail "eseal issuer seals"
code 2 A seals

# --- a renewal names its seal by USCC and name, and only renews ---------------------
edit apply.json renew.json '
del d["summary_table"]
for o in [d, d["letter"], d["forms"][0]]:
    o["business"] = "renew"'
edit renew.json renew_bad.json '
d["forms"][0]["seal"]["height_mm"] = 40
d["forms"][0]["seal"]["function"] = "official"'
edit renew.json renew_noname.json 'd["forms"][0]["seal"]["name"] = "福州市鼓楼区测试局发票专用章"'
code 1 A submit --file renew_noname.json --material letter=letter.pdf --material form=form.pdf --material impression=impression.png
grep -q 'no_seal_of_this_name' err.txt && grep -q "$esid" err.txt || fail "no seal of that name, the unit's seals listed"
rid=$(sed -n 's/.*the draft \(S[0-9]*\) is kept.*/\1/p' err.txt)
[ -n "$rid" ] || fail "draft kept"
code 1 A rectify --id "$rid" --file renew_bad.json
grep -q 'changes_seal' err.txt && grep -q 'forms\[0\].seal.height_mm' err.txt || fail "renewal that changes the seal"
grep -q 'forms\[0\].seal.function' err.txt && grep -q '变更' err.txt || fail "each field named, 变更 said"
code 0 A rectify --id "$rid" --file renew.json
grep -q 'state *collected' out.txt || fail "rectified draft submitted (to the aggregator)"
code 0 G submit --id "$rid"
code 0 M register --id "$rid" --on-site "$token_id"   # the seal as the rules resolved it
code 0 R review --id "$rid" --reject --reason '介绍信日期缺失 / the letter is undated'
printf '%%PDF-1.4\n%% application form, corrected\n' >form2.pdf
edit renew.json renew2.json "d['forms'][0]['material'] = '$(sm3 form2.pdf)'"
code 0 A rectify --id "$rid" --file renew2.json --material form=form2.pdf
grep -q 'state *collected' out.txt || fail "rectified: with the aggregator"
code 0 G submit --id "$rid"   # the aggregator sends it to the centre: round 2
grep -q 'round 2 (current' out.txt || fail "rectify: round 2"
code 0 A show --id "$rid"
python3 - "$(sm3 form.pdf)" "$(sm3 form2.pdf)" <<'PY' || { cat out.txt >&2; fail "show by rounds"; }
import sys
old, new = sys.argv[1], sys.argv[2]
text = open("out.txt").read()
cur, _, earlier = text.partition("round 1 (earlier / 往轮)")
assert "round 2 (current / 本轮)" in cur, text
assert new in cur and "current / 现用" in cur.split(new)[1].split("\n")[0], cur
assert "介绍信日期缺失" in earlier, earlier
line = [l for l in earlier.splitlines() if old in l][0]
assert "现用" not in line, line  # the replaced form is not current
PY
ok
code 0 M register --id "$rid" --on-site "$token_id" --paper all
code 0 R review --id "$rid" --approve
code 0 M produce --id "$rid" --days 30
expect 200 GET "/api/v1/seals/$esid" "$maker"
python3 - "$UNIT" <<'PY' || fail "renewed: version 2, the same seal"
import json, sys
s = json.load(open("resp.json"))
assert s["version"] == 2 and s["status"] == "good", s
assert s["spec"]["name"] == sys.argv[1] + "财务专用章" and s["spec"]["width_mm"] == 40.5, s["spec"]
assert s["versions"][1]["picture_sm3"] == s["versions"][0]["picture_sm3"]
PY
ok
M fetch --esid "$esid" --seal v2.esl >/dev/null || fail "fetch v2"
"$ESEAL" seal show v2.esl --json >v2.json
[ "$(json v2.json 'j["picture"]["width_mm"], j["picture"]["height_mm"]')" = "(41, 42)" ] || fail "renewal kept the size"
ok

# --- submit --id: an existing draft -----------------------------------------------------
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
did=$(json resp.json 'j["id"]')
code 0 A submit --id "$did" --material letter=letter.pdf --material form=form.pdf --material impression=impression.png
grep -q "submission *$did" out.txt && grep -q 'state *collected' out.txt || fail "submit --id"
code 2 A submit --id "$did" --file sub.json
code 1 A submit --id "$did"
grep -q 'HTTP 409' err.txt || fail "a collected submission is not submitted again"

# --- a device seal's request as bare Base64 ---------------------------------------------
"$ESEAL" token init --dir dev >/dev/null
"$ESEAL" token csr --dir dev --subject "/C=CN/O=$UNIT/CN=server-1" --out dev.csr >/dev/null
openssl req -in dev.csr -outform DER | base64 -w 64 >dev.b64
head -c 4 dev.b64 | grep -q '^MII' || fail "bare Base64"
edit sub.json device.json "
f = d['forms'][0]
f['kind'] = 'device'
f['seal'].update(name='$UNIT服务器印章', cert_type='device')
f['csr'] = '$(sm3 dev.b64)'
d['letter']['kinds'] = {'device': 1}"
expect 201 POST /api/v1/submissions "$agent" --data-binary @device.json
vid=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$vid/materials" "$agent" -F "letter=@letter.pdf" \
    -F "form=@form.pdf" -F "impression=@impression.png" -F "csr=@dev.b64"
[ "$(json resp.json '[m["content_type"] for m in j["materials"] if m["kind"] == "csr"][0]')" = csr_base64 ] || fail "content type csr_base64"
expect 200 POST "/api/v1/submissions/$vid/submit" "$agent"
[ "$(json resp.json '[r["outcome"] for r in j["check"]["rules"] if r["key"] == "device_csr"][0]')" = passed ] || fail "device_csr passed"
expect 200 POST "/api/v1/submissions/$vid/submit" "$agg"
expect 200 POST "/api/v1/submissions/$vid/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$vid/review" "$reviewer" -d '{"decision":"approve"}'
expect 200 POST "/api/v1/submissions/$vid/produce" "$maker" -d '{"days":30}'
dev_esid=$(json resp.json 'j["applications"][0]["esid"]')
curl -s -H "Authorization: Bearer $maker" -o dev.pem "$base/api/v1/seals/$dev_esid/cert.pem"
openssl x509 -in dev.pem -noout -pubkey >dev_cert.pub
openssl req -in dev.csr -noout -pubkey >dev_req.pub
cmp -s dev_cert.pub dev_req.pub || fail "the device certificate carries the request's key"
ok

# --- nothing of the seal's name in the log ------------------------------------------------
expect 200 GET /log/checkpoint ""
size=$(sed -n 2p resp.json)
expect 200 GET "/log/entries?start=0&end=$size" ""
grep -q '"spec"' resp.json && fail "the seal's spec in the log"
grep -q '服务器印章\|财务专用章' resp.json && fail "a seal name in the log"
ok

echo "issuer_naming: $passed checks passed"
