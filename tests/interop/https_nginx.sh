#!/usr/bin/env bash
# https_nginx.sh — outgoing HTTPS through a real nginx terminating TLS with a
# test certificate made by the openssl CLI, in front of eseal-issuerd and
# eseal-publisherd (lib/platform.bash): a second publisher follows the
# issuer's log over https:// (--log, --issuer, --ca-file) until it sees the
# seal; `eseal issuer` logs in and lists staff; `eseal verify` and
# eseal-verifierd fetch signed status over https://
# and pass a stamped document; `eseal log verify --url https://` audits the
# log. Without the CA file every one of them refuses the certificate and
# says so. nginx runs in the foreground on free loopback ports with its own
# prefix and configuration, started and stopped here; if nginx cannot run
# at all the test is skipped (exit 77) with the reason.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, nginx, curl,
# openssl and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=https
# shellcheck source=lib/nginx.bash
. "$(dirname "$0")/lib/nginx.bash" # nginx_tls, free_port, start_nginx
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
nginx= publisher2= verifier=
trap 'for p in $nginx $publisher2 $verifier; do kill $p 2>/dev/null || true; wait $p 2>/dev/null || true; done; cleanup' EXIT

# --- the certificate and nginx ---------------------------------------------------------
nginx_tls
ips=$(free_port) pps=$(free_port)
start_nginx 64 <<CONF
    ssl_certificate $tmp/tls.pem;
    ssl_certificate_key $tmp/tls.key;
    client_max_body_size 64m;
    server { listen 127.0.0.1:$ips ssl; location / { proxy_pass $ibase; } }
    server { listen 127.0.0.1:$pps ssl; location / { proxy_pass $pbase; } }
CONF
isecure="https://localhost:$ips" psecure="https://localhost:$pps"
for _ in $(seq 1 100); do
    curl -sf --cacert tls.pem -o /dev/null "$psecure/certs/responder.pem" && break
    kill -0 "$nginx" 2>/dev/null || { cat nginx/out.log nginx/logs/error.log >&2; fail "nginx exited"; }
    sleep 0.1
done
curl -sf --cacert tls.pem -o /dev/null "$isecure/log/checkpoint" || fail "nginx in front of the issuer"
ok

# --- the log over https ----------------------------------------------------------------
"$ESEAL" log verify --url "$isecure" --ca-file tls.pem --key ca/log.pub >audit.out 2>&1 ||
    { cat audit.out >&2; fail "eseal log verify --url https://"; }
rc=0
"$ESEAL" log verify --url "$isecure" --key ca/log.pub >audit2.out 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q '不受信任.*not trusted by the system CA store' audit2.out ||
    { cat audit2.out >&2; fail "eseal log verify without --ca-file: exit $rc"; }
rc=0
"$ESEAL" log verify --url "$isecure" --ca-file nonexistent.pem --key ca/log.pub 2>audit3.out || rc=$?
[ "$rc" = 2 ] && grep -q 'nonexistent.pem' audit3.out || fail "--ca-file nonexistent.pem: exit $rc"
"$ESEAL" log show --url "$isecure" --ca-file tls.pem --start 0 --end 1 | grep -q '"seq":0' ||
    fail "eseal log show --url https://"
ok

# --- eseal issuer over https: login, then a request with the session ----------------
ESEAL_PASSWORD="$ESEAL_ADMIN_PASSWORD" "$ESEAL" issuer login --url "$isecure" --ca-file tls.pem \
    --user admin --session session.json >login.out 2>&1 || { cat login.out >&2; fail "issuer login over https"; }
"$ESEAL" issuer staff list --session session.json --ca-file tls.pem --json >staff.json ||
    fail "eseal issuer staff list over https"
grep -q '"agent1"' staff.json || { cat staff.json >&2; fail "staff list over https"; }
rc=0
"$ESEAL" issuer staff list --session session.json >staff2.out 2>&1 || rc=$?
[ "$rc" = 3 ] && grep -q 'not trusted' staff2.out ||
    { cat staff2.out >&2; fail "eseal issuer without --ca-file: exit $rc, want 3"; }
ok

# --- a publisher following the issuer over https --------------------------------------
"$ESEAL_PUBLISHERD" --port 0 --data pdata2 --ca ca --log "$isecure" --issuer "$isecure" \
    --ca-file tls.pem --poll_ms 50 >publisher2.log 2>&1 &
publisher2=$!
p2base="http://127.0.0.1:$(wait_port publisher2.log "$publisher2")"
got=
for _ in $(seq 1 200); do
    got=$(curl -s "$p2base/status/$esid" |
        python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' 2>/dev/null || true)
    [ "$got" = good ] && break
    sleep 0.1
done
[ "$got" = good ] || fail "the publisher following https:// shows '$got' for $esid, want good"
# the seal file (name, picture) came from --issuer over https
for _ in $(seq 1 100); do
    curl -s -o seal2.json "$p2base/seals/$esid"
    [ "$(json seal2.json 'j.get("picture")')" != None ] && break
    sleep 0.1
done
[ "$(json seal2.json 'j["name"]')" = "$UNIT" ] || { cat seal2.json >&2; fail "seal file over https"; }
ok
# without the CA file it starts but cannot follow, and says why
"$ESEAL_PUBLISHERD" --port 0 --data pdata3 --ca ca --log "$isecure" --poll_ms 50 \
    >publisher3.log 2>&1 &
publisher3=$!
for _ in $(seq 1 100); do
    grep -q 'not trusted' publisher3.log && break
    sleep 0.1
done
kill "$publisher3"
wait "$publisher3" 2>/dev/null || true
grep -q '不受信任.*not trusted' publisher3.log || { cat publisher3.log >&2; fail "publisher without --ca-file"; }
"$ESEAL_PUBLISHERD" --port 0 --data pdata3 --ca ca --log "$isecure" --ca-file nonexistent.pem \
    >publisher4.log 2>&1 && fail "publisher starts with a missing CA file"
grep -q 'nonexistent.pem' publisher4.log || fail "publisher names the missing CA file"
ok

# --- verifying with status over https ---------------------------------------------------
curl -s -H "Authorization: Bearer $agent" -o seal.esl "$ibase/api/v1/seals/$esid/seal.esl"
curl -s -H "Authorization: Bearer $agent" -o cert.pem "$ibase/api/v1/seals/$esid/cert.pem"
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'contract text / 合同正文\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null || fail "stamp"
# verdict FILE: "INDICATION SUB STATUS-CHECK-STATUS"
verdict() {
    python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
st = [c["status"] for c in j["checks"] if c["key"] == "status"]
print(j["indication"], j["subIndication"] or "-", st[0] if st else "-")
PY
}
rc=0
"$ESEAL" verify --json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-url "$psecure" --ca-file tls.pem >good.json 2>verify.err || rc=$?
[ "$rc" = 0 ] && [ "$(verdict good.json)" = "TOTAL_PASSED - PASSED" ] ||
    { cat good.json verify.err >&2; fail "eseal verify --status-url https://: exit $rc"; }
rc=0
"$ESEAL" verify --json contract.txt --sig contract.txt.ses --trust ca/root.pem \
    --status-url "$psecure" >untrusted.json 2>verify.err || rc=$?
[ "$rc" = 2 ] && [ "$(verdict untrusted.json)" = "INDETERMINATE TRY_LATER INDETERMINATE" ] &&
    grep -q 'not trusted' untrusted.json ||
    { cat untrusted.json verify.err >&2; fail "eseal verify without --ca-file: exit $rc"; }
ok

"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$psecure" --ca-file tls.pem \
    >verifier.log 2>&1 &
verifier=$!
vbase="http://127.0.0.1:$(wait_port verifier.log "$verifier")"
code=$(curl -s -o health.json -w '%{http_code}' "$vbase/healthz")
[ "$code" = 200 ] && [ "$(json health.json 'j["status"]["reachable"]')" = True ] ||
    { cat health.json >&2; fail "eseal-verifierd /healthz over https: $code"; }
code=$(curl -s -o vgood.json -w '%{http_code}' -F document=@contract.txt \
    -F signature=@contract.txt.ses "$vbase/api/v1/verify")
[ "$code" = 200 ] && [ "$(verdict vgood.json)" = "TOTAL_PASSED - PASSED" ] ||
    { cat vgood.json >&2; fail "eseal-verifierd with status over https: $code"; }
ok

kill "$nginx"
wait "$nginx" 2>/dev/null || true
nginx=
echo "https_nginx: $passed groups passed"
