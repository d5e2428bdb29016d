#!/usr/bin/env python3
"""workload.py — a concurrent issuance workload over the issuer's API, for
the crash test (#17).

usage: workload.py BASE CONTEXT.json ROUND WORKERS ACKS

WORKERS threads each run seals through their whole life, as the staff and
agents of docs/api.md would: file an apply submission (agent), upload its
materials, submit it (agent, then aggregator), register (maker), approve
(reviewer), produce (maker: the seal is pending), hand it over (good),
report it lost (suspended) and file, register, approve and produce its
revocation (revoked). After each answer 2xx the worker appends one line to
ACKS and flushes it, before the next request:

    sub SID STATE       the submission SID reached STATE
    seal ESID STATUS    the seal ESID reached STATUS

A refused connection or a reset (the issuer was killed) ends the worker
quietly; any other answer than the expected one is printed as "unexpected"
and ends it too (the test fails on it). Runs until every worker ended."""
import json
import sys
import threading

import requests

BASE, CTX, ROUND, WORKERS, ACKS = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3], \
    int(sys.argv[4]), sys.argv[5]
acks = open(ACKS, "a")
lock = threading.Lock()
DOC = json.load(open(CTX["sub"]))
FILES = {k: open(v, "rb").read() for k, v in CTX["files"].items()}


class Stop(Exception):
    pass


def ack(*words):
    with lock:
        acks.write(" ".join(words) + "\n")
        acks.flush()


def call(s, method, path, token, want, **kw):
    try:
        r = s.request(method, BASE + path, headers={"Authorization": "Bearer " + token},
                      timeout=30, **kw)
    except requests.exceptions.ConnectionError:
        raise Stop()
    if r.status_code != want:
        with lock:
            print("unexpected: %s %s -> %d %s" % (method, path, r.status_code, r.text[:300]),
                  flush=True)
        raise Stop()
    return r.json() if r.content else {}


def materials(s, sid):
    call(s, "POST", "/api/v1/submissions/%s/materials" % sid, CTX["agent"], 201,
         files={"letter": ("letter.pdf", FILES["letter"]), "form": ("form.pdf", FILES["form"]),
                "impression": ("impression.png", FILES["impression"])})


def file_through(s, doc, onsite):
    """Creates, uploads, submits, registers and approves |doc|: its id."""
    sid = call(s, "POST", "/api/v1/submissions", CTX["agent"], 201, json=doc)["id"]
    ack("sub", sid, "draft")
    materials(s, sid)
    call(s, "POST", "/api/v1/submissions/%s/submit" % sid, CTX["agent"], 200)
    call(s, "POST", "/api/v1/submissions/%s/submit" % sid, CTX["agg"], 200)
    ack("sub", sid, "submitted")
    call(s, "POST", "/api/v1/submissions/%s/register" % sid, CTX["maker"], 200, json=onsite)
    ack("sub", sid, "registered")
    call(s, "POST", "/api/v1/submissions/%s/review" % sid, CTX["reviewer"], 200,
         json={"decision": "approve"})
    ack("sub", sid, "approved")
    return sid


def life(s, w, i):
    name = "%s崩溃测试%s-%d-%d号专用章" % (CTX["unit"], ROUND, w, i)
    doc = json.loads(json.dumps(DOC))
    doc["forms"][0]["seal"]["name"] = name
    sid = file_through(s, doc, {"paper": "all"})
    r = call(s, "POST", "/api/v1/submissions/%s/produce" % sid, CTX["maker"], 200,
             json={"days": 30, "forms": [{"csr": CTX["csr"], "token_id": CTX["token_id"]}]})
    esid = r["applications"][0]["esid"]
    ack("sub", sid, "produced")
    ack("seal", esid, "pending")
    call(s, "POST", "/api/v1/submissions/%s/handover" % sid, CTX["maker"], 200,
         data={"collector_name": "王五", "collector_id_number": "11010519491231002X",
               "letter_name": "王五", "letter_id_number": "11010519491231002X"},
         files={"introduction_letter": ("intro.pdf", FILES["intro"]),
                "id_copy": ("idcopy.png", FILES["idcopy"])})
    ack("sub", sid, "handed_over")
    ack("seal", esid, "good")
    call(s, "POST", "/api/v1/seals/%s/suspend" % esid, CTX["agent"], 200)
    ack("seal", esid, "suspended")
    doc = json.loads(json.dumps(DOC))
    doc["business"] = doc["letter"]["business"] = doc["forms"][0]["business"] = "revoke"
    doc["forms"][0]["seal"]["name"] = name
    doc["forms"][0]["target"] = esid
    rid = file_through(s, doc, {"paper": "all"})
    call(s, "POST", "/api/v1/submissions/%s/produce" % rid, CTX["maker"], 200, json={})
    ack("sub", rid, "done")
    ack("seal", esid, "revoked")


def worker(w):
    s = requests.Session()
    try:
        for i in range(1000):
            life(s, w, i)
    except Stop:
        pass


threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
