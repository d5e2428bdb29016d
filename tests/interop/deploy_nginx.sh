#!/usr/bin/env bash
# deploy_nginx.sh — tools/deploy/ as shipped, on the real daemons: nginx
# runs tools/deploy/nginx/eseal.conf (only its ports, certificate and cache
# paths rewritten) in front of the issuer, a publisher and the verifier.
# The second pass over the publisher's public GETs is served from nginx's
# cache (≥ 95 % HIT); a conditional GET gets 304; /metrics is not reachable
# through it; a suspension is visible through the cache within the max-age
# the publisher set. The systemd units pass systemd-analyze verify, carry
# the hardening, and their command lines pass the daemons' -n check.
# nginx runs in the foreground on free loopback ports; if it cannot run at
# all the test is skipped (exit 77) with the reason.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, nginx,
# systemd-analyze, curl, openssl and python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
deploy=$(cd "$(dirname "$0")/../../tools/deploy" && pwd)
ESEAL_TEST_NAME=deploy
# shellcheck source=lib/nginx.bash
. "$(dirname "$0")/lib/nginx.bash" # nginx_tls, free_port, start_nginx
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
extra=
trap 'for p in $extra; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; cleanup' EXIT

# --- the systemd units -----------------------------------------------------------
mkdir units
for d in issuer publisher verifier; do
    u="$deploy/systemd/eseal-${d}d.service"
    for want in 'User=eseal' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes' \
        "StateDirectory=eseal/$d" 'CapabilityBoundingSet=$'; do
        grep -q "^$want" "$u" || fail "$u: no $want"
    done
    bin=$(eval echo "\$ESEAL_$(echo "${d}d" | tr a-z A-Z)")
    # what the unit runs, checked by the daemon itself (-n)
    args=$(sed -n "s|^ExecStart=/usr/local/bin/eseal-${d}d ||p" "$u" |
        sed "s|\${CREDENTIALS_DIRECTORY}|$tmp|; s|/var/lib/eseal|$tmp/lib|g")
    echo 'x' >passphrase
    # shellcheck disable=SC2086
    "$bin" -n $args >"units/$d.n" 2>&1 || fail "$u: $(cat "units/$d.n")"
    sed "s|/usr/local/bin/eseal-${d}d|$bin|; s|^User=eseal|User=root|; s|^Group=eseal|Group=root|" \
        "$u" >"units/eseal-${d}d.service"
    systemd-analyze verify "units/eseal-${d}d.service" >"units/$d.verify" 2>&1 ||
        fail "$u: $(cat "units/$d.verify")"
done
ok

# --- nginx with the shipped configuration ------------------------------------------
nginx_tls
# a publisher whose answers live 60 s, so a change must show within a minute
"$ESEAL_PUBLISHERD" --port 0 --data pdata60 --ca ca --log "$ibase" --validity 60 --poll_ms 50 \
    >publisher60.log 2>&1 &
p60=$!
extra="$extra $p60"
p60base="http://127.0.0.1:$(wait_port publisher60.log "$p60")"
"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$p60base" >verifier.log 2>&1 &
v=$!
extra="$extra $v"
vbase="http://127.0.0.1:$(wait_port verifier.log "$v")"
ips=$(free_port) pps=$(free_port) vps=$(free_port)
mkdir -p nginx/cache
sed -e "s|127.0.0.1:8441|${ibase#http://}|; s|127.0.0.1:8442|${p60base#http://}|" \
    -e "s|127.0.0.1:8443|${vbase#http://}|; s|/var/cache/nginx/eseal|$tmp/nginx/cache|" \
    -e "s|/etc/eseal/tls/fullchain.pem|$tmp/tls.pem|; s|/etc/eseal/tls/privkey.pem|$tmp/tls.key|" \
    -e "s|listen 443 ssl;  # @issuer-listen|listen 127.0.0.1:$ips ssl;|" \
    -e "s|listen 443 ssl;  # @publisher-listen|listen 127.0.0.1:$pps ssl;|" \
    -e "s|listen 443 ssl;  # @verifier-listen|listen 127.0.0.1:$vps ssl;|" \
    "$deploy/nginx/eseal.conf" >nginx/eseal.conf
grep -q ' 443 ' nginx/eseal.conf && fail "a listen line was not rewritten"
start_nginx 256 <<<"    include $tmp/nginx/eseal.conf;"
extra="$extra $nginx"
edge="https://localhost:$pps"
c() { curl -s --cacert tls.pem "$@"; }
for _ in $(seq 1 100); do
    c -f -o /dev/null "$edge/certs/root.pem" && break
    kill -0 "$nginx" 2>/dev/null || fail "nginx exited: $(cat nginx/logs/error.log)"
    sleep 0.1
done
for _ in $(seq 1 100); do
    [ "$(c -o s.json -w '%{http_code}' -H 'Cache-Control: no-cache' "$p60base/status/$esid")" = 200 ] && break
    sleep 0.1
done
[ "$(c -o /dev/null -w '%{http_code}' "https://localhost:$ips/log/checkpoint")" = 200 ] || fail "issuer through nginx"
[ "$(c -o /dev/null -w '%{http_code}' "https://localhost:$vps/healthz")" = 200 ] || fail "verifier through nginx"
[ "$(c -o /dev/null -w '%{http_code}' "$edge/metrics")" = 404 ] || fail "/metrics is reachable through nginx"
ok

# --- the cache -------------------------------------------------------------------
shard=$(shard_of "$esid")
urls=("/status/$esid" "/crl/$shard.crl" "/lists/$shard/full" "/certs/responder.pem")
pass() { # pass N: GET every URL N times; prints the X-Cache-Status values
    for _ in $(seq 1 "$1"); do
        for u in "${urls[@]}"; do
            c -o /dev/null -D - "$edge$u" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip'
        done
    done
}
pass 1 >pass1.txt
pass 10 >pass2.txt
total=$(wc -l <pass2.txt) hits=$(grep -c '^HIT$' pass2.txt || true)
[ "$total" = $((10 * ${#urls[@]})) ] || fail "X-Cache-Status missing: $(sort pass2.txt | uniq -c)"
[ $((hits * 100)) -ge $((total * 95)) ] || fail "second pass: $hits of $total from the cache ($(sort pass2.txt | uniq -c | tr '\n' ' '))"
ok

# a conditional GET through the cache gets 304
c -o /dev/null -D h.txt "$edge/status/$esid"
etag=$(tr -d '\r' <h.txt | sed -n 's/^ETag: //Ip')
[ -n "$etag" ] || fail "no ETag through nginx"
[ "$(c -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$edge/status/$esid")" = 304 ] ||
    fail "If-None-Match through nginx"
ok

# --- a suspension through the cache, within max-age -----------------------------------
c -o s0.json -D h.txt "$edge/status/$esid"
[ "$(json s0.json 'j["status"]')" = good ] || fail "good before"
maxage=$(tr -d '\r' <h.txt | sed -n 's/^Cache-Control:.*max-age=\([0-9]*\).*/\1/Ip')
[ -n "$maxage" ] && [ "$maxage" -le 60 ] || fail "max-age '$maxage' (validity 60)"
start=$(date +%s)
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
seen=
while [ $(($(date +%s) - start)) -le $((maxage + 5)) ]; do
    c -o s1.json "$edge/status/$esid"
    if [ "$(json s1.json 'j["status"]')" = suspended ]; then
        seen=$(($(date +%s) - start))
        break
    fi
    sleep 1
done
[ -n "$seen" ] || fail "the suspension was not visible through nginx within max-age $maxage s"
echo "deploy_nginx: suspension visible through the cache after ${seen}s (max-age ${maxage}s)"
ok

echo "deploy_nginx: $passed checks passed"
