#!/usr/bin/env bash
# log_privacy.sh — "Nothing personal in public" (DESIGN.md §11): a real
# eseal-issuerd and eseal-publisherd on free ports run every business type
# (apply, renew after a rejection, change, unlock, revoke, reissue after a
# loss report, and a personal seal) with distinctive names, ID numbers,
# mobile numbers and reasons. Then the whole public log (/log/entries) and
# what the publisher serves about every seal are searched for each of them
# in every encoding (plain, JSON-escaped, SM3, SHA-256 and base64 of it,
# masked), and none may be found, nor any staff account's username (the log
# names staff by opaque ids; only an admin's views map them to usernames);
# the staff views still show them (the
# agent the reasons, the maker the collector), `eseal log verify` passes
# and `eseal issuer prove` shows what an entry committed to.
#
# Needs ESEAL, ESEAL_ISSUERD, ESEAL_PUBLISHERD, curl, openssl and python3.
set -euo pipefail
export ESEAL_TEST_NAME=log-privacy
# shellcheck source=lib/platform.bash
. "$(cd "$(dirname "$0")" && pwd)/lib/platform.bash"
# platform.bash made $esid (a unit seal, good) through submission $sid,
# with the agent and collector of lib/submission.bash and handover().

# idnum REGION BIRTH SEQ: a resident ID number with its GB 11643 check digit.
idnum() {
    python3 - "$1$2$3" <<'PY'
import sys
s = sys.argv[1]
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(s + "10X98765432"[sum(int(c) * k for c, k in zip(s, w)) % 11])
PY
}
AGENT_NAME='隐私测试经办人甲'
AGENT_MOBILE='13957246813'
AGENT_ID=$(idnum 350102 19850607 731)
COLLECTOR_NAME='隐私测试领取人乙'
COLLECTOR_ID=$(idnum 350103 19790215 482)
PERSON_NAME='隐私测试持章人丙'
PERSON_ID=$(idnum 350104 19920830 615)
PERSON_MOBILE='15860437291'
PERSON_COLLECTOR='隐私测试领取人丁'
PERSON_COLLECTOR_ID=$(idnum 350105 19880411 907)
REASON_1='隐私测试驳回理由：介绍信未加盖公章 privacy-reason-5521'
REASON_2='印模模糊，请重新提供 privacy-reason-5522'
printf '%s\n' "$AGENT_NAME" "$AGENT_MOBILE" "$AGENT_ID" "$COLLECTOR_NAME" "$COLLECTOR_ID" \
    "$PERSON_NAME" "$PERSON_ID" "$PERSON_MOBILE" "$PERSON_COLLECTOR" "$PERSON_COLLECTOR_ID" \
    "$REASON_1" "$REASON_2" >known.txt

# the agent of every later submission is the distinctive one
python3 - "$AGENT_NAME" "$AGENT_MOBILE" "$AGENT_ID" <<'PY'
import json, sys
d = json.load(open("sub.json"))
d["forms"][0]["agent"] = {"name": sys.argv[1], "mobile": sys.argv[2], "id_number": sys.argv[3]}
json.dump(d, open("sub.json", "w"), ensure_ascii=False)
PY
# handover_as SID NAME ID: the maker hands over to NAME (the letter names them too)
handover_as() {
    api POST "/api/v1/submissions/$1/handover" "$maker" \
        -F "collector_name=$2" -F "collector_id_number=$3" \
        -F "letter_name=$2" -F "letter_id_number=$3" \
        -F "introduction_letter=@intro.pdf" -F "id_copy=@idcopy.png"
}
subs=("$sid")

# --- renew, after a rejection with reasons ---------------------------------------------
python3 - "$esid" <<'PY' >doc.json
import json, sys
d = json.load(open("sub.json"))
d["business"] = d["letter"]["business"] = d["forms"][0]["business"] = "renew"
d["forms"][0]["target"] = sys.argv[1]
print(json.dumps(d, ensure_ascii=False))
PY
expect 201 POST /api/v1/submissions "$agent" --data-binary @doc.json
rid=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$rid/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
expect 200 POST "/api/v1/submissions/$rid/submit" "$agent"
onsite="{\"paper\":\"all\",\"onsite\":[{\"esid\":\"$esid\",\"token_id\":\"$token_id\"}]}"
expect 200 POST "/api/v1/submissions/$rid/submit" "$agg"
expect 200 POST "/api/v1/submissions/$rid/register" "$maker" -d "$onsite"
python3 - "$REASON_1" "$REASON_2" <<'PY' >reject.json
import json, sys
print(json.dumps({"decision": "reject", "reasons": sys.argv[1:]}, ensure_ascii=False))
PY
expect 200 POST "/api/v1/submissions/$rid/review" "$reviewer" --data-binary @reject.json
# the agent reads the reasons
expect 200 GET "/api/v1/submissions/$rid" "$agent"
[ "$(json resp.json 'j["rejection"]["reasons"]')" = "['$REASON_1', '$REASON_2']" ] ||
    fail "the agent does not see the reasons"
ok
rejected_seq=$(($(curl -s "$ibase/log/checkpoint" | sed -n 2p) - 1))
expect 200 PUT "/api/v1/submissions/$rid" "$agent" --data-binary @doc.json
expect 200 POST "/api/v1/submissions/$rid/submit" "$agent"
expect 200 POST "/api/v1/submissions/$rid/submit" "$agg"
expect 200 POST "/api/v1/submissions/$rid/register" "$maker" -d "$onsite"
expect 200 POST "/api/v1/submissions/$rid/review" "$reviewer" -d '{"decision":"approve"}'
expect 200 POST "/api/v1/submissions/$rid/produce" "$maker" -d '{"days":30}'
subs+=("$rid")
ok

# --- change, unlock ------------------------------------------------------------------------
# (the change renames the seal: later forms name it by its new name)
s=$(to_approved change "$esid" "$UNIT合同专用章")
expect 200 POST "/api/v1/submissions/$s/produce" "$maker"
subs+=("$s")
s=$(to_approved unlock "$esid" "$UNIT合同专用章")
expect 200 POST "/api/v1/submissions/$s/produce" "$maker" -d '{"forms":[{"counter":0}]}'
subs+=("$s")
ok

# --- loss report and reissue (a new token), handed over to the distinctive collector --------
expect 200 POST "/api/v1/seals/$esid/suspend" "$maker"
"$ESEAL" token init --dir tok2 >/dev/null
"$ESEAL" token show --dir tok2 --json >tok2.json
token2=$(json tok2.json 'j["id"]')
"$ESEAL" token csr --dir tok2 --subject "/C=CN/O=$UNIT/serialNumber=$USCC" --out unit2.csr >/dev/null
s=$(to_approved reissue "$esid" "$UNIT合同专用章")
python3 - "$token2" <<'PY' >produce2.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("unit2.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$s/produce" "$maker" --data-binary @produce2.json
fresh=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(handover_as "$s" "$COLLECTOR_NAME" "$COLLECTOR_ID")" = 200 ] || fail "handover of the reissued seal"
# the maker sees who collected
expect 200 GET "/api/v1/submissions/$s" "$maker"
[ "$(json resp.json 'j["applications"][0]["handover"]["collector"]["name"]')" = "$COLLECTOR_NAME" ] ||
    fail "the maker does not see the collector"
subs+=("$s")
wait_status "$fresh" good
ok

# --- revoke the reissued seal (its key on site) ------------------------------------------
token_id_saved=$token_id
token_id=$token2
s=$(to_approved revoke "$fresh" "$UNIT合同专用章")
token_id=$token_id_saved
expect 200 POST "/api/v1/submissions/$s/produce" "$maker" -d '{"reason":"cessationOfOperation"}'
subs+=("$s")
wait_status "$fresh" revoked
ok

# --- a personal seal: the holder's name and ID number ---------------------------------------
"$ESEAL" token init --dir tok3 >/dev/null
"$ESEAL" token show --dir tok3 --json >tok3.json
token3=$(json tok3.json 'j["id"]')
"$ESEAL" token csr --dir tok3 --subject "/C=CN/CN=$PERSON_NAME/serialNumber=$PERSON_ID" \
    --out person.csr >/dev/null
python3 - "$PERSON_NAME" "$PERSON_ID" "$PERSON_MOBILE" <<'PY' >doc.json
import json, sys
d = json.load(open("sub.json"))
f = d["forms"][0]
f["kind"] = "personal"
f["person"] = {"name": sys.argv[1], "id_number": sys.argv[2]}
f["agent"] = {"name": sys.argv[1], "mobile": sys.argv[3], "id_number": sys.argv[2]}
f["seal"]["name"] = sys.argv[1]
d["letter"]["kinds"] = {"personal": 1}
print(json.dumps(d, ensure_ascii=False))
PY
expect 201 POST /api/v1/submissions "$agent" --data-binary @doc.json
ps=$(json resp.json 'j["id"]')
expect 201 POST "/api/v1/submissions/$ps/materials" "$agent" \
    -F "letter=@letter.pdf" -F "form=@form.pdf" -F "impression=@impression.png"
expect 200 POST "/api/v1/submissions/$ps/submit" "$agent"
expect 200 POST "/api/v1/submissions/$ps/submit" "$agg"
expect 200 POST "/api/v1/submissions/$ps/register" "$maker" -d '{"paper":"all"}'
expect 200 POST "/api/v1/submissions/$ps/review" "$reviewer" -d '{"decision":"approve"}'
python3 - "$token3" <<'PY' >produce3.json
import json, sys
print(json.dumps({"days": 30, "forms": [{"csr": open("person.csr").read(), "token_id": sys.argv[1]}]}))
PY
expect 200 POST "/api/v1/submissions/$ps/produce" "$maker" --data-binary @produce3.json
pesid=$(json resp.json 'j["applications"][0]["esid"]')
[ "$(handover_as "$ps" "$PERSON_COLLECTOR" "$PERSON_COLLECTOR_ID")" = 200 ] ||
    { cat resp.json >&2; fail "handover of the personal seal"; }
subs+=("$ps")
wait_status "$pesid" good
ok

# --- staff administration: the log names accounts by opaque ids (#17) ------------------
STAFF_USER='privacy-staff-7731'
expect 201 POST /api/v1/staff "$admin" \
    -d "{\"username\":\"$STAFF_USER\",\"password\":\"privacy-pass-7731\",\"role\":\"maker\"}"
staff_id=$(json resp.json 'j["id"]')
[[ "$staff_id" =~ ^st:[0-9a-f]{16}$ ]] || fail "staff id $staff_id"
expect 200 POST "/api/v1/staff/$STAFF_USER/role" "$admin" -d '{"role":"reviewer"}'
expect 200 POST "/api/v1/staff/$STAFF_USER/password" "$admin" -d '{"password":"privacy-pass-7732"}'
expect 200 POST "/api/v1/staff/$STAFF_USER/disable" "$admin"
expect 200 POST "/api/v1/staff/$STAFF_USER/enable" "$admin"
staff_tok=$(login "$STAFF_USER" privacy-pass-7732)
expect 200 POST /api/v1/session/password "$staff_tok" \
    -d '{"old_password":"privacy-pass-7732","new_password":"privacy-pass-7733"}'
expect 200 GET /api/v1/session "$staff_tok"
[ "$(json resp.json 'j["id"]')" = "$staff_id" ] || fail "the session's own staff id"
# the username to id map is for admins: the admin's history names the
# maker, the maker's history has the opaque id only, the agent's neither
expect 200 GET "/api/v1/submissions/$sid/history" "$admin"
json resp.json '(all(e.get("username") == "maker1" and e["by"].startswith("st:")
    for e in j["events"] if e["type"] == "submission.registered") and
    any(e["type"] == "submission.registered" for e in j["events"]))' | grep -qx True ||
    fail "the admin's history does not name the maker"
expect 200 GET "/api/v1/submissions/$sid" "$admin"
[ "$(json resp.json 'j["staff_names"][j["registered_by"]]')" = maker1 ] ||
    fail "the admin's view does not map the registering maker"
expect 200 GET "/api/v1/submissions/$sid/history" "$maker"
! grep -q 'maker1\|"username"' resp.json || fail "a maker's history names an account"
grep -q '"by":"st:' resp.json || fail "a maker's history has no staff id"
expect 200 GET "/api/v1/submissions/$sid" "$agent"
! grep -q 'maker1\|reviewer1\|staff_names' resp.json || fail "an agent sees staff usernames"
ok

# --- every personal value and reason the issuer holds -----------------------------------
# from the staff views (what the store keeps), plus the ones this script
# chose: each chosen one must be in a view (the views still show them)
: >views.json
for s in "${subs[@]}"; do
    expect 200 GET "/api/v1/submissions/$s" "$admin"
    cat resp.json >>views.json
    echo >>views.json
done
python3 - <<'PY' >secrets.txt || fail "collecting the personal values"
import json
known = [l.rstrip("\n") for l in open("known.txt", encoding="utf-8")]
found = set()
for line in open("views.json", encoding="utf-8"):
    if not line.strip():
        continue
    v = json.loads(line)
    for f in v["submission"]["forms"]:
        found.update(f["agent"].values())
        if f.get("person"):
            found.update(f["person"].values())
            found.add(f["seal"]["name"])
    for a in v.get("applications", []):
        c = a.get("handover", {}).get("collector")
        if c:
            found.update(c.values())
    found.update((v.get("rejection") or {}).get("reasons") or [])
missing = [k for k in known if k not in found]
assert not missing, "not in the staff views: %s" % missing
for s in sorted(found | set(known)):
    print(s)
PY
[ "$(wc -l <secrets.txt)" -ge 16 ] || fail "too few personal values collected"
ok

# --- the whole public log, and the publisher, hold none of them ---------------------------
size=$(curl -s "$ibase/log/checkpoint" | sed -n 2p)
[ "$size" -gt 40 ] || fail "log size $size"
curl -sf "$ibase/log/entries?start=0&end=$size" >entries.json || fail "GET /log/entries"
: >published.txt
for e in "$esid" "$fresh" "$pesid"; do
    for path in "/status/$e" "/seals/$e"; do
        [ "$(pub "$path")" = 200 ] || fail "publisher $path"
        cat pub.out >>published.txt
    done
done
python3 - "$size" <<'PY' || fail "personal data in public"
import base64, hashlib, json, subprocess, sys

def sm3(s):
    out = subprocess.run(["openssl", "dgst", "-sm3", "-r"], input=s.encode(),
                         capture_output=True, check=True).stdout
    return out.split()[0].decode()

def masks(s):
    # ID numbers as mask_id and the usual forms; mobiles as 139****6813
    m = set()
    if len(s) >= 14:
        m.add(s[:6] + "*" * (len(s) - 10) + s[-4:])
        m.add(s[:3] + "*" * (len(s) - 7) + s[-4:])
    if len(s) == 11 and s.isdigit():
        m.add(s[:3] + "****" + s[-4:])
    return m

raw = open("entries.json", "rb").read().decode()
doc = json.loads(raw)
entries = [e["entry"] for e in doc["entries"]]
assert len(entries) == int(sys.argv[1]) and [e["seq"] for e in entries] == list(range(len(entries)))
# the log as served, as the entries' own text, and what the publisher serves
haystacks = {"log": raw + "\n" + json.dumps(entries, ensure_ascii=False),
             "publisher": open("published.txt", encoding="utf-8", errors="replace").read()}
secrets = [l.rstrip("\n") for l in open("secrets.txt", encoding="utf-8") if l.strip()]
bad = []
for s in secrets:
    forms = {"plain": [s], "json": [json.dumps(s)[1:-1]], "sm3": [sm3(s)],
             "sha256": [hashlib.sha256(s.encode()).hexdigest()],
             "base64": [base64.b64encode(s.encode()).decode()], "masked": sorted(masks(s))}
    for enc, vals in forms.items():
        for v in vals:
            for where, text in haystacks.items():
                if v in text or v.upper() in text:
                    bad.append("%s: %r as %s (%s)" % (where, s, enc, v))
assert not bad, "\n".join(bad)
# the entries that replaced personal data carry a commitment
rej = [e for e in entries if e["type"] == "submission.rejected"]
hand = [e for e in entries if e["type"] == "application.handed_over"]
assert rej and hand
for e in rej + hand:
    assert len(e["data"]["commitment"]) == 64, e
assert rej[0]["data"]["reason_count"] == 2
assert "collector" not in json.dumps(hand)
# no account's username: actors and staff.* entries carry opaque ids
users = ["admin", "agent1", "maker1", "agg-fz", "reviewer1", "privacy-staff-7731"]
for u in users[1:]:
    assert u not in raw, "username %s in the public log" % u
for e in entries:
    aid = e["actor"]["id"]
    assert aid not in users and (aid.startswith("st:") or e["actor"]["role"] == "system"), e
    if e["type"].startswith("staff."):
        assert "username" not in e["data"] and e["data"]["staff"].startswith("st:"), e
staff_types = {e["type"] for e in entries if e["type"].startswith("staff.")}
assert staff_types >= {"staff.created", "staff.role_changed", "staff.password_reset",
                       "staff.disabled", "staff.enabled", "staff.password_changed"}, staff_types
types = {e["type"] for e in entries}
for t in ("seal.issued", "seal.renewed", "seal.changed", "token.unlocked", "seal.suspended",
          "seal.reissued", "seal.revoked", "seal.activated"):
    assert t in types, t
print("searched %d entries for %d values" % (len(entries), len(secrets)))
PY
ok
# a personal seal's file (its name, the holder's certificate) is not published
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ibase/public/seals/$pesid/1/seal.esl")" = 404 ] ||
    fail "the personal seal's file is public"
# the publisher still shows the unit seals' unit (its display is unchanged)
[ "$(pub "/seals/$esid")" = 200 ] && grep -q "$UNIT" pub.out ||
    fail "the publisher no longer shows the unit seal's unit"
ok

# --- the log still audits; the platform proves what an entry committed to -----------------
"$ESEAL" log verify --url "$ibase" --key ca/log.pub >verify.out 2>&1 ||
    { cat verify.out >&2; fail "eseal log verify"; }
ok
ESEAL_TOKEN=$admin "$ESEAL" issuer prove --url "$ibase" --seq "$rejected_seq" >prove.out 2>&1 ||
    { cat prove.out >&2; fail "eseal issuer prove"; }
grep -q 'submission.rejected' prove.out && grep -q 'privacy-reason-5521' prove.out &&
    grep -q 'yes / 是' prove.out || { cat prove.out >&2; fail "prove output"; }
ESEAL_TOKEN=$admin "$ESEAL" issuer prove --url "$ibase" --seq "$rejected_seq" --json >prove.json
[ "$(json prove.json 'j["matches"] and j["commitment"] == j["recomputed"]')" = True ] ||
    fail "prove --json"
# only admins; an entry without a commitment is not found
rc=0
ESEAL_TOKEN=$maker "$ESEAL" issuer prove --url "$ibase" --seq "$rejected_seq" >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a maker may prove: exit $rc"
expect 404 GET /api/v1/log/0/commitment "$admin"
expect 400 GET /api/v1/log/x/commitment "$admin"
ok

echo "log_privacy: $passed checks passed"
