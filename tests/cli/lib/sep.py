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
