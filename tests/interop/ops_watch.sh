#!/usr/bin/env bash
# ops_watch.sh — what an operator watches (docs/operations.md), on the real
# daemons: GET /metrics of all three is valid Prometheus text (promtool)
# and its counters move with the requests made; every reply carries
# X-Request-Id and the access log is one JSON object per line carrying it
# (--log_text keeps the human line); /healthz names each problem made to
# happen here — a certificate near its end (warning, 200), seals whose
# name and picture the issuer cannot give (warning, until it can again), an
# ended maker, responder or root certificate, an expired trust anchor, feeds
# gone stale, the log unreachable, the publisher unreachable (error, 503).
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD,
# ESEAL_FAULT_CLOCK (faults/clock_back.c), curl, openssl, python3 and
# promtool (Debian's prometheus package).
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
: "${ESEAL_FAULT_CLOCK:?set ESEAL_FAULT_CLOCK to the clock_back shim (libeseal-fault-clock.so)}"
command -v promtool >/dev/null || { echo "ops_watch: promtool missing (tools/bootstrap installs prometheus)" >&2; exit 1; }
ESEAL_TEST_NAME=ops_watch
# shellcheck source=lib/platform.bash
. "$(dirname "$0")/lib/platform.bash"
extra=
trap 'for p in $extra; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; cleanup' EXIT

"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --status-url "$pbase" --access_log \
    >verifier.log 2>&1 &
verifier=$!
extra="$extra $verifier"
vbase="http://127.0.0.1:$(wait_port verifier.log "$verifier")"

# scrape BASE OUT: GET BASE/metrics into OUT; promtool must accept it
scrape() {
    local code
    code=$(curl -s -D "$2.hdr" -o "$2" -w '%{http_code}' "$1/metrics")
    [ "$code" = 200 ] || fail "$1/metrics: $code"
    tr -d '\r' <"$2.hdr" | grep -qi '^content-type: text/plain; version=0.0.4' ||
        fail "$1/metrics: Content-Type"
    promtool check metrics <"$2" >"$2.lint" 2>&1 || { cat "$2.lint" >&2; fail "promtool rejects $1/metrics"; }
}
# metric FILE SERIES: the value of the sample SERIES (name{labels} exactly), or -1
metric() {
    python3 - "$1" "$2" <<'PY'
import sys
want = sys.argv[2]
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    series, _, value = line.rstrip("\n").rpartition(" ")
    if series == want:
        print(float(value)); break
else:
    print(-1.0)
PY
}
# more A B: true when the number A is above B
more() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "$1" "$2"; }

# --- /metrics: valid, and the counters move ---------------------------------
for b in "$ibase" "$pbase" "$vbase"; do scrape "$b" m0.txt; done
ok
scrape "$pbase" p1.txt
series='eseal_http_requests_total{route="/status/{esID}",method="GET",status="200"}'
before=$(metric p1.txt "$series")
for _ in 1 2 3; do [ "$(pub "/status/$esid")" = 200 ] || fail "status"; done
[ "$(pub /status/35000000000000)" = 404 ] || fail "unknown seal"
sleep 0.2 # counted as each request completes, just after its reply
scrape "$pbase" p2.txt
after=$(metric p2.txt "$series")
python3 -c 'import sys; b=max(float(sys.argv[1]),0); sys.exit(0 if float(sys.argv[2]) >= b+3 else 1)' "$before" "$after" ||
    fail "requests_total went from $before to $after after three GETs"
more "$(metric p2.txt 'eseal_http_requests_total{route="/status/{esID}",method="GET",status="404"}')" 0 ||
    fail "the 404 is counted"
more "$(metric p2.txt 'eseal_http_request_duration_seconds_count{route="/status/{esID}",method="GET"}')" 3 ||
    fail "latency histogram count"
more "$(metric p2.txt 'eseal_publisher_signed_total{kind="status"}')" 0 || fail "status responses signed"
[ "$(metric p2.txt 'eseal_publisher_lag_entries')" = 0.0 ] || fail "publisher lag"
more "$(metric p2.txt 'eseal_publisher_log_entries')" 0 || fail "publisher log entries"
more "$(metric p2.txt 'eseal_rocksdb_keys{db="publisher"}')" 0 || fail "publisher RocksDB keys"
more "$(metric p2.txt 'eseal_cert_expiry_seconds{cert="responder"}')" $((300 * 86400)) || fail "responder expiry days"
ok

scrape "$ibase" i1.txt
more "$(metric i1.txt 'eseal_issuer_seals_signed_total')" 0 || fail "seals signed"
[ "$(metric i1.txt 'eseal_issuer_seal_sign_failures_total')" = 0.0 ] || fail "sign failures"
more "$(metric i1.txt 'eseal_log_entries')" 5 || fail "log entries"
more "$(metric i1.txt 'eseal_log_bytes')" 0 || fail "log bytes"
age=$(metric i1.txt 'eseal_log_checkpoint_age_seconds')
python3 -c 'import sys; sys.exit(0 if 0 <= float(sys.argv[1]) < 600 else 1)' "$age" || fail "checkpoint age $age"
[ "$(metric i1.txt 'eseal_issuer_queue_length{queue="to_register"}')" = 0.0 ] || fail "queue length"
more "$(metric i1.txt 'eseal_issuer_materials_bytes')" 0 || fail "materials bytes"
more "$(metric i1.txt 'eseal_rocksdb_keys{db="issuer"}')" 0 || fail "issuer RocksDB keys"
more "$(metric i1.txt 'eseal_cert_expiry_seconds{cert="maker"}')" $((300 * 86400)) || fail "maker expiry days"
# a new submission waits in the makers' queue
file_submitted apply "" >/dev/null
scrape "$ibase" i2.txt
[ "$(metric i2.txt 'eseal_issuer_queue_length{queue="to_register"}')" = 1.0 ] || fail "queue moved"
ok

# the verifier counts its reports by indication
expect 200 GET "/api/v1/seals/$esid/seal.esl" "$maker"
cp resp.json seal.esl
[ "$(curl -s -o v.json -w '%{http_code}' -F seal=@seal.esl "$vbase/api/v1/verify")" = 200 ] ||
    fail "verify the seal"
scrape "$vbase" v1.txt
more "$(metric v1.txt 'eseal_cert_expiry_seconds{cert="trust0"}')" $((300 * 86400)) || fail "trust0 expiry"
ind=$(json v.json 'j["indication"]')
[ "$(metric v1.txt "eseal_verifier_reports_total{indication=\"$ind\"}")" = 1.0 ] ||
    fail "reports_total{$ind}"
ok

# --- request ids and the JSON access log ------------------------------------
rid=$(curl -s -D - -o /dev/null "$vbase/healthz" | tr -d '\r' | sed -n 's/^X-Request-Id: //Ip')
[ "${#rid}" = 32 ] || fail "X-Request-Id: '$rid'"
mine=$(curl -s -D - -o /dev/null -H 'X-Request-Id: lb-42.a' "$vbase/healthz" | tr -d '\r' |
    sed -n 's/^X-Request-Id: //Ip')
[ "$mine" = lb-42.a ] || fail "the caller's X-Request-Id is kept: '$mine'"
sleep 0.2
python3 - verifier.log "$rid" <<'PY' || fail "the access log"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("{")]
recs = [json.loads(l) for l in lines]  # every JSON line parses
hit = [r for r in recs if r.get("requestId") == sys.argv[2]]
assert len(hit) == 1, hit
r = hit[0]
assert r["route"] == "/healthz" and r["method"] == "GET" and r["status"] == 200, r
assert r["component"] == "eseal-verifierd" and r["level"] == "info", r
assert isinstance(r["durationMs"], float) and r["time"].endswith("Z"), r
assert any(x.get("requestId") == "lb-42.a" for x in recs)
# the upload's body and the seal's bytes never reach the log
assert all(set(x) <= {"time", "level", "component", "requestId", "method", "route", "status",
                      "durationMs", "bytes"} for x in recs), recs
PY
"$ESEAL_VERIFIERD" --port 0 --trust ca/root.pem --no-status --access_log --log_text \
    >verifier2.log 2>&1 &
v2=$!
extra="$extra $v2"
v2base="http://127.0.0.1:$(wait_port verifier2.log "$v2")"
curl -s -o /dev/null "$v2base/healthz?token=secret"
sleep 0.2
grep -q 'eseal-verifierd 127.0.0.1 GET /healthz 200 ' verifier2.log || fail "--log_text"
grep -q secret verifier2.log && fail "the query reached the log"
kill "$v2"
ok

# --- /healthz ---------------------------------------------------------------
health() { curl -s -o "$2" -w '%{http_code}' "$1/healthz"; }
# problems FILE: "check:severity ..." sorted
problems() { json "$1" '" ".join(sorted(p["check"] + ":" + p["severity"] for p in j["problems"]))'; }
# settle BASE WANT: polls BASE/healthz (20 s at most) until its "CODE
# PROBLEMS" is WANT; h.json holds the last answer
settle() {
    for _ in $(seq 1 200); do
        [ "$(health "$1" h.json) $(problems h.json)" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}
# said FILE MESSAGE: true when one of the problems in FILE says MESSAGE
said() {
    json "$1" '"\n".join(p["message"] for p in j["problems"])' >said.txt
    grep -qxF "$2" said.txt
}
for b in "$ibase" "$pbase" "$vbase"; do
    [ "$(health "$b" h.json)" = 200 ] || { cat h.json >&2; fail "$b/healthz"; }
    [ "$(json h.json 'j["ok"], j["problems"]')" = "(True, [])" ] || fail "$b/healthz: $(cat h.json)"
done
ok

# a CA whose root ends in 30 days (--root-days takes no less), its maker,
# responder and time-stamp certificates in 10: warnings, 200
"$ESEAL" ca init --dir ca10 --root-days 30 --days 10 >/dev/null
"$ESEAL_ISSUERD" --port 0 --data idata10 --ca ca10 >issuer10.log 2>&1 &
i10=$!
extra="$extra $i10"
i10base="http://127.0.0.1:$(wait_port issuer10.log "$i10")"
[ "$(health "$i10base" h.json)" = 200 ] || fail "issuer with a short-lived maker: $(cat h.json)"
[ "$(problems h.json)" = "cert.maker:warning cert.root:warning" ] || fail "issuer problems: $(cat h.json)"
said h.json '制章证书将在 10 天内到期 / the seal maker certificate expires within 10 days' ||
    fail "the maker message: $(cat h.json)"
said h.json '根证书将在 30 天内到期 / the root certificate expires within 30 days' ||
    fail "the root message: $(cat h.json)"
# and a publisher of that CA serving time-stamps: its root, responder and
# time-stamp certificates end within 30 days
"$ESEAL_PUBLISHERD" --port 0 --data pdata10 --ca ca10 --log "$i10base" --tsa >publisher10.log 2>&1 &
p10=$!
extra="$extra $p10"
p10base="http://127.0.0.1:$(wait_port publisher10.log "$p10")"
[ "$(health "$p10base" h.json)" = 200 ] || fail "publisher with a short-lived responder: $(cat h.json)"
[ "$(problems h.json)" = "cert.responder:warning cert.root:warning cert.tsa:warning" ] ||
    fail "publisher problems: $(cat h.json)"
said h.json '时间戳证书将在 10 天内到期 / the time-stamp certificate expires within 10 days' ||
    fail "the time-stamp message: $(cat h.json)"
kill "$p10"
kill "$i10"
ok

# certificates that have ended: made by `eseal ca init` under a shim that
# moves its clock back (faults/clock_back.c); the daemons run on the real
# clock. cao: made 2 days ago, the root for 30 days (ends within 28), the
# others for 1 (ended yesterday); caroot: made 31 days ago, the root ended
# yesterday too. An ended maker, responder or root is an error (503); an
# ended time-stamp certificate a warning.
inits=
for c in cao:2 caroot:31; do
    LD_PRELOAD=$ESEAL_FAULT_CLOCK ESEAL_FAULT_CLOCK_BACK=$((${c#*:} * 86400)) \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        "$ESEAL" ca init --dir "${c%:*}" --root-days 30 --days 1 >/dev/null &
    inits="$inits $!"
done
for pid in $inits; do wait "$pid" || fail "ca init with the clock moved back"; done
# ended PEM: the certificate FILE has ended (openssl, on the real clock)
ended() { ! openssl x509 -in "$1" -noout -checkend 0 >/dev/null; }
for f in cao/maker.pem cao/responder.pem cao/tsa.pem caroot/root.pem; do
    ended $f || fail "$f has not ended"
done
ended cao/root.pem && fail "cao/root.pem has ended"
# both issuers at once, then both publishers
declare -A ipid ppid ib hi hp
for c in cao caroot; do
    "$ESEAL_ISSUERD" --port 0 --data idata-$c --ca $c >issuer-$c.log 2>&1 &
    ipid[$c]=$!
    extra="$extra $!"
done
for c in cao caroot; do
    ib[$c]="http://127.0.0.1:$(wait_port issuer-$c.log "${ipid[$c]}")"
    "$ESEAL_PUBLISHERD" --port 0 --data pdata-$c --ca $c --log "${ib[$c]}" --tsa \
        >publisher-$c.log 2>&1 &
    ppid[$c]=$!
    extra="$extra $!"
done
for c in cao caroot; do
    pb="http://127.0.0.1:$(wait_port publisher-$c.log "${ppid[$c]}")"
    hi[$c]="$(health "${ib[$c]}" hi-$c.json) $(problems hi-$c.json)"
    hp[$c]="$(health "$pb" hp-$c.json) $(problems hp-$c.json)"
    kill "${ppid[$c]}" "${ipid[$c]}"
done
[ "${hi[cao]}" = "503 cert.maker:error cert.root:warning" ] ||
    fail "issuer with an ended maker: $(cat hi-cao.json)"
said hi-cao.json '制章证书已过期 / the seal maker certificate has expired' ||
    fail "the maker message: $(cat hi-cao.json)"
[ "${hp[cao]}" = "503 cert.responder:error cert.root:warning cert.tsa:warning" ] ||
    fail "publisher with an ended responder: $(cat hp-cao.json)"
said hp-cao.json '状态签名证书已过期 / the status responder certificate has expired' ||
    fail "the responder message: $(cat hp-cao.json)"
said hp-cao.json '时间戳证书已过期 / the time-stamp certificate has expired' ||
    fail "the time-stamp message: $(cat hp-cao.json)"
[ "${hi[caroot]}" = "503 cert.maker:error cert.root:error" ] ||
    fail "issuer with an ended root: $(cat hi-caroot.json)"
[ "${hp[caroot]}" = "503 cert.responder:error cert.root:error cert.tsa:warning" ] ||
    fail "publisher with an ended root: $(cat hp-caroot.json)"
said hp-caroot.json '根证书已过期 / the root certificate has expired' ||
    fail "the root message: $(cat hp-caroot.json)"
ok

# trust anchors: one ending in 5 days warns; one expired is an error (503)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout short.key \
    -subj /CN=short -days 5 -out short.pem 2>/dev/null
mkdir -p oldca/newcerts
: >oldca/index.txt
cat >oldca.cnf <<'CNF'
[ca]
default_ca = old
[old]
dir = oldca
database = oldca/index.txt
new_certs_dir = oldca/newcerts
serial = oldca/serial
default_md = sha256
policy = any
x509_extensions = ext
[any]
commonName = supplied
[ext]
basicConstraints = critical,CA:true
keyUsage = keyCertSign, cRLSign
CNF
echo 01 >oldca/serial
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout old.key \
    -subj /CN=old -out old.csr 2>/dev/null
openssl ca -batch -config oldca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem \
    -startdate 20200101000000Z -enddate 20210101000000Z >/dev/null 2>&1 || fail "openssl ca"
cat ca/root.pem short.pem >trust-short.pem
cat ca/root.pem old.pem >trust-old.pem
for t in short old; do
    "$ESEAL_VERIFIERD" --port 0 --trust trust-$t.pem --no-status >verifier-$t.log 2>&1 &
    pid=$!
    extra="$extra $pid"
    b="http://127.0.0.1:$(wait_port verifier-$t.log "$pid")"
    code=$(health "$b" h-$t.json)
    kill "$pid"
    case $t in
    short) [ "$code $(problems h-short.json)" = "200 cert.trust:warning" ] || fail "short: $code $(cat h-short.json)" ;;
    old) [ "$code $(problems h-old.json)" = "503 cert.trust:error" ] || fail "old: $code $(cat h-old.json)" ;;
    esac
done
json h-old.json 'j["problems"][0]["message"]' | grep -q '信任锚证书已过期 / the trust anchor certificate has expired' ||
    fail "expired message"
ok

# feeds gone stale: a publisher that polls once a minute, stale after 1 s
"$ESEAL_PUBLISHERD" --port 0 --data pdata-stale --ca ca --log "$ibase" --poll_ms 60000 \
    --stale_after 1 >publisher-stale.log 2>&1 &
ps=$!
extra="$extra $ps"
psbase="http://127.0.0.1:$(wait_port publisher-stale.log "$ps")"
for _ in $(seq 1 50); do
    [ "$(health "$psbase" h.json)" = 503 ] && break
    sleep 0.1
done
[ "$(health "$psbase" h.json)" = 503 ] || fail "never stale: $(cat h.json)"
[ "$(problems h.json)" = "stale:error" ] || fail "stale problems: $(cat h.json)"
json h.json 'j["lastSuccess"]' | grep -q Z || fail "it had polled once: $(cat h.json)"
kill "$ps"
ok

# the log out of reach: the publisher says so (503); the publisher out of
# reach: the verifier says so (503)
kill "$issuer"
wait "$issuer" 2>/dev/null || true
issuer=
for _ in $(seq 1 100); do
    [ "$(health "$pbase" h.json)" = 503 ] && break
    sleep 0.1
done
[ "$(health "$pbase" h.json)" = 503 ] && json h.json '[p["check"] for p in j["problems"]]' | grep -q "'log'" ||
    fail "publisher without its log: $(cat h.json)"
ok

# seals whose name and picture the issuer cannot give: a publisher reading
# the log from the issuer's directory while the issuer is down warns (200),
# and the warning goes once the issuer answers again
"$ESEAL_PUBLISHERD" --port 0 --data pdata-fetch --ca ca --log idata/log --issuer "$ibase" \
    --poll_ms 50 >publisher-fetch.log 2>&1 &
pf=$!
extra="$extra $pf"
pfbase="http://127.0.0.1:$(wait_port publisher-fetch.log "$pf")"
settle "$pfbase" "200 fetch:warning" || fail "publisher without the issuer's seals: $(cat h.json)"
said h.json '签发服务未应答，暂停获取印章名称和图片 / the issuer does not answer: fetching seal names and pictures is paused' ||
    fail "the fetch message: $(cat h.json)"
grep -q "not fetched from $ibase" publisher-fetch.log || fail "the fetch failure is logged"
"$ESEAL_ISSUERD" --port "$iport" --data idata --ca ca >issuer-again.log 2>&1 &
issuer=$!
wait_port issuer-again.log "$issuer" >/dev/null
settle "$pfbase" "200 " || fail "the fetch warning stays with the issuer back: $(cat h.json)"
kill "$pf"
# and the first publisher follows the log again: its error goes
settle "$pbase" "200 " || fail "the log error stays with the issuer back: $(cat h.json)"
kill "$publisher"
wait "$publisher" 2>/dev/null || true
publisher=
[ "$(health "$vbase" h.json)" = 503 ] && [ "$(problems h.json)" = "status:error" ] ||
    fail "verifier without its publisher: $(cat h.json)"
ok

echo "ops_watch: $passed checks passed"
