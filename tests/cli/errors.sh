#!/usr/bin/env bash
# Error goldens: every tests/errors/bad-*.yaml must make `folio build` exit 1
# with exactly the diagnostics in the matching .expected file, and leave no
# output (no PDF, no temporary file). Paths are given relative to $SRC, as a
# user would type them, since messages show them that way. Also: `folio
# build` without a file is bad usage (exit 2).
set -u
: "${FOLIO:?}" "${SRC:?}" "${WORK:?}"
mkdir -p "$WORK"
cd "$SRC" || exit 1
fail=0
n=0
for file in tests/errors/bad-*.yaml; do
    n=$((n + 1))
    expected="${file%.yaml}.expected"
    out="$WORK/out"
    rm -rf "$out" "$WORK/stderr"
    mkdir -p "$out"
    "$FOLIO" build "$file" -o "$out" 2>"$WORK/stderr" >/dev/null
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "FAIL $file: exit status $rc, expected 1"
        fail=1
    fi
    if ! diff -u "$expected" "$WORK/stderr"; then
        echo "FAIL $file: stderr differs from $expected"
        fail=1
    fi
    if [ -n "$(ls -A "$out")" ]; then
        echo "FAIL $file: output left behind:"
        ls -A "$out"
        fail=1
    fi
done
if [ "$n" -eq 0 ]; then
    echo "FAIL: no tests/errors/bad-*.yaml found"
    fail=1
fi

"$FOLIO" build >/dev/null 2>&1
rc=$?
if [ "$rc" -ne 2 ]; then
    echo "FAIL: 'folio build' without a file: exit status $rc, expected 2"
    fail=1
fi

[ "$fail" -eq 0 ] && echo "ok: $n error goldens, bad usage"
exit "$fail"
