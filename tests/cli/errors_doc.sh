#!/usr/bin/env bash
# docs/errors.md lists every message folio can report: the format of each
# call to a message function in pipeline/ (tests/tools/diag_formats.py,
# which also fails on a printf-like function nobody classified) must be a
# row of its table, and every row must still be a message of the code.
set -u
: "${SRC:?}" "${WORK:?}"
mkdir -p "$WORK"
command -v python3 >/dev/null || exit 77
if ! python3 "$SRC/tests/tools/diag_formats.py" "$SRC/pipeline" >"$WORK/code.txt"; then
    echo "FAIL: diag_formats.py could not list every message"
    exit 1
fi
# the first cell of each table row: | `format` | …
sed -n 's/^| `\(.*\)` | [^|]* |.*$/\1/p' "$SRC/docs/errors.md" | sort -u >"$WORK/doc.txt"
sort -u "$WORK/code.txt" >"$WORK/code-sorted.txt"
fail=0
comm -23 "$WORK/code-sorted.txt" "$WORK/doc.txt" >"$WORK/missing.txt"
comm -13 "$WORK/code-sorted.txt" "$WORK/doc.txt" >"$WORK/stale.txt"
if [ -s "$WORK/missing.txt" ]; then
    echo "FAIL: messages missing from docs/errors.md:"
    cat "$WORK/missing.txt"
    fail=1
fi
if [ -s "$WORK/stale.txt" ]; then
    echo "FAIL: docs/errors.md lists messages the code no longer has:"
    cat "$WORK/stale.txt"
    fail=1
fi
n=$(wc -l <"$WORK/code-sorted.txt")
[ "$n" -gt 100 ] || { echo "FAIL: only $n messages found in the code"; fail=1; }
[ "$fail" -eq 0 ] && echo "ok: $n messages, all in docs/errors.md"
exit "$fail"
