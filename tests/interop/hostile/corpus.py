#!/usr/bin/env python3
"""corpus.py — hostile raw HTTP requests against one eseal daemon (#17).

usage: corpus.py NAME PORT PID CONTEXT.json

Sends every request of the corpus below on its own connection with plain
sockets (no project code on the client side) and checks each reply: no
crash (the daemon's process is alive after every group), no 5xx (statuses
in a case's `allow` aside, e.g. libmicrohttpd's 505 for an HTTP version it
does not speak), no secret bytes in any reply (path traversal), and a
well-formed request answered 200 after each group. Prints one line per
failure and a summary; exits 1 when anything failed.

CONTEXT holds what the requests need: tokens, ids, and the markers that
must never come back ("secrets")."""
import json
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

NAME, PORT, PID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CTX = json.load(open(sys.argv[4]))
SECRETS = [s.encode() for s in CTX.get("secrets", [])] + [b"root:x:0:0"]
GOOD = CTX["good"]  # a path answered 200 without a token
failures = []
LOG = open("corpus-%s.log" % NAME, "w")  # each case and what it got
sent = 0
lock = threading.Lock()


def failure(msg):
    with lock:
        failures.append(msg)


def exchange(data, timeout=1.5, chunks=None, pause=0.0):
    """Send |data| (or |chunks| with |pause| seconds between them) and read
    until the server closes or |timeout| passes without a byte. Returns the
    raw bytes received."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    got = b""
    try:
        for c in chunks if chunks is not None else [data]:
            s.sendall(c)
            if pause:
                time.sleep(pause)
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
            if complete(got):
                break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return got


def complete(buf):
    """True once |buf| holds one whole reply with a Content-Length body."""
    head, sep, rest = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            return len(rest) >= int(v)
    return False


def statuses(buf):
    """Every reply status in |buf| (pipelined replies one after another)."""
    out = []
    i = 0
    while True:
        j = buf.find(b"HTTP/1.", i)
        if j < 0:
            return out
        line = buf[j:buf.find(b"\r\n", j)]
        parts = line.split(b" ")
        if len(parts) > 1 and parts[1].isdigit():
            out.append(int(parts[1]))
        i = j + 8


def check(case, buf):
    global sent
    with lock:
        sent += 1
    name, allow = case["name"], case.get("allow", ())
    codes = statuses(buf)
    for code in codes:
        if code >= 500 and code not in allow:
            failure("%s: %s answered %d: %r" % (NAME, name, code, buf[:300]))
    for s in SECRETS:
        if s in buf:
            failure("%s: %s leaked %r" % (NAME, name, s))
    with lock:
        LOG.write("%s -> %s\n" % (name, codes or "closed"))
    want = case.get("want")
    if want is not None and (not codes or codes[0] not in want):
        failure("%s: %s answered %s, want one of %s: %r" % (NAME, name, codes, want, buf[:200]))


def run(case):
    buf = exchange(case.get("data"), case.get("timeout", 1.5), case.get("chunks"),
                   case.get("pause", 0.0))
    check(case, buf)


def alive(group):
    try:
        os.kill(PID, 0)
    except OSError:
        failure("%s: the daemon died during %s" % (NAME, group))
        return False
    buf = exchange(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                   % GOOD.encode(), 10.0)
    if statuses(buf)[:1] != [200]:
        failure("%s: after %s a good request got %r" % (NAME, group, buf[:200]))
        return False
    return True


def req(method, target, headers=(), body=b"", host=True):
    lines = [b"%s %s HTTP/1.1" % (method, target)]
    if host:
        lines.append(b"Host: 127.0.0.1")
    lines += list(headers)
    if body and not any(h.lower().startswith((b"content-length", b"transfer-encoding"))
                        for h in headers):
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def auth(token):
    return [b"Authorization: Bearer " + token.encode()] if token else []


# --- the corpus ---------------------------------------------------------------------------
G = GOOD.encode()
TRAVERSALS = [
    b"../../../../etc/passwd", b"..%2f..%2f..%2fetc%2fpasswd", b"%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    b"%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", b"%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    b"%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", b"%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    b"%e0%80%ae%e0%80%ae/etc/passwd", b"..\\..\\..\\etc\\passwd", b"..%5c..%5c..%5cetc%5cpasswd",
    b"....//....//etc/passwd", b"..;/..;/etc/passwd", b"%00", b"index.html%00.js",
    b"%2e%00/passwd", b"/etc/passwd", b"//etc//passwd", b".//..//..//etc/passwd",
    b".%2e/.%2e/etc/passwd", b"%2e/", b".hidden.js", b"assets/../../secret.txt",
    b"assets/%2e%2e/%2e%2e/secret.txt", b"assets%2f..%2f..%2fsecret.txt", b"..%2fsecret.txt",
    b"%2e%2e/secret.txt", b"assets/..\\..\\secret.txt", b"%u002e%u002e/secret.txt",
    b"..%25%35%63secret.txt", b"\xc0\xae\xc0\xae/secret.txt", b"..%ef%bc%8fsecret.txt",
]


def traversal_cases():
    cases = []
    for prefix in CTX["file_prefixes"]:
        token = CTX.get("token") if prefix.get("auth") else None
        for t in TRAVERSALS:
            target = prefix["path"].encode() + t
            cases.append({"name": "traversal GET %r" % target, "data": req(b"GET", target, auth(token))})
    for t in [b"/..", b"/../", b"/%2e%2e/", b"//", b"///etc/passwd", b"/./" + G[1:], b"/" + G[1:] + b"/..",
              b"/" + G[1:] + b"%00", b"/" + G[1:] + b"%", b"/" + G[1:] + b"%zz", b"/%", b"*",
              b"http://evil.example/" + G[1:], b"//evil.example/x", b"\\" + G[1:]]:
        cases.append({"name": "target %r" % t, "data": req(b"GET", t)})
    return cases


def header_cases():
    big = b"a" * 70000
    cases = [
        {"name": "70 kB header", "data": req(b"GET", G, [b"X-Big: " + big])},
        {"name": "200 header fields", "data": req(b"GET", G, [b"X-H%d: v" % i for i in range(200)])},
        {"name": "8 kB header name", "data": req(b"GET", G, [b"X" * 8000 + b": v"])},
        {"name": "65 kB request target", "data": req(b"GET", G + b"?" + b"q" * 65000)},
        {"name": "duplicate Content-Length", "want": (400,),
         "data": req(b"POST", G, [b"Content-Length: 2", b"Content-Length: 5"], b"{}")},
        {"name": "Content-Length list", "data": req(b"POST", G, [b"Content-Length: 2, 2"], b"{}")},
        {"name": "Content-Length with Transfer-Encoding", "want": (400,),
         "data": req(b"POST", G, [b"Content-Length: 7", b"Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\n\r\n")},
        {"name": "Transfer-Encoding gzip, chunked",
         "data": req(b"POST", G, [b"Transfer-Encoding: gzip, chunked"], b"0\r\n\r\n")},
        {"name": "Transfer-Encoding: identity", "data": req(b"POST", G, [b"Transfer-Encoding: identity"], b"x")},
        {"name": "negative Content-Length", "data": req(b"POST", G, [b"Content-Length: -1"])},
        {"name": "huge Content-Length", "data": req(b"POST", G, [b"Content-Length: 99999999999999999999999999"])},
        {"name": "hex Content-Length", "data": req(b"POST", G, [b"Content-Length: 0x10"])},
        {"name": "Content-Length with a space", "data": req(b"POST", G, [b"Content-Length: 1 0"])},
        {"name": "bad chunk size", "data": req(b"POST", G, [b"Transfer-Encoding: chunked"], b"zz\r\nab\r\n0\r\n\r\n")},
        {"name": "huge chunk size", "data": req(b"POST", G, [b"Transfer-Encoding: chunked"],
                                                  b"ffffffffffffffffffff\r\nab\r\n0\r\n\r\n")},
        {"name": "chunk extensions", "data": req(b"POST", G, [b"Transfer-Encoding: chunked"],
                                                   b"2;" + b"e" * 9000 + b"\r\nab\r\n0\r\n\r\n")},
        {"name": "obs-fold", "data": req(b"GET", G, [b"X-Folded: a", b"  b"])},
        {"name": "obs-fold first", "data": b"GET " + G + b" HTTP/1.1\r\n  folded\r\nHost: x\r\n\r\n"},
        {"name": "header without colon", "data": req(b"GET", G, [b"NoColonHere"])},
        {"name": "space before colon", "data": req(b"GET", G, [b"Host : x"], host=False)},
        {"name": "NUL in a header", "data": req(b"GET", G, [b"X-N: a\x00b"])},
        {"name": "CR in a header", "data": req(b"GET", G, [b"X-N: a\rb"])},
        {"name": "bare LF lines", "data": b"GET " + G + b" HTTP/1.1\nHost: x\n\n"},
        {"name": "no Host in HTTP/1.1", "data": req(b"GET", G, host=False), "want": (400,)},
        {"name": "two Hosts", "data": req(b"GET", G, [b"Host: evil.example"])},
        {"name": "bad Host", "data": req(b"GET", G, [b"Host: a b/c@d:99999"], host=False)},
        {"name": "empty Host", "data": req(b"GET", G, [b"Host:"], host=False)},
        {"name": "Expect: 100-continue to a refused upload",
         "data": req(b"POST", G, [b"Expect: 100-continue", b"Content-Length: 100000000"])},
        {"name": "Expect: bogus", "data": req(b"GET", G, [b"Expect: 999-bogus"])},
        {"name": "Connection: Upgrade h2c",
         "data": req(b"GET", G, [b"Connection: Upgrade, HTTP2-Settings", b"Upgrade: h2c",
                                  b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"])},
        {"name": "Upgrade: websocket",
         "data": req(b"GET", G, [b"Connection: Upgrade", b"Upgrade: websocket",
                                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", b"Sec-WebSocket-Version: 13"])},
        {"name": "bad Authorization", "data": req(b"GET", G, [b"Authorization: Bearer " + b"\xff" * 3000])},
        {"name": "bad Cookie", "data": req(b"GET", G, [b"Cookie: " + b"s=" * 5000])},
        {"name": "bad X-Request-Id", "data": req(b"GET", G, [b"X-Request-Id: " + b"\x01\xff\"\\" * 100])},
        {"name": "bad If-None-Match", "data": req(b"GET", G, [b"If-None-Match: " + b"\"" * 4000])},
        {"name": "bad Range", "data": req(b"GET", G, [b"Range: bytes=99999999999999999999-1"])},
    ]
    for m in [b"G@T", b"FOO", b"get", b"CONNECT", b"TRACE", b"OPTIONS", b"PATCH", b"HEAD", b"DELETE",
              b"M" * 5000, b"GET\x00", b"\xffGET", b""]:
        cases.append({"name": "method %r" % m[:20], "data": req(m, G), "allow": (501,)})
    return cases


def line_cases():
    pri = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    settings = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
    return [
        {"name": "HTTP/2 preface", "data": pri + settings, "allow": (505,)},
        {"name": "HTTP/2 preface twice", "data": (pri + settings) * 2, "allow": (505,)},
        {"name": "HTTP/9.9", "data": b"GET " + G + b" HTTP/9.9\r\nHost: x\r\n\r\n", "allow": (505,)},
        {"name": "HTTP/1.10", "data": b"GET " + G + b" HTTP/1.10\r\nHost: x\r\n\r\n", "allow": (505,)},
        {"name": "HTTP/0.9", "data": b"GET " + G + b"\r\n\r\n", "allow": (505,)},
        {"name": "HTTP/1.0 without Host", "data": b"GET " + G + b" HTTP/1.0\r\n\r\n"},
        {"name": "version garbage", "data": b"GET " + G + b" XTTP/1.1\r\nHost: x\r\n\r\n", "allow": (505,)},
        {"name": "extra words", "data": b"GET " + G + b" HTTP/1.1 extra\r\nHost: x\r\n\r\n", "allow": (505,)},
        {"name": "empty lines only", "data": b"\r\n" * 1000},
        {"name": "binary garbage", "data": bytes(range(256)) * 40},
        {"name": "TLS ClientHello", "data": bytes.fromhex("16030100a5010000a10303") + os.urandom(160)},
        {"name": "lone NUL", "data": b"\x00"},
        {"name": "half a request line", "data": b"GET /"},
        {"name": "pipelined garbage",
         "data": req(b"GET", G) + b"\x00\xff garbage \r\n\r\n" + req(b"GET", G), "timeout": 2.0},
        {"name": "pipelined many",
         "data": req(b"GET", G) * 50 + b"BREW /pot HTCPCP/1.0\r\n\r\n", "timeout": 3.0},
        {"name": "pipelined smuggle",
         "data": req(b"POST", G, [b"Content-Length: 30"], b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n") +
                 req(b"GET", G), "timeout": 2.0},
    ]


def json_cases():
    out = []
    for route in CTX.get("json_routes", []):
        token = route.get("token")
        path = route["path"].encode()
        deep = b"[" * 100000 + b"]" * 100000
        wide = b"{" + b",".join(b'"k%d":1' % i for i in range(60000)) + b"}"
        long_str = b'{"s":"' + b"x" * 2000000 + b'"}'
        for what, body in [("deep JSON", deep), ("wide JSON", wide), ("oversize JSON", long_str),
                           ("deep objects", b'{"a":' * 5000 + b"1" + b"}" * 5000),
                           ("truncated JSON", b'{"a":[1,2,'), ("NUL in JSON", b'{"a":"\x00"}'),
                           ("bad UTF-8", b'{"a":"\xc0\xae\xff"}'), ("huge number", b'{"a":' + b"9" * 100000 + b"}"),
                           ("lone surrogate", b'{"a":"\\ud800"}'), ("empty body", b"")]:
            out.append({"name": "%s to %s" % (what, route["path"]),
                        "data": req(b"POST", path, auth(token) + [b"Content-Type: application/json",
                                                                   b"Content-Length: %d" % len(body)], body),
                        "timeout": 5.0})
    return out


def multipart_cases():
    out = []
    for route in CTX.get("upload_routes", []):
        token = route.get("token")
        path = route["path"].encode()
        field = route.get("field", "document").encode()

        def mp(ctype, body, name):
            out.append({"name": "%s to %s" % (name, route["path"]),
                        "data": req(b"POST", path, auth(token) + [b"Content-Type: " + ctype,
                                                                   b"Content-Length: %d" % len(body)], body),
                        "timeout": 5.0})
        part = b'Content-Disposition: form-data; name="' + field + b'"; filename="a.pdf"\r\n\r\n%PDF-1.4\r\n'
        mp(b"multipart/form-data", b"--b\r\n" + part + b"--b--\r\n", "missing boundary")
        mp(b"multipart/form-data; boundary=", b"--\r\n" + part + b"----\r\n", "empty boundary")
        mp(b"multipart/form-data; boundary=b", b"--b\r\n" + part, "unterminated")
        mp(b"multipart/form-data; boundary=b", b"--b\r\n" + part + b"--b", "no final CRLF")
        mp(b"multipart/form-data; boundary=b", b"", "0-byte body")
        mp(b"multipart/form-data; boundary=b", b"--b--\r\n", "no parts")
        mp(b"multipart/form-data; boundary=b", b"junk before\r\n--other\r\n" + part, "wrong boundary")
        mp(b"multipart/form-data; boundary=b",
           b"--b\r\nX-Huge: " + b"h" * 60000 + b"\r\n" + part + b"--b--\r\n", "huge part header")
        mp(b"multipart/form-data; boundary=b",
           b"--b\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3000)) + part + b"--b--\r\n",
           "many part headers")
        mp(b"multipart/form-data; boundary=b",
           b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n", "part without a name")
        mp(b"multipart/form-data; boundary=b",
           b'--b\r\nContent-Disposition: form-data; name="' + b"n" * 30000 + b'"\r\n\r\nx\r\n--b--\r\n',
           "30 kB field name")
        mp(b"multipart/form-data; boundary=" + b"B" * 5000, b"--" + b"B" * 5000 + b"\r\n" + part,
           "5 kB boundary")
        mp(b"multipart/form-data; boundary=b",
           (b"--b\r\n" + part) * 2000 + b"--b--\r\n", "2000 parts")
        mp(b"multipart/form-data; boundary=b",
           b"--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n" + part + b"--c--\r\n--b--\r\n",
           "nested multipart")
        mp(b"multipart/form-data; boundary=\"b", b"--b\r\n" + part + b"--b--\r\n", "unbalanced quote")
        mp(b"application/x-www-form-urlencoded", b"a=" + b"%" * 5000, "bad urlencoded")
        mp(b"text/plain", b"\x00" * 1000, "NUL bytes")
    return out


def slow_cases():
    """Slow clients (short and bounded): headers a few bytes at a time and a
    body that trickles in, while a good client must still be served."""
    def slow_headers():
        data = req(b"GET", G, [b"X-Slow: " + b"s" * 40])
        return {"name": "slow headers", "chunks": [data[i:i + 4] for i in range(0, len(data), 4)],
                "pause": 0.08, "timeout": 3.0}

    def slow_body():
        path = CTX.get("slow_body_path", GOOD).encode()
        body = b"x" * 64
        head = req(b"POST", path, [b"Content-Type: application/octet-stream", b"Content-Length: 100000"])
        return {"name": "slow body to " + path.decode(), "chunks": [head] + [body] * 20, "pause": 0.1,
                "timeout": 1.0}

    def stalled():
        return {"name": "stalled headers", "data": b"GET " + G + b" HTTP/1.1\r\nHost: x\r\nX-A: ",
                "timeout": 2.5}
    return [slow_headers() for _ in range(8)] + [slow_body() for _ in range(8)] + [stalled() for _ in range(8)]


def good_latency(stop, worst):
    while not stop.is_set():
        t0 = time.monotonic()
        buf = exchange(b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % G, 10.0)
        took = time.monotonic() - t0
        if statuses(buf)[:1] != [200]:
            failure("%s: a good request during the slow clients got %r" % (NAME, buf[:200]))
        worst[0] = max(worst[0], took)
        time.sleep(0.1)


groups = [("header abuse", header_cases()), ("request lines", line_cases()),
          ("path traversal", traversal_cases()), ("hostile JSON", json_cases()),
          ("bad multipart", multipart_cases())]
t_start = time.monotonic()
with ThreadPoolExecutor(max_workers=16) as pool:
    for group, cases in groups:
        list(pool.map(run, cases))
        if not alive(group):
            break
    else:
        stop, worst = threading.Event(), [0.0]
        watcher = threading.Thread(target=good_latency, args=(stop, worst))
        watcher.start()
        slow = slow_cases()
        with ThreadPoolExecutor(max_workers=len(slow)) as spool:
            list(spool.map(run, slow))
        stop.set()
        watcher.join()
        if worst[0] > 2.0:
            failure("%s: a good request took %.2f s while slow clients hung on" % (NAME, worst[0]))
        alive("slow clients")
for f in failures:
    print("FAIL:", f)
print("%s: %d hostile requests in %.1f s, %d failures" % (NAME, sent, time.monotonic() - t_start, len(failures)))
sys.exit(1 if failures else 0)
