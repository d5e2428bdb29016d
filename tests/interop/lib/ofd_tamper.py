"""ofd_tamper.py — one-byte changes of an OFD's entries, made with zipfile.

usage: python3 ofd_tamper.py DOC.ofd PREFIX [SKIP...]
  Writes PREFIX0.ofd, PREFIX1.ofd, … — each DOC.ofd with one byte changed in
  one entry (every entry but SignedValue.dat files and the names given as
  SKIP) — and PREFIXn.name naming the entry. In XML the byte is one of text
  between tags, so the file stays well-formed and only its digest tells.
"""
import sys
import zipfile


def flip(data, xml):
    pos = len(data) // 2
    if xml:
        intext = False
        for k in range(len(data)):
            c = data[k:k + 1]
            intext = (intext or c == b">") and c != b"<"
            if intext and k >= pos and c.isalnum():
                pos = k
                break
    bit = 0x20 if data[pos:pos + 1].isalpha() else 0x01
    return data[:pos] + bytes([data[pos] ^ bit]) + data[pos + 1:]


def main(src, prefix, skip):
    z = zipfile.ZipFile(src)
    n = 0
    for victim in z.namelist():
        if victim.endswith("SignedValue.dat") or victim.endswith("/") or victim in skip:
            continue
        with zipfile.ZipFile(f"{prefix}{n}.ofd", "w", zipfile.ZIP_DEFLATED) as out:
            for i in z.infolist():
                data = z.read(i.filename)
                if i.filename == victim:
                    data = flip(data, victim.endswith(".xml"))
                out.writestr(i.filename, data)
        open(f"{prefix}{n}.name", "w").write(f"{src} {victim}")
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], set(sys.argv[3:]))
