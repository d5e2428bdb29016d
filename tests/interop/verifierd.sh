#!/usr/bin/env bash
# verifierd.sh — eseal-verifierd, the real daemon, against a real issuer and
# publisher (lib/platform.bash): the JSON API for each verdict (good,
# tampered document, garbage and truncated signatures, no document, a seal
# alone, a picture; offline from a saved status response), refused requests (400: not multipart, missing,
# duplicate or unknown parts; 413: over the limits), the HTML page and its
# verdict page with a seal whose name and propertyInfo are markup (escaped,
# and no script allowed by the CSP), /healthz, -n and --help.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, curl,
# openssl and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=verifierd
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
verifier=
trap 'kill $verifier 2>/dev/null || true; wait $verifier 2>/dev/null || true; cleanup' EXIT

# the seal into the token; a document stamped with it
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null || fail "stamp"

# --- the command line --------------------------------------------------------------------
"$ESEAL_VERIFIERD" -n --port 0 --trust ca/root.pem --status-url "$pbase" >check.out ||
    fail "eseal-verifierd -n"
grep -q 'configuration OK' check.out || fail "-n prints configuration OK"
grep -q '"port": 0' check.out || fail "-n prints the effective configuration"
"$ESEAL_VERIFIERD" -n | grep -q '"port": 8443' || fail "default port 8443"
"$ESEAL_VERIFIERD" -n | grep -q '"trust": "var/ca/root.pem"' || fail "default trust"
"$ESEAL_VERIFIERD" -n | grep -q '"status_url": "http://127.0.0.1:8442"' || fail "default status"
"$ESEAL_VERIFIERD" -n --status-url ftp://x >/dev/null 2>&1 && fail "-n accepts an ftp URL"
"$ESEAL_VERIFIERD" -n --no-status | grep -q '"no_status": true' || fail "--no-status switch"
"$ESEAL_VERIFIERD" --help | grep -q -- '--status-url URL' || fail "--help lists the options"
"$ESEAL_VERIFIERD" --help | grep -E -- '--[a-z]+_[a-z]' && fail "--help names an option with _ (#19)"
"$ESEAL_VERIFIERD" --trust nonexistent.pem --port 0 2>no-trust.err && fail "starts without trust"
grep -q 'nonexistent.pem' no-trust.err || fail "names the missing trust file"
echo '{"port": 0, "trust": "ca/root.pem", "max_document": 65536}' >verifier.json
"$ESEAL_VERIFIERD" -c verifier.json -n | grep -q '"max_document": 65536' || fail "-c FILE"
ok

"$ESEAL_VERIFIERD" -c verifier.json --status-url "$pbase" >verifier.log 2>&1 &
verifier=$!
vport=$(wait_port verifier.log "$verifier")
vbase="http://127.0.0.1:$vport"

# post OUT ARGS...: POST /api/v1/verify with curl ARGS into OUT; prints the status
post() {
    local out=$1
    shift
    curl -s -o "$out" -w '%{http_code}' "$@" "$vbase/api/v1/verify"
}
# verdict FILE: "INDICATION SUB STATUS-CHECK-STATUS"
verdict() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
st = [c["status"] for c in j["checks"] if c["key"] == "status"]
print(j["indication"], j["subIndication"] or "-", st[0] if st else "-")
PY
}
# want VERDICT OUT ARGS...: a 200 with that verdict
want() {
    local w=$1 out=$2 code
    shift 2
    code=$(post "$out" "$@")
    [ "$code" = 200 ] || { cat "$out" >&2; fail "$*: status $code, want 200"; }
    [ "$(verdict "$out")" = "$w" ] || { cat "$out" >&2; fail "$*: '$(verdict "$out")', want '$w'"; }
}
# refused STATUS ARGS...: an error with that status and a JSON error body
refused() {
    local want=$1 code
    shift
    code=$(post refused.json "$@")
    [ "$code" = "$want" ] || { cat refused.json >&2; fail "$*: status $code, want $want"; }
    json refused.json 'j["error"]["code"]' >/dev/null || fail "$*: no JSON error"
}

# --- verdicts ------------------------------------------------------------------------------
want "TOTAL_PASSED - PASSED" good.json -F document=@contract.txt -F signature=@contract.txt.ses
python3 - "$esid" <<'PY' || fail "the report of a good signature"
import json, sys
j = json.load(open("good.json"))
assert j["esID"] == sys.argv[1] and j["sealStatus"] == "good", j
assert [c["key"] for c in j["checks"]][:2] == ["format", "data_hash"], j["checks"]
assert all(c["message"]["zh"] and c["message"]["en"] for c in j["checks"])
PY
printf 'contract text / 合同正文 (changed)\n' >changed.txt
want "TOTAL_FAILED HASH_FAILURE PASSED" tampered.json -F document=@changed.txt \
    -F signature=@contract.txt.ses
head -c 3000 /dev/urandom >garbage.ses
want "TOTAL_FAILED FORMAT_FAILURE -" garbage.json -F document=@contract.txt -F signature=@garbage.ses
head -c 300 contract.txt.ses >truncated.ses
want "TOTAL_FAILED FORMAT_FAILURE -" truncated.json -F document=@contract.txt \
    -F signature=@truncated.ses
: >empty.ses
want "TOTAL_FAILED FORMAT_FAILURE -" empty.json -F signature=@empty.ses
want "INDETERMINATE SIGNED_DATA_NOT_FOUND PASSED" nodoc.json -F signature=@contract.txt.ses
want "TOTAL_PASSED - PASSED" seal.json -F seal=@seal.esl
[ "$(json seal.json 'j["esID"]')" = "$esid" ] || fail "a seal alone names its esID"
want "TOTAL_PASSED - PASSED" pic.json -F picture=@impression.png
[ "$(json pic.json 'j["esID"]')" = "$esid" ] || fail "a picture names its seal"
ok

# --- refused requests ----------------------------------------------------------------------
refused 400 -F document=@contract.txt
refused 400 -H 'Content-Type: application/json' --data-binary '{"signature":"x"}'
refused 400 -F signature=@contract.txt.ses -F signature=@contract.txt.ses
refused 400 -F signature=@contract.txt.ses -F sig=@contract.txt.ses
refused 400 -F signature=@contract.txt.ses -F seal=@seal.esl
refused 400 -F document=@contract.txt -F seal=@seal.esl
head -c 70000 /dev/zero >big.doc # max_document is 65536 here
refused 413 -F document=@big.doc -F signature=@contract.txt.ses
head -c 5000000 /dev/zero >huge.doc # over the whole body limit
refused 413 -F document=@huge.doc -F signature=@contract.txt.ses
head -c $((4 * 1024 * 1024 + 1)) /dev/zero >huge.ses # over ESEAL_SEAL_MAX
refused 413 -F signature=@huge.ses
[ "$(curl -s -o /dev/null -w '%{http_code}' "$vbase/api/v1/verify")" = 405 ] || fail "GET verify"
kill -0 "$verifier" || fail "the daemon survived the bad input"
ok

# --- an OFD uploaded alone: every signature inside, with its place ----------------------------
"$ESEAL" stamp --token tok "$ESEAL_SHARED/testdata/ofdrw/helloworld.ofd" -o notice.ofd \
    --page 1 --x 120 --y 200 >/dev/null || fail "stamp an OFD"
python3 - <<'PY'
import zipfile
z = zipfile.ZipFile("notice.ofd")
with zipfile.ZipFile("notice-changed.ofd", "w") as out:
    for i in z.infolist():
        d = z.read(i.filename)
        out.writestr(i.filename, d.replace(b"0 0 210 297", b"0 0 210 298") if i.filename.endswith("Document.xml") else d)
PY
code=$(post ofd.json -F document=@notice.ofd)
[ "$code" = 200 ] && python3 -c '
import json; j = json.load(open("ofd.json"))
assert j["format"] == "ofd" and j["indication"] == "TOTAL_PASSED", j
s = j["signatures"][0]
assert [c["status"] for c in s["checks"] if c["key"] == "status"] == ["PASSED"]
assert s["place"]["stamps"][0]["page"] == 1' || { cat ofd.json >&2; fail "an OFD: $code"; }
code=$(post ofd2.json -F document=@notice-changed.ofd)
[ "$code" = 200 ] && [ "$(json ofd2.json 'j["subIndication"]')" = HASH_FAILURE ] ||
    { cat ofd2.json >&2; fail "a changed OFD: $code"; }
curl -s -o ofd.html -F document=@notice.ofd "$vbase/verify"
grep -q '验证通过' ofd.html && grep -q '签章外观' ofd.html && grep -q '距页面左边 120.0 毫米、上边 200.0 毫米' ofd.html &&
    grep -q '>references<' ofd.html || fail "the verdict page of an OFD"
ok

# --- the HTML page ---------------------------------------------------------------------------
code=$(curl -s -D page.hdr -o page.html -w '%{http_code}' "$vbase/")
[ "$code" = 200 ] || fail "GET /: $code"
grep -q 'enctype="multipart/form-data"' page.html || fail "GET / has the upload form"
grep -q 'name="document"' page.html && grep -q 'name="signature"' page.html || fail "form fields"
grep -qi "^content-security-policy: default-src 'none'" page.hdr || fail "CSP header"
grep -qi '^x-content-type-options: nosniff' page.hdr || fail "nosniff"
grep -qi '<script' page.html && fail "the page has a script"
# the platform's frame (eseal/page.h), as on the publisher's page; nothing from another origin
grep -q '<header class="platform"><div class="bar"><span class="emblem" aria-hidden="true">印</span><span class="name">政务电子印章服务平台</span><span class="sub">电子签章验证' page.html ||
    fail "the page's top bar"
grep -Eq '(src|href|action)="(https?:)?//|url\(|@import' page.html && fail "the page refers to another origin"
code=$(curl -s -o good.html -w '%{http_code}' -F document=@contract.txt \
    -F signature=@contract.txt.ses "$vbase/verify")
[ "$code" = 200 ] && grep -q '验证通过' good.html && grep -q "$esid" good.html ||
    fail "the verdict page of a good signature"
grep -q '>data_hash<' good.html && grep -q 'PASSED' good.html || fail "checks as rows"
# words for people (#19): Chinese first, Beijing time, the signer as unit and
# credit code, machine values folded behind <details>, the seal picture
grep -q '文档摘要' good.html && grep -q '通过 <span class="en">PASSED' good.html ||
    fail "check names and results in Chinese"
grep -q '<td class="good">有效 (good)</td>' good.html || fail "the status in Chinese, in the status's colour"
grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} 北京时间' good.html || fail "Beijing time"
grep -q "$UNIT（统一社会信用代码 $USCC）" good.html || fail "the signer as unit and credit code"
grep -q '<details><summary>详情' good.html || fail "details folded"
grep -q '<img alt="印章图像 seal picture" src="data:image/png;base64,' good.html ||
    fail "the seal picture, inline"
grep -qi "^content-security-policy: .*img-src data:" page.hdr || fail "CSP allows data: images"
curl -s -o seal.html -F seal=@seal.esl "$vbase/verify"
grep -q '印章有效' seal.html && grep -q 'src="data:image/png;base64,' seal.html ||
    fail "a seal alone: a verdict about the seal, with its picture"
grep -q '签署时间\|时间戳' seal.html && fail "a seal alone: no word about a signing time"
curl -s -o bad.html -F document=@changed.txt -F signature=@contract.txt.ses "$vbase/verify"
grep -q '验证失败' bad.html && grep -q 'HASH_FAILURE' bad.html || fail "a failed verdict page"
code=$(curl -s -o err.html -w '%{http_code}' -F document=@contract.txt "$vbase/verify")
[ "$code" = 400 ] && grep -q '无法验证' err.html || fail "a refused upload as HTML: $code"

# a seal whose name and stamped file name are markup, made with the same CA
"$ESEAL" token init --dir tokx >/dev/null
"$ESEAL" token csr --dir tokx --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out x.csr >/dev/null
"$ESEAL" ca issue --dir ca --csr x.csr --profile unit --out x.pem >/dev/null
"$ESEAL" seal make --ca ca --esid 35010299999998 --name '<script>alert(1)</script>' \
    --cert x.pem --type unit --picture impression.png --width 42 --height 42 --out x.esl \
    >/dev/null || fail "seal make with a markup name"
"$ESEAL" token import --dir tokx --cert x.pem --seal x.esl >/dev/null
xdoc='<img src=x onerror=alert(2)>.txt'
printf 'markup\n' >"$xdoc"
"$ESEAL" stamp --token tokx "$xdoc" -o x.ses >/dev/null || fail "stamp a file named with markup"
curl -s -o x.html -F "document=@\"$xdoc\"" -F signature=@x.ses "$vbase/verify"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' x.html || fail "the seal name, escaped"
grep -q '&lt;img src=x onerror=alert(2)&gt;' x.html || fail "propertyInfo, escaped"
grep -qi '<script' x.html && fail "markup from the seal reached the page"
grep -qi '<img src=x' x.html && fail "markup from the file name reached the page"
ok

# --- health ----------------------------------------------------------------------------------
code=$(curl -s -o health.json -w '%{http_code}' "$vbase/healthz")
[ "$code" = 200 ] && [ "$(json health.json 'j["status"]["reachable"]')" = True ] ||
    { cat health.json >&2; fail "/healthz: $code"; }
ok

# --- offline: a status response saved from the publisher, no publisher asked -----------------
curl -s -o responder.pem "$pbase/certs/responder.pem"
curl -s -H 'Accept: application/eseal-status' -o status.der "$pbase/status/$esid"
"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-file status.der \
    --responder responder.pem --status-url http://127.0.0.1:1 >verifier2.log 2>&1 &
offline=$!
verifier="$verifier $offline"
vbase="http://127.0.0.1:$(wait_port verifier2.log "$offline")"
want "TOTAL_PASSED - PASSED" offline.json -F document=@contract.txt -F signature=@contract.txt.ses
code=$(curl -s -o health2.json -w '%{http_code}' "$vbase/healthz")
[ "$code" = 200 ] && [ "$(json health2.json 'j["status"]["mode"]')" = file ] ||
    { cat health2.json >&2; fail "/healthz offline: $code"; }
ok

echo "verifierd: $passed groups passed"
