# common.bash — sourced by the publisher benchmarks (tools/bench/publisher_*.sh):
# the binaries of a build, a temporary working directory removed on exit
# with every daemon started through `daemon`, free-port start-up, a temporary
# CA and a synthetic seal log. Set BENCH_NAME first; call with the script's
# arguments ("$@": an optional BUILD_DIR).
#   BUILD_DIR   default: the directory of $ESEAL's tools/.., else build/normal
#   BENCH_DIR   where the data goes (default: a new directory under $TMPDIR)
bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
bench_lib=$bench_root/tools/bench/lib
if [ -n "${1:-}" ]; then
    build=$(cd "$1" && pwd)
elif [ -n "${ESEAL:-}" ]; then
    build=$(cd "$(dirname "$ESEAL")/.." && pwd)
else
    build=$bench_root/build/normal
fi
eseal=$build/tools/eseal
issuerd=$build/issuer/eseal-issuerd
publisherd=$build/publisher/eseal-publisherd
for b in "$eseal" "$issuerd" "$publisherd"; do
    [ -x "$b" ] || { echo "$BENCH_NAME: no $b (build first, or pass the build directory)" >&2; exit 2; }
done

if [ -n "${BENCH_DIR:-}" ]; then
    mkdir -p "$BENCH_DIR"
    work=$(mktemp -d "$BENCH_DIR/eseal-bench.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/eseal-bench.XXXXXX")
fi
daemons=()
# stop PID: stop one daemon this script started
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
bench_cleanup() {
    local p
    for p in "${daemons[@]}"; do stop "$p"; done
    rm -rf "$work"
}
trap bench_cleanup EXIT
cd "$work"
export ESEAL_PASSPHRASE='benchmark passphrase'

# need COMMAND...: the commands exist, or install the bench package set
need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || { "$bench_root/tools/bootstrap" bench; break; }
    done
    for c in "$@"; do
        command -v "$c" >/dev/null || { echo "$BENCH_NAME: $c is missing" >&2; exit 2; }
    done
}

# machine: one line about the machine, the build and the filesystem
machine() {
    local type
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
    echo "machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -sr)"
    echo "build: $build (${type:-unknown}), filesystem: $(df -T "$work" | awk 'NR == 2 { print $2 " on " $1 }')"
}

# daemon LOG COMMAND...: start COMMAND in the background with its output in
# LOG; sets $pid and remembers it for the clean-up.
daemon() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    pid=$!
    daemons+=("$pid")
}
# wait_port LOG PID: the port an eseal daemon logged ("listening on http://…:PORT/")
wait_port() {
    local port=
    for _ in $(seq 1 300); do
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1" 2>/dev/null || true)
        [ -n "$port" ] && break
        kill -0 "$2" 2>/dev/null || { echo "$BENCH_NAME: $1: the daemon exited" >&2; tail "$1" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { echo "$BENCH_NAME: $1: the daemon did not start" >&2; exit 1; }
    echo "$port"
}
# free_port: a TCP port free on loopback now
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# start_publisher LOG ARGS...: eseal-publisherd on a free port with the CA
# in ca/ and ARGS (--log, --data, ...); sets $publisher, $pport and $pbase.
start_publisher() {
    local log=$1
    shift
    daemon "$log" "$publisherd" --port 0 --ca ca "$@"
    publisher=$pid
    pport=$(wait_port "$log" "$publisher")
    pbase="http://127.0.0.1:$pport"
}
# wait_position N: until the publisher's /healthz says it has applied N entries
wait_position() {
    local pos
    for _ in $(seq 1 "${2:-36000}"); do
        pos=$(curl -s "$pbase/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["position"])' 2>/dev/null || echo 0)
        [ "$pos" -ge "$1" ] && return 0
        sleep 0.1
    done
    echo "$BENCH_NAME: the publisher stopped at entry $pos of $1" >&2
    exit 1
}

# make_log DIR N: a CA in ca/ (first time) and the log DIR holding N good
# synthetic seals (seals.py), appended in batches of 50000 lines.
make_log() {
    [ -d ca ] || "$eseal" ca init --dir ca >/dev/null
    local dir=$1 n=$2 start=0 k
    while [ "$start" -lt "$n" ]; do
        k=$((n - start < 50000 ? n - start : 50000))
        python3 "$bench_lib/seals.py" good "$start" "$k" |
            "$eseal" log append --dir "$dir" --ca ca >/dev/null 2>&1 ||
            { echo "$BENCH_NAME: eseal log append failed" >&2; exit 1; }
        start=$((start + k))
    done
}

# save_statuses PORT N DIR: GET /status/{esID} (the DER) of synthetic seals
# 0 … N-1 from the server on loopback PORT (a publisher, or nginx in front
# of one), each saved as DIR/{esID}: the bytes nginx serves as static files.
save_statuses() {
    mkdir -p "$3"
    python3 - "$bench_lib" "$1" "$2" "$3" <<'PY'
import http.client, sys
sys.path.insert(0, sys.argv[1])
import seals
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]))
for i in range(int(sys.argv[3])):
    conn.request("GET", "/status/" + seals.esid(i), headers={"Accept": "application/eseal-status"})
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (seals.esid(i), r.status)
    open(sys.argv[4] + "/" + seals.esid(i), "wb").write(body)
PY
}
# nginx_prelude WORKERS: the start of an nginx.conf running in the
# foreground from $work (pid, error log, temporary paths, no access log),
# up to inside http {}: the caller adds its servers and the closing brace.
nginx_prelude() {
    cat <<CONF
worker_processes $1;
$([ "$(id -u)" = 0 ] && echo 'user root;')
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx-tmp;
    proxy_temp_path $work/nginx-tmp;
    fastcgi_temp_path $work/nginx-tmp;
    uwsgi_temp_path $work/nginx-tmp;
    scgi_temp_path $work/nginx-tmp;
CONF
}
# start_nginx PORT: nginx with $work/nginx.conf on $server_cpu, until it
# answers on loopback PORT; sets $nginx.
start_nginx() {
    daemon nginx.log taskset -c "$server_cpu" nginx -p "$work" -e "$work/nginx.err" -c "$work/nginx.conf"
    nginx=$pid
    for _ in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        kill -0 "$nginx" 2>/dev/null || break
        sleep 0.1
    done
    echo "$BENCH_NAME: nginx did not start" >&2
    cat nginx.err nginx.log >&2
    exit 1
}
# wrk_rps NAME URL LUA [ENV=VALUE...]: one wrk run (-t1 -c$conns
# -d$duration on $load_cpu); prints requests/s, keeps NAME.wrk
wrk_rps() {
    local name=$1 url=$2 lua=$3
    shift 3
    env "$@" taskset -c "$load_cpu" wrk -t1 -c"$conns" -d"${duration}s" --latency \
        -s "$bench_lib/$lua" "$url" >"$name.wrk" 2>&1 || { cat "$name.wrk" >&2; exit 1; }
    if grep -q 'Non-2xx\|Socket errors' "$name.wrk"; then
        echo "warning: $name: $(grep 'Non-2xx\|Socket errors' "$name.wrk" | tr -s ' ')" >&2
    fi
    awk '/^Requests\/sec:/ { print int($2) }' "$name.wrk"
}
# p99 NAME: the 99th percentile latency wrk printed
p99() { awk '$1 == "99%" { print $2 }' "$1.wrk"; }
