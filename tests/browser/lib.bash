# lib.bash — the first half of every browser test script (console.sh,
# portal.sh): the tools it needs, the built application (tools/console),
# Playwright from the pinned lock file, a CA, a software token and
# eseal-issuerd on a free loopback port serving the build, the admin's
# token in $admin, and login / account helpers. Then run_spec NAME runs
# NAME.spec.ts in Debian's chromium with screenshots in $ESEAL_SCREENSHOTS.
# Needs ESEAL and ESEAL_ISSUERD; node, npm and /usr/bin/chromium (tools/bootstrap).
# shellcheck shell=bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in node npm curl openssl python3; do
  command -v "$c" >/dev/null || { echo "FAIL: $c is missing (tools/bootstrap installs it)" >&2; exit 1; }
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL: no chromium at ${CHROMIUM:-/usr/bin/chromium} (tools/bootstrap installs it)" >&2; exit 1; }

"$root/tools/console"
(
  exec 9>"$here/.npm.lock"
  flock 9
  if [ ! -d "$here/node_modules/@playwright/test" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  fi
)

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

# run_spec NAME: NAME.spec.ts against this issuer, pages photographed.
run_spec() {
  export ESEAL_API="$base" ESEAL_WORK="$tmp"
  mkdir -p "$ESEAL_SCREENSHOTS"
  (cd "$here" && node_modules/.bin/playwright test --config playwright.config.ts "$1.spec.ts") ||
    fail "the browser test failed (screenshots in $ESEAL_SCREENSHOTS)"
}
