#!/usr/bin/env bash
# issuer_notify.sh — notifications and staff administration against a real
# eseal-issuerd on a free port and a real SMTP sink (aiosmtpd writing a
# Maildir): a rejection, ready for collection, handover, a loss report and
# the renewal-window and expiry reminders become notifications for the
# unit's agent and its city's aggregator only, listed and marked read over
# the API and the CLI, and mailed (Chinese first); a relay that is down is
# retried; the reminders come once per seal and window, also across
# restarts (the test-only test_clock_offset moves the reminders' clock past
# the end of validity). Staff: disable ends the sessions at once, enable,
# passwd (old password needed), admin reset, sessions without tokens, each
# a staff.* log entry without passwords or addresses.
#
# Needs ESEAL, ESEAL_ISSUERD, curl, openssl, python3 and Debian's
# python3-aiosmtpd (tools/bootstrap installs it).
set -euo pipefail
# shellcheck source=lib/submission.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/submission.bash"
# shellcheck source=lib/api.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/api.bash"

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in curl openssl python3; do command -v "$c" >/dev/null; done
smtp_py=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import aiosmtpd' 2>/dev/null; then smtp_py=$p; break; fi
done
if [ -z "$smtp_py" ]; then
    echo "SKIP: python3-aiosmtpd is not installed (tools/bootstrap installs it)" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eseal-interop-notify.XXXXXX")
daemon=
sink=
stop_daemon() {
    if [ -n "$daemon" ]; then
        kill "$daemon" 2>/dev/null || true
        wait "$daemon" 2>/dev/null || true
        daemon=
    fi
}
stop_sink() {
    if [ -n "$sink" ]; then
        kill "$sink" 2>/dev/null || true
        wait "$sink" 2>/dev/null || true
        sink=
    fi
}
cleanup() {
    stop_daemon
    stop_sink
    rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_ADMIN_PASSWORD='admin-password-0001'
export ESEAL_PIN='123456'
unset ESEAL_TOKEN ESEAL_PASSWORD ESEAL_NEW_PASSWORD
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'
OTHER_USCC='91350100M000200Y2X'

fail() {
    echo "FAIL: $*" >&2
    [ -f daemon.log ] && { echo "--- daemon.log:" >&2; tail -20 daemon.log >&2; }
    exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the SMTP sink and the daemon --------------------------------------------------
smtp_port=$(free_port)
start_sink() {
    "$smtp_py" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox maildir \
        >sink.log 2>&1 &
    sink=$!
    for _ in $(seq 1 100); do
        python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1)' \
            "$smtp_port" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "the SMTP sink did not start"
}
# start_daemon [OPTIONS]: eseal-issuerd on a free port, reminders every second.
start_daemon() {
    "$ESEAL_ISSUERD" --port 0 --data data --ca ca --smtp_url "smtp://127.0.0.1:$smtp_port" \
        --mail_from eseal@platform.example --notice_interval 1 "$@" >>daemon.log 2>&1 &
    daemon=$!
    port=$(wait_port daemon.log "$daemon")
    base="http://127.0.0.1:$port"
}
restart_daemon() {
    stop_daemon
    : >daemon.log
    start_daemon "$@"
}

"$ESEAL" ca init --dir ca >/dev/null
"$ESEAL_ISSUERD" -n --port 0 --data data --ca ca --smtp_url "smtp://127.0.0.1:1" \
    --smtp_credentials_file cred --notice_interval 5 --test_clock_offset 86400 >check.out ||
    fail "-n with the notification options"
"$ESEAL_ISSUERD" -n --notice_interval 0 >/dev/null 2>&1 && fail "-n accepts notice_interval 0"
ok
start_sink
start_daemon

admin=$(login admin "$ESEAL_ADMIN_PASSWORD")
mkstaff() { expect 201 POST /api/v1/staff "$admin" -d "$1"; }
mkstaff "{\"username\":\"agent1\",\"password\":\"agent-password-1\",\"role\":\"agent\",\"unit\":\"$USCC\",\"email\":\"agent1@unit.example\"}"
mkstaff "{\"username\":\"agent2\",\"password\":\"agent-password-2\",\"role\":\"agent\",\"unit\":\"$OTHER_USCC\",\"email\":\"agent2@other.example\"}"
mkstaff '{"username":"agg-fz","password":"aggregator-pw-1","role":"aggregator","city":"350100","email":"agg@city.example"}'
mkstaff '{"username":"agg-xm","password":"aggregator-pw-2","role":"aggregator","city":"350200","email":"agg@xiamen.example"}'
mkstaff '{"username":"maker1","password":"maker-password-1","role":"maker"}'
mkstaff '{"username":"reviewer1","password":"reviewer-password-1","role":"reviewer"}'
expect 400 POST /api/v1/staff "$admin" -d '{"username":"x2","password":"maker-password-9","role":"maker","email":"not an address"}'
[ "$(json resp.json 'j["error"]["field"]')" = email ] || fail "a bad address names email"
agent=$(login agent1 agent-password-1)
agent2=$(login agent2 agent-password-2)
agg=$(login agg-fz aggregator-pw-1)
aggxm=$(login agg-xm aggregator-pw-2)
maker=$(login maker1 maker-password-1)
reviewer=$(login reviewer1 reviewer-password-1)

# --- staff administration ------------------------------------------------------------
expect 403 POST /api/v1/staff/agent2/disable "$maker"
expect 404 POST /api/v1/staff/nobody/disable "$admin"
expect 200 GET /api/v1/submissions "$agent2"
expect 200 POST /api/v1/staff/agent2/disable "$admin"
[ "$(json resp.json 'j["disabled"]')" = True ] || fail "disabled shown"
expect 401 GET /api/v1/submissions "$agent2"   # its session ended at once
expect 401 POST /api/v1/session "" -d '{"username":"agent2","password":"agent-password-2"}'
grep -q disabled resp.json || fail "a disabled account is told so"
expect 409 POST /api/v1/staff/admin/disable "$admin" # the last enabled admin
expect 200 POST /api/v1/staff/agent2/enable "$admin"
agent2=$(login agent2 agent-password-2)
expect 200 GET /api/v1/submissions "$agent2"

expect 403 POST /api/v1/session/password "$agent2" \
    -d '{"old_password":"wrong-password-0","new_password":"agent-password-22"}'
[ "$(json resp.json 'j["error"]["field"]')" = old_password ] || fail "wrong old password named"
expect 400 POST /api/v1/session/password "$agent2" \
    -d '{"old_password":"agent-password-2","new_password":"short"}'
expect 200 POST /api/v1/session/password "$agent2" \
    -d '{"old_password":"agent-password-2","new_password":"agent-password-22"}'
expect 200 GET /api/v1/submissions "$agent2" # one's own change keeps the session
expect 401 POST /api/v1/session "" -d '{"username":"agent2","password":"agent-password-2"}'
agent2=$(login agent2 agent-password-22)

expect 200 GET /api/v1/sessions "$admin"
[ "$(json resp.json 'sum(1 for s in j["sessions"] if s["username"]=="agent2")')" = 2 ] ||
    fail "agent2's two sessions listed"
for t in "$agent2" "$admin" "$agent"; do grep -q "$t" resp.json && fail "a token listed"; done
expect 200 GET "/api/v1/sessions?username=agent1" "$admin"
[ "$(json resp.json 'len(j["sessions"])')" = 1 ] || fail "sessions of one account"
expect 403 GET /api/v1/sessions "$maker"

expect 403 POST /api/v1/staff/agent2/password "$agent" -d '{"password":"reset-password-33"}'
expect 400 POST /api/v1/staff/agent2/password "$admin" -d '{"password":"reset-password-33","x":1}'
expect 200 POST /api/v1/staff/agent2/password "$admin" -d '{"password":"reset-password-33"}'
expect 401 GET /api/v1/submissions "$agent2" # a reset ends the sessions
agent2=$(login agent2 reset-password-33)

# the CLI: a session file per account, passwords from files, never argv
printf 'admin-password-0001\n' >admin.pw
"$ESEAL" issuer login --url "$base" --user admin --password-file admin.pw --session admin.s >/dev/null
"$ESEAL" issuer staff disable --session admin.s --user agent2 >out.txt || fail "cli staff disable"
grep -q disabled out.txt || fail "cli shows the disabled account"
expect 401 GET /api/v1/submissions "$agent2"
"$ESEAL" issuer staff enable --session admin.s --user agent2 >/dev/null || fail "cli staff enable"
printf 'cli-reset-password-4\n' >reset.pw
"$ESEAL" issuer staff reset --session admin.s --user agent2 --password-file reset.pw >/dev/null ||
    fail "cli staff reset"
printf 'cli-reset-password-4\n' >old.pw
"$ESEAL" issuer login --url "$base" --user agent2 --password-file old.pw --session agent2.s >/dev/null ||
    fail "login with the reset password"
ESEAL_NEW_PASSWORD=cli-own-password-55 "$ESEAL" issuer staff passwd --session agent2.s \
    --password-file old.pw >/dev/null </dev/null || fail "cli staff passwd"
printf 'cli-own-password-55\n' >new.pw
"$ESEAL" issuer login --url "$base" --user agent2 --password-file new.pw --session agent2.s >/dev/null ||
    fail "login with the changed password"
"$ESEAL" issuer staff passwd --session agent2.s --password-file old.pw \
    --new-password-file new.pw >/dev/null 2>err.txt && fail "passwd with the wrong old password"
"$ESEAL" issuer staff sessions --session admin.s --user agent2 >out.txt || fail "cli sessions"
grep -q '^agent2 ' out.txt || fail "cli lists agent2's session"
agent2=$(login agent2 cli-own-password-55)
ok

# every change logged as staff.*, naming the account by its opaque id only
size=$(curl -s "$base/log/checkpoint" | sed -n 2p)
expect 200 GET "/log/entries?start=0&end=$size" ""
python3 - <<'PY' || fail "staff.* log entries"
import json
text = open("resp.json").read()
entries = [e["entry"] for e in json.load(open("resp.json"))["entries"]]
types = [e["type"] for e in entries]
for t, n in (("staff.disabled", 2), ("staff.enabled", 2), ("staff.password_changed", 2),
             ("staff.password_reset", 2)):
    assert types.count(t) == n, (t, types.count(t))
for e in entries:
    if e["type"] in ("staff.disabled", "staff.enabled", "staff.password_changed",
                     "staff.password_reset"):
        assert set(e["data"]) == {"staff"} and e["data"]["staff"].startswith("st:"), e
assert "agent2" not in text, "a username in the public log"
for secret in ("password-2", "reset-password", "cli-own", "@unit.example", "@city.example"):
    assert secret not in text, secret
PY
ok

# --- notifications -------------------------------------------------------------------
write_apply_submission
expect 201 POST /api/v1/submissions "$agent" --data-binary @sub.json
id=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$id/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
expect 200 POST "/api/v1/submissions/$id/submit" "$agent"
expect 200 POST "/api/v1/submissions/$id/submit" "$agg"
expect 200 POST "/api/v1/submissions/$id/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$id/review" "$reviewer" \
    -d '{"decision":"reject","reasons":["介绍信日期缺失 / the letter is undated"]}'

expect 200 GET /api/v1/notifications "$agent"
[ "$(json resp.json 'len(j["notifications"])')" = 1 ] || fail "one notification"
[ "$(json resp.json 'j["notifications"][0]["kind"]')" = rejected ] || fail "rejected"
nid=$(json resp.json 'j["notifications"][0]["id"]')
msg=$(json resp.json 'j["notifications"][0]["message"]')
grep -q '^申报 .* 被退回' <<<"$msg" || fail "Chinese first"
grep -q '介绍信日期缺失' <<<"$msg" || fail "reasons shown"
expect 200 GET /api/v1/notifications "$agg"
[ "$(json resp.json 'len(j["notifications"])')" = 1 ] || fail "the aggregator sees it"
expect 200 GET /api/v1/notifications "$agent2"
[ "$(json resp.json 'len(j["notifications"])')" = 0 ] || fail "another unit's agent sees nothing"
expect 200 GET /api/v1/notifications "$aggxm"
[ "$(json resp.json 'len(j["notifications"])')" = 0 ] || fail "another city's aggregator sees nothing"
expect 403 GET /api/v1/notifications "$maker"
expect 401 GET /api/v1/notifications ""
expect 404 POST "/api/v1/notifications/$nid/read" "$agent2"
expect 404 POST "/api/v1/notifications/N99999/read" "$agent"
expect 404 POST "/api/v1/notifications/bogus/read" "$agent"
expect 200 POST "/api/v1/notifications/$nid/read" "$agent"
[ "$(json resp.json 'j["read"]["by"]')" = agent1 ] || fail "marked read"
expect 200 GET "/api/v1/notifications?unread=1" "$agg"
[ "$(json resp.json 'len(j["notifications"])')" = 0 ] || fail "read ones left out"
expect 400 GET "/api/v1/notifications?unread=yes" "$agg"

# the mail: to the agent and the aggregator, not to the others; Chinese first
# wait_mail N: until the maildir holds N messages.
wait_mail() {
    for _ in $(seq 1 100); do
        n=$(find maildir/new -type f 2>/dev/null | wc -l)
        [ "$n" -ge "$1" ] && return 0
        sleep 0.1
    done
    fail "$1 mails expected, the sink has $(find maildir/new -type f 2>/dev/null | wc -l)"
}
wait_mail 2
# mails KIND-WORD: the recipients of the mails whose subject contains the word.
mails() {
    "$smtp_py" - "$1" <<'PY'
import mailbox, sys, email.header
rcpt = []
for m in mailbox.Maildir("maildir", create=False):
    subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    body = m.get_payload(decode=True).decode("utf-8")
    if sys.argv[1] in subject:
        assert subject.startswith("电子印章通知"), subject
        assert body.split("/")[0].strip()[0] >= "\u4e00", body  # Chinese first
        rcpt.append(m["To"].strip("<>"))
print(" ".join(sorted(rcpt)))
PY
}
[ "$(mails 退回)" = "agent1@unit.example agg@city.example" ] || fail "rejection mailed: $(mails 退回)"
ok

# ready for collection, handover, the renewal window (30 days: open at once)
expect 200 PUT "/api/v1/submissions/$id" "$agent" --data-binary @sub.json
expect 200 POST "/api/v1/submissions/$id/submit" "$agent"
expect 200 POST "/api/v1/submissions/$id/submit" "$agg"
expect 200 POST "/api/v1/submissions/$id/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$id/review" "$reviewer" -d '{"decision":"approve"}'
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token show --dir tok --json >tok.json
"$ESEAL" token csr --dir tok --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit.csr >/dev/null
python3 - "$(json tok.json 'j["id"]')" <<'PY' >produce.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$id/produce" "$maker" --data-binary @produce.json
esid=$(json resp.json 'j["applications"][0]["esid"]')
expect 200 GET /api/v1/notifications "$agent"
[ "$(json resp.json 'j["notifications"][0]["kind"]')" = ready ] || fail "ready for collection"
[ "$(json resp.json 'j["notifications"][0]["esid"]')" = "$esid" ] || fail "ready names the seal"
[ "$(api POST "/api/v1/submissions/$id/handover" "$maker" \
    -F "collector_name=王五" -F "collector_id_number=11010519491231002X" \
    -F "letter_name=王五" -F "letter_id_number=11010519491231002X" \
    -F "introduction_letter=@intro.pdf" -F "id_copy=@idcopy.png")" = 200 ] || fail "handover"
# wait_kind TOKEN KIND: until TOKEN's list has a notification of KIND.
wait_kind() {
    for _ in $(seq 1 100); do
        api GET /api/v1/notifications "$1" >/dev/null
        python3 -c 'import json,sys; sys.exit(0 if any(n["kind"]==sys.argv[1] for n in json.load(open("resp.json"))["notifications"]) else 1)' "$2" && return 0
        sleep 0.1
    done
    fail "no $2 notification"
}
wait_kind "$agent" handed_over
wait_kind "$agent" renewal_window
msg=$(json resp.json '[n for n in j["notifications"] if n["kind"]=="renewal_window"][0]["message"]')
grep -q "^印章 $esid 将于 .* 北京时间 到期" <<<"$msg" || fail "renewal message in Chinese, Beijing time"
echo aggregator-pw-1 >agg.pw
"$ESEAL" issuer login --url "$base" --user agg-fz --password-file agg.pw --session agg.s >/dev/null
"$ESEAL" issuer notifications list --session agg.s >out.txt || fail "cli notifications list"
grep -q renewal_window out.txt || fail "cli lists the reminder"
rid=$(grep renewal_window out.txt | cut -d' ' -f1)
"$ESEAL" issuer notifications read --session agg.s --id "$rid" >/dev/null || fail "cli read"
"$ESEAL" issuer notifications list --session agg.s --unread >out.txt
grep -q renewal_window out.txt && fail "cli --unread leaves out what was read"
wait_mail 8 # rejected, ready, handed over, renewal window: two each
[ "$(mails 延期)" = "agent1@unit.example agg@city.example" ] || fail "reminder mailed"
ok

# count_log TYPE: how many entries of TYPE the log holds.
count_log() {
    local size
    size=$(curl -s "$base/log/checkpoint" | sed -n 2p)
    curl -s "$base/log/entries?start=0&end=$size" | python3 -c '
import json, sys
print(sum(1 for e in json.load(sys.stdin)["entries"] if e["entry"]["type"] == sys.argv[1]))' "$1"
}
sleep 2 # two more scans: nothing new
[ "$(count_log notice.renewal_window)" = 1 ] || fail "one renewal reminder"
restart_daemon
sleep 2
[ "$(count_log notice.renewal_window)" = 1 ] || fail "no second reminder after a restart"
[ "$(count_log notice.expired)" = 0 ] || fail "not expired yet"
ok

# the expiry, with the test-only clock offset past validEnd: once, across restarts
restart_daemon --test_clock_offset $((31 * 86400))
agent=$(login agent1 agent-password-1)
wait_kind "$agent" expired
sleep 2
restart_daemon --test_clock_offset $((31 * 86400))
sleep 2
[ "$(count_log notice.expired)" = 1 ] || fail "one expiry reminder"
[ "$(count_log notice.renewal_window)" = 1 ] || fail "still one renewal reminder"
wait_mail 10
ok

# a relay that is down: the failure is logged and the mail sent later
restart_daemon
stop_sink
maker=$(login maker1 maker-password-1)
agent=$(login agent1 agent-password-1)
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
wait_kind "$agent" loss_registered
for _ in $(seq 1 100); do
    grep -q 'failed, will retry' daemon.log && break
    sleep 0.1
done
grep -q 'mail of N[0-9]* to agent1 failed, will retry' daemon.log || fail "the failure is logged"
grep -q '@unit.example' daemon.log && fail "an address in the daemon's log"
start_sink
wait_mail 12
[ "$(mails 挂失)" = "agent1@unit.example agg@city.example" ] || fail "loss mailed after the retry"
ok

echo "issuer_notify: $passed checks passed"
