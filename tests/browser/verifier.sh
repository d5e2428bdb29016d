#!/usr/bin/env bash
# verifier.sh — the public pages in a real browser (ctest browser/verifier):
# eseal-verifierd's upload and verdict pages and eseal-publisherd's lookup
# page. Sets up the whole platform (tests/interop/lib/platform.bash: a CA,
# the issuer, the publisher and one unit seal handed over), stamps an OFD
# with the unit's token, makes a tampered copy of it, and starts
# eseal-verifierd against the publisher; then verifier.spec.ts (Playwright,
# Debian's chromium) uploads the OFD, the tampered OFD and the seal alone
# through the page's forms and looks the seal up on the publisher's page:
# verdicts in words, Beijing times, the <details> toggle, the seal picture,
# no console errors and no request to another origin. Screenshots go to
# $ESEAL_SCREENSHOTS (default build/screenshots/verifier).
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, ESEAL_SHARED;
# node, npm and /usr/bin/chromium (tools/bootstrap).
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
: "${ESEAL_SHARED:?set ESEAL_SHARED to the shared test data}"
export ESEAL_SCREENSHOTS=${ESEAL_SCREENSHOTS:-$(cd "$(dirname "$0")/../.." && pwd)/build/screenshots/verifier}
# shellcheck source=playwright.bash
. "$(dirname "$0")/playwright.bash" # node, chromium, Playwright; run_spec
ESEAL_TEST_NAME=browser-verifier
# shellcheck source=../interop/lib/platform.bash
. "$root/tests/interop/lib/platform.bash" # CA, issuer, publisher, $esid handed over; cd $tmp
verifier=
trap 'kill $verifier 2>/dev/null || true; wait $verifier 2>/dev/null || true; cleanup' EXIT

# the seal into the token; an OFD stamped with it, and a copy with its text changed
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
"$ESEAL" stamp --token tok "$ESEAL_SHARED/testdata/ofdrw/helloworld.ofd" -o notice.ofd \
    --page 1 --x 120 --y 200 >/dev/null || fail "stamp an OFD"
python3 - <<'PY' || fail "tamper with the OFD"
import zipfile
z = zipfile.ZipFile("notice.ofd")
with zipfile.ZipFile("notice-changed.ofd", "w") as out:
    for i in z.infolist():
        data = z.read(i.filename)
        if i.filename.endswith("Content.xml"):
            data = data.replace("你好呀".encode(), "再见了".encode())
        out.writestr(i, data)
PY
cmp -s notice.ofd notice-changed.ofd && fail "the tampered OFD is the same"
ok

"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$pbase" >verifier.log 2>&1 &
verifier=$!
vport=$(wait_port verifier.log "$verifier")
export ESEAL_VERIFIER_URL="http://127.0.0.1:$vport" ESEAL_PUBLISHER_URL="$pbase" ESEAL_ESID="$esid"
export ESEAL_UNIT="$UNIT"
base=$ESEAL_VERIFIER_URL
run_spec verifier
echo "PASS: the verifier's and the publisher's pages in chromium (screenshots in $ESEAL_SCREENSHOTS)"
