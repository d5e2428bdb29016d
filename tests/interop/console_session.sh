#!/usr/bin/env bash
# console_session.sh — the staff console's browser sessions and static files
# on eseal-issuerd, with curl: a cookie login (HttpOnly, SameSite=Strict,
# Secure only behind a trusted proxy that says https; no token in the body),
# the cookie on GET, a change by cookie refused without or with a wrong
# X-CSRF-Token and nothing changed, accepted with the right one; bearer
# tokens unchanged; GET /api/v1/session; logout and logout everywhere; login
# throttling per account (5) and per address (20), kept across a restart;
# materials inline for the viewer; the console's files from a temporary
# console_dir (security headers, caching, ETag, SPA routes, traversal
# refused, the page when nothing is built); the idle timeout.
#
# Needs ESEAL (the eseal binary), ESEAL_ISSUERD (the daemon), curl, openssl
# and python3.
set -euo pipefail
: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in curl openssl python3; do command -v "$c" >/dev/null; done

ESEAL_TEST_NAME=console_session
lib="$(cd "$(dirname "$0")" && pwd)/lib"
# shellcheck source=lib/issuerd.bash
. "$lib/issuerd.bash"
# shellcheck source=lib/submission.bash
. "$lib/submission.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
CSP="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

# hdr NAME: the value of reply header NAME in resp.hdr ("" if absent).
hdr() { tr -d '\r' <resp.hdr | sed -n "s/^$1: //Ip" | tail -1; }
# has_hdr LINE: resp.hdr holds the header line LINE exactly.
has_hdr() { tr -d '\r' <resp.hdr | grep -qixF -- "$1" || { cat resp.hdr >&2; fail "no header '$1'"; }; }
code() { json resp.json 'j["error"]["code"]'; }
# cookie_login USER PASSWORD [curl args]: a cookie login; sets $cookie (the
# session token from Set-Cookie) and $csrf.
cookie_login() {
    local user=$1 pw=$2
    shift 2
    expect 200 POST /api/v1/session "" -d "{\"username\":\"$user\",\"password\":\"$pw\",\"cookie\":true}" "$@"
    cookie=$(hdr Set-Cookie | sed -n 's/^eseal_session=\([^;]*\);.*/\1/p')
    [ -n "$cookie" ] || fail "no session cookie"
    csrf=$(json resp.json 'j["csrf"]')
}
bearer_login() {
    expect 200 POST /api/v1/session "" -d "{\"username\":\"$1\",\"password\":\"$2\"}"
    json resp.json 'j["token"]'
}

"$ESEAL" ca init --dir ca >/dev/null
mkdir -p console/assets
printf '<!DOCTYPE html><title>console</title><script type="module" src="/console/assets/app-1a2b3c4d.js"></script>\n' >console/index.html
printf 'console.log("app")\n' >console/assets/app-1a2b3c4d.js
printf 'body{}\n' >console/assets/plain.css
printf 'secret\n' >console/.env
printf 'MZ' >console/tool.exe
"$ESEAL_ISSUERD" -n --trusted_proxies '127.0.0.1, ::1' >/dev/null || fail "trusted_proxies list"
"$ESEAL_ISSUERD" -n --trusted_proxies 'localhost' >/dev/null 2>&1 && fail "a host name accepted as a proxy"
ok
start_issuerd --console_dir console --trusted_proxies 127.0.0.1

# --- cookie login -----------------------------------------------------------------------
cookie_login admin "$ESEAL_ADMIN_PASSWORD"
python3 - <<'PY' || fail "cookie login body"
import json
j = json.load(open("resp.json"))
assert "token" not in j, j
assert j["username"] == "admin" and j["role"] == "admin" and j["expires"] and len(j["csrf"]) == 43, j
PY
set_cookie=$(hdr Set-Cookie)
[ "$set_cookie" = "eseal_session=$cookie; Path=/; HttpOnly; SameSite=Strict" ] || fail "cookie flags: $set_cookie"
grep -q "$cookie" resp.json && fail "the token in the body"
[ "$(hdr Cache-Control)" = no-store ] || fail "login cached"
has_hdr "X-Content-Type-Options: nosniff"
has_hdr "Referrer-Policy: no-referrer"
ok
C=(-b "eseal_session=$cookie")
# the cookie works on GET; who am I
expect 200 GET /api/v1/staff "" "${C[@]}"
expect 200 GET /api/v1/session "" "${C[@]}"
python3 - "$csrf" <<'PY' || fail "GET /api/v1/session"
import json, sys
j = json.load(open("resp.json"))
assert j["username"] == "admin" and j["role"] == "admin" and j["csrf"] == sys.argv[1], j
assert j["expires"] >= j["idle_expires"] > "2000", j
PY
# a change by cookie: no CSRF token, a wrong one, then the right one
mk='{"username":"maker1","password":"maker-password-1","role":"maker"}'
expect 403 POST /api/v1/staff "" "${C[@]}" -d "$mk"
[ "$(code)" = csrf ] || fail "no CSRF token: code $(code)"
grep -q 'CSRF' resp.json && grep -q '令牌' resp.json || fail "the CSRF message is bilingual"
expect 403 POST /api/v1/staff "" "${C[@]}" -H "X-CSRF-Token: ${csrf%?}x" -d "$mk"
[ "$(code)" = csrf ] || fail "wrong CSRF token"
expect 403 POST /api/v1/staff "" "${C[@]}" -H "X-CSRF-Token: $cookie" -d "$mk"
expect 403 DELETE /api/v1/session "" "${C[@]}"
expect 200 GET /api/v1/staff "" "${C[@]}"
[ "$(json resp.json 'len(j["staff"])')" = 1 ] || fail "a refused change changed something"
expect 201 POST /api/v1/staff "" "${C[@]}" -H "X-CSRF-Token: $csrf" -d "$mk"
# bearer tokens need no CSRF token, and win over a cookie
admin=$(bearer_login admin "$ESEAL_ADMIN_PASSWORD")
[ "$(json resp.json 'len(j["csrf"])')" = 43 ] || fail "a bearer login has a CSRF token too"
expect 201 POST /api/v1/staff "$admin" -d '{"username":"reviewer1","password":"reviewer-password-1","role":"reviewer"}'
expect 401 GET /api/v1/staff "not-a-token" "${C[@]}"
# a login with an old session's cookie needs no CSRF token
expect 200 POST /api/v1/session "" "${C[@]}" -d '{"username":"maker1","password":"maker-password-1"}'
expect 400 POST /api/v1/session "" -d '{"username":"maker1","password":"maker-password-1","cookie":1}'
# Secure only when a trusted proxy says https
cookie_login maker1 maker-password-1 -H 'X-Forwarded-Proto: https'
[[ "$(hdr Set-Cookie)" == *"; SameSite=Strict; Secure" ]] || fail "no Secure behind a trusted proxy"
cookie_login maker1 maker-password-1 -H 'X-Forwarded-Proto: http'
[[ "$(hdr Set-Cookie)" != *Secure* ]] || fail "Secure over plain HTTP"

# --- logout, logout everywhere ------------------------------------------------------------------
cookie_login maker1 maker-password-1
m1=$cookie m1csrf=$csrf
m2=$(bearer_login maker1 maker-password-1)
cookie_login maker1 maker-password-1
m3=$cookie m3csrf=$csrf
expect 200 DELETE /api/v1/session "" -b "eseal_session=$m1" -H "X-CSRF-Token: $m1csrf"
[[ "$(hdr Set-Cookie)" == "eseal_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" ]] ||
    fail "logout clears the cookie: $(hdr Set-Cookie)"
expect 401 GET /api/v1/session "" -b "eseal_session=$m1"
[[ "$(hdr Set-Cookie)" == *Max-Age=0* ]] || fail "a dead cookie is cleared"
expect 200 GET /api/v1/session "$m2"
expect 200 GET /api/v1/session "" -b "eseal_session=$m3"
expect 400 DELETE '/api/v1/session?all=yes' "$m2"
expect 200 DELETE '/api/v1/session?all=1' "" -b "eseal_session=$m3" -H "X-CSRF-Token: $m3csrf"
expect 401 GET /api/v1/session "" -b "eseal_session=$m3"
expect 401 GET /api/v1/session "$m2"
expect 200 GET /api/v1/session "$admin" # another account's sessions stay
expect 200 GET /api/v1/sessions "$admin"
[ "$(json resp.json 'len([s for s in j["sessions"] if s["username"] == "maker1"])')" = 0 ] ||
    fail "maker1 still has sessions"

# --- materials inline for the console's viewer -----------------------------------------------
expect 201 POST /api/v1/staff "$admin" -d "{\"username\":\"agent1\",\"password\":\"agent-password-1\",\"role\":\"agent\",\"unit\":\"$USCC\"}"
agent=$(bearer_login agent1 agent-password-1)
write_apply_submission
printf 'plain text\n' >note.txt
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
sid=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$sid/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
maker=$(bearer_login maker1 maker-password-1)
material() { expect 200 GET "/api/v1/submissions/$sid/materials/$(sm3 "$1")$2" "$maker"; }
material letter.pdf ''
[[ "$(hdr Content-Disposition)" == attachment* ]] || fail "a download is an attachment"
material letter.pdf '?inline=1'
[[ "$(hdr Content-Disposition)" == inline* ]] || fail "PDF inline"
[ "$(hdr Content-Type)" = application/pdf ] || fail "PDF type"
[ "$(hdr Content-Security-Policy)" = "frame-ancestors 'self'" ] || fail "PDF CSP"
has_hdr "X-Frame-Options: SAMEORIGIN"
material impression.png '?inline=1'
[[ "$(hdr Content-Disposition)" == inline* ]] || fail "image inline"
[[ "$(hdr Content-Security-Policy)" == "default-src 'none'; "*"frame-ancestors 'self'" ]] || fail "image CSP"
ok

# --- the console's files -------------------------------------------------------------------------
static_headers() {
    has_hdr "Content-Security-Policy: $CSP"
    has_hdr "X-Content-Type-Options: nosniff"
    has_hdr "Referrer-Policy: no-referrer"
    has_hdr "X-Frame-Options: DENY"
}
expect 302 GET / ""
[ "$(hdr Location)" = /console/ ] || fail "/ goes to /console/"
static_headers
expect 301 GET /console ""
[ "$(hdr Location)" = /console/ ] || fail "/console goes to /console/"
expect 200 GET /console/ ""
cmp -s resp.json console/index.html || fail "index.html served"
[ "$(hdr Content-Type)" = "text/html; charset=utf-8" ] || fail "index.html type"
[ "$(hdr Cache-Control)" = no-cache ] || fail "index.html not cached"
static_headers
etag=$(hdr ETag)
[ -n "$etag" ] || fail "no ETag"
rm -f resp.json
expect 304 GET /console/ "" -H "If-None-Match: $etag"
[ -s resp.json ] && fail "a 304 with a body"
expect 200 GET /console/assets/app-1a2b3c4d.js ""
cmp -s resp.json console/assets/app-1a2b3c4d.js || fail "asset served"
[ "$(hdr Content-Type)" = "text/javascript; charset=utf-8" ] || fail "js type"
[ "$(hdr Cache-Control)" = "public, max-age=31536000, immutable" ] || fail "hashed asset cached for a year"
static_headers
expect 200 GET /console/assets/plain.css ""
[ "$(hdr Cache-Control)" = no-cache ] || fail "an unhashed asset is not immutable"
[ "$(hdr Content-Type)" = "text/css; charset=utf-8" ] || fail "css type"
# SPA routes answer index.html; a missing file with an extension is 404
for route in /console/submissions/S00000001 /console/seals /console/assets; do
    expect 200 GET "$route" ""
    cmp -s resp.json console/index.html || fail "$route: index.html"
    static_headers
done
expect 404 GET /console/assets/missing-1a2b3c4d.js ""
static_headers
expect 404 GET /console/tool.exe ""
expect 405 POST /console/ "" -d x
# hidden files and traversal
for bad in /console/.env /console/assets/.env /console/../x /console/%2e%2e/%2e%2e/etc/passwd \
    /console/..%2f..%2fetc%2fpasswd /console/assets%2fapp-1a2b3c4d.js /console/assets%5capp-1a2b3c4d.js \
    /console//etc/passwd /console/assets/../.env; do
    got=$(api GET "$bad" "" --path-as-is)
    [ "$got" = 404 ] || [ "$got" = 400 ] || fail "$bad: status $got"
    grep -q secret resp.json && fail "$bad: served the hidden file"
    ok
done

# --- throttling: 5 per account, 20 per address, kept across a restart ------------------------------
wrong() { api POST /api/v1/session "" -d "{\"username\":\"$1\",\"password\":\"wrong-password-0\"}" "${@:2}"; }
for i in 1 2 3 4; do [ "$(wrong reviewer1)" = 401 ] || fail "wrong password $i"; done
bearer_login reviewer1 reviewer-password-1 >/dev/null # resets the account's count
for i in 1 2 3 4 5; do [ "$(wrong reviewer1)" = 401 ] || fail "wrong password $i after a good login"; done
ok
expect 429 POST /api/v1/session "" -d '{"username":"reviewer1","password":"reviewer-password-1"}'
[ "$(code)" = throttled ] || fail "code throttled"
retry=$(hdr Retry-After)
# the oldest counted failure was a few seconds ago (longer on a loaded machine)
[ "$retry" -gt 800 ] && [ "$retry" -le 900 ] || fail "Retry-After $retry"
grep -q '秒后再试' resp.json || fail "the message is Chinese first"
grep -q 'login throttled: account reviewer1' daemon.log || fail "the throttled account is logged"
grep -q 'wrong-password' daemon.log && fail "a password in the log"
expect 200 POST /api/v1/session "" -d '{"username":"maker1","password":"maker-password-1"}' # others may
# 20 failures from one address (told by the trusted proxy), over many accounts;
# a good login from there does not reset the address's count
xff=(-H 'X-Forwarded-For: 198.51.100.9, 203.0.113.7')
for i in $(seq 1 19); do [ "$(wrong "nobody$i" "${xff[@]}")" = 401 ] || fail "address failure $i"; done
expect 200 POST /api/v1/session "" "${xff[@]}" -d '{"username":"maker1","password":"maker-password-1"}'
[ "$(wrong nobody20 "${xff[@]}")" = 401 ] || fail "address failure 20"
expect 429 POST /api/v1/session "" "${xff[@]}" -d '{"username":"maker1","password":"maker-password-1"}'
[ "$(code)" = throttled ] && [ -n "$(hdr Retry-After)" ] || fail "the address is throttled"
grep -q 'login throttled: address 203.0.113.7' daemon.log || fail "the throttled address is logged"
expect 200 POST /api/v1/session "" -H 'X-Forwarded-For: 203.0.113.8' \
    -d '{"username":"maker1","password":"maker-password-1"}'
stop_issuerd
start_issuerd --console_dir console --trusted_proxies 127.0.0.1
expect 429 POST /api/v1/session "" -d '{"username":"reviewer1","password":"reviewer-password-1"}'
expect 429 POST /api/v1/session "" "${xff[@]}" -d '{"username":"maker1","password":"maker-password-1"}'
stop_issuerd

# --- the idle timeout; no trusted proxy; nothing built ---------------------------------------------
mkdir empty
# 10 s: long enough that a loaded machine's pauses between requests do not
# end the session, short enough to wait out
start_issuerd --session_idle 10 --console_dir empty
expect 503 GET /console/ ""
grep -q 'tools/run' resp.json && grep -q '尚未构建' resp.json || fail "the not-built page"
grep -qi '<script' resp.json && fail "script in the not-built page"
[[ "$(hdr Content-Type)" == text/html* ]] || fail "the not-built page is HTML"
static_headers
cookie_login maker1 maker-password-1 -H 'X-Forwarded-Proto: https'
[[ "$(hdr Set-Cookie)" != *Secure* ]] || fail "Secure believed from an untrusted peer"
for _ in $(seq 1 12); do # used every second: alive after more than the idle time
    sleep 1
    expect 200 GET /api/v1/session "" -b "eseal_session=$cookie"
done
sleep 12
expect 401 GET /api/v1/session "" -b "eseal_session=$cookie"
[ "$(code)" = unauthenticated ] || fail "an idle session is not logged in"
grep -q '未操作' resp.json || fail "the idle message"
stop_issuerd

echo "console_session: $passed checks passed"
