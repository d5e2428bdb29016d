#!/usr/bin/env bash
# http_hostile.sh — the hostile HTTP corpus (#17) against all three daemons:
# eseal-issuerd (serving a console build from console/), eseal-publisherd
# following it, and eseal-verifierd, on free loopback ports. For each,
# hostile/corpus.py sends raw requests over plain sockets: header abuse
# (huge, many, duplicate Content-Length, CL+TE, obs-fold, bad Host, invalid
# methods), bad request lines (HTTP/2 preface, TLS, garbage, pipelined
# garbage and smuggling), path traversal in every encoding on the static and
# file routes, hostile JSON (deep, wide, oversize) and bad multipart
# (missing or huge boundary, unterminated, huge part headers, 0 bytes) on
# every upload route, and slow clients (short and bounded) while a good
# client is served. Asserts: no 5xx but libmicrohttpd's 501/505 for a
# method or version it does not speak, no secret file in any reply, the
# daemon alive and serving after each group, and no state change: the
# issuer's checkpoint, its submissions (and a draft's materials), the
# publisher's status and checkpoint are the same before and after. Then a
# well-formed client still changes the state, the log audits, and each
# daemon stops cleanly on SIGTERM without a sanitizer report.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, curl,
# openssl and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=http_hostile
ESEAL_TEST_ISSUER_ARGS="--console_dir console"
corpus=$(cd "$(dirname "$0")" && pwd)/hostile/corpus.py
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
verifier=
trap 'kill $verifier 2>/dev/null || true; wait $verifier 2>/dev/null || true; cleanup' EXIT

# a console build with a file beside it that no request may reach
mkdir -p console/assets
echo '<!DOCTYPE html><title>CONSOLE-INDEX</title>' >console/index.html
echo '<!DOCTYPE html><title>PORTAL-INDEX</title>' >console/portal.html
echo 'console.log(1)' >console/assets/index-AbCdEf12.js
echo 'HIDDEN-MARKER-5521' >console/.hidden.js
echo 'TOPSECRET-MARKER-7731' >secret.txt

"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$pbase" >verifier.log 2>&1 &
verifier=$!
vport=$(wait_port verifier.log "$verifier")
base=$ibase

# a draft the uploads aim at: a good upload would add materials to it
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
sid2=$(json resp.json 'j["id"]')
code=$(curl -s -o page.html -w '%{http_code}' "$ibase/console/")
[ "$code" = 200 ] && grep -q CONSOLE-INDEX page.html || fail "the console is not served: $code"
ok

# snapshot FILE: what a hostile request could change.
snapshot() {
    {
        curl -s "$ibase/log/checkpoint" | head -2
        api GET /api/v1/submissions "$maker" >/dev/null && cat resp.json
        api GET /api/v1/submissions "$agent" >/dev/null && cat resp.json
        api GET "/api/v1/submissions/$sid2" "$agent" >/dev/null && cat resp.json
        api GET /api/v1/staff "$admin" >/dev/null && cat resp.json
        curl -s "$pbase/status/$esid" | grep -o '"\(status\|sealDigest\)": *"[^"]*"'
        curl -s "$pbase/log/checkpoint" | head -2
    } >"$1"
}
snapshot before.txt
setup_s=$SECONDS

# context DAEMON: what the corpus needs to aim at DAEMON's routes.
python3 - "$agent" "$maker" "$sid" "$sid2" "$esid" <<'PY'
import json, sys
agent, maker, sid, sid2, esid = sys.argv[1:]
secrets = ["TOPSECRET-MARKER-7731", "HIDDEN-MARKER-5521", "correct horse battery staple"]
P = lambda *p: [{"path": x} for x in p]
json.dump({"good": "/log/checkpoint", "secrets": secrets, "token": agent,
           "file_prefixes": P("/console/", "/console/assets/", "/portal/", "/api/v1/print/templates/",
                              "/public/seals/", "/") +
                            [{"path": "/api/v1/submissions/%s/materials/" % sid2, "auth": True},
                             {"path": "/api/v1/seals/", "auth": True}],
           "json_routes": [{"path": "/api/v1/session"},
                           {"path": "/api/v1/submissions", "token": agent},
                           {"path": "/api/v1/submissions/%s/submit" % sid2, "token": agent}],
           "upload_routes": [{"path": "/api/v1/submissions/%s/materials" % sid2, "token": agent,
                              "field": "letter"},
                             {"path": "/api/v1/submissions/%s/handover" % sid, "token": maker,
                              "field": "introduction_letter"}],
           "slow_body_path": "/api/v1/session"}, open("issuer.ctx", "w"))
json.dump({"good": "/healthz", "secrets": secrets,
           "file_prefixes": P("/crl/", "/pictures/", "/ocsp/", "/status/", "/status/by-serial/",
                              "/lists/", "/seals/", "/certs/", "/"),
           "json_routes": [{"path": "/ocsp"}, {"path": "/tsa"}],
           "slow_body_path": "/tsa"}, open("publisher.ctx", "w"))
json.dump({"good": "/healthz", "secrets": secrets, "file_prefixes": P("/", "/verify/"),
           "json_routes": [{"path": "/api/v1/verify"}],
           "upload_routes": [{"path": "/api/v1/verify"}, {"path": "/verify"}],
           "slow_body_path": "/api/v1/verify"}, open("verifier.ctx", "w"))
PY

# the three daemons at once: each has its own connection caps
python3 "$corpus" issuer "$iport" "$issuer" issuer.ctx >corpus-issuer.out 2>&1 & c1=$!
python3 "$corpus" publisher "$pport" "$publisher" publisher.ctx >corpus-publisher.out 2>&1 & c2=$!
python3 "$corpus" verifier "$vport" "$verifier" verifier.ctx >corpus-verifier.out 2>&1 & c3=$!
rc=0
for c in $c1 $c2 $c3; do wait "$c" || rc=1; done
cat corpus-issuer.out corpus-publisher.out corpus-verifier.out
[ "$rc" = 0 ] || fail "the hostile corpus found problems (above)"
corpus_s=$((SECONDS - setup_s))
ok

snapshot after.txt
if ! cmp -s before.txt after.txt; then
    diff before.txt after.txt >&2 || true
    grep -h -- '-> \[2' corpus-*.log >&2 || true
    fail "a hostile request changed the state (the cases answered 2xx above)"
fi
ok

# a well-formed client still changes the state (a file name is only a name),
# and the log audits
expect 201 POST "/api/v1/submissions/$sid2/materials" "$agent" \
    -F "letter=@letter.pdf;filename=../../../../$tmp/evil.pdf" -F "form=@form.pdf" \
    -F "impression=@impression.png"
[ ! -e evil.pdf ] && [ ! -e "$tmp/evil.pdf" ] || fail "an upload's file name made a file"
snapshot good.txt
cmp -s before.txt good.txt && fail "a good upload changed nothing"
"$ESEAL" log verify --url "$ibase" --key ca/log.pub >audit.out 2>&1 || { cat audit.out >&2; fail "log verify"; }
[ "$(pub "/status/$esid")" = 200 ] && [ "$(json pub.out 'j["status"]')" = good ] || fail "the seal is not good"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$vport/healthz")
[ "$code" = 200 ] || fail "the verifier after the corpus: $code"
ok

# each daemon stops cleanly, without a sanitizer report
for d in issuer publisher verifier; do
    pid=${!d}
    kill "$pid"
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    eval "$d="
    [ "$rc" = 0 ] || fail "$d exited with $rc after SIGTERM"
    if grep -q 'ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error:' "$d.log"; then
        cat "$d.log" >&2
        fail "$d: sanitizer report"
    fi
done
ok
echo "http_hostile: $passed checks passed (set-up ${setup_s} s, corpus ${corpus_s} s)"
