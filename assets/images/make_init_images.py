#!/usr/bin/env python3
"""Draws the placeholder images that `folio init` copies into a new
publication's images/ folder (assets/init/*.png), with nothing but the
standard library (zlib), so that they are the same bytes on every machine
and need no image tool. They are drawn large enough for print at 300 ppi
(a full A4 cover with its bleed; a figure across a yearbook's text width),
so that a new publication builds without a resolution warning, and are
mostly flat colour, so that the files stay a few kilobytes.

Run from the repository's root: python3 assets/images/make_init_images.py
"""
import struct
import zlib


def png(path, width, height, row_at):
    """Writes an 8-bit RGB PNG whose row y is row_at(y) (bytes, 3*width)."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter None: zlib finds the repeats itself
        raw.extend(row_at(y))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(
            ">I", zlib.crc32(body) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                           0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(bytes(raw), 9)))
        f.write(chunk(b"IEND", b""))


def mix(a, b, t):
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(3))


def landscape(width, height, sun):
    """Sky fading to a horizon, a sun, and fields in bands below: a plain
    picture that reads as "a photograph goes here"."""
    horizon = int(height * 0.62)
    sx, sy, sr = int(width * sun[0]), int(height * sun[1]), int(width * 0.09)
    cache = {}

    def row_at(y):
        if y >= horizon:
            band = (y - horizon) * 6 // (height - horizon)
            colour = ((86, 140, 70), (120, 160, 80), (70, 120, 60),
                      (140, 170, 90), (90, 135, 65), (110, 150, 75))[band]
            key = ("field", band)
            if key not in cache:
                cache[key] = bytes(colour) * width
            return cache[key]
        sky = mix((70, 120, 180), (235, 200, 150), y / horizon)
        dy = y - sy
        if abs(dy) >= sr:
            return bytes(sky) * width
        half = int((sr * sr - dy * dy) ** 0.5)
        left, right = max(0, sx - half), min(width, sx + half)
        return (bytes(sky) * left + bytes((250, 230, 170)) * (right - left) +
                bytes(sky) * (width - right))

    return row_at


if __name__ == "__main__":
    png("assets/init/cover.png", 2600, 3700, landscape(2600, 3700, (0.7, 0.3)))
    png("assets/init/figure.png", 2100, 1400, landscape(2100, 1400, (0.3, 0.35)))
