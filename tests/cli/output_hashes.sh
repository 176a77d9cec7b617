#!/usr/bin/env bash
# Byte-identical output: every example built in every profile and edition,
# its previews in the screen and print (soft-proof) profiles, and the PDF of
# every golden case must hash to the sums in tests/golden/output-hashes.txt.
# This is what proves that a change meant to keep behaviour (a refactor, a
# cache, a faster path) did keep it, down to the byte. With
# FO_UPDATE_GOLDEN=1 the sums are rewritten instead: do that only for a
# change that alters output on purpose, and say why in the commit.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK/out"
export SOURCE_DATE_EPOCH=1700000000
expected="$SRC/tests/golden/output-hashes.txt"

run() { # label, command...: a failing build is a failure of its own
    local label=$1
    shift
    if ! "$@" >"$WORK/log" 2>&1; then
        echo "FAIL: $label exited non-zero:"
        head -20 "$WORK/log"
        exit 1
    fi
}

for ex in "$SRC"/examples/*/; do
    n=$(basename "$ex")
    run "build $n" "$FOLIO" build "$ex/publication.yaml" -o "$WORK/out/$n/pdf" --profile all --edition all
    for p in screen print; do
        run "preview $n $p" "$FOLIO" preview "$ex/publication.yaml" -o "$WORK/out/$n/png-$p" \
            --profile "$p" --edition all --dpi 40
    done
done
for dir in "$SRC"/tests/golden/*/; do
    [ -f "$dir/input.yaml" ] || continue
    c=$(basename "$dir")
    (cd "$dir" && run "golden $c" "$FOLIO" build input.yaml -o "$WORK/out/golden-$c" --profile all --edition all)
done

# The proof sheet carries what is meant to differ between two builds of
# the same sources: a build number that changes on every build (so that an
# open page reloads in watch), page versions that follow the images'
# modification times (a fresh clone has new ones), and the sources' folder
# in its messages. Those are masked; everything else must be identical.
find "$WORK/out" \( -name proof.html -o -name build.js \) -exec \
    sed -i -E -e 's/(folio_build\(|FOLIO_BUILD=|build )[0-9]+/\1N/g' \
    -e 's/\?v=[0-9a-fA-F]+/?v=V/g' -e "s|$SRC|SRC|g" {} +
(cd "$WORK/out" && find . -type f | LC_ALL=C sort | xargs sha256sum) >"$WORK/sums.txt"
n=$(wc -l <"$WORK/sums.txt")
[ "$n" -gt 100 ] || { echo "FAIL: only $n output files were made"; exit 1; }
if [ "${FO_UPDATE_GOLDEN:-}" = 1 ]; then
    cp "$WORK/sums.txt" "$expected"
    echo "updated $expected ($n files)"
    exit 0
fi
if ! diff -u "$expected" "$WORK/sums.txt" >"$WORK/sums.diff"; then
    echo "FAIL: outputs differ from tests/golden/output-hashes.txt:"
    grep '^[-+][^-+]' "$WORK/sums.diff" | head -40
    exit 1
fi
echo "output_hashes: $n files byte-identical"
