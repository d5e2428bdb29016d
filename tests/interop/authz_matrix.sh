#!/usr/bin/env bash
# authz_matrix.sh — the authorization matrix (#17): every route of
# eseal-issuerd (as `eseal-issuerd --routes` lists its route table) asked by
# every kind of caller, each answer checked against the table below; and
# the publisher's and verifier's route tables hold public routes only.
#
# Callers (columns): none = no credentials, bad = a garbage bearer token,
# exp = a session that lapsed (ended by the idle limit), out = a logged-out token,
# dis = a token of an account since disabled, the five roles with their own
# unit/city (agent, agg, maker, rev, admin), agent2 = an agent of another
# unit, agg2 = the aggregator of another city, cookie = a maker's browser
# session (cookie) without X-CSRF-Token.
#
# Outcomes: P = past authorization (the handler answered: any status below
# 500 but 401/403), A = 401, D = 403 "role may not", C = 403 "csrf",
# H = 404: the caller may call the route but not see this unit's or city's
# submission, seal or batch (answered as if it did not exist).
#
# Path parameters are a real submission, seal and batch of unit A (city
# 350100); changes get a body the handler refuses (or a state that forbids
# them) — but those of agent2 and agg2 a body the handler would take, so
# that only the scope stops them — and the test checks that the whole matrix changed nothing: the
# log's size is the same before and after. A route without a row, or a row
# without a route, fails the test. docs/security.md copies the table.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, ESEAL_VERIFIERD, curl, openssl, python3.
set -euo pipefail
: "${ESEAL_VERIFIERD:?set ESEAL_VERIFIERD to the eseal-verifierd binary}"
export ESEAL_TEST_NAME=authz-matrix
# The console's and portal's static routes are in the matrix: the issuer
# serves a build of its own (made below), so the answer does not depend on
# whether issuer/console/dist was built before this test ran.
ESEAL_TEST_ISSUER_ARGS="--console_dir console"
# shellcheck source=lib/platform.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/platform.bash"
mkdir -p console/assets
echo '<!DOCTYPE html><title>console</title>' >console/index.html
echo '<!DOCTYPE html><title>portal</title>' >console/portal.html
echo 'console.log(1)' >console/assets/index-AbCdEf12.js

# --- the publisher and the verifier: public routes only -----------------------------
for bin in "$ESEAL_PUBLISHERD" "$ESEAL_VERIFIERD"; do
    "$bin" --routes >routes.md
    n=$(grep -c '^| \(GET\|POST\|PUT\|DELETE\) | `/' routes.md)
    [ "$n" -gt 0 ] || fail "$(basename "$bin"): no routes"
    bad=$(grep '^| \(GET\|POST\|PUT\|DELETE\) | `/' routes.md | awk -F'|' '$4 !~ /^ *public *$/' || true)
    [ -z "$bad" ] || fail "$(basename "$bin") has non-public routes: add them to the matrix: $bad"
done
# a token is neither needed nor looked at by the publisher
[ "$(pub /certs/root.pem -H 'Authorization: Bearer garbage')" = 200 ] || fail "publisher with a token"
kill "$publisher"
wait "$publisher" 2>/dev/null || true
publisher=
ok

# --- more callers -----------------------------------------------------------------------
# restart_issuer ARGS...: the issuer again on the same data
restart_issuer() {
    kill "$issuer"
    wait "$issuer" 2>/dev/null || true
    "$ESEAL_ISSUERD" --port 0 --data idata --ca ca --console_dir console "$@" >issuer.log 2>&1 &
    issuer=$!
    iport=$(wait_port issuer.log "$issuer")
    ibase="http://127.0.0.1:$iport"
    base=$ibase
}
# a lapsed session: the issuer with a 2-second idle limit ends it
expect 201 POST /api/v1/staff "$admin" -d '{"username":"lapsed","password":"lapsed-password-1","role":"maker"}'
restart_issuer --session-idle 2
exp_tok=$(login lapsed lapsed-password-1)
sleep 3
expect 401 GET /api/v1/session "$exp_tok"
grep -q 'inactivity' resp.json || fail "the lapsed session: $(cat resp.json)"
restart_issuer
admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
expect 201 POST /api/v1/staff "$admin" -d '{"username":"leaver","password":"leaver-password-1","role":"maker"}'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"agent-b","password":"agent-b-password","role":"agent","unit":"91110000600001760P"}'
expect 201 POST /api/v1/staff "$admin" -d '{"username":"agg-xm","password":"agg-xm-password","role":"aggregator","city":"350200"}'
dis_tok=$(login leaver leaver-password-1)
expect 200 POST /api/v1/staff/leaver/disable "$admin"
out_tok=$(login maker1 maker-password-1)
expect 200 DELETE /api/v1/session "$out_tok"
agent=$(login agent1 agent-password-1)
agg=$(login agg-fz aggregator-pw-1)
maker=$(login maker1 maker-password-1)
reviewer=$(login reviewer1 reviewer-password-1)
agent2=$(login agent-b agent-b-password)
agg2=$(login agg-xm agg-xm-password)
curl -s -c jar -o /dev/null -X POST "$ibase/api/v1/session" \
    -d '{"username":"maker1","password":"maker-password-1","cookie":true}'
cookie=$(awk '$0 !~ /^#/ || /^#HttpOnly_/ {if (NF >= 7) print $6 "=" $7}' jar | head -1)
[ -n "$cookie" ] || fail "no session cookie"
expect 201 POST /api/v1/batches "$agg" -d '{"business":"apply"}'
bid=$(json resp.json 'j["id"]')
"$ESEAL_ISSUERD" --routes >routes.md
ok

# --- the matrix -------------------------------------------------------------------------
cat >matrix.txt <<'EOF'
# method path                                          none bad exp out dis agent agg maker rev admin agent2 agg2 cookie
POST   /api/v1/session                                 P P P P P  P P P P P  P P  P
GET    /api/v1/session                                 A A A A A  P P P P P  P P  P
POST   /api/v1/session/password                        A A A A A  P P P P P  P P  C
GET    /api/v1/sessions                                A A A A A  D D D D P  D D  D
POST   /api/v1/staff                                   A A A A A  D D D D P  D D  C
GET    /api/v1/staff                                   A A A A A  D D D D P  D D  D
POST   /api/v1/staff/{username}/disable                A A A A A  D D D D P  D D  C
POST   /api/v1/staff/{username}/enable                 A A A A A  D D D D P  D D  C
POST   /api/v1/staff/{username}/role                   A A A A A  D D D D P  D D  C
POST   /api/v1/staff/{username}/password               A A A A A  D D D D P  D D  C
POST   /api/v1/submissions                             A A A A A  P P D D D  P P  C
POST   /api/v1/submissions/check                       A A A A A  P P D D D  P P  C
GET    /api/v1/submissions                             A A A A A  P P P P P  P P  P
GET    /api/v1/submissions/{id}                        A A A A A  P P P P P  H H  P
PUT    /api/v1/submissions/{id}                        A A A A A  P P D D D  H H  C
GET    /api/v1/submissions/{id}/audit                  A A A A A  D D D D P  D D  D
GET    /api/v1/submissions/{id}/history                A A A A A  P P P P P  H H  P
POST   /api/v1/submissions/{id}/materials              A A A A A  P P D D D  H H  C
GET    /api/v1/submissions/{id}/materials/{sm3}        A A A A A  P P P P P  H H  P
POST   /api/v1/submissions/{id}/submit                 A A A A A  P P D D D  H H  C
POST   /api/v1/submissions/{id}/register               A A A A A  D D P D D  D D  C
POST   /api/v1/submissions/{id}/review                 A A A A A  D D D P D  D D  C
POST   /api/v1/submissions/{id}/produce                A A A A A  D D P D D  D D  C
POST   /api/v1/submissions/{id}/handover               A A A A A  D D P D D  D D  C
POST   /api/v1/submissions/{id}/impression             A A A A A  D D P D D  D D  C
POST   /api/v1/submissions/{id}/impression/accept      A A A A A  D D P D D  D D  C
GET    /api/v1/submissions/{id}/print/forms.pdf        A A A A A  P P P P P  H H  P
GET    /api/v1/submissions/{id}/print/summary.pdf      A A A A A  P P P P P  H H  P
GET    /api/v1/submissions/{id}/print/letter.pdf       A A A A A  P P P P P  H H  P
GET    /api/v1/submissions/{id}/print/summary.xlsx     A A A A A  P P P P P  H H  P
POST   /api/v1/submissions/{id}/summary/check          A A A A A  P P P P P  H H  C
GET    /api/v1/log/{seq}/commitment                    A A A A A  D D D D P  D D  D
GET    /api/v1/seals                                   A A A A A  P P P P P  P P  P
GET    /api/v1/seals/{esID}                            A A A A A  P P P P P  H H  P
GET    /api/v1/seals/{esID}/seal.esl                   A A A A A  P P P D D  H H  P
GET    /api/v1/seals/{esID}/cert.pem                   A A A A A  P P P D D  H H  P
GET    /api/v1/seals/{esID}/picture                    A A A A A  P P P P P  H H  P
POST   /api/v1/seals/{esID}/suspend                    A A A A A  P P P D D  H H  C
POST   /api/v1/seals/{esID}/reinstate                  A A A A A  D D P D D  D D  C
POST   /api/v1/batches                                 A A A A A  D P D D D  D P  C
GET    /api/v1/batches/{id}                            A A A A A  D P P P P  D H  P
POST   /api/v1/batches/{id}/items                      A A A A A  D P D D D  D H  C
POST   /api/v1/batches/{id}/summary                    A A A A A  D P D D D  D H  C
POST   /api/v1/batches/{id}/submit                     A A A A A  D P D D D  D H  C
POST   /api/v1/batches/{id}/register                   A A A A A  D D P D D  D D  C
POST   /api/v1/batches/{id}/review                     A A A A A  D D D P D  D D  C
GET    /api/v1/batches/{id}/print/summary.pdf          A A A A A  D P P P P  D H  P
GET    /api/v1/batches/{id}/print/summary.xlsx         A A A A A  D P P P P  D H  P
POST   /api/v1/batches/{id}/summary/check              A A A A A  D P P P P  D H  C
GET    /api/v1/notifications                           A A A A A  P P D D D  P P  D
POST   /api/v1/notifications/{id}/read                 A A A A A  P P D D D  P P  C
GET    /api/v1/queues                                  A A A A A  D D P P P  D D  P
GET    /api/v1/overview                                A A A A A  D D D D P  D D  D
GET    /api/v1/catalog                                 A A A A A  P P P P P  P P  P
GET    /api/v1/print/templates/{name}                  A A A A A  P P P P P  P P  P
POST   /api/v1/backup                                  A A A A A  D D D D P  D D  C
GET    /public/seals/{esID}/{version}/seal.esl         P P P P P  P P P P P  P P  P
GET    /log/checkpoint                                 P P P P P  P P P P P  P P  P
GET    /log/entries                                    P P P P P  P P P P P  P P  P
GET    /log/proof/inclusion                            P P P P P  P P P P P  P P  P
GET    /log/proof/consistency                          P P P P P  P P P P P  P P  P
GET    /console/{path*}                                P P P P P  P P P P P  P P  P
GET    /console                                        P P P P P  P P P P P  P P  P
GET    /portal/{path*}                                 P P P P P  P P P P P  P P  P
GET    /portal                                         P P P P P  P P P P P  P P  P
GET    /                                               P P P P P  P P P P P  P P  P
GET    /metrics                                        P P P P P  P P P P P  P P  P
GET    /healthz                                        P P P P P  P P P P P  P P  P
DELETE /api/v1/session                                 A A A A A  P P P P P  P P  C
EOF
echo "authz_matrix: platform and callers in ${SECONDS}s"
# docs/security.md shows the same table
python3 - "$(dirname "$der_py")/../../../docs/security.md" <<'PY' || fail "docs/security.md's matrix differs from this test's"
import re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
doc = doc[doc.index("<!-- authz matrix"):doc.index("<!-- end authz matrix -->")]
d = [re.sub(r"[|`]", " ", l).split() for l in doc.splitlines() if re.match(r"^\| (GET|POST|PUT|DELETE) ", l)]
t = [l.split() for l in open("matrix.txt") if l.strip() and not l.startswith("#")]
assert d == t, [r for r in t if r not in d] + [r for r in d if r not in t]
PY
size_before=$(curl -s "$ibase/log/checkpoint" | sed -n 2p)
python3 - "$ibase" "$sid" "$esid" "$bid" "$cookie" "$exp_tok" "$out_tok" "$dis_tok" "$agent" \
    "$agg" "$maker" "$reviewer" "$admin" "$agent2" "$agg2" <<'PY' || fail "the authorization matrix"
import http.client, json, re, sys, urllib.parse

base, sid, esid, bid, cookie = sys.argv[1:6]
toks = sys.argv[6:]
u = urllib.parse.urlsplit(base)
cols = ["none", "bad", "exp", "out", "dis", "agent", "agg", "maker", "rev", "admin", "agent2",
        "agg2", "cookie"]
auth = {"none": {}, "bad": {"Authorization": "Bearer " + "x" * 43}, "cookie": {"Cookie": cookie}}
for name, t in zip(["exp", "out", "dis", "agent", "agg", "maker", "rev", "admin", "agent2", "agg2"], toks):
    auth[name] = {"Authorization": "Bearer " + t}
params = {"id": sid, "esID": esid, "sm3": "0" * 64, "username": "nobody-x", "seq": "1",
          "version": "1", "path*": "", "name": "introduction.pdf"}

# the route table, as the daemon prints it
routes = []
for line in open("routes.md"):
    m = re.match(r"^\| (GET|POST|PUT|DELETE) \| `([^`]+)` \|", line)
    if m:
        routes.append((m.group(1), m.group(2)))
table = {}
for line in open("matrix.txt"):
    if line.startswith("#") or not line.strip():
        continue
    f = line.split()
    assert len(f) == 2 + len(cols), "row %s: %d cells" % (f[:2], len(f) - 2)
    assert (f[0], f[1]) not in table, "row %s twice" % f[:2]
    table[(f[0], f[1])] = dict(zip(cols, f[2:]))
missing = [r for r in routes if r not in table]
extra = [r for r in table if r not in routes]
assert not missing, "routes without a matrix row: %s" % missing
assert not extra, "matrix rows without a route: %s" % extra

def path_of(p):
    if "/batches/{id}" in p:
        p = p.replace("{id}", bid)
    if p.startswith("/api/v1/notifications/{id}"):
        p = p.replace("{id}", "N00000001")
    for k, v in params.items():
        p = p.replace("{%s}" % k, v)
    if p == "/log/entries":
        p += "?start=0&end=1"
    if p.startswith("/log/proof/"):
        p += "?first=1&second=2" if "consistency" in p else "?index=0&size=2"
    return p

def outcome(status, body):
    if status == 401:
        return "A"
    if status == 403:
        try:
            code = json.loads(body)["error"]["code"]
        except Exception:
            code = "?"
        return "C" if code == "csrf" else "D"
    if status == 404 and b"error" in body:
        return "H"
    if status >= 500:
        return "5"
    return "P"

bad = []
n = 0
# the logout row goes last: it ends the sessions it is asked with
for (method, p) in sorted(table, key=lambda r: r == ("DELETE", "/api/v1/session")):
    row = table[(method, p)]
    for c in cols:
        want = row[c]
        headers = dict(auth[c])
        body = None
        if method != "GET" and c in ("agent2", "agg2"):
            # a body the handler would take, so that only the scope can
            # refuse it (a hole would show as a change of the log)
            if p.endswith(("/materials", "/summary", "/summary/check", "/handover", "/impression")):
                body = (b"--probe\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n"
                        b"x\r\n--probe--\r\n")
                headers["Content-Type"] = "multipart/form-data; boundary=probe"
            elif method == "PUT":
                body = open("sub.json", "rb").read()
            elif p.endswith("/items"):
                body = json.dumps({"submission": sid}).encode()
        elif method != "GET":
            body = b'{"matrix-probe": true}'  # a key no handler takes
            headers["Content-Type"] = "application/json"
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request(method, path_of(p), body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        got = outcome(r.status, data)
        n += 1
        # H is "past authorization, then not found": a P cell of a route
        # whose parameter names nothing (a user, material, notification or
        # entry the test made up) is a 404 for every caller alike
        made_up = any(k in p for k in ("{sm3}", "{username}", "/notifications/", "{seq}"))
        if got != want and not (want == "P" and got == "H" and made_up):
            bad.append("%-6s %-45s %-6s want %s got %s (%d %s)" % (
                method, p, c, want, got, r.status, data[:120].decode(errors="replace")))
print("%d routes x %d callers = %d requests" % (len(table), len(cols), n))
assert not bad, "\n" + "\n".join(bad)
PY
ok
# the matrix changed nothing
size_after=$(curl -s "$ibase/log/checkpoint" | sed -n 2p)
[ "$size_after" = "$size_before" ] || fail "the matrix changed the log: $size_before -> $size_after"
ok
echo "authz_matrix: $passed checks passed in ${SECONDS}s"
