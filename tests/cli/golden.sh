#!/usr/bin/env bash
# Golden display-list dumps: for each tests/golden/<case>/input.yaml the
# output of `folio dump` must equal <case>/dlist.txt byte for byte. With
# FO_UPDATE_GOLDEN=1 the expected files are rewritten instead; review the
# change as a diff before committing it. Each case's NOTE.md says what it
# pins.
set -euo pipefail
rm -rf "$WORK" && mkdir -p "$WORK"
fail=0
n=0
for dir in "$SRC"/tests/golden/*/; do
    case=$(basename "$dir")
    [ -f "$dir/input.yaml" ] || continue
    n=$((n + 1))
    (cd "$dir" && "$FOLIO" dump input.yaml) >"$WORK/$case.txt"
    if [ "${FO_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$WORK/$case.txt" "$dir/dlist.txt"
        echo "updated $case"
    elif ! diff -u "$dir/dlist.txt" "$WORK/$case.txt" >"$WORK/$case.diff"; then
        echo "FAIL: $case differs from its golden dump:"
        head -40 "$WORK/$case.diff"
        fail=1
    fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no golden case found"; exit 1; }
[ "$fail" = 0 ] && echo "golden: $n cases ok"
exit "$fail"
