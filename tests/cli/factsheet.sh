#!/usr/bin/env bash
# The factsheet template's example (examples/nam-dinh-factsheet): it passes
# the preflight with --strict (no error, no warning) in every edition and
# every profile's rules, fits one or two A4 pages per edition, and its
# printed QR code reads back as the portal's URL tagged for print and the
# edition (campaign: true, default parameters).
. "${BASH_SOURCE%/*}/lib/common.sh" || exit 1
fresh_work
pub="$SRC/examples/nam-dinh-factsheet/publication.yaml"
"$FOLIO" check --strict "$pub" --report "$WORK/check.json" >"$WORK/out" 2>"$WORK/err" ||
    { cat "$WORK/err"; fail "the factsheet does not pass check --strict"; }
[ -s "$WORK/err" ] && { cat "$WORK/err"; fail "check printed findings"; }
for ed in vi en; do
    pages=$(sed -n "s/^$ed: \([0-9]*\) pages\?$/\1/p" "$WORK/out")
    [ -n "$pages" ] && [ "$pages" -ge 1 ] && [ "$pages" -le 2 ] ||
        fail "$ed: '$pages' pages, a fact sheet has 1 or 2"
done
command -v zbarimg >/dev/null && command -v pdftoppm >/dev/null || exit 0
"$FOLIO" build "$pub" -o "$WORK/pdf" --profile print >/dev/null 2>&1 ||
    fail "the factsheet does not build"
for ed in vi en; do
    pdftoppm -r 100 -gray -f 1 -l 1 -png "$WORK/pdf/nam-dinh-factsheet-$ed.pdf" "$WORK/p-$ed" ||
        fail "pdftoppm"
    zbarimg -q --raw "$WORK"/p-"$ed"*.png >"$WORK/z-$ed" 2>/dev/null
    want="https://namdinh.gov.vn?utm_source=nam-dinh-factsheet&utm_medium=print&utm_campaign=2026&utm_content=$ed"
    got=$(cat "$WORK/z-$ed")
    [ "$got" = "$want" ] || fail "$ed: the QR code reads '$got', not '$want'"
done
echo "factsheet: clean under check --strict, 1-2 pages, QR codes tagged"
