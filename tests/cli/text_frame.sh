#!/usr/bin/env bash
# Text and frame checks on the benchmark yearbook (40 sections, vi and en,
# with real figures, tables and pull quotes): the cover and the contents
# (every section, in order, with the label of the page where it starts,
# also as pdftotext prints it); per section, the words of the display list
# and of the PDF (pdftotext) exactly as in the source (paragraphs in order,
# each box contiguous), none lost or doubled; the running feet as the
# template's masters say; no glyph or image outside the text frame, in the
# display list nor in the PDF (mutool's character positions). The checks,
# and the reasons for how they read the PDF, are in tests/typo/text_frame.py.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK/out"
. "$SRC/tests/typo/bench_pub.sh"
for tool in pdftotext mutool; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done
bench_pub
# The screen profile: its MediaBox is the trim, so PDF coordinates are the
# display list's (print adds the bleed and slug around it).
"$FOLIO" build "$WORK/gen/bench.yaml" -o "$WORK/out" --profile screen >/dev/null
for f in "$WORK"/out/bench-*-screen.pdf; do mv "$f" "${f%-screen.pdf}.pdf"; done
"$FOLIO" dump "$WORK/gen/bench.yaml" >"$WORK/out/bench.dump"
for ed in vi en; do
    pdftotext -enc UTF-8 -raw -bbox "$WORK/out/bench-$ed.pdf" \
        "$WORK/out/$ed.bbox.html"
    # mutool warns that it lacks ICC support; only its output matters.
    mutool draw -q -F stext -o "$WORK/out/$ed.stext.xml" \
        "$WORK/out/bench-$ed.pdf" 2>/dev/null
done
python3 "$SRC/tests/typo/text_frame.py" --json-dir "$WORK/gen" \
    --dump "$WORK/out/bench.dump" --stext-dir "$WORK/out" --pdf-dir "$WORK/out" \
    --template "$SRC/templates/yearbook/template.yaml"
