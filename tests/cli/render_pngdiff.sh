#!/bin/bash
# fo_pngdiff, the PNG comparator other tests rely on: its counts and exit
# codes (0 within --max-diff, 1 beyond, 2 on usage or I/O errors).
set -u
PNGDIFF="$(dirname "$FOLIO")/tests/fo_pngdiff"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

convert -size 40x30 xc:white a.png || fail "convert"
convert -size 40x30 xc:white -fill black -draw "rectangle 0,0 4,1" b.png
convert -size 40x30 xc:'#d0d0d0' c.png   # 47 of 255 from white
convert -size 41x30 xc:white d.png

out=$("$PNGDIFF" a.png a.png) || fail "identical images"
[ "$out" = "differing pixels: 0 of 1200 (max channel difference 0)" ] ||
    fail "report: $out"
"$PNGDIFF" a.png b.png >/dev/null; [ $? -eq 1 ] || fail "10 pixels differ"
out=$("$PNGDIFF" a.png b.png --max-diff 10) || fail "--max-diff 10"
[ "$out" = "differing pixels: 10 of 1200 (max channel difference 255)" ] ||
    fail "report: $out"
"$PNGDIFF" a.png c.png >/dev/null || fail "below the default tolerance"
"$PNGDIFF" a.png c.png --tolerance 40 >/dev/null; [ $? -eq 1 ] ||
    fail "--tolerance 40"
"$PNGDIFF" a.png b.png --max-diff 10 --diff diff.png >/dev/null &&
    [ -s diff.png ] || fail "--diff"
"$PNGDIFF" a.png d.png 2>/dev/null; [ $? -eq 2 ] || fail "size mismatch"
"$PNGDIFF" a.png missing.png 2>/dev/null; [ $? -eq 2 ] || fail "missing"
"$PNGDIFF" a.png 2>/dev/null; [ $? -eq 2 ] || fail "usage"
"$PNGDIFF" a.png b.png --tolerance 300 2>/dev/null; [ $? -eq 2 ] ||
    fail "bad tolerance"
echo "ok"
