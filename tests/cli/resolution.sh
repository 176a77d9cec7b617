#!/usr/bin/env bash
# Effective image resolution and the publication's default profiles.
#  - A print build of the sample yearbook warns, naming each image placed
#    below 300 ppi, the block's file:line:col, the resolution, and the page
#    and edition (the preflight's resolution rule), with what would fix it
#    (the pixels the placed size needs, the largest size these pixels
#    allow: checked exactly on a 32×24 px image), and still
#    writes the PDF; with --strict the same lines are errors, the exit code
#    is 1 and nothing is written. Screen builds do not warn.
#  - `folio check` runs the build's rules: its resolution findings are the
#    print build's, line for line.
#  - The brochure declares `profiles: [print, screen]`: a plain build
#    writes both PDFs of each edition; --profile screen only the screen one.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
cd "$SRC"
pub=examples/nam-dinh/publication.yaml
"$FOLIO" build "$pub" --edition vi -o "$WORK/warn" 2>"$WORK/warn.txt" >/dev/null
grep -E "^examples/nam-dinh/sections/[0-9a-z-]+\.yaml:[0-9]+:[0-9]+: warning: image '[^']+' prints at [0-9]+ ppi at its placed size; print wants 300: needs [0-9]+×[0-9]+ px at [0-9]+×[0-9]+ mm, or place it at most [0-9]+×[0-9]+ mm \(page [0-9]+, edition vi\)$" \
    "$WORK/warn.txt" >/dev/null || { echo "FAIL: no resolution warning:"; cat "$WORK/warn.txt"; exit 1; }
n=$(grep -c "warning: image" "$WORK/warn.txt")
test -s "$WORK/warn/nam-dinh-yearbook-vi.pdf"
set +e
"$FOLIO" build "$pub" --edition vi --strict -o "$WORK/strict" 2>"$WORK/strict.txt" >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || { echo "FAIL: --strict exit $rc, expected 1"; exit 1; }
[ "$(grep -c "error: image" "$WORK/strict.txt")" = "$n" ] || { echo "FAIL: --strict did not turn the $n warnings into errors"; cat "$WORK/strict.txt"; exit 1; }
[ -z "$(ls -A "$WORK/strict" 2>/dev/null)" ] || { echo "FAIL: --strict left output"; ls "$WORK/strict"; exit 1; }
"$FOLIO" build "$pub" --edition vi --profile screen -o "$WORK/screen" 2>"$WORK/screen.txt" >/dev/null
! grep -q "ppi" "$WORK/screen.txt" || { echo "FAIL: a screen build warned about print resolution"; exit 1; }

"$FOLIO" check "$pub" --edition vi 2>"$WORK/check.txt" >/dev/null
grep "prints at" "$WORK/warn.txt" >"$WORK/warn-ppi.txt" || true
grep "prints at" "$WORK/check.txt" >"$WORK/check-ppi.txt" || true
diff -u "$WORK/warn-ppi.txt" "$WORK/check-ppi.txt" ||
    { echo "FAIL: check's resolution findings are not the print build's"; exit 1; }

# 32×24 px placed 82×62 mm wide (3.23 in: 9.9 ppi): 300 ppi needs
# ceil(3.23 × 300) = 969 px across; 32 px at 300 ppi make 2.7 mm, 24 px 2.0
mkdir -p "$WORK/small/images"
cp tests/fixtures/images/grey.jpg "$WORK/small/images/"
printf '%s\n' 'title: "Ảnh"' 'editions: [vi]' 'sections:' '  - title: "Một"' \
    '    blocks:' '      - figure: { src: images/grey.jpg }' >"$WORK/small/pub.yaml"
"$FOLIO" check "$WORK/small/pub.yaml" 2>"$WORK/small.txt" >/dev/null || true
want="$WORK/small/pub.yaml:6:24: warning: image 'images/grey.jpg' prints at 10 ppi at its placed size; print wants 300: needs 969×727 px at 82×62 mm, or place it at most 2×2 mm (page 3, edition vi)"
grep -Fx "$want" "$WORK/small.txt" >/dev/null ||
    { echo "FAIL: resolution warning; want:"; echo "$want"; echo "got:"; cat "$WORK/small.txt"; exit 1; }

b=examples/nam-dinh-brochure/publication.yaml
"$FOLIO" build "$b" -o "$WORK/brochure" >/dev/null 2>&1
for f in vi en vi-screen en-screen; do
    test -s "$WORK/brochure/nam-dinh-brochure-$f.pdf" || { echo "FAIL: no $f PDF from the brochure's profiles"; exit 1; }
done
"$FOLIO" build "$b" --profile screen -o "$WORK/only" >/dev/null 2>&1
[ "$(ls "$WORK/only")" = "$(printf 'nam-dinh-brochure-en-screen.pdf\nnam-dinh-brochure-vi-screen.pdf')" ] || { echo "FAIL: --profile screen wrote:"; ls "$WORK/only"; exit 1; }
echo "resolution: $n images warned (check: the same), --strict fails with $n errors and no output; brochure profiles print+screen"
