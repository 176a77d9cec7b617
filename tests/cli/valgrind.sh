#!/usr/bin/env bash
# Memcheck over a whole build of the sample yearbook (the Vietnamese
# edition, print profile: layout, images through LittleCMS, fonts): no
# invalid read or write, no use of uninitialised memory, and no definite or
# possible leak (tests/valgrind.supp lists, with reasons, what libraries
# keep on purpose). Skipped in the sanitizer build, where valgrind cannot
# run an ASan binary.
set -euo pipefail
if ldd "$FOLIO" | grep -q libasan; then
    echo "skipped: ASan build"; exit 77
fi
rm -rf "$WORK" && mkdir -p "$WORK"
valgrind --quiet --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \
    --suppressions="$SRC/tests/valgrind.supp" \
    "$FOLIO" build "$SRC/examples/nam-dinh/publication.yaml" -o "$WORK" \
    --edition vi >"$WORK/out.txt" 2>"$WORK/vg.txt" || {
    cat "$WORK/vg.txt"; echo "FAIL: valgrind found errors or leaks"; exit 1; }
cat "$WORK/out.txt"
echo "valgrind: clean"
