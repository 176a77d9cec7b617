#!/usr/bin/env bash
# Document structure of the sample yearbook, read back from the PDF with
# independent tools (qpdf --json, pdftotext, pdfinfo), for both editions:
#  - the contents page lists every section with the label of the page where
#    it starts (its anchor in the display list), as pdftotext prints it;
#  - every contents entry is a link whose destination is that page;
#  - bookmarks mirror the sections (titles, order) with their headings
#    nested below them;
#  - page labels: cover and contents roman (i, ii), the body from 1;
#  - document info (title, author, subject, keywords) and /Lang per edition;
#  - one image object per image file.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
pub="$SRC/examples/nam-dinh/publication.yaml"
# The screen profile: print PDFs (PDF/X) carry no links; their bookmarks
# and labels are the same.
"$FOLIO" build "$pub" -o "$WORK" --profile screen >/dev/null
"$FOLIO" dump "$pub" >"$WORK/dump.txt"
for ed in vi en; do
    pdf="$WORK/nam-dinh-yearbook-$ed-screen.pdf"
    qpdf --json "$pdf" >"$WORK/$ed.json"
    pdfinfo "$pdf" >"$WORK/$ed.info"
    pdftotext -layout -enc UTF-8 -f 2 -l 2 "$pdf" "$WORK/$ed.contents.txt"
    python3 - "$ed" "$WORK/dump.txt" "$WORK/$ed.json" "$WORK/$ed.info" \
        "$WORK/$ed.contents.txt" "$pub" <<'PY'
import json, re, sys, collections
ed, dump_path, json_path, info_path, toc_path, pub_path = sys.argv[1:]
fail = []
# --- the display list of this edition
pages, anchors, images, cur, in_ed = [], [], [], None, False
for line in open(dump_path, encoding="utf-8"):
    if line.startswith("edition "):
        in_ed = line.split()[1] == ed
        continue
    if not in_ed:
        continue
    if line.startswith("page "):
        cur = re.search(r"label=(\S+)", line).group(1)
        pages.append(cur)
    m = re.match(r'  anchor (\S+) .* level=(\d) "(.*)"$', line)
    if m:
        anchors.append((m.group(1), int(m.group(2)), m.group(3), len(pages)))
    m = re.match(r"  image (\S+) ", line)
    if m:
        images.append(m.group(1))
sections = [(n, t, p) for n, lv, t, p in anchors if lv == 1 and re.fullmatch(r"s\d+", n)]
if len(sections) < 5:
    fail.append(f"only {len(sections)} sections in the dump")
# --- page labels
j = json.load(open(json_path))
labels = []
for pl in j["pagelabels"]:
    labels.append((pl["index"], pl["label"].get("/S"), pl["label"].get("/St")))
want = [(0, "/r", 1)]
first_body = next(i for i, l in enumerate(pages) if l.isdigit())
want.append((first_body, "/D", 1))
if labels != want:
    fail.append(f"page labels {labels}, expected {want}")
if pages[:first_body] != ["i", "ii", "iii", "iv"][:first_body]:
    fail.append(f"front matter labels {pages[:first_body]}")
# --- contents page (pdftotext -layout: one entry a line, its number last):
# each section title, in order, with the label of its first page
toc_lines = [" ".join(l.split()) for l in open(toc_path, encoding="utf-8")]
at = 0
for name, title, page in sections:
    label = pages[page - 1]
    t = " ".join(title.split())
    k = next((i for i in range(at, len(toc_lines)) if toc_lines[i].startswith(t + " ")), None)
    if k is None:
        fail.append(f"contents: section {title!r} not found (in order)")
        continue
    shown = toc_lines[k].split()[-1]
    if shown != label:
        fail.append(f"contents: {title!r} shows page {shown}, starts on page {label}")
    at = k + 1
# --- links on the contents page point at the section pages
objs = j["qpdf"][1]
def obj(ref):
    return objs.get("obj:" + ref, {}).get("value", {})
page_refs = [p["object"] for p in j["pages"]]
toc_obj = obj(page_refs[1])
dest_pages = []
for a in toc_obj.get("/Annots", []):
    av = obj(a) if isinstance(a, str) else a
    d = av.get("/Dest")
    if isinstance(d, str):
        d = obj(d)  # an indirect destination array
    if d:
        dest_pages.append(page_refs.index(d[0]) + 1)
sec_pages = [p for n, t, p in sections]
if not set(sec_pages) <= set(dest_pages):
    fail.append(f"contents links go to pages {sorted(set(dest_pages))}, sections start on {sec_pages}")
# --- bookmarks: top level = Contents + sections, in order
outl = j["outlines"]
tops = [o["title"] for o in outl]
want_tops = [t for n, lv, t, p in anchors if lv == 1]
if tops != want_tops:
    fail.append(f"bookmarks {tops}, expected {want_tops}")
for o, (name, title, page) in zip([o for o in outl if o["title"] != outl[0]["title"]], sections):
    if o["destpageposfrom1"] != page:
        fail.append(f"bookmark {o['title']!r} goes to page {o['destpageposfrom1']}, not {page}")
h2 = sum(1 for n, lv, t, p in anchors if lv == 2)
kids = sum(len(o["kids"]) for o in outl)
if kids != h2:
    fail.append(f"{kids} second-level bookmarks, {h2} level-2 headings")
# --- document info and language
info = open(info_path, encoding="utf-8").read()
pub = open(pub_path, encoding="utf-8").read()
for key in ("Title", "Author", "Subject", "Keywords"):
    if not re.search(rf"^{key}:\s+\S", info, re.M):
        fail.append(f"pdfinfo has no {key}")
lang = obj(j["qpdf"][1]["trailer"]["value"]["/Root"]).get("/Lang")
if lang != f"u:{ed}" and lang != ed:
    fail.append(f"/Lang is {lang!r}, expected {ed!r}")
# --- images embedded once
xobjects = set()
for p in j["pages"]:
    for im in p["images"]:
        xobjects.add(im["object"])
distinct = len(set(images))
if len(xobjects) != distinct:
    fail.append(f"{len(xobjects)} image objects for {distinct} image files ({len(images)} placements)")
# (placing one image twice and finding one object is tests/unit/test_render.c's job)
print(f"{ed}: {len(pages)} pages, {len(sections)} sections, {len(dest_pages)} contents links, "
      f"{len(tops)} bookmarks (+{kids}), labels {labels}, {distinct} images for {len(images)} placements")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
done
