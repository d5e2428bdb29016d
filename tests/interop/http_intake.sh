#!/usr/bin/env bash
# http_intake.sh — request intake of the HTTP adapter (#17), over real
# daemons on loopback: a stranger's upload is refused from its headers
# before any body byte is read (401 at once, 413 for a declared oversize
# body), conflicting framing (two Content-Lengths, Content-Length with
# Transfer-Encoding) gets 400 and a closed connection, too many header
# fields 431, a request whose line and headers trickle in past the header
# deadline (2 s here) is cut although it is never idle, while slow but
# complete headers and keep-alive connections are served, the per-address
# connection cap holds, and the memory at peak:
# the verifier's maximum number of slow uploads at once raises its VmRSS by
# far less than their bodies (they go to unlinked temporary files), within
# the formula of docs/security.md. Malformed requests are counted, not
# logged one line each; a JSON error does not echo the request's bytes.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_VERIFIERD, curl and python3.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
ESEAL_TEST_NAME=http_intake
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"
verifier=
stop_verifier() {
    [ -z "$verifier" ] || { kill "$verifier" 2>/dev/null || true; wait "$verifier" 2>/dev/null || true; }
}
trap 'stop_verifier; cleanup' EXIT

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
"$ESEAL" ca init --dir ca >/dev/null
start_issuerd --max_connections_per_ip 48 --header_timeout 2

# raw PORT (raw.py): send stdin's bytes (with \r\n line ends) on one connection
# and print "STATUS CLOSED SECONDS": the reply's status, whether the server
# closed the connection after it, and how long the reply took. read_reply
# (imported by the checks below) reads one reply.
cat >raw.py <<'EOF'
import socket, sys, time

def read_reply(s):
    """The status of the reply read from s (its body read too), or None
    when the connection ends before the reply's head."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = s.recv(65536)
        if not c:
            return None
        buf += c
    head, _, rest = buf.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    while len(rest) < n:
        c = s.recv(65536)
        if not c:
            break
        rest += c
    return int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else None

if __name__ == "__main__":
    port = int(sys.argv[1])
    data = sys.stdin.buffer.read().replace(b"\n", b"\r\n")
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    s.sendall(data)
    s.settimeout(10)
    status, closed = None, "open"
    try:
        status = read_reply(s)
        took = time.monotonic() - t0
        s.settimeout(3)
        closed = "closed" if s.recv(1) == b"" else "open"
    except (socket.timeout, ConnectionResetError):
        took = time.monotonic() - t0
    print(status if status is not None else "none", closed, "%.2f" % took)
EOF
raw() { python3 raw.py "$1"; }

# --- refused from the headers, before the body --------------------------------------------
# 40 MiB announced, nothing sent: the 401 must come at once, without the body
got=$(printf 'POST /api/v1/submissions/S1/materials HTTP/1.1\nHost: x\nContent-Type: multipart/form-data; boundary=b\nContent-Length: 41943040\n\n' | raw "$port")
set -- $got
[ "$1" = 401 ] || fail "anonymous upload: $got, want 401"
[ "$3" \< 2 ] || fail "anonymous upload: the 401 took $3 s"
[ "$2" = closed ] || fail "anonymous upload: the connection stays open for the body"
ok
# unknown route and oversize: 404 and 413 from the headers too
got=$(printf 'POST /api/v1/nowhere HTTP/1.1\nHost: x\nContent-Length: 41943040\n\n' | raw "$port")
[ "${got%% *}" = 404 ] || fail "unknown route with a body: $got"
got=$(printf 'POST /api/v1/session HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 41943040\n\n' | raw "$port")
set -- $got
[ "$1" = 413 ] && [ "$3" \< 2 ] || fail "declared oversize body: $got, want 413 at once"
ok

# --- framing that smuggling starts with ----------------------------------------------------
got=$(printf 'POST /api/v1/session HTTP/1.1\nHost: x\nContent-Length: 2\nContent-Length: 5\n\n{}' | raw "$port")
[ "$got" != "${got#400 closed}" ] || fail "two Content-Lengths: $got, want 400 and close"
got=$(printf 'POST /api/v1/session HTTP/1.1\nHost: x\nContent-Length: 7\nTransfer-Encoding: chunked\n\n2\n{}\n0\n\n' | raw "$port")
[ "$got" != "${got#400 closed}" ] || fail "Content-Length with Transfer-Encoding: $got, want 400 and close"
ok
hdrs=$(for i in $(seq 1 80); do printf 'X-H%d: v\n' "$i"; done)
got=$(printf 'GET /log/checkpoint HTTP/1.1\nHost: x\n%s\n\n' "$hdrs" | raw "$port")
[ "${got%% *}" = 431 ] || fail "80 header fields: $got, want 431"
big=$(head -c 70000 /dev/zero | tr '\0' a)
got=$(printf 'GET /log/checkpoint HTTP/1.1\nHost: x\nX-Big: %s\n\n' "$big" | raw "$port")
[ "${got%% *}" = 431 ] || [ "${got%% *}" = 413 ] || fail "a 70 kB header: $got, want 431"
ok
# the refused requests are counted and summed up, not one line each
[ "$(grep -c 'malformed or refused' daemon.log)" -le 1 ] || fail "one log line per malformed request"
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/log/checkpoint")
[ "$code" = 200 ] || fail "a good client after the abuse: $code"
ok

# --- the header deadline (2 s): a total, not an idle, limit --------------------------------
# All at once: a client trickling its headers a byte every 0.5 s (never idle
# for the 30 s idle timeout) is cut within the deadline + 1 s with no reply,
# so is one that sends nothing, while a normal client is served throughout,
# headers sent in pieces over 1.2 s are served, and a keep-alive connection
# idle 2.5 s between requests (longer than the deadline, shorter than the
# idle timeout) serves three in a row; its fourth request, whose line comes
# at once and headers trickle, is cut within the deadline + 1 s of the line.
python3 - "$port" <<'EOF' || fail "header deadline"
import socket, sys, threading, time
from raw import read_reply
port = int(sys.argv[1])
DEADLINE = 2.0
bad = []
GET = b"GET /log/checkpoint HTTP/1.1\r\nHost: x\r\n"

def trickle(s, data, t0, what):
    # one byte every 0.5 s until the server ends the connection
    s.settimeout(0.5)
    for b in data:
        try:
            s.sendall(bytes([b]))
            got = s.recv(100)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            got = b""
        took = time.monotonic() - t0
        if got:
            bad.append("%s: answered %r" % (what, got[:40]))
        elif not DEADLINE - 0.5 <= took <= DEADLINE + 1:
            bad.append("%s: cut after %.2f s, want %.1f..%.1f" % (what, took, DEADLINE - 0.5, DEADLINE + 1))
        return
    bad.append("%s: never cut" % what)

def trickler():
    s = socket.create_connection(("127.0.0.1", port))
    trickle(s, GET + b"X-Slow: " + b"s" * 200, time.monotonic(), "trickled headers")

def silent():
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    s.settimeout(DEADLINE + 5)
    try:
        got = s.recv(100)
    except socket.timeout:
        got = None
    took = time.monotonic() - t0
    if got != b"" or took > DEADLINE + 1:
        bad.append("silent connection: %r after %.2f s" % (got, took))

def normal(stop):
    n = 0
    while not stop.is_set():
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(5)
        t0 = time.monotonic()
        s.sendall(GET + b"Connection: close\r\n\r\n")
        st = read_reply(s)
        if st != 200 or time.monotonic() - t0 > 1:
            bad.append("normal client: %r after %.2f s" % (st, time.monotonic() - t0))
        s.close()
        n += 1
        time.sleep(0.2)
    if n < 5:
        bad.append("normal client: only %d requests" % n)

def slow_complete():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    data = GET + b"X-Slow: " + b"s" * 40 + b"\r\nConnection: close\r\n\r\n"
    step = len(data) // 6 + 1
    for i in range(0, len(data), step):
        s.sendall(data[i:i + step])
        time.sleep(0.2)
    st = read_reply(s)
    if st != 200:
        bad.append("headers in pieces over 1.2 s: %r" % st)

def keep_alive():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    for i in range(3):
        if i:
            time.sleep(2.5)
        s.sendall(GET + b"\r\n")
        try:
            st = read_reply(s)
        except (ConnectionResetError, socket.timeout):
            st = None
        if st != 200:
            bad.append("keep-alive request %d: %r" % (i + 1, st))
            return
    s.sendall(b"GET /log/checkpoint HTTP/1.1\r\n")
    trickle(s, b"Host: x\r\nX-Slow: " + b"s" * 200, time.monotonic(), "keep-alive, trickled headers")

stop = threading.Event()
background = threading.Thread(target=normal, args=(stop,))
background.start()
ts = [threading.Thread(target=f) for f in (trickler, silent, slow_complete, keep_alive)]
for t in ts:
    t.start()
for t in ts:
    t.join()
stop.set()
background.join()
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
# counted with the other refused requests, not a line each
[ "$(grep -c 'not complete within' daemon.log)" -le 1 ] || fail "one log line per cut connection"
ok

# a JSON error does not echo the request's bytes back
code=$(curl -s -o resp.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"username": xyzzy-<b>echo</b>}' "$base/api/v1/session")
[ "$code" = 400 ] || fail "bad JSON: $code"
grep -q 'xyzzy\|echo' resp.json && fail "the JSON error echoes the request: $(cat resp.json)"
ok

# --- the per-address cap -----------------------------------------------------------------
python3 - "$port" <<'EOF' || fail "per-address connection cap"
import socket, sys, time
port = int(sys.argv[1])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(48)]
time.sleep(0.5)
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(5)
s.sendall(b"GET /log/checkpoint HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    got = s.recv(100)
except (ConnectionResetError, socket.timeout):
    got = b""
sys.exit(1 if got.startswith(b"HTTP/1.1 200") else 0)
EOF
ok

# --- memory at peak: the maximum number of slow uploads -------------------------------------
# N connections, each announcing a 30 MiB document and sending 2 MiB of it
# slowly: in memory that is N x 2 MiB; spooled it is N x the per-connection
# memory of docs/security.md (64 KiB of MHD buffers + 64 KiB of body below
# the spool threshold) plus the kernel's socket buffers (not the daemon's RSS).
N=32
"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --no-status --max_connections "$N" \
    --max_connections_per_ip "$N" --max_document 33554432 >verifier.log 2>&1 &
verifier=$!
vport=$(wait_port verifier.log "$verifier")
python3 - "$vport" "$verifier" "$N" <<'EOF' >rss.out || { cat rss.out verifier.log >&2; fail "memory at peak"; }
import socket, sys, time
port, pid, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def rss():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before = rss()
head = (b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: multipart/form-data; boundary=xyz\r\n"
        b"Content-Length: 31457280\r\n\r\n"
        b"--xyz\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a\"\r\n\r\n")
conns = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head)
    conns.append(s)
chunk = b"x" * 65536
for _ in range(32):  # 2 MiB each, a slice at a time
    for s in conns:
        s.sendall(chunk)
    time.sleep(0.02)
time.sleep(1)
peak = rss()
grown = peak - before
# docs/security.md: per connection 64 KiB (MHD) + 64 KiB (body below the
# spool threshold) + the request's own bookkeeping + 16 KiB (the multipart
# parser); 8 MiB for the threads' arenas and the like
limit = n * (64 + 64 + 16 + 16) * 1024 + 8 * 1024 * 1024
print("rss before %d after %d grown %d limit %d (in memory the bodies would be %d)"
      % (before, peak, grown, limit, n * 2 * 1024 * 1024))
sys.exit(0 if grown < limit else 1)
EOF
cat rss.out
# the verifier still answers while they hang on
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$vport/healthz" || true)
[ "$code" = 200 ] || [ "$code" = 000 ] || fail "verifier after the slow uploads: $code"
ok

stop_issuerd
echo "http_intake: $passed checks passed"
