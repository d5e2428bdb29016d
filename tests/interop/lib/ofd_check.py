"""ofd_check.py — an independent checker of an OFD stamped by eseal: none of
eseal's code, only Python's zipfile, xml.etree, hashlib.new('sm3') and a few
lines of DER walking. The SM2 signatures are left to the openssl command line.

usage: python3 ofd_check.py DOC.ofd
  For every signature in the package's Signatures.xml: every Reference's
  CheckValue is the SM3 of the referenced entry; dataHash in SignedValue.dat
  is the SM3 of the raw Signature.xml; propertyInfo is its path; Seal.esl is
  the seal inside SignedValue.dat; every StampAnnot's PageRef is a page ID.
  Writes, per signature N (0, 1, …): sigN.tbs.der / sigN.sig.der /
  sigN.cert.der (the document signature: DER(TBS_Sign), its signature, the
  signer certificate) and sealN.tbs.der / sealN.sig.der / sealN.cert.der (the
  seal maker's signature over DER(SES_SealInfo)), and prints one line per
  signature: "N path files-checked".
"""
import base64
import hashlib
import sys
import xml.etree.ElementTree as ET
import zipfile

NS = {"ofd": "http://www.ofdspec.org/2016"}


def tlvs(b, start=0, end=None):
    """[(tag, header_start, value_start, end)] of the elements in b[start:end]"""
    end = len(b) if end is None else end
    out, i = [], start
    while i < end:
        n, h = b[i + 1], 2
        if n & 0x80:
            k = n & 0x7F
            n, h = int.from_bytes(b[i + 2:i + 2 + k], "big"), 2 + k
        out.append((b[i], i, i + h, i + h + n))
        i += h + n
    return out


def resolve(base_dir, ref):
    ref = ref.strip()
    path = ref[1:] if ref.startswith("/") else (base_dir + "/" + ref if base_dir else ref)
    parts = []
    for p in path.split("/"):
        if p in ("", "."):
            continue
        if p == "..":
            parts.pop()
        else:
            parts.append(p)
    return "/".join(parts)


def sm3(b):
    return hashlib.new("sm3", b).digest()


def main(path):
    z = zipfile.ZipFile(path)
    names = set(z.namelist())
    ofd = ET.fromstring(z.read("OFD.xml"))
    body = ofd.find("ofd:DocBody", NS)
    doc_root = resolve("", body.find("ofd:DocRoot", NS).text)
    doc = ET.fromstring(z.read(doc_root))
    page_ids = [p.get("ID") for p in doc.find("ofd:Pages", NS).findall("ofd:Page", NS)]
    sigs_path = resolve("", body.find("ofd:Signatures", NS).text)
    sigs = ET.fromstring(z.read(sigs_path))
    for n, s in enumerate(sigs.findall("ofd:Signature", NS)):
        assert s.get("Type", "Seal") == "Seal", s.get("Type")
        sx_path = resolve(sigs_path.rsplit("/", 1)[0], s.get("BaseLoc"))
        sx_dir = sx_path.rsplit("/", 1)[0]
        raw = z.read(sx_path)
        sx = ET.fromstring(raw)
        info = sx.find("ofd:SignedInfo", NS)
        assert info.find("ofd:SignatureMethod", NS).text == "1.2.156.10197.1.501"
        refs = info.find("ofd:References", NS)
        assert refs.get("CheckMethod") in ("1.2.156.10197.1.401", "SM3"), refs.get("CheckMethod")
        checked = 0
        for r in refs.findall("ofd:Reference", NS):
            f = resolve(sx_dir, r.get("FileRef"))
            want = base64.b64decode(r.find("ofd:CheckValue", NS).text.strip())
            assert f in names, f"{f} missing"
            data = z.read(f)
            if f == sigs_path and sm3(data) != want:
                # appended to by later signatures: the list this one saw is
                # the current one cut at a later <ofd:Signature (docs/ofd.md)
                close = data.rindex(b"</")
                starts = [i for i in range(len(data)) if data.startswith(b"<ofd:Signature ", i)]
                assert any(sm3(data[:i] + data[close:]) == want for i in starts[n + 1:]), \
                    f"{f}: changed beyond appending"
            else:
                assert sm3(data) == want, f"{f}: CheckValue differs"
            checked += 1
        for a in info.findall("ofd:StampAnnot", NS):
            assert a.get("PageRef") in page_ids, a.get("PageRef")
        value = z.read(resolve(sx_dir, sx.find("ofd:SignedValue", NS).text))
        ses = tlvs(value)[0]
        to_sign, cert, alg, sig = tlvs(value, ses[2], ses[3])[:4]
        assert value[alg[2]:alg[3]] == bytes.fromhex("2a811ccf55018375"), "not SM2-with-SM3"
        tbs = tlvs(value, to_sign[2], to_sign[3])
        seal, data_hash, prop = tbs[1], tbs[3], tbs[4]
        assert value[data_hash[2] + 1:data_hash[3]] == sm3(raw), "dataHash is not SM3(Signature.xml)"
        assert value[prop[2]:prop[3]].decode() == "/" + sx_path, value[prop[2]:prop[3]]
        seal_der = value[seal[1]:seal[3]]
        seal_file = info.find("ofd:Seal/ofd:BaseLoc", NS)
        if seal_file is not None:
            assert z.read(resolve(sx_dir, seal_file.text)) == seal_der, "Seal.esl differs"
        open(f"sig{n}.tbs.der", "wb").write(value[to_sign[1]:to_sign[3]])
        open(f"sig{n}.sig.der", "wb").write(value[sig[2] + 1:sig[3]])
        open(f"sig{n}.cert.der", "wb").write(value[cert[2]:cert[3]])
        s_info, s_cert, s_alg, s_sig = tlvs(value, seal[2], seal[3])[:4]
        open(f"seal{n}.tbs.der", "wb").write(value[s_info[1]:s_info[3]])
        open(f"seal{n}.sig.der", "wb").write(value[s_sig[2] + 1:s_sig[3]])
        open(f"seal{n}.cert.der", "wb").write(value[s_cert[2]:s_cert[3]])
        print(n, sx_path, checked)


if __name__ == "__main__":
    main(sys.argv[1])
