# playwright.bash — what every browser test script needs before its
# daemons: node, npm and Debian's chromium, Playwright from the pinned lock
# file (installed once, under a lock), and run_spec NAME, which runs
# NAME.spec.ts against $base (exported as ESEAL_API; $tmp as ESEAL_WORK)
# with screenshots in $ESEAL_SCREENSHOTS. Sourced by lib.bash (the
# issuer's pages) and verifier.sh (the public pages).
# shellcheck shell=bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
for c in node npm curl openssl python3; do
  command -v "$c" >/dev/null || { echo "FAIL: $c is missing (tools/bootstrap installs it)" >&2; exit 1; }
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "FAIL: no chromium at ${CHROMIUM:-/usr/bin/chromium} (tools/bootstrap installs it)" >&2; exit 1; }
(
  exec 9>"$here/.npm.lock"
  flock 9
  if [ ! -d "$here/node_modules/@playwright/test" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  fi
)

# run_spec NAME: NAME.spec.ts against $base, pages photographed.
run_spec() {
  export ESEAL_API="$base" ESEAL_WORK="$tmp"
  mkdir -p "$ESEAL_SCREENSHOTS"
  (cd "$here" && node_modules/.bin/playwright test --config playwright.config.ts "$1.spec.ts") ||
    fail "the browser test failed (screenshots in $ESEAL_SCREENSHOTS)"
}
