"""der.py — the DER the publisher signs, read by an independent checker.

usage: python3 der.py split DER       tbs.der = the first element of DER, sig.der =
                                      the value of its BIT STRING (after the
                                      AlgorithmIdentifier): status responses,
                                      status lists, CRLs, BasicOCSPResponse
       python3 der.py list DER        a StatusList (full or delta): "number base
                                      entries" (base 0 for a full list), then one
                                      line per entry "esID version status reason"
                                      (reason the CRLReason number or -); splits too
       python3 der.py ocsp-basic DER  basic.der = the BasicOCSPResponse of an
                                      OCSPResponse
"""
import sys


def tlv(b, i):
    """(header length, value length) of the element at b[i]"""
    n = b[i + 1]
    h = 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i + 2:i + 2 + k], "big")
        h = 2 + k
    return h, n


def elements(b):
    """[(tag, value)] of the elements in b"""
    i, out = 0, []
    while i < len(b):
        eh, en = tlv(b, i)
        out.append((b[i], b[i + eh:i + eh + en]))
        i += eh + en
    return out


def num(v):
    return int.from_bytes(v, "big")


def split(d):
    h, _ = tlv(d, 0)
    th, tn = tlv(d, h)
    open("tbs.der", "wb").write(d[h:h + th + tn])
    i = h + th + tn
    oh, on = tlv(d, i)
    i += oh + on
    bh, bn = tlv(d, i)
    assert d[i] == 0x03 and d[i + bh] == 0, "no signature BIT STRING"
    open("sig.der", "wb").write(d[i + bh + 1:i + bh + bn])


def status_list(d):
    split(d)
    h, n = tlv(d, 0)
    fields = elements(elements(d[h:h + n])[0][1])
    assert [t for t, _ in fields[:4]] == [2, 2, 2, 2] and num(fields[2][1]) == 16
    base = num(fields[4][1]) if fields[4][0] == 0x80 else 0
    entries = elements(fields[-1][1])
    print(num(fields[3][1]), base, len(entries))
    names = ["good", "pending", "suspended", "revoked"]
    for t, e in entries:
        f = elements(e)
        assert t == 0x30 and [x for x, _ in f[:5]] == [0x16, 2, 4, 2, 10], f
        reason = [str(num(v)) for x, v in f if x == 0x80]
        print(f[0][1].decode(), num(f[1][1]), names[num(f[4][1])], reason[0] if reason else "-")


def ocsp_basic(d):
    # OCSPResponse ::= SEQ { ENUM status, [0] EXPLICIT SEQ { OID, OCTET STRING basic } }
    h, _ = tlv(d, 0)
    i = h
    eh, en = tlv(d, i)
    i += eh + en
    ch, _ = tlv(d, i)
    i += ch
    sh, _ = tlv(d, i)
    i += sh
    oh, on = tlv(d, i)
    i += oh + on
    bh, bn = tlv(d, i)
    open("basic.der", "wb").write(d[i + bh:i + bh + bn])


if __name__ == "__main__":
    what, path = sys.argv[1:]
    {"split": split, "list": status_list, "ocsp-basic": ocsp_basic}[what](open(path, "rb").read())
