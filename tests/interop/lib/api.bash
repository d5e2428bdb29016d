# api.bash — the HTTP helpers the issuer interop scripts share, over curl and
# python3: ok counts a passed check in $passed; json FILE EXPR evaluates a
# python expression over the JSON in FILE as j; api METHOD PATH TOKEN [curl
# args] calls $base, leaves the body in resp.json, the headers in resp.hdr
# and prints the status;
# expect STATUS METHOD PATH TOKEN [curl args] fails unless the status is
# STATUS (and counts a check); wait_port LOG PID waits for a daemon started
# with --port 0 to log its port, and prints it. The caller defines fail MESSAGE.
# shellcheck shell=bash

passed=0
wait_port() {
    local log=$1 pid=$2 port=
    for _ in $(seq 1 100); do
        # the log may not exist yet: the daemon's shell opens it after the fork
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" 2>/dev/null | tail -1 || true)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || fail "$log: daemon exited"
        sleep 0.1
    done
    [ -n "$port" ] || fail "$log: daemon did not start"
    echo "$port"
}
ok() { passed=$((passed + 1)); }
json() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
api() {
    local method=$1 path=$2 token=$3
    shift 3
    local auth=()
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    curl -s -o resp.json -D resp.hdr -w '%{http_code}' -X "$method" "${auth[@]}" "$@" "$base$path"
}
expect() {
    local want=$1
    shift
    local got
    got=$(api "$@")
    [ "$got" = "$want" ] || { cat resp.json >&2; echo >&2; fail "$2 $3: status $got, want $want"; }
    ok
}
# login USER PASSWORD prints a bearer token of the account (a refusal fails).
login() {
    expect 200 POST /api/v1/session "" -d "{\"username\":\"$1\",\"password\":\"$2\"}"
    json resp.json 'j["token"]'
}
