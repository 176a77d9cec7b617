#!/usr/bin/env python3
"""Text and frame checks of a built benchmark yearbook (cli/text_frame.sh).

    text_frame.py --json-dir DIR --dump FILE --stext-dir DIR
                  [--editions vi,en] [--sections N] [--narrow PT]

1. Words. For each edition, the words of the source (from the generator's
   JSON, converted to text exactly as tests/bench/json_to_folio.py does:
   title page, then per section its heading and blocks) must equal, in
   order, (a) the words of the display list's glyph runs and (b) the words
   pdftotext extracts from the PDF. Nothing lost, nothing duplicated.

   Reading order: pdftotext's default mode guesses columns, and its
   dehyphenation joins every line-final "-", so "soft-" + "skills" comes out
   as "softskills" and a word hyphenated at the foot of a page stays
   "nation-" … footer … "wide": neither can be compared strictly. We read
   the PDF with `pdftotext -raw -bbox` instead: words in content-stream
   order (the order copy and screen readers see in an untagged PDF), each
   with its box. Then two strict checks: the word sequence equals the source,
   joining a line-final word that ends in "-" with the next one only when the
   source has that joined word (with the hyphen for a compound, without it
   for a hyphen folio inserted); and the stream order is the visual reading
   order: per page, lines that start in the left column (the full-width
   section title included) come first, top to bottom, then the lines of the
   right column, top to bottom. Footer words (below the frame) are left out
   of the sequence and must be exactly the page number and the title.

2. Frame. No glyph outside the text frame (20 mm margins left, right and
   top, 22 mm bottom): in the display list every glyph run's x..x+w and
   baseline; in the PDF every character origin and advance box that
   `mutool draw -F stext` reports. Only the footer line (Noto Sans 8 at one
   baseline below the frame) is exempt, and it must stay within the
   margins horizontally. Tolerance 0.01 pt (the dump rounds to 0.01).

--narrow PT moves each side of the frame in by PT: a way to see the frame
checks fail. Exit 1 with the first differences when a check fails."""
import argparse
import html
import json
import os
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "bench"))
import json_to_folio  # noqa: E402  (block_text: the same conversion)

MM = 72 / 25.4
TOL = 0.01
FOOTER_SIZE = 8.0


def unmarkup(s):
    """The text of json_to_folio's markup: escapes resolved, the emphasis
    stars (the only unescaped markup it writes) dropped."""
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c != "*":
            out.append(c)
        i += 1
    return "".join(out)


def words(s):
    return unicodedata.normalize("NFC", s).split()


def source_words(doc):
    """Words in reading order: title page (title, subtitle, year), then per
    section the heading and the blocks."""
    w = words(doc["meta"]["title"]) + words(doc["meta"]["subtitle"]) + ["2024"]
    for sec in doc["sections"]:
        w += words(sec["heading"])
        for b in sec["blocks"]:
            w += words(unmarkup(json_to_folio.block_text(b, doc["labels"])[0]))
    return w


class Frame:
    def __init__(self, page_w, page_h, narrow):
        self.left = 20 * MM + narrow
        self.right = page_w - 20 * MM - narrow
        self.top = 20 * MM + narrow
        self.bottom = page_h - 22 * MM - narrow

    def x_ok(self, x):
        return self.left - TOL <= x <= self.right + TOL

    def y_ok(self, y):
        return self.top - TOL <= y <= self.bottom + TOL


class Report:
    def __init__(self):
        self.failures = 0

    def fail(self, msg, limit=12):
        self.failures += 1
        if self.failures <= limit:
            print("FAIL " + msg)
        elif self.failures == limit + 1:
            print("FAIL … (more failures not shown)")


def compare(rep, what, src, got, line_end, inserted_hyphens):
    """src: source words; got: extracted words, line_end[i] true when got[i]
    ends a line. A line-final word that ends in punctuation after which a
    line may break ("soft-", "2021–", "and/") joins the next word when the
    source has the joined word; with inserted_hyphens (the PDF, where the
    hyphen folio inserted extracts as "-"), "exter-" + "nal" may also give
    "external"."""
    i = j = 0
    while i < len(src) and j < len(got):
        if src[i] == got[j]:
            i, j = i + 1, j + 1
            continue
        if line_end[j] and j + 1 < len(got) and not got[j][-1].isalnum():
            joined = [got[j] + got[j + 1]]
            if inserted_hyphens and got[j].endswith("-"):
                joined.append(got[j][:-1] + got[j + 1])
            if src[i] in joined:
                i, j = i + 1, j + 2
                continue
        rep.fail(f"{what}: word {i} differs: source …{' '.join(src[max(0, i - 5):i + 6])}… "
                 f"extracted …{' '.join(got[max(0, j - 5):j + 6])}…")
        return
    if i < len(src):
        rep.fail(f"{what}: {len(src) - i} source words missing from the end: "
                 f"{' '.join(src[i:i + 10])}…")
    elif j < len(got):
        rep.fail(f"{what}: {len(got) - j} extra words at the end: "
                 f"{' '.join(got[j:j + 10])}…")
    else:
        print(f"ok   {what}: {len(src)} words in order")


# ---- display list ---------------------------------------------------------
RUN = re.compile(r'^  glyphs (\S+) ([\d.]+) x=(-?[\d.]+) y=(-?[\d.]+) w=(-?[\d.]+) '
                 r'n=\d+ cmyk=\S+( hyphen)? "(.*)"$')
PAGE = re.compile(r"^page (\d+) ([\d.]+)x([\d.]+)")


def dump_unescape(s):
    return re.sub(r"\\x([0-9a-f]{2})|\\(.)",
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), s)


def parse_dump(path):
    """{edition: [pages]}, a page = (w, h, [runs]); a run = dict."""
    eds, cur, page = {}, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("edition "):
                cur = eds.setdefault(line.split()[1], [])
            elif (m := PAGE.match(line)):
                page = (float(m.group(2)), float(m.group(3)), [])
                cur.append(page)
            elif line.startswith("  glyphs "):
                m = RUN.match(line)
                if not m:
                    raise SystemExit(f"unreadable dump line: {line}")
                page[2].append(dict(font=m.group(1), size=float(m.group(2)),
                                    x=float(m.group(3)), y=float(m.group(4)),
                                    w=float(m.group(5)), hyphen=bool(m.group(6)),
                                    text=dump_unescape(m.group(7))))
    return eds


def is_footer_run(r, fr):
    return (r["font"].startswith("NotoSans-") and abs(r["size"] - FOOTER_SIZE) < 1e-6
            and r["y"] > fr.bottom + TOL)


def check_dump(rep, ed, pages, src, narrow):
    lines, footer_y, runs, before = [], set(), 0, rep.failures
    prev = None  # across pages: a word may go on over the page break
    for pno, (pw, ph, rs) in enumerate(pages, 1):
        fr = Frame(pw, ph, narrow)
        for r in rs:
            runs += 1
            inside_x = fr.x_ok(r["x"]) and fr.x_ok(r["x"] + r["w"])
            if is_footer_run(r, fr):
                footer_y.add(r["y"])
                if not inside_x:
                    rep.fail(f"dump {ed} page {pno}: footer run {r['text']!r} at "
                             f"x={r['x']}..{r['x'] + r['w']:.2f} outside the margins")
                continue
            if not inside_x or not fr.y_ok(r["y"]):
                rep.fail(f"dump {ed} page {pno}: run {r['text']!r} at x={r['x']}.."
                         f"{r['x'] + r['w']:.2f} y={r['y']} outside the frame "
                         f"[{fr.left:.2f}, {fr.right:.2f}] x [{fr.top:.2f}, {fr.bottom:.2f}]")
            # The runs of a line are consecutive pieces of the text, each
            # starting where the one before ended (x + w); a line that ends
            # in an inserted hyphen (not in the run's text) continues its
            # last word on the next line.
            new_line = (prev is None or abs(r["y"] - prev["y"]) > 5 or
                        abs(r["x"] - prev["x"] - prev["w"]) > 0.02)
            if new_line and not (prev and prev["hyphen"]):
                lines.append("")
            lines[-1] += r["text"]
            prev = r
    if len(footer_y) > 1:
        rep.fail(f"dump {ed}: footer runs at several baselines {sorted(footer_y)}")
    if rep.failures == before:
        print(f"ok   dump {ed}: {runs} glyph runs inside the frame")
    got, line_end = [], []
    for ln in lines:
        w = words(ln)
        got += w
        line_end += [k == len(w) - 1 for k in range(len(w))]
    compare(rep, f"dump {ed} words", src, got, line_end, False)


# ---- PDF: pdftotext -raw -bbox --------------------------------------------
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                  r'yMax="([\d.]+)">(.*?)</word>')
PAGEB = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def check_pdf_text(rep, ed, bbox_html, src, title_words, col_w, gutter):
    pages = []
    for chunk in bbox_html.split("<page ")[1:]:
        m = PAGEB.match("<page " + chunk)
        pages.append((float(m.group(1)), float(m.group(2)),
                      [(float(a), float(b), float(c), float(d),
                        unicodedata.normalize("NFC", html.unescape(t)))
                       for a, b, c, d, t in WORD.findall(chunk)]))
    got, line_end, order_bad = [], [], 0
    for pno, (pw, ph, ws) in enumerate(pages, 1):
        fr = Frame(pw, ph, 0)
        body = [w for w in ws if w[1] <= fr.bottom]
        foot = sorted(w[4] for w in ws if w[1] > fr.bottom)
        want_foot = [] if pno == 1 else sorted([str(pno)] + title_words)
        if foot != want_foot:
            rep.fail(f"pdf {ed} page {pno}: footer words {foot}, expected {want_foot}")
        # Lines: a word on another baseline, further left, or across the
        # gutter (the one-line columns of a balanced page share a
        # baseline; no full-width title has a gap the gutter's width)
        # starts one.
        col1_right, col2_left = fr.left + col_w, fr.left + col_w + gutter
        lines = []
        for w in body:
            p = lines[-1][-1] if lines else None
            if (p and abs(w[1] - p[1]) < 3 and w[0] > p[0] and
                    not (p[2] <= col1_right + 1 and w[0] >= col2_left - 1)):
                lines[-1].append(w)
            else:
                lines.append([w])
        prev_key = None
        for ln in lines:
            right_col = ln[0][0] >= col2_left - 1
            key = (1 if right_col else 0, ln[0][1])
            if prev_key is not None and key <= prev_key:
                order_bad += 1
                if order_bad <= 5:
                    rep.fail(f"pdf {ed} page {pno}: line {' '.join(w[4] for w in ln)!r} "
                             f"comes after a line it should precede in reading order")
            prev_key = key
            for k, w in enumerate(ln):
                got.append(w[4])
                line_end.append(k == len(ln) - 1)
    if not order_bad:
        print(f"ok   pdf {ed}: content order is reading order on {len(pages)} pages")
    compare(rep, f"pdf {ed} words", src, got, line_end, True)


# ---- PDF: mutool stext ------------------------------------------------------
def check_stext(rep, ed, path, narrow):
    chars = outside = 0
    footer_y = set()
    pno, fr, size = 0, None, 0.0
    for _, el in ET.iterparse(path, events=("start",)):
        if el.tag == "page":
            pno += 1
            fr = Frame(float(el.get("width")), float(el.get("height")), narrow)
        elif el.tag == "font":
            size = float(el.get("size"))
        elif el.tag == "char":
            chars += 1
            x, y = float(el.get("x")), float(el.get("y"))
            q = [float(v) for v in el.get("quad").split()]
            qx = q[0::2]
            inside_x = fr.x_ok(x) and fr.x_ok(min(qx)) and fr.x_ok(max(qx))
            if y > fr.bottom + TOL and abs(size - FOOTER_SIZE) < 1e-6:
                footer_y.add(round(y, 3))
                ok = inside_x
            else:
                ok = inside_x and fr.y_ok(y)
            if not ok:
                outside += 1
                rep.fail(f"stext {ed} page {pno}: char {el.get('c')!r} at x={x:.3f} "
                         f"(box {min(qx):.3f}..{max(qx):.3f}) y={y:.3f} outside the frame "
                         f"[{fr.left:.2f}, {fr.right:.2f}] x [{fr.top:.2f}, {fr.bottom:.2f}]")
    if len(footer_y) > 1:
        rep.fail(f"stext {ed}: footer characters at several baselines {sorted(footer_y)}")
    if not outside:
        print(f"ok   stext {ed}: {chars} characters inside the frame "
              f"(footer baseline {sorted(footer_y)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json-dir", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--stext-dir", required=True)
    ap.add_argument("--editions", default="vi,en")
    ap.add_argument("--sections", type=int, default=40)
    ap.add_argument("--slug", default="bench")
    ap.add_argument("--narrow", type=float, default=0.0)
    a = ap.parse_args()
    col_w = (210 * MM - 40 * MM - 6 * MM) / 2
    rep = Report()
    dump = parse_dump(a.dump)
    for ed in a.editions.split(","):
        with open(os.path.join(a.json_dir, f"{ed}-{a.sections}.json"), encoding="utf-8") as f:
            doc = json.load(f)
        src = source_words(doc)
        check_dump(rep, ed, dump.get(ed, []), src, a.narrow)
        with open(os.path.join(a.stext_dir, f"{ed}.bbox.html"), encoding="utf-8") as f:
            check_pdf_text(rep, ed, f.read(), src, words(doc["meta"]["title"]), col_w, 6 * MM)
        check_stext(rep, ed, os.path.join(a.stext_dir, f"{ed}.stext.xml"), a.narrow)
    print(f"{'FAIL' if rep.failures else 'PASS'}: {rep.failures} failures")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
