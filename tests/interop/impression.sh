#!/usr/bin/env bash
# impression.sh — issue #13 "Impression processing (印模电子化)" over HTTP with
# the real daemons: a maker uploads the scan of a form's impression box (a
# red round stamp drawn here, with python3's zlib as an independent PNG
# writer, on noisy off-white paper beside grey print), gets back a PNG with
# alpha at the form's 42 mm and the asked resolution, downloads it and the
# scan as materials, accepts it, and production puts exactly those bytes
# into the seal (read back by `eseal seal show`). The refusals: a reviewer
# 403, a bad form or sm3 400, not an image 400, a wrong state 409. The log
# entries carry digests and numbers only.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
ESEAL_TEST_NAME=impression
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"

# the scan of the form's impression box (lib/fixtures.py draws it)
python3 "$(dirname "$0")/lib/fixtures.py" scan scan.png
printf 'not an image at all' >notimage.txt
# png_info FILE: "width height colour_type" from the IHDR
png_info() {
    python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); assert d[:8]==b"\x89PNG\r\n\x1a\n"; w,h,b,c=struct.unpack(">IIBB",d[16:26]); print(w,h,c)' "$1"
}
sm3() { openssl dgst -sm3 -r "$1" | cut -c1-64; }

sid=$(to_approved apply "" "${UNIT}合同专用章")
P="/api/v1/submissions/$sid/impression"

# --- processing ------------------------------------------------------------------------
expect 403 POST "$P" "$reviewer" -F "scan=@scan.png" -F form=0
expect 400 POST "$P" "$maker" -F "scan=@scan.png" -F form=1
[ "$(json resp.json 'j["error"]["field"]')" = form ] || fail "form 1: field"
expect 400 POST "$P" "$maker" -F form=0
expect 400 POST "$P" "$maker" -F "scan=@scan.png" -F form=0 -F dpi=5000
expect 400 POST "$P" "$maker" -F "scan=@scan.png" -F form=0 -F colour=red
expect 400 POST "$P" "$maker" -F "scan=@notimage.txt" -F form=0
[ "$(json resp.json 'j["error"]["field"]')" = scan ] || fail "not an image: field"
json resp.json 'j["error"]["message"]' | grep -q 'PNG 或 JPEG.*PNG or JPEG' || fail "not an image: message"
ok

start=$(date +%s%N)
expect 201 POST "$P" "$maker" -F "scan=@scan.png" -F form=0
echo "# processed over HTTP in $(( ($(date +%s%N) - start) / 1000000 )) ms"
cp resp.json auto.json
# 42 mm at the default 300 dpi: round(42 / 25.4 * 300) = 496
[ "$(json auto.json '(j["form"], j["dpi"], j["width_px"], j["height_px"], j["width_mm"], j["height_mm"])')" = "(0, 300, 496, 496, 42, 42)" ] ||
    fail "auto: $(cat auto.json)"
json auto.json '40 <= j["threshold"] <= 160' | grep -q True || fail "auto threshold"
# the box is the stamp's (the print at the left is not in it)
json auto.json 'abs(j["bbox"]["x"] - 312) <= 3 and abs(j["bbox"]["w"] - 497) <= 5 and abs(j["bbox"]["y"] - 92) <= 3' |
    grep -q True || fail "bbox: $(json auto.json 'j["bbox"]')"
[ "$(json auto.json 'j["scan_sm3"]')" = "$(sm3 scan.png)" ] || fail "scan_sm3"
ok

# a threshold and a resolution of the maker's choice
expect 201 POST "$P" "$maker" -F "scan=@scan.png" -F form=0 -F threshold=100 -F dpi=200
cp resp.json chosen.json
[ "$(json chosen.json '(j["threshold"], j["dpi"], j["width_px"], j["height_px"])')" = "(100, 200, 331, 331)" ] ||
    fail "chosen: $(cat chosen.json)"
pic=$(json chosen.json 'j["sm3"]')
scan_sm3=$(json chosen.json 'j["scan_sm3"]')

# both downloadable as materials of the submission
expect 200 GET "/api/v1/submissions/$sid/materials/$pic" "$maker"
cp resp.json picture.png
grep -qi '^content-type: image/png' resp.hdr || fail "picture content type"
[ "$(sm3 picture.png)" = "$pic" ] || fail "picture digest"
[ "$(png_info picture.png)" = "331 331 6" ] || fail "picture: $(png_info picture.png), want 331×331 RGBA"
expect 200 GET "/api/v1/submissions/$sid/materials/$scan_sm3" "$maker"
cp resp.json scan.back
cmp -s scan.png scan.back || fail "the scan read back differs"
grep -qi 'filename=.*impression_scan' resp.hdr || fail "scan disposition"

# --- accepting -------------------------------------------------------------------------
A="$P/accept"
expect 403 POST "$A" "$reviewer" -d "{\"form\":0,\"sm3\":\"$pic\"}"
expect 400 POST "$A" "$maker" -d "{\"form\":0,\"sm3\":\"$scan_sm3\"}"
[ "$(json resp.json 'j["error"]["field"]')" = sm3 ] || fail "accept scan: field"
expect 400 POST "$A" "$maker" -d "{\"form\":3,\"sm3\":\"$pic\"}"
expect 400 POST "$A" "$maker" -d "{\"form\":0,\"sm3\":\"$pic\",\"extra\":1}"
expect 200 POST "$A" "$maker" -d "{\"form\":0,\"sm3\":\"$pic\"}"
[ "$(json resp.json 'j["forms_pictures"][0]["sm3"]')" = "$pic" ] || fail "forms_pictures"
[ "$(json resp.json 'len(j["pictures"])')" = 2 ] || fail "pictures"

# --- production uses it ----------------------------------------------------------------
# a second USB KEY for the second seal
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
python3 - "$(json tok2.json 'j["id"]')" <<'PY' >produce2.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$sid/produce" "$maker" --data-binary @produce2.json
esid2=$(json resp.json 'j["applications"][0]["esid"]')
expect 200 GET "/api/v1/seals/$esid2/seal.esl" "$maker"
cp resp.json seal2.esl
"$ESEAL" seal show seal2.esl --json >show.json
[ "$(json show.json 'j["picture"]["sm3"]')" = "$pic" ] || fail "the seal's picture is not the accepted one"
[ "$(json show.json 'j["picture"]["size"]')" = "$(stat -c %s picture.png)" ] || fail "picture size"
[ "$(json show.json 'j["picture"]["width_mm"]')" = 42 ] || fail "picture mm"
expect 200 GET "/api/v1/seals/$esid2" "$maker"
json resp.json 'j' | grep -q "$pic" || fail "the seal record's picture_sm3"
# produced: no more processing
expect 409 POST "$P" "$maker" -F "scan=@scan.png" -F form=0
expect 409 POST "$A" "$maker" -d "{\"form\":0,\"sm3\":\"$pic\"}"

# --- the log: digests and numbers only ---------------------------------------------------
expect 200 GET "/api/v1/submissions/$sid/audit" "$admin"
python3 - <<'PY' || fail "log entries"
import json
e = json.load(open("resp.json"))["entries"]
proc = [x for x in e if x["type"] == "submission.picture_processed"]
acc = [x for x in e if x["type"] == "submission.picture_accepted"]
assert len(proc) == 2 and len(acc) == 1, [x["type"] for x in e]
assert sorted(proc[0]["data"]) == sorted(["form", "sm3", "scan_sm3", "threshold", "dpi", "width_px",
                                          "height_px", "width_mm", "height_mm"]), proc[0]["data"]
assert sorted(acc[0]["data"]) == ["form", "scan_sm3", "sm3"], acc[0]["data"]
PY
ok

echo "impression: $passed checks passed"
