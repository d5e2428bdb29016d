#!/usr/bin/env python3
"""fixtures.py — real files for the tests, made with the standard library
only (an independent peer: none of the project's code draws them).

  fixtures.py scan OUT          the scan of a form's impression box: 900 × 700
                                px at 300 dpi, a 42 mm (496 px) red ring with a
                                star and text-like strokes at (560, 340), grey
                                print at the left, paper #F2EEDC with noise
  fixtures.py stamp OUT [N]     an impression alone: a red ring and star on
                                white, 250 px (42 mm at about 150 dpi); each
                                N (0..5) draws a different one
  fixtures.py png OUT [W H]     a small picture (an ID-card copy stand-in)
  fixtures.py pdf OUT TEXT...   a one-page A4 PDF showing each TEXT line
                                (ASCII), which viewers and pdfinfo accept
  fixtures.py xlsx-edit IN OUT OLD NEW
                                a copy of workbook IN whose cell text OLD
                                reads NEW (in shared or inline strings)
"""
import math
import random
import struct
import sys
import zipfile
import zlib


def png_bytes(w, h, pixel):
    """An 8-bit RGB PNG whose pixel (x, y) is pixel(x, y) -> [r, g, b]."""
    rows = []
    for y in range(h):
        row = bytearray([0])  # filter: none
        for x in range(w):
            row += bytes(max(0, min(255, v)) for v in pixel(x, y))
        rows.append(bytes(row))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


def star(x, y, ro):
    a = math.atan2(y, x) + math.pi / 2
    seg = (a % (2 * math.pi / 5)) / (2 * math.pi / 5)
    ri = ro * 0.38
    edge = ro + (ri - ro) * seg * 2 if seg < 0.5 else ri + (ro - ri) * (seg - 0.5) * 2
    return math.hypot(x, y) <= edge


def scan():
    W, H, CX, CY, R = 900, 700, 560, 340, 248
    rnd = random.Random(7)

    def pixel(x, y):
        n = rnd.randint(-10, 10)
        px = [0xF2 + n, 0xEE + n, 0xDC + n]
        if 30 <= x < 250 and (y - 40) % 40 < 16 and y < 280 and (x // 18) % 3 != 2:
            px = [0x40 + n, 0x40 + n, 0x42 + n]  # print
        dx, dy = x - CX, y - CY
        r = math.hypot(dx, dy)
        ang = math.degrees(math.atan2(dy, dx))
        if (R - 14 <= r <= R or star(dx, dy, R * 0.3)
                or (R - 62 <= r <= R - 28 and -160 < ang < -20 and (ang + 360) % 14 < 6)):
            px = [0xC8 + n, 0x28 + n, 0x30 + n]
        return px
    return png_bytes(W, H, pixel)


def stamp(n=0):
    S, R, ring = 250, 122, 8 + 2 * n

    def pixel(x, y):
        dx, dy = x - S // 2, y - S // 2
        if R - ring <= math.hypot(dx, dy) <= R or star(dx, dy, R * (0.32 + 0.03 * n)):
            return [0xD0, 0x20, 0x28]
        return [0xFF, 0xFF, 0xFF]
    return png_bytes(S, S, pixel)


def card(w, h):
    """A pale card with a darker band and a photo box, like an ID copy."""
    def pixel(x, y):
        if w * 0.65 <= x < w * 0.9 and h * 0.2 <= y < h * 0.8:
            return [0x90, 0x98, 0xA8]
        if (y // 12) % 3 == 1 and w * 0.08 <= x < w * 0.55:
            return [0x50, 0x50, 0x58]
        return [0xE8, 0xF0, 0xF4]
    return png_bytes(w, h, pixel)


def pdf(lines):
    """A one-page A4 PDF; the cross-reference offsets are counted, not guessed."""
    text = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        "(%s) '" % l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for l in lines) + " ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("ascii")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def xlsx_edit(src, dst, old, new):
    """Rewrites every XML part of the workbook with OLD's text as NEW's."""
    esc = lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    hits = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/") and item.filename.endswith(".xml"):
                text = data.decode("utf-8")
                hits += text.count(">" + esc(old) + "<")
                data = text.replace(">" + esc(old) + "<", ">" + esc(new) + "<").encode("utf-8")
            zout.writestr(item, data)
    if hits == 0:
        sys.exit("xlsx-edit: no cell reads %r" % old)


def main(argv):
    if len(argv) == 6 and argv[1] == "xlsx-edit":
        return xlsx_edit(*argv[2:6])
    if len(argv) < 3 or argv[1] not in ("scan", "stamp", "png", "pdf"):
        sys.exit(__doc__)
    kind, out = argv[1], argv[2]
    if kind == "scan":
        data = scan()
    elif kind == "stamp":
        data = stamp(int(argv[3]) if len(argv) > 3 else 0)
    elif kind == "png":
        w, h = (int(argv[3]), int(argv[4])) if len(argv) >= 5 else (320, 200)
        data = card(w, h)
    else:
        data = pdf(argv[3:] or ["eseal test document"])
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
