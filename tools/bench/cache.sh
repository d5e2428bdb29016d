#!/usr/bin/env bash
# cache.sh — status GETs served by nginx's cache in front of eseal-publisherd
# (the shipped tools/deploy/nginx/eseal.conf: its publisher server, cache
# and proxy settings as they are; only listen addresses, upstream ports and
# paths rewritten, and plain HTTP instead of TLS) against the same nginx
# serving the very same bytes as static files, in one run:
#   1. a synthetic log of SEALS good seals (lib/seals.py), a publisher
#      following it; every status fetched once through the cache (filling
#      it) and the bytes saved as the static files;
#   2. ROUNDS alternating wrk runs (static, cache, static, cache …) of GET
#      /status/{esID} (the DER, Accept: application/eseal-status) over the
#      SEALS esIDs at random (lib/status.lua);
#   3. how many requests reached the publisher during the cached runs (its
#      /metrics), and the ratio cache / static; target >= 0.9.
# A benchmark, not a test: it prints numbers and judges nothing.
#
# Fairness on a 2-CPU machine: nginx (WORKERS workers, serving both ports)
# and the publisher on CPU 0, wrk on CPU 1 (-t1 -c CONNS). wrk and nginx
# are installed if missing (tools/bootstrap bench).
#
# usage: tools/bench/cache.sh [BUILD_DIR]
#   SEALS      seals in the log (default 10000)
#   DURATION   seconds per wrk run (default 10)
#   ROUNDS     runs of each kind, alternating (default 2)
#   CONNS      wrk connections (default 32)
#   WORKERS    nginx worker processes (default 2)
set -euo pipefail
BENCH_NAME=cache.sh
# shellcheck source=lib/common.bash
. "$(dirname "$0")/lib/common.bash"
need wrk nginx taskset openssl
seals=${SEALS:-10000}
duration=${DURATION:-10}
rounds=${ROUNDS:-2}
conns=${CONNS:-32}
workers=${WORKERS:-2}
server_cpu=0 load_cpu=1
[ "$(nproc)" -ge 2 ] || load_cpu=0
deploy=$bench_root/tools/deploy/nginx/eseal.conf

echo "eseal status cache benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
machine
echo "load: wrk -t1 -c$conns -d${duration}s on CPU $load_cpu, $rounds rounds; nginx ($workers" \
    "workers) and the publisher on CPU $server_cpu; $seals seals; $(nginx -v 2>&1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
make_log log "$seals"
start_publisher publisher.log --data pdata --log log --tsa false
taskset -a -c -p "$server_cpu" "$publisher" >/dev/null
wait_position "$seals"

# --- nginx: the shipped cache on one port, static files on another ----------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=localhost -keyout tls.key -out tls.pem 2>/dev/null
cport=$(free_port) sport=$(free_port) iport=$(free_port) vport=$(free_port)
mkdir -p cache www/status nginx-tmp
sed -e "s|127.0.0.1:8442|127.0.0.1:$pport|; s|/var/cache/nginx/eseal|$work/cache|" \
    -e "s|/etc/eseal/tls/fullchain.pem|$work/tls.pem|; s|/etc/eseal/tls/privkey.pem|$work/tls.key|" \
    -e "s|listen 443 ssl;  # @publisher-listen|listen 127.0.0.1:$cport;|" \
    -e "s|listen 443 ssl;  # @issuer-listen|listen 127.0.0.1:$iport;|" \
    -e "s|listen 443 ssl;  # @verifier-listen|listen 127.0.0.1:$vport;|" \
    "$deploy" >eseal.conf
grep -q ' 443 ' eseal.conf && { echo "$BENCH_NAME: a listen line of $deploy was not rewritten" >&2; exit 1; }
{
    nginx_prelude "$workers"
    cat <<CONF
    include $work/eseal.conf;
    server {
        listen 127.0.0.1:$sport;
        root $work/www;
        types { }
        default_type application/eseal-status;
        location /status/ { add_header Cache-Control "public, max-age=86400"; }
    }
}
CONF
} >nginx.conf
start_nginx "$sport"

# fill the cache, keeping what it served as the static files
save_statuses "$cport" "$seals" www/status
chmod -R a+rX "$work"
one=$(python3 "$bench_lib/seals.py" esid 7)
cmp -s "www/status/$one" <(curl -s -H 'Accept: application/eseal-status' "$pbase/status/$one") ||
    { echo "$BENCH_NAME: the cache does not serve the publisher's response" >&2; exit 1; }
cmp -s "www/status/$one" <(curl -s "http://127.0.0.1:$sport/status/$one") ||
    { echo "$BENCH_NAME: nginx does not serve the static file" >&2; exit 1; }
hit=$(curl -s -o /dev/null -D - -H 'Accept: application/eseal-status' \
    "http://127.0.0.1:$cport/status/$one" | tr -d '\r' | sed -n 's/^X-Cache-Status: //Ip')
[ "$hit" = HIT ] || { echo "$BENCH_NAME: X-Cache-Status $hit after filling the cache" >&2; exit 1; }

# publisher_requests: the requests the publisher has answered (its /metrics)
publisher_requests() {
    curl -s "$pbase/metrics" | awk '/^eseal_http_requests_total[{ ]/ { n += $NF } END { printf "%d\n", n }'
}

# --- the runs, alternating ---------------------------------------------------------------
static_sum=0 cache_sum=0 upstream=0
for r in $(seq 1 "$rounds"); do
    s=$(wrk_rps "static-$r" "http://127.0.0.1:$sport" status.lua SEALS="$seals")
    before=$(publisher_requests)
    c=$(wrk_rps "cache-$r" "http://127.0.0.1:$cport" status.lua SEALS="$seals")
    upstream=$((upstream + $(publisher_requests) - before - 1))
    printf 'round %d: nginx static files %8d req/s (p99 %s)   nginx cache %8d req/s (p99 %s)\n' \
        "$r" "$s" "$(p99 "static-$r")" "$c" "$(p99 "cache-$r")"
    static_sum=$((static_sum + s)) cache_sum=$((cache_sum + c))
done
cached=$(awk '/requests in/ { n += $1 } END { printf "%d\n", n }' cache-*.wrk)
echo "requests that reached the publisher during the cached runs: $upstream of $cached"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v c="$cache_sum" -v s="$static_sum" 'BEGIN {
    r = c / s
    printf "ratio: cache / static = %.2f (target >= 0.9: %s)\n", r, (r >= 0.9 ? "met" : "NOT met") }'
