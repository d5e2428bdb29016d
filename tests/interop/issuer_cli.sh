#!/usr/bin/env bash
# issuer_cli.sh — `eseal issuer` and `eseal demo` against a real
# eseal-issuerd: a temporary CA and data directory, the daemon on a free
# loopback port; staff made with `eseal issuer staff add`; one full apply
# (submit with materials, register, a rejection and resubmission refused as
# such, review, produce with a software token's request, handover) driven
# only through `eseal issuer`; show output; exit codes (refused 1, usage 2,
# daemon down 3); then `eseal demo --json`: every business type with its
# final status, and every sample signature verifying with the platform root.
#
# Needs ESEAL, ESEAL_ISSUERD, openssl and python3.
set -euo pipefail
# shellcheck source=lib/submission.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/submission.bash"

: "${ESEAL:?set ESEAL to the eseal binary}"
: "${ESEAL_ISSUERD:?set ESEAL_ISSUERD to the eseal-issuerd binary}"
for c in openssl python3; do command -v "$c" >/dev/null; done

ESEAL_TEST_NAME=issuer-cli
# shellcheck source=lib/issuerd.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/issuerd.bash"

export ESEAL_PASSPHRASE='correct horse battery staple'
export ESEAL_PIN='123456'
export HOME="$tmp/home"
unset ESEAL_TOKEN ESEAL_PASSWORD ESEAL_NEW_PASSWORD ESEAL_ADMIN_PASSWORD ESEAL_NEW_PIN
UNIT='福州市鼓楼区测试局'
USCC='91350100M000100Y43'

# code WANT CMD...: run CMD, require exit status WANT; output in out.txt, err.txt.
code() {
    local want=$1 got=0
    shift
    "$@" >out.txt 2>err.txt || got=$?
    [ "$got" = "$want" ] || { cat out.txt err.txt >&2; fail "$*: exit $got, want $want"; }
    ok
}
I() { "$ESEAL" issuer "$@"; }

"$ESEAL" ca init --dir ca >/dev/null
printf 'admin-password-0001\n' >admin.pw
chmod 600 admin.pw
ESEAL_ADMIN_PASSWORD=admin-password-0001 start_issuerd

# --- usage errors: 2 --------------------------------------------------------------
code 2 "$ESEAL" issuer
code 2 I nonsense
code 2 I login --url "$base"                          # no --user
code 2 I show --url "$base"                           # not logged in
code 2 env ESEAL_TOKEN=x "$ESEAL" issuer show --url "$base"          # neither --id nor --esid
code 2 env ESEAL_TOKEN=x "$ESEAL" issuer review --url "$base" --id S1 --reject   # no reason
code 2 env ESEAL_TOKEN=x "$ESEAL" issuer show --url "$base" --id 'S1/../x'
code 2 env ESEAL_TOKEN=x "$ESEAL" issuer upload --url "$base" --id S1 --material letter
code 0 I --help
grep -q handover out.txt || fail "issuer --help lists the commands"

# --- login, sessions, staff -------------------------------------------------------------
code 1 env ESEAL_PASSWORD=wrong-password "$ESEAL" issuer login --url "$base" --user admin
grep -q 'HTTP 401' err.txt || fail "a refused login shows the status"
code 0 I login --url "$base" --user admin --password-file admin.pw
[ "$(stat -c %a home/.eseal/session)" = 600 ] || fail "session file mode"
grep -q 'admin-password' home/.eseal/session && fail "password in the session file"
admin_tok=$(I login --url "$base" --user admin --password-file admin.pw --print-token)
[ ${#admin_tok} -ge 20 ] || fail "--print-token"
ok
staff() { ESEAL_NEW_PASSWORD=$2 I staff add --user "$1" --role "$3" "${@:4}"; }
code 0 staff agent1 agent-password-1 agent --unit "$USCC"
grep -q 'agent1 *agent' out.txt || fail "staff add output"
code 0 staff maker1 maker-password-1 maker
code 0 staff reviewer1 reviewer-password-1 reviewer
code 0 staff agg1 aggregator-pw-1 aggregator --city 350100
code 1 staff maker1 maker-password-2 maker
grep -q 'HTTP 409' err.txt || fail "an existing account is 409"
code 0 env ESEAL_TOKEN="$admin_tok" "$ESEAL" issuer staff list --url "$base" --json
[ "$(json out.txt 'len(j["staff"])')" = 5 ] || fail "five accounts"
for who in agent1:agent-password-1 maker1:maker-password-1 reviewer1:reviewer-password-1 agg1:aggregator-pw-1; do
    printf '%s\n' "${who#*:}" >"${who%%:*}.pw"
    code 0 I login --url "$base" --user "${who%%:*}" --password-file "${who%%:*}.pw" --session "${who%%:*}.session"
done
A() { I "$@" --session agent1.session; }
M() { I "$@" --session maker1.session; }
R() { I "$@" --session reviewer1.session; }
G() { I "$@" --session agg1.session; }
# forward ID: the aggregator sends the collected submission ID to the centre
# in a batch of its own; prints the batch id.
forward() {
    G batch create --url "$base" --business apply >out.txt || fail "batch create"
    local b
    b=$(sed -n 's/^batch *//p' out.txt)
    G batch add --url "$base" --id "$b" --submission "$1" >out.txt || fail "batch add"
    G batch submit --url "$base" --id "$b" >out.txt || fail "batch submit"
    grep -q "^item *$1  submitted" out.txt || fail "forwarded"
    echo "$b"
}

# --- one apply through eseal issuer only ------------------------------------------------
"$ESEAL" token init --dir tok >/dev/null
"$ESEAL" token show --dir tok --json >tok.json
token_id=$(json tok.json 'j["id"]')
"$ESEAL" token csr --dir tok --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit.csr >/dev/null
write_apply_submission
printf '11010519491231002X\n' >collector.id
printf '110105194912310029\n' >other.id
# Without the impression the rules refuse the submit: 1, findings shown, draft kept.
code 1 A submit --url "$base" --file sub.json --material letter=letter.pdf --material form=form.pdf
grep -q 'materials_present' err.txt || fail "findings printed"
grep -q 'draft S00000001 is kept' err.txt || fail "draft id printed"
code 0 A upload --url "$base" --id S00000001 --kind impression impression.png
grep -q 'impression' out.txt || fail "upload output"
# The maker may not file: 403 -> 1.
code 1 M submit --url "$base" --file sub.json
grep -q 'HTTP 403' err.txt || fail "403 shown"
# A fresh, complete submission in one go.
code 0 A submit --url "$base" --file sub.json --material letter=letter.pdf \
    --material form=form.pdf --material impression=impression.png
grep -q '^state *collected' out.txt || fail "collected by the aggregator"
id=$(sed -n 's/^submission *//p' out.txt)
[ "$id" = S00000002 ] || fail "submission id $id"
code 1 M register --url "$base" --id "$id"       # not at the centre yet
code 2 G batch create --url "$base"
code 1 A batch create --url "$base" --business apply
grep -q 'HTTP 403' err.txt || fail "an agent makes no batch"
b=$(forward "$id")
[ "$b" = B00000001 ] || fail "batch id $b"
code 0 M batch show --url "$base" --id "$b"
grep -q '^state *submitted' out.txt || fail "batch show"
code 0 M register --url "$base" --id "$id"
grep -q '^registered_by *st:[0-9a-f]\{16\}$' out.txt || fail "registered (by the maker's opaque id)"
code 1 M review --url "$base" --id "$id" --approve
code 0 R review --url "$base" --id "$id" --reject --reason '介绍信日期缺失 / the letter is undated'
grep -q '^state *rejected' out.txt && grep -q 'the letter is undated' out.txt || fail "rejected"
code 1 R review --url "$base" --id "$id" --approve    # 409: not registered
grep -q 'HTTP 409' err.txt || fail "409 shown"
# The rejected submission, as the agent sees it; then a new, corrected one.
code 0 env ESEAL_TOKEN="$(I login --url "$base" --user agent1 --password-file agent1.pw --print-token)" \
    "$ESEAL" issuer show --url "$base" --id "$id" --json
[ "$(json out.txt 'j["state"]')" = rejected ] || fail "show --json"
code 0 A submit --url "$base" --file sub.json --material letter=letter.pdf \
    --material form=form.pdf --material impression=impression.png
id=$(sed -n 's/^submission *//p' out.txt)
b=$(forward "$id")
code 0 M batch register --url "$base" --id "$b" --paper all
grep -q "^$id  registered" out.txt || fail "batch register"
code 1 R review --url "$base" --id "$id" --approve --flag "$(sm3 letter.pdf)=unit_seal"
grep -q 'field paper' err.txt || fail "a flagged point refuses the approval"
code 0 R batch review --url "$base" --id "$b" --approve
grep -q "^$id  approved" out.txt || fail "approved"
code 0 A material --url "$base" --id "$id" --sm3 "$(sm3 letter.pdf)" --out got.pdf
cmp -s got.pdf letter.pdf || fail "material download"
code 1 M material --url "$base" --id "$id" --sm3 "$(sm3 intro.pdf)" --out got.pdf
grep -q 'HTTP 404' err.txt || fail "no such material: 404"
code 2 M produce --url "$base" --id "$id" --days x
code 1 M produce --url "$base" --id "$id" --days 9999
code 0 M produce --url "$base" --id "$id" --days 30 --csr unit.csr --token-id "$token_id"
esid=$(sed -n 's/^application .*esID \([0-9]*\).*/\1/p' out.txt)
[ "$esid" = 35010200000001 ] || fail "esID '$esid'"
code 0 A show --url "$base" --esid "$esid"
grep -q '^status *pending' out.txt || fail "pending"
code 1 M handover --url "$base" --id "$id" --letter intro.pdf --id-copy idcopy.png \
    --name 王五 --id-number-file collector.id --letter-name 赵六 --letter-id-number-file collector.id
grep -q 'field collector_name' err.txt || fail "handover refusal names the field"
code 1 M handover --url "$base" --id "$id" --letter intro.pdf --id-copy idcopy.png \
    --name 王五 --id-number-file collector.id --letter-id-number-file other.id
code 0 M handover --url "$base" --id "$id" --letter intro.pdf --id-copy idcopy.png \
    --name 王五 --id-number-file collector.id
grep -q '^state *handed_over' out.txt || fail "handed over"
code 0 A show --url "$base" --esid "$esid"
grep -q '^status *good' out.txt && grep -q "^unit_name *$UNIT" out.txt &&
    grep -q "^token_id *$token_id" out.txt || { cat out.txt; fail "show seal"; }
code 0 A show --url "$base" --esid "$esid" --json
[ "$(json out.txt 'j["status"], j["version"]')" = "('good', 1)" ] || fail "show --json"
code 0 A fetch --url "$base" --esid "$esid" --seal seal.esl --cert cert.pem
"$ESEAL" token import --dir tok --cert cert.pem --seal seal.esl >/dev/null || fail "token import"
printf 'a contract\n' >contract.txt
"$ESEAL" stamp --token tok contract.txt -o contract.txt.ses >/dev/null
"$ESEAL" verify contract.txt --sig contract.txt.ses --trust ca/root.pem --no-status >/dev/null ||
    fail "stamp with the fetched seal"
ok
code 0 A list --url "$base" --state handed_over
grep -q "$id" out.txt || fail "list"
code 1 A show --url "$base" --esid 35010299999999
grep -q 'HTTP 404' err.txt || fail "404 shown"
# the agent reports the loss, then a second report is refused (409)
code 1 R suspend --url "$base" --esid "$esid"   # not a reviewer's
code 0 A suspend --url "$base" --esid "$esid"
grep -q '^status *suspended' out.txt || fail "suspended"
code 1 M suspend --url "$base" --esid "$esid"
# the key found: only the maker reinstates, with the key on site
code 1 A reinstate --url "$base" --esid "$esid" --token-id "$token_id"
code 1 M reinstate --url "$base" --esid "$esid"
grep -q '解除挂失须现场出示' err.txt || fail "reinstate needs the key"
code 2 M reinstate --url "$base" --esid "$esid" --token-id 'x/y'
code 0 M reinstate --url "$base" --esid "$esid" --token-id "$token_id"
grep -q '^status *good' out.txt || fail "reinstated"
# lost again: revoked without the key, keyCompromise since the loss
code 0 M suspend --url "$base" --esid "$esid"
code 1 M revoke --url "$base" --id "$id"   # the apply, not a revoke
grep -q 'is not a revoke' err.txt || fail "revoke of another business"
python3 - "$esid" <<'PY' >revoke.json
import json, sys
d = json.load(open("sub.json"))
d["business"] = d["letter"]["business"] = d["forms"][0]["business"] = "revoke"
d["forms"][0]["target"] = sys.argv[1]
print(json.dumps(d, ensure_ascii=False))
PY
code 0 A submit --url "$base" --file revoke.json --material letter=letter.pdf \
    --material form=form.pdf --material impression=impression.png
rid=$(sed -n 's/^submission *//p' out.txt)
code 0 G submit --url "$base" --id "$rid"      # the aggregator sends it to the centre
code 0 M register --url "$base" --id "$rid" --paper all   # no key on site: it is lost
code 0 R review --url "$base" --id "$rid" --approve
code 0 M revoke --url "$base" --id "$rid"
code 0 M show --url "$base" --esid "$esid"
grep -q '^status *revoked' out.txt && grep -q 'revoked keyCompromise .* invalid since 20' out.txt ||
    { cat out.txt; fail "revoked for keyCompromise with the invalidity date"; }
# the console's lists from the command line (#13): pages, queues, seal search
code 0 M list --url "$base" --q "$UNIT" --page 1 --limit 1
grep -q '^第 1/[0-9]* 页，共 [0-9]* 条 / page 1 of [0-9]*, [0-9]* in all$' out.txt || { cat out.txt; fail "list page"; }
[ "$(grep -c '^S[0-9]' out.txt)" = 1 ] || fail "one line a page"
code 0 M list --url "$base" --state done --business revoke
grep -q "^$rid " out.txt || { cat out.txt; fail "list by state and business"; }
code 1 M list --url "$base" --city 12
grep -q 'city' err.txt || fail "a bad --city is named"
code 2 M list --url "$base" --page 0
code 0 M queues --url "$base"
grep -q '^to_register ' out.txt && grep -q '待登记 / to register' out.txt || { cat out.txt; fail "queues"; }
code 1 A queues --url "$base"
grep -q 'HTTP 403' err.txt || fail "an agent has no queues"
code 0 M seals --url "$base" --q "$esid" --state revoked
grep -q "^$esid  revoked" out.txt && grep -q '共 1 条' out.txt || { cat out.txt; fail "seal search"; }
# logout removes the session; the token no longer works
code 0 A logout --url "$base"
[ -e agent1.session ] && fail "session file left after logout"
code 2 A show --url "$base" --esid "$esid"

# --- demo ----------------------------------------------------------------------------------
code 0 "$ESEAL" demo --issuer "$base" --admin-password-file admin.pw --out demo --json
grep -q 'apply 印章申请' err.txt || fail "demo steps on stderr with --json"
grep -q '^\[batch 汇总报送\] batch B[0-9]*: S[0-9]* and S[0-9]* with one summary table' err.txt &&
    grep -q '^\[batch 汇总报送\] batch B[0-9]* registered (paper originals checked) and approved' err.txt ||
    fail "the demo batches two units' submissions"
cp out.txt demo.json
python3 - <<'PY' || fail "demo summary"
import json
seals = json.load(open("demo.json"))["seals"]
got = sorted((s["business"], s["status"]) for s in seals)
want = sorted([("apply", "good"), ("renew", "good"), ("change", "good"), ("revoke", "revoked"),
               ("reissue", "revoked"), ("reissue", "good"), ("unlock", "good"),
               ("loss", "revoked")])
assert got == want, got
for s in seals:
    assert s["document"] == "demo/%s.txt" % s["esID"], s
    assert s["signature"] == s["document"] + ".ses", s
    assert s["token"].startswith("demo/tokens/"), s
PY
ok
python3 -c 'import json; [print(s["document"], s["token"]) for s in json.load(open("demo.json"))["seals"]]' |
while read -r doc tokdir; do
    [ -f "$tokdir/token.json" ] || fail "token directory $tokdir"
    "$ESEAL" verify "$doc" --sig "$doc.ses" --trust ca/root.pem --no-status --json >verify.json ||
        { cat verify.json; fail "verify $doc"; }
    "$ESEAL" verify "${doc%.txt}.ofd" --trust ca/root.pem --no-status --json >verify-ofd.json ||
        { cat verify-ofd.json; fail "verify ${doc%.txt}.ofd"; }
    python3 - <<'PY' || fail "checks of $doc"
import json
r = json.load(open("verify.json"))
checks = {c["key"]: c["status"] for c in r["signatures"][0]["checks"]} if "signatures" in r else \
    {c["key"]: c["status"] for c in r["checks"]}
for k in ("format", "data_hash", "signature", "signer_in_seal", "seal_signature", "chain"):
    assert checks.get(k) == "PASSED", (k, checks)
o = json.load(open("verify-ofd.json"))  # the same seal stamped inside an OFD
assert o["format"] == "ofd" and o["unprotected"] == [], o
ochecks = {c["key"]: c["status"] for c in o["signatures"][0]["checks"]}
for k in ("format", "data_hash", "signature", "seal_signature", "chain", "references", "stamp"):
    assert ochecks.get(k) == "PASSED", (k, ochecks)
PY
done
ok
[ "$(stat -c %a demo/token.pin)" = 600 ] || fail "token.pin mode"
# the demo's renewed seal has two versions, the first superseded
renewed=$(json demo.json '[s["esID"] for s in j["seals"] if s["business"] == "renew"][0]')
code 0 env ESEAL_TOKEN="$admin_tok" "$ESEAL" issuer show --url "$base" --esid "$renewed" --json
[ "$(json out.txt 'j["version"], j["versions"][0]["reason"]')" = "(2, 'superseded')" ] || fail "renewed seal"

# --- the daemon down: 3 -----------------------------------------------------------------------
kill "$daemon"
wait "$daemon" 2>/dev/null || true
daemon=
code 3 env ESEAL_TOKEN="$admin_tok" "$ESEAL" issuer show --url "$base" --esid "$esid"
code 3 I login --url "$base" --user admin --password-file admin.pw
code 3 "$ESEAL" demo --issuer "$base" --admin-password-file admin.pw --out demo2
echo "issuer_cli: $passed checks passed"
