#!/usr/bin/env bash
# The flow rules at every break position. A generated publication has many
# sections; in section k a filler paragraph of k lines comes before
# paragraphs of 2 to 9 lines and headings, so that column and page breaks
# fall at every line of every paragraph length. Every word names its
# paragraph ("p012w03"), so the display list dump tells which paragraph
# each line belongs to. Checked on the dump:
#  - orphans: a paragraph broken across columns leaves >= 2 lines before
#    the break, and widows: >= 2 lines after it;
#  - a heading is never the last line of a column, and is followed in its
#    column by >= 2 lines of the next paragraph (or all of it);
#  - no glyph run below the text frame (the footer aside);
#  - every source word comes out once, in order.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
python3 - "$WORK/pub.yaml" <<'PY'
import sys
out = ["title: Flow rules\nyear: 2025\nslug: rules\neditions: [en]\nsections:\n"]
pid = 0
def para(nwords):
    global pid
    pid += 1
    return "      - p: \"" + " ".join(f"p{pid:03d}w{i:02d}" for i in range(nwords)) + "\"\n"
for k in range(0, 60):
    out.append(f"  - title: \"Section {k}\"\n    blocks:\n")
    out.append(para(6 * (k % 57) + 3))          # filler of about k lines
    for n in range(2, 10):
        if n % 3 == 0:
            out.append(f"      - h2: \"Heading {k} {n}\"\n")
        out.append(para(6 * n - 2))              # about n lines
open(sys.argv[1], "w").write("".join(out))
PY
"$FOLIO" dump "$WORK/pub.yaml" >"$WORK/dump.txt"
python3 - "$WORK/pub.yaml" "$WORK/dump.txt" <<'PY'
import re, sys, collections
src = open(sys.argv[1]).read()
want = re.findall(r"p\d{3}w\d{2}", src)
pages, cur = [], None
for line in open(sys.argv[2]):
    if line.startswith("page "):
        cur = {"label": re.search(r"label=(\S+)", line).group(1), "runs": []}
        pages.append(cur)
    elif line.startswith("  glyphs") and cur is not None:
        m = re.match(r'  glyphs (\S+) ([\d.]+) x=([\d.]+) y=([\d.]+) .*?"(.*)"$', line)
        cur["runs"].append(dict(font=m.group(1), size=float(m.group(2)),
                                x=float(m.group(3)), y=float(m.group(4)), text=m.group(5)))
fail = []
got = []
FRAME_BOTTOM = 841.89 - 22 * 72 / 25.4
nlines = collections.Counter()
columns = []   # list of [ (kind, pid) ] per column, in order
for pg in pages:
    if not re.fullmatch(r"\d+", pg["label"]):
        continue                                   # cover, contents
    body = [r for r in pg["runs"] if r["size"] >= 9]
    for r in body:
        if r["y"] > FRAME_BOTTOM + 0.01:
            fail.append(f"page {pg['label']}: {r['text'][:30]!r} below the frame (y={r['y']})")
    cols = collections.defaultdict(list)
    for r in body:
        cols[r["x"] < 300].append(r)
    for left in (True, False):
        lines = collections.OrderedDict()
        for r in sorted(cols[left], key=lambda r: (r["y"], r["x"])):
            lines.setdefault(r["y"], []).append(r)
        col = []
        for y, rs in lines.items():
            text = " ".join(r["text"] for r in rs)
            ids = re.findall(r"p(\d{3})w\d{2}", text)
            got.extend(re.findall(r"p\d{3}w\d{2}", text))
            if ids:
                col.append(("p", ids[0]))
                nlines[ids[0]] += 1
            elif rs[0]["font"].startswith("NotoSans") and rs[0]["size"] < 20:
                col.append(("h", text))
        if col:
            columns.append(col)
for i, col in enumerate(columns):
    if col[-1][0] == "h":
        fail.append(f"column {i}: ends with heading {col[-1][1]!r}")
    for j, (kind, v) in enumerate(col):
        if kind == "h":
            after = [p for k, p in col[j + 1:j + 3] if k == "p"]
            if len(after) < 2 and not (after and nlines[after[0]] == 1):
                fail.append(f"column {i}: heading {v!r} keeps {len(after)} line(s) of what follows")
    first, last = col[0], col[-1]
    if i + 1 < len(columns) and last[0] == "p" and columns[i + 1][0] == last:
        pid = last[1]
        before = sum(1 for k, p in col if p == pid)
        after = sum(1 for k, p in columns[i + 1] if p == pid)
        if nlines[pid] == before + after:
            if before < 2:
                fail.append(f"orphan: paragraph {pid} leaves {before} line at the foot of column {i}")
            if after < 2:
                fail.append(f"widow: paragraph {pid} carries {after} line to column {i+1}")
if got != want:
    fail.append(f"words: {len(got)} extracted, {len(want)} in the source, first difference at "
                f"{next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))}")
splits = sum(1 for i, c in enumerate(columns[:-1]) if c[-1][0] == "p" and columns[i+1][0] == c[-1])
print(f"flow rules: {len(columns)} columns, {len(nlines)} paragraphs, {splits} paragraphs broken across columns")
if splits < 50:
    fail.append(f"only {splits} broken paragraphs: the test does not exercise the rules")
for f in fail[:20]:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
