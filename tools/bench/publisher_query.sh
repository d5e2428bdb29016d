#!/usr/bin/env bash
# publisher_query.sh — status queries and OCSP requests per second that
# eseal-publisherd answers on loopback, each next to a baseline measured in
# the same run with the same load:
#   1. GET /status/{esID} (the DER, Accept: application/eseal-status) over
#      SEALS esIDs chosen at random (wrk + lib/status.lua), against nginx
#      serving the very same responses as static files (same worker count);
#      target: publisher / nginx >= 0.5. The same again with a new
#      connection per request (ab without keep-alive) on one esID: the
#      per-connection cost (#17), target >= 0.5 too.
#   2. POST /ocsp with a request made by `openssl ocsp -no_nonce -reqout`
#      (the RFC 5019 profile: one certificate, SHA-1 CertID, no nonce) (ab:
#      wrk cannot be used, its start-up probe connection, closed without a
#      request, makes the OpenSSL 3.0 responder spin on EOF for ever),
#      against `openssl ocsp -index … -port` answering the same request (one
#      process, signs each response with SM2/SM3); the publisher answers it
#      with its pre-signed response. One connection per request for both
#      (the openssl responder does no keep-alive), the publisher with
#      keep-alive printed too, and the publisher signing per request (the
#      same request with a nonce) as a second line; the SM2 sign rate of
#      one CPU (`openssl speed sm2`) alongside, which bounds every signing
#      responder; target: publisher / openssl >= 5.
# A benchmark, not a test: it prints numbers and judges nothing.
#
# Fairness on a 2-CPU machine: every server is pinned to CPU 0 (taskset),
# wrk and ab to CPU 1 (-t1 -c CONNS / -c CONNS), so load generator and server never
# compete; the publisher runs WORKERS HTTP threads, nginx WORKERS worker
# processes (access logs off for both), openssl ocsp its one process. The
# publisher follows a local synthetic log (lib/seals.py) and is idle while
# measured (everything applied). wrk and nginx are installed if missing
# (tools/bootstrap bench).
#
# usage: tools/bench/publisher_query.sh [BUILD_DIR]
#   SEALS      seals in the log (default 10000)
#   DURATION   seconds per wrk run (default 10)
#   CONNS      wrk connections (default 32)
#   WORKERS    publisher HTTP threads = nginx workers (default 2)
set -euo pipefail
BENCH_NAME=publisher_query.sh
# shellcheck source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"
need wrk ab nginx taskset openssl
seals=${SEALS:-10000}
duration=${DURATION:-10}
conns=${CONNS:-32}
workers=${WORKERS:-2}
server_cpu=0 load_cpu=1
[ "$(nproc)" -ge 2 ] || load_cpu=0

echo "eseal publisher query benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
echo "load: wrk -t1 -c$conns -d${duration}s on CPU $load_cpu; servers on CPU $server_cpu;" \
    "$workers publisher HTTP threads = nginx workers; $seals seals"
make_log log "$seals"
start_publisher publisher.log --data pdata --log log --threads "$workers"
taskset -a -c -p "$server_cpu" "$publisher" >/dev/null
wait_position "$seals"

# --- 1. status queries: the publisher and nginx with the same files ----------------------
save_statuses "$pport" "$seals" www/status
chmod -R a+rX "$work"
nport=$(free_port)
{
    nginx_prelude "$workers"
    cat <<CONF
    types { }
    default_type application/eseal-status;
    server {
        listen 127.0.0.1:$nport;
        root $work/www;
        location /status/ { add_header Cache-Control "public, max-age=86400"; }
    }
}
CONF
} >nginx.conf
start_nginx "$nport"
one=$(python3 "$bench_lib/seals.py" esid 7)
cmp -s <(curl -s "http://127.0.0.1:$nport/status/$one") \
    <(curl -s -H 'Accept: application/eseal-status' "$pbase/status/$one") ||
    { echo "$BENCH_NAME: nginx does not serve the publisher's response" >&2; cat nginx.err >&2; exit 1; }
pub_rps=$(wrk_rps status-publisher "$pbase" status.lua SEALS="$seals")
ngx_rps=$(wrk_rps status-nginx "http://127.0.0.1:$nport" status.lua SEALS="$seals")
# new_conn_rps NAME URL [ab options]: GET URL with a new connection per
# request (ab without -k: HTTP/1.0, no keep-alive), as OCSP clients do;
# prints requests/s, keeps NAME.ab
new_conn_rps() {
    local name=$1 url=$2
    shift 2
    taskset -c "$load_cpu" ab -q "$@" -t "$duration" -n 10000000 -c "$conns" "$url" \
        >"$name.ab" 2>&1 || { cat "$name.ab" >&2; exit 1; }
    grep -q 'Non-2xx' "$name.ab" && echo "warning: $name: $(grep 'Non-2xx' "$name.ab")" >&2
    awk '/^Requests per second:/ { print int($4) }' "$name.ab"
}
pub_new=$(new_conn_rps status-publisher-new "$pbase/status/$one" -H 'Accept: application/eseal-status')
ngx_new=$(new_conn_rps status-nginx-new "http://127.0.0.1:$nport/status/$one")
stop "$nginx"

# --- 2. OCSP: the publisher and openssl ocsp with the same requests ------------------------
openssl genpkey -algorithm SM2 -out ocsp.key 2>/dev/null
openssl req -new -x509 -key ocsp.key -sm3 -sigopt distid:1234567812345678 -subj "/CN=bench openssl ocsp" \
    -days 2 -out ocsp.pem 2>/dev/null
: >index.txt
serial=$(python3 "$bench_lib/seals.py" serial 7)
printf 'V\t360101000000Z\t\t%s\tunknown\t/CN=seal 7\n' "$serial" >index.txt
openssl ocsp -issuer ca/root.pem -serial "0x$serial" -no_nonce -reqout req0.der >/dev/null 2>&1
openssl ocsp -issuer ca/root.pem -serial "0x$serial" -reqout req-nonce.der >/dev/null 2>&1
oport=$(free_port)
daemon openssl-ocsp.log taskset -c "$server_cpu" openssl ocsp -index index.txt -port "$oport" \
    -CA ca/root.pem -rsigner ocsp.pem -rkey ocsp.key -rmd sm3 -rsigopt distid:1234567812345678 -ndays 1
for _ in $(seq 1 50); do
    grep -q 'Waiting for OCSP' openssl-ocsp.log && break
    sleep 0.1
done
# both answer "good" to the same request
for url in "http://127.0.0.1:$oport/" "$pbase/ocsp"; do
    curl -s -H 'Content-Type: application/ocsp-request' --data-binary @req0.der -o resp.der "$url"
    openssl ocsp -respin resp.der -resp_text -noverify 2>/dev/null | grep -q 'Cert Status: good' ||
        { echo "$BENCH_NAME: $url does not say good" >&2; cat openssl-ocsp.log >&2; exit 1; }
done
# the publisher's answer is the pre-signed one: the same bytes every time
curl -s -H 'Content-Type: application/ocsp-request' --data-binary @req0.der -o resp2.der "$pbase/ocsp"
cmp -s resp.der resp2.der ||
    { echo "$BENCH_NAME: the publisher signs the request (not pre-signed)" >&2; exit 1; }
# ab_rps NAME URL [ab options]: one ab run POSTing one request (ab takes
# one body: $body, default req0.der); prints requests/s, keeps NAME.ab.
# "Length" failures are expected (SM2 signatures vary in length), others
# are not.
ab_rps() {
    local name=$1 url=$2
    shift 2
    taskset -c "$load_cpu" ab -q "$@" -t "$duration" -n 10000000 -c "$conns" -p "${body:-req0.der}" \
        -T application/ocsp-request "$url" >"$name.ab" 2>&1 || { cat "$name.ab" >&2; exit 1; }
    local bad
    bad=$(sed -n 's/.*Connect: \([0-9]*\), Receive: \([0-9]*\), Length: [0-9]*, Exceptions: \([0-9]*\).*/\1 \2 \3/p' "$name.ab")
    if { [ -n "$bad" ] && [ "$bad" != "0 0 0" ]; } || grep -q 'Non-2xx' "$name.ab"; then
        echo "warning: $name: connect/receive/exception failures $bad; $(grep 'Non-2xx' "$name.ab" || true)" >&2
    fi
    awk '/^Requests per second:/ { print int($4) }' "$name.ab"
}
ab_p99() { awk '$1 == "99%" { print $2 "ms" }' "$1.ab"; }
pub_ocsp_ka=$(ab_rps ocsp-publisher-keepalive "$pbase/ocsp" -k)
pub_ocsp=$(ab_rps ocsp-publisher "$pbase/ocsp")
pub_ocsp_signed=$(body=req-nonce.der ab_rps ocsp-publisher-signed "$pbase/ocsp")
ossl_ocsp=$(ab_rps ocsp-openssl "http://127.0.0.1:$oport/")
sign=$(taskset -c "$server_cpu" openssl speed -seconds 3 sm2 2>/dev/null | awk '/SM2/ { print int($(NF - 1)) }')

printf 'status GET (DER):  eseal-publisherd %8d req/s (p99 %s)   nginx static files %8d req/s (p99 %s)\n' \
    "$pub_rps" "$(p99 status-publisher)" "$ngx_rps" "$(p99 status-nginx)"
printf 'status GET, new connection each: eseal-publisherd %8d req/s   nginx %8d req/s\n' \
    "$pub_new" "$ngx_new"
printf 'OCSP POST:         eseal-publisherd %8d req/s (p99 %s)   openssl ocsp -port %8d req/s (p99 %s)\n' \
    "$pub_ocsp" "$(ab_p99 ocsp-publisher)" "$ossl_ocsp" "$(ab_p99 ocsp-openssl)"
printf '                   (publisher with keep-alive %d req/s; openssl speed sm2 on CPU %s: %d signs/s)\n' \
    "$pub_ocsp_ka" "$server_cpu" "$sign"
printf 'OCSP POST, nonce:  eseal-publisherd %8d req/s (p99 %s)   (signed per request)\n' \
    "$pub_ocsp_signed" "$(ab_p99 ocsp-publisher-signed)"
python3 - "$pub_rps" "$ngx_rps" "$pub_ocsp" "$ossl_ocsp" "$pub_new" "$ngx_new" <<'PY'
import sys
a, b, c, d, e, f = map(int, sys.argv[1:])
r1 = a / b if b else float("inf")
r2 = c / d if d else float("inf")
r3 = e / f if f else float("inf")
print("ratio: publisher / nginx = %.2f (target >= 0.5: %s)" % (r1, "met" if r1 >= 0.5 else "NOT met"))
print("ratio: publisher / nginx, new connection per request = %.2f (target >= 0.5: %s)"
      % (r3, "met" if r3 >= 0.5 else "NOT met"))
print("ratio: publisher OCSP / openssl ocsp = %.1f (target >= 5: %s)" % (r2, "met" if r2 >= 5 else "NOT met"))
PY
