"""seals.py — synthetic seal events for the publisher benchmarks, in the
schema of docs/log-events.md (one JSON object a line, for `eseal log append`).

Seal i (0, 1, ...) has esID 350102 + i in 8 digits, version 1, certificate
serial 5E + i in 16 hex digits, seal and picture digests derived from i.

usage: python3 seals.py good START COUNT      seal.activated for seals START..START+COUNT-1
       python3 seals.py revoked START COUNT   seal.revoked (keyCompromise) for them
       python3 seals.py esid I | serial I     the esID / certificate serial of seal I
"""
import hashlib
import json
import sys


def esid(i):
    return "350102%08d" % i


def serial(i):
    return "5E%014X" % i


def event(i, status):
    h = lambda what: hashlib.sha256(("%s %d" % (what, i)).encode()).hexdigest()
    d = {"esid": esid(i), "version": 1, "status": status, "seal_sm3": h("seal"),
         "picture_sm3": h("picture"), "cert_serial": serial(i), "cert_sm3": h("cert"),
         "valid_start": "2026-01-01T00:00:00Z", "valid_end": "2036-01-01T00:00:00Z",
         "unit_name": "福州市鼓楼区测试局", "uscc": "91350100M000100Y43", "city": "350100",
         "kind": "unit", "cert_type": "usb_key", "activated_at": "2026-01-02T00:00:00.000Z"}
    kind = "seal.activated"
    if status == "revoked":
        kind = "seal.revoked"
        d["reason"] = "keyCompromise"
        d["revoked_at"] = "2026-06-01T00:00:00.000Z"
    return {"v": 1, "type": kind, "actor": {"id": "maker1", "role": "maker"},
            "seal": esid(i), "time": "2026-01-02T00:00:00.000Z", "data": d}


if __name__ == "__main__":
    what = sys.argv[1]
    if what in ("esid", "serial"):
        print({"esid": esid, "serial": serial}[what](int(sys.argv[2])))
        sys.exit(0)
    start, count = int(sys.argv[2]), int(sys.argv[3])
    status = {"good": "good", "revoked": "revoked"}[what]
    out = sys.stdout
    for i in range(start, start + count):
        out.write(json.dumps(event(i, status), ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")) + "\n")
