#!/usr/bin/env bash
# portal.sh — the applicants' portal in a real browser (ctest browser/portal).
# Sets up a CA and eseal-issuerd serving the built application (lib.bash),
# the accounts (a province-level unit's agent, two Fuzhou units' agents,
# Fuzhou's aggregator, a maker and a reviewer) and two Fuzhou units'
# applications filed through the API and collected by the aggregator. Then
# portal.spec.ts (Playwright, Debian's chromium): the province unit's agent
# fills in a two-seal application with its uploads entirely in the browser
# and submits it; the reviewer rejects it (through the API); the agent sees
# the reasons beside the fields, rectifies and resubmits; the aggregator
# puts the two Fuzhou applications into one batch and submits it.
# Screenshots go to $ESEAL_SCREENSHOTS (default build/screenshots/portal).
set -euo pipefail
export ESEAL_SCREENSHOTS=${ESEAL_SCREENSHOTS:-$(cd "$(dirname "$0")/../.." && pwd)/build/screenshots/portal}
export ESEAL_TEST_NAME=portal
# shellcheck source=lib.bash
. "$(dirname "$0")/lib.bash" # CA, token, issuerd, $admin, login, account, run_spec

account '{"username":"prov.agent","password":"agent-password-1","role":"agent","unit":"11350000M00020000J","office":"办公室","leader":"张分管"}'
account '{"username":"agent.a","password":"agent-password-2","role":"agent","unit":"12350100M00030000C"}'
account '{"username":"agent.b","password":"agent-password-3","role":"agent","unit":"12350100M000400004"}'
account '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100"}'
account '{"username":"li.maker","password":"maker-password-1","role":"maker"}'
account '{"username":"wang.reviewer","password":"reviewer-password-1","role":"reviewer"}'
ok

# Two Fuzhou units' applications, each sent to the aggregator (collected).
file_unit() { # DIR USER PASSWORD NAME USCC
  mkdir -p "$1" && (
    cd "$1"
    UNIT=$4 USCC=$5
    tok=$(login "$2" "$3")
    write_apply_submission
    expect 201 POST /api/v1/submissions "$tok" --data-binary @sub.json
    id=$(json resp.json 'j["id"]')
    expect 201 POST "/api/v1/submissions/$id/materials" "$tok" \
      -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
    expect 200 POST "/api/v1/submissions/$id/submit" "$tok"
    [ "$(json resp.json 'j["state"]')" = collected ] || fail "$4: collected by the aggregator"
  )
}
file_unit a agent.a agent-password-2 '福州市测试甲中心' 12350100M00030000C
file_unit b agent.b agent-password-3 '福州市测试乙中心' 12350100M000400004
ok

# What the province unit's agent uploads from the browser.
fx="$root/tests/interop/lib/fixtures.py"
python3 "$fx" pdf letter.pdf "Red-header letter" "Fujian Provincial Test Office"
python3 "$fx" pdf form1.pdf "Application form 1, signed and stamped"
python3 "$fx" pdf form2.pdf "Application form 2, signed and stamped"
python3 "$fx" pdf summary.pdf "Summary table, signed and stamped"
python3 "$fx" stamp stamp.png
python3 "$fx" stamp stamp2.png 2 # one impression per seal: a shared one is a special case
head -c $((3 * 1024 * 1024)) /dev/zero >toolarge.png # over the impression's 2 MiB limit

# The province unit's two USB KEYs and their requests, read on site at production.
for k in 1 2; do
  "$ESEAL" token init --dir "key$k" >/dev/null
  "$ESEAL" token show --dir "key$k" --json >"key$k.json"
  json "key$k.json" 'j["id"]' >"key$k.id"
  "$ESEAL" token csr --dir "key$k" --subject "/C=CN/O=福建省测试事务中心/serialNumber=11350000M00020000J" --out "key$k.csr" >/dev/null
done
python3 "$fx" pdf intro.pdf "Introduction letter"
python3 "$fx" png idcopy.png

export ESEAL_PORTAL_URL="$base/portal/" ESEAL_FIXTURES="$fx"
export ESEAL_MAKER_TOKEN ESEAL_REVIEWER_TOKEN
ESEAL_MAKER_TOKEN=$(login li.maker maker-password-1)
ESEAL_REVIEWER_TOKEN=$(login wang.reviewer reviewer-password-1)
run_spec ${ESEAL_SPEC:-portal}
echo "PASS: the portal in chromium (screenshots in $ESEAL_SCREENSHOTS)"
