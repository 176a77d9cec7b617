#!/usr/bin/env bash
# Preview is print, on real pages of the sample yearbook: folio's Cairo PNG
# of a page and pdftocairo's raster of folio's PDF, at the same dpi, agree
# within the threshold below. Then the negative control: the same PDF with
# every text matrix moved 0.1 pt to the right must FAIL the comparison, so
# the check is shown to catch a sub-point drift between the two renderers.
#
# Threshold: a pixel differs when a channel differs by more than 64/255;
# at most 0.05 % of the page's pixels may differ. Measured at 150 dpi on
# these pages: 213, 64 and 0 differing pixels of 2,176,714 (a few pixels of
# some stacked Vietnamese marks, where poppler draws the embedded subset and
# Cairo the original font file); the 0.1 pt shift moves 8,800 to 41,000.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
PNGDIFF="$BUILD/tests/fo_pngdiff"
DPI=150
pub="$SRC/examples/nam-dinh/publication.yaml"

"$FOLIO" build "$pub" -o "$WORK" --edition vi --profile screen >/dev/null
"$FOLIO" preview "$pub" -o "$WORK/png" --edition vi --dpi "$DPI" >/dev/null
pdf="$WORK/nam-dinh-yearbook-vi-screen.pdf"

# The shifted copy: uncompressed (QDF), every "a b c d x y Tm" moved by
# 0.1 pt in x, stream lengths repaired by fix-qdf.
qpdf --qdf --object-streams=disable "$pdf" "$WORK/qdf.pdf"
python3 - "$WORK/qdf.pdf" "$WORK/shifted-raw.pdf" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
pat = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) Tm")
out, n = pat.subn(lambda m: b"%s %s %s %s %.4f %s Tm" % (m.group(1), m.group(2), m.group(3), m.group(4), float(m.group(5)) + 0.1, m.group(6)), data)
assert n > 100, n
open(sys.argv[2], "wb").write(out)
PY
fix-qdf "$WORK/shifted-raw.pdf" >"$WORK/shifted.pdf"

for page in 2 5 11; do
    png=$(printf '%s/png/nam-dinh-yearbook-vi-%03d.png' "$WORK" "$page")
    pdftocairo -png -r "$DPI" -f "$page" -l "$page" -singlefile "$pdf" "$WORK/ref-$page"
    pdftocairo -png -r "$DPI" -f "$page" -l "$page" -singlefile "$WORK/shifted.pdf" "$WORK/shift-$page"
    pixels=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); w,h=struct.unpack('>II', d[16:24]); print(w*h)" "$png")
    max=$((pixels / 2000))
    if ! "$PNGDIFF" "$png" "$WORK/ref-$page.png" --tolerance 64 --max-diff "$max"; then
        echo "FAIL: page $page: the preview differs from the PDF"; exit 1
    fi
    if "$PNGDIFF" "$png" "$WORK/shift-$page.png" --tolerance 64 --max-diff "$max"; then
        echo "FAIL: page $page: a 0.1 pt shift went unnoticed: the check cannot fail"; exit 1
    fi
done
echo "preview is print: pages 2, 5, 11 agree; the 0.1 pt shift is caught"
