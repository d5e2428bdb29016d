# issuerd.bash — sourced by the interop tests that run one eseal-issuerd: a
# temporary working directory (removed on exit, with the daemon), the
# helpers fail, ok, json, api, expect and start_issuerd. Set
# ESEAL_TEST_NAME first: it names the temporary directory.
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

passed=0
fail() {
    echo "FAIL: $*" >&2
    [ -f daemon.log ] && { echo "--- daemon.log:" >&2; tail -20 daemon.log >&2; }
    exit 1
}
ok() { passed=$((passed + 1)); }

# json FILE EXPR: evaluate a python expression over the JSON in FILE as j.
json() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# api METHOD PATH TOKEN [curl args]: the reply body goes to resp.json, its
# headers to resp.hdr; the status is printed.
api() {
    local method=$1 path=$2 token=$3
    shift 3
    local auth=()
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    curl -s -o resp.json -D resp.hdr -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$base$path"
}
# expect STATUS METHOD PATH TOKEN [curl args]
expect() {
    local want=$1
    shift
    local got
    got=$(api "$@")
    [ "$got" = "$want" ] || { cat resp.json >&2; echo >&2; fail "$2 $3: status $got, want $want"; }
    ok
}

# start_issuerd [ARGS]: eseal-issuerd on a free port with the data in data/
# and the CA in ca/ (and ARGS), logging to daemon.log; sets $daemon, $port
# and $base.
start_issuerd() {
    "$ESEAL_ISSUERD" --port 0 --data data --ca ca "$@" >daemon.log 2>&1 &
    daemon=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' daemon.log)
        [ -n "$port" ] && break
        kill -0 "$daemon" 2>/dev/null || fail "eseal-issuerd exited"
        sleep 0.1
    done
    [ -n "$port" ] || fail "eseal-issuerd did not start"
    base="http://127.0.0.1:$port"
}
