#!/usr/bin/env bash
# Long URLs, e-mail addresses, paths and settings in narrow columns
# (tests/layout/url-yearbook.yaml, url-booklet.yaml): they break across
# lines, and pdftotext gives each back as one string once the line breaks
# are taken out: no hyphen added, none of their own hyphens lost (poppler
# drops a '-' that ends a line, so code breaks before hyphens), no space
# inserted. Ordinary words hyphenated at line ends come back whole too.
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
command -v pdftotext >/dev/null || exit 77
rm -rf "$WORK" && mkdir -p "$WORK"
fail=0

# The text of a PDF with the line breaks removed.
joined() {
    pdftotext "$1" "$WORK/t.txt" && tr -d '\n' <"$WORK/t.txt"
}

"$FOLIO" build "$SRC/tests/layout/url-yearbook.yaml" -o "$WORK/y" \
    >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
text=$(joined "$WORK/y/url-yearbook-en.pdf")
lines=$(wc -l <"$WORK/t.txt")
for u in \
    'https://www.namdinh.gov.vn/portal/documents/annual-reports/2025/economy_and_investment/final-version.pdf?download=true&lang=en#section-4' \
    'https://data.example.org/datasets/provincial_statistics_department/population-by-district?year=2025&format=csv' \
    'investment.promotion.centre@namdinh-department-of-planning.gov.vn' \
    'the.secretariat.of.the.provincial.peoples.committee@namdinh.gov.vn' \
    'https://maps.example.org/provinces/nam-dinh/districts/giao-thuy/xuan-thuy-national-park?zoom=12&layer=satellite'; do
    case "$text" in
    *"$u"*) ;;
    *) echo "FAIL: '$u' does not come back whole"; fail=1 ;;
    esac
done
# The URLs were broken: far more lines than paragraphs.
if [ "$lines" -lt 14 ]; then
    echo "FAIL: only $lines lines: the URLs were not broken"
    fail=1
fi

"$FOLIO" build "$SRC/tests/layout/url-booklet.yaml" -o "$WORK/b" \
    >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
for ed in vi en fr; do
    text=$(joined "$WORK/b/url-booklet-$ed.pdf")
    for u in \
        "https://www.namdinh.gov.vn/portal/documents/annual-reports/2025/economy_and_investment/final-version.pdf?download=true&lang=$ed#" \
        '/usr/share/doc/folio/examples/nam-dinh-booklet/images/rice-fields-in-the-morning.jpg' \
        'METHOD={separate(default),prepend,append,both}'; do
        case "$text" in
        *"$u"*) ;;
        *) echo "FAIL: $ed: '$u' does not come back whole"; fail=1 ;;
        esac
    done
done

# Words too long for the column, hyphenated: each comes back whole.
"$FOLIO" build "$SRC/tests/layout/compound-en-fr.yaml" -o "$WORK/c" \
    >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
text=$(joined "$WORK/c/compound-en-fr-en.pdf")
for w in Pneumonoultramicroscopicsilicovolcanoconiosis \
    antidisestablishmentarianism floccinaucinihilipilification \
    Notwithstandingtheaforementionedconsiderationstheprovincialadministrationproceeds; do
    case "$text" in
    *"$w"*) ;;
    *) echo "FAIL: '$w' does not come back whole"; fail=1 ;;
    esac
done
exit "$fail"
