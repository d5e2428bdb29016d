# lib.bash — the first half of every browser test script (console.sh,
# portal.sh): the tools it needs, the built application (tools/console),
# Playwright from the pinned lock file, a CA, a software token and
# eseal-issuerd on a free loopback port serving the build, the admin's
# token in $admin, and login / account helpers. Then run_spec NAME
# (playwright.bash) runs NAME.spec.ts in Debian's chromium with screenshots
# in $ESEAL_SCREENSHOTS.
# Needs ESEAL and ESEAL_ISSUERD; node, npm and /usr/bin/chromium (tools/bootstrap).
# shellcheck shell=bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
# shellcheck source=playwright.bash
. "$here/playwright.bash" # node, chromium, Playwright; run_spec
"$root/tools/console"

# shellcheck source=../interop/lib/issuerd.bash
. "$root/tests/interop/lib/issuerd.bash" # $tmp (cwd), fail, json, api, expect, start_issuerd
# shellcheck source=../interop/lib/submission.bash
. "$root/tests/interop/lib/submission.bash"
export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN='123456'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'

"$ESEAL" ca init --dir ca >/dev/null
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token show --dir tok --json >tok.json
export ESEAL_TOKEN_ID
ESEAL_TOKEN_ID=$(json tok.json 'j["id"]')
start_issuerd --console_dir "$root/issuer/console/dist" --session_idle 900

admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
account() { expect 201 POST /api/v1/staff "$admin" -d "$1"; }
