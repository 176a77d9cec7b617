#!/usr/bin/env bash
# QR codes and campaign tagging, read back from the outputs
# (docs/content.md, QR codes and Campaign tagging; docs/report.md, links):
#  - every QR code of every PDF (each edition, each profile), rendered by
#    pdftoppm and decoded by zbarimg, gives exactly the URLs the report's
#    links manifest lists for that page: tagged utm_medium=print in the
#    print PDF, pdf in the others; as written without a campaign;
#  - the print PDF's QR modules are filled in K only;
#  - every link annotation qpdf finds in a PDF is in the manifest, on its
#    page, with the same URL, and the manifest lists no link the PDF lacks.
# The publications are the golden cases qr (no campaign) and qr-campaign.
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
for t in zbarimg pdftoppm qpdf python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed (zbar-tools, poppler-utils, qpdf)"
        exit 77
    }
done
fresh_work

for c in qr qr-campaign; do
    (cd "$SRC/tests/golden/$c" &&
        "$FOLIO" build input.yaml -o "$WORK/$c" --profile all --edition all \
            --report "$WORK/$c.json") >"$WORK/$c.log" 2>&1 ||
        { cat "$WORK/$c.log"; fail "$c did not build"; }
done

# The decoded symbols of each page the manifest names: "pdf page url"
# lines, sorted, to compare with the manifest's.
for c in qr qr-campaign; do
    python3 - "$WORK/$c.json" "$WORK/$c" >"$WORK/$c.want" <<'PY' || fail "$c: manifest unreadable"
import json, sys
r = json.load(open(sys.argv[1]))
for l in r["links"]:
    if l["kind"] != "qr":
        continue
    base = sys.argv[2].rsplit("/", 1)[1]
    suffix = "" if l["profile"] == "print" else "-" + l["profile"]
    print(f'{base}-{l["edition"]}{suffix}.pdf {l["page"]} {l["url"]}')
PY
    sort -o "$WORK/$c.want" "$WORK/$c.want"
    [ -s "$WORK/$c.want" ] || fail "$c: the manifest lists no QR code"
    : >"$WORK/$c.got"
    # one raster per PDF (its pages with QR codes, at 100 dpi: a module of
    # 0.3 mm is 1.2 pixels, which zbar still reads), one decode per page
    for pdf in $(cut -d' ' -f1 "$WORK/$c.want" | sort -u); do
        pages=$(grep "^$pdf " "$WORK/$c.want" | cut -d' ' -f2 | sort -un)
        first=$(echo "$pages" | head -1) last=$(echo "$pages" | tail -1)
        rm -f "$WORK"/p-*.png
        pdftoppm -r 100 -gray -f "$first" -l "$last" -png "$WORK/$c/$pdf" \
            "$WORK/p" || fail "pdftoppm $pdf"
        for page in $pages; do
            png=$(ls "$WORK"/p-*.png | grep -E -- "-0*$page\.png$")
            zbarimg -q --raw "$png" >"$WORK/z.txt" 2>/dev/null
            while read -r url; do
                [ -n "$url" ] && echo "$pdf $page $url" >>"$WORK/$c.got"
            done <"$WORK/z.txt"
        done
    done
    sort -o "$WORK/$c.got" "$WORK/$c.got"
    if ! diff -u "$WORK/$c.want" "$WORK/$c.got" >"$WORK/$c.diff"; then
        cat "$WORK/$c.diff"
        fail "$c: the decoded QR codes differ from the manifest"
    fi
done

# Without a campaign the symbols hold the URLs as written; with one, the
# print and screen symbols of one code differ by their medium.
grep -q ' https://example.org/en$' "$WORK/qr.got" ||
    fail "qr: the English QR code is not the URL as written"
grep -q 'qr-campaign-en.pdf 1 https://e.org/en?utm_source=qr-campaign&utm_medium=print&utm_term=h%C3%A8%20%26%20l%E1%BB%85$' \
    "$WORK/qr-campaign.got" || fail "qr-campaign: the print QR code is not tagged utm_medium=print"
grep -q 'qr-campaign-en-screen.pdf 1 https://e.org/en?utm_source=qr-campaign&utm_medium=pdf&' \
    "$WORK/qr-campaign.got" || fail "qr-campaign: the screen QR code is not tagged utm_medium=pdf"

# build -j: the jobs' manifests, joined, are the same as one process's.
(cd "$SRC/tests/golden/qr-campaign" &&
    "$FOLIO" build input.yaml -o "$WORK/j" --profile all -j 2 \
        --report "$WORK/j.json") >"$WORK/j.log" 2>&1 ||
    { cat "$WORK/j.log"; fail "qr-campaign did not build with -j 2"; }

# K only: in the print PDF, every filled rectangle (the modules and their
# white square are the only ones on these pages) is painted with a CMYK
# colour whose C, M and Y are 0. And the link annotations qpdf finds in
# every PDF against the manifest. (One Python for all: its start costs
# half a second of CPU here.)
python3 - "$WORK" <<'PY' || exit 1
import json, os, subprocess, sys
work, bad = sys.argv[1], 0
for pdf in ["qr/qr-vi.pdf", "qr/qr-en.pdf", "qr-campaign/qr-campaign-en.pdf"]:
    qdf = os.path.join(work, "k.pdf")
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable",
                    os.path.join(work, pdf), qdf], check=True)
    # A page's content is its stream's first top-level q ... Q; the
    # printer's marks (whose colour bar is C, M and Y on purpose) follow
    # it in a q ... Q of their own, outside the bleed.
    fill, nk, rects, depth, block = None, 0, 0, 0, 0
    for line in open(qdf, "rb").read().decode("latin1").split("\n"):
        w = line.split()
        if not w:
            continue
        if w == ["stream"]:
            depth, block = 0, 0
        elif w == ["q"]:
            block += depth == 0
            depth += 1
        elif w == ["Q"]:
            depth -= 1
        elif w[-1] in ("k", "rg", "g", "sc", "scn"):
            fill = w
        elif w[-1] == "f" and len(w) == 6 and w[-2] == "re" and block == 1 \
                and depth > 0:
            rects += 1
            if not (fill and fill[-1] == "k" and fill[:3] == ["0", "0", "0"]):
                nk += 1
    if rects < 100:
        print(f"FAIL: {pdf}: only {rects} filled rectangles: no QR modules?")
        bad = 1
    if nk:
        print(f"FAIL: {pdf}: {nk} of {rects} filled rectangles are not K only")
        bad = 1
for slug in ["qr", "qr-campaign"]:
    rep = json.load(open(os.path.join(work, slug + ".json")))
    for name in sorted(os.listdir(os.path.join(work, slug))):
        if not name.endswith(".pdf"):
            continue
        out = subprocess.run(["qpdf", "--json", os.path.join(work, slug, name)],
                             check=True, capture_output=True).stdout
        pdf = json.loads(out)
        objs = pdf["qpdf"][1]
        got = []
        for i, p in enumerate(pdf["pages"]):
            page = objs["obj:" + p["object"]]["value"]
            for a in page.get("/Annots", []):
                act = objs["obj:" + a]["value"].get("/A", {})
                if "/URI" in act:
                    got.append((i + 1, act["/URI"].split(":", 1)[1]))
        want = []
        for l in rep["links"]:
            suffix = "" if l["profile"] == "print" else "-" + l["profile"]
            # a print PDF (PDF/X) has no link annotations: QR codes only
            if name == f'{slug}-{l["edition"]}{suffix}.pdf' and \
                    l["profile"] != "print":
                want.append((l["page"], l["url"]))
        if sorted(got) != sorted(want):
            print(f"FAIL: {name}: link annotations {sorted(got)} "
                  f"!= manifest {sorted(want)}")
            bad = 1
        if not want and name.endswith("-screen.pdf"):
            print(f"FAIL: {name}: no links at all")
            bad = 1
key = lambda f: sorted(json.dumps(l, sort_keys=True)
                       for l in json.load(open(os.path.join(work, f)))["links"])
if key("j.json") != key("qr-campaign.json"):
    print("FAIL: build -j 2 gives another links manifest than one process")
    bad = 1
sys.exit(bad)
PY
# The screen PDFs hold the tagged text links and the QR codes' links.
grep -q '"url": "https://e.org/f?y=1&utm_source=qr-campaign&utm_medium=pdf&utm_term=h%C3%A8%20%26%20l%E1%BB%85#top"' \
    "$WORK/qr-campaign.json" || fail "qr-campaign: the text link is not tagged in the manifest"
echo "qr: QR codes decode to the manifest's URLs; print is K only; links match"
