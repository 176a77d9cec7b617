#!/bin/bash
# The three output profiles (render.h) on the sample yearbook's English
# edition, checked on the real files:
#  - print (PDF/X-4): boxes (pdfinfo), no DeviceRGB anywhere (qpdf --qdf), a
#    text-only page inks K only (gs inkcov), the PDF/X output intent (/N 4)
#    and info keys (qpdf --json), alike in poppler, MuPDF and Ghostscript;
#  - screen: every image at most screen_ppi (pdfimages), at most a fifth of
#    the print file's size;
#  - archive: XMP with pdfaid part 1 / conformance B, sRGB output intent;
#  - all: qpdf --check clean, byte-identical across two builds (one
#    streamed with image worker threads, one from the whole display list
#    without).
# The atomic rename is checked in print_kill.sh.
set -u
PNGDIFF="$(dirname "$FOLIO")/tests/fo_pngdiff"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fail() {
    echo "FAIL: $*"
    exit 1
}
for t in pdfinfo pdfimages pdftocairo qpdf gs mutool python3; do
    command -v "$t" >/dev/null || {
        echo "skip: $t not installed"
        exit 77
    }
done
export SOURCE_DATE_EPOCH=1700000000
PUB="$SRC/examples/nam-dinh/publication.yaml"
"$FOLIO" build "$PUB" -o a --edition en --profile all >/dev/null 2>err.txt ||
    fail "build: $(cat err.txt)"
PR=a/nam-dinh-yearbook-en.pdf
SC=a/nam-dinh-yearbook-en-screen.pdf
AR=a/nam-dinh-yearbook-en-archive.pdf

# ---- every profile: qpdf --check clean, deterministic ---------------------
# the second build makes its images without worker threads (pdf_image.c),
# and with --dump it writes from the whole display list instead of page by
# page as layout goes: the bytes must depend on neither
FOLIO_THREADS=1 "$FOLIO" build "$PUB" -o b --edition en --profile all \
    --dump >/dev/null 2>&1 || fail "second build"
for f in "$PR" "$SC" "$AR"; do
    out=$(qpdf --check "$f" 2>&1) || fail "qpdf --check $f: $out"
    grep -q "No syntax or stream encoding errors" <<<"$out" ||
        fail "qpdf --check $f: $out"
    cmp -s "$f" "b/$(basename "$f")" || fail "$f differs between two builds"
done

# ---- print: boxes, the same on every page ----------------------------------
# A4 trim (595.28 x 841.89) moved by bleed 3 mm (8.50) + slug 10 mm (28.35).
npages=$(pdfinfo "$PR" | awk '/^Pages:/ {print $2}')
[ "$npages" -gt 10 ] || fail "print: $npages pages"
pdfinfo -box -f 1 -l "$npages" "$PR" >boxes.txt
check_box() { # name "l b r t"
    n=$(awk -v k="$1:" '$3 == k {print $4, $5, $6, $7}' boxes.txt |
        sort | uniq -c | awk '{$1 = $1; print}')
    [ "$n" = "$npages $2" ] || fail "print $1: got '$n', want '$2' on all"
}
check_box MediaBox "0.00 0.00 668.98 915.59"
check_box BleedBox "28.35 28.35 640.63 887.24"
check_box TrimBox "36.85 36.85 632.13 878.74"
[ "$(pdfinfo "$PR" | awk '/^PDF version:/ {print $3}')" = 1.6 ] ||
    fail "print: not PDF 1.6 (PDF/X-4)"

# ---- print: no DeviceRGB ----------------------------------------------------
qpdf --qdf --object-streams=disable "$PR" pr.qdf.pdf || fail "qpdf --qdf"
grep -a -q DeviceRGB pr.qdf.pdf && fail "print: a DeviceRGB colour space"
grep -a -E -q '(^| )(rg|RG)$' pr.qdf.pdf && fail "print: an rg/RG operator"
# PDF/X-4 keeps the logo's transparency (print_pdfx.sh checks X-1a)
grep -a -q '/SMask' pr.qdf.pdf || fail "print: the logo lost its soft mask"
spaces=$(grep -a -o '/ColorSpace */[A-Za-z]*' pr.qdf.pdf | sed 's/ *//g' |
    sort -u | tr '\n' ' ')
[ "$spaces" = "/ColorSpace/DeviceCMYK " ] ||
    [ "$spaces" = "/ColorSpace/DeviceCMYK /ColorSpace/DeviceGray " ] ||
    fail "print: image colour spaces $spaces"
grep -a -q ' k$' pr.qdf.pdf || fail "print: no CMYK fill"
grep -a -q '^0 0 0 1 k$' pr.qdf.pdf || fail "print: black is not K only"
grep -a -q '^1 1 1 1 K$' pr.qdf.pdf || fail "print: no registration marks"

# A text-only page: no image op, every colour without C, M or Y.
"$FOLIO" dump "$PUB" --edition en >dump.txt 2>/dev/null || fail "dump"
text_page=$(awk '
    /^page / { if (p && ok) { print p; exit } p = $2; ok = 1; next }
    / image / { ok = 0 }
    /cmyk=/ { match($0, /cmyk=[^ ]*/); split(substr($0, RSTART + 5,
              RLENGTH - 5), v, ","); if (v[1] + v[2] + v[3] > 0) ok = 0 }
' dump.txt)
[ -n "$text_page" ] || fail "no text-only page in the dump"
ink=$(gs -q -o - -sDEVICE=inkcov -dUseTrimBox -dFirstPage="$text_page" \
    -dLastPage="$text_page" "$PR" | awk '{print $1, $2, $3}')
[ "$ink" = "0.00000 0.00000 0.00000" ] ||
    fail "print page $text_page: C M Y coverage $ink, want none"

# ---- print and archive: output intents, info -----------------------------
intent() { # file → "S N" of the first output intent, then PDF/X keys
    qpdf --json "$1" | python3 -c '
import json, sys
q = json.load(sys.stdin)["qpdf"][1]
v = lambda r: q["obj:" + r]["value"]
tr = q["trailer"]["value"]
oi = v(tr["/Root"])["/OutputIntents"][0]
prof = q["obj:" + oi["/DestOutputProfile"]]["stream"]["dict"]
info = v(tr["/Info"])
print(oi["/S"], prof["/N"], info.get("/GTS_PDFXVersion", "-"),
      info.get("/Trapped", "-"), oi["/RegistryName"])'
}
got=$(intent "$PR") || fail "print: qpdf --json"
[ "$got" = "/GTS_PDFX 4 u:PDF/X-4 /False u:http://www.color.org" ] ||
    fail "print intent: $got"
got=$(intent "$AR") || fail "archive: qpdf --json"
[ "$got" = "/GTS_PDFA1 3 - - u:http://www.color.org" ] ||
    fail "archive intent: $got"

# ---- archive: XMP, no transparency, PDF 1.4 --------------------------------
qpdf --qdf --object-streams=disable "$AR" ar.qdf.pdf || fail "qpdf --qdf"
grep -a -q '<pdfaid:part>1</pdfaid:part>' ar.qdf.pdf || fail "pdfaid:part"
grep -a -q '<pdfaid:conformance>B</pdfaid:conformance>' ar.qdf.pdf ||
    fail "pdfaid:conformance"
grep -a -q '<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>' \
    ar.qdf.pdf || fail "XMP date is not SOURCE_DATE_EPOCH"
# uncompressed in the file itself, not only after qpdf
grep -a -q '<pdfaid:part>1</pdfaid:part>' "$AR" || fail "XMP compressed"
grep -a -q '/SMask' ar.qdf.pdf && fail "archive: a soft mask"
grep -a -q DeviceCMYK ar.qdf.pdf && fail "archive: DeviceCMYK with an sRGB intent"
[ "$(pdfinfo "$AR" | awk '/^PDF version:/ {print $3}')" = 1.4 ] ||
    fail "archive: not PDF 1.4"

# ---- screen: trim-sized, images at most 150 ppi, small -------------------
check_screen_box=$(pdfinfo -box "$SC" | awk '/^MediaBox:/ {print $2, $3, $4, $5}')
[ "$check_screen_box" = "0.00 0.00 595.28 841.89" ] ||
    fail "screen MediaBox $check_screen_box"
pdfimages -list "$SC" | awk 'NR > 2 && ($13 > 151 || $14 > 151) {
    print "image at " $13 "x" $14 " ppi"; bad = 1 } END { exit bad }' ||
    fail "screen: an image above 150 ppi"
sp=$(stat -c %s "$PR")
ss=$(stat -c %s "$SC")
# measured: 0.11 (0.93 MB against 8.4 MB)
[ $((ss * 5)) -le "$sp" ] || fail "screen $ss bytes > print $sp / 5"

# ---- print: alike in poppler, MuPDF and Ghostscript at 72 dpi -------------
# Pages: the cover (full-bleed RGB JPEG → CMYK, PNG with alpha flattened),
# an RGB JPEG, a PNG map and the text page. Measured at tolerance 96, of
# 612804 pixels: poppler / MuPDF 4541..5753 (anti-aliasing, naive CMYK to
# RGB in both), poppler / Ghostscript 5189..26880 (Ghostscript snaps 72 dpi
# glyphs to whole pixels: text pages differ most). Limits about 1.3 x that.
for pg in 1 3 4 "$text_page"; do
    pdftocairo -png -r 72 -f "$pg" -l "$pg" -singlefile "$PR" pop ||
        fail "pdftocairo"
    mutool draw -q -r 72 -o mu.png "$PR" "$pg" 2>/dev/null || fail "mutool"
    gs -q -o gs.png -sDEVICE=png16m -r72 -dTextAlphaBits=4 \
        -dGraphicsAlphaBits=4 -dFirstPage="$pg" -dLastPage="$pg" "$PR" ||
        fail "gs"
    "$PNGDIFF" pop.png mu.png --tolerance 96 --max-diff 8000 >d.txt ||
        fail "page $pg poppler / MuPDF: $(cat d.txt)"
    "$PNGDIFF" pop.png gs.png --tolerance 96 --max-diff 35000 >d.txt ||
        fail "page $pg poppler / Ghostscript: $(cat d.txt)"
done
echo "ok"
