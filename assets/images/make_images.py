#!/usr/bin/env python3
"""Generates the illustrative images of the example publications.

There are no freely licensed photographs of Nam Định at hand, so the sample
publications use stylised illustrations drawn here with ImageMagick
(`convert`, 6.9 or later): landscapes made of polygons and gradients, a
rough province outline, two charts drawn from facts stated in the text and
a simple emblem. Everything is generated, nothing is downloaded; the output
is the same on every run (fixed random seeds, no timestamps or other
metadata in the files). The images are CC0 1.0 (see assets/LICENSES.md).

    python3 assets/images/make_images.py            # writes every image
    python3 assets/images/make_images.py --list     # prints what it writes

Paths are relative to the repository root (the script finds it from its
own location). The drawing primitives go to `convert -draw` on the command
line: no MVG files, no @files, no coders besides JPEG and PNG, so the
script also runs under a restrictive ImageMagick security policy.
"""

import math
import os
import random
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FONT = os.path.join(ROOT, "fonts", "NotoSans-Regular.ttf")
FONT_BOLD = os.path.join(ROOT, "fonts", "NotoSans-Bold.ttf")
FONT_SERIF_BOLD = os.path.join(ROOT, "fonts", "NotoSerif-Bold.ttf")

YB = "examples/nam-dinh/images"
BR = "examples/nam-dinh-brochure/images"
BK = "examples/nam-dinh-booklet/images"

JPEG_OPTS = ["-strip", "-sampling-factor", "2x2", "-quality", "85",
             "-interlace", "none", "-colorspace", "sRGB",
             "-density", "300", "-units", "PixelsPerInch"]
PNG_OPTS = ["-strip", "-define", "png:exclude-chunks=date,time",
            "-define", "png:compression-level=9",
            "-density", "300", "-units", "PixelsPerInch"]


def fmt(v):
    s = ("%.1f" % v).rstrip("0").rstrip(".")
    return s if s not in ("", "-") else "0"


def op(v):
    return "%.3f" % v


def fill_spec(fill, opacity):
    if fill == "none":
        return "fill none "
    return "fill %s fill-opacity %s " % (fill, op(opacity))


class Canvas:
    """Collects drawing primitives in coordinates relative to the image
    (0..1 in x and y), so one scene can be drawn at any size."""

    def __init__(self, w, h, base):
        self.w, self.h = w, h
        self.base = base  # ImageMagick image spec: gradient:..., xc:...
        self.prims = []   # -draw strings
        self.post = []    # extra options after drawing

    def X(self, x):
        return fmt(x * self.w)

    def Y(self, y):
        return fmt(y * self.h)

    def pts(self, points):
        return " ".join("%s,%s" % (self.X(x), self.Y(y)) for x, y in points)

    def poly(self, fill, points, opacity=1.0, stroke=None, sw=0):
        s = fill_spec(fill, opacity)
        s += ("stroke %s stroke-width %s " % (stroke, fmt(sw))) if stroke \
            else "stroke none "
        self.prims.append(s + "polygon " + self.pts(points))

    def line(self, color, points, width, opacity=1.0):
        self.prims.append(
            "fill none stroke %s stroke-opacity %s stroke-width %s "
            "stroke-linecap round stroke-linejoin round polyline %s"
            % (color, op(opacity), fmt(width), self.pts(points)))

    def rect(self, fill, x0, y0, x1, y1, opacity=1.0):
        self.poly(fill, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], opacity)

    def ellipse(self, fill, cx, cy, rx, ry, opacity=1.0, stroke=None, sw=0):
        s = fill_spec(fill, opacity)
        s += ("stroke %s stroke-width %s " % (stroke, fmt(sw))) if stroke \
            else "stroke none "
        self.prims.append(s + "ellipse %s,%s %s,%s 0,360" % (
            self.X(cx), self.Y(cy), fmt(rx * self.w), fmt(ry * self.h)))

    def circle(self, fill, cx, cy, r_px, opacity=1.0, stroke=None, sw=0):
        s = fill_spec(fill, opacity)
        s += ("stroke %s stroke-width %s " % (stroke, fmt(sw))) if stroke \
            else "stroke none "
        self.prims.append(s + "circle %s,%s %s,%s" % (
            self.X(cx), self.Y(cy), self.X(cx),
            fmt(cy * self.h + r_px)))

    def text(self, s, x, y, size_px, color="#222222", font=FONT,
             gravity="NorthWest"):
        # -annotate takes text as a separate argument: no quoting issues.
        self.post += ["-font", font, "-pointsize", fmt(size_px),
                      "-fill", color, "-stroke", "none",
                      "-gravity", gravity,
                      "-annotate", "%+d%+d" % (round(x * self.w), round(y * self.h)), s,
                      "-gravity", "NorthWest"]

    def command(self, out):
        args = ["convert", "-limit", "thread", "1",
                "-size", "%dx%d" % (self.w, self.h), self.base]
        # Several primitives per -draw, each argument kept well under the
        # 128 KiB limit of one command-line argument.
        chunk, size = [], 0
        for p in self.prims:
            if size + len(p) > 60000:
                args += ["-draw", "\n".join(chunk)]
                chunk, size = [], 0
            chunk.append(p)
            size += len(p) + 1
        if chunk:
            args += ["-draw", "\n".join(chunk)]
        args += self.post
        if out.endswith(".jpg"):
            args += ["-alpha", "off"] + JPEG_OPTS
        else:
            args += PNG_OPTS
        return args + [out]


# ---------------------------------------------------------------- pieces

def wave_band(c, fill, y, amp, k, phase, opacity=1.0, bottom=1.0, n=60):
    pts = [(i / n, y + amp * math.sin(k * i / n * 2 * math.pi + phase))
           for i in range(n + 1)]
    c.poly(fill, pts + [(1, bottom), (0, bottom)], opacity)


def hills(c, fill, y, heights, opacity=1.0, seed=1, n=80):
    r = random.Random(seed)
    pts = []
    for i in range(n + 1):
        x = i / n
        v = 0
        for (a, k, ph) in heights:
            v += a * math.sin(k * x * math.pi + ph)
        v += r.uniform(-0.002, 0.002)
        pts.append((x, y - abs(v)))
    c.poly(fill, pts + [(1, 1), (0, 1)], opacity)


def bird(c, x, y, s, color="#1d2430", flap=0.5):
    """A migratory bird in flight: two curved wings as a thin polygon."""
    ax = s * 1.0
    ay = s * (0.25 + 0.35 * flap)
    pts = [(x - ax, y - ay), (x - ax * 0.5, y - ay * 0.9), (x, y),
           (x + ax * 0.5, y - ay * 0.9), (x + ax, y - ay),
           (x + ax * 0.55, y - ay * 0.6), (x, y + s * 0.12),
           (x - ax * 0.55, y - ay * 0.6)]
    c.poly(color, pts)


def flock(c, seed, n, x0, y0, x1, y1, s0, s1, color="#1d2430"):
    r = random.Random(seed)
    for _ in range(n):
        x = r.uniform(x0, x1)
        y = r.uniform(y0, y1)
        bird(c, x, y, r.uniform(s0, s1), color, r.random())


def temple_roof(c, cx, base, w, h, color, tiers=2, pillars=True):
    """A northern Vietnamese temple: curved roof with upturned corners,
    drawn as polygons (silhouette)."""
    for t in range(tiers):
        tw = w * (1 - 0.28 * t)
        ty = base - h * (0.55 * t)
        th = h * 0.42
        # roof: the eaves curl up at both ends
        n = 24
        top = []
        for i in range(n + 1):
            u = i / n
            x = cx - tw * 0.32 + u * tw * 0.64
            top.append((x, ty - th))
        left_tip = (cx - tw * 0.56, ty - th * 0.55)
        right_tip = (cx + tw * 0.56, ty - th * 0.55)
        eave = []
        for i in range(n + 1):
            u = i / n
            x = cx + tw * 0.5 - u * tw
            sag = math.sin(u * math.pi) * th * 0.12
            eave.append((x, ty - th * 0.12 + sag))
        c.poly(color, [left_tip] + top + [right_tip] + eave)
        # ridge ornaments
        c.poly(color, [(cx - tw * 0.33, ty - th), (cx - tw * 0.36, ty - th * 1.3),
                       (cx - tw * 0.29, ty - th * 1.02)])
        c.poly(color, [(cx + tw * 0.33, ty - th), (cx + tw * 0.36, ty - th * 1.3),
                       (cx + tw * 0.29, ty - th * 1.02)])
        if t == 0 and pillars:
            c.rect(color, cx - tw * 0.42, ty - th * 0.15, cx + tw * 0.42, ty)
    # body with pillars
    if pillars:
        c.rect(color, cx - w * 0.4, base, cx + w * 0.4, base + h * 0.5)
        c.rect(color, cx - w * 0.48, base + h * 0.5, cx + w * 0.48,
               base + h * 0.6)


def lantern(c, x, y, s, color, glow="#ffd27a"):
    c.ellipse(glow, x, y, s * 1.6, s * 1.5 * c.w / c.h, 0.18)
    c.ellipse(color, x, y, s, s * 1.1 * c.w / c.h)
    hh = s * 1.1 * c.w / c.h
    c.rect("#6b3a12", x - s * 0.45, y - hh * 1.1, x + s * 0.45, y - hh * 0.9)
    c.rect("#6b3a12", x - s * 0.45, y + hh * 0.9, x + s * 0.45, y + hh * 1.1)
    c.line("#c98a2b", [(x, y + hh * 1.1), (x, y + hh * 1.8)], max(1, s * c.w * 0.08))
    for k in (-0.5, 0, 0.5):
        c.line("#00000033", [(x + s * k, y - hh * 0.95), (x + s * k * 1.3, y),
                             (x + s * k, y + hh * 0.95)], max(1, s * c.w * 0.04))


def casuarina(c, x, base, h, color):
    w = h * 0.18 * c.h / c.w
    c.line(color, [(x, base), (x, base - h)], max(2, w * c.w * 0.1))
    for i in range(6):
        yy = base - h * (0.25 + 0.13 * i)
        ww = w * (1.0 - 0.13 * i)
        c.poly(color, [(x - ww, yy + h * 0.06), (x, yy - h * 0.1),
                       (x + ww, yy + h * 0.06)])


def bamboo(c, x, base, h, color, seed):
    r = random.Random(seed)
    for i in range(7):
        dx = r.uniform(-0.02, 0.02)
        lean = r.uniform(-0.03, 0.03)
        c.line(color, [(x + dx, base), (x + dx + lean * 0.5, base - h * 0.6),
                       (x + dx + lean * 1.4, base - h * r.uniform(0.85, 1.05))],
               max(2, c.w * 0.003))
    for i in range(28):
        px = x + r.uniform(-0.05, 0.05)
        py = base - h * r.uniform(0.45, 1.0)
        c.ellipse(color, px, py, r.uniform(0.012, 0.025),
                  r.uniform(0.008, 0.02), 0.9)


def rice_fields(c, top, seed, colors=None):
    """Fields in perspective: bands whose height grows towards the viewer,
    split by dikes converging on a vanishing point."""
    colors = colors or ["#7fae3e", "#93bf4a", "#6e9c35", "#a8c95a",
                        "#86b243", "#5e8e2e"]
    r = random.Random(seed)
    y = top
    i = 0
    gap = 0.012
    while y < 1.0:
        h = gap
        c.rect(colors[i % len(colors)], 0, y, 1, min(1.0, y + h))
        # furrow stripes
        for k in range(3):
            yy = y + h * (k + 1) / 4
            c.line("#ffffff", [(0, yy), (1, yy)], max(1, h * c.h * 0.04), 0.08)
        c.line("#d9c58a", [(0, y), (1, y)], max(1, h * c.h * 0.07), 0.8)
        y += h
        gap *= 1.28
        i += r.randint(1, 2)
    vx = 0.5 + r.uniform(-0.1, 0.1)
    for k in range(-6, 8):
        c.line("#d9c58a", [(vx + k * 0.02, top), (vx + k * 0.35, 1.0)],
               max(1, c.w * 0.002), 0.75)


def mix(c0, c1, t):
    a = [int(c0[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(a[k] + (b[k] - a[k]) * t)
                                   for k in range(3))


def sky(c, stops, steps=16):
    """Thin horizontal bands interpolating between colour stops: a
    vertical gradient with several stops."""
    for i in range(len(stops) - 1):
        y0, c0 = stops[i]
        y1, c1 = stops[i + 1]
        for k in range(steps):
            t0 = k / steps
            t1 = (k + 1) / steps
            c.rect(mix(c0, c1, (t0 + t1) / 2), 0, y0 + (y1 - y0) * t0, 1,
                   y0 + (y1 - y0) * t1 + 0.001)


def sun(c, x, y, r_rel, color="#fff1c1", halo="#ffd98a"):
    for k, op in ((3.2, 0.10), (2.2, 0.16), (1.5, 0.25)):
        c.ellipse(halo, x, y, r_rel * k, r_rel * k * c.w / c.h, op)
    c.ellipse(color, x, y, r_rel, r_rel * c.w / c.h)


# ---------------------------------------------------------------- scenes

def scene_rice(w, h, out, seed=11):
    c = Canvas(w, h, "gradient:#9fc9e8-#f4e7c4")
    sun(c, 0.78, 0.22, 0.04)
    hills(c, "#8aa7a0", 0.40, [(0.05, 1.4, 0.3), (0.02, 5, 1)], 0.8, seed)
    hills(c, "#6f8f7a", 0.43, [(0.025, 2.1, 1.2), (0.01, 7, 0.2)], 0.9, seed + 1)
    # a temple roof on the horizon, among trees
    for i in range(10):
        c.ellipse("#4d6b45", 0.08 + i * 0.03, 0.445, 0.03, 0.025)
    temple_roof(c, 0.2, 0.43, 0.12, 0.07, "#3e3a36", tiers=1, pillars=False)
    rice_fields(c, 0.45, seed)
    bamboo(c, 0.9, 0.6, 0.28, "#355a2a", seed)
    bamboo(c, 0.06, 0.62, 0.22, "#3d6530", seed + 3)
    flock(c, seed, 9, 0.35, 0.1, 0.65, 0.25, 0.008, 0.014, "#3a3f4a")
    run(c, out)


def scene_river(w, h, out, seed=21):
    c = Canvas(w, h, "gradient:#b8d6e6-#eef0e0")
    hills(c, "#9fb4ad", 0.42, [(0.03, 1.2, 0.8)], 0.7, seed)
    # far bank with trees and a village
    c.rect("#5f7d4e", 0, 0.42, 1, 0.47)
    r = random.Random(seed)
    for i in range(40):
        c.ellipse("#44633a", r.uniform(0, 1), 0.43, r.uniform(0.015, 0.035),
                  r.uniform(0.02, 0.04))
    temple_roof(c, 0.66, 0.42, 0.07, 0.05, "#7d3b2a", tiers=1, pillars=False)
    # river: silt coloured, with light streaks
    c.rect("#b88d5d", 0, 0.47, 1, 0.78)
    for i in range(26):
        y = 0.48 + i * 0.012
        x0 = r.uniform(0, 0.8)
        c.line("#e8cfa5", [(x0, y), (x0 + r.uniform(0.05, 0.2), y)],
               max(1, h * 0.002), 0.6)
    # near bank and dike
    wave_band(c, "#7ea34a", 0.78, 0.01, 1.5, 0.4)
    wave_band(c, "#5d8a36", 0.86, 0.012, 2.2, 1.1)
    # boat
    c.poly("#4a3423", [(0.3, 0.6), (0.42, 0.6), (0.40, 0.625), (0.32, 0.625)])
    c.poly("#d8c9a8", [(0.355, 0.6), (0.355, 0.53), (0.395, 0.6)])
    c.poly("#2f2a26", [(0.36, 0.585), (0.37, 0.56), (0.38, 0.585)])
    bamboo(c, 0.12, 0.86, 0.3, "#2f4f26", seed)
    flock(c, seed + 1, 6, 0.5, 0.12, 0.8, 0.3, 0.01, 0.016)
    run(c, out)


def scene_temple(w, h, out, seed=31):
    c = Canvas(w, h, "gradient:#3f3563-#f6b765")
    sky(c, [(0, "#3f3563"), (0.15, "#5b4070"), (0.3, "#8a4c6e"),
            (0.42, "#c35f5c"), (0.52, "#e98a52"), (0.6, "#f6b765"),
            (0.66, "#f6b765")])
    sun(c, 0.5, 0.6, 0.06, "#ffe3a3", "#ffbf6b")
    temple_roof(c, 0.5, 0.62, 0.62, 0.28, "#2a1f27", tiers=2)
    # banyan trees left and right
    for x in (0.06, 0.94):
        for i in range(14):
            r = random.Random(seed + i)
            c.ellipse("#241b22", x + r.uniform(-0.07, 0.07),
                      0.5 + r.uniform(-0.1, 0.05), r.uniform(0.04, 0.07),
                      r.uniform(0.05, 0.08))
        c.rect("#241b22", x - 0.01, 0.55, x + 0.01, 0.8)
    c.rect("#241b22", 0, 0.78, 1, 1)
    # lantern row along the eaves
    for i in range(7):
        lantern(c, 0.25 + i * 0.083, 0.72, 0.012, "#d43d2a")
    # steps
    for i in range(4):
        c.rect("#3a2c33", 0.3 - i * 0.03, 0.8 + i * 0.05, 0.7 + i * 0.03,
               0.83 + i * 0.05)
    flock(c, seed, 5, 0.15, 0.12, 0.4, 0.3, 0.01, 0.016, "#201a22")
    run(c, out)


def scene_tower(w, h, out, seed=41):
    """A tall, tapering brick tower in the spirit of Phổ Minh (14 storeys)
    in front of a pale sky, with a lotus pond."""
    c = Canvas(w, h, "gradient:#cfe3ee-#f6ead2")
    sun(c, 0.78, 0.18, 0.05, "#fff6d8", "#ffe0a0")
    cx = 0.5
    base = 0.78
    storey_h = 0.042
    bw = 0.34
    # stone base
    c.rect("#8b8a84", cx - bw * 0.62, base, cx + bw * 0.62, base + 0.04)
    c.rect("#a3a29b", cx - bw * 0.56, base - 0.03, cx + bw * 0.56, base)
    y = base - 0.03
    for i in range(14):
        ww = bw * (1 - i * 0.048)
        sh = storey_h * (1 - i * 0.03)
        c.rect("#9e4a2e", cx - ww / 2, y - sh, cx + ww / 2, y)
        # cornice
        c.rect("#7a3522", cx - ww / 2 - 0.012, y - sh - 0.006,
               cx + ww / 2 + 0.012, y - sh + 0.002)
        # arched niche
        c.ellipse("#5b2617", cx, y - sh * 0.45, ww * 0.08, sh * 0.3)
        y -= sh + 0.004
    c.poly("#7a3522", [(cx - 0.02, y), (cx, y - 0.05), (cx + 0.02, y)])
    # trees and pond
    for x in (0.1, 0.9):
        for i in range(12):
            r = random.Random(seed + i + int(x * 100))
            c.ellipse("#3f6b3a", x + r.uniform(-0.09, 0.09),
                      0.62 + r.uniform(-0.08, 0.12), r.uniform(0.05, 0.09),
                      r.uniform(0.03, 0.06))
    c.rect("#6f9a58", 0, 0.82, 1, 1)
    c.ellipse("#7fa7b8", 0.5, 0.93, 0.48, 0.06)
    r = random.Random(seed)
    for i in range(16):
        x, yy = r.uniform(0.1, 0.9), r.uniform(0.9, 0.97)
        c.ellipse("#3f7a3a", x, yy, 0.025, 0.008)
        if i % 3 == 0:
            c.ellipse("#f2a0b5", x + 0.01, yy - 0.012, 0.008, 0.01)
    run(c, out)


def scene_lanterns(w, h, out, seed=51):
    c = Canvas(w, h, "gradient:#1b2447-#3b2a4f")
    r = random.Random(seed)
    # festival flags: five-colour banners
    cols = ["#d63b2f", "#f2c230", "#2f7bd6", "#35a35a", "#f2f2f2"]
    for j in range(3):
        yy = 0.12 + j * 0.1
        c.line("#c9b48a", [(0, yy - 0.03), (0.5, yy + 0.02), (1, yy - 0.03)],
               max(1, w * 0.0015))
        for i in range(24):
            x = i / 24 + 0.02
            sag = 0.05 * (1 - (2 * x - 1) ** 2)
            y0 = yy - 0.03 + sag
            c.poly(cols[(i + j) % 5], [(x - 0.012, y0), (x + 0.012, y0),
                                       (x, y0 + 0.05)], 0.9)
    for i in range(14):
        x = 0.05 + i * 0.068 + r.uniform(-0.01, 0.01)
        y = 0.5 + r.uniform(-0.06, 0.12)
        lantern(c, x, y, r.uniform(0.022, 0.034),
                r.choice(["#d83a2b", "#e8572a", "#f0a52c", "#c92c3a"]))
    # crowd silhouettes
    for i in range(60):
        x = r.uniform(0, 1)
        s = r.uniform(0.015, 0.025)
        y = 0.86 + r.uniform(-0.02, 0.03)
        c.ellipse("#120f1d", x, y, s, s * 1.2 * w / h)
        c.poly("#120f1d", [(x - s * 1.8, 1), (x - s * 1.2, y + s * 1.6),
                           (x + s * 1.2, y + s * 1.6), (x + s * 1.8, 1)])
    run(c, out)


def scene_craft(w, h, out, seed=61):
    """A craft-village pattern: tiles of lotus, hammer and anvil, woven
    bamboo and bronze bell motifs on indigo and ochre."""
    c = Canvas(w, h, "xc:#efe3c8")
    n_x = 8
    tw = 1.0 / n_x
    th = tw * w / h
    rows = int(1 / th) + 1
    for j in range(rows):
        for i in range(n_x):
            x0, y0 = i * tw, j * th
            k = (i + j) % 4
            bg = ["#24395c", "#b5622e", "#2f5d50", "#8e2f2a"][k]
            fg = "#efe3c8"
            c.rect(bg, x0 + 0.003, y0 + 0.004, x0 + tw - 0.003, y0 + th - 0.004)
            cx, cy = x0 + tw / 2, y0 + th / 2
            if k == 0:  # lotus
                for a in range(-2, 3):
                    ang = a * 0.45
                    px = cx + math.sin(ang) * tw * 0.28
                    py = cy - math.cos(ang) * th * 0.28
                    c.poly(fg, [(cx - tw * 0.05, cy + th * 0.12), (px, py),
                                (cx + tw * 0.05, cy + th * 0.12)], 0.95)
                c.rect(fg, cx - tw * 0.3, cy + th * 0.16, cx + tw * 0.3,
                       cy + th * 0.2)
            elif k == 1:  # anvil and hammer
                c.poly(fg, [(cx - tw * 0.3, cy), (cx + tw * 0.3, cy),
                            (cx + tw * 0.15, cy + th * 0.1),
                            (cx + tw * 0.12, cy + th * 0.28),
                            (cx - tw * 0.12, cy + th * 0.28),
                            (cx - tw * 0.15, cy + th * 0.1)])
                c.rect(fg, cx - tw * 0.03, cy - th * 0.34, cx + tw * 0.03,
                       cy - th * 0.04)
                c.rect(fg, cx - tw * 0.14, cy - th * 0.38, cx + tw * 0.14,
                       cy - th * 0.28)
            elif k == 2:  # woven bamboo
                for s in range(-3, 4):
                    d = s * tw * 0.08
                    c.line(fg, [(cx - tw * 0.3 + d, cy - th * 0.3),
                                (cx + tw * 0.3 + d, cy + th * 0.3)],
                           max(2, w * 0.004), 0.85)
                    c.line(fg, [(cx + tw * 0.3 + d, cy - th * 0.3),
                                (cx - tw * 0.3 + d, cy + th * 0.3)],
                           max(2, w * 0.004), 0.55)
            else:  # bronze bell
                c.poly("#d9a441", [(cx - tw * 0.12, cy - th * 0.25),
                                   (cx + tw * 0.12, cy - th * 0.25),
                                   (cx + tw * 0.2, cy + th * 0.22),
                                   (cx - tw * 0.2, cy + th * 0.22)])
                c.rect("#d9a441", cx - tw * 0.26, cy + th * 0.22,
                       cx + tw * 0.26, cy + th * 0.28)
                c.rect("#d9a441", cx - tw * 0.04, cy - th * 0.34,
                       cx + tw * 0.04, cy - th * 0.25)
                for s in (-0.05, 0.08):
                    c.line(bg, [(cx - tw * 0.15, cy + th * s),
                                (cx + tw * 0.15, cy + th * s)],
                           max(1, w * 0.002))
    run(c, out)


def scene_birds(w, h, out, seed=71):
    """Dawn over the tidal flats of Xuân Thủy: a flock of migratory birds,
    mangroves on the horizon, a spoonbill in the foreground."""
    c = Canvas(w, h, "gradient:#f7d9b0-#9db9cf")
    sky(c, [(0, "#6f8fb1"), (0.1, "#86a1bd"), (0.2, "#a4b6c8"),
            (0.3, "#c7c6c6"), (0.38, "#e8cfb1"), (0.44, "#f5d6a6"),
            (0.48, "#f5d6a6")])
    sun(c, 0.3, 0.44, 0.035, "#fff3cf", "#ffd38f")
    # mangrove line
    r = random.Random(seed)
    for i in range(90):
        c.ellipse("#2f4a3a", r.uniform(0, 1), 0.48, r.uniform(0.01, 0.03),
                  r.uniform(0.008, 0.02))
    c.rect("#2f4a3a", 0, 0.48, 1, 0.5)
    # mudflats and water with reflections
    c.rect("#b4a58f", 0, 0.5, 1, 1)
    for i in range(40):
        y = 0.5 + (i / 40) ** 1.6 * 0.5
        x0 = r.uniform(-0.2, 0.8)
        c.poly("#d9cbb1" if i % 2 else "#8fa3b4",
               [(x0, y), (x0 + r.uniform(0.2, 0.6), y),
                (x0 + r.uniform(0.2, 0.6), y + 0.008 + i * 0.0006),
                (x0, y + 0.008 + i * 0.0006)], 0.7)
    c.ellipse("#fff3cf", 0.3, 0.56, 0.05, 0.006, 0.5)
    # wading birds far away
    for i in range(30):
        x, y = r.uniform(0.05, 0.95), r.uniform(0.53, 0.62)
        s = 0.004 + (y - 0.5) * 0.03
        c.ellipse("#3b3a3a", x, y, s, s * 0.6 * w / h)
        c.line("#3b3a3a", [(x, y), (x, y + s * 2.5 * w / h)], max(1, w * 0.001))
    # the flock
    flock(c, seed, 120, 0.35, 0.08, 0.98, 0.32, 0.006, 0.014, "#2c2f38")
    flock(c, seed + 5, 40, 0.05, 0.15, 0.4, 0.3, 0.004, 0.009, "#3d4350")
    # a black-faced spoonbill, standing, lower right
    x, y = 0.74, 0.8
    body = [(x - 0.08, y), (x - 0.02, y - 0.035), (x + 0.06, y - 0.03),
            (x + 0.08, y - 0.01), (x + 0.05, y + 0.02), (x - 0.04, y + 0.02)]
    c.poly("#f7f3ea", body, 1.0, "#b9b2a2", max(1, w * 0.001))
    c.line("#f7f3ea", [(x + 0.06, y - 0.025), (x + 0.09, y - 0.07),
                       (x + 0.1, y - 0.1)], max(3, w * 0.012))
    c.ellipse("#f7f3ea", x + 0.105, y - 0.105, 0.018, 0.014)
    c.poly("#1e1e1e", [(x + 0.115, y - 0.11), (x + 0.19, y - 0.085),
                       (x + 0.2, y - 0.075), (x + 0.19, y - 0.068),
                       (x + 0.115, y - 0.098)])
    for dx in (-0.01, 0.02):
        c.line("#2a2a2a", [(x + dx, y + 0.02), (x + dx, y + 0.1)],
               max(2, w * 0.004))
    c.ellipse("#c9bda6", x + 0.005, y + 0.105, 0.05, 0.006, 0.6)
    run(c, out)


def scene_mangroves(w, h, out, seed=81):
    c = Canvas(w, h, "gradient:#cfe6ee-#eaf2e4")
    r = random.Random(seed)
    c.rect("#7d9fa8", 0, 0.6, 1, 1)
    for i in range(30):
        y = 0.62 + i * 0.013
        x0 = r.uniform(0, 0.8)
        c.line("#b9d2d6", [(x0, y), (x0 + r.uniform(0.05, 0.2), y)],
               max(1, h * 0.002), 0.6)
    for k in range(3):
        shade = ["#7c9c74", "#4f7a4a", "#2f5a35"][k]
        base = 0.48 + k * 0.06
        for i in range(60 - k * 10):
            c.ellipse(shade, r.uniform(-0.05, 1.05), base - r.uniform(0, 0.08),
                      r.uniform(0.03, 0.07), r.uniform(0.03, 0.06))
        # arching roots
        if k == 2:
            for i in range(40):
                x = r.uniform(0, 1)
                for a in (-1, 1):
                    c.line("#3b3226", [(x, base + 0.02), (x + a * 0.015, base + 0.07),
                                       (x + a * 0.03, 0.66)], max(2, w * 0.002))
    c.rect("#2f5a35", 0, 0.5, 1, 0.56, 0.9)
    flock(c, seed, 14, 0.2, 0.08, 0.8, 0.3, 0.008, 0.015)
    # a small boat in the creek
    c.poly("#5b4331", [(0.2, 0.78), (0.34, 0.78), (0.32, 0.8), (0.22, 0.8)])
    c.ellipse("#2a2a2a", 0.27, 0.765, 0.008, 0.015)
    run(c, out)


def scene_beach(w, h, out, seed=91):
    c = Canvas(w, h, "gradient:#8fc1e3-#e6f0f0")
    sun(c, 0.18, 0.2, 0.03)
    r = random.Random(seed)
    # sea bands
    sea = ["#6d9bb0", "#7aa6b5", "#89aeb3", "#9cb6ad", "#b0b9a0"]
    for i, col in enumerate(sea):
        wave_band(c, col, 0.42 + i * 0.045, 0.004, 3 + i, i, 1.0, 1.0)
    # surf
    for i in range(4):
        wave_band(c, "#f2f0e6", 0.6 + i * 0.02, 0.006, 4 + i, i * 1.3, 0.35,
                  0.6 + i * 0.02 + 0.006)
    # sand
    wave_band(c, "#d8c39a", 0.66, 0.01, 1.3, 0.5)
    wave_band(c, "#e3d2ad", 0.74, 0.012, 1.1, 2.0)
    # fishing boats
    for i in range(4):
        x, y = r.uniform(0.3, 0.9), r.uniform(0.44, 0.52)
        s = 0.02 + (y - 0.44) * 0.2
        c.poly("#3c3a48", [(x - s, y), (x + s, y), (x + s * 0.7, y + s * 0.3),
                           (x - s * 0.7, y + s * 0.3)])
        c.line("#3c3a48", [(x, y), (x, y - s * 1.5)], max(1, w * 0.0015))
    # basket boats on the sand
    for x in (0.3, 0.38, 0.62):
        c.ellipse("#6b5338", x, 0.78, 0.03, 0.018)
    # casuarinas
    for i in range(9):
        casuarina(c, 0.02 + i * 0.035 + r.uniform(-0.01, 0.01), 0.74,
                  0.28 + r.uniform(-0.05, 0.05), "#2f5138")
    flock(c, seed, 5, 0.5, 0.12, 0.8, 0.25, 0.008, 0.013)
    run(c, out)


def scene_salt(w, h, out, seed=101):
    """Salt fields at sunset, with the silhouette of a ruined church
    standing in the sea."""
    c = Canvas(w, h, "gradient:#f3b37a-#8db0c9")
    sky(c, [(0, "#8097b4"), (0.15, "#a3a8bd"), (0.28, "#d9aa9b"),
            (0.38, "#f2b483"), (0.46, "#f6c98e"), (0.5, "#f6c98e")])
    sun(c, 0.72, 0.45, 0.04, "#fff0c8", "#ffc27a")
    c.rect("#7f93a4", 0, 0.5, 1, 0.56)
    # ruined church: a façade with a broken bell tower and arched openings
    cx, base = 0.3, 0.53
    col = "#2c2630"
    c.poly(col, [(cx - 0.09, base), (cx - 0.09, base - 0.16),
                 (cx - 0.05, base - 0.2), (cx - 0.03, base - 0.17),
                 (cx - 0.03, base - 0.3), (cx - 0.015, base - 0.36),
                 (cx + 0.005, base - 0.33), (cx + 0.02, base - 0.28),
                 (cx + 0.05, base - 0.24), (cx + 0.06, base - 0.18),
                 (cx + 0.09, base - 0.15), (cx + 0.09, base)])
    for dx, top, hh in ((-0.06, 0.12, 0.08), (0.05, 0.12, 0.08),
                        (-0.005, 0.2, 0.1)):
        x0 = cx + dx - 0.012
        x1 = cx + dx + 0.012
        c.rect("#f4c48f", x0, base - top, x1, base - top + hh)
        c.ellipse("#f4c48f", cx + dx, base - top, 0.012, 0.014)
    # salt pans: a grid of mirrors
    rows = 7
    y = 0.56
    for j in range(rows):
        hh = 0.03 + j * 0.012
        n = 6 - j // 3
        for i in range(n):
            x0 = i / n + 0.006
            x1 = (i + 1) / n - 0.006
            shade = ["#e9c7a4", "#d7b79a", "#c9b3a7", "#b8b4b8"][(i + j) % 4]
            c.rect(shade, x0, y + 0.004, x1, y + hh)
        y += hh + 0.006
    # salt heaps
    for x in (0.12, 0.2, 0.55, 0.63, 0.85):
        c.poly("#fbfbf7", [(x - 0.04, 0.83), (x, 0.77), (x + 0.04, 0.83)])
        c.poly("#d8d8d2", [(x, 0.77), (x + 0.04, 0.83), (x + 0.01, 0.83)])
    # a worker with a rake
    c.ellipse("#2c2630", 0.4, 0.78, 0.008, 0.012)
    c.poly("#e8d49a", [(0.385, 0.775), (0.4, 0.76), (0.415, 0.775)])
    c.poly("#2c2630", [(0.392, 0.79), (0.408, 0.79), (0.41, 0.84), (0.39, 0.84)])
    c.line("#2c2630", [(0.405, 0.8), (0.46, 0.85)], max(2, w * 0.002))
    run(c, out)


def scene_scholars(w, h, out, seed=111):
    """Stone steles on tortoises before a gate: the memory of the
    examination laureates."""
    c = Canvas(w, h, "gradient:#f4ecd8-#e2d3b2")
    r = random.Random(seed)
    # gate in the background
    gx = 0.5
    c.rect("#9a3b2b", gx - 0.18, 0.2, gx + 0.18, 0.24)
    for dx in (-0.15, -0.05, 0.05, 0.15):
        c.rect("#7f2f22", gx + dx - 0.012, 0.24, gx + dx + 0.012, 0.62)
    temple_roof(c, gx, 0.2, 0.44, 0.12, "#5a2a22", tiers=1, pillars=False)
    c.rect("#c9b88f", 0, 0.62, 1, 1)
    for i in range(5):
        yy = 0.62 + i * 0.08
        c.line("#b2a279", [(0, yy), (1, yy)], max(1, h * 0.002))
    # steles
    for i in range(6):
        x = 0.1 + i * 0.16
        y = 0.9 - (i % 2) * 0.06
        s = 0.055
        c.ellipse("#6f6a60", x, y, s * 1.2, s * 0.45)           # tortoise
        c.ellipse("#5d584f", x + s * 1.25, y - s * 0.1, s * 0.25, s * 0.2)
        c.rect("#8a857a", x - s * 0.6, y - s * 3.8, x + s * 0.6, y - s * 0.1)
        c.ellipse("#8a857a", x, y - s * 3.8, s * 0.6, s * 0.45)
        for k in range(5):
            yy = y - s * (3.2 - k * 0.55)
            c.line("#5f5a50", [(x - s * 0.4, yy), (x + s * 0.4, yy)],
                   max(1, w * 0.0012))
    # frangipani branches
    for i in range(10):
        x, y = r.uniform(0, 0.15), r.uniform(0.05, 0.3)
        c.ellipse("#fdfbf2", x, y, 0.012, 0.012 * w / h)
        c.ellipse("#f2d36b", x, y, 0.004, 0.004 * w / h)
    c.line("#5a4a3a", [(0, 0.32), (0.06, 0.22), (0.12, 0.1)], max(3, w * 0.004))
    run(c, out)


def scene_cover(w, h, out, seed=121):
    """Portrait landscape: a clear upper sky for the title, then a temple
    roof, a river bend, rice fields and birds."""
    c = Canvas(w, h, "gradient:#6f9cc8-#f6e3bf")
    sky(c, [(0, "#55779f"), (0.1, "#6a8db3"), (0.2, "#86a6c4"),
            (0.3, "#a9bfd0"), (0.4, "#cfd3cf"), (0.48, "#ecdcc0"),
            (0.56, "#f6e1b8"), (0.58, "#f6e1b8")])
    sun(c, 0.7, 0.5, 0.05, "#fff4d6", "#ffd898")
    hills(c, "#9aa9a6", 0.56, [(0.02, 1.5, 0.5), (0.008, 6, 0.2)], 0.8, seed)
    hills(c, "#7b9384", 0.58, [(0.012, 2.5, 1.1)], 0.9, seed + 1)
    rice_fields(c, 0.58, seed)
    # the river bend
    pts_l, pts_r = [], []
    for i in range(41):
        t = i / 40
        y = 0.6 + t * 0.4
        x = 0.62 + 0.25 * math.sin(t * 2.2) - 0.5 * t * t
        wd = 0.005 + t * 0.14
        pts_l.append((x - wd, y))
        pts_r.append((x + wd, y))
    c.poly("#b99468", pts_l + pts_r[::-1])
    for i in range(12):
        t = 0.2 + i * 0.06
        x = 0.62 + 0.25 * math.sin(t * 2.2) - 0.5 * t * t
        c.line("#e9d3ac", [(x - 0.02 * t, 0.6 + t * 0.4),
                           (x + 0.05 * t, 0.6 + t * 0.4)],
               max(1, h * 0.0015), 0.8)
    # temple among trees, left
    for i in range(16):
        rr = random.Random(seed + i)
        c.ellipse("#3d5c3a", 0.1 + rr.uniform(-0.1, 0.2), 0.6 + rr.uniform(-0.03, 0.01),
                  rr.uniform(0.04, 0.07), rr.uniform(0.015, 0.03))
    temple_roof(c, 0.22, 0.6, 0.3, 0.08, "#3a2a2a", tiers=2, pillars=False)
    bamboo(c, 0.93, 0.72, 0.2, "#2f4f26", seed)
    flock(c, seed, 22, 0.3, 0.34, 0.95, 0.48, 0.008, 0.018, "#2e3340")
    run(c, out)


def scene_cover_brochure(w, h, out):
    scene_cover(w, h, out, seed=131)


# ---------------------------------------------------------------- graphics

# A rough outline of the province: only its general shape (the Red River
# on the north-east, the Đáy on the south-west, the coast to the south-
# east). Illustrative, not to scale, and not a boundary.
OUTLINE = [(0.30, 0.08), (0.40, 0.10), (0.50, 0.14), (0.58, 0.20),
           (0.66, 0.28), (0.74, 0.38), (0.82, 0.46), (0.90, 0.56),
           (0.92, 0.62), (0.84, 0.70), (0.74, 0.76), (0.64, 0.82),
           (0.54, 0.88), (0.44, 0.92), (0.38, 0.88), (0.34, 0.78),
           (0.28, 0.66), (0.20, 0.56), (0.12, 0.46), (0.10, 0.36),
           (0.16, 0.24), (0.22, 0.14)]


def make_map(w, h, out):
    c = Canvas(w, h, "xc:none")
    # sea
    c.poly("#bcd8e8", [(0.92, 0.62), (1, 0.55), (1, 1), (0.3, 1),
                       (0.44, 0.92), (0.54, 0.88), (0.64, 0.82),
                       (0.74, 0.76), (0.84, 0.70)], 1.0)
    c.poly("#e9e2c6", OUTLINE, 1.0, "#6f6248", max(2, w * 0.003))
    # rivers: Red (north-east edge), Đáy (south-west edge), Ninh Cơ, Đào
    red = [(0.28, 0.02), (0.42, 0.08), (0.56, 0.16), (0.68, 0.27),
           (0.78, 0.38), (0.88, 0.50), (0.95, 0.60)]
    day = [(0.05, 0.30), (0.10, 0.42), (0.18, 0.53), (0.26, 0.64),
           (0.32, 0.76), (0.37, 0.88), (0.40, 0.97)]
    ninhco = [(0.62, 0.23), (0.60, 0.36), (0.62, 0.50), (0.64, 0.64),
              (0.66, 0.80)]
    dao = [(0.50, 0.14), (0.44, 0.26), (0.36, 0.36), (0.26, 0.44),
           (0.16, 0.50)]
    for pts, wd in ((red, 0.012), (day, 0.008), (ninhco, 0.006),
                    (dao, 0.005)):
        c.line("#5d97c4", pts, max(3, w * wd))
    # places
    places = [("Nam Định", 0.44, 0.27, True), ("Vụ Bản", 0.25, 0.30, False),
              ("Ý Yên", 0.15, 0.40, False), ("Xuân Trường", 0.66, 0.42, False),
              ("Hải Hậu", 0.71, 0.67, False), ("Giao Thủy", 0.80, 0.60, False),
              ("Nghĩa Hưng", 0.40, 0.70, False)]
    for name, x, y, city in places:
        c.circle("#b23a2a" if city else "#3d3d3d", x, y,
                 w * (0.012 if city else 0.007), 1.0, "#ffffff",
                 max(1, w * 0.002))
        c.text(name, x + 0.015, y - 0.03, w * (0.03 if city else 0.024),
               "#222222", FONT_BOLD if city else FONT)
    # Xuân Thủy: a green patch at the Red River mouth
    c.ellipse("#5c9a4e", 0.9, 0.66, 0.035, 0.025, 0.85)
    c.text("Xuân Thủy", 0.78, 0.69, w * 0.022, "#2f5f2a")
    # neighbours and the sea
    c.poly("#555555", [(0.05, 0.03), (0.035, 0.06), (0.045, 0.06),
                       (0.045, 0.09), (0.055, 0.09), (0.055, 0.06),
                       (0.065, 0.06)])
    c.text("Hà Nội ~90 km", 0.075, 0.04, w * 0.026, "#555555")
    c.text("Thái Bình", 0.74, 0.22, w * 0.024, "#777777", FONT)
    c.text("Ninh Bình", 0.02, 0.62, w * 0.024, "#777777", FONT)
    c.text("Vịnh Bắc Bộ / Gulf of Tonkin", 0.6, 0.88, w * 0.024,
           "#3f6f8f", FONT)
    # compass
    c.poly("#333333", [(0.92, 0.06), (0.905, 0.12), (0.92, 0.105),
                       (0.935, 0.12)])
    c.text("N", 0.912, 0.125, w * 0.026, "#333333", FONT_BOLD)
    c.text("Minh họa, không theo tỷ lệ · Illustrative, not to scale",
           0.02, 0.02, w * 0.024, "#555555", FONT, "SouthWest")
    run(c, out)


# Approximate road distances from the city of Nam Định, in km, rounded;
# the same values are given, hedged, in the yearbook's practical section.
DISTANCES = [("Thái Bình", 20), ("Ninh Bình", 30), ("Thịnh Long", 50),
             ("Xuân Thủy", 55), ("Hà Nội", 90), ("Nội Bài", 120)]


def make_chart_distances(w, h, out):
    c = Canvas(w, h, "xc:none")
    c.rect("#ffffff", 0, 0, 1, 1, 0.0)
    left, right, top = 0.25, 0.92, 0.1
    vmax = 130.0
    bar_h = 0.09
    # grid
    for v in range(0, 131, 20):
        x = left + (right - left) * v / vmax
        c.line("#cccccc", [(x, top - 0.02), (x, 0.9)], max(1, w * 0.0012))
        c.text(str(v), x - 0.015, 0.92, h * 0.045, "#666666")
    for i, (name, v) in enumerate(DISTANCES):
        y = top + i * (bar_h + 0.045)
        x1 = left + (right - left) * v / vmax
        c.rect("#2f6f8f" if name != "Hà Nội" else "#b23a2a", left, y, x1,
               y + bar_h)
        c.text(name, 0.02, y + bar_h * 0.05, h * 0.05, "#222222", FONT)
        c.text("~%d" % v, x1 + 0.01, y + bar_h * 0.05, h * 0.05, "#222222",
               FONT_BOLD)
    c.text("km", right + 0.01, 0.92, h * 0.045, "#666666")
    run(c, out)


# Milestones named in the yearbook's history and Xuân Thủy sections.
MILESTONES = [(1225, "Trần Thái Tông", 0.2), (1262, "Thiên Trường", 0.38),
              (1288, "Bạch Đằng", 0.2), (1989, "Ramsar", 0.2),
              (1997, "Nam Định", 0.38), (2003, "Xuân Thủy", 0.2),
              (2004, "UNESCO", 0.38)]


def make_chart_timeline(w, h, out):
    """A timeline with a broken axis (1200–1300, then 1980–2010)."""
    c = Canvas(w, h, "xc:none")
    y = 0.55

    def xpos(year):
        if year < 1500:
            return 0.05 + (year - 1200) / 100 * 0.4
        return 0.55 + (year - 1985) / 25 * 0.4

    c.line("#444444", [(0.04, y), (0.46, y)], max(2, h * 0.008))
    c.line("#444444", [(0.54, y), (0.96, y)], max(2, h * 0.008))
    for dx in (0.475, 0.505):
        c.line("#444444", [(dx - 0.008, y + 0.05), (dx + 0.008, y - 0.05)],
               max(2, h * 0.006))
    for yr in (1200, 1250, 1300, 1990, 2000, 2010):
        x = xpos(yr)
        c.line("#444444", [(x, y - 0.02), (x, y + 0.02)], max(1, h * 0.005))
        c.text(str(yr), x - 0.025, y + 0.05, h * 0.06, "#666666")
    for yr, label, rise in MILESTONES:
        x = xpos(yr)
        y1 = y - rise
        col = "#b23a2a" if yr < 1500 else "#2f7a4f"
        c.line(col, [(x, y), (x, y1)], max(1, h * 0.004))
        c.circle(col, x, y, h * 0.025, 1.0, "#ffffff", max(1, h * 0.004))
        c.text("%d" % yr, x + 0.006, y1 - 0.02, h * 0.065, col, FONT_BOLD)
        c.text(label, x + 0.006, y1 + 0.06, h * 0.055, "#333333")
    run(c, out)


def make_logo(w, h, out):
    """An emblem: a red disc in a gold ring, waves and a rice ear, and the
    letters NĐ."""
    c = Canvas(w, h, "xc:none")
    c.circle("#c9a23a", 0.5, 0.5, w * 0.48)
    c.circle("#b3262a", 0.5, 0.5, w * 0.43)
    c.circle("none", 0.5, 0.5, w * 0.40, 1.0, "#e8c766", max(2, w * 0.008))
    # waves at the bottom
    for k in range(3):
        pts = []
        for i in range(41):
            t = i / 40
            x = 0.24 + t * 0.52
            yy = 0.70 + k * 0.045 + 0.012 * math.sin(t * 6 * math.pi)
            pts.append((x, yy))
        c.line("#e8c766", pts, max(2, w * 0.012))
    # rice ears left and right
    for side in (-1, 1):
        stem = [(0.5 + side * 0.2, 0.68), (0.5 + side * 0.31, 0.52),
                (0.5 + side * 0.32, 0.3)]
        c.line("#e8c766", stem, max(2, w * 0.008))
        for i in range(6):
            t = i / 6
            sx = 0.5 + side * (0.315 + 0.012 * math.sin(t * 3))
            sy = 0.5 - t * 0.2
            for a in (-1, 1):
                c.ellipse("#e8c766", sx + a * 0.022, sy, 0.014, 0.026)
    c.text("NĐ", 0, -0.05, w * 0.22, "#fff4d6", FONT_SERIF_BOLD, "Center")
    run(c, out)


def make_logo_wide(w, h, out):
    """The emblem centred on a wide transparent canvas, so that a figure
    one narrow column wide shows it small (about a third of the width)."""
    tmp = out[:-4] + ".tmp.png"
    make_logo(h, h, tmp)
    path = os.path.join(ROOT, out)
    subprocess.run(["convert", "-limit", "thread", "1",
                    os.path.join(ROOT, tmp), "-background", "none",
                    "-gravity", "center", "-extent", "%dx%d" % (w, h)]
                   + PNG_OPTS + [path], check=True)
    os.remove(os.path.join(ROOT, tmp))


# ---------------------------------------------------------------- driver

def run(c, out):
    path = os.path.join(ROOT, out)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(c.command(path), check=True)


JOBS = [
    # yearbook
    (YB + "/cover.jpg", scene_cover, 1800, 2546),
    (YB + "/logo.png", make_logo, 800, 800),
    (YB + "/rice-fields.jpg", scene_rice, 1600, 1000),
    (YB + "/map.png", make_map, 1400, 1400),
    (YB + "/red-river.jpg", scene_river, 1600, 1100),
    (YB + "/temple-dusk.jpg", scene_temple, 1600, 1000),
    (YB + "/tower.jpg", scene_tower, 1100, 1500),
    (YB + "/timeline.png", make_chart_timeline, 1800, 700),
    (YB + "/lanterns.jpg", scene_lanterns, 1600, 1100),
    (YB + "/craft-pattern.jpg", scene_craft, 1600, 900),
    (YB + "/birds-dawn.jpg", scene_birds, 1500, 2100),
    (YB + "/mangroves.jpg", scene_mangroves, 1600, 1100),
    (YB + "/beach.jpg", scene_beach, 1600, 1000),
    (YB + "/salt-fields.jpg", scene_salt, 1600, 1100),
    (YB + "/distances.png", make_chart_distances, 1600, 1000),
    (YB + "/scholars.jpg", scene_scholars, 1600, 1000),
    # brochure (its own copies: paths stay inside its folder)
    (BR + "/cover.jpg", scene_cover_brochure, 1000, 2120),
    (BR + "/logo-wide.png", make_logo_wide, 1500, 500),
    (BR + "/temple-dusk.jpg", scene_temple, 1000, 640),
    (BR + "/lanterns.jpg", scene_lanterns, 1000, 640),
    (BR + "/birds-dawn.jpg", scene_birds, 1000, 1100),
    # booklet
    (BK + "/cover.jpg", scene_cover, 1240, 1754),
    (BK + "/logo.png", make_logo, 600, 600),
    (BK + "/logo-wide.png", make_logo_wide, 1500, 500),
    (BK + "/rice-fields.jpg", scene_rice, 1400, 880),
    (BK + "/lanterns.jpg", scene_lanterns, 1400, 880),
]


def main(argv):
    if "--list" in argv:
        for out, _, w, h in JOBS:
            print("%s %dx%d" % (out, w, h))
        return 0
    only = [a for a in argv[1:] if not a.startswith("-")]
    for out, fn, w, h in JOBS:
        if only and not any(o in out for o in only):
            continue
        fn(w, h, out)
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
