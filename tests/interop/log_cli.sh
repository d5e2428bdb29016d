#!/usr/bin/env bash
# log_cli.sh — `eseal log` from the command line, checked with tools that are
# not ours: the checkpoint's Ed25519 signature verifies with `openssl pkeyutl
# -verify -rawin` over the note body, python3 recomputes the RFC 6962 root
# from the entries, every single-byte change of a segment file is caught by
# `eseal log verify`, and `eseal log serve` answers `verify --url` and
# `show --url` and refuses bad parameters with 400.
#
# Needs ESEAL (the eseal binary), openssl >= 3.0 and python3.
set -euo pipefail

: "${ESEAL:?set ESEAL to the eseal binary}"
command -v openssl >/dev/null
command -v python3 >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-log.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

unset ESEAL_PASSPHRASE
printf '%s\n' 'log interop passphrase' >pass.txt
ORIGIN=interop.eseal/log
"$ESEAL" ca init --dir ca --passphrase-file pass.txt --origin "$ORIGIN" >/dev/null

passed=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() { passed=$((passed + 1)); }
# expect_exit CODE DESCRIPTION COMMAND...: COMMAND must exit with CODE.
expect_exit() {
    local want=$1 what=$2
    shift 2
    local rc=0
    "$@" >exit.out 2>exit.err || rc=$?
    if [ "$rc" -ne "$want" ]; then
        cat exit.out exit.err >&2
        fail "$what: exit $rc, want $want"
    fi
    ok
}

# ---- help and usage ------------------------------------------------------------
"$ESEAL" log --help | grep -q 'usage: eseal log' || fail "log --help"
for sub in append checkpoint verify show serve bench; do
    "$ESEAL" log "$sub" --help | grep -q "usage: eseal log $sub" || fail "log $sub --help"
    ok
done
expect_exit 2 "no subcommand" "$ESEAL" log
expect_exit 2 "unknown subcommand" "$ESEAL" log frobnicate
expect_exit 2 "append without --dir" "$ESEAL" log append --ca ca
expect_exit 2 "verify with --dir and --url" "$ESEAL" log verify --dir L --url http://127.0.0.1:1 --key ca/log.pub
expect_exit 2 "verify without --key" "$ESEAL" log verify --dir L
expect_exit 2 "unknown option" "$ESEAL" log show --dir L --bogus
grep -q usage exit.err || fail "usage text on a usage error"

# ---- append ------------------------------------------------------------------------
cat >entries.jsonl <<'EOF'
{"v":1,"type":"application.submitted","application":"A-0001","actor":{"id":"agent-7","role":"agent"}}
{"v":1,"type":"application.approved","application":"A-0001","actor":{"id":"rev-2","role":"reviewer"}}

{"v":1,"type":"seal.issued","seal":"35010000000001","data":{"name":"福州市测试局"}}
{"v":1,"type":"seal.activated","seal":"35010000000001"}
{"v":1,"type":"seal.revoked","seal":"35010000000001","data":{"reason":"keyCompromise"}}
EOF
"$ESEAL" log append --dir L --ca ca --passphrase-file pass.txt <entries.jsonl >cp1.txt 2>append.err ||
    { cat append.err >&2; fail "append"; }
grep -q 'appended 5 entries' append.err || fail "append reports what it appended"
ok

# The checkpoint text: origin, size, base64 root, blank, signature line by the
# key in log.pub; and the root is the RFC 6962 root of the entries as shown.
"$ESEAL" log show --dir L >shown.jsonl
[ "$(wc -l <shown.jsonl)" -eq 5 ] || fail "show prints 5 entries"
python3 - "$ORIGIN" cp1.txt ca/log.pub shown.jsonl <<'EOF' || fail "checkpoint format and root"
import base64, hashlib, json, sys
origin, cp_path, pub_path, shown_path = sys.argv[1:]
note = open(cp_path, 'rb').read().decode('utf-8')
lines = note.split('\n')
assert lines[0] == origin, lines
assert lines[1] == '5', lines
root = base64.b64decode(lines[2], validate=True)
assert len(root) == 32 and len(lines[2]) == 44
assert lines[3] == '' and lines[5] == '' and len(lines) == 6, lines
assert lines[4].startswith('\u2014 ' + origin + ' '), lines[4]
sig = base64.b64decode(lines[4].split(' ')[2], validate=True)
assert len(sig) == 68
name, keyhash, _ = open(pub_path).read().strip().split('+', 2)
assert name == origin and sig[:4].hex() == keyhash
H = lambda b: hashlib.sha256(b).digest()
def mth(d):
    if len(d) == 0: return H(b'')
    if len(d) == 1: return H(b'\x00' + d[0])
    k = 1
    while k * 2 < len(d): k *= 2
    return H(b'\x01' + mth(d[:k]) + mth(d[k:]))
entries = [l.rstrip('\n').encode('utf-8') for l in open(shown_path, encoding='utf-8')]
for i, e in enumerate(entries):
    j = json.loads(e)
    assert j['seq'] == i and 'time' in j
    # canonical: compact, keys sorted, UTF-8 kept
    assert json.dumps(j, separators=(',', ':'), sort_keys=True, ensure_ascii=False).encode() == e
assert mth(entries) == root
EOF
ok

# `log checkpoint` prints the same bytes.
"$ESEAL" log checkpoint --dir L >cp2.txt
cmp -s cp1.txt cp2.txt || fail "log checkpoint differs from what append printed"
ok

# ---- the signature, checked by openssl ------------------------------------------------
python3 - cp1.txt body.bin sig.bin <<'EOF'
import base64, sys
note = open(sys.argv[1], 'rb').read()
body, sigs = note.split(b'\n\n', 1)
open(sys.argv[2], 'wb').write(body + b'\n')
sig = base64.b64decode(sigs.split(b' ')[-1].strip())
open(sys.argv[3], 'wb').write(sig[4:])
EOF
openssl pkeyutl -verify -pubin -inkey ca/log.pub.pem -rawin -in body.bin -sigfile sig.bin \
    >ossl.out 2>&1 || { cat ossl.out >&2; fail "openssl rejects the checkpoint signature"; }
grep -q 'Signature Verified Successfully' ossl.out || fail "openssl output"
ok
printf 'x' >>body.bin
if openssl pkeyutl -verify -pubin -inkey ca/log.pub.pem -rawin -in body.bin -sigfile sig.bin \
    >/dev/null 2>&1; then
    fail "openssl accepts a changed body"
fi
ok

# ---- verify ------------------------------------------------------------------------------
"$ESEAL" log verify --dir L --key ca/log.pub >verify.out || fail "verify of a good log"
grep -q '^ok: 5 entries' verify.out || fail "verify summary"
ok

# ---- bad input: nothing from a bad file is appended -----------------------------------------
printf '{"ok":1}\n{"ok":2}\n{bad json\n' >bad1.jsonl
expect_exit 1 "append with bad JSON" "$ESEAL" log append --dir L --ca ca --passphrase-file pass.txt <bad1.jsonl
[ "$(wc -l <exit.err)" -eq 1 ] || { cat exit.err >&2; fail "one-line reason"; }
grep -q 'line 3' exit.err || { cat exit.err >&2; fail "the bad line is named"; }
printf '{"ok":1}\n[1,2]\n' >bad2.jsonl
expect_exit 1 "append with a non-object" "$ESEAL" log append --dir L --ca ca --passphrase-file pass.txt <bad2.jsonl
grep -q 'line 2' exit.err || { cat exit.err >&2; fail "the non-object line is named"; }
printf '{"seq":"x"}\n' >bad3.jsonl
expect_exit 1 "append with a bad seq" "$ESEAL" log append --dir L --ca ca --passphrase-file pass.txt <bad3.jsonl
"$ESEAL" log checkpoint --dir L >cp3.txt
cmp -s cp1.txt cp3.txt || fail "a refused append changed the log"
ok
expect_exit 1 "wrong passphrase" env ESEAL_PASSPHRASE=wrong-passphrase "$ESEAL" log append --dir L --ca ca </dev/null

# --stream: each line acknowledged as it goes.
printf '{"n":5}\n{"n":6}\n' | ESEAL_PASSPHRASE='log interop passphrase' \
    "$ESEAL" log append --dir L --ca ca --stream >stream.out
[ "$(tr '\n' ' ' <stream.out)" = "5 6 " ] || fail "stream prints the acknowledged indexes"
ok
"$ESEAL" log show --dir L --start 5 --end 7 >tail.jsonl
grep -q '"n":6,"seq":6' tail.jsonl || fail "show --start --end"
expect_exit 1 "show past the end" "$ESEAL" log show --dir L --start 5 --end 8
ok

# ---- every single-byte change of a segment is caught ------------------------------------------
# A small log of its own: 5 short entries, so every byte can be tried.
printf '{"a":1}\n{"b":2}\n{"c":3}\n{"d":4}\n{"e":5}\n' |
    "$ESEAL" log append --dir F --ca ca --passphrase-file pass.txt >/dev/null 2>&1
python3 - "$ESEAL" F ca/log.pub <<'EOF' || fail "single-byte changes"
import re, subprocess, sys
eseal, d, key = sys.argv[1:]
seg = d + '/segments/00000000000000000000.seg'
orig = open(seg, 'rb').read()
assert 150 < len(orig) < 600, len(orig)
def verify():
    return subprocess.run([eseal, 'log', 'verify', '--dir', d, '--key', key],
                          capture_output=True, text=True)
r = verify()
assert r.returncode == 0, r.stderr
tried = 0
for off in range(len(orig)):
    for x in (0x01, 0xff):
        b = bytearray(orig)
        b[off] ^= x
        open(seg, 'wb').write(bytes(b))
        r = verify()
        if r.returncode != 1 or not re.search(r'entry [0-9]+ ', r.stderr):
            sys.exit('offset %d xor %#x: exit %d, stderr %r' % (off, x, r.returncode, r.stderr))
        tried += 1
open(seg, 'wb').write(orig)
assert verify().returncode == 0
print('single-byte changes caught:', tried)
EOF
ok

# ---- serving --------------------------------------------------------------------------------
"$ESEAL" log checkpoint --dir L >cp-now.txt
"$ESEAL" log serve --dir L --port 0 >serve.out 2>serve.err &
server_pid=$!
url=
for _ in $(seq 1 100); do
    url=$(sed -n 's|.* on \(http://[^ ]*\) .*|\1|p' serve.out)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat serve.out serve.err >&2; fail "log serve did not start"; }
"$ESEAL" log verify --url "$url" --key ca/log.pub >verify-url.out || fail "verify --url"
grep -q '^ok: 7 entries' verify-url.out || fail "verify --url summary"
"$ESEAL" log show --url "$url" >shown-url.jsonl
"$ESEAL" log show --dir L >/dev/null 2>&1 && fail "a second process opened the served log"
python3 - "$url" cp-now.txt <<'EOF' || fail "HTTP endpoints"
import json, sys, urllib.error, urllib.request
base = sys.argv[1]
cp_now = open(sys.argv[2], 'rb').read()
def get(path):
    try:
        with urllib.request.urlopen(base + path) as r:
            return r.status, r.headers.get('Content-Type'), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type'), e.read()
st, ct, body = get('/log/checkpoint')
assert st == 200 and ct.startswith('text/plain'), (st, ct)
assert body.split(b'\n')[1] == b'7'
assert body == cp_now  # `log checkpoint` prints exactly what is served
st, ct, body = get('/log/entries?start=1&end=3')
j = json.loads(body)
assert st == 200 and [e['seq'] for e in j['entries']] == [1, 2] and j['end'] == 3
st, ct, body = get('/log/proof/inclusion?index=2&size=7')
assert st == 200 and len(json.loads(body)['hashes']) == 3
st, ct, body = get('/log/proof/consistency?first=3&second=7')
assert st == 200 and json.loads(body)['second'] == 7
for bad in ['/log/entries?start=3&end=2', '/log/entries?start=0&end=8', '/log/entries?start=a&end=2',
            '/log/entries?end=2', '/log/proof/inclusion?index=7&size=7',
            '/log/proof/consistency?first=2&second=1', '/log/proof/consistency?first=1&second=9']:
    st, ct, body = get(bad)
    assert st == 400 and ct.startswith('application/json'), (bad, st, ct)
    assert json.loads(body)['error']['code'] == 'invalid', body
EOF
ok
# The follower's view over HTTP equals the directory's.
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
"$ESEAL" log show --dir L >shown-dir.jsonl
cmp -s shown-url.jsonl shown-dir.jsonl || fail "show --url differs from show --dir"
ok
expect_exit 1 "verify with another key" "$ESEAL" log verify --dir L --key /dev/null
"$ESEAL" ca init --dir ca2 --passphrase-file pass.txt >/dev/null
expect_exit 1 "verify with another CA's key" "$ESEAL" log verify --dir L --key ca2/log.pub
grep -q 'signature\|origin' exit.err || { cat exit.err >&2; fail "names the signature"; }
expect_exit 1 "appending with another CA" "$ESEAL" log append --dir L --ca ca2 --passphrase-file pass.txt </dev/null

echo "log_cli: $passed checks passed"
