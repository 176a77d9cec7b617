#!/usr/bin/env python3
"""Is a built publication sound? A witness that trusts neither layout nor
the preflight (pipeline/check): it reads the template's geometry itself, the
display list as `folio dump` prints it, and the screen PDF as poppler and
MuPDF extract it, and checks that

  1. no glyph lies outside the page's frames: every word of the PDF
     (pdftotext -bbox) and every glyph run of the dump lies inside the
     trim, and inside the text frame (the trim less the margins, inner and
     outer swapped on facing pages) or, on a template of fixed panels,
     inside one panel; the cover page of a template with a cover may use
     the whole trim;
  2. nothing crosses a fold (the edges between the panels of a folded
     sheet);
  3. no two words overlap (each word's box shrunk to the middle half of
     its height, since lines set with tight leading may touch, and by a
     quarter point on each side, since kerned neighbours may touch);
  4. no line is letterspaced: within a word, MuPDF's character boxes (each
     as wide as the glyph's advance) leave no gap wider than 0.15 em. The
     templates allow at most 0.01 em of letter stretch in body text and a
     few tenths of a point of tracking in titles; the failure this guards
     against is emergency letterspacing of whole em fractions ("a r g u m
     e n t").

    sound.py --pub FILE --src SRC --dump DUMP --dir DIR

DIR holds <slug>-<lang>.bbox.html (pdftotext -bbox) and
<slug>-<lang>.stext.xml (mutool draw -F stext) of each edition's screen
PDF, whose MediaBox is the trim, so PDF coordinates are the display list's.
Exit 0 when sound, else 1 with one line per problem.
"""
import argparse
import html
import os
import re
import sys
import xml.etree.ElementTree as ET

import yaml

MM = 72 / 25.4
TOL = 0.75  # points: rounding in the dump and in the extractors
LETTER_GAP_EM = 0.15

PAPER = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210),
         "A6": (105, 148), "B5": (176, 250), "DL": (99, 210),
         "letter": (215.9, 279.4)}


def load_template(pub_path, src):
    with open(pub_path, encoding="utf-8") as f:
        pub = yaml.safe_load(f)
    name = pub.get("template", "yearbook")
    if isinstance(name, dict):
        name = name.get("name", "yearbook")
    candidates = [os.path.join(os.path.dirname(pub_path), name),
                  os.path.join(os.path.dirname(pub_path), name,
                               "template.yaml"),
                  os.path.join(src, "templates", name, "template.yaml")]
    for c in candidates:
        if os.path.isfile(c):
            with open(c, encoding="utf-8") as f:
                return pub, yaml.safe_load(f)
    raise SystemExit("sound.py: template %r not found" % name)


class Geometry:
    """The frames of a template's pages, in points, y down from the trim's
    top-left corner, as the template says (not as layout computed)."""

    def __init__(self, t):
        m = t.get("margins", {}) or {}
        self.top = m.get("top", 0) * MM
        self.bottom = m.get("bottom", 0) * MM
        self.inner = m.get("inner", m.get("left", 0)) * MM
        self.outer = m.get("outer", m.get("right", 0)) * MM
        self.facing = bool(t.get("facing", False))
        self.cover = bool(t.get("cover", False))
        self.panels = []
        sides = []
        for p in t.get("panels", []) or []:
            pad = p.get("padding", 0) * MM
            x, y = p["x"] * MM, p.get("y", 0) * MM
            w, h = p["width"] * MM, p["height"] * MM
            self.panels.append((p.get("name", "?"), x, y, w, h, pad))
            sides.append((p.get("side"), bool(p.get("folds-in", False))))
        self.fold_in(t, sides)

    def fold_in(self, t, sides):
        """The panel that says folds-in, and the one behind it on the other
        side, lose fold-in-by mm (default 2); the sheet keeps its width,
        so the other columns of each side share that equally."""
        fi = [i for i, (_, f) in enumerate(sides) if f]
        if not fi:
            return
        by = t.get("fold-in-by", 2) * MM
        _, fx, _, fw, _, _ = self.panels[fi[0]]
        width = sum(w for i, (_, x, _, w, _, _) in enumerate(self.panels)
                    if sides[i][0] == sides[fi[0]][0])
        for side in set(s for s, _ in sides):
            cols = sorted(set((round(x, 6), round(w, 6))
                              for i, (_, x, _, w, _, _) in
                              enumerate(self.panels) if sides[i][0] == side))
            want = fx if side == sides[fi[0]][0] else width - fx - fw
            at, new = 0.0, {}
            for x, w in cols:
                nw = w - by if abs(x - want) < 0.01 else \
                    w + by / (len(cols) - 1)
                new[x] = (at, nw)
                at += nw
            for i, (n, x, y, w, h, pad) in enumerate(self.panels):
                if sides[i][0] == side:
                    nx, nw = new[round(x, 6)]
                    self.panels[i] = (n, nx, y, nw, h, pad)

    def folds(self, width):
        """x of each edge between two panels (never the sheet's edges)."""
        xs = set()
        for _, x, _, w, _, _ in self.panels:
            for e in (x, x + w):
                if TOL < e < width - TOL:
                    xs.add(round(e, 2))
        return sorted(xs)

    def text_x(self, page_no, width):
        """The text frame's horizontal extent on page page_no (1-based)."""
        left, right = self.inner, self.outer
        if self.facing and page_no % 2 == 0:  # a verso: inner on the right
            left, right = self.outer, self.inner
        return left, width - right


def parse_dump(path):
    """{edition: [(page_no, w, h, [(x, y, w, size, text)])]}"""
    eds, cur, page = {}, None, None
    run = re.compile(r'^  glyphs (\S+) ([\d.]+) x=(-?[\d.]+) y=(-?[\d.]+) '
                     r'w=(-?[\d.]+) .*?"(.*)"$')
    pg = re.compile(r"^page (\d+) ([\d.]+)x([\d.]+)")
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("edition "):
                cur = eds.setdefault(line.split()[1], [])
            elif pg.match(line):
                g = pg.match(line)
                page = (int(g[1]), float(g[2]), float(g[3]), [])
                cur.append(page)
            else:
                g = run.match(line)
                if g and page is not None:
                    page[3].append((float(g[3]), float(g[4]), float(g[5]),
                                    float(g[2]), g[6]))
    return eds


def parse_bbox(path):
    """[(page_w, page_h, [(x0, y0, x1, y1, word)])] from pdftotext -bbox."""
    pages = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for pm in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)'
                          r'</page>', text, re.S):
        words = []
        for wm in re.finditer(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" '
                              r'xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)'
                              r'</word>', pm[3], re.S):
            words.append((float(wm[1]), float(wm[2]), float(wm[3]),
                          float(wm[4]), html.unescape(wm[5])))
        pages.append((float(pm[1]), float(pm[2]), words))
    return pages


def parse_stext(path):
    """[[(size, [(x0, x1, c)] per line)] per page] from mutool stext."""
    pages = []
    root = ET.parse(path).getroot()
    for page in root.iter("page"):
        lines = []
        for line in page.iter("line"):
            for font in line.iter("font"):
                size = float(font.get("size", "0") or 0)
                chars = []
                for ch in font.iter("char"):
                    q = [float(v) for v in ch.get("quad").split()]
                    chars.append((min(q[0], q[4]), max(q[2], q[6]),
                                  ch.get("c")))
                lines.append((size, chars))
        pages.append(lines)
    return pages


class Report:
    def __init__(self):
        self.problems = []

    def add(self, msg):
        self.problems.append(msg)


def inside(x0, x1, lo, hi):
    return x0 >= lo - TOL and x1 <= hi + TOL


def check_frames(rep, where, geo, page_no, width, height, boxes):
    """boxes: (x0, y0, x1, y1, text) in points."""
    folds = geo.folds(width)
    cover = geo.cover and page_no == 1
    for x0, y0, x1, y1, text in boxes:
        if x1 - x0 <= 0:
            continue
        if not (inside(x0, x1, 0, width) and inside(y0, y1, 0, height)):
            rep.add("%s page %d: %r at x=%.1f..%.1f y=%.1f..%.1f leaves the "
                    "trim %.1fx%.1f" % (where, page_no, text, x0, x1, y0, y1,
                                        width, height))
            continue
        for fx in folds:
            if x0 < fx - TOL and x1 > fx + TOL:
                rep.add("%s page %d: %r at x=%.1f..%.1f crosses the fold at "
                        "x=%.1f" % (where, page_no, text, x0, x1, fx))
        if geo.panels:
            ok = any(inside(x0, x1, px + pad, px + pw - pad)
                     for _, px, _, pw, _, pad in geo.panels)
            if not ok:
                rep.add("%s page %d: %r at x=%.1f..%.1f is in no panel's "
                        "frame" % (where, page_no, text, x0, x1))
        elif not cover:
            lo, hi = geo.text_x(page_no, width)
            if not inside(x0, x1, lo, hi):
                rep.add("%s page %d: %r at x=%.1f..%.1f leaves the text "
                        "frame x=%.1f..%.1f" % (where, page_no, text, x0, x1,
                                                lo, hi))


def check_overlaps(rep, where, page_no, words):
    boxes = []
    for x0, y0, x1, y1, text in words:
        h = y1 - y0
        boxes.append((x0 + 0.25, y0 + h / 4, x1 - 0.25, y1 - h / 4, text))
    boxes.sort()
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            if b[1] < a[3] and a[1] < b[3] and b[0] < a[2]:
                rep.add("%s page %d: %r and %r overlap (x=%.1f..%.1f, "
                        "y=%.1f..%.1f)" % (where, page_no, a[4], b[4],
                                           max(a[0], b[0]), min(a[2], b[2]),
                                           max(a[1], b[1]), min(a[3], b[3])))


def check_letterspacing(rep, where, page_no, lines):
    for size, chars in lines:
        if size <= 0:
            continue
        word = ""
        for (a0, a1, ac), (b0, _b1, bc) in zip(chars, chars[1:]):
            word = word + ac if ac and not ac.isspace() else ""
            if not ac or not bc or ac.isspace() or bc.isspace():
                continue
            gap = b0 - a1
            if gap > LETTER_GAP_EM * size + 0.05:
                rep.add("%s page %d: letterspaced: %.2f pt (%.2f em) between "
                        "%r and %r in %r" % (where, page_no, gap, gap / size,
                                             ac, bc, word + bc))
                break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pub", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    pub, t = load_template(a.pub, a.src)
    geo = Geometry(t)
    rep = Report()
    dump = parse_dump(a.dump)
    if not dump:
        rep.add("the dump holds no edition")
    for ed, pages in dump.items():
        for page_no, w, h, runs in pages:
            boxes = [(x, y - 0.8 * size, x + rw, y + 0.2 * size, text)
                     for x, y, rw, size, text in runs]
            check_frames(rep, "dump %s" % ed, geo, page_no, w, h, boxes)
        found = sorted(f for f in os.listdir(a.dir)
                       if f.endswith("-%s.bbox.html" % ed))
        if len(found) != 1:
            rep.add("edition %s: expected one *-%s.bbox.html in %s, found %d"
                    % (ed, ed, a.dir, len(found)))
            continue
        base = os.path.join(a.dir, found[0][:-len(".bbox.html")])
        for i, (w, h, words) in enumerate(parse_bbox(base + ".bbox.html")):
            check_frames(rep, "pdf %s" % ed, geo, i + 1, w, h, words)
            check_overlaps(rep, "pdf %s" % ed, i + 1, words)
        for i, lines in enumerate(parse_stext(base + ".stext.xml")):
            check_letterspacing(rep, "pdf %s" % ed, i + 1, lines)
    for p in rep.problems:
        print(p)
    return 1 if rep.problems else 0


if __name__ == "__main__":
    sys.exit(main())
