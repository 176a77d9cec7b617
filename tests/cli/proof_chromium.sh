#!/usr/bin/env bash
# The proof sheet in a real browser: `folio preview --profile print` of the
# sample yearbook (both editions), then one headless Chromium launch opens
# proof.html from disk and must find every page and thumbnail image loaded
# (the page's own summary on <html>, read from --dump-dom), one spread for
# the cover plus one per pair of facing pages in each edition, and no
# console message at all (an error, a failed script or a CSP violation is
# logged as one). A screenshot is kept as the test's artifact:
# $WORK/proof.png. Skipped (77) without chromium.
set -euo pipefail
command -v chromium >/dev/null || { echo "chromium not installed: skipped"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK"
pub="$SRC/examples/nam-dinh/publication.yaml"
"$FOLIO" preview "$pub" -o "$WORK/out" --profile print --dpi 30 >"$WORK/preview.log" 2>"$WORK/preview.err"
test -s "$WORK/out/proof.html" && test -s "$WORK/out/build.js"
grep -Eq 'https?:' "$WORK/out/proof.html" && { echo "FAIL: proof.html refers to the network"; grep -Eo 'https?:[^"]*' "$WORK/out/proof.html" | sed -n 1,10p; exit 1; }

timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --user-data-dir="$WORK/profile" --enable-logging=stderr --v=0 \
    --virtual-time-budget=4000 --window-size=1400,1000 \
    --screenshot="$WORK/proof.png" --dump-dom "file://$WORK/out/proof.html" \
    >"$WORK/dom.html" 2>"$WORK/chromium.log"

fail=0
# (sed -n reads its whole input: no reader exits early, so no SIGPIPE
# under pipefail)
attr() { grep -o "$1=\"[0-9]*\"" "$WORK/dom.html" | sed -n '1{s/[^0-9]//g;p}' || true; }
for lang in vi en; do
    pages=$(ls "$WORK/out" | grep -c "^nam-dinh-yearbook-$lang-[0-9]*\.png$")
    want=$((1 + (pages - 1 + 1) / 2)) # the cover alone, then pairs
    got=$(attr "data-spreads-$lang")
    echo "$lang: $pages pages, $got spreads (want $want)"
    [[ $got == "$want" ]] || { echo "FAIL: $lang spreads"; fail=1; }
    thumbs=$(ls "$WORK/out/thumbs" | grep -c "^nam-dinh-yearbook-$lang-")
    [[ $thumbs == "$pages" ]] || { echo "FAIL: $lang has $thumbs thumbnails"; fail=1; }
done
total=$(attr data-images)
loaded=$(attr data-images-loaded)
expect=$((2 * $(ls "$WORK/out" | grep -c '\.png$')))
echo "images: $loaded of $total loaded (want $expect)"
[[ -n $total && $total == "$expect" && $loaded == "$total" ]] || { echo "FAIL: images"; fail=1; }
if grep -E ':CONSOLE|Uncaught|Content Security Policy' "$WORK/chromium.log"; then
    echo "FAIL: console messages"; fail=1
fi
# The warnings of the build are listed, the low-resolution ones linked to
# their page.
nwarn=$(grep -c 'warning:' "$WORK/preview.err" || true)
nlinked=$(grep -c '<li><a href="#p-' "$WORK/out/proof.html" || true)
echo "warnings: $nwarn printed, $nlinked linked to a page"
[[ $nwarn -gt 0 && $nlinked == "$nwarn" ]] || { echo "FAIL: warnings"; fail=1; }
test -s "$WORK/proof.png" || { echo "FAIL: no screenshot"; fail=1; }
exit $fail
