#!/usr/bin/env bash
# print.sh — issue #14's printables through a running eseal-issuerd: the
# application forms, summary table and letter of a submission as PDFs that
# poppler reads (pdfinfo), that hold the entered data (pdftotext) and embed
# their fonts (pdffonts); the blank templates; the summary xlsx checked back
# through the check route (clean, then a changed cell named by row and
# column); a batch's summary; the live field check giving the rules'
# findings without storing anything; the roles that may not see them; and
# an agent's unit register (主管处室, 分管领导) with its account and session.
#
# Needs ESEAL (the eseal binary), ESEAL_ISSUERD, curl, openssl, python3 and
# poppler-utils.
set -euo pipefail
# shellcheck source=lib/submission.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/submission.bash"

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in curl openssl python3 pdfinfo pdftotext pdffonts; do command -v "$c" >/dev/null; done

ESEAL_TEST_NAME=print
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
hdr() { tr -d '\r' <resp.hdr | sed -n "s/^$1: //Ip" | head -1; }

"$ESEAL" ca init --dir ca >/dev/null
start_issuerd

admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
# the unit register: agent-a's account records its 主管处室 and 分管领导
for s in "{\"username\":\"agent-a\",\"password\":\"agent-password-a\",\"role\":\"agent\",\"unit\":\"$USCC\",\"office\":\"办公室\",\"leader\":\"王副局长\"}" \
    '{"username":"agent-b","password":"agent-password-b","role":"agent","unit":"91350100M000200Y4T"}' \
    '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}' \
    '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200"}' \
    '{"username":"maker1","password":"maker-password-1","role":"maker"}'; do
    expect 201 POST /api/v1/staff "$admin" -d "$s"
done
agent=$(login agent-a agent-password-a)
other=$(login agent-b agent-password-b)
agg=$(login agg-fz aggregator-pw-1)
aggxm=$(login agg-xm aggregator-pw-2)
maker=$(login maker1 maker-password-1)
expect 400 POST /api/v1/staff "$admin" \
    -d '{"username":"maker2","password":"maker-password-2","role":"maker","office":"办公室"}'
expect 200 GET /api/v1/session "$agent"
[ "$(json resp.json '(j["office"], j["leader"])')" = "('办公室', '王副局长')" ] ||
    fail "the session shows the unit register"
expect 200 GET /api/v1/session "$maker"
[ "$(json resp.json '"office" in j')" = False ] || fail "no register for staff"

# a two-form apply: the unit's official seal and its finance seal
write_apply_submission
printf '\x89PNG\r\n\x1a\nfinance impression' >impression2.png
python3 - "$(sm3 impression2.png)" <<'PY'
import copy, json, sys
d = json.load(open("sub.json"))
f = copy.deepcopy(d["forms"][0])
f["seal"].update(name=d["applicant"]["name"] + "财务专用章", function="finance", width_mm=38.5)
f["impression"] = sys.argv[1]
d["forms"].append(f)
d["letter"]["form_count"] = 2
d["letter"]["kinds"]["unit"] = 2
json.dump(d, open("sub.json", "w"), ensure_ascii=False)
PY
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
sid=$(json resp.json 'j["id"]')

# pdf_ok NAME TEXT...: the last answer is a PDF poppler reads, with every
# TEXT in it and every font embedded.
pdf_ok() {
    local name=$1
    shift
    [ "$(hdr Content-Type)" = application/pdf ] || fail "$name: Content-Type $(hdr Content-Type)"
    cp resp.json "$name"
    pdfinfo "$name" >info.txt || fail "$name: pdfinfo refuses it"
    grep -q 'A4' info.txt || fail "$name: not A4"
    pdftotext "$name" - | tr -d ' \n' >text.txt
    for t in "$@"; do grep -qF "$t" text.txt || fail "$name: no '$t' in its text"; done
    pdffonts "$name" | tail -n +3 >fonts.txt
    [ -s fonts.txt ] || fail "$name: no fonts"
    if awk '{ if ($(NF-4) != "yes") bad = 1 } END { exit !bad }' fonts.txt; then
        cat fonts.txt >&2
        fail "$name: a font is not embedded"
    fi
    ok
}

expect 200 GET "/api/v1/submissions/$sid/print/forms.pdf" "$agent"
pdf_ok p-forms.pdf "$UNIT" "$USCC" "福建省政务电子印章申请表" "财务专用章" "38.5" "李四"
[ "$(pdfinfo p-forms.pdf | sed -n 's/^Pages: *//p')" = 2 ] || fail "one page per form"
hdr Content-Disposition | grep -q "inline; filename=\"$sid-forms.pdf\"" || fail "forms.pdf's name"
expect 200 GET "/api/v1/submissions/$sid/print/summary.pdf" "$agent"
pdf_ok p-summary.pdf "申请汇总表" "$UNIT" "财务专用章" "共2枚"
pdfinfo p-summary.pdf | grep -q '841.89 x 595.276' || fail "the summary table is A4 landscape"
expect 200 GET "/api/v1/submissions/$sid/print/letter.pdf" "$agent"
pdf_ok p-letter.pdf "福建省经济信息中心" "$UNIT" "印章申请" "共2枚"
expect 200 GET /api/v1/print/templates/introduction.pdf "$agent"
pdf_ok p-intro.pdf "介绍信" "福建省经济信息中心"
expect 200 GET /api/v1/print/templates/idcopy.pdf "$agg"
pdf_ok p-idcopy.pdf "身份证复印件粘贴处"
expect 404 GET /api/v1/print/templates/other.pdf "$agent"
expect 404 GET /api/v1/print/templates/introduction "$agent"
expect 401 GET /api/v1/print/templates/idcopy.pdf ""

# the summary xlsx, checked back through the route
expect 200 GET "/api/v1/submissions/$sid/print/summary.xlsx" "$agent"
[ "$(hdr Content-Type)" = application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ] ||
    fail "summary.xlsx's Content-Type"
hdr Content-Disposition | grep -q "attachment; filename=\"$sid-summary.xlsx\"" || fail "xlsx name"
cp resp.json summary.xlsx
expect 200 POST "/api/v1/submissions/$sid/summary/check" "$agent" -F "file=@summary.xlsx"
[ "$(json resp.json '(j["ok"], j["rows"], j["differences"])')" = "(True, 2, [])" ] ||
    fail "the sheet made from the forms agrees with them"
# someone edits the finance seal's name in the sheet: row 4, column D
python3 - "$UNIT" <<'PY'
import sys, zipfile
src = zipfile.ZipFile("summary.xlsx")
with zipfile.ZipFile("changed.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
    for i in src.infolist():
        data = src.read(i.filename)
        if i.filename == "xl/sharedStrings.xml":
            old = (sys.argv[1] + "财务专用章").encode()
            assert old in data
            data = data.replace(old, "财务章".encode())
        out.writestr(i.filename, data)
PY
expect 200 POST "/api/v1/submissions/$sid/summary/check" "$agent" -F "file=@changed.xlsx"
python3 - "$UNIT" <<'PY' || fail "the changed cell is named by row and column"
import json, sys
j = json.load(open("resp.json"))
assert j["ok"] is False and len(j["differences"]) == 1, j
d = j["differences"][0]
assert (d["row"], d["column"], d["field"], d["sheet"], d["form"]) == \
    (4, "D", "seal_name", "财务章", sys.argv[1] + "财务专用章"), d
assert d["message"].startswith("第 4 行 D 列（印章名称）：表格为“财务章”"), d["message"]
PY
ok
# not an xlsx, a DTD, two files
printf 'PK\x03\x04 not really' >bad.xlsx
expect 400 POST "/api/v1/submissions/$sid/summary/check" "$agent" -F "file=@bad.xlsx"
expect 400 POST "/api/v1/submissions/$sid/summary/check" "$agent" -F "file=@summary.xlsx" \
    -F "file2=@summary.xlsx"

# roles: another unit's agent and another city's aggregator do not see it
for path in print/forms.pdf print/summary.pdf print/letter.pdf print/summary.xlsx; do
    expect 404 GET "/api/v1/submissions/$sid/$path" "$other"
    expect 404 GET "/api/v1/submissions/$sid/$path" "$aggxm"
    expect 401 GET "/api/v1/submissions/$sid/$path" ""
done
expect 404 POST "/api/v1/submissions/$sid/summary/check" "$other" -F "file=@summary.xlsx"
expect 404 GET "/api/v1/submissions/S99999999/print/forms.pdf" "$agent"
expect 404 GET "/api/v1/submissions/..%2Fx/print/forms.pdf" "$agent"

# the aggregator's batch: its summary covers its items. The unit attaches
# the summary xlsx it printed as its summary table and submits.
python3 - "$(sm3 summary.xlsx)" <<'PY'
import json, sys
d = json.load(open("sub.json"))
d["summary_table"] = {"material": sys.argv[1], "rows": [
    {"unit_name": f["unit"]["name"], "uscc": f["unit"]["uscc"], "kind": f["kind"],
     "seal_name": f["seal"]["name"], "function": f["seal"]["function"],
     "cert_type": f["seal"]["cert_type"], "width_mm": f["seal"]["width_mm"],
     "height_mm": f["seal"]["height_mm"]} for f in d["forms"]]}
json.dump(d, open("sub.json", "w"), ensure_ascii=False)
PY
expect 200 PUT "/api/v1/submissions/$sid" "$agent" --data-binary @sub.json
expect 201 POST "/api/v1/submissions/$sid/materials" "$agent" -F "letter=@letter.pdf" \
    -F "form=@form.pdf" -F "impression=@impression.png" -F "impression=@impression2.png" \
    -F "summary_table=@summary.xlsx"
expect 200 POST "/api/v1/submissions/$sid/submit" "$agent"
expect 200 GET "/api/v1/submissions/$sid/print/forms.pdf" "$agg"
pdf_ok p-forms-agg.pdf "$UNIT"
expect 200 GET "/api/v1/submissions/$sid/print/forms.pdf" "$maker"
expect 201 POST /api/v1/batches "$agg" -d '{"business":"apply"}'
bid=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/batches/$bid/items" "$agg" -d "{\"submission\":\"$sid\"}"
expect 200 GET "/api/v1/batches/$bid/print/summary.pdf" "$agg"
pdf_ok p-batch.pdf "申请汇总表" "福州市数字办" "财务专用章"
expect 200 GET "/api/v1/batches/$bid/print/summary.xlsx" "$agg"
cp resp.json batch.xlsx
expect 200 POST "/api/v1/batches/$bid/summary/check" "$agg" -F "file=@batch.xlsx"
[ "$(json resp.json 'j["ok"]')" = True ] || fail "the batch's sheet agrees"
expect 200 POST "/api/v1/batches/$bid/summary/check" "$agg" -F "file=@changed.xlsx"
[ "$(json resp.json 'j["differences"][0]["column"]')" = D ] || fail "the batch check names D"
expect 403 GET "/api/v1/batches/$bid/print/summary.pdf" "$agent"
expect 404 GET "/api/v1/batches/$bid/print/summary.xlsx" "$aggxm"
expect 404 POST "/api/v1/batches/$bid/summary/check" "$aggxm" -F "file=@batch.xlsx"

# the live field check: the rules' findings of a draft, nothing stored
expect 200 GET /api/v1/submissions "$agent"
before=$(json resp.json 'len(j["submissions"])')
python3 - <<'PY'
import json
d = json.load(open("sub.json"))
d["forms"][0]["unit"]["uscc"] = "91350100M000100Y40"
del d["forms"][1]["agent"]["mobile"]
json.dump(d, open("draft.json", "w"), ensure_ascii=False)
PY
expect 200 POST /api/v1/submissions/check "$agent" --data-binary @draft.json
python3 - <<'PY' || fail "the live check gives the rules' findings"
import json
j = json.load(open("resp.json"))["check"]
keys = {(f["rule"], f.get("path")) for f in j["findings"]}
assert j["verdict"] == "rejected", j["verdict"]
assert any(r == "uscc_check" for r, _ in keys), keys
assert any(r == "required_fields" and f and "mobile" in f for r, f in keys), keys
PY
ok
# the same document as the stored draft gives the same findings as its view
expect 200 GET "/api/v1/submissions/$sid" "$agent"
json resp.json 'json.dumps(j["check"], sort_keys=True)' >view-check.json
expect 200 POST "/api/v1/submissions/check?draft=$sid" "$agent" --data-binary @sub.json
json resp.json 'json.dumps(j["check"], sort_keys=True)' >live-check.json
cmp -s view-check.json live-check.json || { diff view-check.json live-check.json >&2; fail "one rules engine"; }
ok
expect 400 POST /api/v1/submissions/check "$agent" -d '{"forms":"x"}'
expect 403 POST /api/v1/submissions/check "$maker" --data-binary @sub.json
expect 404 POST "/api/v1/submissions/check?draft=$sid" "$other" --data-binary @sub.json
expect 200 GET /api/v1/submissions "$agent"
[ "$(json resp.json 'len(j["submissions"])')" = "$before" ] || fail "the check stored nothing"

stop_issuerd
echo "print: $passed checks passed"
