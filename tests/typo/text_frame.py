#!/usr/bin/env python3
"""Text and frame checks of a built benchmark yearbook (cli/text_frame.sh).

    text_frame.py --json-dir DIR --dump FILE --stext-dir DIR [--pdf-dir DIR]
                  [--template FILE] [--editions vi,en] [--sections N]
                  [--narrow PT]

The publication is tests/bench/json_to_folio.py's conversion of the
generator's JSON: a cover, the contents, then one section per JSON section
(heading; paragraphs, a figure with caption, a table, a pull quote), each
opening a new page. Pages carry labels (`folio dump`: `page N WxH label=L`):
the front matter (cover, contents) i, ii, …, the body 1, 2, …

1. Front matter (the pages with roman labels).
   - The cover holds exactly the title, the subtitle and the publisher/year
     line (here the year: the JSON has no publisher).
   - The contents list every section heading, in order, each followed by
     the label of the page where the section starts: the page holding the
     dump's `anchor sN … level=1`. Each entry is one line, its number on the
     entry's baseline at the right edge of the frame. And in the PDF
     (`pdftotext -layout -f P -l P` of each contents page) every entry's line
     reads "heading … label".

2. Body words, per section (a section's pages: from the page of its anchor
   to the page before the next section's), in the display list and in the
   PDF (`pdftotext -raw -bbox`: words in content-stream order, each with its
   box). The source words are those json_to_folio.py writes: the heading,
   the paragraphs, the figure captions ("Figure N." + caption), the tables
   (caption, then the cells row by row, the header first) and the quotes
   (text, "—", attribution).

   Reading order. A figure, a table or a quote is a box that the flow may
   move: a figure that does not fit under the text goes to the top of the
   next column, and the paragraph it was between goes on without it; a
   table splits only between rows. Comparing the whole section as one
   sequence would fail on every such (correct) move, and pdftotext's column
   guessing cannot be trusted either. So the extracted lines are put in
   visual reading order (per page: the columns left to right, each top to
   bottom; the full-width heading is at the top of the first column) and
   split by type size into two streams: the body text (10 pt, the
   paragraphs) and the rest (heading, captions, table cells, quotes). Then,
   per section:
   a. the words of both streams together equal the section's source words
      as a multiset: nothing lost, nothing doubled, nothing from elsewhere;
   b. the body stream is exactly the paragraphs' words, in order: each
      paragraph contiguous, the paragraphs in source order (paragraphs
      never move, only boxes do);
   c. each box (the heading, each caption, each table, each quote) is a
      contiguous run of the other stream, its words in order.
   A line-final word continues on the next line of its stream: in the
   display list when the run carries `hyphen` (folio inserted a hyphen that
   is not in the text); otherwise a line-final word ending in punctuation
   after which a line may break ("soft-", "2021–") joins the next word when
   the section's source has the joined word and not the piece (in the PDF
   an inserted hyphen extracts as "-": "exter-" + "nal" → "external").
   The PDF is also checked for content order = reading order (copy and
   screen readers of an untagged PDF see the content-stream order): per
   page, the lines of the left column (the full-width heading included)
   come first, top to bottom, then those of the right column.

3. Running feet. On every body page the words below the frame are exactly
   those of the template's foot for that side (templates/yearbook/
   template.yaml `masters`: left pages are the even ones), with {page} the
   page's label, {title} the publication's, {section} the section the page
   belongs to (the first starting on it, else the one running on);
   front-matter pages have none. All at one baseline, within the margins.

4. Frame. No glyph outside the text frame (the template's margins; facing
   pages: inner on the spine side), except the running feet/heads: in the
   display list every glyph run's x..x+w and baseline; in the PDF every
   character origin and advance box that `mutool draw -F stext` reports.
   Every image (the dump's `image` ops, their clip when they have one)
   inside the frame too, except the cover's picture and full-page figures
   (pages into the bleed). Tolerance 0.01 pt (the dump rounds to 0.01).

--narrow PT moves each side of the frame in by PT: a way to see the frame
checks fail. Exit 1 with the first differences when a check fails."""
import argparse
import collections
import html
import json
import os
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import json_to_folio  # noqa: E402  (the captions: the same conversion)

MM = 72 / 25.4
TOL = 0.01
RUNNING_SIZE = 8.0     # head and foot styles of the yearbook
BODY_SIZE = 10.0
# Noto Sans and Noto Serif: ascender 1069 + descender 293 per 1000 units;
# pdftotext's word box is that tall, so its height / 1.362 is the type size.
EM_HEIGHT = 1.362
DESCENT = 0.293


# ---- source -----------------------------------------------------------------
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


def source_sections(doc):
    """Per section: (heading words, [(kind, words, parts)] of its blocks),
    kind 'p' for a paragraph, else the box kind; parts (caption, header,
    rows) for a table, else None."""
    lab, out = doc["labels"], []
    for n, sec in enumerate(doc["sections"], 1):
        units = []
        for b in sec["blocks"]:
            t = b["type"]
            if t == "p":
                units.append(("p", words(b["text"]), None))
            elif t == "figure":
                units.append(("figure", words(unmarkup(
                    json_to_folio.figure_caption(b, n, lab))), None))
            elif t == "table":
                cap = words(unmarkup(json_to_folio.table_caption(b, n, lab)))
                rows = [[w for cell in row for w in words(cell)]
                        for row in [b["header"]] + b["rows"]]
                units.append(("table", cap + [w for r in rows for w in r],
                              (cap, rows[0], rows[1:])))
            elif t == "quote":
                units.append(("quote", words(b["text"]) + ["\u2014"] +
                              words(b["attribution"]), None))
            else:
                raise ValueError(t)
        out.append((words(sec["heading"]), units))
    return out


# ---- template -----------------------------------------------------------------
def load_template(path):
    """Margins (pt) and the foot/head slot texts per side, from the
    template; PyYAML when it is there, else the shipped yearbook's values."""
    try:
        import yaml
        with open(path, encoding="utf-8") as f:
            t = yaml.safe_load(f)
    except ImportError:
        t = {"margins": {"top": 20, "bottom": 22, "inner": 20, "outer": 20},
             "columns": 2, "gutter": 6,
             "masters": {"left": {"foot": {"left": "{page}", "right": "{title}"}},
                         "right": {"foot": {"left": "{title}", "right": "{page}"}}}}
    m = t.get("margins", {})
    mg = {k: m.get(k, 20) * MM for k in ("top", "bottom", "inner", "outer")}
    masters = t.get("masters", {}) or {}
    sides = {}
    for side in ("left", "right"):
        ms = masters.get(side) or masters.get("right" if side == "left" else "left") or {}
        texts = []
        for part in ("head", "foot"):
            for slot in ("left", "center", "right"):
                v = (ms.get(part) or {}).get(slot)
                if isinstance(v, dict):
                    v = v.get("text")
                if v:
                    texts.append(v)
        sides[side] = texts
    return dict(margins=mg, columns=t.get("columns", 1), gutter=t.get("gutter", 5) * MM,
                sides=sides)


def expand(tmpl, page, title, section, year="2024"):
    return (tmpl.replace("{page}", page).replace("{title}", title)
            .replace("{section}", section).replace("{year}", year)
            .replace("{publisher}", ""))


class Frame:
    """The text frame of page index i (0-based; facing pages: index 0 is a
    right page, the spine on its left)."""
    def __init__(self, tpl, i, page_w, page_h, narrow):
        mg = tpl["margins"]
        left_m = mg["inner"] if i % 2 == 0 else mg["outer"]
        right_m = mg["outer"] if i % 2 == 0 else mg["inner"]
        self.left = left_m + narrow
        self.right = page_w - right_m - narrow
        self.top = mg["top"] + narrow
        self.bottom = page_h - mg["bottom"] - narrow
        text_w = page_w - left_m - right_m
        n = tpl["columns"]
        self.col_w = (text_w - (n - 1) * tpl["gutter"]) / n
        self.col2_left = left_m + self.col_w + tpl["gutter"]

    def x_ok(self, x):
        return self.left - TOL <= x <= self.right + TOL

    def y_ok(self, y):
        return self.top - TOL <= y <= self.bottom + TOL

    def column(self, x):
        return 1 if x >= self.col2_left - 1 else 0


class Report:
    def __init__(self):
        self.failures = 0

    def fail(self, msg, limit=15):
        self.failures += 1
        if self.failures <= limit:
            print("FAIL " + msg)
        elif self.failures == limit + 1:
            print("FAIL … (more failures not shown)")


def is_roman(label):
    return bool(label) and all(c in "ivxlcdm" for c in label)


# ---- display list -----------------------------------------------------------
RUN = re.compile(r'^  glyphs (\S+) ([\d.]+) x=(-?[\d.]+) y=(-?[\d.]+) w=(-?[\d.]+) '
                 r'n=\d+ cmyk=\S+( hyphen)? "(.*)"$')
IMAGE = re.compile(r'^  image (\S+) x=(-?[\d.]+) y=(-?[\d.]+) w=([\d.]+) h=([\d.]+)'
                   r'(?: clip=(-?[\d.]+),(-?[\d.]+),(-?[\d.]+),(-?[\d.]+))?')
ANCHOR = re.compile(r'^  anchor (\S+) x=\S+ y=\S+ level=(\d+)')
PAGE = re.compile(r"^page (\d+) ([\d.]+)x([\d.]+) label=(\S+)")


def dump_unescape(s):
    return re.sub(r"\\x([0-9a-f]{2})|\\(.)",
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), s)


class Page:
    def __init__(self, w, h, label):
        self.w, self.h, self.label = w, h, label
        self.runs, self.images, self.anchors = [], [], []


def parse_dump(path):
    """{edition: [Page]}."""
    eds, cur, page = {}, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("edition "):
                cur = eds.setdefault(line.split()[1], [])
            elif line.startswith("page "):
                m = PAGE.match(line)
                if not m:
                    raise SystemExit(f"unreadable dump line (no label?): {line}")
                page = Page(float(m.group(2)), float(m.group(3)), m.group(4))
                cur.append(page)
            elif line.startswith("  glyphs "):
                m = RUN.match(line)
                if not m:
                    raise SystemExit(f"unreadable dump line: {line}")
                page.runs.append(dict(font=m.group(1), size=float(m.group(2)),
                                      x=float(m.group(3)), y=float(m.group(4)),
                                      w=float(m.group(5)), hyphen=bool(m.group(6)),
                                      text=dump_unescape(m.group(7))))
            elif line.startswith("  image "):
                m = IMAGE.match(line)
                if not m:
                    raise SystemExit(f"unreadable dump line: {line}")
                x, y, w, h = (float(m.group(k)) for k in range(2, 6))
                if m.group(6):
                    cx, cy, cx2, cy2 = (float(m.group(k)) for k in range(6, 10))
                    x, y = max(x, cx), max(y, cy)
                    w, h = min(x + w, cx2) - x, min(y + h, cy2) - y
                page.images.append(dict(name=m.group(1), x=x, y=y, w=w, h=h))
            elif line.startswith("  anchor "):
                m = ANCHOR.match(line)
                if m:
                    page.anchors.append((m.group(1), int(m.group(2))))
    return eds


def is_running_run(r, fr):
    return (r["font"].startswith("NotoSans-") and abs(r["size"] - RUNNING_SIZE) < 1e-6
            and (r["y"] > fr.bottom + TOL or r["y"] < fr.top - TOL))


def full_page(img, pg):
    return img["x"] <= TOL and img["y"] <= TOL and \
        img["x"] + img["w"] >= pg.w - TOL and img["y"] + img["h"] >= pg.h - TOL


class Layout:
    """What the dump says about an edition's pages: labels, where each
    section starts, which section each page belongs to."""
    def __init__(self, pages, nsections):
        self.pages = pages
        self.start = {}   # section index → page index of its anchor
        for i, pg in enumerate(pages):
            for name, level in pg.anchors:
                if level == 1 and re.fullmatch(r"s\d+", name):
                    self.start[int(name[1:]) - 1] = i
        self.front = [i for i, pg in enumerate(pages) if is_roman(pg.label)]
        self.section_of = {}   # page index → section index (body pages)
        self.running = {}      # page index → the section its foot names
        starts = sorted((p, s) for s, p in self.start.items())
        for k, (p, s) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(pages)
            for i in range(p, end):
                self.section_of[i] = s
                self.running[i] = s
        self.nsections = nsections


def run_lines(runs):
    """Runs → lines: the runs of a line are consecutive pieces of the text,
    each starting where the one before ended (x + w). A line is a dict with
    x, y, size, font, words and hyphen (ends in an inserted hyphen)."""
    lines, prev = [], None
    for r in runs:
        if (prev is None or abs(r["y"] - prev["y"]) > 0.5 or
                abs(r["x"] - prev["x"] - prev["w"]) > 0.02):
            lines.append(dict(x=r["x"], y=r["y"], size=r["size"], font=r["font"],
                              text="", hyphen=False, x2=r["x"] + r["w"]))
        ln = lines[-1]
        ln["text"] += r["text"]
        ln["hyphen"] = r["hyphen"]
        ln["x2"] = r["x"] + r["w"]
        prev = r
    for ln in lines:
        ln["words"] = words(ln["text"])
    return lines


def stream_words(lines, srcset):
    """Lines (in reading order) → words, a line-final word joined with the
    next line's first where it continues there (see the module doc); and
    per word where its line is (page, column)."""
    out, ends, where, carry = [], [], [], None
    for ln in lines:
        ws = list(ln["words"])
        if not ws:
            continue
        if carry is not None:
            ws[0], carry = carry + ws[0], None
        elif out and ends[-1] and not out[-1][-1].isalnum():
            last = out[-1]
            cands = [last + ws[0]]
            if last.endswith("-"):
                cands.append(last[:-1] + ws[0])
            for c in cands:
                if srcset.get(c) and not srcset.get(last):
                    out.pop()
                    ends.pop()
                    where.pop()
                    ws[0] = c
                    break
        if ln.get("hyphen"):
            carry = ws.pop()
        out += ws
        ends += [k == len(ws) - 1 and carry is None for k in range(len(ws))]
        where += [ln["where"]] * len(ws)
    if carry is not None:
        out.append(carry)
        ends.append(True)
        where.append(None)
    return out, where


def match_table(other, where, s, parts):
    """Does the table (caption, header, rows) start at other[s]? A table
    split over columns repeats its header row at the top of each further
    column: allowed before a row when the words before it lie in another
    column. → (end, repeated header copies) or None."""
    cap, head, rows = parts
    k = s
    for part in (cap, head):
        if other[k:k + len(part)] != part:
            return None
        k += len(part)
    repeats = 0
    for row in rows:
        if (other[k:k + len(head)] == head and other[k:k + len(row)] != row and
                k < len(where) and where[k] != where[k - 1]):
            k += len(head)
            repeats += 1
        if other[k:k + len(row)] != row:
            return None
        k += len(row)
    return k, repeats


def first_diff(a, b):
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return k
    return min(len(a), len(b))


def check_section_words(rep, what, src, lines):
    """src = (heading words, units); lines in reading order, each with
    'body' (10 pt text) and 'where' set. Checks a, b and c of the module
    doc."""
    heading, units = src
    allsrc = heading + [w for _, u, _ in units for w in u]
    srcset = collections.Counter(allsrc)
    body, _ = stream_words([ln for ln in lines if ln["body"]], srcset)
    other, where = stream_words([ln for ln in lines if not ln["body"]], srcset)
    ok = True
    paras = [w for k, u, _ in units if k == "p" for w in u]
    if body != paras:
        ok = False
        k = first_diff(paras, body)
        rep.fail(f"{what}: paragraphs not in order at word {k}: source "
                 f"…{' '.join(paras[max(0, k - 5):k + 6])}… extracted "
                 f"…{' '.join(body[max(0, k - 5):k + 6])}…")
    used = [False] * len(other)
    expect = collections.Counter(allsrc)
    for kind, u, parts in [("heading", heading, None)] + [x for x in units if x[0] != "p"]:
        found = False
        for s in range(len(other)):
            if used[s]:
                continue
            if parts:
                m = match_table(other, where, s, parts)
                if m is None:
                    continue
                end, repeats = m
                for _ in range(repeats):
                    expect.update(parts[1])
            elif other[s:s + len(u)] == u:
                end = s + len(u)
            else:
                continue
            if any(used[s:end]):
                continue
            used[s:end] = [True] * (end - s)
            found = True
            break
        if not found:
            ok = False
            rep.fail(f"{what}: the {kind} {' '.join(u[:8])}… is not one contiguous "
                     f"run of words in reading order")
    got = collections.Counter(body + other)
    if got != expect:
        ok = False
        missing = expect - got
        extra = got - expect
        rep.fail(f"{what}: words differ from the source: missing "
                 f"{sorted(missing.elements())[:12]}, extra {sorted(extra.elements())[:12]}")
    return ok, len(allsrc)


def dump_reading_lines(pg, fr, page_no):
    """The page's lines without the running heads/feet, in reading order."""
    runs = [r for r in pg.runs if not is_running_run(r, fr)]
    lines = run_lines(runs)
    for ln in lines:
        ln["body"] = abs(ln["size"] - BODY_SIZE) < 0.01 and ln["font"].startswith("NotoSerif")
        ln["where"] = (page_no, fr.column(ln["x"]))
    return sorted(lines, key=lambda ln: (fr.column(ln["x"]), ln["y"], ln["x"]))


def check_dump(rep, ed, lay, doc, srcsec, tpl, narrow):
    pages = lay.pages
    before = rep.failures
    nruns = nimg = 0
    title = doc["meta"]["title"]
    per_section = collections.defaultdict(list)
    for i, pg in enumerate(pages):
        fr = Frame(tpl, i, pg.w, pg.h, narrow)
        cover = i == 0 and i in lay.front
        foot_y, foot_words = set(), []
        for r in pg.runs:
            nruns += 1
            inside_x = fr.x_ok(r["x"]) and fr.x_ok(r["x"] + r["w"])
            if is_running_run(r, fr):
                foot_y.add(r["y"])
                foot_words += words(r["text"])
                if not inside_x:
                    rep.fail(f"dump {ed} page {i + 1}: running run {r['text']!r} at "
                             f"x={r['x']}..{r['x'] + r['w']:.2f} outside the margins")
                continue
            if not inside_x or not fr.y_ok(r["y"]):
                rep.fail(f"dump {ed} page {i + 1} ({pg.label}): run {r['text']!r} at "
                         f"x={r['x']}..{r['x'] + r['w']:.2f} y={r['y']} outside the frame "
                         f"[{fr.left:.2f}, {fr.right:.2f}] x [{fr.top:.2f}, {fr.bottom:.2f}]")
        for img in pg.images:
            nimg += 1
            if cover or full_page(img, pg):
                continue
            if not (fr.x_ok(img["x"]) and fr.x_ok(img["x"] + img["w"]) and
                    fr.y_ok(img["y"]) and fr.y_ok(img["y"] + img["h"])):
                rep.fail(f"dump {ed} page {i + 1} ({pg.label}): image {img['name']} at "
                         f"x={img['x']:.2f}..{img['x'] + img['w']:.2f} y={img['y']:.2f}.."
                         f"{img['y'] + img['h']:.2f} outside the frame "
                         f"[{fr.left:.2f}, {fr.right:.2f}] x [{fr.top:.2f}, {fr.bottom:.2f}]")
        if len(foot_y) > 2:
            rep.fail(f"dump {ed} page {i + 1}: running runs at several baselines {sorted(foot_y)}")
        want = expected_foot(lay, i, doc, tpl)
        if sorted(foot_words) != want:
            rep.fail(f"dump {ed} page {i + 1} ({pg.label}): running words {sorted(foot_words)}, "
                     f"expected {want}")
        if i in lay.section_of:
            per_section[lay.section_of[i]] += dump_reading_lines(pg, fr, i)
    if rep.failures == before:
        print(f"ok   dump {ed}: {nruns} glyph runs and {nimg} images inside the frame, "
              f"running feet as the template says")
    check_front_dump(rep, ed, lay, doc, tpl)
    check_body(rep, f"dump {ed}", lay, srcsec, per_section)


def expected_foot(lay, i, doc, tpl):
    pg = lay.pages[i]
    if i in lay.front or i not in lay.section_of:
        return []
    if any(full_page(img, pg) for img in pg.images) and not pg.runs:
        return []
    side = "left" if i % 2 == 1 else "right"
    sec = doc["sections"][lay.running[i]]["heading"]
    w = []
    for t in tpl["sides"][side]:
        w += words(expand(t, pg.label, doc["meta"]["title"], sec))
    return sorted(w)


def check_body(rep, what, lay, srcsec, per_section):
    nwords, bad = 0, rep.failures
    for s, src in enumerate(srcsec):
        if s not in lay.start:
            rep.fail(f"{what}: section {s + 1} has no anchor s{s + 1}")
            continue
        _, n = check_section_words(rep, f"{what} section {s + 1} (page "
                                   f"{lay.pages[lay.start[s]].label})", src, per_section[s])
        nwords += n
    if rep.failures == bad:
        print(f"ok   {what}: {len(srcsec)} sections, {nwords} words: each section's words "
              f"as the source, paragraphs in order, every box contiguous")


def check_front_dump(rep, ed, lay, doc, tpl):
    before = rep.failures
    pages = lay.pages
    if not lay.front or lay.front[0] != 0:
        rep.fail(f"dump {ed}: no front matter (roman labels) before the body")
        return
    # Cover.
    cover = pages[0]
    got = [w for r in cover.runs for w in words(r["text"])]
    want = words(doc["meta"]["title"]) + words(doc["meta"]["subtitle"]) + ["2024"]
    if got != want:
        rep.fail(f"dump {ed} cover: words {got}, expected {want}")
    # Contents.
    toc_pages = lay.front[1:]
    if not toc_pages:
        rep.fail(f"dump {ed}: no contents page")
        return
    for k, i in enumerate(lay.front):
        if pages[i].label != roman(k + 1):
            rep.fail(f"dump {ed} page {i + 1}: label {pages[i].label}, expected {roman(k + 1)}")
    body = [i for i in range(len(pages)) if i not in lay.front]
    for k, i in enumerate(body):
        if pages[i].label != str(k + 1):
            rep.fail(f"dump {ed} page {i + 1}: label {pages[i].label}, expected {k + 1}")
            break
    lines = []
    for i in toc_pages:
        fr_right = Frame(tpl, i, pages[i].w, pages[i].h, 0).right
        for ln in run_lines(pages[i].runs):
            ln["page"] = i
            ln["right"] = fr_right
            lines.append(ln)
    toc_title = {"vi": "Mục lục", "fr": "Sommaire"}.get(ed[:2], "Contents")
    if not lines or lines[0]["text"] != toc_title:
        rep.fail(f"dump {ed} contents: first line {lines[0]['text'] if lines else None!r}, "
                 f"expected {toc_title!r}")
    else:
        lines = lines[1:]
    entries = toc_entries(rep, f"dump {ed} contents", lines)
    want = [(doc["sections"][s]["heading"], pages[lay.start[s]].label if s in lay.start
             else "?") for s in range(len(doc["sections"]))]
    if [(h, n) for h, n, _ in entries] != want:
        k = first_diff([(h, n) for h, n, _ in entries], want)
        rep.fail(f"dump {ed} contents: entry {k + 1} is "
                 f"{entries[k][:2] if k < len(entries) else None}, expected "
                 f"{want[k] if k < len(want) else None} ({len(entries)} entries, "
                 f"{len(want)} sections)")
    if rep.failures == before:
        print(f"ok   dump {ed} front matter: cover (title, subtitle, year), "
              f"{len(toc_pages)} contents page(s) listing the {len(want)} sections in order "
              f"with the labels of the pages where they start")
    return [(h, n, p) for h, n, p in entries]


def toc_entries(rep, what, lines):
    """Contents lines → (heading, number, page index): an entry is its
    heading on one baseline and the page label right-aligned on it."""
    out, k = [], 0
    while k < len(lines):
        ln = lines[k]
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        if (nxt is None or abs(nxt["y"] - ln["y"]) > 0.01 or nxt["page"] != ln["page"]):
            rep.fail(f"{what}: entry {ln['text']!r} on page {ln['page'] + 1} y={ln['y']} "
                     f"has no page number on its baseline (a heading on two lines?)")
            out.append((ln["text"], "", ln["page"]))
            k += 1
            continue
        if abs(nxt["x2"] - ln["right"]) > 0.05:
            rep.fail(f"{what}: the number {nxt['text']!r} of {ln['text']!r} ends at "
                     f"x={nxt['x2']:.2f}, not at the frame's right edge {ln['right']:.2f}")
        if nxt["x"] < ln["x2"]:
            rep.fail(f"{what}: the number {nxt['text']!r} overlaps the heading {ln['text']!r}")
        out.append((ln["text"], nxt["text"], ln["page"]))
        k += 2
    return out


def roman(n):
    R = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
         (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    s = ""
    for v, r in R:
        while n >= v:
            s, n = s + r, n - v
    return s


# ---- PDF: pdftotext -raw -bbox --------------------------------------------
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                  r'yMax="([\d.]+)">(.*?)</word>')
PAGEB = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def check_pdf_text(rep, ed, bbox_html, lay, doc, srcsec, tpl):
    pages = []
    for chunk in bbox_html.split("<page ")[1:]:
        m = PAGEB.match("<page " + chunk)
        pages.append((float(m.group(1)), float(m.group(2)),
                      [(float(a), float(b), float(c), float(d),
                        unicodedata.normalize("NFC", html.unescape(t)))
                       for a, b, c, d, t in WORD.findall(chunk)]))
    if len(pages) != len(lay.pages):
        rep.fail(f"pdf {ed}: {len(pages)} pages, the display list has {len(lay.pages)}")
        return
    order_bad, before = 0, rep.failures
    per_section = collections.defaultdict(list)
    for i, (pw, ph, ws) in enumerate(pages):
        fr = Frame(tpl, i, pw, ph, 0)
        body = [w for w in ws if fr.top - 1 <= w[3] - (w[3] - w[1]) / EM_HEIGHT * DESCENT
                <= fr.bottom + 1]
        run = [w for w in ws if w not in body]
        want_foot = expected_foot(lay, i, doc, tpl)
        if i == 0 and i in lay.front:
            run = []      # the cover: its band lies below the frame
            body = ws
        if sorted(w[4] for w in run) != want_foot:
            rep.fail(f"pdf {ed} page {i + 1} ({lay.pages[i].label}): running words "
                     f"{sorted(w[4] for w in run)}, expected {want_foot}")
        if i not in lay.section_of:
            continue
        # Lines: a word on another baseline, further left, or across the
        # gutter (the one-line columns of a balanced page share a
        # baseline; no full-width title has a gap the gutter's width)
        # starts one.
        col1_right = fr.col2_left - tpl["gutter"]
        lines = []
        for w in body:
            p = lines[-1]["w"][-1] if lines else None
            if (p and abs(w[3] - p[3]) < 3 and w[0] > p[0] and
                    not (p[2] <= col1_right + 1 and w[0] >= fr.col2_left - 1)):
                lines[-1]["w"].append(w)
            else:
                lines.append(dict(w=[w]))
        prev_key = None
        for ln in lines:
            w0 = ln["w"][0]
            size = (w0[3] - w0[1]) / EM_HEIGHT
            base = w0[3] - (w0[3] - w0[1]) / EM_HEIGHT * DESCENT
            ln.update(x=w0[0], y=base, words=[w[4] for w in ln["w"]],
                      body=abs(size - BODY_SIZE) < 0.2, where=(i, fr.column(w0[0])))
            key = (fr.column(w0[0]), base)
            if prev_key is not None and key < (prev_key[0], prev_key[1] - 0.5):
                order_bad += 1
                if order_bad <= 5:
                    rep.fail(f"pdf {ed} page {i + 1} ({lay.pages[i].label}): line "
                             f"{' '.join(ln['words'])!r} comes after a line it should "
                             f"precede in reading order")
            prev_key = key
        per_section[lay.section_of[i]] += sorted(
            lines, key=lambda ln: (fr.column(ln["x"]), round(ln["y"], 1), ln["x"]))
    if not order_bad:
        print(f"ok   pdf {ed}: content order is reading order on {len(pages)} pages")
    if rep.failures == before:
        print(f"ok   pdf {ed}: running feet as the template says")
    check_body(rep, f"pdf {ed}", lay, srcsec, per_section)


def check_pdf_front(rep, ed, pdf, lay, doc):
    """The cover's words, and every contents entry as printed: its line in
    `pdftotext -layout -f P -l P` reads "heading … label"."""
    before = rep.failures

    def page_text(i):
        return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(i + 1),
                               "-l", str(i + 1), pdf, "-"], check=True,
                              capture_output=True, text=True).stdout

    got = words(page_text(0))
    want = words(doc["meta"]["title"]) + words(doc["meta"]["subtitle"]) + ["2024"]
    if got != want:
        rep.fail(f"pdf {ed} cover: words {got}, expected {want}")
    lines = []
    for i in lay.front[1:]:
        lines += [(i, unicodedata.normalize("NFC", ln)) for ln in
                  page_text(i).splitlines() if ln.strip()]
    k = 0
    for s, sec in enumerate(doc["sections"]):
        label = lay.pages[lay.start[s]].label if s in lay.start else "?"
        head = " ".join(words(sec["heading"]))
        while k < len(lines) and " ".join(words(lines[k][1])) != head + " " + label:
            k += 1
        if k == len(lines):
            rep.fail(f"pdf {ed} contents: no line '{head} … {label}' (section {s + 1}) "
                     f"after the previous entry")
            break
        k += 1
    if rep.failures == before:
        print(f"ok   pdf {ed} front matter: cover words; contents pages "
              f"{', '.join(lay.pages[i].label for i in lay.front[1:])} print every section "
              f"with its page number, in order")


# ---- PDF: mutool stext ------------------------------------------------------
def check_stext(rep, ed, path, lay, tpl, narrow):
    chars = outside = 0
    running_y = set()
    i, fr, size = -1, None, 0.0
    for _, el in ET.iterparse(path, events=("start",)):
        if el.tag == "page":
            i += 1
            fr = Frame(tpl, i, float(el.get("width")), float(el.get("height")), narrow)
        elif el.tag == "font":
            size = float(el.get("size"))
        elif el.tag == "char":
            chars += 1
            x, y = float(el.get("x")), float(el.get("y"))
            q = [float(v) for v in el.get("quad").split()]
            qx = q[0::2]
            inside_x = fr.x_ok(x) and fr.x_ok(min(qx)) and fr.x_ok(max(qx))
            if (not fr.y_ok(y) and abs(size - RUNNING_SIZE) < 1e-6 and
                    i not in lay.front):
                running_y.add(round(y, 3))
                ok = inside_x
            else:
                ok = inside_x and fr.y_ok(y)
            if not ok:
                outside += 1
                rep.fail(f"stext {ed} page {i + 1} ({lay.pages[i].label}): char "
                         f"{el.get('c')!r} at x={x:.3f} (box {min(qx):.3f}..{max(qx):.3f}) "
                         f"y={y:.3f} outside the frame "
                         f"[{fr.left:.2f}, {fr.right:.2f}] x [{fr.top:.2f}, {fr.bottom:.2f}]")
    if len(running_y) > 2:
        rep.fail(f"stext {ed}: running characters at several baselines {sorted(running_y)}")
    if not outside:
        print(f"ok   stext {ed}: {chars} characters inside the frame "
              f"(running baselines {sorted(running_y)})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json-dir", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--stext-dir", required=True)
    ap.add_argument("--pdf-dir", help="the PDFs (default: --stext-dir)")
    ap.add_argument("--template", default=os.path.join(
        HERE, "..", "..", "templates", "yearbook", "template.yaml"))
    ap.add_argument("--editions", default="vi,en")
    ap.add_argument("--sections", type=int, default=40)
    ap.add_argument("--slug", default="bench")
    ap.add_argument("--narrow", type=float, default=0.0)
    a = ap.parse_args()
    tpl = load_template(a.template)
    rep = Report()
    dump = parse_dump(a.dump)
    for ed in a.editions.split(","):
        with open(os.path.join(a.json_dir, f"{ed}-{a.sections}.json"), encoding="utf-8") as f:
            doc = json.load(f)
        srcsec = source_sections(doc)
        lay = Layout(dump.get(ed, []), len(srcsec))
        check_dump(rep, ed, lay, doc, srcsec, tpl, a.narrow)
        with open(os.path.join(a.stext_dir, f"{ed}.bbox.html"), encoding="utf-8") as f:
            check_pdf_text(rep, ed, f.read(), lay, doc, srcsec, tpl)
        check_pdf_front(rep, ed, os.path.join(a.pdf_dir or a.stext_dir,
                                              f"{a.slug}-{ed}.pdf"), lay, doc)
        check_stext(rep, ed, os.path.join(a.stext_dir, f"{ed}.stext.xml"), lay, tpl,
                    a.narrow)
    print(f"{'FAIL' if rep.failures else 'PASS'}: {rep.failures} failures")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
