# issuerd.bash — sourced by the interop tests that run one eseal-issuerd: a
# temporary working directory (removed on exit, with the daemon), the
# helpers fail, ok, json, api, expect (lib/api.bash), start_issuerd and
# stop_issuerd. Set ESEAL_TEST_NAME first: it names the temporary directory.
# shellcheck shell=bash

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-${ESEAL_TEST_NAME:-issuer}.XXXXXX")
daemon=
cleanup() {
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

fail() {
    echo "FAIL: $*" >&2
    [ -f daemon.log ] && { echo "--- daemon.log:" >&2; tail -20 daemon.log >&2; }
    exit 1
}
# ok, json, api, expect
# shellcheck source=api.bash
. "$(dirname "${BASH_SOURCE[0]}")/api.bash"

# start_issuerd [ARGS]: eseal-issuerd on a free port with the data in data/
# and the CA in ca/ (and ARGS), logging to daemon.log; sets $daemon, $port
# and $base.
start_issuerd() {
    "$ESEAL_ISSUERD" --port 0 --data data --ca ca "$@" >daemon.log 2>&1 &
    daemon=$!
    port=$(wait_port daemon.log "$daemon")
    base="http://127.0.0.1:$port"
}

# stop_issuerd: SIGTERM to the daemon, which must exit 0 without a sanitizer
# report in daemon.log (counts a check).
stop_issuerd() {
    kill "$daemon"
    local rc=0
    wait "$daemon" 2>/dev/null || rc=$?
    daemon=
    [ "$rc" = 0 ] || fail "eseal-issuerd exited with $rc after SIGTERM"
    grep -q 'ERROR: \(Address\|Leak\)Sanitizer' daemon.log && fail "sanitizer report"
    ok
}
