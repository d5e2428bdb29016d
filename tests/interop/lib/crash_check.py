#!/usr/bin/env python3
"""crash_check.py — what the crash test asserts after a restart (#17).

  crash_check.py acks IBASE CONTEXT.json ACKS
      every acknowledged step of ACKS (lib/workload.py) is there: each
      submission in its acknowledged state or a later one, each seal in its
      acknowledged status or a later one (the step after the last
      acknowledged one may have been done without its answer reaching the
      client: that is allowed, losing an acknowledged one is not)
  crash_check.py agree IBASE PBASE CONTEXT.json
      the publisher has caught up with the issuer's log (waits up to 30 s)
      and shows every seal of the unit with the issuer's status
Prints a summary line; exits 1 with the reasons when something is wrong."""
import json
import sys
import time

import requests

SUB_ORDER = ["draft", "collected", "submitted", "registered", "approved", "produced", "handed_over"]
SEAL_ORDER = ["pending", "good", "suspended", "revoked"]


def rank(order, state):
    if state == "done":  # a revocation's last state
        return len(order)
    return order.index(state) if state in order else -1


def get(url, token=None):
    h = {"Authorization": "Bearer " + token} if token else {}
    r = requests.get(url, headers=h, timeout=30)
    return r.status_code, (r.json() if r.headers.get("Content-Type", "").startswith("application/json") else None)


def issuer_seals(ibase, ctx):
    code, j = get("%s/api/v1/seals?uscc=%s" % (ibase, ctx["uscc"]), ctx["maker"])
    assert code == 200, (code, j)
    return {s["esid"]: s["status"] for s in j["seals"]}


def check_acks(ibase, ctx, path):
    subs, seals = {}, {}
    for line in open(path):
        kind, ident, state = line.split()
        table, order = (subs, SUB_ORDER) if kind == "sub" else (seals, SEAL_ORDER)
        if ident not in table or rank(order, state) > rank(order, table[ident]):
            table[ident] = state
    bad = []
    for sid, state in subs.items():
        code, j = get("%s/api/v1/submissions/%s" % (ibase, sid), ctx["agent"])
        if code != 200:
            bad.append("submission %s acknowledged %s: GET answers %d" % (sid, state, code))
        elif rank(SUB_ORDER, j["state"]) < rank(SUB_ORDER, state):
            bad.append("submission %s acknowledged %s, now %s" % (sid, state, j["state"]))
        elif state != "draft" and not j.get("materials"):
            bad.append("submission %s acknowledged %s without its materials" % (sid, state))
    now = issuer_seals(ibase, ctx)
    for esid, status in seals.items():
        if esid not in now:
            bad.append("seal %s acknowledged %s is gone" % (esid, status))
        elif rank(SEAL_ORDER, now[esid]) < rank(SEAL_ORDER, status):
            bad.append("seal %s acknowledged %s, now %s" % (esid, status, now[esid]))
    for b in bad:
        print("FAIL:", b)
    print("%d acknowledged submissions and %d seals present" % (len(subs), len(seals)))
    return not bad


def agree(ibase, pbase, ctx):
    deadline = time.monotonic() + 30
    while True:
        isize = requests.get(ibase + "/log/checkpoint", timeout=10).text.split("\n")[1]
        try:
            psize = requests.get(pbase + "/log/checkpoint", timeout=10).text.split("\n")[1]
        except requests.exceptions.RequestException:
            psize = None
        if psize == isize:
            break
        if time.monotonic() > deadline:
            print("FAIL: the publisher is at %s, the issuer at %s" % (psize, isize))
            return False
        time.sleep(0.2)
    bad = []
    seals = issuer_seals(ibase, ctx)
    for esid, status in seals.items():
        code, j = get("%s/status/%s" % (pbase, esid))
        if code != 200 or j.get("status") != status:
            bad.append("seal %s: issuer %s, publisher %s %s" % (esid, status, code, j and j.get("status")))
    for b in bad:
        print("FAIL:", b)
    counts = {}
    for s in seals.values():
        counts[s] = counts.get(s, 0) + 1
    print("publisher at tree size %s agrees on %d seals %s" % (isize, len(seals), counts))
    return not bad


if __name__ == "__main__":
    if sys.argv[1] == "acks":
        ok = check_acks(sys.argv[2], json.load(open(sys.argv[3])), sys.argv[4])
    else:
        ok = agree(sys.argv[2], sys.argv[3], json.load(open(sys.argv[4])))
    sys.exit(0 if ok else 1)
