#!/usr/bin/env bash
# Preview is print, for every template: the page PNGs `folio preview`
# writes for the proof sheet agree with pdftocairo's rasters of the screen
# PDF, every page of every edition, for the booklet and the tri-fold (the
# yearbook: preview_is_print.sh, on the sample). Threshold and resolution
# of preview_is_print.sh: a pixel differs when a channel differs by more
# than 64/255, and at most 0.05 % of a page's pixels may differ, at 150
# dpi (at 72 dpi small text differs more: 660 pixels, 0.26 %, on booklet
# page 3). (The booklet's cover, full-bleed, once differed along its right
# and bottom edge: the PNG drew past the page into the rounded-up last
# pixel, which a PDF viewer clips at the MediaBox. Fixed in png.c.)
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
PNGDIFF="$BUILD/tests/fo_pngdiff"
DPI=150
fail=0
for case in booklet:"$SRC/tests/golden/booklet/input.yaml" \
    trifold:"$SRC/tests/golden/trifold/input.yaml"; do
    name=${case%%:*} pub=${case#*:}
    out=$WORK/$name
    "$FOLIO" build "$pub" -o "$out" --profile screen >/dev/null 2>&1
    "$FOLIO" preview "$pub" -o "$out/png" --dpi "$DPI" >/dev/null 2>&1
    test -s "$out/png/proof.html"
    n=0
    for pdf in "$out"/*-screen.pdf; do
        stem=$(basename "$pdf" -screen.pdf)
        pdftocairo -png -r "$DPI" "$pdf" "$out/ref-$stem"
        for png in "$out/png/$stem"-[0-9][0-9][0-9].png; do
            page=$((10#$(basename "$png" .png | grep -o '[0-9]*$')))
            ref=$(ls "$out/ref-$stem"-*.png | grep -E -- "-0*$page\.png$")
            pixels=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); w,h=struct.unpack('>II', d[16:24]); print(w*h)" "$png")
            if ! "$PNGDIFF" "$png" "$ref" --tolerance 64 --max-diff $((pixels / 2000)) >/dev/null; then
                echo "FAIL: $name $stem page $page differs from the PDF"; fail=1
            fi
            n=$((n + 1))
        done
    done
    [[ $n -gt 0 ]] || { echo "FAIL: $name: no pages"; fail=1; }
    echo "$name: $n pages agree"
done
exit $fail
