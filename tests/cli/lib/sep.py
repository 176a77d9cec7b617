"""Reading what Ghostscript renders, for the print tests (print_marks.sh,
print_overprint.sh): a binary PPM (P6, '#' comments allowed) and the
uncompressed 8-bit separations of -sDEVICE=tiffsep -sCompression=none,
one grey TIFF per ink, which tiffsep writes as 0 for full ink and 255 for
none; ink() turns that round. No imaging library: Debian's python3 has
none by default."""
import struct


def ppm(path):
    """(width, height, RGB bytes) of a binary PPM."""
    d = open(path, "rb").read()
    tok, i = [], 0
    while len(tok) < 4:  # magic, width, height, maxval
        while d[i:i + 1].isspace():
            i += 1
        if d[i:i + 1] == b"#":
            i = d.index(b"\n", i)
            continue
        j = i
        while not d[j:j + 1].isspace():
            j += 1
        tok.append(d[i:j])
        i = j
    assert tok[0] == b"P6", path
    w, h = int(tok[1]), int(tok[2])
    return w, h, d[i + 1:i + 1 + w * h * 3]


def tiff_grey(path):
    """(width, height, bytes) of an uncompressed 8-bit grey TIFF."""
    d = open(path, "rb").read()
    e = "<" if d[:2] == b"II" else ">"
    (ifd,) = struct.unpack(e + "I", d[4:8])
    (n,) = struct.unpack(e + "H", d[ifd:ifd + 2])
    tags = {}
    for k in range(n):
        t, typ, cnt, val = struct.unpack(e + "HHII",
                                         d[ifd + 2 + 12 * k:ifd + 14 + 12 * k])
        if typ == 3 and cnt == 1:  # SHORT, left-justified in the field
            val = struct.unpack(e + "H", d[ifd + 10 + 12 * k:
                                           ifd + 12 + 12 * k])[0]
        if cnt > 1 and t in (273, 279):  # offsets held elsewhere
            size = 2 if typ == 3 else 4
            fmt = e + ("H" if typ == 3 else "I") * cnt
            val = list(struct.unpack(fmt, d[val:val + size * cnt]))
        tags[t] = val
    assert tags.get(259, 1) == 1, "compressed TIFF"
    w, h = tags[256], tags[257]
    offs = tags[273] if isinstance(tags[273], list) else [tags[273]]
    lens = tags[279] if isinstance(tags[279], list) else [tags[279]]
    px = b"".join(d[o:o + n] for o, n in zip(offs, lens))
    return w, h, px[:w * h]


def ink(path):
    """(width, height, ink 0..255 per pixel) of a tiffsep separation."""
    w, h, px = tiff_grey(path)
    return w, h, bytes(255 - v for v in px)


def png(path):
    """(width, height, RGB bytes) of an 8-bit RGB or RGBA PNG (alpha
    dropped), not interlaced: what Cairo writes for the previews."""
    import zlib
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", path
    i, idat = 8, b""
    while i < len(d):
        (n,) = struct.unpack(">I", d[i:i + 4])
        kind, body = d[i + 4:i + 8], d[i + 8:i + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and lace == 0, path
        elif kind == b"IDAT":
            idat += body
        i += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f, row = raw[y * (stride + 1)], bytearray(
            raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = row[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                row[x] = (row[x] + a) & 255
            elif f == 2:
                row[x] = (row[x] + b) & 255
            elif f == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                row[x] = (row[x] + pr) & 255
        prev = row
        for x in range(w):
            out += row[x * bpp:x * bpp + 3]
    return w, h, bytes(out)
