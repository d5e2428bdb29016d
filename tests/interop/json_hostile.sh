#!/usr/bin/env bash
# json_hostile.sh — hostile JSON against every daemon: eseal-issuerd,
# eseal-publisherd and eseal-verifierd on free loopback ports, and for every
# route that takes a body (every JSON route of the issuer, with the role that
# may use it, and the publisher's and verifier's upload routes) three bodies:
# (a) a duplicate key, (b) an array nested 10,000 deep, (c) an object nested
# past the 64-level limit inside a plausible body. Each must answer 400 (413
# where the body is over the route's size limit) with a JSON error saying why (Chinese and English, line and column where the
# parser stopped) and change nothing: the issuer's log size, its listings,
# the submission's state, the publisher's view and the verifier's health are
# compared before and after. A well-formed request on the same route then
# does change the state, so the 400 came from the body and not the state.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, curl,
# openssl and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=json_hostile
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
verifier=
trap 'kill $verifier 2>/dev/null || true; wait $verifier 2>/dev/null || true; cleanup' EXIT

"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$pbase" >verifier.log 2>&1 &
verifier=$!
vport=$(wait_port verifier.log "$verifier")
vbase="http://127.0.0.1:$vport"

# --- the hostile bodies ------------------------------------------------------------------
python3 - <<'PY'
open("deep.json", "w").write("[" * 10000 + "]" * 10000)
# 65 levels inside an otherwise plausible object: within Jansson's own limit
# (2048), past the adapter's (64)
open("nest.json", "w").write('{"decision":' + '{"a":' * 64 + "1" + "}" * 64 + "}")
PY

# hostile KIND MESSAGE...: the last reply (resp.json) is a JSON error of code
# "invalid" whose message holds every MESSAGE.
check_error() {
    local what=$1
    shift
    python3 - "$what" "$@" <<'PY' || { cat resp.json >&2; echo >&2; fail "$1: not the expected error"; }
import json, sys
j = json.load(open("resp.json"))
e = j["error"]
assert e["code"] == "invalid", e
for m in sys.argv[2:]:
    assert m in e["message"], (m, e["message"])
PY
}

# snapshot FILE: everything the hostile requests could have changed, once
# the publisher has caught up with the issuer's log (it polls: a step just
# before may not have reached it yet).
snapshot() {
    for _ in $(seq 1 100); do
        [ "$(curl -s "$ibase/log/checkpoint" | sed -n 2p)" = "$(curl -s "$pbase/log/checkpoint" | sed -n 2p)" ] &&
            break
        sleep 0.05
    done
    {
        curl -s "$ibase/log/checkpoint" | head -2
        api GET /api/v1/submissions "$maker" >/dev/null && cat resp.json
        api GET /api/v1/staff "$admin" >/dev/null && cat resp.json
        api GET "/api/v1/seals/$esid" "$maker" >/dev/null && cat resp.json
        [ -n "${sid2:-}" ] && api GET "/api/v1/submissions/$sid2" "$agent" >/dev/null &&
            cat resp.json
        # without the times a routine refresh changes
        curl -s "$pbase/status/$esid" | grep -o '"\(status\|sealDigest\)": *"[^"]*"'
        curl -s "$pbase/log/checkpoint" | head -2
        curl -s "$vbase/healthz" | grep -o '"\(cacheHits\|trustAnchors\)": *[0-9]*'
    } >"$1"
}

# hostile NAME TOKEN METHOD PATH DUPLICATE-BODY: the three bodies on one route.
hostile() {
    local name=$1 token=$2 method=$3 path=$4 dup=$5
    snapshot before.txt
    expect 400 "$method" "$path" "$token" -H 'Content-Type: application/json' --data-binary "$dup"
    check_error "$name: duplicate key" "重复的键" "duplicate object key" "第 1 行" "line 1, column"
    expect 400 "$method" "$path" "$token" -H 'Content-Type: application/json' \
        --data-binary @deep.json
    check_error "$name: 10,000 deep" "嵌套过深" "maximum parsing depth" "line 1, column 2049"
    expect 400 "$method" "$path" "$token" -H 'Content-Type: application/json' \
        --data-binary @nest.json
    check_error "$name: 65 deep" "嵌套超过 64 层" "nested deeper than 64 levels"
    snapshot after.txt
    cmp -s before.txt after.txt || { diff before.txt after.txt >&2 || true; fail "$name: state changed"; }
    kill -0 "$issuer" || fail "the issuer died"
    ok
}

base=$ibase
# --- sessions and staff --------------------------------------------------------------
hostile login "" POST /api/v1/session \
    "{\"username\":\"admin\",\"password\":\"$ESEAL_ADMIN_PASSWORD\",\"username\":\"admin\"}"
hostile staff "$admin" POST /api/v1/staff \
    '{"username":"maker9","password":"maker-password-9","role":"maker","role":"admin"}'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"maker9","password":"maker-password-9","role":"maker"}'

# --- a new submission through each step ------------------------------------------------
python3 - <<'PY' >doc2.json
import json
d = json.load(open("sub.json"))
d["forms"][0]["seal"]["name"] = "福州市鼓楼区测试局合同专用章"
print(json.dumps(d, ensure_ascii=False))
PY
dup_doc=$(python3 -c 'import sys; t=open("doc2.json").read().strip(); print(t[:-1] + ",\"business\":\"apply\"}")')
hostile create "$agent" POST /api/v1/submissions "$dup_doc"
expect 201 POST /api/v1/submissions "$agent" --data-binary @doc2.json
sid2=$(json resp.json 'j["id"]')
state() { api GET "/api/v1/submissions/$sid2" "$agent" >/dev/null && json resp.json 'j["state"]'; }
draft=$(state)

hostile update "$agent" PUT "/api/v1/submissions/$sid2" "$dup_doc"
expect 200 PUT "/api/v1/submissions/$sid2" "$agent" --data-binary @doc2.json
expect 201 POST "/api/v1/submissions/$sid2/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"

hostile submit "$agent" POST "/api/v1/submissions/$sid2/submit" '{"a":1,"a":1}'
[ "$(state)" = "$draft" ] || fail "submit: the state moved"
expect 200 POST "/api/v1/submissions/$sid2/submit" "$agent"
expect 200 POST "/api/v1/submissions/$sid2/submit" "$agg"
submitted=$(state)
[ "$submitted" != "$draft" ] || fail "a good submit changes the state"

hostile register "$maker" POST "/api/v1/submissions/$sid2/register" '{"onsite":[],"onsite":[]}'
expect 200 POST "/api/v1/submissions/$sid2/register" "$maker" -d '{"paper":"all"}'
registered=$(state)
[ "$registered" != "$submitted" ] || fail "a good register changes the state"

hostile review "$reviewer" POST "/api/v1/submissions/$sid2/review" \
    '{"decision":"approve","decision":"reject"}'
expect 200 POST "/api/v1/submissions/$sid2/review" "$reviewer" -d '{"decision":"approve"}'
approved=$(state)
[ "$approved" != "$registered" ] || fail "a good review changes the state"

hostile produce "$maker" POST "/api/v1/submissions/$sid2/produce" '{"days":30,"days":30}'
[ "$(state)" = "$approved" ] || fail "produce: the state moved"

# --- seals -------------------------------------------------------------------------------
hostile suspend "$maker" POST "/api/v1/seals/$esid/suspend" '{"reason":"lost","reason":"lost"}'
[ "$(pub "/status/$esid")" = 200 ] && [ "$(json pub.out 'j["status"]')" = good ] ||
    fail "the seal is still good"

# refused WANT URL TOKEN BODY: a JSON body on a route that takes another kind
# of body is answered WANT with a JSON error and changes nothing.
refused() {
    local want=$1 url=$2 token=$3 body=$4 auth=() code
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    snapshot before.txt
    code=$(curl -s -o resp.json -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
        --data-binary "$body" "$url")
    [ "$code" = "$want" ] || { cat resp.json >&2; fail "$url: $code for a JSON body, want $want"; }
    json resp.json 'j["error"]["message"]' >/dev/null || fail "$url: no JSON error"
    snapshot after.txt
    cmp -s before.txt after.txt || fail "$url: state changed"
}

# --- the multipart uploads refuse a JSON body as well ------------------------------------
for body in '{"a":1,"a":1}' @deep.json; do
    refused 400 "$ibase/api/v1/submissions/$sid2/materials" "$agent" "$body"
    refused 400 "$ibase/api/v1/submissions/$sid2/handover" "$maker" "$body"
done
ok

# --- the publisher and the verifier take no JSON: their upload routes say so -------------
for body in '{"a":1,"a":1}' @deep.json @nest.json; do
    refused 400 "$vbase/api/v1/verify" "" "$body"
done
refused 400 "$pbase/ocsp" "" '{"a":1,"a":1}'
refused 400 "$pbase/ocsp" "" @nest.json
# 20,000 bytes are over the OCSP route's 4 KiB body limit: refused before reading
refused 413 "$pbase/ocsp" "" @deep.json
kill -0 "$publisher" || fail "the publisher died"
kill -0 "$verifier" || fail "the verifier died"
ok

# --- and the log still audits ------------------------------------------------------------
"$ESEAL" log verify --url "$ibase" --key ca/log.pub >audit.out 2>&1 || { cat audit.out >&2; fail "log verify"; }
ok

echo "json_hostile: $passed groups passed"
