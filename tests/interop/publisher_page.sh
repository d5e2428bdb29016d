#!/usr/bin/env bash
# publisher_page.sh — the public lookup page with the real daemons: the
# issuer's public seal files (/public/seals/{esID}/{version}/seal.esl: seals
# only, nothing else), the publisher fetching them (its /seals/{esID}
# record gains the name and picture), GET / for the seal in Chinese with
# English, the picture under /pictures/{sm3} with the log's digest (checked
# with openssl dgst -sm3) and its caching headers, unknown (404) and
# malformed (400) codes, an HTML injection in the query escaped, and the
# page following a suspension.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=page
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

has() { grep -qF -- "$1" pub.out || { cat pub.out >&2; fail "no '$1' in $2"; }; }
hasnt() { ! grep -qF -- "$1" pub.out || fail "'$1' in $2"; }

# --- the issuer's public seal files --------------------------------------------------
[ "$(pub "/status/$esid")" = 200 ] || fail "status"
sd=$(json pub.out 'j["sealDigest"]')
pd=$(json pub.out 'j["pictureDigest"]')
code=$(curl -s -D pub.hdr -o seal.esl -w '%{http_code}' "$ibase/public/seals/$esid/1/seal.esl")
[ "$code" = 200 ] || fail "public seal: $code"
[ "$(sm3 seal.esl)" = "$sd" ] || fail "the public seal is not the logged seal_sm3"
[ "$(hdr cache-control)" = "public, max-age=31536000, immutable" ] || fail "public seal caching"
"$ESEAL" seal show seal.esl >show.txt || fail "eseal seal show"
grep -q "$esid" show.txt || fail "the seal names its esID"
for path in "$esid/2/seal.esl" "$esid/0/seal.esl" "$esid/01/seal.esl" "35999999999999/1/seal.esl" \
    "$esid/1/cert.pem" "$esid/1/unit.csr" "$esid/1/seal.esl/x" "$esid/1" "$esid" \
    "$(sm3 unit.csr)" "$(sm3 letter.pdf)/seal.esl" "$esid/1/../../../api/v1/seals/$esid/seal.esl"; do
    code=$(curl -s -o refused.out -w '%{http_code}' "$ibase/public/seals/$path")
    [ "$code" = 404 ] || fail "public seals/$path: $code, want 404"
    ! cmp -s refused.out seal.esl || fail "public seals/$path served the seal"
done
ok

# --- the publisher fetches the seal: name and picture ------------------------------------
for _ in $(seq 1 100); do
    [ "$(pub "/seals/$esid")" = 200 ] && [ "$(json pub.out 'j["picture"]')" != None ] && break
    sleep 0.1
done
python3 - "$esid" "$UNIT" "$pd" <<'PY' || { cat pub.out >&2; fail "/seals JSON"; }
import json, sys
esid, unit, pd = sys.argv[1:]
j = json.load(open("pub.out"))
assert j["esID"] == esid and j["version"] == 1 and j["status"] == "good", j
assert j["name"] == unit and j["unitName"] == unit and j["kind"] == "unit", j
assert j["pictureDigest"] == pd and j["picture"] == "/pictures/" + pd, j
assert j["pictureType"] == "png" and j["reason"] is None, j
for k in ("validStart", "validEnd", "statusTime", "thisUpdate", "nextUpdate"):
    assert j[k].endswith("Z"), (k, j[k])
PY
[ "$(pub /seals/35999999999999)" = 404 ] || fail "/seals unknown"
[ "$(pub /seals/12345)" = 400 ] || fail "/seals malformed"
ok

# --- the picture -------------------------------------------------------------------------
[ "$(pub "/pictures/$pd")" = 200 ] || fail "picture"
[ "$(sm3 pub.out)" = "$pd" ] || fail "the picture's SM3 is not the published pictureDigest"
cmp -s pub.out impression.png || fail "the picture is the impression"
[ "$(hdr content-type)" = image/png ] || fail "picture type $(hdr content-type)"
[ "$(hdr cache-control)" = "public, max-age=31536000, immutable" ] || fail "picture caching"
[ "$(hdr etag)" = "\"$pd\"" ] || fail "picture ETag $(hdr etag)"
[ "$(hdr x-content-type-options)" = nosniff ] || fail "picture nosniff"
[ "$(pub "/pictures/$pd" -H "If-None-Match: \"$pd\"")" = 304 ] || fail "picture 304"
[ "$(pub "/pictures/${pd^^}")" = 200 ] || fail "picture by upper-case digest"
[ "$(pub "/pictures/$sd")" = 404 ] || fail "a seal digest is no picture"
json pub.out 'j["error"]["code"]' >/dev/null || fail "picture 404 is JSON"
[ "$(pub /pictures/xyz)" = 400 ] || fail "malformed picture digest"
ok

# --- the page -------------------------------------------------------------------------------
[ "$(pub "/?esid=$esid")" = 200 ] || fail "page"
[ "$(hdr content-type)" = "text/html; charset=utf-8" ] || fail "page type"
hdr content-security-policy | grep -q "default-src 'none'" || fail "page CSP"
hdr content-security-policy | grep -q "script-src" && fail "page CSP allows scripts"
[ "$(hdr x-content-type-options)" = nosniff ] || fail "page nosniff"
[ "$(hdr cache-control)" = "public, max-age=30" ] || fail "page caching"
for want in "$UNIT" "印章名称" "单位" "状态" "有效期" "<strong>有效</strong>" "$esid" \
    "<img class=\"picture\" src=\"/pictures/$pd\"" "href=\"/status/$esid\"" \
    "href=\"/status/$esid?format=der\"" "单位印章"; do
    has "$want" "the page"
done
hasnt "<script" "the page"
# the platform's frame (eseal/page.h), as on the verifier's page; nothing from another origin
has '<header class="platform"><div class="bar"><span class="emblem" aria-hidden="true">印</span><span class="name">政务电子印章服务平台</span><span class="sub">电子印章查询' "the page's top bar"
grep -Eq '(src|href|action)="(https?:)?//|url\(|@import' pub.out && fail "the page refers to another origin"
# Times in Beijing time (words.h, as on the verifier's page), UTC kept for machines in <time datetime>.
python3 - <<'PY' || { cat pub.out >&2; fail "the page's times are not Beijing time"; }
import datetime, re
page = open("pub.out", encoding="utf-8").read()
times = re.findall(r'<time datetime="([^"]*)">([^<]*)</time>', page)
assert len(times) == 5, times
for iso, shown in times:
    t = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=8)
    assert shown == t.strftime("%Y-%m-%d %H:%M:%S") + " 北京时间", (iso, shown)
assert not re.search(r">\d{4}-\d\d-\d\dT[\d:]+Z<", page), "a raw UTC time shown"
PY
[ "$(pub "/status/$esid?format=der")" = 200 ] && [ "$(hdr content-type)" = application/eseal-status ] ||
    fail "the DER link"
[ "$(pub /)" = 200 ] || fail "the empty form"
has 'name="esid"' "the form"
[ "$(pub "/?esid=%20$esid%20")" = 200 ] || fail "a code with spaces around"
ok
[ "$(pub "/?esid=35999999999999")" = 404 ] || fail "unknown code"
has "未找到" "the unknown page"
has "Not found" "the unknown page"
[ "$(pub "/?esid=3501")" = 400 ] || fail "malformed code"
has "印章编码有误" "the malformed page"
[ "$(pub "/?esid=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27")" = 400 ] || fail "injection status"
has "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;" "the injection page"
hasnt "<script" "the injection page"
ok

# --- after a loss report: 已挂失 ---------------------------------------------------------------
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
wait_status "$esid" suspended
[ "$(pub "/?esid=$esid")" = 200 ] || fail "page after suspension"
has "<strong>已挂失</strong>" "the suspended page"
ok

echo "publisher_page: $passed checks passed"
