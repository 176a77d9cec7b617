#!/usr/bin/env bash
# Memcheck over a whole build of the sample yearbook (the Vietnamese
# edition, print profile: layout, images through LittleCMS, fonts): no
# invalid read or write, no use of uninitialised memory, and no definite or
# possible leak (tests/valgrind.supp lists, with reasons, what libraries
# keep on purpose). Skipped in the sanitizer build, where valgrind cannot
# run an ASan binary: CMake says which build this is (FO_SANITIZE, from
# tests/CMakeLists.txt), not a pipeline over ldd, which under pipefail
# failed at random when grep -q exited first and ldd got SIGPIPE.
set -euo pipefail
case "${FO_SANITIZE:?set by tests/CMakeLists.txt}" in
1) echo "skipped: ASan build (FO_SANITIZE=1)"; exit 77 ;;
0) ;;
*) echo "FAIL: FO_SANITIZE='$FO_SANITIZE' is neither 0 nor 1"; exit 1 ;;
esac
rm -rf "$WORK" && mkdir -p "$WORK"
valgrind --quiet --error-exitcode=9 --leak-check=full \
    --errors-for-leak-kinds=definite,possible --show-leak-kinds=definite,possible \
    --suppressions="$SRC/tests/valgrind.supp" \
    "$FOLIO" build "$SRC/examples/nam-dinh/publication.yaml" -o "$WORK" \
    --edition vi >"$WORK/out.txt" 2>"$WORK/vg.txt" || {
    cat "$WORK/vg.txt"; echo "FAIL: valgrind found errors or leaks"; exit 1; }
cat "$WORK/out.txt"
echo "valgrind: clean"
