#!/usr/bin/env bash
# console.sh — the staff console in a real browser (ctest browser/console).
# Sets up a CA, eseal-issuerd on a free loopback port serving the built
# console (tools/console), the staff accounts and one unit's application
# filed through the API as the unit and its aggregator would; then
# console.spec.ts (Playwright driving Debian's chromium) takes it through
# registration, a rejection, a rectification, approval, production and
# handover in the browser, and checks the CSRF token, the login throttle,
# the console's headers, console errors and requests to other origins.
# Screenshots of each page go to $ESEAL_SCREENSHOTS (default:
# build/screenshots/console under the source tree).
# Needs ESEAL and ESEAL_ISSUERD; node, npm and /usr/bin/chromium (tools/bootstrap).
set -euo pipefail
export ESEAL_SCREENSHOTS=${ESEAL_SCREENSHOTS:-$(cd "$(dirname "$0")/../.." && pwd)/build/screenshots/console}
export ESEAL_TEST_NAME=console
# shellcheck source=lib.bash
. "$(dirname "$0")/lib.bash" # CA, token, issuerd, $admin, login, account, run_spec
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
"$ESEAL" token csr --dir tok --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit.csr >/dev/null
ok

account "{\"username\":\"agent1\",\"password\":\"agent-password-1\",\"role\":\"agent\",\"unit\":\"$USCC\"}"
account '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}'
account '{"username":"li.maker","password":"maker-password-1","role":"maker"}'
account '{"username":"zhao.maker","password":"maker-password-2","role":"maker"}'
account '{"username":"wang.reviewer","password":"reviewer-password-1","role":"reviewer"}'
account '{"username":"locked.out","password":"locked-password-1","role":"maker"}'
agent=$(login agent1 agent-password-1)
agg=$(login agg-fz aggregator-pw-1)

# The unit's application, filed and sent on by its city's aggregator.
write_apply_submission
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
sid=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$sid/materials" "$agent" \
  -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
expect 200 POST "/api/v1/submissions/$sid/submit" "$agent"
expect 200 POST "/api/v1/submissions/$sid/submit" "$agg"
# What the unit will send after a rejection: a corrected letter.
python3 "$root/tests/interop/lib/fixtures.py" pdf letter2.pdf "Red-header letter, dated and stamped"
# the scan of the form's impression box the maker turns into the seal picture
python3 "$root/tests/interop/lib/fixtures.py" scan scan.png
python3 - "$(sm3 letter2.pdf)" <<'PY' >sub2.json
import json, sys
d = json.load(open("sub.json"))
d["letter"]["material"] = sys.argv[1]
print(json.dumps(d, ensure_ascii=False))
PY
ok

export ESEAL_CONSOLE_URL="$base/console/" ESEAL_SID="$sid"
export ESEAL_AGENT_TOKEN="$agent" ESEAL_AGG_TOKEN="$agg"
run_spec console
echo "PASS: the console in chromium (screenshots in $ESEAL_SCREENSHOTS)"
